#!/bin/sh
# t-io: mlpkg io on every fixture and example: names, readable types,
# optional flags and functions checked against an independent decoder.
. "${top_srcdir:-.}/tests/lib.sh"

chk() { "$PYTHON3" "$top_srcdir/tests/inspect-check.py" "$@"; }

for k in nn:TinyNet.mlmodel nnclassifier:Classifier.mlmodel pipeline:Pipeline.mlmodel segmentation:DeepLab.mlpackage multifunction:Multi.mlpackage; do
	kind=${k%%:*} name=${k#*:}
	"$MKMODEL" "$kind" "$TMP/$name" >/dev/null 2>&1 || not_ok "mkmodel $kind"
	expect_exit 0 "example $name: io" "$MLPKG" io "$TMP/$name"
	check "example $name: io fits in 80 columns" sh -c "! awk 'length(\$0) > 80' '$TMP/out' | grep -q ."
	expect_exit 0 "example $name: io --json" "$MLPKG" io --json "$TMP/$name"
	if have_python; then
		cp "$TMP/out" "$TMP/io.json"
		py inspect "$TMP/$name" >"$TMP/py.json"
		check "example $name: io agrees with the independent decoder" chk io "$TMP/io.json" "$TMP/py.json"
	else
		skip "example $name: no python3-protobuf/protoc"
	fi
done

run "$MLPKG" io "$TMP/DeepLab.mlpackage"
check "image input with its colour space and size" grep -q '^  image  image<RGB,512x512>  Input image to be segmented$' "$TMP/out"
check "multi-array output with dtype and shape" grep -q '^  semanticPredictions  float32\[1,21,512,512\]' "$TMP/out"
run "$MLPKG" io "$TMP/Multi.mlpackage"
check "multi-function: one section per function, the default marked" sh -c "grep -q '^function main (default):' '$TMP/out' && grep -q '^function second:' '$TMP/out'"
check "multi-function: the state and its type" grep -q 'accumulator  state<float16\[1,4\]>' "$TMP/out"
run "$MLPKG" io --json "$TMP/Multi.mlpackage"
check "multi-function JSON: functions, default, state kind" "$PYTHON3" -c '
import json, sys
d = json.load(open(sys.argv[1]))["models"][0]
f = {x["name"]: x for x in d["functions"]}
assert d["defaultFunction"] == "main" and f["main"]["default"] and not f["second"]["default"]
s = f["main"]["states"][0]
assert s["kind"] == "state" and s["dataType"] == "float16" and s["shape"] == [1, 4], s
' "$TMP/out"
run "$MLPKG" io "$TMP/Classifier.mlmodel"
check "classifier: predicted feature and probabilities" sh -c "grep -q '^predicted feature: ' '$TMP/out' && grep -q '^probabilities: ' '$TMP/out'"
run "$MLPKG" io "$TMP/TinyNet.mlmodel" "$TMP/DeepLab.mlpackage"
check "several models: each under its name" sh -c "grep -q 'TinyNet.mlmodel:\$' '$TMP/out' && grep -q 'DeepLab.mlpackage:\$' '$TMP/out'"
expect_exit 3 "a missing model: exit 3" "$MLPKG" io "$TMP/nope.mlmodel"
check "... one line" one_line_error

# a name with control characters is escaped on output
"$PYTHON3" - "$TMP/TinyNet.mlmodel" "$TMP/Ctl.mlmodel" <<'EOF' 2>/dev/null
import sys
data = open(sys.argv[1], "rb").read()
# rename the input "input" (as stored in the description) to "in\x1b[2Jput"
old = b"\x0a\x05input"
new = b"\x0a\x09in\x1b[2Jput"
i = data.index(old)
# the description and its first input change length: re-encode the lengths by hand
import struct
def varint(n):
    out = b""
    while True:
        b = n & 0x7f
        n >>= 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out
def read_varint(buf, p):
    n = s = 0
    while True:
        b = buf[p]; p += 1
        n |= (b & 0x7f) << s; s += 7
        if not b & 0x80:
            return n, p
# walk: field 1 (spec version), field 2 (description) -> field 1 (input)
p = 0
out = b""
while p < len(data):
    start = p
    tag, p = read_varint(data, p)
    if tag & 7 == 0:
        _, p = read_varint(data, p)
        out += data[start:p]
    elif tag & 7 == 2:
        n, q = read_varint(data, p)
        body = data[q:q + n]
        if tag >> 3 == 2:
            inner, r, first = b"", 0, True
            while r < len(body):
                s0 = r
                t2, r = read_varint(body, r)
                n2, r2 = read_varint(body, r)
                b2 = body[r2:r2 + n2]
                if t2 >> 3 == 1 and first:
                    b2 = b2.replace(old, new, 1)
                    first = False
                inner += varint(t2) + varint(len(b2)) + b2
                r = r2 + n2
            body = inner
        out += varint(tag) + varint(len(body)) + body
        p = q + n
    else:
        raise SystemExit(1)
open(sys.argv[2], "wb").write(out)
EOF
if [ -s "$TMP/Ctl.mlmodel" ]; then
	run "$MLPKG" io "$TMP/Ctl.mlmodel"
	check "control characters in names are escaped" sh -c "grep -q 'in\\\\x1b\\[2Jput' '$TMP/out' && ! grep -q \"\$(printf '\\033')\" '$TMP/out'"
else
	skip "could not build the control-character model"
fi

# an invalid feature type (a wire type 7 inside it) fails io and info with
# one line, though layers never looks at it
"$PYTHON3" - "$TMP/TinyNet.mlmodel" "$TMP/BadType.mlmodel" <<'EOF' 2>/dev/null
import sys
d = bytearray(open(sys.argv[1], "rb").read())
i = d.index(b"A 3x8x8 input volume") + len("A 3x8x8 input volume")
d[i + 2] = 0x0f
open(sys.argv[2], "wb").write(d)
EOF
expect_exit 4 "an invalid feature type: io exits 4" "$MLPKG" io "$TMP/BadType.mlmodel"
check "... with one line naming where" sh -c "[ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q 'description.input\\[0\\].type' '$TMP/err'"
expect_exit 4 "... info exits 4 too" "$MLPKG" info "$TMP/BadType.mlmodel"
expect_exit 0 "... layers does not look there" "$MLPKG" layers "$TMP/BadType.mlmodel"

if ! fixtures_or_skip "io and io --json on every fixture (80 columns, the independent decoder); flexible image ranges, unbounded shape ranges, int64 dictionaries, grayscale images, string/int64/double inputs"; then
	done_testing
fi

for f in $(fixture_models); do
	b=$(basename "$f")
	expect_exit 0 "$b: io" "$MLPKG" io "$f"
	check "$b: io fits in 80 columns" sh -c "! awk 'length(\$0) > 80' '$TMP/out' | grep -q ."
	expect_exit 0 "$b: io --json" "$MLPKG" io --json "$f"
	if have_python; then
		cp "$TMP/out" "$TMP/io.json"
		py inspect "$f" >"$TMP/py.json"
		check "$b: names, types and optional flags agree with the independent decoder" chk io "$TMP/io.json" "$TMP/py.json"
	else
		skip "$b: no python3-protobuf/protoc"
	fi
done

run "$MLPKG" io "$FIXTURES/fritz-style-flexible-imagesize.mlmodel"
check "flexible image size range" grep -q '^  image  image<RGB,360x640> in \[100..1920\]x\[100..1920\]$' "$TMP/out"
run "$MLPKG" io --json "$FIXTURES/fritz-style-flexible-imagesize.mlmodel"
check "flexible image JSON: ranges" "$PYTHON3" -c '
import json, sys
i = json.load(open(sys.argv[1]))["models"][0]["inputs"][0]
assert i["kind"] == "image" and i["colorSpace"] == "RGB" and i["widthRange"] == [100, 1920] and i["heightRange"] == [100, 1920], i
' "$TMP/out"
run "$MLPKG" io "$FIXTURES/catfeeder-yolov8n.mlpackage"
check "shape ranges with an unbounded dimension" grep -q 'confidence   float32\[\] in \[0..\*,80\]' "$TMP/out"
run "$MLPKG" io "$FIXTURES/desappstre-MyImplicitRecommender.mlmodel"
check "dictionary with int64 keys" grep -q 'interactions  dict<int64,double>' "$TMP/out"
run "$MLPKG" io "$FIXTURES/ph1ps-MNIST.mlmodel"
check "grayscale image" grep -q 'image<GRAYSCALE,28x28>' "$TMP/out"
run "$MLPKG" io "$FIXTURES/bodyfat-BodyFatModelExtended.mlmodel"
check "string, int64 and double inputs" sh -c "grep -q 'Sex  *string' '$TMP/out' && grep -q 'Age  *int64' '$TMP/out' && grep -q 'Weight  *double' '$TMP/out'"
done_testing
