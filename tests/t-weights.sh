#!/bin/sh
# t-weights: mlpkg weights on the project's examples and the fixtures: names
# and totals against an independent decoder, every tensor extracted and
# compared byte for byte with what weight.bin (or the spec) holds at the
# offsets the spec names, .npy files, every weight.bin data type, and
# corrupt weight files.
. "${top_srcdir:-.}/tests/lib.sh"

chk() { "$PYTHON3" "$top_srcdir/tests/inspect-check.py" "$@"; }
# d: the JSON in $2; for mlpkg's {"version", "models": [M]}, its one model M
jq_py() { "$PYTHON3" -c "import json,sys; d=json.load(open(sys.argv[1])); d=d['models'][0] if isinstance(d,dict) and 'version' in d else d; $1" "$2"; }

for k in nn:TinyNet.mlmodel nnclassifier:Classifier.mlmodel segmentation:DeepLab.mlpackage multifunction:Multi.mlpackage pipeline:Pipeline.mlmodel; do
	kind=${k%%:*} name=${k#*:}
	"$MKMODEL" "$kind" "$TMP/$name" >/dev/null 2>&1 || not_ok "mkmodel $kind"
	expect_exit 0 "example $name: weights" "$MLPKG" weights "$TMP/$name"
	check "example $name: a total line" grep -q '^total: ' "$TMP/out"
	expect_exit 0 "example $name: weights --json" "$MLPKG" weights --json "$TMP/$name"
	cp "$TMP/out" "$TMP/w.json"
	if ! have_python; then
		skip "example $name: no python3-protobuf/protoc"
		continue
	fi
	py inspect "$TMP/$name" >"$TMP/py.json"
	check "example $name: names and totals agree with the independent decoder" chk weights "$TMP/w.json" "$TMP/py.json"
	# every tensor, extracted, equals the bytes the spec names
	jq_py 'print("\n".join(sorted(set(w["name"] for w in d["weights"]))))' "$TMP/w.json" >"$TMP/names"
	n=0 bad=0
	while read -r w; do
		[ -n "$w" ] || continue
		n=$((n + 1))
		"$MLPKG" weights --extract "$w" -o "$TMP/x.bin" "$TMP/$name" 2>>"$TMP/xerr" || bad=$((bad + 1))
		py weightbytes "$TMP/$name" "$w" "$TMP/y.bin" 2>>"$TMP/xerr" || bad=$((bad + 1))
		cmp -s "$TMP/x.bin" "$TMP/y.bin" || { bad=$((bad + 1)); diag "$w differs"; }
	done <"$TMP/names"
	if [ "$n" -gt 0 ]; then
		check "example $name: all $n extracted tensors equal the bytes at their offsets" test "$bad" -eq 0
	else
		check "example $name: no tensor to extract, as weights --json says" jq_py 'assert d["totals"]["tensors"] == 0, d["totals"]' "$TMP/w.json"
	fi
done

# .npy files
if have_python; then
	"$MLPKG" weights --extract class_prior -o "$TMP/prior.bin" "$TMP/DeepLab.mlpackage"
	expect_exit 0 "extract to .npy" "$MLPKG" weights --extract class_prior -o "$TMP/prior.npy" "$TMP/DeepLab.mlpackage"
	check ".npy of an fp32 tensor: descr <f4, the declared shape, the data" chk npy "$TMP/prior.npy" "$TMP/prior.bin" '<f4' '[1, 21, 1, 1]'
	"$MLPKG" weights --extract backbone_conv1_weight_to_fp16 -o "$TMP/w16.bin" "$TMP/DeepLab.mlpackage"
	"$MLPKG" weights --extract backbone_conv1_weight_to_fp16 -o "$TMP/w16.npy" "$TMP/DeepLab.mlpackage"
	check ".npy of an fp16 tensor" chk npy "$TMP/w16.npy" "$TMP/w16.bin" '<f2' '[16, 3, 3, 3]'
	"$MLPKG" weights --extract fc1.weights -o "$TMP/fc1.bin" "$TMP/TinyNet.mlmodel"
	"$MLPKG" weights --extract fc1.weights -o "$TMP/fc1.npy" "$TMP/TinyNet.mlmodel"
	check ".npy of NN float16 weights: the innerProduct's [outputChannels, inputChannels]" chk npy "$TMP/fc1.npy" "$TMP/fc1.bin" '<f2' '[10, 256]'
	"$MLPKG" weights --extract conv1.weights -o "$TMP/c1.bin" "$TMP/TinyNet.mlmodel"
	"$MLPKG" weights --extract conv1.weights -o "$TMP/c1.npy" "$TMP/TinyNet.mlmodel"
	check ".npy of NN float32 weights: the convolution's [out, kernelChannels, kh, kw]" chk npy "$TMP/c1.npy" "$TMP/c1.bin" '<f4' '[4, 3, 3, 3]'
	run "$MLPKG" weights "$TMP/TinyNet.mlmodel"
	check "NN weights listed with the shape their layer gives them" sh -c "grep -q 'float32  *\[4,3,3,3\]  *108  *432  conv1.weights' '$TMP/out' && grep -q 'float16  *\[10,256\]  *2560  *5120  fc1.weights' '$TMP/out'"
	run "$MLPKG" weights --json "$TMP/TinyNet.mlmodel"
	check "... and in --json" "$PYTHON3" -c "import json; d=json.load(open('$TMP/out'))['models'][0]; w={x['name']: x for x in d['weights']}; assert w['conv1.weights']['shape']==[4,3,3,3] and w['bn1.gamma']['shape']==[4], w"
	# --stats: the values' statistics, against the bytes extracted above
	statcheck='import json, struct, sys, math
d = json.load(open(sys.argv[1]))["models"][0]
w = {x["name"]: x for x in d["weights"]}
for name, raw, fmt in ((sys.argv[2], sys.argv[3], sys.argv[4]), (sys.argv[5], sys.argv[6], sys.argv[7])):
    b = open(raw, "rb").read()
    n = len(b) // struct.calcsize(fmt)
    v = struct.unpack("<%d%s" % (n, fmt), b)
    st = w[name]["stats"]
    mean = sum(v) / n
    std = math.sqrt(sum((x - mean) ** 2 for x in v) / n)
    assert st["count"] == n and st["finite"] == n, st
    assert st["min"] == min(v) and st["max"] == max(v), (st, min(v), max(v))
    assert abs(st["mean"] - mean) < 1e-6 and abs(st["std"] - std) < 1e-6, (st, mean, std)
    assert st["zeros"] == sum(1 for x in v if x == 0) and st["nan"] == 0 and st["inf"] == 0, st
    assert st["unique"] == len(set(v)), (st["unique"], len(set(v)))'
	run "$MLPKG" weights --stats --json "$TMP/TinyNet.mlmodel"
	check "weights --stats --json: NN float32 and float16 statistics agree with the data" "$PYTHON3" -c "$statcheck" "$TMP/out" conv1.weights "$TMP/c1.bin" f fc1.weights "$TMP/fc1.bin" e
	run "$MLPKG" weights --stats --json "$TMP/DeepLab.mlpackage"
	check "... ML-program fp16 and fp32 blobs" "$PYTHON3" -c "$statcheck" "$TMP/out" backbone_conv1_weight_to_fp16 "$TMP/w16.bin" e class_prior "$TMP/prior.bin" f
	run "$MLPKG" weights --stats "$TMP/TinyNet.mlmodel"
	check "weights --stats: a statistics line under each tensor" sh -c "grep -A1 ' conv1.weights\$' '$TMP/out' | grep -q '^      min -\{0,1\}[0-9.e-]*, max [0-9.e-]*, mean .*, std .*, zeros [0-9]* ([0-9.]*%), NaN 0, Inf 0, unique [0-9]*\$'"
	expect_exit 2 "--stats with --extract: exit 2" "$MLPKG" weights --stats --extract conv1.weights -o "$TMP/x" "$TMP/TinyNet.mlmodel"
	# a layer whose size disagrees with its weights: listed flat, never a wrong shape
	pyscript "$TMP" <<'PY'
import os, sys
from pydecode import load_schema
pb = load_schema()
m = pb.Model()
m.ParseFromString(open(os.path.join(sys.argv[1], "TinyNet.mlmodel"), "rb").read())
for l in m.neuralNetwork.layers:
    if l.name == "fc1":
        l.innerProduct.inputChannels = 255
open(os.path.join(sys.argv[1], "W-bad.mlmodel"), "wb").write(m.SerializeToString())
PY
	run "$MLPKG" weights "$TMP/W-bad.mlmodel"
	check "... a size that disagrees: flat" grep -q 'float16  *\[2560\]  *2560  *5120  fc1.weights' "$TMP/out"
else
	skip "no python3-protobuf/protoc: .npy checks"
fi
"$MLPKG" weights --extract 'neuralNetwork.layers[0].convolution.weights' -o - "$TMP/TinyNet.mlmodel" >"$TMP/bypath.bin" 2>/dev/null
"$MLPKG" weights --extract conv1.weights -o "$TMP/byname.bin" "$TMP/TinyNet.mlmodel" 2>/dev/null
check "extract by path, to standard output, equals extract by name" sh -c "test -s '$TMP/bypath.bin' && cmp -s '$TMP/bypath.bin' '$TMP/byname.bin'"
expect_exit 3 "extract an unknown name: exit 3" "$MLPKG" weights --extract nope -o "$TMP/nope.bin" "$TMP/TinyNet.mlmodel"
check "... one line" one_line_error
check "... and no file" test ! -e "$TMP/nope.bin"
expect_exit 2 "--extract without -o: exit 2" "$MLPKG" weights --extract conv1.weights "$TMP/TinyNet.mlmodel"
run "$MLPKG" weights "$TMP/Multi.mlpackage"
check "shared weights: per function, counted once in bytes" sh -c "grep -q '^function main:' '$TMP/out' && grep -q '^function second:' '$TMP/out'"
run "$MLPKG" weights "$TMP/DeepLab.mlpackage"
check "ML listing: dtype, shape, bytes, offset, name" grep -q '^  fp32      \[1,21,1,1\]  *84  *2048  class_prior$' "$TMP/out"
check "weight file summary" grep -q '^weights/weight.bin: 5 blobs' "$TMP/out"

# every weight.bin data type: retype the class_prior blob (84 bytes) and its
# declaration, then extract it
if have_python; then
	for t in int4:8:25:4:1 uint4:11:35:4:0 uint1:9:37:1:0 uint2:10:36:2:0 uint3:12:39:3:0 uint6:13:38:6:0 bf16:5:13:16:0 fp8e4m3fn:16:40:8:0 fp8e5m2:17:41:8:0 int8:4:21:8:0 uint8:3:31:8:0 int16:6:22:16:0 uint16:7:32:16:0 int32:14:23:32:0 uint32:15:33:32:0; do
		IFS=: read -r dname bcode mcode bits signed <<EOF
$t
EOF
		rm -rf "$TMP/T.mlpackage"
		cp -R "$TMP/DeepLab.mlpackage" "$TMP/T.mlpackage"
		"$PYTHON3" - "$top_srcdir/tests" "$TMP/T.mlpackage" "$bcode" "$mcode" "$bits" <<'EOF'
import struct, sys
sys.path.insert(0, sys.argv[1])
import pydecode
pb = pydecode.load_schema()
pkg, bcode, mcode, bits = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
spec = pkg + "/Data/com.apple.CoreML/model.mlmodel"
m = pb.Model()
m.ParseFromString(open(spec, "rb").read())
n = 84 * 8 // bits
for op in m.mlProgram.functions["main"].block_specializations["CoreML6"].operations:
    if op.type == "const" and op.outputs[0].name == "class_prior":
        for t in (op.attributes["val"].type.tensorType, op.outputs[0].type.tensorType):
            t.dataType = mcode
            t.rank = 1
            del t.dimensions[:]
            t.dimensions.add().constant.size = n
open(spec, "wb").write(m.SerializeToString())
with open(pkg + "/Data/com.apple.CoreML/weights/weight.bin", "r+b") as f:
    f.seek(2048 + 4)
    f.write(struct.pack("<I", bcode))
EOF
		run "$MLPKG" weights --json "$TMP/T.mlpackage"
		check "$dname blob: listed with its dtype and element count, no warning" jq_py "w=[w for w in d['weights'] if w['name'] == 'class_prior'][0]; assert w['blobDtype'] == '$dname' and w['dtype'] == '$dname' and w['count'] == 84 * 8 // $bits, w" "$TMP/out"
		check "... no warning" test ! -s "$TMP/err"
		"$MLPKG" weights --extract class_prior -o "$TMP/t.bin" "$TMP/T.mlpackage"
		run "$MLPKG" weights --extract class_prior -o "$TMP/t.npy" "$TMP/T.mlpackage"
		if [ "$bits" -lt 8 ]; then
			check "$dname: .npy unpacks one value a byte, least significant bits first" chk unpack "$TMP/t.bin" "$bits" "$signed" "$TMP/t.npy"
		else
			check "$dname: .npy holds the raw data" chk npy "$TMP/t.npy" "$TMP/t.bin" "$(jq_py "print({8:'|',16:'<',32:'<'}[$bits] + {'bf16':'u2','fp8e4m3fn':'u1','fp8e5m2':'u1','int8':'i1','uint8':'u1','int16':'i2','uint16':'u2','int32':'i4','uint32':'u4'}['$dname'])" "$TMP/w.json")" "[$((84 * 8 / bits))]"
		fi
	done
	# a record that disagrees with the declaration is warned about
	rm -rf "$TMP/T.mlpackage"
	cp -R "$TMP/DeepLab.mlpackage" "$TMP/T.mlpackage"
	printf '\001' | dd of="$TMP/T.mlpackage/Data/com.apple.CoreML/weights/weight.bin" bs=1 seek=2052 conv=notrunc 2>/dev/null
	expect_exit 0 "a blob whose dtype disagrees with the spec: listed" "$MLPKG" weights "$TMP/T.mlpackage"
	check "... with a warning" grep -q "declared fp32 but its blob at 2048 holds fp16" "$TMP/err"
else
	skip "no python3-protobuf/protoc: data types"
fi

# corrupt weight files
wb=Data/com.apple.CoreML/weights/weight.bin
rm -rf "$TMP/C.mlpackage" && cp -R "$TMP/DeepLab.mlpackage" "$TMP/C.mlpackage"
printf '\000\000\000\000' | dd of="$TMP/C.mlpackage/$wb" bs=1 seek=1152 conv=notrunc 2>/dev/null
expect_exit 4 "a bad sentinel: exit 4" "$MLPKG" weights "$TMP/C.mlpackage"
check "... one line naming the file and the offset" sh -c "[ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q 'weight.bin.*offset 1152' '$TMP/err'"
check "... nothing on stdout" test ! -s "$TMP/out"
rm -rf "$TMP/C.mlpackage" && cp -R "$TMP/DeepLab.mlpackage" "$TMP/C.mlpackage"
head -c 2100 "$TMP/DeepLab.mlpackage/$wb" >"$TMP/C.mlpackage/$wb"
expect_exit 4 "a truncated weight file: exit 4" "$MLPKG" weights "$TMP/C.mlpackage"
check "... one line saying the data is outside the file" sh -c "[ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q 'outside the file' '$TMP/err'"
rm -rf "$TMP/C.mlpackage" && cp -R "$TMP/DeepLab.mlpackage" "$TMP/C.mlpackage"
printf '\003' | dd of="$TMP/C.mlpackage/$wb" bs=1 seek=4 conv=notrunc 2>/dev/null
expect_exit 4 "an unknown weight file version (a file there, and bad): exit 4" "$MLPKG" weights "$TMP/C.mlpackage"
check "... one line" one_line_error
printf 'version https://git-lfs.github.com/spec/v1\noid sha256:%064d\nsize 1234567\n' 0 >"$TMP/C.mlpackage/$wb"
expect_exit 0 "a weight file that is a Git LFS pointer: listed from the spec, exit 0" "$MLPKG" weights "$TMP/C.mlpackage"
check "... one warning line naming the file and saying so" sh -c "[ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q \"warning: .*C.mlpackage/Data/com.apple.CoreML/weights/weight.bin': a Git LFS pointer, not the file itself (the real file of 1.2 MiB was not fetched: git lfs pull)\" '$TMP/err'"
check "... the tensors still listed as the spec declares them" grep -q 'fp32  *\[1,21,1,1\]  *84 .* class_prior' "$TMP/out"
run "$MLPKG" info "$TMP/C.mlpackage"
check "... info notes it (and does not count it as weights)" sh -c "grep -q 'weight.bin is a Git LFS' '$TMP/out' && grep -q 'weight files 0 B' '$TMP/out'"
expect_exit 1 "... check reports it" "$MLPKG" check "$TMP/C.mlpackage"
check "... as an LFS pointer" grep -q "weight.bin: a Git LFS pointer, not the weights (1.2 MiB not fetched" "$TMP/out"
rm -f "$TMP/C.mlpackage/$wb"
expect_exit 0 "a missing weight file: listed from the spec, exit 0 (the rule of every read command)" "$MLPKG" weights "$TMP/C.mlpackage"
check "... one warning line" sh -c "[ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q 'warning: .*no .*weight.bin.* in the package: its tensors are listed as the spec declares them' '$TMP/err'"
for c in info layers io graph dump; do
	expect_exit 0 "... $c: exit 0 too" "$MLPKG" $c "$TMP/C.mlpackage"
done
expect_exit 1 "... check: an error" "$MLPKG" check "$TMP/C.mlpackage"
run "$MLPKG" weights "$TMP/C.mlpackage"
check "... the tensors still listed as the spec declares them" grep -q 'class_prior' "$TMP/out"
expect_exit 0 "... --json: exit 0 too" "$MLPKG" weights --json "$TMP/C.mlpackage"
check "... with the tensors, no record fields" "$PYTHON3" -c "import json; d=json.load(open('$TMP/out'))['models'][0]; w=[x for x in d['weights'] if x['name']=='class_prior'][0]; assert w['shape']==[1,21,1,1] and 'blobDtype' not in w, w"
expect_exit 4 "... extracting one: exit 4, nothing written" "$MLPKG" weights --extract class_prior -o "$TMP/cp.bin" "$TMP/C.mlpackage"
check "... said once" sh -c "one_line() { :; }; [ \$(wc -l <'$TMP/err') -eq 1 ] && [ ! -e '$TMP/cp.bin' ]"
expect_exit 0 "info still works without weight files (it never reads them)" "$MLPKG" info "$TMP/C.mlpackage"
expect_exit 3 "a missing model: exit 3" "$MLPKG" weights "$TMP/nope.mlmodel"

if ! fixtures_or_skip "weights and --json on every fixture (the independent decoder); catfeeder blobs, --extract of palettized/quantized tensors as .bin and .npy, zipped package vs folder, GRU float16 weights, the undecodable model"; then
	done_testing
fi

for f in $(fixture_models); do
	b=$(basename "$f")
	expect_exit 0 "$b: weights" "$MLPKG" weights "$f"
	expect_exit 0 "$b: weights --json" "$MLPKG" weights --json "$f"
	cp "$TMP/out" "$TMP/w.json"
	if have_python; then
		py inspect "$f" >"$TMP/py.json"
		check "$b: names and totals agree with the independent decoder" chk weights "$TMP/w.json" "$TMP/py.json"
	else
		skip "$b: no python3-protobuf/protoc"
	fi
done

cat="$FIXTURES/catfeeder-yolov8n.mlpackage"
run "$MLPKG" weights --json "$cat"
check "catfeeder: 193 blobs, all referenced" jq_py 'f = d["files"][0]; assert f["blobs"] == 193 and f["unreferenced"] == 0 and d["totals"]["tensors"] == 193, f' "$TMP/out"
if have_python; then
	for w in model_model_1_conv_weight_to_fp16_palettized.indices model_model_1_conv_weight_to_fp16_palettized.lut model_model_0_conv_weight_to_fp16; do
		"$MLPKG" weights --extract "$w" -o "$TMP/x.bin" "$cat"
		py weightbytes "$cat" "$w" "$TMP/y.bin"
		check "catfeeder: $w extracted equals weight.bin at its offset" cmp -s "$TMP/x.bin" "$TMP/y.bin"
	done
	"$MLPKG" weights --extract model_model_1_conv_weight_to_fp16_palettized.indices -o "$TMP/idx.bin" "$cat"
	"$MLPKG" weights --extract model_model_1_conv_weight_to_fp16_palettized.indices -o "$TMP/idx.npy" "$cat"
	check "catfeeder: palette indices as a uint8 .npy" chk npy "$TMP/idx.npy" "$TMP/idx.bin" '|u1' '[4608]'
	q="$FIXTURES/fritz-hairseg-small-quant8.mlmodel"
	"$MLPKG" weights --extract conv1.weights -o "$TMP/q.bin" "$q"
	py weightbytes "$q" conv1.weights "$TMP/qy.bin"
	check "quantized NN weights extracted as stored" cmp -s "$TMP/q.bin" "$TMP/qy.bin"
	"$MLPKG" weights --extract conv1.weights -o "$TMP/q.npy" "$q"
	check "quantized NN weights: uint8 .npy, in the convolution's shape" chk npy "$TMP/q.npy" "$TMP/q.bin" '|u1' '[16, 3, 3, 3]'
	run "$MLPKG" weights --stats "$q"
	check "weights --stats: quantized NN weights dequantized (scale and bias per channel)" sh -c "grep -A1 ' conv1.weights\$' '$TMP/out' | grep -q '^      linear 8-bit, [0-9.]* bits/weight, dequantized: min -[0-9.]*, max [0-9.]*, mean'"
	check "... the storage by kind, unpacked as float32" grep -q '^storage: linear 8-bit 79 tensors 956 KiB (8.00 bits/weight), unpacked 3.7 MiB$' "$TMP/out"
	if python_or_skip "catfeeder: a palettized weight's dequantized values, read from weight.bin apart"; then
		run "$MLPKG" weights --stats --json "$cat"
		check "catfeeder: lut[indices] statistics agree with weight.bin read apart" "$PYTHON3" -c "
import json, struct, math
d = json.load(open('$TMP/out'))['models'][0]
w = {x['name']: x for x in d['weights']}
wb = open('$cat/Data/com.apple.CoreML/weights/weight.bin', 'rb').read()
def blob(e):
    sentinel, dtype, size, off = struct.unpack_from('<IIQQ', wb, e['offset'])
    assert sentinel == 0xDEADBEEF
    return wb[off:off + size]
ix, lt = w['model_model_1_conv_weight_to_fp16_palettized.indices'], w['model_model_1_conv_weight_to_fp16_palettized.lut']
lut = struct.unpack('<256e', blob(lt))
v = [lut[i] for i in blob(ix)]
dq = ix['dequantized']
mean = sum(v) / len(v)
std = math.sqrt(sum((x - mean) ** 2 for x in v) / len(v))
assert dq['scheme'] == 'palettized 8-bit' and dq['elements'] == len(v) == 4608, dq
assert dq['min'] == min(v) and dq['max'] == max(v) and dq['unique'] == len(set(v)), (dq, min(v), max(v), len(set(v)))
assert abs(dq['mean'] - mean) < 1e-9 and abs(dq['std'] - std) < 1e-9, (dq, mean, std)
assert dq['storedBits'] == 4608 * 8 + 256 * 16, dq
"
	fi
fi
if command -v zip >/dev/null; then
	(cd "$FIXTURES" && zip -qr "$TMP/cat.mlpackage.zip" catfeeder-yolov8n.mlpackage)
	"$MLPKG" weights --extract model_model_0_conv_weight_to_fp16 -o "$TMP/z.bin" "$TMP/cat.mlpackage.zip"
	"$MLPKG" weights --extract model_model_0_conv_weight_to_fp16 -o "$TMP/f.bin" "$cat"
	check "zipped package: the same tensor as from the folder" sh -c "test -s '$TMP/z.bin' && cmp -s '$TMP/z.bin' '$TMP/f.bin'"
else
	skip "zip not installed"
fi
run "$MLPKG" weights "$FIXTURES/mlt-BidirGruEncoder16Bit-fp16.mlmodel"
check "GRU: float16 weights by layer and field" grep -q 'float16 .* [0-9][0-9]*  .*\.' "$TMP/out"
expect_exit 4 "$UNDECODABLE: weights refused with exit 4" "$MLPKG" weights "$FIXTURES/$UNDECODABLE"
check "$UNDECODABLE: one line naming the file" sh -c "[ \$(wc -l < '$TMP/err') -eq 1 ] && grep -q '$UNDECODABLE' '$TMP/err'"
# compressed weights: dequantized against the definitions mkmodel builds them from
"$MKMODEL" compressed "$TMP/Cmp.mlpackage" >/dev/null 2>&1 || not_ok "mkmodel compressed"
"$MKMODEL" nnlut "$TMP/Lut.mlmodel" >/dev/null 2>&1 || not_ok "mkmodel nnlut"
expect_exit 0 "weights --stats of palettized and int8 ML-program weights" "$MLPKG" weights --stats "$TMP/Cmp.mlpackage"
check "palettized 4-bit: lut[i % 16] with lut[k] = k/8 - 1, 4.5 bits a weight" sh -c "grep -A1 ' w1.indices\$' '$TMP/out' | grep -qx '      palettized 4-bit, 4.50 bits/weight, dequantized: min -1, max 0.875, mean -0.0625, std 0.576222, zeros 32 (6.2%), NaN 0, Inf 0, unique 16'"
check "affine int8 along axis 0: (q - zero point) * scale per row" sh -c "grep -A1 ' w2.quantized_data\$' '$TMP/out' | grep -qx '      affine int8, 9.50 bits/weight, dequantized: min -20.25, max 22.5, mean -0.071875, std 7.90131, zeros 9 (5.6%), NaN 0, Inf 0, unique 79'"
check "the parts of a compressed weight point to it" sh -c "grep -A1 ' w1.shape\$' '$TMP/out' | grep -q 'its shape: part of the palettized weight w1' && grep -A1 ' w2.zero_point\$' '$TMP/out' | grep -q 'part of the quantized weight w2'"
check "storage: each compressed weight once, with all its parts; unpacked as float16" sh -c "grep -q '^storage: palettized 4-bit 1 tensor 296 B (4.62 bits/weight),' '$TMP/out' && grep -q 'affine int8 1 tensor 190 B (9.50 bits/weight), unpacked 1.3 KiB\$' '$TMP/out'"
if have_python; then
	run "$MLPKG" weights --stats --json "$TMP/Cmp.mlpackage"
	check "--json: the dequantized values, the bits, the storage" "$PYTHON3" -c "
import json, math
d = json.load(open('$TMP/out'))['models'][0]
w = {x['name']: x for x in d['weights']}
v = [((16 * r + j) % 17 - 8 - (r % 3 - 1)) * (r + 1) / 4 for r in range(10) for j in range(16)]
dq = w['w2.quantized_data']['dequantized']
mean = sum(v) / len(v)
assert dq['scheme'] == 'affine int8' and dq['bits'] == 8 and dq['elements'] == 160 and dq['storedBits'] == 1520, dq
assert dq['min'] == min(v) and dq['max'] == max(v) and abs(dq['mean'] - mean) < 1e-12 and dq['unique'] == len(set(v)), dq
assert abs(dq['std'] - math.sqrt(sum((x - mean) ** 2 for x in v) / len(v))) < 1e-9, dq
assert 'stats' not in w['w2.quantized_data'] and 'dequantized' not in w['w2.zero_point'], w
assert d['totals']['storage'] == [{'kind': 'palettized 4-bit', 'tensors': 1, 'bytes': 296, 'elements': 512}, {'kind': 'affine int8', 'tensors': 1, 'bytes': 190, 'elements': 160}], d['totals']
assert d['totals']['unpackedBytes'] == (512 + 160) * 2, d['totals']
"
fi
expect_exit 0 "weights --stats of a 4-bit lookup-table NN weight" "$MLPKG" weights --stats "$TMP/Lut.mlmodel"
check "lut 4-bit: table[i % 16], MSB-first codes, 20 bits a weight with its 16-entry float table" sh -c "grep -A1 ' fc.weights\$' '$TMP/out' | grep -q '^      lut 4-bit, 20.00 bits/weight, dequantized: min -0.75, max 0.75, mean [-0-9.e]*, std 0.460977, zeros 0 (0.0%), NaN 0, Inf 0, unique 16\$'"
"$MKMODEL" nnclassifier "$TMP/Cls.mlmodel" >/dev/null 2>&1 || not_ok "mkmodel nnclassifier"
run "$MLPKG" weights --stats "$TMP/Cls.mlmodel"
check "linear 8-bit: within the range its scale and bias give it" sh -c "grep -A1 ' fc1.weights\$' '$TMP/out' | grep -q '^      linear 8-bit, 8.03 bits/weight, dequantized: min -0.05, max 0.05,'"
run "$MLPKG" info "$TMP/Cmp.mlpackage"
check "info: the storage line" grep -q '^  storage: *palettized 4-bit 296 B, affine int8 190 B, 1.3 KiB unpacked$' "$TMP/out"
# statistics of every value of a weight file over 64 MiB: one pass a tensor,
# memory flat, a progress line on a terminal only
"$MKMODEL" bigpkg "$TMP/Big.mlpackage" --size 70000000 >/dev/null 2>&1 || not_ok "mkmodel bigpkg"
expect_exit 0 "weights --stats on 70 MB of float16" "$MLPKG" weights --stats "$TMP/Big.mlpackage"
check "... a statistics line under every tensor, no progress without a terminal" sh -c "[ \$(grep -c '^      min .* unique [0-9]*\$' '$TMP/out') -eq \$(grep -c '^  fp16 ' '$TMP/out') ] && [ ! -s '$TMP/err' ]"
if command -v script >/dev/null 2>&1 && script -qec true /dev/null >/dev/null 2>&1; then
	script -qec "'$MLPKG' weights --stats '$TMP/Big.mlpackage'" /dev/null >"$TMP/tty" 2>&1
	check "on a terminal: the tensors done, each line cleared before the statistics" sh -c "grep -q 'mlpkg: statistics: 1 of [0-9]* tensors' '$TMP/tty' && [ \$(tr '\\r\\033' '\\n\\n' <'$TMP/tty' | grep -c '^\\(\\[K\\)\\{0,1\\}      min ') -ge 2 ]"
else
	skip "the progress line on a terminal: no script(1)"
fi
if [ -x /usr/bin/time ]; then
	/usr/bin/time -f '%M' "$MLPKG" weights --stats "$TMP/Big.mlpackage" >/dev/null 2>"$TMP/mem"
	/usr/bin/time -f '%M' "$MLPKG" weights "$TMP/Big.mlpackage" >/dev/null 2>"$TMP/mem0"
	check "memory: reading every value costs less than half the 70 MB file over a listing (pages let go once read)" sh -c "[ \$(tail -1 '$TMP/mem') -lt \$((\$(tail -1 '$TMP/mem0') + 34000)) ]"
else
	skip "peak memory of weights --stats: no GNU time"
fi
rm -rf "$TMP/Big.mlpackage"
done_testing
