#!/bin/sh
# t-complete: completions that read the model on the line (or the default
# model): metadata keys, features, layer and operation names and kinds,
# weight names (without reading weight.bin), get paths one level at a time;
# quiet for a missing or broken model; bash and fish driving them.
. "${top_srcdir:-.}/tests/lib.sh"

"$MKMODEL" segmentation "$TMP/seg.mlpackage" >/dev/null
"$MKMODEL" nn "$TMP/nn.mlmodel" >/dev/null
"$MLPKG" meta set author Me mykey v "$TMP/nn.mlmodel"
"$MLPKG" meta set preview.type imageSegmenter "$TMP/seg.mlpackage"
cd "$TMP" || exit 1

comp() { "$MLPKG" __complete "$@" >"$TMP/out" 2>"$TMP/err"; rc=$?; }
has() { grep -qxF -- "$1" "$TMP/out"; }
quiet() { [ "$rc" -eq 0 ] && [ ! -s "$TMP/err" ]; }

# metadata keys
comp meta get nn.mlmodel ''
check "meta get KEY: the model's keys" sh -c "grep -qx author '$TMP/out' && grep -qx mykey '$TMP/out' && ! grep -qx :model '$TMP/out'"
comp meta get nn.mlmodel my
check "meta get KEY: those starting with the word typed" test "$(cat "$TMP/out")" = mykey
comp meta get seg.mlpackage pre
check "meta get KEY: the preview.type alias" has preview.type
comp meta rm nn.mlmodel author ''
check "meta rm KEY...: keys and models" sh -c "grep -qx mykey '$TMP/out' && grep -qx :model '$TMP/out'"
comp meta set nn.mlmodel ''
check "meta set KEY: the standard names, aliases and the model's keys" sh -c "grep -qx license '$TMP/out' && grep -qx preview.params '$TMP/out' && grep -qx mykey '$TMP/out'"
comp meta set nn.mlmodel author x my
check "meta set: the 3rd word is a key again" test "$(cat "$TMP/out")" = "$(printf 'mykey\n:model')"
comp meta set nn.mlmodel author ''
check "meta set: no keys in a value's place" sh -c "! grep -qx mykey '$TMP/out'"

# features
comp describe nn.mlmodel ''
check "describe FEATURE: the inputs and outputs" test "$(cat "$TMP/out")" = "$(printf 'input\noutput')"
comp rename seg.mlpackage sem
check "rename OLD: features of an ML program" test "$(cat "$TMP/out")" = semanticPredictions
comp rename seg.mlpackage semanticPredictions ''
check "rename OLD NEW: no features for NEW" sh -c "! grep -qx image '$TMP/out'"

# layers and operations
comp layers nn.mlmodel --grep ''
check "layers --grep: the layer names" sh -c "grep -qx conv1 '$TMP/out' && grep -qx fc1 '$TMP/out'"
comp layers seg.mlpackage --type ''
check "layers --type: the operation types present" sh -c "grep -qx conv '$TMP/out' && grep -qx const '$TMP/out' && ! grep -qx innerProduct '$TMP/out'"
comp layers nn.mlmodel -t inner
check "layers -t: the layer kinds present" test "$(cat "$TMP/out")" = innerProduct
comp graph seg.mlpackage --around ''
check "graph --around: operation names and features" sh -c "grep -qx image '$TMP/out' && [ \$(wc -l <'$TMP/out') -gt 3 ]"

# weights, without reading weight.bin
comp weights nn.mlmodel --extract ''
check "weights --extract: neural-network weight names" sh -c "grep -qx conv1.weights '$TMP/out' && grep -qx fc1.bias '$TMP/out'"
comp weights seg.mlpackage -x ''
check "weights -x: ML-program weight names" has classifier_weight_to_fp16
cp -R seg.mlpackage broken.mlpackage
wb=$(find broken.mlpackage -name weight.bin)
printf 'garbage' >"$wb"
comp weights broken.mlpackage --extract class
check "weights --extract: names with a corrupt weight.bin, quietly" sh -c "grep -qx classifier_weight_to_fp16 '$TMP/out' && [ $rc -eq 0 ] && [ ! -s '$TMP/err' ]"
rm -f "$wb"
comp weights broken.mlpackage --extract class
check "weights --extract: names without weight.bin, quietly" sh -c "grep -qx classifier_weight_to_fp16 '$TMP/out' && [ $rc -eq 0 ] && [ ! -s '$TMP/err' ]"

"$MLPKG" pack seg.mlpackage -o seg.mlpackage.zip >/dev/null 2>&1
comp weights seg.mlpackage.zip --extract classifier_w
check "weights --extract: a zipped package" test "$(cat "$TMP/out")" = classifier_weight_to_fp16

# get PATH, one level at a time
comp get nn.mlmodel description.me
check "get PATH: a field of the level typed" test "$(cat "$TMP/out")" = description.metadata
comp get nn.mlmodel description.metadata.
check "get PATH: the fields present below" sh -c "grep -qx description.metadata.author '$TMP/out' && grep -qx description.metadata.userDefined '$TMP/out' && ! grep -qx description.metadata.predictedFeatureName '$TMP/out'"
comp get nn.mlmodel 'neuralNetwork.layers[0].'
check "get PATH: below an element" has 'neuralNetwork.layers[0].name'
comp get nn.mlmodel ''
check "get PATH: the top level, no models" sh -c "grep -qx neuralNetwork '$TMP/out' && ! grep -qx :model '$TMP/out'"
comp get nn.mlmodel nope.x
check "get PATH: a path that is not there, nothing and quiet" sh -c "[ ! -s '$TMP/out' ] && [ $rc -eq 0 ] && [ ! -s '$TMP/err' ]"

# the model word itself, and models that do not open
comp info ''
check "info: models" test "$(cat "$TMP/out")" = :model
: >empty.mlmodel
printf 'junk' >junk.mlmodel
for m in missing.mlmodel empty.mlmodel junk.mlmodel; do
	comp layers "$m" --grep ''
	check "$m: layers --grep: nothing offered, nothing said" sh -c "[ $rc -eq 0 ] && [ ! -s '$TMP/err' ] && [ ! -s '$TMP/out' ]"
	comp weights "$m" --extract ''
	check "$m: weights --extract: nothing offered, nothing said" sh -c "[ $rc -eq 0 ] && [ ! -s '$TMP/err' ] && [ ! -s '$TMP/out' ]"
done
for m in empty.mlmodel junk.mlmodel; do
	comp meta get "$m" ''
	check "$m: meta get: nothing offered, nothing said" sh -c "[ $rc -eq 0 ] && [ ! -s '$TMP/err' ] && [ ! -s '$TMP/out' ]"
done

# compiled folders: keys and features from metadata.json, operations,
# layers and weight names from model.mil and model.espresso.net
"$MKMODEL" compiledprogram P.mlmodelc >/dev/null 2>&1 || not_ok "mkmodel compiledprogram"
"$MKMODEL" compilednn N.mlmodelc >/dev/null 2>&1 || not_ok "mkmodel compilednn"
comp meta get P.mlmodelc ''
check "compiled: meta get KEY: its keys" sh -c "grep -qx author '$TMP/out' && grep -qx trainedOn '$TMP/out'"
comp weights P.mlmodelc --extract ''
check "compiled: weights --extract: the program's weight names" test "$(cat "$TMP/out")" = "$(printf 'conv_w\nconv_b\nfc_w.quantized_data')"
comp layers P.mlmodelc --type re
check "compiled: layers --type: the operation kinds" test "$(cat "$TMP/out")" = "$(printf 'relu\nreduce_mean')"
comp layers N.mlmodelc --grep ''
check "compiled: layers --grep: the network's layer names" test "$(cat "$TMP/out")" = "$(printf 'conv1\npool\nfc\nprob')"
comp io P.mlmodelc ''
check "compiled: nothing is said on the way" quiet

# the default model: the single model in the folder, $MLPKG_MODEL
mkdir one && cp nn.mlmodel one/
(cd one && "$MLPKG" __complete describe '' >"$TMP/out" 2>"$TMP/err")
check "default model: the single model in the folder" test "$(cat "$TMP/out")" = "$(printf 'input\noutput')"
(cd seg.mlpackage && "$MLPKG" __complete meta get '' >"$TMP/out" 2>"$TMP/err")
check "default model: the package holding the folder" has preview.type
(MLPKG_MODEL="$TMP/nn.mlmodel" "$MLPKG" __complete meta get '' >"$TMP/out" 2>"$TMP/err")
check "default model: \$MLPKG_MODEL" has mykey
mkdir two && cp nn.mlmodel two/a.mlmodel && cp nn.mlmodel two/b.mlmodel
(cd two && "$MLPKG" __complete meta get '' >"$TMP/out" 2>"$TMP/err"; echo $? >"$TMP/rc")
check "default model: several, nothing offered, nothing said" sh -c "[ \$(cat '$TMP/rc') -eq 0 ] && [ ! -s '$TMP/out' ] && [ ! -s '$TMP/err' ]"

# bash, through the script in the tree.  The bare name "mlpkg" finds the
# binary beside the script's folder in an in-tree build, and on PATH in a
# VPATH build (make distcheck), where the script stays in the source tree.
bindir=$(cd "$(dirname "$MLPKG")" && pwd)
bcomp() { # bcomp WORD...: the candidates bash offers for the last word
	(cd "$TMP/one" && PATH="$bindir:$PATH" bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _mlpkg; printf "%s\n" "${COMPREPLY[@]}"' bash "$top_srcdir/completions/mlpkg.bash" "$@") 2>&1 | sort
}
check "bash: ./mlpkg weights --extract <TAB> lists the weights" sh -c "printf '%s\n' '$(bcomp "$MLPKG" weights --extract '')' | grep -qx fc1.weights"
check "bash: meta get <TAB> lists the keys" test "$(bcomp "$MLPKG" meta get '' | tr '\n' ' ')" = "author description license mykey training_dataset version "
check "bash: meta get <TAB> with a model named" sh -c "printf '%s\n' '$(bcomp mlpkg meta get "$TMP/seg.mlpackage" pre)' | grep -qx preview.type"

if command -v fish >/dev/null; then
	got=$(cd "$TMP/one" && PATH="$bindir:$PATH" fish -c "source '$top_srcdir/completions/mlpkg.fish'; complete -C 'mlpkg weights --extract fc1.'" 2>&1 | sort)
	check "fish: weights --extract lists the weights" test "$got" = "$(printf 'fc1.bias\nfc1.weights')"
else
	skip "fish completion of weight names (fish not installed)"
fi
if command -v zsh >/dev/null; then
	got=$(cd "$TMP/one" && PATH="$bindir:$PATH" zsh -fc '
compadd() { [[ $1 == -a ]] && print -l -- "${(@P)2}"; }
_describe() { :; }; _files() { :; }
source "$1" >/dev/null 2>&1; CURRENT=4 PREFIX=""; words=(mlpkg layers --grep ""); _mlpkg' zsh "$top_srcdir/completions/_mlpkg" 2>&1)
	check "zsh: layers --grep lists the layer names" sh -c "printf '%s\n' '$got' | grep -qx conv1"
else
	skip "zsh completion of layer names (zsh not installed)"
fi
done_testing
