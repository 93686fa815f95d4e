#!/bin/sh
# t-diff: mlpkg diff: a model against itself in other formats (equal), and
# against copies edited with meta set, describe, rename, a changed weight,
# class labels, preprocessing, enums, tree ensembles and a feature vectorizer.
. "${top_srcdir:-.}/tests/lib.sh"

poke() { printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null; }
valid_json() { "$PYTHON3" -c 'import json,sys; json.load(open(sys.argv[1]))' "$1"; }
lines() { [ "$(wc -l <"$TMP/out")" -eq "$1" ]; }

"$MKMODEL" nn "$TMP/TinyNet.mlmodel" >/dev/null 2>&1 || not_ok "mkmodel nn"
"$MKMODEL" segmentation "$TMP/DeepLab.mlpackage" >/dev/null 2>&1 || not_ok "mkmodel segmentation"

expect_exit 0 "a model against itself: equal" "$MLPKG" diff "$TMP/TinyNet.mlmodel" "$TMP/TinyNet.mlmodel"
check "... prints nothing" test ! -s "$TMP/out"
expect_exit 0 "--json: equal" "$MLPKG" diff --json "$TMP/TinyNet.mlmodel" "$TMP/TinyNet.mlmodel"
check "... equal true, no changes" sh -c "grep -q '\"equal\": true' '$TMP/out' && grep -q '\"changes\": \[\]' '$TMP/out'"
run "$MLPKG" convert -o "$TMP/TinyNet.mlpackage" "$TMP/TinyNet.mlmodel"
expect_exit 0 ".mlmodel against its converted package: equal" "$MLPKG" diff "$TMP/TinyNet.mlmodel" "$TMP/TinyNet.mlpackage"
run "$MLPKG" convert -o "$TMP/TinyNet.zip" "$TMP/TinyNet.mlmodel"
expect_exit 0 ".mlmodel against its zipped package: equal" "$MLPKG" diff "$TMP/TinyNet.zip" "$TMP/TinyNet.mlmodel"
run "$MLPKG" pack -o "$TMP/DeepLab.zip" "$TMP/DeepLab.mlpackage"
expect_exit 0 "package against its zip: equal" "$MLPKG" diff "$TMP/DeepLab.mlpackage" "$TMP/DeepLab.zip"

cp "$TMP/TinyNet.mlmodel" "$TMP/Meta.mlmodel"
run "$MLPKG" meta set author Somebody "$TMP/Meta.mlmodel"
expect_exit 1 "meta set: different, exit 1" "$MLPKG" diff "$TMP/TinyNet.mlmodel" "$TMP/Meta.mlmodel"
check "... exactly that change" sh -c "lines() { [ \$(wc -l < '$TMP/out') -eq 1 ]; }; lines && grep -q '^~ metadata\[\"author\"\]: .* -> Somebody$' '$TMP/out'"
run "$MLPKG" meta set preview.type imageSegmenter "$TMP/Meta.mlmodel"
run "$MLPKG" diff "$TMP/TinyNet.mlmodel" "$TMP/Meta.mlmodel"
check "a new userDefined key: added" grep -q '^+ metadata\["com.apple.coreml.model.preview.type"\]: imageSegmenter$' "$TMP/out"

cp "$TMP/TinyNet.mlmodel" "$TMP/Desc.mlmodel"
run "$MLPKG" describe input "a new text" "$TMP/Desc.mlmodel"
expect_exit 1 "describe: different" "$MLPKG" diff "$TMP/TinyNet.mlmodel" "$TMP/Desc.mlmodel"
check "... exactly that change" sh -c "[ \$(wc -l < '$TMP/out') -eq 1 ] && grep -q '^~ input\[\"input\"\].description: .* -> a new text$' '$TMP/out'"

cp "$TMP/TinyNet.mlmodel" "$TMP/Renamed.mlmodel"
run "$MLPKG" rename output probs "$TMP/Renamed.mlmodel"
expect_exit 1 "rename: different" "$MLPKG" diff "$TMP/TinyNet.mlmodel" "$TMP/Renamed.mlmodel"
check "... the output renamed, the layer's output changed, nothing else" sh -c "[ \$(wc -l < '$TMP/out') -eq 2 ] && grep -q '^> output\[\"output\"\] -> output\[\"probs\"\]$' '$TMP/out' && grep -q '^~ neuralNetwork.layers\[\"softmax\"\].output: output -> probs$' '$TMP/out'"
run "$MLPKG" diff --json "$TMP/TinyNet.mlmodel" "$TMP/Renamed.mlmodel"
check "... --json parses" valid_json "$TMP/out"
check "... --json: equal false, changed with from and to" sh -c "grep -q '\"equal\": false' '$TMP/out' && grep -q '\"change\": \"changed\"' '$TMP/out' && grep -q '\"to\": \"probs\"' '$TMP/out'"
check "... --json: renamed, from and to the two paths" "$PYTHON3" -c '
import json, sys
c = [x for x in json.load(open(sys.argv[1]))["changes"] if x["change"] == "renamed"]
sys.exit(not (c == [{"path": "output[\"output\"]", "change": "renamed", "from": "output[\"output\"]", "to": "output[\"probs\"]"}]))' "$TMP/out"
# renamed and retyped: not a rename any more
cp "$TMP/Renamed.mlmodel" "$TMP/Retyped.mlmodel"
run "$MLPKG" describe probs "new words" "$TMP/Retyped.mlmodel"
expect_exit 1 "renamed and described: different" "$MLPKG" diff "$TMP/TinyNet.mlmodel" "$TMP/Retyped.mlmodel"
check "... a removal and an addition (the facts differ beyond the name)" sh -c "grep -q '^- output\[\"output\"\]' '$TMP/out' && grep -q '^+ output\[\"probs\"\]' '$TMP/out' && ! grep -q '^> ' '$TMP/out'"
# a layer renamed (nothing refers to layer names): one line
if have_python; then
	pyscript "$TMP/TinyNet.mlmodel" "$TMP/Layer.mlmodel" <<'PY'
import os, sys
from pydecode import load_schema
pb = load_schema()
m = pb.Model()
m.ParseFromString(open(sys.argv[1], "rb").read())
for l in m.neuralNetwork.layers:
    if l.name == "relu1":
        l.name = "relu_renamed"
open(sys.argv[2], "wb").write(m.SerializeToString())
PY
	expect_exit 1 "a layer renamed: different" "$MLPKG" diff "$TMP/TinyNet.mlmodel" "$TMP/Layer.mlmodel"
	check "... one rename line" sh -c "[ \$(wc -l < '$TMP/out') -eq 1 ] && grep -q '^> neuralNetwork.layers\[\"relu1\"\] -> neuralNetwork.layers\[\"relu_renamed\"\]$' '$TMP/out'"
else
	skip "a layer renamed: no python3-protobuf or protoc"
fi

copy_fixture "$TMP/DeepLab.mlpackage" Ren.mlpackage
run "$MLPKG" rename image img "$TMP/Ren.mlpackage"
expect_exit 1 "ML program rename: different" "$MLPKG" diff "$TMP/DeepLab.mlpackage" "$TMP/Ren.mlpackage"
check "... the input, the function input (renames) and the op binding" sh -c "[ \$(wc -l < '$TMP/out') -eq 3 ] && grep -q '^> input\[\"image\"\] -> input\[\"img\"\]$' '$TMP/out' && grep -q '^> mlProgram.functions\[\"main\"\].inputs\[\"image\"\] -> mlProgram.functions\[\"main\"\].inputs\[\"img\"\]$' '$TMP/out' && grep -q 'ops\[\"cast_1\"\].input\[\"x\"\]: image -> img' '$TMP/out'"

# the program's build information: one line a key that changed
copy_fixture "$TMP/DeepLab.mlpackage" Build.mlpackage
bspec="$TMP/Build.mlpackage/Data/com.apple.CoreML/model.mlmodel"
kat=$(grep -boa 'coremltools-component-torch' "$bspec" | head -1 | cut -d: -f1)
off=$(grep -boa '2\.1\.0' "$bspec" | cut -d: -f1 | awk -v k="$kat" '$1 > k { print; exit }')
poke "$bspec" "$off" 3
expect_exit 1 "a program's buildInfo changed: different" "$MLPKG" diff "$TMP/DeepLab.mlpackage" "$TMP/Build.mlpackage"
check "... one line naming the key, with both values" sh -c "[ \$(wc -l < '$TMP/out') -eq 1 ] && grep -q '^~ mlProgram.attributes\[\"buildInfo\"\]\[\"coremltools-component-torch\"\]: \"2.1.0\" -> \"3.1.0\"$' '$TMP/out'"

# a const op renamed with its output, as a re-export by coremltools does
# (op_N and var_N together): one rename line, and the op reading it
if python_or_skip "--stat and --no-weights on a network with a weight and a layer field changed (made with the decoder)"; then
	pyscript "$TMP/TinyNet.mlmodel" "$TMP/NNw.mlmodel" <<'PY'
import sys
from pydecode import load_schema
pb = load_schema()
m = pb.Model()
m.ParseFromString(open(sys.argv[1], "rb").read())
for l in m.neuralNetwork.layers:
    if l.name == "conv1":
        l.convolution.weights.floatValue[0] += 1.0
        l.convolution.stride[:] = [2, 2]
open(sys.argv[2], "wb").write(m.SerializeToString())
PY
	expect_exit 1 "network, weight and stride changed: --stat" "$MLPKG" diff --stat "$TMP/TinyNet.mlmodel" "$TMP/NNw.mlmodel"
	check "... one line for conv1 (both fields, weight bytes) and the summary" sh -c "[ \$(wc -l < '$TMP/out') -eq 2 ] && grep -q '^~ neuralNetwork.layers\[\"conv1\"\]: convolution.stride, convolution.weights (weights 435 -> 435 bytes)$' '$TMP/out' && grep -Eq '^1 changed, 0 added, 0 removed; weight bytes [0-9]+ -> [0-9]+$' '$TMP/out'"
	expect_exit 1 "--no-weights: the stride still differs" "$MLPKG" diff --no-weights "$TMP/TinyNet.mlmodel" "$TMP/NNw.mlmodel"
	check "... the stride line only, no weight or hash line" sh -c "[ \$(wc -l < '$TMP/out') -eq 1 ] && grep -q '^~ neuralNetwork.layers\[\"conv1\"\].convolution.stride: 1, 1 -> 2, 2$' '$TMP/out'"
	expect_exit 1 "without --no-weights: the weight line too" "$MLPKG" diff "$TMP/TinyNet.mlmodel" "$TMP/NNw.mlmodel"
	check "... two lines, one of them the weights, in tensor terms" sh -c "[ \$(wc -l < '$TMP/out') -eq 2 ] && grep -q 'convolution.weights: float32\[108\] -> float32\[108\], max abs diff 1\$' '$TMP/out'"
	expect_exit 1 "--no-weights --stat: conv1 by its stride, no weight bytes" "$MLPKG" diff --no-weights --stat "$TMP/TinyNet.mlmodel" "$TMP/NNw.mlmodel"
	check "... that line and the summary" sh -c "[ \$(wc -l < '$TMP/out') -eq 2 ] && grep -q '^~ neuralNetwork.layers\[\"conv1\"\]: convolution.stride$' '$TMP/out'"
	# a layer removed: one "removed" line with its kind
	pyscript "$TMP/TinyNet.mlmodel" "$TMP/NNr.mlmodel" <<'PY'
import sys
from pydecode import load_schema
pb = load_schema()
m = pb.Model()
m.ParseFromString(open(sys.argv[1], "rb").read())
layers = [l for l in m.neuralNetwork.layers if l.name != "bn1"]
del m.neuralNetwork.layers[:]
m.neuralNetwork.layers.extend(layers)
open(sys.argv[2], "wb").write(m.SerializeToString())
PY
	expect_exit 1 "a layer removed: --stat" "$MLPKG" diff --stat "$TMP/TinyNet.mlmodel" "$TMP/NNr.mlmodel"
	check "... removed with its kind, counted" sh -c "grep -q '^- neuralNetwork.layers\[\"bn1\"\]: removed (batchnorm)' '$TMP/out' && tail -1 '$TMP/out' | grep -q '^0 changed, 0 added, 1 removed; '"
fi
if python_or_skip "a const op renamed with its output (made with the decoder)"; then
	copy_fixture "$TMP/DeepLab.mlpackage" Renum.mlpackage
	pyscript "$TMP/Renum.mlpackage/Data/com.apple.CoreML/model.mlmodel" <<'PY'
import sys
from pydecode import load_schema
pb = load_schema()
m = pb.Model()
m.ParseFromString(open(sys.argv[1], "rb").read())
blk = m.mlProgram.functions["main"].block_specializations["CoreML6"]
def ops(b):
    for op in b.operations:
        yield op
        for nb in op.blocks:
            yield from ops(nb)
target = [op for op in ops(blk) if op.type == "const" and op.outputs[0].name == "use_prior"][0]
target.outputs[0].name = "use_prior_2"
target.attributes["name"].immediateValue.tensor.strings.values[0] = "use_prior_2"
for op in ops(blk):
    for arg in op.inputs.values():
        for b in arg.arguments:
            if b.name == "use_prior":
                b.name = "use_prior_2"
open(sys.argv[1], "wb").write(m.SerializeToString())
PY
	expect_exit 1 "a const op renamed with its output: different" "$MLPKG" diff "$TMP/DeepLab.mlpackage" "$TMP/Renum.mlpackage"
	check "... one rename line and the op reading it" sh -c "[ \$(wc -l < '$TMP/out') -eq 2 ] && grep -q '^> mlProgram.functions\[\"main\"\].ops\[\"use_prior\"\] -> mlProgram.functions\[\"main\"\].ops\[\"use_prior_2\"\]$' '$TMP/out' && grep -q 'input\[\"pred\"\]: use_prior -> use_prior_2' '$TMP/out'"
fi

# weights by content: one byte of the first blob's data
copy_fixture "$TMP/DeepLab.mlpackage" Weight.mlpackage
poke "$TMP/Weight.mlpackage/Data/com.apple.CoreML/weights/weight.bin" 130 '\177'
expect_exit 1 "a changed weight: different" "$MLPKG" diff "$TMP/DeepLab.mlpackage" "$TMP/Weight.mlpackage"
check "... the const op holding it, nothing else, in tensor terms" sh -c "[ \$(wc -l < '$TMP/out') -eq 1 ] && grep -q 'ops\[\"backbone_conv1_weight_to_fp16\"\].attribute\[\"val\"\]: fp16\[16,3,3,3\] -> fp16\[16,3,3,3\], max abs diff [0-9.e+-]*\$' '$TMP/out'"
# --stat: one line for that op, its field and weight bytes, and the summary
expect_exit 1 "--stat, a changed weight: different" "$MLPKG" diff --stat "$TMP/DeepLab.mlpackage" "$TMP/Weight.mlpackage"
check "... the op with its field and weight bytes, then the summary" sh -c "[ \$(wc -l < '$TMP/out') -eq 2 ] && head -1 '$TMP/out' | grep -q '^~ mlProgram.functions\[\"main\"\].ops\[\"backbone_conv1_weight_to_fp16\"\]: attribute\[\"val\"\] (weights 864 -> 864 bytes)$' && tail -1 '$TMP/out' | grep -Eq '^1 changed, 0 added, 0 removed; weight bytes ([0-9]+) -> \1$'"
expect_exit 1 "--stat --json: different" "$MLPKG" diff --stat --json "$TMP/DeepLab.mlpackage" "$TMP/Weight.mlpackage"
check "... version 1, the counts and bytes as numbers, one entry" "$PYTHON3" -c '
import json, sys
j = json.load(open(sys.argv[1]))
e = j["entries"]
ok = j["version"] == 1 and j["equal"] is False and (j["changed"], j["added"], j["removed"], j["renamed"]) == (1, 0, 0, 0)
ok = ok and type(j["weightBytesBefore"]) is int and j["weightBytesBefore"] == j["weightBytesAfter"] > 864
ok = ok and len(e) == 1 and e[0]["change"] == "changed" and e[0]["fields"] == ["attribute[\"val\"]"]
ok = ok and e[0]["weightBytesBefore"] == 864 and e[0]["weightBytesAfter"] == 864 and "to" not in e[0]
sys.exit(not ok)' "$TMP/out"
# --no-weights: a weight value changed only: equal
expect_exit 0 "--no-weights, only a weight changed: equal" "$MLPKG" diff --no-weights "$TMP/DeepLab.mlpackage" "$TMP/Weight.mlpackage"
check "... prints nothing" test ! -s "$TMP/out"
expect_exit 0 "--no-weights --json: equal, no changes" "$MLPKG" diff --no-weights --json "$TMP/DeepLab.mlpackage" "$TMP/Weight.mlpackage"
check "... version 1, equal true, changes []" "$PYTHON3" -c '
import json, sys
j = json.load(open(sys.argv[1]))
sys.exit(not (j["version"] == 1 and j["equal"] is True and j["changes"] == []))' "$TMP/out"
expect_exit 0 "--no-weights --stat: equal, nothing printed" "$MLPKG" diff --no-weights --stat "$TMP/DeepLab.mlpackage" "$TMP/Weight.mlpackage"
check "... prints nothing" test ! -s "$TMP/out"

# class labels: one renamed in place (labels set), then added, removed and
# many renamed (the decoder); one line a label, not a hash of them all
"$MKMODEL" nnclassifier "$TMP/Cls.mlmodel" >/dev/null 2>&1 || not_ok "mkmodel nnclassifier"
cp "$TMP/Cls.mlmodel" "$TMP/Kitten.mlmodel"
printf 'cat\nkitten\nbird\n' >"$TMP/kitten.txt"
run "$MLPKG" labels set "$TMP/kitten.txt" "$TMP/Kitten.mlmodel"
expect_exit 1 "a label renamed: different" "$MLPKG" diff "$TMP/Cls.mlmodel" "$TMP/Kitten.mlmodel"
check "... one line, the label's position with both texts" sh -c "[ \$(wc -l < '$TMP/out') -eq 1 ] && grep -q '^~ neuralNetworkClassifier.labels\[1\]: \"dog\" -> \"kitten\"$' '$TMP/out'"
run "$MLPKG" diff --json "$TMP/Cls.mlmodel" "$TMP/Kitten.mlmodel"
check "... --json: a change entry with path, from and to" "$PYTHON3" -c '
import json, sys
c = json.load(open(sys.argv[1]))["changes"]
sys.exit(not (c == [{"path": "neuralNetworkClassifier.labels[1]", "change": "changed", "from": "\"dog\"", "to": "\"kitten\""}]))' "$TMP/out"
"$MKMODEL" detector "$TMP/Det.mlpackage" >/dev/null 2>&1 || not_ok "mkmodel detector"
copy_fixture "$TMP/Det.mlpackage" Det2.mlpackage
"$MLPKG" labels "$TMP/Det.mlpackage" | sed 's/^car$/automobile/' >"$TMP/det.txt"
run "$MLPKG" labels set "$TMP/det.txt" "$TMP/Det2.mlpackage"
expect_exit 1 "a detector's label renamed: different" "$MLPKG" diff "$TMP/Det.mlpackage" "$TMP/Det2.mlpackage"
check "... one line under the pipeline's non-maximum suppression" sh -c "[ \$(wc -l < '$TMP/out') -eq 1 ] && grep -q '^~ pipeline.models\[1\].nonMaximumSuppression.labels\[2\]: \"car\" -> \"automobile\"$' '$TMP/out'"

if python_or_skip "labels added and removed, preprocessing, enums, trees, feature vectorizer (made with the decoder)"; then
	mkdir -p "$TMP/v"
	pyscript "$TMP/Cls.mlmodel" "$TMP/v" <<'PY'
import sys, copy
from pydecode import load_schema
pb = load_schema()
src, out = sys.argv[1], sys.argv[2]
m = pb.Model()
m.ParseFromString(open(src, "rb").read())
def save(x, name):
    open(out + "/" + name, "wb").write(x.SerializeToString())
nn = m.neuralNetworkClassifier
# preprocessing: two scaler fields
p = copy.deepcopy(m)
p.neuralNetworkClassifier.preprocessing[0].scaler.redBias = -0.5
p.neuralNetworkClassifier.preprocessing[0].scaler.channelScale = 0.5
save(p, "Pre.mlmodel")
# enums: the flatten order, the input's colour space
e = copy.deepcopy(m)
for l in e.neuralNetworkClassifier.layers:
    if l.WhichOneof("layer") == "flatten":
        l.flatten.mode = pb.FlattenLayerParams.CHANNEL_LAST
e.description.input[0].type.imageType.colorSpace = pb.ImageFeatureType.BGR
save(e, "Enum.mlmodel")
# an unknown enum number
u = copy.deepcopy(m)
for l in u.neuralNetworkClassifier.layers:
    if l.WhichOneof("layer") == "flatten":
        l.flatten.mode = 7
save(u, "Enum7.mlmodel")
# a label added, one removed
a = copy.deepcopy(m)
a.neuralNetworkClassifier.stringClassLabels.vector.append("zebra")
save(a, "Added.mlmodel")
r = copy.deepcopy(m)
del r.neuralNetworkClassifier.stringClassLabels.vector[-1]
save(r, "Removed.mlmodel")
# many labels: 40, then 40 renamed
b = copy.deepcopy(m)
del b.neuralNetworkClassifier.stringClassLabels.vector[:]
b.neuralNetworkClassifier.stringClassLabels.vector.extend("c%d" % i for i in range(40))
save(b, "Many.mlmodel")
b.neuralNetworkClassifier.stringClassLabels.vector[:] = ["k%d" % i for i in range(40)]
save(b, "Many2.mlmodel")
# a tree ensemble classifier: 3 trees of 3 nodes, and one with a split moved
t = pb.Model()
t.specificationVersion = 1
t.treeEnsembleClassifier.int64ClassLabels.vector.extend([0, 1])
te = t.treeEnsembleClassifier.treeEnsemble
te.numPredictionDimensions = 1
for tree in range(3):
    n = te.nodes.add(); n.treeId = tree; n.nodeId = 0; n.nodeBehavior = pb.TreeEnsembleParameters.TreeNode.BranchOnValueLessThan
    n.branchFeatureIndex = 0; n.branchFeatureValue = 0.5; n.trueChildNodeId = 1; n.falseChildNodeId = 2
    for leaf in (1, 2):
        n = te.nodes.add(); n.treeId = tree; n.nodeId = leaf; n.nodeBehavior = pb.TreeEnsembleParameters.TreeNode.LeafNode
        ev = n.evaluationInfo.add(); ev.evaluationIndex = 0; ev.evaluationValue = leaf * 0.25
save(t, "Trees.mlmodel")
t.treeEnsembleClassifier.treeEnsemble.nodes[3].branchFeatureValue = 0.75
t.treeEnsembleClassifier.treeEnsemble.nodes[3].nodeBehavior = pb.TreeEnsembleParameters.TreeNode.BranchOnValueGreaterThan
t.treeEnsembleClassifier.treeEnsemble.nodes[5].evaluationInfo[0].evaluationValue = 0.125
save(t, "Trees2.mlmodel")
del t.treeEnsembleClassifier.treeEnsemble.nodes[6:]
save(t, "Trees3.mlmodel")
# a feature vectorizer: one input column renamed, one dimension changed
v = pb.Model()
v.specificationVersion = 1
for name, dim in (("age", 1), ("size", 2)):
    c = v.featureVectorizer.inputList.add(); c.inputColumn = name; c.inputDimensions = dim
save(v, "Vec.mlmodel")
v.featureVectorizer.inputList[1].inputColumn = "height"
v.featureVectorizer.inputList[0].inputDimensions = 3
save(v, "Vec2.mlmodel")
PY
	expect_exit 1 "a label added: different" "$MLPKG" diff "$TMP/Cls.mlmodel" "$TMP/v/Added.mlmodel"
	check "... the count and the label" sh -c "[ \$(wc -l < '$TMP/out') -eq 2 ] && grep -q '^~ neuralNetworkClassifier.labels: 3 labels -> 4 labels$' '$TMP/out' && grep -q '^+ neuralNetworkClassifier.labels\[3\]: \"zebra\"$' '$TMP/out'"
	expect_exit 1 "a label removed: different" "$MLPKG" diff "$TMP/Cls.mlmodel" "$TMP/v/Removed.mlmodel"
	check "... the count and the label" sh -c "[ \$(wc -l < '$TMP/out') -eq 2 ] && grep -q '^- neuralNetworkClassifier.labels\[2\]: \"bird\"$' '$TMP/out'"
	run "$MLPKG" diff --json "$TMP/Cls.mlmodel" "$TMP/v/Removed.mlmodel"
	check "... --json: removed, from the label" grep -q '"from": "\\"bird\\""' "$TMP/out"
	expect_exit 1 "40 labels renamed: different" "$MLPKG" diff "$TMP/v/Many.mlmodel" "$TMP/v/Many2.mlmodel"
	check "... 20 lines, then a count of the rest" sh -c "[ \$(wc -l < '$TMP/out') -eq 21 ] && grep -q '^~ neuralNetworkClassifier.labels\[19\]: \"c19\" -> \"k19\"$' '$TMP/out' && tail -1 '$TMP/out' | grep -q '^\.\.\. 20 more in neuralNetworkClassifier.labels$'"
	run "$MLPKG" diff --json "$TMP/v/Many.mlmodel" "$TMP/v/Many2.mlmodel"
	check "... --json: all 40" sh -c "[ \$(grep -c '\"change\": \"changed\"' '$TMP/out') -eq 40 ]"

	expect_exit 1 "preprocessing changed: different" "$MLPKG" diff "$TMP/Cls.mlmodel" "$TMP/v/Pre.mlmodel"
	check "... the two scaler fields by path, with their values" sh -c "[ \$(wc -l < '$TMP/out') -eq 2 ] && grep -q '^~ neuralNetworkClassifier.preprocessing\[0\].scaler.channelScale: 0.00392156886 -> 0.5$' '$TMP/out' && grep -q '^~ neuralNetworkClassifier.preprocessing\[0\].scaler.redBias: -0.485000014 -> -0.5$' '$TMP/out'"
	expect_exit 1 "enums changed: different" "$MLPKG" diff "$TMP/Cls.mlmodel" "$TMP/v/Enum.mlmodel"
	check "... by name, from the default too" sh -c "[ \$(wc -l < '$TMP/out') -eq 2 ] && grep -q '^~ neuralNetworkClassifier.layers\[\"flatten1\"\].flatten.mode: CHANNEL_FIRST -> CHANNEL_LAST$' '$TMP/out' && grep -q 'image<RGB,32x32> -> image<BGR,32x32>' '$TMP/out'"
	run "$MLPKG" diff --json "$TMP/Cls.mlmodel" "$TMP/v/Enum.mlmodel"
	check "... --json: by name" grep -q '"to": "CHANNEL_LAST"' "$TMP/out"
	expect_exit 1 "an unknown enum number: different" "$MLPKG" diff "$TMP/Cls.mlmodel" "$TMP/v/Enum7.mlmodel"
	check "... the number" grep -q '^~ neuralNetworkClassifier.layers\["flatten1"\].flatten.mode: CHANNEL_FIRST -> 7$' "$TMP/out"
	expect_exit 1 "tree ensembles: different" "$MLPKG" diff "$TMP/v/Trees.mlmodel" "$TMP/v/Trees2.mlmodel"
	check "... the changed node fields by path, enums by name" sh -c "[ \$(wc -l < '$TMP/out') -eq 3 ] && grep -q '^~ treeEnsembleClassifier.treeEnsemble.nodes\[3\].nodeBehavior: BranchOnValueLessThan -> BranchOnValueGreaterThan$' '$TMP/out' && grep -q '^~ treeEnsembleClassifier.treeEnsemble.nodes\[3\].branchFeatureValue: 0.5 -> 0.75$' '$TMP/out' && grep -q '^~ treeEnsembleClassifier.treeEnsemble.nodes\[5\].evaluationInfo\[0\].evaluationValue: 0.5 -> 0.125$' '$TMP/out'"
	expect_exit 1 "a tree removed: different" "$MLPKG" diff "$TMP/v/Trees2.mlmodel" "$TMP/v/Trees3.mlmodel"
	check "... the node count, and a line a removed node" sh -c "[ \$(wc -l < '$TMP/out') -eq 4 ] && grep -q '^~ treeEnsembleClassifier.treeEnsemble.nodes: 9 items -> 6 items$' '$TMP/out' && [ \$(grep -c '^- treeEnsembleClassifier.treeEnsemble.nodes\[[678]\]: {treeId: 2, ' '$TMP/out') -eq 3 ] && grep -q '^- treeEnsembleClassifier.treeEnsemble.nodes\[7\]: {treeId: 2, nodeId: 1, nodeBehavior: LeafNode, evaluationInfo: <9 bytes>}$' '$TMP/out'"
	expect_exit 1 "featureVectorizer.inputList: different" "$MLPKG" diff "$TMP/v/Vec.mlmodel" "$TMP/v/Vec2.mlmodel"
	check "... the column renamed and the dimension changed" sh -c "[ \$(wc -l < '$TMP/out') -eq 2 ] && grep -q \"^~ featureVectorizer.inputList\[0\].inputDimensions: 1 -> 3\$\" '$TMP/out' && grep -q \"^~ featureVectorizer.inputList\[1\].inputColumn: 'size' -> 'height'\$\" '$TMP/out'"
fi

expect_exit 2 "one model: usage error" "$MLPKG" diff "$TMP/TinyNet.mlmodel"
expect_exit 3 "a missing model: exit 3" "$MLPKG" diff "$TMP/TinyNet.mlmodel" "$TMP/nope.mlmodel"

if fixtures_or_skip "diff of every fixture against itself"; then
	for f in $(fixture_models); do
		b=$(basename "$f")
		expect_exit 0 "$b: equal to itself" "$MLPKG" diff "$f" "$f"
	done
fi
if fixtures_or_skip "diff of catfeeder against its zip"; then
	copy_fixture "$FIXTURES/catfeeder-yolov8n.mlpackage" cat.mlpackage
	run "$MLPKG" pack -o "$TMP/cat.zip" "$TMP/cat.mlpackage"
	expect_exit 0 "catfeeder: folder against zip, equal" "$MLPKG" diff "$FIXTURES/catfeeder-yolov8n.mlpackage" "$TMP/cat.zip"
fi
if fixtures_or_skip "diff of two different fritz fixtures"; then
	expect_exit 1 "two different fixtures: exit 1" "$MLPKG" diff "$FIXTURES/fritz-hairseg-fast-4MB.mlmodel" "$FIXTURES/fritz-hairseg-small-quant8.mlmodel"
	run "$MLPKG" diff "$FIXTURES/fritz-hairseg-fast-4MB.mlmodel" "$FIXTURES/fritz-hairseg-small-quant8.mlmodel"
	all=$(wc -l <"$TMP/out")
	check "... layers removed and changed" sh -c "grep -q '^- neuralNetwork.layers\[\"conv1_bn\"\]: batchnorm$' '$TMP/out' && grep -q '^~ specificationVersion: 1 -> 3$' '$TMP/out'"
	expect_exit 1 "float32 against 8-bit quantized, --no-weights: still different (layers)" "$MLPKG" diff --no-weights "$FIXTURES/fritz-hairseg-fast-4MB.mlmodel" "$FIXTURES/fritz-hairseg-small-quant8.mlmodel"
	check "... fewer lines, none a weight or hash" sh -c "[ \$(wc -l < '$TMP/out') -lt $all ] && ! grep -q 'bytes, ' '$TMP/out' && ! grep -q '\.weights' '$TMP/out'"
	expect_exit 1 "float32 against 8-bit quantized, --stat" "$MLPKG" diff --stat "$FIXTURES/fritz-hairseg-fast-4MB.mlmodel" "$FIXTURES/fritz-hairseg-small-quant8.mlmodel"
	check "... a summary with the weight bytes shrunk about 4x" sh -c "tail -1 '$TMP/out' | awk '/^[0-9]+ changed, [0-9]+ added, [0-9]+ removed; weight bytes [0-9]+ -> [0-9]+\$/ { exit !(\$NF * 3 < \$(NF-2)) } { exit 1 }'"
fi
if fixtures_or_skip "diff of a classifier fixture against a copy with one label renamed"; then
	copy_fixture "$FIXTURES/mlt-HealthySnacks-turicreate.mlmodel" Snacks.mlmodel
	"$MLPKG" labels "$TMP/Snacks.mlmodel" >"$TMP/snacks.txt"
	first=$(head -1 "$TMP/snacks.txt")
	sed '1s/.*/renamed snack/' "$TMP/snacks.txt" >"$TMP/snacks2.txt"
	run "$MLPKG" labels set "$TMP/snacks2.txt" "$TMP/Snacks.mlmodel"
	expect_exit 1 "HealthySnacks, a label renamed: different" "$MLPKG" diff "$FIXTURES/mlt-HealthySnacks-turicreate.mlmodel" "$TMP/Snacks.mlmodel"
	check "... one line, that label" sh -c "[ \$(wc -l < '$TMP/out') -eq 1 ] && grep -q 'labels\[0\]: \"$first\" -> \"renamed snack\"$' '$TMP/out'"
fi

# weights compared by value: float16 and 8-bit linear versions of a float32 weight
if python_or_skip "weight changes in tensor terms (models made with the decoder)"; then
	pyscript "$TMP/TinyNet.mlmodel" "$TMP/T16.mlmodel" "$TMP/T8.mlmodel" "$TMP/expect" <<'PY'
import sys, struct
from pydecode import load_schema
pb = load_schema()
def load():
    m = pb.Model()
    m.ParseFromString(open(sys.argv[1], "rb").read())
    return m
f32 = lambda x: struct.unpack("<f", struct.pack("<f", x))[0]
m = load()
w = m.neuralNetwork.layers[0].convolution.weights
vals = list(w.floatValue)
half = struct.unpack("<%de" % len(vals), struct.pack("<%de" % len(vals), *vals))
w.ClearField("floatValue")
w.float16Value = struct.pack("<%de" % len(vals), *vals)
open(sys.argv[2], "wb").write(m.SerializeToString())
m = load()
w = m.neuralNetwork.layers[0].convolution.weights
lo, hi = min(vals), max(vals)
scale = f32((hi - lo) / 255)
codes = [min(255, max(0, round((v - lo) / scale))) for v in vals]
w.ClearField("floatValue")
w.rawValue = bytes(codes)
w.quantization.numberOfBits = 8
w.quantization.linearQuantization.scale.append(scale)
w.quantization.linearQuantization.bias.append(lo)
open(sys.argv[3], "wb").write(m.SerializeToString())
d16 = max(abs(a - b) for a, b in zip(vals, half))
d8 = max(abs(a - (c * scale + f32(lo))) for a, c in zip(vals, codes))
open(sys.argv[4], "w").write("%r %r\n" % (d16, d8))
PY
	expect_exit 1 "float32 -> float16" "$MLPKG" diff "$TMP/TinyNet.mlmodel" "$TMP/T16.mlmodel"
	check "... one line: the tensors and the largest difference of their values" sh -c "[ \$(wc -l < '$TMP/out') -eq 1 ] && grep -q '^~ neuralNetwork.layers\[\"conv1\"\].convolution.weights: float32\[108\] -> float16\[108\], max abs diff ' '$TMP/out'"
	expect_exit 1 "float32 -> linear 8-bit" "$MLPKG" diff --json "$TMP/TinyNet.mlmodel" "$TMP/T8.mlmodel"
	cp "$TMP/out" "$TMP/d8.json"
	"$MLPKG" diff --json "$TMP/TinyNet.mlmodel" "$TMP/T16.mlmodel" >"$TMP/d16.json"
	check "... the differences agree with the values computed apart" "$PYTHON3" -c "
import json
d16, d8 = map(float, open('$TMP/expect').read().split())
for f, want, to in (('$TMP/d16.json', d16, 'float16[108]'), ('$TMP/d8.json', d8, 'linear 8-bit[108]')):
    (c,) = json.load(open(f))['changes']
    assert c['from'] == 'float32[108]', c
    head, got = c['to'].split(', max abs diff ')
    assert head == to and abs(float(got) - want) <= 1e-5 * max(want, 1e-6), (c, want)
"
fi
# an ML program before and after compression: const weights against
# constexpr_lut_to_dense (same op name) and constexpr_affine_dequantize (the
# consumer's input renamed, as coremltools renames it), by their dense values
"$MKMODEL" compresseddense "$TMP/Dense.mlpackage" >/dev/null 2>&1 || not_ok "mkmodel compresseddense"
"$MKMODEL" compressed "$TMP/Cmp.mlpackage" >/dev/null 2>&1 || not_ok "mkmodel compressed"
expect_exit 1 "const weights -> palettized and int8 ones" "$MLPKG" diff "$TMP/Dense.mlpackage" "$TMP/Cmp.mlpackage"
check "... the palettized op in tensor terms: same values" grep -qx '~ mlProgram.functions\["main"\].ops\["w1"\]: const fp16\[16,32\] -> constexpr_lut_to_dense fp16\[16,32\] (palettized 4-bit), max abs diff 0' "$TMP/out"
check "... the quantized input in tensor terms: the 0.01 added to one value" sh -c "grep '^~ .*ops\[\"y\"\].input\[\"weight\"\]: w2_dense: const fp32\[10,16\] -> w2: constexpr_affine_dequantize fp16\[10,16\] (affine int8), max abs diff ' '$TMP/out' | awk -F'max abs diff ' '{ d = \$2 - 0.01; if (d < 0) d = -d; ok = d < 1e-6 } END { exit !(NR == 1 && ok) }'"
expect_exit 1 "... and with --json" "$MLPKG" diff --json "$TMP/Dense.mlpackage" "$TMP/Cmp.mlpackage"
check "... the same words in its to" grep -q '"to": *"w2: constexpr_affine_dequantize fp16\[10,16\] (affine int8), max abs diff ' "$TMP/out"
if fixtures_or_skip "diff with the undecodable fixture"; then
	expect_exit 4 "$UNDECODABLE: exit 4" "$MLPKG" diff "$FIXTURES/$UNDECODABLE" "$FIXTURES/ph1ps-MNIST.mlmodel"
fi
done_testing
