#!/bin/sh
# t-nested: the layers inside branch and loop layers (ifBranch, elseBranch,
# conditionNetwork, bodyNetwork) in every command that shows layers: layers
# (list, --type, --grep, --summary, --json), info's counts, weights (names
# by path, shapes from their layer, --extract), graph, get, check, browse;
# on a generated model, checked against the independent decoder.
. "${top_srcdir:-.}/tests/lib.sh"

LC_ALL=C.UTF-8
export LC_ALL
unset LINES COLUMNS NO_COLOR

chk() { "$PYTHON3" "$top_srcdir/tests/inspect-check.py" "$@"; }
jq_py() { "$PYTHON3" -c "import json,sys; d=json.load(open(sys.argv[1])); $1" "$2"; }

M=$TMP/Control.mlmodel
"$MKMODEL" control "$M" >/dev/null 2>&1 || not_ok "mkmodel control"

# layers: the nested networks under their layer, numbered from 0
expect_exit 0 "layers of a network with branch and loop layers" "$MLPKG" layers "$M"
check "the count takes in the nested layers (4 at the top, 10 in all)" grep -q '^neuralNetwork: 10 layers$' "$TMP/out"
check "each nested network has a header after its layer" sh -c "grep -q '^      1\.ifBranch\$' '$TMP/out' && grep -q '^      1\.elseBranch\$' '$TMP/out' && grep -q '^      2\.conditionNetwork\$' '$TMP/out' && grep -q '^      2\.bodyNetwork\$' '$TMP/out'"
check "... and its layers indented below it" sh -c "grep -A1 '^      1\.elseBranch\$' '$TMP/out' | grep -q '^          0 innerProduct    fc_else\$'"
check "... with their weights, which are not the branch layer's" sh -c "grep -q 'weights float16\[4,8\] 64 B, bias float16\[4\] 8 B' '$TMP/out' && ! grep -q 'ifBranch\.layers' '$TMP/out'"
check "... and the loop's networks are not listed as its parameters" sh -c "grep -q 'maxLoopIterations=3, conditionVar=\"go\"\$' '$TMP/out'"
expect_exit 0 "layers --type innerProduct" "$MLPKG" layers --type innerProduct "$M"
check "--type finds the nested layers, numbered in full" sh -c "[ \$(grep -c innerProduct '$TMP/out') -eq 4 ] && grep -q '^     1\.ifBranch\.0 innerProduct    fc_if\$' '$TMP/out' && grep -q '^  2\.bodyNetwork\.0 innerProduct    fc_body\$' '$TMP/out'"
expect_exit 0 "layers --grep" "$MLPKG" layers --grep '^(cn|cp)$' "$M"
check "--grep finds layers of the condition and body networks" sh -c "grep -q '2\.conditionNetwork\.0 greaterThan     cn' '$TMP/out' && grep -q '2\.bodyNetwork\.1 copy            cp' '$TMP/out' && [ \$(grep -c '^ *[0-9]' '$TMP/out') -eq 2 ]"
expect_exit 0 "layers --summary" "$MLPKG" layers --summary "$M"
check "--summary counts them by kind" sh -c "grep -q '^  innerProduct *4\$' '$TMP/out' && grep -q '^  greaterThan *2\$' '$TMP/out' && grep -q '^  total *10\$' '$TMP/out'"
expect_exit 0 "info" "$MLPKG" info "$M"
check "info counts nested layers and their weights" grep -q 'counts: *10 layers, 8 weight tensors, 116 parameters, 312 B of weights' "$TMP/out"
expect_exit 0 "weights" "$MLPKG" weights "$M"
check "weights names nested ones by path, with their layer's shape" sh -c "grep -q 'float16 *\[8,4\] *32 *64  br\.elseBranch\.fc_else\.weights\$' '$TMP/out' && grep -q 'float32 *\[4,4\] *16 *64  lp\.bodyNetwork\.fc_body\.weights\$' '$TMP/out' && grep -q '^total: 8 weight tensors' '$TMP/out'"

if have_python; then
	py inspect "$M" >"$TMP/py.json"
	py summary "$M" >"$TMP/pysum.json"
	"$MLPKG" layers --summary --json "$M" >"$TMP/sum.json"
	check "layers --summary: kinds and total agree with the independent decoder" chk summary "$TMP/sum.json" "$TMP/py.json"
	"$MLPKG" layers --json "$M" >"$TMP/lay.json"
	check "layers --json: one entry per layer, nested ones included" chk layers "$TMP/lay.json" "$TMP/py.json"
	check "layers --json: the paths and depths the decoder finds, in its order" "$PYTHON3" -c "
import json, sys
m = json.load(open(sys.argv[1]))['models'][0]['layers']
p = json.load(open(sys.argv[2]))['allLayers']
a = [(x['path'], x['name'], x['kind'], x['depth']) for x in m]
b = [(x['path'], x['name'], x['kind'], x['depth']) for x in p]
sys.exit(0 if a == b else print(a, b) or 1)" "$TMP/lay.json" "$TMP/pysum.json"
	jq_py 'print("\n".join(x["path"] + "\t" + x["name"] for x in d["models"][0]["layers"]))' "$TMP/lay.json" >"$TMP/paths"
	bad=0
	while IFS='	' read -r p n; do
		[ "$("$MLPKG" get "$p.name" "$M" 2>/dev/null)" = "$n" ] || { bad=1; echo "# $p"; }
	done <"$TMP/paths"
	check "get follows every layer path that layers --json gives" test $bad -eq 0
	"$MLPKG" info --json "$M" >"$TMP/info.json"
	check "info --json: counts agree with the independent decoder" chk info "$TMP/info.json" "$TMP/py.json"
	"$MLPKG" weights --json "$M" >"$TMP/w.json"
	check "weights --json: names and totals agree with the independent decoder" chk weights "$TMP/w.json" "$TMP/py.json"
	"$MLPKG" weights --extract br.elseBranch.fc_else2.weights -o "$TMP/e2.bin" "$M"
	"$MLPKG" weights --extract br.elseBranch.fc_else2.weights -o "$TMP/e2.npy" "$M"
	check ".npy of a nested layer's weights: its innerProduct's [outputChannels, inputChannels]" chk npy "$TMP/e2.npy" "$TMP/e2.bin" '<f2' '[4, 8]'
	pyscript "$M" "$TMP" <<'PY'
import os, sys
from pydecode import load_schema
pb = load_schema()
m = pb.Model()
m.ParseFromString(open(sys.argv[1], "rb").read())
# a nested layer whose weights do not fit its sizes
m.neuralNetwork.layers[2].loop.bodyNetwork.layers[0].innerProduct.weights.floatValue.pop()
open(os.path.join(sys.argv[2], "badw.mlmodel"), "wb").write(m.SerializeToString())
m.ParseFromString(open(sys.argv[1], "rb").read())
# two layers of one nested network with one name
m.neuralNetwork.layers[1].branch.elseBranch.layers[1].name = "fc_else"
open(os.path.join(sys.argv[2], "dupname.mlmodel"), "wb").write(m.SerializeToString())
PY
	expect_exit 1 "check: a nested layer's weights that do not fit its sizes: exit 1" "$MLPKG" check "$TMP/badw.mlmodel"
	check "... named by the nested layer's path" grep -q 'error: neuralNetwork\.layers\[name="lp"\]\.loop\.bodyNetwork\.layers\[name="fc_body"\]\.innerProduct\.weights: 15 float32 values, but inputChannels 4 x outputChannels 4 needs 16' "$TMP/out"
	expect_exit 0 "check: a name used twice in one nested network: a warning (Core ML accepts it)" "$MLPKG" check "$TMP/dupname.mlmodel"
	check "... said of the second one, by its path" grep -q 'warning: neuralNetwork\.layers\[name="br"\]\.branch\.elseBranch\.layers\[name="fc_else"\]: the layer name .fc_else. is used by an earlier layer' "$TMP/out"
else
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do skip "no python3-protobuf/protoc"; done
fi
expect_exit 0 "check: the valid model with nested layers passes" "$MLPKG" check "$M"

# get: a nested layer is reached through its holder; by name at the top, its path is said
expect_exit 0 "get through a branch by names" "$MLPKG" get 'neuralNetwork.layers[name="br"].branch.elseBranch.layers[name="fc_else2"].innerProduct.inputChannels' "$M"
check "... the nested layer's field" test "$(cat "$TMP/out")" = 8
expect_exit 3 "get of a nested layer by name at the top: exit 3" "$MLPKG" get 'neuralNetwork.layers[name="fc_body"]' "$M"
check "... saying where the nested layer is" grep -q 'no layer of that network has name "fc_body"; a nested one has: neuralNetwork.layers\[2\]\.loop\.bodyNetwork\.layers\[0\]' "$TMP/err"

# graph: nested networks are clusters; --around reaches their layers
expect_exit 0 "graph" "$MLPKG" graph "$M"
check "graph: a node per layer, nested ones included" sh -c "[ \$(grep -c '^ *n[0-9]* \[label=' '$TMP/out') -eq 10 ]"
check "graph: each nested network a cluster named after its layer" sh -c "grep -q 'label=\"branch br: ifBranch\"' '$TMP/out' && grep -q 'label=\"loop lp: bodyNetwork\"' '$TMP/out'"
check "graph: a nested layer's weights with its layer's shape" grep -q 'fc_else\\nweights: float16\[8,4\]' "$TMP/out"
expect_exit 0 "graph --around a nested layer" "$MLPKG" graph --around fc_body --depth 1 "$M"
check "... draws it and its neighbours" sh -c "grep -q 'fc_body' '$TMP/out' && grep -q 'copy\\\\ncp' '$TMP/out'"

# browse: nested networks folded under their layer; weights by path
printf '%s\n' "Resize 120x40" 2 >"$TMP/keys"
MLPKG_NO_DISPLAY=1 MLPKG_SCRIPT="$TMP/keys" "$MLPKG" browse "$M" >"$TMP/out" 2>"$TMP/err"
check "browse layers: nested networks under their layer, with their layers" sh -c "grep -A1 '^     - ifBranch' '$TMP/out' | grep -q '0 innerProduct    fc_if' && grep -A2 '^     - bodyNetwork' '$TMP/out' | grep -q '1 copy            cp'"
printf '%s\n' "Resize 120x40" 4 >"$TMP/keys"
MLPKG_NO_DISPLAY=1 MLPKG_SCRIPT="$TMP/keys" "$MLPKG" browse "$M" >"$TMP/out" 2>"$TMP/err"
check "browse weights: nested weights by path, with their layer's shape" grep -q 'br\.elseBranch\.fc_else\.weights *float16 *\[8,4\]' "$TMP/out"

# real models: any fixture with branch or loop layers, against the decoder
if fixtures_or_skip "fixtures with branch or loop layers"; then
	n=0
	for f in "$FIXTURES"/*.mlmodel; do
		"$MLPKG" layers --summary "$f" 2>/dev/null | grep -Eq '^  (branch|loop) ' || continue
		n=$((n + 1))
		b=$(basename "$f")
		if have_python; then
			py inspect "$f" >"$TMP/py.json"
			"$MLPKG" layers --summary --json "$f" >"$TMP/sum.json"
			check "$b: nested layers counted as the decoder counts them" chk summary "$TMP/sum.json" "$TMP/py.json"
			"$MLPKG" weights --json "$f" >"$TMP/w.json"
			check "$b: weights agree with the decoder" chk weights "$TMP/w.json" "$TMP/py.json"
		else
			skip "$b: no python3-protobuf/protoc"
		fi
	done
	[ $n -gt 0 ] || skip "no fixture has branch or loop layers"
fi
done_testing
