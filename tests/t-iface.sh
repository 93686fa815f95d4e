#!/bin/sh
# t-iface: mlpkg rename, describe and labels on the project's examples and
# on real fixtures of each kind (neural network, NN classifier, pipelines,
# ML-program package): after a rename the independent decoder finds the new
# name everywhere the old one was referred to and the old one nowhere, and
# renaming back gives the original bytes; refusals leave the file as it was.
. "${top_srcdir:-.}/tests/lib.sh"

spec_of() { if [ -d "$1" ]; then echo "$1/Data/com.apple.CoreML/model.mlmodel"; else echo "$1"; fi; }
inode() { inode_of "$(spec_of "$1")"; }

# the names of every feature description in a model (pipeline members
# included), one a line
feature_names() {
	py strings "$1" | grep -E '(^|\.)description\.(input|output|state|trainingInput|functions\[[0-9]+\]\.(input|output|state))\[[0-9]+\]\.name	' |
		cut -f2 | "$PYTHON3" -c 'import sys, json; [print(json.loads(l)) for l in sys.stdin]' | sort -u
}

# rename_check MODEL OLD NEW LABEL: rename, check with the decoder, rename
# back, compare bytes
rename_check() {
	m=$1 old=$2 new=$3 label=$4
	w="$TMP/rc.$$"
	rm -rf "$w" "$w.orig"
	cp -R "$m" "$w"
	chmod -R u+w "$w"
	cp -R "$w" "$w.orig"
	n=$("$MLPKG" rename --dry-run "$old" "$new" "$w" 2>/dev/null | sed -n 's/.* in \([0-9]*\) place.*/\1/p')
	if ! "$MLPKG" rename "$old" "$new" "$w" 2>"$TMP/err"; then
		not_ok "$label: rename '$old' '$new'"
		sed 's/^/# /' "$TMP/err"
		return
	fi
	# the decoder's count of places renamed, which must be the number
	# --dry-run gave, and at least one (the feature's own description)
	if python_or_skip "$label: '$old' -> '$new': the decoder finds the new name everywhere, the old nowhere"; then
		got=$(py renamed "$w.orig" "$w" "$old" "$new" 2>"$TMP/err")
		st=$?
		case $n in '' | *[!0-9]*) n_ok=0 ;; *) n_ok=$n ;; esac
		if [ $st -eq 0 ] && [ "$n_ok" -gt 0 ] && [ "$got" = "$n" ]; then
			ok "$label: '$old' -> '$new': new name in all $n places, old name nowhere, the rest equal"
		else
			not_ok "$label: '$old' -> '$new' (decoder: exit $st, $got places; dry-run: ${n:-no count})"
			sed 's/^/# /' "$TMP/err" | head -10
		fi
	fi
	"$MLPKG" rename "$new" "$old" "$w" 2>/dev/null
	if cmp -s "$(spec_of "$w.orig")" "$(spec_of "$w")"; then
		ok "$label: renaming back gives the original bytes"
	else
		not_ok "$label: renaming back gives the original bytes"
	fi
	if [ -d "$w" ]; then
		check "$label: nothing but the spec changed" diff -r -x model.mlmodel "$w.orig" "$w"
	fi
	rm -rf "$w" "$w.orig"
}

# every feature of a model renamed and back
rename_all() {
	m=$1 label=$2
	feature_names "$m" >"$TMP/names"
	k=0
	while IFS= read -r name; do
		[ -n "$name" ] || continue
		k=$((k + 1))
		rename_check "$m" "$name" "renamed_$k" "$label"
	done <"$TMP/names"
	[ $k -gt 0 ] || not_ok "$label: no feature found"
}

"$MKMODEL" nn "$TMP/nn.mlmodel" >/dev/null 2>&1
"$MKMODEL" nnclassifier "$TMP/nncls.mlmodel" >/dev/null 2>&1
"$MKMODEL" pipeline "$TMP/pipe.mlmodel" >/dev/null 2>&1
"$MKMODEL" segmentation "$TMP/seg.mlpackage" >/dev/null 2>&1
"$MKMODEL" multifunction "$TMP/multi.mlpackage" >/dev/null 2>&1

# ---- rename ---------------------------------------------------------------------
if have_python; then
	rename_all "$TMP/nn.mlmodel" "example nn"
	rename_all "$TMP/nncls.mlmodel" "example nnclassifier"
	rename_all "$TMP/pipe.mlmodel" "example pipeline"
	rename_all "$TMP/seg.mlpackage" "example segmentation (ML program, nested block)"
	rename_all "$TMP/multi.mlpackage" "example multifunction"
else
	skip "rename checks: no python3-protobuf"
fi

# where the names land
run "$MLPKG" rename --dry-run image img "$TMP/nncls.mlmodel"
check "nnclassifier: image is renamed in the layer input and in preprocessing" sh -c "grep -q 'layers\[0\].input\[0\]' '$TMP/out' && grep -q 'preprocessing\[0\].featureName' '$TMP/out'"
run "$MLPKG" rename --dry-run classLabel label "$TMP/nncls.mlmodel"
check "nnclassifier: classLabel is renamed in predictedFeatureName" grep -q 'description.predictedFeatureName' "$TMP/out"
run "$MLPKG" rename --dry-run image img "$TMP/seg.mlpackage"
check "segmentation: image is renamed in the function's inputs and the op binding" sh -c "grep -q 'mlProgram.functions\[\"main\"\].inputs\[0\].name' '$TMP/out' && grep -q 'arguments\[0\].name' '$TMP/out'"
run "$MLPKG" rename --dry-run semanticPredictions sp "$TMP/seg.mlpackage"
check "segmentation: an output is renamed in the block outputs and the cond op's output" sh -c "grep -q 'outputs\[0\]\$' '$TMP/out' && grep -q 'operations\[18\].outputs\[0\].name' '$TMP/out'"
run "$MLPKG" rename --dry-run prior_added pa "$TMP/seg.mlpackage"
check "segmentation: a variable inside a nested block is not a feature: exit 3" test "$rc" -eq 3

# --function
cp -R "$TMP/multi.mlpackage" "$TMP/m2.mlpackage"
expect_exit 0 "multifunction: rename --function second x input" "$MLPKG" rename --function second x input "$TMP/m2.mlpackage"
if python_or_skip "... only function second has it (the decoder)"; then
	check "... only function second has it" sh -c "py() { '$PYTHON3' '$top_srcdir/tests/pydecode.py' \"\$@\"; }; py features '$TMP/m2.mlpackage' input | grep -q 'functions\[1\].input' && ! py features '$TMP/m2.mlpackage' input | grep -q 'functions\[0\]' && py features '$TMP/m2.mlpackage' x | grep -q 'functions\[0\].input'"
fi
run "$MLPKG" get 'mlProgram.functions["main"].inputs[0].name' "$TMP/m2.mlpackage"
check "... and main's program function still takes x" grep -qx x "$TMP/out"
expect_exit 3 "--function with a function the model lacks: exit 3" "$MLPKG" rename --function nope x y "$TMP/m2.mlpackage"
expect_exit 3 "--function on a model without functions: exit 3" "$MLPKG" rename --function main input x "$TMP/nn.mlmodel"

# refusals leave the model byte-identical
cp "$TMP/nn.mlmodel" "$TMP/keep.mlmodel"
i0=$(inode "$TMP/nn.mlmodel")
expect_exit 3 "rename of a feature the model lacks: exit 3" "$MLPKG" rename nope other "$TMP/nn.mlmodel"
check "... one line naming the model and the feature" sh -c "one_line() { [ \$(wc -l <'$TMP/err') -eq 1 ]; }; one_line && grep -q \"nn.mlmodel.*'nope'\" '$TMP/err'"
expect_exit 2 "rename to a name the model already has: exit 2" "$MLPKG" rename input output "$TMP/nn.mlmodel"
check "... naming where it is used" grep -q "description.output" "$TMP/err"
blob=$("$MLPKG" get 'neuralNetwork.layers[0].output[0]' "$TMP/nn.mlmodel" 2>/dev/null)
expect_exit 2 "rename to the name of an inner blob: exit 2" "$MLPKG" rename input "$blob" "$TMP/nn.mlmodel"
expect_exit 2 "rename to an empty name: exit 2" "$MLPKG" rename input "" "$TMP/nn.mlmodel"
expect_exit 2 "rename without NEW: usage, exit 2" "$MLPKG" rename input
check "refusals: the model is byte-identical, same inode" sh -c "cmp -s '$TMP/keep.mlmodel' '$TMP/nn.mlmodel' && [ $i0 = \$($STAT_INODE '$TMP/nn.mlmodel') ]"
expect_exit 0 "rename OLD OLD: nothing to do" "$MLPKG" rename input input "$TMP/nn.mlmodel"
check "... nothing written" test "$i0" = "$(inode "$TMP/nn.mlmodel")"
expect_exit 0 "a neural network takes any new name" "$MLPKG" rename --dry-run input 'my input' "$TMP/nn.mlmodel"
cp -R "$TMP/seg.mlpackage" "$TMP/segkeep.mlpackage"
expect_exit 2 "ML program: a name that is not an identifier: exit 2" "$MLPKG" rename image 'an image' "$TMP/seg.mlpackage"
check "... saying why" grep -q "not a valid ML program name" "$TMP/err"
expect_exit 2 "ML program: a name starting with a digit: exit 2" "$MLPKG" rename image 1image "$TMP/seg.mlpackage"
expect_exit 2 "ML program: the name of an inner variable: exit 2" "$MLPKG" rename image image_to_fp16 "$TMP/seg.mlpackage"
check "ML program refusals: the package is unchanged" diff -r "$TMP/segkeep.mlpackage" "$TMP/seg.mlpackage"

# --dry-run, -o, several models
expect_exit 0 "rename --dry-run" "$MLPKG" rename --dry-run input data "$TMP/nn.mlmodel"
check "--dry-run lists the places" grep -q "description.input\[0\].name" "$TMP/out"
check "--dry-run writes nothing" cmp -s "$TMP/keep.mlmodel" "$TMP/nn.mlmodel"
expect_exit 0 "rename -o OUT" "$MLPKG" rename -o "$TMP/out.mlmodel" input data "$TMP/nn.mlmodel"
check "-o leaves the model as it was" cmp -s "$TMP/keep.mlmodel" "$TMP/nn.mlmodel"
check "-o writes OUT with the new name" sh -c "'$MLPKG' get 'description.input[0].name' '$TMP/out.mlmodel' | grep -qx data"
expect_exit 0 "rename -o a new package" "$MLPKG" rename -o "$TMP/segout.mlpackage" image img "$TMP/seg.mlpackage"
check "package -o: the original untouched" diff -r "$TMP/segkeep.mlpackage" "$TMP/seg.mlpackage"
check "package -o: weight.bin and Manifest.json copied exactly" sh -c "cmp -s '$TMP/seg.mlpackage/Data/com.apple.CoreML/weights/weight.bin' '$TMP/segout.mlpackage/Data/com.apple.CoreML/weights/weight.bin' && cmp -s '$TMP/seg.mlpackage/Manifest.json' '$TMP/segout.mlpackage/Manifest.json'"
cp "$TMP/nn.mlmodel" "$TMP/a.mlmodel"; cp "$TMP/nn.mlmodel" "$TMP/b.mlmodel"
expect_exit 0 "rename on several models" "$MLPKG" rename input data "$TMP/a.mlmodel" "$TMP/b.mlmodel"
check "... renames in each" sh -c "'$MLPKG' get 'description.input[0].name' '$TMP/a.mlmodel' | grep -qx data && '$MLPKG' get 'description.input[0].name' '$TMP/b.mlmodel' | grep -qx data"
w0=$(inode_of "$TMP/seg.mlpackage/Data/com.apple.CoreML/weights/weight.bin")
"$MLPKG" rename image img "$TMP/seg.mlpackage"
check "in place: weight.bin never rewritten" test "$w0" = "$(inode_of "$TMP/seg.mlpackage/Data/com.apple.CoreML/weights/weight.bin")"
"$MLPKG" rename img image "$TMP/seg.mlpackage"
check "in place: back to the original package" diff -r "$TMP/segkeep.mlpackage" "$TMP/seg.mlpackage"

# FeatureDescriptions.json follows a rename and a description
OV="$TMP/ov.mlpackage/Data/com.apple.CoreML/FeatureDescriptions.json"
cp -R "$TMP/seg.mlpackage" "$TMP/ov.mlpackage"
printf '{"inputs": {"image": {"shortDescription": "old"}}, "outputs": [{"name": "semanticPredictions", "description": "scores"}]}\n' >"$OV"
expect_exit 0 "overlay: rename image img" "$MLPKG" rename image img "$TMP/ov.mlpackage"
check "overlay: its key follows the rename" "$PYTHON3" -c "import json; d=json.load(open('$OV')); assert 'img' in d['inputs'] and 'image' not in d['inputs'], d"
expect_exit 0 "overlay: rename semanticPredictions sp" "$MLPKG" rename semanticPredictions sp "$TMP/ov.mlpackage"
check "overlay: a \"name\" value follows the rename" "$PYTHON3" -c "import json; d=json.load(open('$OV')); assert d['outputs'][0]['name']=='sp', d"
expect_exit 0 "overlay: describe img" "$MLPKG" describe img "An RGB photo" "$TMP/ov.mlpackage"
check "overlay: its description follows" "$PYTHON3" -c "import json; d=json.load(open('$OV')); assert d['inputs']['img']['shortDescription']=='An RGB photo', d"
check "overlay: the spec has it too" sh -c "'$MLPKG' get 'description.input[0].shortDescription' '$TMP/ov.mlpackage' | grep -qx 'An RGB photo'"
(cd "$TMP" && zip -q -r ov.zip ov.mlpackage)
expect_exit 0 "overlay in a zip: rename img image in place" "$MLPKG" rename img image "$TMP/ov.zip"
check "overlay in a zip: the spec and the overlay change in one commit" sh -c "unzip -p '$TMP/ov.zip' ov.mlpackage/Data/com.apple.CoreML/FeatureDescriptions.json | grep -q '\"image\"' && '$MLPKG' get 'description.input[0].name' '$TMP/ov.zip' | grep -qx image"
expect_exit 0 "overlay in a zip: describe -o a new zip" "$MLPKG" describe -o "$TMP/ov2.zip" image "Zipped photo" "$TMP/ov.zip"
check "overlay in a zip: the new zip's overlay follows, the old one stays" sh -c "unzip -p '$TMP/ov2.zip' ov.mlpackage/Data/com.apple.CoreML/FeatureDescriptions.json | grep -q 'Zipped photo' && unzip -p '$TMP/ov.zip' ov.mlpackage/Data/com.apple.CoreML/FeatureDescriptions.json | grep -q 'An RGB photo'"
printf '{"inputs": [1,' >"$OV"
expect_exit 0 "overlay that is not JSON: describe still edits the spec" "$MLPKG" describe img "Broken" "$TMP/ov.mlpackage"
check "... the overlay left byte for byte, with a warning" sh -c "[ \"\$(cat '$OV')\" = '{\"inputs\": [1,' ] && grep -q 'FeatureDescriptions.json is not JSON; left as it was' '$TMP/err'"
printf '{"unrelated": 1}\n' >"$OV"
expect_exit 0 "overlay without the feature: describe warns" "$MLPKG" describe img "Again" "$TMP/ov.mlpackage"
check "... and leaves it as it was" sh -c "grep -q warning '$TMP/err' && grep -qx '{\"unrelated\": 1}' '$OV'"

# FeatureDescriptions.json as Xcode writes it: the edit splices its entry
cp -R "$TMP/segkeep.mlpackage" "$TMP/xf.mlpackage"
XF="$TMP/xf.mlpackage/Data/com.apple.CoreML/FeatureDescriptions.json"
printf '{\n  "Inputs" : {\n    "image" : {\n      "MLFeatureShortDescription" : "Input image"\n    }\n  },\n  "Outputs" : {\n\n  },\n  "TrainingInputs" : {\n\n  }\n}' >"$XF"
expect_exit 0 "Xcode overlay: describe image" "$MLPKG" describe image "A photo/frame" "$TMP/xf.mlpackage"
printf '{\n  "Inputs" : {\n    "image" : {\n      "MLFeatureShortDescription" : "A photo\\/frame"\n    }\n  },\n  "Outputs" : {\n\n  },\n  "TrainingInputs" : {\n\n  }\n}' >"$TMP/xf.want"
check "... its MLFeatureShortDescription follows, nothing else changes" cmp -s "$TMP/xf.want" "$XF"
check "... no warning" sh -c "! grep -q warning '$TMP/err'"
expect_exit 0 "Xcode overlay: describe an output it has no entry for" "$MLPKG" describe semanticPredictions "Classes" "$TMP/xf.mlpackage"
expect_exit 0 "Xcode overlay: rename image img" "$MLPKG" rename image img "$TMP/xf.mlpackage"
printf '{\n  "Inputs" : {\n    "img" : {\n      "MLFeatureShortDescription" : "A photo\\/frame"\n    }\n  },\n  "Outputs" : {\n    "semanticPredictions" : {\n      "MLFeatureShortDescription" : "Classes"\n    }\n  },\n  "TrainingInputs" : {\n\n  }\n}' >"$TMP/xf.want"
check "... the entry added under Outputs in Xcode's layout, the key renamed, the rest as it was" cmp -s "$TMP/xf.want" "$XF"
expect_exit 0 "Xcode overlay: describe --dry-run" "$MLPKG" describe --dry-run img "Other" "$TMP/xf.mlpackage"
check "... mentions the overlay, writes nothing" sh -c "grep -q 'and in FeatureDescriptions.json' '$TMP/out' && cmp -s '$TMP/xf.want' '$XF'"

# ---- describe ---------------------------------------------------------------------
cp "$TMP/nn.mlmodel" "$TMP/d.mlmodel"
expect_exit 0 "describe input" "$MLPKG" describe input "A new description" "$TMP/d.mlmodel"
if python_or_skip "describe: the decoder reads it, everything else equal"; then
	check "describe: the decoder reads it in the input's shortDescription" sh -c "'$PYTHON3' '$top_srcdir/tests/pydecode.py' features '$TMP/d.mlmodel' input | grep -q '\"description.input\[0\]\", \"shortDescription\": \"A new description\"'"
	check "describe: everything else equal" py equal-but-desc "$TMP/keep.mlmodel" "$TMP/d.mlmodel" input
fi
i0=$(inode "$TMP/d.mlmodel")
expect_exit 0 "describe with the text it already has" "$MLPKG" describe input "A new description" "$TMP/d.mlmodel"
check "... writes nothing" test "$i0" = "$(inode "$TMP/d.mlmodel")"
expect_exit 0 "describe an output" "$MLPKG" describe output "Ten scores" "$TMP/d.mlmodel"
check "... lands in the output" sh -c "'$MLPKG' get 'description.output[0].shortDescription' '$TMP/d.mlmodel' | grep -qx 'Ten scores'"
expect_exit 0 "describe with an empty text removes it" "$MLPKG" describe input "" "$TMP/d.mlmodel"
expect_exit 3 "... then get finds no description" "$MLPKG" get 'description.input[0].shortDescription' "$TMP/d.mlmodel"
expect_exit 3 "describe a feature the model lacks: exit 3" "$MLPKG" describe nope "x" "$TMP/d.mlmodel"
cp "$TMP/d.mlmodel" "$TMP/d.keep"
expect_exit 0 "describe --dry-run" "$MLPKG" describe --dry-run output "Other" "$TMP/d.mlmodel"
check "... says where, writes nothing" sh -c "grep -q 'description.output\[0\].shortDescription' '$TMP/out' && cmp -s '$TMP/d.keep' '$TMP/d.mlmodel'"
"$MLPKG" describe output "Ten scores, rewritten" "$TMP/d.mlmodel" && "$MLPKG" describe output "" "$TMP/d.mlmodel" && "$MLPKG" describe output "Scores for 10 classes" "$TMP/d.mlmodel" && "$MLPKG" describe input "A 3x8x8 input volume" "$TMP/d.mlmodel"
check "describe back to the original texts gives the original bytes" cmp -s "$TMP/keep.mlmodel" "$TMP/d.mlmodel"
cp -R "$TMP/multi.mlpackage" "$TMP/dm.mlpackage"
expect_exit 0 "multifunction: describe x (both functions)" "$MLPKG" describe x "The input" "$TMP/dm.mlpackage"
expect_exit 0 "multifunction: describe --function second x" "$MLPKG" describe --function second x "Second's input" "$TMP/dm.mlpackage"
check "... each function's description in its place" sh -c "'$MLPKG' get 'description.functions[0].input[0].shortDescription' '$TMP/dm.mlpackage' | grep -qx 'The input' && '$MLPKG' get 'description.functions[1].input[0].shortDescription' '$TMP/dm.mlpackage' | grep -qx \"Second's input\""
expect_exit 0 "multifunction: describe a state" "$MLPKG" describe accumulator "The running sum" "$TMP/dm.mlpackage"
check "... lands in the state" sh -c "'$MLPKG' get 'description.functions[0].state[0].shortDescription' '$TMP/dm.mlpackage' | grep -qx 'The running sum'"
expect_exit 3 "describe --function with a feature only the other function has: exit 3" "$MLPKG" describe --function second y "x" "$TMP/dm.mlpackage"
check "multifunction: weight.bin untouched" cmp -s "$TMP/multi.mlpackage/Data/com.apple.CoreML/weights/weight.bin" "$TMP/dm.mlpackage/Data/com.apple.CoreML/weights/weight.bin"

# ---- labels ------------------------------------------------------------------------------
run "$MLPKG" labels "$TMP/nncls.mlmodel"
check "labels: nnclassifier lists cat dog bird" sh -c "[ \"\$(tr '\n' ' ' <'$TMP/out')\" = 'cat dog bird ' ]"
expect_exit 0 "labels --json" "$MLPKG" labels --json "$TMP/nncls.mlmodel"
check "labels --json shape" "$PYTHON3" -c "import json; d=json.load(open('$TMP/out'))['models'][0]; assert d['labels']==['cat','dog','bird'] and d['type']=='string' and d['count']==3, d"
expect_exit 3 "labels of a model that is not a classifier: exit 3" "$MLPKG" labels "$TMP/nn.mlmodel"
cp "$TMP/nncls.mlmodel" "$TMP/l.mlmodel"
printf 'tabby\npuppy\nsparrow\n' >"$TMP/l3"
expect_exit 0 "labels set FILE" "$MLPKG" labels set "$TMP/l3" "$TMP/l.mlmodel"
if python_or_skip "labels set: the decoder reads the new labels"; then
	check "... the decoder reads the new labels" sh -c "'$PYTHON3' '$top_srcdir/tests/pydecode.py' labels '$TMP/l.mlmodel' | grep -qF '[\"tabby\", \"puppy\", \"sparrow\"]'"
fi
cp "$TMP/l.mlmodel" "$TMP/l.keep"; i0=$(inode "$TMP/l.mlmodel")
printf 'a\nb\n' >"$TMP/l2"
expect_exit 2 "labels set with a count that does not match: exit 2" "$MLPKG" labels set "$TMP/l2" "$TMP/l.mlmodel"
check "... saying the counts" grep -q "2 labels given, the model has 3" "$TMP/err"
printf 'a\nb\na\n' >"$TMP/ldup"
expect_exit 2 "labels set with a duplicate: exit 2" "$MLPKG" labels set "$TMP/ldup" "$TMP/l.mlmodel"
printf 'a\n\nb\n' >"$TMP/lempty"
expect_exit 2 "labels set with an empty label: exit 2" "$MLPKG" labels set "$TMP/lempty" "$TMP/l.mlmodel"
check "refused labels: file byte-identical, same inode" sh -c "cmp -s '$TMP/l.keep' '$TMP/l.mlmodel' && [ $i0 = \$($STAT_INODE '$TMP/l.mlmodel') ]"
expect_exit 0 "labels set --dry-run" "$MLPKG" labels set --dry-run "$TMP/l3" "$TMP/l.mlmodel"
printf 'cat\ndog\nbird\n' | "$MLPKG" labels set --dry-run - "$TMP/l.mlmodel" >"$TMP/out"
check "--dry-run shows each change, writes nothing" sh -c "grep -q \"1: 'tabby' -> 'cat'\" '$TMP/out' && cmp -s '$TMP/l.keep' '$TMP/l.mlmodel'"
printf 'cat\r\ndog\r\nbird\r\n' | "$MLPKG" labels set - "$TMP/l.mlmodel"
check "labels set - (CRLF lines) back to the original: original bytes" cmp -s "$TMP/nncls.mlmodel" "$TMP/l.mlmodel"
expect_exit 0 "labels set -o OUT" "$MLPKG" labels set -o "$TMP/lo.mlmodel" "$TMP/l3" "$TMP/l.mlmodel"
check "... OUT has them, the model as it was" sh -c "'$MLPKG' labels '$TMP/lo.mlmodel' | grep -qx tabby && cmp -s '$TMP/nncls.mlmodel' '$TMP/l.mlmodel'"

# ML-program classifiers (classify op), built by the decoder
if have_python; then
	for v in list const int; do
		case $v in list) fl= ;; const) fl=--const ;; int) fl="--const --int" ;; esac
		py mkclassifier "$TMP/mc-$v.mlmodel" $fl
		cp "$TMP/mc-$v.mlmodel" "$TMP/mc-$v.orig"
		run "$MLPKG" labels --json "$TMP/mc-$v.mlmodel"
		want='["cat", "dog", "bird"]'; [ $v = int ] && want='[7, 11, 13]'
		check "ML program ($v): labels lists the classify op's classes" "$PYTHON3" -c "import json; d=json.load(open('$TMP/out'))['models'][0]; assert d['labels']==json.loads('$want'), d"
		new="$TMP/l3"; [ $v = int ] && { printf '1\n2\n3\n' >"$TMP/i3"; new="$TMP/i3"; }
		expect_exit 0 "ML program ($v): labels set" "$MLPKG" labels set "$new" "$TMP/mc-$v.mlmodel"
		got=$(py labels "$TMP/mc-$v.mlmodel")
		want2='["tabby", "puppy", "sparrow"]'; [ $v = int ] && want2='[1, 2, 3]'
		check "ML program ($v): the decoder reads the new labels ($got)" test "$got" = "$want2"
		expect_exit 2 "ML program ($v): a count that does not match is refused" "$MLPKG" labels set "$TMP/l2" "$TMP/mc-$v.mlmodel"
		"$PYTHON3" -c "import json; print('\n'.join(str(x) for x in json.loads('$want')))" | "$MLPKG" labels set - "$TMP/mc-$v.mlmodel"
		check "ML program ($v): back to the original bytes" cmp -s "$TMP/mc-$v.orig" "$TMP/mc-$v.mlmodel"
	done
	expect_exit 2 "int64 labels: a label that is not an integer is refused" "$MLPKG" labels set "$TMP/l3" "$TMP/mc-int.mlmodel"
	expect_exit 0 "ML program classifier as a package" "$MLPKG" convert -o "$TMP/mc.mlpackage" "$TMP/mc-list.mlmodel"
	expect_exit 0 "... labels set in the package" "$MLPKG" labels set "$TMP/l3" "$TMP/mc.mlpackage"
	check "... reads back" sh -c "[ \"\$('$MLPKG' labels '$TMP/mc.mlpackage' | tr '\n' ' ')\" = 'tabby puppy sparrow ' ]"
	rename_all "$TMP/mc-list.mlmodel" "ML-program classifier"
else
	skip "ML-program classifiers: no python3-protobuf"
fi

# a read-only folder: exit 5, the original intact
mkdir "$TMP/ro"; cp "$TMP/nn.mlmodel" "$TMP/ro/x.mlmodel"; chmod 555 "$TMP/ro"
if [ "$(id -u)" -eq 0 ] && touch "$TMP/ro/probe" 2>/dev/null; then
	rm -f "$TMP/ro/probe"
	skip "read-only folder (running as root: permissions do not bind)"
else
	expect_exit 5 "rename in a read-only folder: exit 5" "$MLPKG" rename input data "$TMP/ro/x.mlmodel"
	check "... the original intact" cmp -s "$TMP/nn.mlmodel" "$TMP/ro/x.mlmodel"
fi
chmod 755 "$TMP/ro"

# ---- the real fixtures -------------------------------------------------------------------
if fixtures_or_skip "every feature renamed and back on nine fixtures (NN, LSTM, updatable, classifiers, pipelines, ML program)" &&
	python_or_skip "every feature renamed and back on nine fixtures"; then
	rename_all "$FIXTURES/fritz-hairseg-small-quant8.mlmodel" "neural network (fritz, quantized)"
	rename_all "$FIXTURES/mlt-Es2EnCharDecoder16Bit-lstm-fp16.mlmodel" "neural network (LSTM)"
	rename_all "$FIXTURES/s4tf-keras_model_personalization.mlmodel" "updatable neural network (training inputs, loss layer)"
	rename_all "$FIXTURES/asl-HandPoseClassifier.mlmodel" "NN classifier (asl)"
	rename_all "$FIXTURES/ph1ps-MNIST.mlmodel" "NN classifier (MNIST, int64 labels)"
	rename_all "$FIXTURES/mlt-HealthySnacks-turicreate.mlmodel" "pipeline classifier (HealthySnacks)"
	rename_all "$FIXTURES/bodyfat-BodyFatModelExtended.mlmodel" "pipeline regressor (feature vectorizer)"
	rename_all "$FIXTURES/onnxmltools-onehot_simple.mlmodel" "pipeline (17 members)"
	rename_all "$FIXTURES/catfeeder-yolov8n.mlpackage" "ML-program package in a pipeline with NMS"
fi
if fixtures_or_skip "rename --dry-run on catfeeder, bodyfat, HealthySnacks, asl and s4tf: where the names land"; then
	run "$MLPKG" rename --dry-run iouThreshold iou "$FIXTURES/catfeeder-yolov8n.mlpackage"
	check "catfeeder: NMS's iouThresholdInputFeatureName follows a pipeline input its description leaves out" grep -q "nonMaximumSuppression.iouThresholdInputFeatureName" "$TMP/out"
	run "$MLPKG" rename --dry-run image picture "$FIXTURES/catfeeder-yolov8n.mlpackage"
	check "catfeeder: image is renamed in the ML-program member's function and ops" sh -c "grep -q 'pipeline.models\[0\].mlProgram.functions\[\"main\"\].inputs' '$TMP/out' && grep -q 'arguments\[0\].name' '$TMP/out'"
	expect_exit 2 "catfeeder: an ML-program member refuses a non-identifier" "$MLPKG" rename image 'my image' "$FIXTURES/catfeeder-yolov8n.mlpackage"
	expect_exit 0 "catfeeder: the NMS member alone takes any name" "$MLPKG" rename --dry-run confidence 'box confidence' "$FIXTURES/catfeeder-yolov8n.mlpackage"
	run "$MLPKG" rename --dry-run Age age "$FIXTURES/bodyfat-BodyFatModelExtended.mlmodel"
	check "bodyfat: FeatureVectorizer's inputColumn follows" grep -q "featureVectorizer.inputList\[1\].inputColumn" "$TMP/out"
	run "$MLPKG" rename --dry-run labelProbability probs "$FIXTURES/mlt-HealthySnacks-turicreate.mlmodel"
	check "HealthySnacks: the member's predictedProbabilitiesName and softmax layer output follow" sh -c "grep -q 'models\[1\].description.predictedProbabilitiesName' '$TMP/out' && grep -q 'neuralNetworkClassifier.layers\[1\].output\[0\]' '$TMP/out'"
	check "... the layer's own name stays" sh -c "! grep -q 'layers\[1\].name' '$TMP/out'"

	run "$MLPKG" rename --dry-run labelProbabilities probs "$FIXTURES/asl-HandPoseClassifier.mlmodel"
	check "asl: labelProbabilityLayerName follows" grep -q "neuralNetworkClassifier.labelProbabilityLayerName" "$TMP/out"
	run "$MLPKG" rename --dry-run output_true target "$FIXTURES/s4tf-keras_model_personalization.mlmodel"
	check "s4tf: a training input is renamed in trainingInput and the loss layer's target" sh -c "grep -q 'description.trainingInput' '$TMP/out' && grep -q 'meanSquaredErrorLossLayer.target' '$TMP/out'"
	run "$MLPKG" rename --dry-run output out "$FIXTURES/s4tf-keras_model_personalization.mlmodel"
	check "s4tf: an output is renamed in the loss layer's input" grep -q "meanSquaredErrorLossLayer.input" "$TMP/out"
fi

# a connection between pipeline members that is not a pipeline feature
if fixtures_or_skip "rename of the name connecting catfeeder's pipeline members" &&
	python_or_skip "rename of the name connecting catfeeder's pipeline members"; then
	mid=$("$MLPKG" get 'pipeline.models[0].description.output[0].name' "$FIXTURES/catfeeder-yolov8n.mlpackage")
	rename_check "$FIXTURES/catfeeder-yolov8n.mlpackage" "$mid" conf_raw "catfeeder: the name connecting the members ($mid)"
fi

# a zipped package edited in place
if fixtures_or_skip "rename in place in a zip of the catfeeder package, and back"; then
	(cd "$FIXTURES" && zip -q -r "$TMP/cat.zip" catfeeder-yolov8n.mlpackage)
	cp "$TMP/cat.zip" "$TMP/cat.zip.orig"
	expect_exit 0 "zip: rename in place" "$MLPKG" rename coordinates boxes "$TMP/cat.zip"
	check "zip: the new name reads back" sh -c "'$MLPKG' get 'description.output[1].name' '$TMP/cat.zip' | grep -qx boxes"
	"$MLPKG" rename boxes coordinates "$TMP/cat.zip"
	mkdir -p "$TMP/unz" && (cd "$TMP/unz" && unzip -q "$TMP/cat.zip")
	check "zip: renaming back gives the original spec" cmp -s "$FIXTURES/catfeeder-yolov8n.mlpackage/Data/com.apple.CoreML/model.mlmodel" "$TMP/unz/catfeeder-yolov8n.mlpackage/Data/com.apple.CoreML/model.mlmodel"
fi

# describe and labels on fixtures
if fixtures_or_skip "describe and labels on catfeeder, MNIST, ChestXray, a tree ensemble and HealthySnacks"; then
	copy_fixture "$FIXTURES/catfeeder-yolov8n.mlpackage" cat.mlpackage
	expect_exit 0 "catfeeder: describe confidence" "$MLPKG" describe confidence "Class confidence per box" "$TMP/cat.mlpackage"
	if python_or_skip "catfeeder: everything else equal (the decoder)"; then
		check "catfeeder: everything else equal" py equal-but-desc "$FIXTURES/catfeeder-yolov8n.mlpackage" "$TMP/cat.mlpackage" confidence
	fi
	check "catfeeder: weight.bin untouched" cmp -s "$FIXTURES/catfeeder-yolov8n.mlpackage/Data/com.apple.CoreML/weights/weight.bin" "$TMP/cat.mlpackage/Data/com.apple.CoreML/weights/weight.bin"
	expect_exit 0 "catfeeder: labels of the detector, from its non-maximum suppression member" "$MLPKG" labels "$TMP/cat.mlpackage"
	check "... the 80 COCO classes" sh -c "[ \$(wc -l < '$TMP/out') -eq 80 ] && head -1 '$TMP/out' | grep -qx person"
	run "$MLPKG" labels "$FIXTURES/ph1ps-MNIST.mlmodel"
	check "MNIST: int64 labels 0..9" sh -c "[ \"\$(tr '\n' ' ' <'$TMP/out')\" = '0 1 2 3 4 5 6 7 8 9 ' ]"
	run "$MLPKG" labels --json "$FIXTURES/createml-ChestXray.mlmodel"
	check "ChestXray: the GLM member of the pipeline classifier" "$PYTHON3" -c "import json; d=json.load(open('$TMP/out'))['models'][0]; assert d['labels']==['NORMAL','PNEUMONIA'] and 'glmClassifier' in d['source'], d"
	run "$MLPKG" labels "$FIXTURES/improveai-dummy_v6.mlmodel"
	check "tree-ensemble classifier: int64 labels" sh -c "[ \"\$(tr '\n' ' ' <'$TMP/out')\" = '0 1 ' ]"
	copy_fixture "$FIXTURES/mlt-HealthySnacks-turicreate.mlmodel" snacks.mlmodel
	"$MLPKG" labels "$TMP/snacks.mlmodel" | tr a-z A-Z >"$TMP/up"
	expect_exit 0 "HealthySnacks: labels set in the pipeline's NN classifier" "$MLPKG" labels set "$TMP/up" "$TMP/snacks.mlmodel"
	if python_or_skip "HealthySnacks: the decoder reads the new labels"; then
		check "... the decoder reads them" sh -c "'$PYTHON3' '$top_srcdir/tests/pydecode.py' labels '$TMP/snacks.mlmodel' | grep -q '\"APPLE\", \"BANANA\"'"
	fi
	head -3 "$TMP/up" >"$TMP/up3"
	cp "$TMP/snacks.mlmodel" "$TMP/snacks.keep"
	expect_exit 2 "HealthySnacks: 3 labels for 20 classes refused" "$MLPKG" labels set "$TMP/up3" "$TMP/snacks.mlmodel"
	check "... file untouched" cmp -s "$TMP/snacks.keep" "$TMP/snacks.mlmodel"
	"$MLPKG" labels "$FIXTURES/mlt-HealthySnacks-turicreate.mlmodel" | "$MLPKG" labels set - "$TMP/snacks.mlmodel"
	check "HealthySnacks: labels back: the original bytes" cmp -s "$FIXTURES/mlt-HealthySnacks-turicreate.mlmodel" "$TMP/snacks.mlmodel"
	copy_fixture "$FIXTURES/ph1ps-MNIST.mlmodel" mnist.mlmodel
	seq 10 19 >"$TMP/ints"
	expect_exit 0 "MNIST: labels set of integers" "$MLPKG" labels set "$TMP/ints" "$TMP/mnist.mlmodel"
	check "... read back" sh -c "[ \"\$('$MLPKG' labels '$TMP/mnist.mlmodel' | head -1)\" = 10 ]"
	seq 0 9 | "$MLPKG" labels set - "$TMP/mnist.mlmodel"
	check "MNIST: back to the original bytes" cmp -s "$FIXTURES/ph1ps-MNIST.mlmodel" "$TMP/mnist.mlmodel"
fi

# every fixture: labels agree with the independent decoder (none: exit 3)
if fixtures_or_skip "labels on every fixture against the decoder" &&
	python_or_skip "labels on every fixture against the decoder"; then
	bad=""
	for f in $(fixture_models); do
		[ "$(basename "$f")" = "$UNDECODABLE" ] && continue
		want=$(py labels "$f" 2>/dev/null)
		"$MLPKG" labels --json "$f" >"$TMP/lj" 2>/dev/null
		rc=$?
		got=$("$PYTHON3" -c "import json,sys; print(json.dumps(json.load(open(sys.argv[1]))['models'][0]['labels']) if $rc == 0 else 'null')" "$TMP/lj" 2>/dev/null)
		[ "$got" = "$want" ] || bad="$bad $(basename "$f")[$rc]"
	done
	check "fixtures: labels agree with the decoder on every one${bad:+ (not:$bad)}" test -z "$bad"
fi
# Create ML's text classifier (class labels) and word tagger (tags)
if fixtures_or_skip "labels of Create ML's text classifier, and of a word tagger"; then
	copy_fixture "$FIXTURES/createml-carwatson.mlmodel" tc.mlmodel
	run "$MLPKG" labels --json "$TMP/tc.mlmodel"
	check "text classifier: its class labels listed" "$PYTHON3" -c "import json; d=json.load(open('$TMP/out'))['models'][0]; assert d['source']=='textClassifier' and d['count']==25 and d['labels'][0]=='system_reliance', d"
	"$MLPKG" labels "$TMP/tc.mlmodel" | sed 's/^/x-/' >"$TMP/tcl"
	expect_exit 0 "text classifier: labels set" "$MLPKG" labels set "$TMP/tcl" "$TMP/tc.mlmodel"
	if python_or_skip "text classifier: the decoder reads the new labels; a word tagger's tags"; then
		check "... the decoder reads them" sh -c "py() { '$PYTHON3' '$top_srcdir/tests/pydecode.py' \"\$@\"; }; py labels '$TMP/tc.mlmodel' | grep -q '^\[\"x-system_reliance\", \"x-compound_questions\"'"
		pyscript "$TMP/wt.mlmodel" <<'PY'
import sys
from pydecode import load_schema
pb = load_schema()
m = pb.Model()
m.specificationVersion = 3
for name, coll in (("text", m.description.input), ("tokens", m.description.output)):
    f = coll.add()
    f.name = name
    f.type.stringType.SetInParent()
m.wordTagger.revision = 1
m.wordTagger.language = "en"
m.wordTagger.tokensOutputFeatureName = "tokens"
m.wordTagger.stringTags.vector.extend(["NONE", "PROD", "BRAND"])
open(sys.argv[1], "wb").write(m.SerializeToString())
PY
		run "$MLPKG" labels "$TMP/wt.mlmodel"
		check "word tagger: its tags listed" sh -c "[ \"\$(tr '\n' ' ' <'$TMP/out')\" = 'NONE PROD BRAND ' ]"
		printf 'O\nPRODUCT\nBRAND\n' >"$TMP/wtl"
		expect_exit 0 "word tagger: labels set" "$MLPKG" labels set "$TMP/wtl" "$TMP/wt.mlmodel"
		check "... the decoder reads them" sh -c "'$PYTHON3' '$top_srcdir/tests/pydecode.py' labels '$TMP/wt.mlmodel' | grep -qx '\[\"O\", \"PRODUCT\", \"BRAND\"\]'"
	fi
fi

# the undecodable fixture: exit 4, nothing written
if fixtures_or_skip "rename, describe and labels set on the undecodable fixture refused"; then
	copy_fixture "$FIXTURES/$UNDECODABLE" bad.mlmodel
	expect_exit 4 "undecodable fixture: rename refused with exit 4" "$MLPKG" rename input0 x "$TMP/bad.mlmodel"
	expect_exit 4 "undecodable fixture: describe refused with exit 4" "$MLPKG" describe input0 x "$TMP/bad.mlmodel"
	expect_exit 4 "undecodable fixture: labels set refused with exit 4" "$MLPKG" labels set "$TMP/l3" "$TMP/bad.mlmodel"
	check "undecodable fixture: byte-identical afterwards" cmp -s "$FIXTURES/$UNDECODABLE" "$TMP/bad.mlmodel"
fi

done_testing
