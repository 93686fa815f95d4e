#!/bin/sh
# t-merge: protobuf merge semantics.  Hand-built specs whose singular
# message fields occur several times (description twice, metadata twice in
# one description, author in both, userDefined entries in both, a oneof
# member reset by another): meta, meta get, info and dump must show what
# python3-protobuf's ParseFromString shows, and meta set / meta rm must
# change that view exactly as asked (see "Merging" in src/spec/tree.h).
. "${top_srcdir:-.}/tests/lib.sh"
python_or_skip

# make NAME: writes $TMP/NAME.mlmodel, one of the hand-built specs
make_spec() {
	pyscript "$1" "$TMP/$1.mlmodel" <<'PY'
import sys
from pydecode import field, varint
name, out = sys.argv[1], sys.argv[2]
s = lambda n, t: field(n, t.encode())
ud = lambda k, v: field(100, s(1, k) + s(2, v))
ver = varint(1 << 3) + varint(4)              # specificationVersion = 4
inp = field(1, s(1, "x") + field(3, field(5, varint(2 << 3) + varint(65568))))  # input x: double array
md1 = s(3, "first author") + s(4, "MIT") + ud("a", "1") + ud("k", "old")
md2 = s(3, "second author") + s(1, "short") + ud("b", "2") + ud("k", "new")
specs = {
    # description twice: metadata in each
    "twodesc": ver + field(2, inp + field(100, md1)) + field(2, field(100, md2)),
    # metadata twice inside one description
    "twometa": ver + field(2, inp + field(100, md1) + field(100, md2)),
    # both at once, with the input in the second description
    "both": ver + field(2, field(100, md1)) + field(2, inp + field(100, s(4, "BSD")) + field(100, md2)),
    # a oneof member (neuralNetwork) reset by another (pipeline), then
    # neuralNetwork again: the first one is not merged into the last
    "oneof": ver + field(2, inp + field(100, md1)) + field(500, field(1, s(1, "l1"))) +
             field(200, b"") + field(2, field(100, md2)) + field(500, field(1, s(1, "l2"))),
}
open(out, "wb").write(specs[name])
PY
}

# the metadata python3-protobuf sees, as JSON on one line
pymeta() { py metadata "$1"; }

# mlpkg meta --json in the same shape as pydecode metadata
ourmeta() {
	"$MLPKG" meta --json "$1" | "$PYTHON3" -c '
import json, sys
j = json.load(sys.stdin)
names = {"author": "author", "license": "license", "version": "versionString", "description": "shortDescription"}
out = {"shortDescription": "", "versionString": "", "author": "", "license": "", "userDefined": {}}
for k, v in j.items():
    if k in names:
        out[names[k]] = v
    else:
        out["userDefined"][k.split("userDefined.", 1)[-1]] = v
print(json.dumps(out, sort_keys=True))'
}

for s in twodesc twometa both oneof; do
	make_spec $s
	m=$TMP/$s.mlmodel
	check "$s: python3-protobuf reads the hand-built spec" py json "$m"
	check "$s: meta --json is python's merged metadata" sh -c "[ \"\$(pymeta '$m')\" = \"\$(ourmeta '$m')\" ]"
	run "$MLPKG" meta get author "$m"
	check "$s: meta get author is the last author" sh -c "[ \"\$(cat '$TMP/out')\" = 'second author' ]"
	run "$MLPKG" meta get k "$m"
	check "$s: meta get of a key in both occurrences is the last value" sh -c "[ \"\$(cat '$TMP/out')\" = new ]"
	run "$MLPKG" meta get a "$m"
	check "$s: meta get of a key in the first occurrence only" sh -c "[ \"\$(cat '$TMP/out')\" = 1 ]"
	py json "$m" >"$TMP/py.json"
	"$MLPKG" dump --json "$m" >"$TMP/our.json"
	# as JSON objects (python's own == also compares the map entries a
	# repeated key left in its wire list)
	check "$s: dump --json is python's view" "$PYTHON3" -c "
import json
a = json.load(open('$TMP/py.json')); b = json.load(open('$TMP/our.json'))
assert a == b, (a, b)"
	run "$MLPKG" info --json "$m"
	check "$s: info --json shows the merged author and keys" "$PYTHON3" -c "
import json; j = json.load(open('$TMP/out'))
s = json.dumps(j)
assert 'second author' in s and 'first author' not in s, s
assert '\"a\"' in s and '\"b\"' in s, s"
	run "$MLPKG" info "$m"
	check "$s: info shows the input of the merged description" grep -q 'x' "$TMP/out"

	# edits: the merged view changes exactly as asked
	cp "$m" "$TMP/e.mlmodel"
	pymeta "$TMP/e.mlmodel" >"$TMP/before"
	expect_exit 0 "$s: meta rm author" "$MLPKG" meta rm author "$TMP/e.mlmodel"
	expect_exit 0 "$s: meta set license Apache" "$MLPKG" meta set license Apache "$TMP/e.mlmodel"
	expect_exit 0 "$s: meta set k newest" "$MLPKG" meta set k newest "$TMP/e.mlmodel"
	expect_exit 0 "$s: meta rm a" "$MLPKG" meta rm a "$TMP/e.mlmodel"
	expect_exit 0 "$s: meta set c 3" "$MLPKG" meta set c 3 "$TMP/e.mlmodel"
	pymeta "$TMP/e.mlmodel" >"$TMP/after"
	check "$s: python sees exactly the edits" "$PYTHON3" -c "
import json
a = json.load(open('$TMP/before')); b = json.load(open('$TMP/after'))
a['author'] = ''; a['license'] = 'Apache'
a['userDefined']['k'] = 'newest'; del a['userDefined']['a']; a['userDefined']['c'] = '3'
assert a == b, (a, b)"
	check "$s: everything but metadata is as python saw it" py equal --except-metadata "$m" "$TMP/e.mlmodel"
	check "$s: meta --json after the edits is python's" sh -c "[ \"\$(pymeta '$TMP/e.mlmodel')\" = \"\$(ourmeta '$TMP/e.mlmodel')\" ]"
	# an edit elsewhere leaves the occurrences as they were, byte for byte
	cp "$m" "$TMP/f.mlmodel"
	expect_exit 0 "$s: set and remove a key" sh -c "'$MLPKG' meta set zz 1 '$TMP/f.mlmodel' && '$MLPKG' meta rm zz '$TMP/f.mlmodel'"
	check "$s: pymeta unchanged by set then rm" sh -c "[ \"\$(pymeta '$m')\" = \"\$(pymeta '$TMP/f.mlmodel')\" ]"
done

# only the fields asked for change: setting a key of a spec whose
# description occurs twice keeps the input (in the first occurrence)
make_spec twodesc
"$MLPKG" meta set author me "$TMP/twodesc.mlmodel" >/dev/null 2>&1
py field "$TMP/twodesc.mlmodel" description.input >"$TMP/f" 2>&1
check "twodesc: the input survives the merge of the two descriptions" grep -q '"x"' "$TMP/f"
run "$MLPKG" meta get author "$TMP/twodesc.mlmodel"
check "twodesc: and the author is set" grep -qx me "$TMP/out"

done_testing
