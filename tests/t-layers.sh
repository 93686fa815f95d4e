#!/bin/sh
# t-layers: mlpkg layers on every fixture and example: counts per kind
# checked against an independent decoder, filters, nested blocks, paths
# that get can follow.
. "${top_srcdir:-.}/tests/lib.sh"

chk() { "$PYTHON3" "$top_srcdir/tests/inspect-check.py" "$@"; }
# jq_py CODE FILE: CODE with d, the one model's object of {"version": 1, "models": [d]}
jq_py() { "$PYTHON3" -c "import json,sys; t=json.load(open(sys.argv[1])); assert sorted(t) == ['models', 'version'] and t['version'] == 1 and len(t['models']) == 1, t; d=t['models'][0]; $1" "$2"; }

for k in nn:TinyNet.mlmodel nnclassifier:Classifier.mlmodel pipeline:Pipeline.mlmodel segmentation:DeepLab.mlpackage multifunction:Multi.mlpackage; do
	kind=${k%%:*} name=${k#*:}
	"$MKMODEL" "$kind" "$TMP/$name" >/dev/null 2>&1 || not_ok "mkmodel $kind"
	expect_exit 0 "example $name: layers" "$MLPKG" layers "$TMP/$name"
	expect_exit 0 "example $name: layers --summary --json" "$MLPKG" layers --summary --json "$TMP/$name"
	cp "$TMP/out" "$TMP/sum.json"
	expect_exit 0 "example $name: layers --json" "$MLPKG" layers --json "$TMP/$name"
	cp "$TMP/out" "$TMP/lay.json"
	if have_python; then
		py inspect "$TMP/$name" >"$TMP/py.json"
		check "example $name: kinds and total agree with the independent decoder" chk summary "$TMP/sum.json" "$TMP/py.json"
		check "example $name: one JSON entry per layer or op" chk layers "$TMP/lay.json" "$TMP/py.json"
	else
		skip "example $name: no python3-protobuf/protoc"
		skip "example $name: no python3-protobuf/protoc"
	fi
done

# a neural network: kinds, names, bindings, key parameters, weights
run "$MLPKG" layers "$TMP/TinyNet.mlmodel"
check "NN header with the layer count" grep -q '^neuralNetwork: 6 layers$' "$TMP/out"
check "NN layer line: index, kind, name" grep -q '^      0 convolution     conv1$' "$TMP/out"
check "NN inputs -> outputs, with the outputs' shapes" grep -q '^  *input -> conv1_output \[4,8,8\]$' "$TMP/out"
check "NN key parameters" sh -c "grep -q 'outputChannels=4' '$TMP/out' && grep -q 'kernelSize=\[3,3\]' '$TMP/out' && grep -q 'same' '$TMP/out'"
check "NN weights with type, shape and size" grep -q 'weights float32\[4,3,3,3\] 432 B, bias float32\[4\] 16 B' "$TMP/out"
check "NN activation kind shown" grep -q '^  *ReLU$' "$TMP/out"
check "float16 weights, in the innerProduct's shape" grep -q 'weights float16\[10,256\]' "$TMP/out"
cp "$TMP/out" "$TMP/layers.txt"
run "$MLPKG" weights "$TMP/TinyNet.mlmodel"
check "NN weight shapes: layers shows those weights shows" sh -c "
	awk '\$NF==\"conv1.weights\" || \$NF==\"fc1.weights\" {print \$2}' '$TMP/out' >'$TMP/w.shapes'
	grep -o 'weights float[0-9]*\[[0-9,]*\]' '$TMP/layers.txt' | sed 's/.*float[0-9]*//' >'$TMP/l.shapes'
	test -s '$TMP/w.shapes' && diff '$TMP/w.shapes' '$TMP/l.shapes'"
run "$MLPKG" layers --json "$TMP/TinyNet.mlmodel"
check "NN JSON: params as numbers and booleans, weights with bytes" jq_py '
l = d["layers"][0]
assert l["params"]["outputChannels"] == 4 and l["params"]["kernelSize"] == [3, 3] and l["params"]["hasBias"] is True, l["params"]
assert "member" not in l and d["model"].endswith("TinyNet.mlmodel"), l
assert l["weights"][0] == {"field": "weights", "type": "float32", "bits": 32, "count": 108, "bytes": 432}, l["weights"]
' "$TMP/out"
path=$(jq_py 'print(d["layers"][1]["path"])' "$TMP/out")
run "$MLPKG" get "$path.name" "$TMP/TinyNet.mlmodel"
check "a layer's path leads get to it ($path)" grep -qx bn1 "$TMP/out"

# filters
run "$MLPKG" layers --type convolution "$TMP/TinyNet.mlmodel"
check "--type keeps that kind only" sh -c "grep -q convolution '$TMP/out' && ! grep -q batchnorm '$TMP/out'"
run "$MLPKG" layers --grep '^(bn|fc)1$' "$TMP/TinyNet.mlmodel"
check "--grep matches names" sh -c "grep -q ' bn1\$' '$TMP/out' && grep -q ' fc1\$' '$TMP/out' && ! grep -q ' conv1\$' '$TMP/out'"
run "$MLPKG" layers --grep 'relu1_output' --json "$TMP/TinyNet.mlmodel"
check "--grep matches inputs and outputs" jq_py 'assert [l["name"] for l in d["layers"]] == ["relu1", "flatten1"], d["layers"]' "$TMP/out"
run "$MLPKG" layers --summary "$TMP/TinyNet.mlmodel"
check "--summary: a count per kind and the total" sh -c "grep -q '^  convolution  *1\$' '$TMP/out' && grep -q '^  total  *6\$' '$TMP/out'"
expect_exit 2 "--grep with a bad expression: exit 2" "$MLPKG" layers --grep '(' "$TMP/TinyNet.mlmodel"

# an ML program: functions, bindings, const values, weights, nested blocks
run "$MLPKG" layers "$TMP/DeepLab.mlpackage"
check "ML header with the op count" grep -q '^mlProgram: 21 operations$' "$TMP/out"
check "function with its opset and inputs" sh -c "grep -q '^function main (opset CoreML6)\$' '$TMP/out' && grep -q '^  inputs: image: fp32\[1,3,512,512\]\$' '$TMP/out'"
check "const with its value" grep -q 'const  *image_to_fp16_dtype_0: string = "fp16"' "$TMP/out"
check "const with its weight reference" grep -q 'backbone_conv1_weight_to_fp16: fp16\[16,3,3,3\] = weight.bin@64' "$TMP/out"
check "op with its bindings, const inputs resolved" grep -q 'dtype: string = "fp16", x=image' "$TMP/out"
check "... short values inline, as graph shows them" grep -q 'strides: int32\[2\] = \[2, 2\]' "$TMP/out"
check "... weights with their type and shape" grep -q 'weight: fp16\[16,3,3,3\] = weight.bin@64' "$TMP/out"
check "... no const's name left as an input" sh -c "! grep -E '(strides|pad_type|weight|bias)=' '$TMP/out'"
cp "$TMP/out" "$TMP/layers.txt"
run "$MLPKG" graph "$TMP/DeepLab.mlpackage"
check "... the same text in graph's labels" sh -c "grep -q 'strides: int32\[2\] = \[2, 2\]' '$TMP/out' && grep -q 'weight: fp16\[16,3,3,3\] = weight.bin@64' '$TMP/out'"
cp "$TMP/layers.txt" "$TMP/out"
check "op outputs with dtype and shape" grep -q -- '-> image_to_fp16: fp16\[1,3,512,512\]' "$TMP/out"
check "nested blocks of cond" sh -c "grep -q '^      block 18.0 -> prior_added\$' '$TMP/out' && grep -q '^      block 18.1 -> prior_skipped\$' '$TMP/out'"
run "$MLPKG" layers --type add "$TMP/DeepLab.mlpackage"
check "--type finds nested ops, numbered OP.BLOCK.OP" grep -q '^  18.0.0 add ' "$TMP/out"
run "$MLPKG" layers --json "$TMP/DeepLab.mlpackage"
path=$(jq_py 'print([o for o in d["operations"] if o["kind"] == "add"][0]["path"])' "$TMP/out")
run "$MLPKG" get "$path.type" "$TMP/DeepLab.mlpackage"
check "a nested op's path leads get to it" grep -qx add "$TMP/out"
run "$MLPKG" layers --json "$TMP/DeepLab.mlpackage"
check "ML JSON: bindings, outputs, weight references" jq_py '
o = [o for o in d["operations"] if o["kind"] == "conv"][0]
assert type(o["index"]) is int and "type" not in o, o
a = [o for o in d["operations"] if o["kind"] == "add"][0]
assert a["index"] == 0 and a["depth"] == 1 and a["path"].endswith("operations[0]"), a
assert o["inputs"]["x"] == [{"name": "image_to_fp16"}], o["inputs"]
assert o["outputs"][0]["type"] == "fp16[1,16,256,256]", o["outputs"]
c = [o for o in d["operations"] if o["name"] == "class_prior"][0]
assert c["weights"][0]["offset"] == 2048 and c["weights"][0]["dtype"] == "fp32" and c["weights"][0]["shape"] == [1, 21, 1, 1], c
' "$TMP/out"
run "$MLPKG" layers "$TMP/Multi.mlpackage"
check "multi-function: both functions listed" sh -c "grep -q '^function main (opset CoreML8)' '$TMP/out' && grep -q '^function second ' '$TMP/out'"
run "$MLPKG" layers "$TMP/Pipeline.mlmodel"
check "pipeline: each member in turn" grep -q '^pipeline.models\[0\] ' "$TMP/out"

# output shapes, inferred layer by layer: a MobileNet-like network whose
# shapes follow from its layers' definitions (tests/mkmodel-nn.c)
"$MKMODEL" mobilenet "$TMP/Mob.mlmodel" >/dev/null 2>&1 || not_ok "mkmodel mobilenet"
expect_exit 0 "layers of a MobileNet-like network" "$MLPKG" layers "$TMP/Mob.mlmodel"
sed -n 's/^  *\([^ ].*\) -> \([^ ]*\) \(\[[0-9,?]*\]\)$/\2 \3/p' "$TMP/out" >"$TMP/shapes"
cat >"$TMP/known" <<'EOT'
c1 [32,112,112]
r1 [32,112,112]
d1 [32,112,112]
p1 [64,112,112]
d2 [64,56,56]
p2 [128,56,56]
d3 [128,56,56]
a3 [128,56,56]
v4 [128,28,28]
m5 [128,14,14]
u6 [128,28,28]
k7 [256,28,28]
g8 [256,1,1]
f9 [256,1,1]
fc [1000,1,1]
scores [1000,1,1]
EOT
check "output shapes: each layer's matches the one its definition gives" same_bytes "$TMP/known" "$TMP/shapes"
[ -s "$TMP/shapes" ] || diag "$(cat "$TMP/out")"
if have_python; then
	expect_exit 0 "layers --json of it" "$MLPKG" layers --json "$TMP/Mob.mlmodel"
	check "--json: outputShapes, arrays of numbers beside the outputs" "$PYTHON3" -c "
import json
(d,) = json.load(open('$TMP/out'))['models']
got = [(l['outputs'][0], l['outputShapes'][0]) for l in d['layers']]
known = [line.split() for line in open('$TMP/known')]
assert [(n, json.loads(s)) for n, s in known] == got, got
"
fi
run "$MLPKG" graph "$TMP/Mob.mlmodel"
check "graph: the edges say the shapes between layers" sh -c "grep -q 'label=\"\[128,14,14\]\"' '$TMP/out' && grep -q 'label=\"\[256,28,28\]\"' '$TMP/out'"
if fixtures_or_skip "output shapes of a real network"; then
	run "$MLPKG" layers "$FIXTURES/ph1ps-MNIST.mlmodel"
	check "MNIST: 28x28, 3x3 valid convolutions, a 2x2 pool, flatten, dense" sh -c "[ \"\$(sed -n 's/.* -> [^ ]* \(\[[0-9,]*\]\)\$/\\1/p' '$TMP/out' | tr '\\n' ' ')\" = '[32,26,26] [32,26,26] [32,24,24] [32,24,24] [32,12,12] [4608,1,1] [128,1,1] [128,1,1] [10,1,1] [10,1,1] ' ]"
fi

expect_exit 3 "a missing model: exit 3" "$MLPKG" layers "$TMP/nope.mlmodel"
check "... one line" one_line_error
expect_exit 0 "several models" "$MLPKG" layers "$TMP/TinyNet.mlmodel" "$TMP/Pipeline.mlmodel"
check "... each under its path" sh -c "grep -qx '$TMP/TinyNet.mlmodel:' '$TMP/out' && grep -qx '$TMP/Pipeline.mlmodel:' '$TMP/out' && grep -q '^pipeline.models\[0\] ' '$TMP/out'"
expect_exit 3 "several models, one missing: the others listed, exit 3" "$MLPKG" layers "$TMP/TinyNet.mlmodel" "$TMP/nope.mlmodel"
check "... the one there listed" grep -qx "$TMP/TinyNet.mlmodel:" "$TMP/out"

if ! fixtures_or_skip "layers, --summary --json and --json on every fixture (index.tsv totals, the independent decoder); quantized and LSTM weights, catfeeder consts and constexpr attributes, the undecodable model, tree ensembles and GLM members"; then
	done_testing
fi

for f in $(fixture_models); do
	b=$(basename "$f")
	expect_exit 0 "$b: layers" "$MLPKG" layers "$f"
	expect_exit 0 "$b: layers --summary --json" "$MLPKG" layers --summary --json "$f"
	cp "$TMP/out" "$TMP/sum.json"
	want=$(awk -F'\t' -v f="$b" '$1 == f {print $9}' "$FIXTURES/index.tsv")
	check "$b: total as index.tsv says ($want)" jq_py "assert d['total'] == $want, d['total']" "$TMP/sum.json"
	expect_exit 0 "$b: layers --json" "$MLPKG" layers --json "$f"
	cp "$TMP/out" "$TMP/lay.json"
	if have_python; then
		py inspect "$f" >"$TMP/py.json"
		check "$b: kinds agree with the independent decoder" chk summary "$TMP/sum.json" "$TMP/py.json"
		check "$b: one JSON entry per layer or op" chk layers "$TMP/lay.json" "$TMP/py.json"
	else
		skip "$b: no python3-protobuf/protoc"
		skip "$b: no python3-protobuf/protoc"
	fi
done

run "$MLPKG" layers "$FIXTURES/fritz-hairseg-small-quant8.mlmodel"
check "quantized weights with their bit width" grep -q 'weights quantized/8\[16,3,3,3\] 432 B' "$TMP/out"
run "$MLPKG" layers "$FIXTURES/mlt-Es2EnCharDecoder16Bit-lstm-fp16.mlmodel"
check "LSTM: nested weight fields named by path" grep -q 'weightParams.inputGateWeightMatrix float16\[22272\]' "$TMP/out"
check "LSTM: repeated activations summarised" grep -q 'activations=\[sigmoidHard,tanh,tanh\]' "$TMP/out"
run "$MLPKG" layers --summary "$FIXTURES/catfeeder-yolov8n.mlpackage"
check "catfeeder: 400 consts, 64 convs, 647 in all" sh -c "grep -q '^  const  *400\$' '$TMP/out' && grep -q '^  conv  *64\$' '$TMP/out' && grep -q '^  total  *647\$' '$TMP/out'"
run "$MLPKG" layers "$FIXTURES/catfeeder-yolov8n.mlpackage"
check "catfeeder: constexpr weight attributes shown" grep -q 'indices=weight.bin@1152, lut=weight.bin@5824' "$TMP/out"
check "catfeeder: the NMS member has no layers" grep -q '^pipeline.models\[1\] (nonMaximumSuppression): no layers or operations$' "$TMP/out"

expect_exit 4 "$UNDECODABLE: layers refused with exit 4" "$MLPKG" layers "$FIXTURES/$UNDECODABLE"
check "$UNDECODABLE: one line naming the file" sh -c "[ \$(wc -l < '$TMP/err') -eq 1 ] && grep -q '$UNDECODABLE' '$TMP/err'"
check "$UNDECODABLE: nothing on stdout" test ! -s "$TMP/out"
expect_exit 4 "$UNDECODABLE: layers --json refused with exit 4" "$MLPKG" layers --json "$FIXTURES/$UNDECODABLE"
check "... the contract's object without the model, nothing of it half-written" sh -c "tr -d ' \n' <'$TMP/out' | grep -qx '{\"version\":1,\"models\":\[\]}'"
# models without layers say what they hold instead
run "$MLPKG" layers "$FIXTURES/improveai-test-model-xgb.mlmodel"
check "a tree ensemble: no layers, its trees counted" grep -qx 'treeEnsembleRegressor: no layers or operations; 400 trees, 76980 nodes (38690 leaves)' "$TMP/out"
run "$MLPKG" weights "$FIXTURES/improveai-test-model-xgb.mlmodel"
check "... and weights says so below its zero total" sh -c "grep -q '^total: 0 weight tensors' '$TMP/out' && grep -qx '(no weight tensors: the model holds 400 trees, 76980 nodes (38690 leaves))' '$TMP/out'"
run "$MLPKG" layers "$FIXTURES/createml-ChestXray.mlmodel"
check "a pipeline's GLM member: its coefficients counted" grep -q '(glmClassifier): no layers or operations; 2049 coefficients$' "$TMP/out"
done_testing
