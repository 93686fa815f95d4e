#!/bin/sh
# t-compiled: compiled model folders (.mlmodelc, what apps ship), made by
# mkmodel in the layout Xcode gives them: info, io, meta list/get and check
# read metadata.json, layers reads model.mil and model.espresso.net, weights
# reads the tensors model.mil declares in weights/weight.bin; every edit is
# refused with exit 2 and changes nothing.
. "${top_srcdir:-.}/tests/lib.sh"

P="$TMP/Patterns.mlmodelc" N="$TMP/Net.mlmodelc"
"$MKMODEL" compiledprogram "$P" >/dev/null 2>&1 || not_ok "mkmodel compiledprogram"
"$MKMODEL" compilednn "$N" >/dev/null 2>&1 || not_ok "mkmodel compilednn"
snap() { (cd "$1" && find . -type f | LC_ALL=C sort | xargs cksum); }
snap "$P" >"$TMP/before"

# info
expect_exit 0 "info on an ML program's compiled folder" "$MLPKG" info "$P"
check "info: format, type, spec version" sh -c "grep -q '^format: mlmodelc' '$TMP/out' && grep -q '^type: MLModelType_mlProgram' '$TMP/out' && grep -q '^specificationVersion: 7' '$TMP/out'"
check "info: author, description, availability" sh -c "grep -q '^author: mlpkg tests' '$TMP/out' && grep -q '^description: Finds test patterns' '$TMP/out' && grep -q '^availability: macOS 13.0, iOS 16.0, tvOS 16.0' '$TMP/out'"
check "info: inputs and outputs, optional said" sh -c "grep -q '^  image: Image (Color 64 × 64)' '$TMP/out' && grep -q '^  threshold: Double? (optional)' '$TMP/out' && grep -q '^  scores: MultiArray (Float32 1 × 10)' '$TMP/out'"
check "info: the operation histogram" sh -c "grep -q '^operations (by type):' '$TMP/out' && grep -q '^  Ios16.cast: 2' '$TMP/out'"
check "info: coremldata.bin only by its size" grep -q '^  coremldata.bin: 12 bytes (undocumented; not read)' "$TMP/out"
expect_exit 0 "info on a neural network's compiled folder" "$MLPKG" info "$N"
check "info: the layer histogram" sh -c "grep -q '^layers (by type):' '$TMP/out' && grep -q '^  InnerProduct: 1' '$TMP/out'"
expect_exit 0 "info --json" "$MLPKG" info --json "$N"
if have_python; then
	check "info --json: numbers as numbers, the histogram, the files" "$PYTHON3" -c "
import json, sys
d = json.load(open('$TMP/out'))
(d,) = d['models'] if d.get('version') == 1 else [None]
assert d['format'] == 'mlmodelc' and d['specificationVersion'] == 4, d
assert d['layerHistogram'] == {'Convolution': 3, 'ActivationReLU': 3, 'InnerProduct': 1}, d
assert d['files']['coremldata.bin'] == 12 and 'model.mil' not in d['files'], d
assert [f['name'] for f in d['inputs']] == ['image', 'threshold'], d
assert d['outputs'][0]['shape'] == [1, 10], d
"
else
	skip "info --json: no python3"
fi

# io, meta
expect_exit 0 "io" "$MLPKG" io "$P"
check "io: inputs then outputs" sh -c "[ \"\$(sed -n 1p '$TMP/out')\" = 'inputs:' ] && grep -q '^outputs:' '$TMP/out'"
expect_exit 0 "meta list" "$MLPKG" meta list "$P"
check "meta list: standard fields and user metadata" sh -c "grep -qx 'license: CC0' '$TMP/out' && grep -qx 'trainedOn: synthetic' '$TMP/out'"
expect_exit 0 "meta get a standard field" "$MLPKG" meta get description "$N"
check "meta get: the value" grep -qx 'Finds test patterns' "$TMP/out"
expect_exit 0 "meta get a user key" "$MLPKG" meta get trainedOn "$N"
check "meta get user key: the value" grep -qx 'synthetic' "$TMP/out"
expect_exit 3 "meta get of a key it lacks" "$MLPKG" meta get nothing "$N"
check "... in one line" one_line_error

# check
expect_exit 0 "check on a consistent folder" "$MLPKG" check "$P"
check "check says ok" grep -q 'Patterns.mlmodelc: ok' "$TMP/out"
cp -R "$N" "$TMP/Broken.mlmodelc"
rm "$TMP/Broken.mlmodelc/model.espresso.net" "$TMP/Broken.mlmodelc/coremldata.bin"
expect_exit 1 "check on a folder missing its network and coremldata.bin" "$MLPKG" check "$TMP/Broken.mlmodelc"
check "check names both problems" sh -c "grep -q 'error: coremldata.bin is missing' '$TMP/out' && grep -q 'model.espresso.net is missing' '$TMP/out'"

# edits refused
expect_exit 2 "meta set refused" "$MLPKG" meta set author someone "$P"
check "... saying why, in one line" sh -c "grep -q 'Core ML does not read edits' '$TMP/err' && [ \$(wc -l <'$TMP/err') -eq 1 ]"
expect_exit 2 "meta set -o refused" "$MLPKG" meta set author someone -o "$TMP/Out.mlmodelc" "$P"
expect_exit 2 "describe refused" "$MLPKG" describe image "a picture" "$P"
expect_exit 2 "rename refused" "$MLPKG" rename image picture "$P"
snap "$P" >"$TMP/after"
check "the folder is unchanged" same_bytes "$TMP/before" "$TMP/after"
check "no -o output was written" test ! -e "$TMP/Out.mlmodelc"

# bad folders: one line naming the folder, exit 4
mkdir "$TMP/Empty.mlmodelc"
expect_exit 4 "no metadata.json" "$MLPKG" info "$TMP/Empty.mlmodelc"
check "... in one line" one_line_error
check "... naming it" grep -q 'Empty.mlmodelc' "$TMP/err"
cp -R "$P" "$TMP/Bad.mlmodelc"
printf '[{"author": ' >"$TMP/Bad.mlmodelc/metadata.json"
expect_exit 4 "metadata.json cut short" "$MLPKG" info "$TMP/Bad.mlmodelc"
printf '{"author": "x"}' >"$TMP/Bad.mlmodelc/metadata.json"
expect_exit 4 "metadata.json not an array" "$MLPKG" io "$TMP/Bad.mlmodelc"
check "... saying so" grep -q 'not a JSON array of one object' "$TMP/err"
printf '[{"inputSchema": 5, "outputSchema": [7, {"name": 3}], "availability": [], "modelType": "x", "neuralNetworkLayerTypeHistogram": {"a": "b"}, "userDefinedMetadata": {"k": 1}}]' >"$TMP/Bad.mlmodelc/metadata.json"
expect_exit 0 "members of the wrong types are passed over" "$MLPKG" info "$TMP/Bad.mlmodelc"
expect_exit 1 "... and check finds them" "$MLPKG" check "$TMP/Bad.mlmodelc"
expect_exit 4 "a command that does not read compiled folders says so" "$MLPKG" dump "$P"
check "... naming the ones that do" grep -q 'reads only with info, io, meta list/get, check, layers, weights and browse' "$TMP/err"

# a metadata.json that is a link leading outside the folder is not read
cp -R "$P" "$TMP/Ln.mlmodelc"
mv "$TMP/Ln.mlmodelc/metadata.json" "$TMP/outside-metadata.json"
ln -s "$TMP/outside-metadata.json" "$TMP/Ln.mlmodelc/metadata.json"
expect_exit 4 "metadata.json linked outside the folder: refused" "$MLPKG" info "$TMP/Ln.mlmodelc"
check "... said in one line" sh -c "grep -q \"Ln.mlmodelc': metadata.json leads outside the compiled folder\" '$TMP/err' && [ \$(wc -l <'$TMP/err') -eq 1 ]"
mkdir "$TMP/Ln.mlmodelc/sub" && mv "$TMP/outside-metadata.json" "$TMP/Ln.mlmodelc/sub/m.json" && ln -sf sub/m.json "$TMP/Ln.mlmodelc/metadata.json"
expect_exit 0 "... a link inside the folder is read" "$MLPKG" info "$TMP/Ln.mlmodelc"

# layers: model.mil's operations, as written
expect_exit 0 "layers of a compiled ML program" "$MLPKG" layers "$P"
check "layers: the count and the function" sh -c "grep -qx 'mlProgram: 15 operations' '$TMP/out' && grep -qx 'function main (opset ios16)' '$TMP/out' && grep -qx '  inputs: image: fp32\[1,3,64,64\]' '$TMP/out'"
check "layers: an operation with its const inputs resolved and its output" sh -c "grep -q '^      6 conv  *conv\$' '$TMP/out' && grep -q 'strides: int32\[2\] = \[2, 2\]' '$TMP/out' && grep -q -- '-> conv_out: fp16\[1,8,31,31\]' '$TMP/out'"
check "layers: a constexpr operation's weight" grep -q '^     11 constexpr_affine_dequantize fc_w: fp16\[10,8\]' "$TMP/out"
expect_exit 0 "layers --type conv" "$MLPKG" layers --type conv "$P"
check "... only the convolution" sh -c "[ \$(grep -c '^ *[0-9]' '$TMP/out') -eq 1 ] && grep -q ' conv ' '$TMP/out'"
expect_exit 0 "layers --summary" "$MLPKG" layers --summary "$P"
check "... counts by kind" sh -c "grep -q '^  const  *8\$' '$TMP/out' && grep -q '^  total  *15\$' '$TMP/out'"
expect_exit 0 "layers of a compiled neural network" "$MLPKG" layers "$N"
check "layers: espresso layers with inputs, outputs and parameters" sh -c "grep -qx 'neuralNetwork: 4 layers' '$TMP/out' && grep -q '^      0 convolution  *conv1\$' '$TMP/out' && grep -q 'image -> conv1_relu' '$TMP/out' && grep -q 'C=16' '$TMP/out' && ! grep -q 'debug_info' '$TMP/out'"
if have_python; then
	expect_exit 0 "layers --json of a compiled ML program" "$MLPKG" layers --json "$P"
	check "layers --json: paths are model.mil lines, inputs and weights as for a package" "$PYTHON3" -c "
import json
(d,) = json.load(open('$TMP/out'))['models']
ops = d['operations']
assert len(ops) == 15 and d['members'][0]['type'] == 'mlProgram', d['members']
conv = [o for o in ops if o['kind'] == 'conv'][0]
assert conv['path'] == 'model.mil:11' and conv['index'] == 6, conv
assert conv['inputs']['weight'] == [{'name': 'conv_w'}], conv
w = [o for o in ops if o['name'] == 'conv_w'][0]['weights'][0]
assert w['dtype'] == 'fp16' and w['shape'] == [8, 3, 3, 3] and w['offset'] == 64, w
assert d['functions'][0]['inputs'] == ['image: fp32[1,3,64,64]'], d['functions']
"
	expect_exit 0 "layers --json of a compiled neural network" "$MLPKG" layers --json "$N"
	check "layers --json: espresso parameters as numbers" "$PYTHON3" -c "
import json
(d,) = json.load(open('$TMP/out'))['models']
l = d['layers'][0]
assert l['path'] == 'model.espresso.net:layers[0]' and l['kind'] == 'convolution', l
assert l['params']['C'] == 16 and l['params']['stride_x'] == 2 and 'name' not in l['params'], l
assert d['layers'][3]['outputs'] == ['scores'], d['layers'][3]
"
else
	skip "layers --json of compiled folders: no python3"
fi

# layers: text it cannot read stops it at the line, what came before is listed
cp -R "$P" "$TMP/Cut.mlmodelc"
head -c 1200 "$P/model.mil" >"$TMP/Cut.mlmodelc/model.mil"
cutline=$(($(wc -l <"$TMP/Cut.mlmodelc/model.mil") + 1))
expect_exit 4 "layers of a model.mil cut short" "$MLPKG" layers "$TMP/Cut.mlmodelc"
check "... lists the operations read whole" sh -c "grep -q ' conv_pad_type' '$TMP/out' && ! grep -q ' cast_1' '$TMP/out'"
check "... and names the line it stopped at, in one line" sh -c "grep -q \"model.mil: line $cutline: expected\" '$TMP/err' && [ \$(wc -l <'$TMP/err') -eq 1 ]"
printf 'bplist00\001\002' >"$TMP/Cut.mlmodelc/model.mil"
expect_exit 4 "layers of a model.mil that is not MIL text" "$MLPKG" layers "$TMP/Cut.mlmodelc"
check "... says what it expected" grep -q "line 1: expected 'program'" "$TMP/err"
cp -R "$N" "$TMP/Zip.mlmodelc"
printf '\037\213\010\000binary' >"$TMP/Zip.mlmodelc/model.espresso.net"
expect_exit 4 "layers of a compressed model.espresso.net" "$MLPKG" layers "$TMP/Zip.mlmodelc"
check "... says it is not read, in one line" sh -c "grep -q 'not JSON (compressed or binary' '$TMP/err' && [ \$(wc -l <'$TMP/err') -eq 1 ] && [ ! -s '$TMP/out' ]"

# weights: model.mil's BLOBFILE values, their records in weights/weight.bin
expect_exit 0 "weights of a compiled ML program" "$MLPKG" weights "$P"
check "weights: each tensor with dtype, shape, bytes, offset" sh -c "grep -q '^  fp16  *\[8,3,3,3\]  *432  *64  conv_w\$' '$TMP/out' && grep -q '^  int8  *\[10,8\]  *80  *704  fc_w.quantized_data\$' '$TMP/out'"
check "weights: the file's blobs and the totals" sh -c "grep -qx 'weights/weight.bin: 3 blobs, 528 B of data' '$TMP/out' && grep -q '^total: 3 weight tensors, 304 parameters' '$TMP/out'"
expect_exit 0 "weights --stats" "$MLPKG" weights --stats "$P"
check "... float16 statistics from the blob" grep -q 'min 0, max 1.75, mean 0.78125, .*zeros 2 (25.0%)' "$TMP/out"
expect_exit 0 "weights --extract" "$MLPKG" weights --extract conv_b -o "$TMP/conv_b.npy" "$P"
if have_python; then
	check "... a .npy of the tensor's values" "$PYTHON3" -c "
import struct
b = open('$TMP/conv_b.npy', 'rb').read()
assert b[:6] == b'\x93NUMPY', b[:10]
hl = struct.unpack('<H', b[8:10])[0]
assert b\"'descr': '<f2'\" in b[10:10 + hl] and b'(8,)' in b[10:10 + hl], b[10:10 + hl]
assert len(b) == 10 + hl + 16
"
	expect_exit 0 "weights --json" "$MLPKG" weights --json "$P"
	check "weights --json: the record's fields and the line as path" "$PYTHON3" -c "
import json
(d,) = json.load(open('$TMP/out'))['models']
w = d['weights'][0]
assert w['name'] == 'conv_w' and w['path'] == 'model.mil:9' and w['blobDtype'] == 'fp16' and w['dataOffset'] == 128, w
assert d['totals']['tensors'] == 3 and d['files'][0]['blobs'] == 3, d
"
else
	skip "weights --extract and --json on a compiled folder: no python3"
fi
expect_exit 0 "weights of a compiled neural network" "$MLPKG" weights "$N"
check "... says model.espresso.weights is not read" grep -q 'model.espresso.weights is not read, its layout is not published' "$TMP/out"
cp -R "$P" "$TMP/NoW.mlmodelc"
rm "$TMP/NoW.mlmodelc/weights/weight.bin"
expect_exit 0 "weights of a folder without its weight file: listed, as for a package" "$MLPKG" weights "$TMP/NoW.mlmodelc"
check "... with a warning naming the file, once" sh -c "[ \$(grep -c 'NoW.mlmodelc/weights/weight.bin' '$TMP/err') -eq 1 ]"
check "... and lists the tensors as declared" grep -q 'conv_w$' "$TMP/out"
mv "$TMP/NoW.mlmodelc/weights" "$TMP/outside-weights"
ln -s "$TMP/outside-weights" "$TMP/NoW.mlmodelc/weights"
printf 'x' >"$TMP/outside-weights/weight.bin"
expect_exit 4 "a weight file linked outside the folder is not read" "$MLPKG" weights "$TMP/NoW.mlmodelc"
check "... said so" grep -q 'leads outside the folder' "$TMP/err"
snap "$P" >"$TMP/after2"
check "the folders read are unchanged" same_bytes "$TMP/before" "$TMP/after2"

# a compiled pipeline: its members' folders, each with its program or network
Q="$TMP/Pipe.mlmodelc"
mkdir "$Q"
"$MKMODEL" compilednn "$Q/model0" >/dev/null 2>&1 || not_ok "mkmodel compilednn (member)"
"$MKMODEL" compiledprogram "$Q/model1" >/dev/null 2>&1 || not_ok "mkmodel compiledprogram (member)"
rm "$Q/model1/metadata.json"
cp "$P/coremldata.bin" "$Q/"
sed 's/MLModelType_mlProgram/MLModelType_pipeline/' "$P/metadata.json" >"$Q/metadata.json"
expect_exit 0 "layers of a compiled pipeline" "$MLPKG" layers "$Q"
check "layers: the pipeline, then each member with its layers or operations" sh -c "grep -qx 'pipeline: 2 models' '$TMP/out' && grep -qx 'model0 (neuralNetwork): 4 layers' '$TMP/out' && grep -qx 'model1 (mlProgram): 15 operations' '$TMP/out' && grep -q '^      0 convolution  *conv1\$' '$TMP/out'"
expect_exit 0 "weights of a compiled pipeline" "$MLPKG" weights --stats "$Q"
check "weights: the member's tensors, its weight file named from the pipeline's folder" sh -c "grep -q 'conv_b\$' '$TMP/out' && grep -qx 'model1/weights/weight.bin: 3 blobs, 528 B of data' '$TMP/out' && grep -q 'min 0, max 1.75' '$TMP/out'"
if have_python; then
	expect_exit 0 "layers --json of a compiled pipeline" "$MLPKG" layers --json "$Q"
	check "layers --json: members, and entries naming their member and file" "$PYTHON3" -c "
import json
(d,) = json.load(open('$TMP/out'))['models']
assert [(m['path'], m['type'], m['items']) for m in d['members']] == [('', 'pipeline', 0), ('model0', 'neuralNetwork', 4), ('model1', 'mlProgram', 15)], d['members']
assert d['layers'][0]['member'] == 'model0' and d['layers'][0]['path'] == 'model0/model.espresso.net:layers[0]', d['layers'][0]
op = [o for o in d['operations'] if o['kind'] == 'conv'][0]
assert op['member'] == 'model1' and op['path'] == 'model1/model.mil:11', op
"
fi
"$MLPKG" __complete weights "$Q" --extract '' >"$TMP/out" 2>/dev/null
check "completion: a member's weight names" grep -qx 'conv_w' "$TMP/out"

# a pipeline as Create ML compiles one: members model0..model2 typed by the
# pipeline's modelType.structure; only the network is there to read
W="$TMP/Watch.mlmodelc"
"$MKMODEL" compiledpipeline "$W" >/dev/null 2>&1 || not_ok "mkmodel compiledpipeline"
expect_exit 0 "info of a compiled pipeline" "$MLPKG" info "$W"
check "info: its members and their types" grep -qx 'members: model0 visionFeaturePrint, model1 neuralNetwork, model2 nonMaximumSuppression' "$TMP/out"
expect_exit 0 "layers of it" "$MLPKG" layers "$W"
check "layers: each member, what cannot be read said so" sh -c "grep -qx 'pipeline: 3 models' '$TMP/out' && grep -q '^model0 (visionFeaturePrint): no layers or operations read' '$TMP/out' && grep -qx 'model1 (neuralNetwork): 4 layers' '$TMP/out' && grep -q '^model2 (nonMaximumSuppression): no layers' '$TMP/out'"
expect_exit 0 "weights of it" "$MLPKG" weights "$W"
check "weights: the network's weights said not read" grep -q 'model.espresso.weights is not read' "$TMP/out"
expect_exit 0 "check of it" "$MLPKG" check "$W"
rm "$W/model1/model.espresso.net"
expect_exit 1 "check of it without its network" "$MLPKG" check "$W"
check "... the histogram's network is missing" grep -q "layer histogram, but model.espresso.net is missing" "$TMP/out"

done_testing
