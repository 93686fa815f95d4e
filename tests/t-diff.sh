#!/bin/sh
# t-diff: mlpkg diff: a model against itself in other formats (equal), and
# against copies edited with meta set, describe, rename and a changed weight.
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
check "... the const op holding it, nothing else" sh -c "[ \$(wc -l < '$TMP/out') -eq 1 ] && grep -q 'ops\[\"backbone_conv1_weight_to_fp16\"\].attribute\[\"val\"\]: fp16\[16,3,3,3\] blob' '$TMP/out'"

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
	check "... layers removed and changed" sh -c "grep -q '^- neuralNetwork.layers\[\"conv1_bn\"\]: batchnorm$' '$TMP/out' && grep -q '^~ specificationVersion: 1 -> 3$' '$TMP/out'"
fi
if fixtures_or_skip "diff with the undecodable fixture"; then
	expect_exit 4 "$UNDECODABLE: exit 4" "$MLPKG" diff "$FIXTURES/$UNDECODABLE" "$FIXTURES/ph1ps-MNIST.mlmodel"
fi
done_testing
