#!/bin/sh
# t-dump: dump and dump --json on every fixture and example, read back by an
# independent decoder; zips and standard input give the same tree.
. "${top_srcdir:-.}/tests/lib.sh"

# same_dump A B: A is a dump (not empty, so two failed dumps do not agree) and B the same
same_dump() { [ -s "$1" ] && cmp -s "$1" "$2"; }

# the project's own examples
for k in nn:TinyNet.mlmodel nnclassifier:Classifier.mlmodel pipeline:Pipeline.mlmodel segmentation:DeepLab.mlpackage multifunction:Multi.mlpackage; do
	kind=${k%%:*} name=${k#*:}
	"$MKMODEL" "$kind" "$TMP/$name" >/dev/null 2>&1 || not_ok "mkmodel $kind"
	expect_exit 0 "example $name: dump" "$MLPKG" dump "$TMP/$name"
	expect_exit 0 "example $name: dump --json" "$MLPKG" dump --json "$TMP/$name"
	if have_python; then
		check "example $name: JSON reads back to the same model (python3-protobuf)" py jsoneq "$TMP/$name" "$TMP/out"
	else
		skip "example $name: no python3-protobuf/protoc"
	fi
done

# float_lists MODEL DUMP: the text dump's lists of floats (a count, then the
# first 16 values) hold the model's repeated float fields, as decoded by
# python3-protobuf
float_lists() {
	pyscript "$1" "$2" <<'PY'
import re, struct, sys
import pydecode
from google.protobuf.descriptor import FieldDescriptor as FD
pb = pydecode.load_schema()
m, _ = pydecode.read_model(pb, sys.argv[1])
want = []
def walk(msg):
    for fd, v in msg.ListFields():
        if fd.type == FD.TYPE_MESSAGE:
            for x in (v if fd.label == FD.LABEL_REPEATED else [v]):
                if not (fd.message_type.GetOptions().map_entry):
                    walk(x)
        elif fd.type == FD.TYPE_FLOAT and fd.label == FD.LABEL_REPEATED:
            want.append((fd.name, len(v), [struct.unpack("<f", struct.pack("<f", x))[0] for x in v[:16]]))
walk(m)
names = {w[0] for w in want}
got = []
for line in open(sys.argv[2]):
    r = re.match(r"\s*(\w+): \[(?:(\d+) values: )?(.*?)(, \.\.\.)?\]$", line)
    if r and r.group(1) in names:
        vals = [float(x) for x in r.group(3).split(", ")] if r.group(3) else []
        n = int(r.group(2)) if r.group(2) else len(vals)
        got.append((r.group(1), n, [struct.unpack("<f", struct.pack("<f", x))[0] for x in vals]))
if got != want:
    print("text dump lists differ from the model:", len(got), len(want), file=sys.stderr)
    for g, w in zip(got, want):
        if g != w:
            print(" got", g, "\n want", w, file=sys.stderr)
            break
    sys.exit(1)
PY
}

# generated models with weights: the JSON reads back to the same model, and
# the text dump's lists (a count, then the first 16 values) hold the model's
# values, so the dump shows what it says without reading the rest
for k in bignn:1:big1.mlmodel bignn:7:big7.mlmodel bigpkg:1:big.mlpackage detector:1:det.mlmodel control:1:control.mlmodel; do
	kind=${k%%:*} rest=${k#*:}
	seed=${rest%%:*} name=${rest#*:}
	"$MKMODEL" "$kind" "$TMP/$name" --size 3000000 --seed "$seed" >/dev/null 2>&1 || not_ok "mkmodel $kind"
	if ! have_python; then
		skip "generated $name: no python3-protobuf/protoc"
		continue
	fi
	"$MLPKG" dump --json "$TMP/$name" >"$TMP/gen.json" 2>/dev/null
	check "generated $name: dump --json reads back to the same model" py jsoneq "$TMP/$name" "$TMP/gen.json"
	"$MLPKG" dump "$TMP/$name" >"$TMP/gen.txt" 2>/dev/null
	check "generated $name: the text dump's float lists are the model's (count, first 16)" float_lists "$TMP/$name" "$TMP/gen.txt"
done

# bytes that are not text are escaped (octal, as protobuf's text format does),
# so the dump is valid UTF-8; a string's UTF-8 stays as it is.  The spec, by
# hand: a shortDescription "hé", an unknown field 50 and a layer's
# float16Value holding the bytes 0x80 0x81.
printf '\010\004\022\010\242\006\005\012\003h\303\251\222\003\002\200\201\242\037\017\012\015\012\001a\342\010\007\242\001\004\022\002\200\201' >"$TMP/bytes.mlmodel"
expect_exit 0 "bytes fields: dump" "$MLPKG" dump "$TMP/bytes.mlmodel"
check "... a known bytes field escaped" grep -qF 'float16Value: "\200\201"' "$TMP/out"
check "... an unknown field escaped" grep -qF '50: "\200\201"  # unknown field' "$TMP/out"
check "... a string's UTF-8 kept" grep -qF 'shortDescription: "hé"' "$TMP/out"
check "... the whole dump is valid UTF-8" "$PYTHON3" -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' "$TMP/out"

if fixtures_or_skip "dump and dump --json of every fixture, read back by the decoder"; then
	for f in $(fixture_models); do
		b=$(basename "$f")
		expect_exit 0 "$b: dump" "$MLPKG" dump "$f"
		check "$b: dump prints the spec version" grep -q "^specificationVersion: " "$TMP/out"
		if have_python; then
			check "$b: the text dump's float lists are the model's (count, first 16)" float_lists "$f" "$TMP/out"
		else
			skip "$b: no python3-protobuf/protoc"
		fi
		expect_exit 0 "$b: dump --json" "$MLPKG" dump --json "$f"
		if have_python; then
			check "$b: JSON reads back to the same model (python3-protobuf)" py jsoneq "$f" "$TMP/out"
		else
			skip "$b: no python3-protobuf/protoc"
		fi
	done
fi

# the undecodable prototype is refused cleanly
if fixtures_or_skip "dump of the undecodable fixture refused"; then
	expect_exit 4 "$UNDECODABLE: refused with exit 4" "$MLPKG" dump "$FIXTURES/$UNDECODABLE"
	check "$UNDECODABLE: one line naming the file" sh -c "[ \$(wc -l < '$TMP/err') -eq 1 ] && grep -q '$UNDECODABLE' '$TMP/err'"
	check "$UNDECODABLE: nothing on stdout" test ! -s "$TMP/out"
	expect_exit 4 "$UNDECODABLE: dump --json refused with exit 4" "$MLPKG" dump --json "$FIXTURES/$UNDECODABLE"
fi

# the unknown-type model decodes
if fixtures_or_skip "dump of the model without a type"; then
	expect_exit 0 "notype model: dump" "$MLPKG" dump "$FIXTURES/s4tf-s4tf_model-notype.mlmodel"
fi

# standard input
if fixtures_or_skip "dump - (standard input) against dump FILE on asl"; then
	f="$FIXTURES/asl-HandPoseClassifier.mlmodel"
	"$MLPKG" dump "$f" >"$TMP/a.txt" 2>/dev/null
	"$MLPKG" dump - <"$f" >"$TMP/b.txt" 2>/dev/null
	check "dump - (stdin) equals dump FILE" same_dump "$TMP/a.txt" "$TMP/b.txt"
fi

# zipped packages: entries under X.mlpackage/, at the root, and a lone .mlmodel
if fixtures_or_skip "dump of catfeeder zipped three ways and of a zip holding asl"; then
	pkg="$FIXTURES/catfeeder-yolov8n.mlpackage"
	"$MLPKG" dump "$pkg" >"$TMP/pkg.txt" 2>/dev/null
	(cd "$FIXTURES" && zip -qr "$TMP/cat.mlpackage.zip" catfeeder-yolov8n.mlpackage)
	"$MLPKG" dump "$TMP/cat.mlpackage.zip" >"$TMP/zip.txt" 2>"$TMP/err"
	check "zip with X.mlpackage/ entries: same dump as the folder" same_dump "$TMP/pkg.txt" "$TMP/zip.txt"
	(cd "$pkg" && zip -qr "$TMP/root.zip" .)
	"$MLPKG" dump "$TMP/root.zip" >"$TMP/zip2.txt" 2>/dev/null
	check "zip with the package at its root: same dump" same_dump "$TMP/pkg.txt" "$TMP/zip2.txt"
	cp "$TMP/cat.mlpackage.zip" "$TMP/renamed.bin"
	"$MLPKG" dump "$TMP/renamed.bin" >"$TMP/zip3.txt" 2>/dev/null
	check "a zip is recognised by content, not by name" same_dump "$TMP/pkg.txt" "$TMP/zip3.txt"
	(cd "$FIXTURES" && zip -q "$TMP/lone.zip" asl-HandPoseClassifier.mlmodel)
	"$MLPKG" dump "$TMP/lone.zip" >"$TMP/lone.txt" 2>/dev/null
	check "zip holding a single .mlmodel: same dump" same_dump "$TMP/a.txt" "$TMP/lone.txt"
fi

# reading changes nothing
if fixtures_or_skip "dump of a catfeeder copy writes nothing and changes no times"; then
	copy_fixture "$pkg" p.mlpackage
	find "$TMP/p.mlpackage" | sort | while IFS= read -r f; do facts_of "$f"; done >"$TMP/before"
	"$MLPKG" dump --json "$TMP/p.mlpackage" >/dev/null 2>&1
	"$MLPKG" dump "$TMP/p.mlpackage" >/dev/null 2>&1
	find "$TMP/p.mlpackage" | sort | while IFS= read -r f; do facts_of "$f"; done >"$TMP/after"
	check "dump writes nothing and changes no times" cmp -s "$TMP/before" "$TMP/after"
fi
done_testing
