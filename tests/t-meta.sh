#!/bin/sh
# t-meta: mlpkg meta on real fixtures (.mlmodel, package, zip) and on the
# project's segmentation example: the tutorial end to end, exactness, refused
# values, -o, --dry-run, several models, the default model, concurrency.
. "${top_srcdir:-.}/tests/lib.sh"

VOC='{"labels": ["background", "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow", "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor"]}'
PT=com.apple.coreml.model.preview.type
PP=com.apple.coreml.model.preview.params

# spec file of a model (folder -> root spec)
spec_of() { if [ -d "$1" ]; then echo "$1/Data/com.apple.CoreML/model.mlmodel"; else echo "$1"; fi; }
inode() { inode_of "$1"; }

# tutorial M LABEL [--force]: set preview.type + params, compare, remove,
# compare bytes (--force: a model the preview does not fit)
tutorial() {
	m=$1 label=$2 force=${3:-}
	orig="$TMP/orig.$$"
	rm -rf "$orig"; cp -R "$m" "$orig"
	expect_exit 0 "$label: meta set preview.type imageSegmenter" "$MLPKG" meta set $force preview.type imageSegmenter "$m"
	expect_exit 0 "$label: meta set preview.params (21 VOC labels)" "$MLPKG" meta set $force preview.params "$VOC" "$m"
	run "$MLPKG" meta get preview.type "$m"
	check "$label: meta get preview.type prints the raw value" sh -c "[ \"\$(cat '$TMP/out')\" = imageSegmenter ]"
	run "$MLPKG" meta get "$PP" "$m"
	check "$label: meta get by the long key" sh -c "grep -q tvmonitor '$TMP/out'"
	if have_python; then
		py metadata "$orig" >"$TMP/m0"
		py metadata "$m" >"$TMP/m1"
		check "$label: python3-protobuf sees exactly the two keys added" "$PYTHON3" -c "
import json,sys
a=json.load(open('$TMP/m0')); b=json.load(open('$TMP/m1'))
ua,ub=a.pop('userDefined'),b.pop('userDefined')
assert a==b, (a,b)
assert set(ub)-set(ua)=={'$PT','$PP'} or ('$PT' in ua and set(ub)-set(ua)=={'$PP'}), (ua,ub)
assert ub['$PT']=='imageSegmenter'
assert json.loads(ub['$PP'])['labels'][20]=='tvmonitor'
assert all(ub[k]==ua[k] for k in ua if k not in ('$PT','$PP'))
"
		check "$label: everything but metadata is equal" py equal --except-metadata "$orig" "$m"
		# the keys as they were, then those added, in the order set: preview.type
		# too unless the model had it already (then edited where it stands)
		py userkeys "$orig" >"$TMP/k0"
		py userkeys "$m" >"$TMP/k1"
		{ cat "$TMP/k0"; grep -qx "$PT" "$TMP/k0" || echo "$PT"; echo "$PP"; } >"$TMP/kw"
		check "$label: new keys come after the existing ones, in the order set" cmp -s "$TMP/kw" "$TMP/k1"
	else
		skip "$label: no python3-protobuf"
	fi
	had_pt=$("$MLPKG" meta get preview.type "$orig" 2>/dev/null)
	if [ -z "$had_pt" ]; then
		"$MLPKG" meta rm preview.params "$m" && "$MLPKG" meta rm preview.type "$m"
		check "$label: meta rm brings back the original bytes" cmp -s "$(spec_of "$orig")" "$(spec_of "$m")"
	else
		"$MLPKG" meta rm preview.params "$m" && "$MLPKG" meta set $force preview.type "$had_pt" "$m"
		check "$label: meta rm and restoring brings back the original bytes" cmp -s "$(spec_of "$orig")" "$(spec_of "$m")"
	fi
	rm -rf "$orig"
}

# project example first: always available
"$MKMODEL" segmentation "$TMP/DeepLab.mlpackage" >/dev/null 2>&1
w0=$(inode "$TMP/DeepLab.mlpackage/Data/com.apple.CoreML/weights/weight.bin")
m0=$(inode "$TMP/DeepLab.mlpackage/Manifest.json")
cp "$TMP/DeepLab.mlpackage/Data/com.apple.CoreML/weights/weight.bin" "$TMP/w.bin"
cp "$TMP/DeepLab.mlpackage/Manifest.json" "$TMP/man.json"
tutorial "$TMP/DeepLab.mlpackage" "example package"
check "example package: weight.bin same inode" test "$w0" = "$(inode "$TMP/DeepLab.mlpackage/Data/com.apple.CoreML/weights/weight.bin")"
check "example package: weight.bin same bytes" cmp -s "$TMP/w.bin" "$TMP/DeepLab.mlpackage/Data/com.apple.CoreML/weights/weight.bin"
check "example package: Manifest.json same inode and bytes" sh -c "[ $m0 = \$($STAT_INODE '$TMP/DeepLab.mlpackage/Manifest.json') ] && cmp -s '$TMP/man.json' '$TMP/DeepLab.mlpackage/Manifest.json'"
check "example package: no temp files left" sh -c "[ -z \"\$(find '$TMP/DeepLab.mlpackage' -name '.*mlpkg*')\" ]"

# the mission's command as written, from the folder holding the package
(cd "$TMP" && "$MLPKG" meta set preview.type imageSegmenter DeepLab.mlpackage)
check "mission command works as written" sh -c "[ \"\$('$MLPKG' meta get preview.type '$TMP/DeepLab.mlpackage')\" = imageSegmenter ]"
"$MLPKG" meta rm preview.type "$TMP/DeepLab.mlpackage"

# default model: inside the package, single model in a folder, $MLPKG_MODEL, ambiguity
(cd "$TMP/DeepLab.mlpackage/Data/com.apple.CoreML" && "$MLPKG" meta set preview.type imageSegmenter) 2>"$TMP/err"
check "no MODEL inside a package edits that package" sh -c "[ \"\$('$MLPKG' meta get preview.type '$TMP/DeepLab.mlpackage')\" = imageSegmenter ]"
mkdir -p "$TMP/one" "$TMP/two"
"$MKMODEL" nn "$TMP/one/Net.mlmodel" >/dev/null 2>&1
(cd "$TMP/one" && "$MLPKG" meta set author me); rc=$?
check "no MODEL: the single model in the folder" sh -c "[ $rc -eq 0 ] && [ \"\$('$MLPKG' meta get author '$TMP/one/Net.mlmodel')\" = me ]"
(cd "$TMP/two" && MLPKG_MODEL="$TMP/one/Net.mlmodel" "$MLPKG" meta set author env); rc=$?
check "no MODEL: \$MLPKG_MODEL" sh -c "[ $rc -eq 0 ] && [ \"\$('$MLPKG' meta get author '$TMP/one/Net.mlmodel')\" = env ]"
cp "$TMP/one/Net.mlmodel" "$TMP/two/A.mlmodel"; cp "$TMP/one/Net.mlmodel" "$TMP/two/B.mlmodel"
(cd "$TMP/two" && run "$MLPKG" meta set author x)
(cd "$TMP/two" && "$MLPKG" meta set author x) 2>"$TMP/err"; rc=$?
check "no MODEL and two candidates: exit 2" test $rc -eq 2
check "... listing the candidates" sh -c "grep -q A.mlmodel '$TMP/err' && grep -q B.mlmodel '$TMP/err'"
(cd "$TMP/two" && rm -f A.mlmodel B.mlmodel && "$MLPKG" meta list) 2>"$TMP/err"; rc=$?
check "no MODEL and none: exit 2" test $rc -eq 2

# get / list / exit codes
f="$TMP/one/Net.mlmodel"
expect_exit 3 "meta get of an absent key: exit 3" "$MLPKG" meta get no.such.key "$f"
expect_exit 3 "meta rm of an absent key: exit 3" "$MLPKG" meta rm no.such.key "$f"
expect_exit 0 "meta get --json" "$MLPKG" meta get --json author "$f"
check "meta get --json shape" grep -q '"value": "env"' "$TMP/out"
expect_exit 0 "meta list --json" "$MLPKG" meta list --json "$f"
check "meta list --json is an object with author" grep -q '"author": "env"' "$TMP/out"
expect_exit 2 "meta set without a value is a usage error" "$MLPKG" meta set author
expect_exit 3 "meta on a missing model: exit 3" "$MLPKG" meta "$TMP/none.mlmodel"
for k in author license version description; do
	"$MLPKG" meta set "$k" "v-$k" "$f"
	check "standard key $k set and read back" sh -c "[ \"\$('$MLPKG' meta get $k '$f')\" = v-$k ]"
done
if python_or_skip "standard keys land in the standard fields"; then
	check "standard keys land in the standard fields" sh -c "py() { '$PYTHON3' '$top_srcdir/tests/pydecode.py' \"\$@\"; }; py metadata '$f' | grep -q '\"versionString\": \"v-version\"' && py metadata '$f' | grep -q '\"shortDescription\": \"v-description\"'"
fi

# refused values leave the file byte-identical
cp "$f" "$TMP/before.mlmodel"; i0=$(inode "$f")
"$MLPKG" meta set preview.type imageSegmenter "$f"
cp "$f" "$TMP/before.mlmodel"; i0=$(inode "$f")
expect_exit 2 "preview.params that is not JSON is refused" "$MLPKG" meta set preview.params '{labels: [' "$f"
check "... in one line naming the model, where the JSON breaks, and that it is unchanged" sh -c "[ \$(wc -l < '$TMP/err') -eq 1 ] && grep -q \"^mlpkg: '$f': preview.params is not valid JSON (near 'labels: \\['); the model is unchanged\$\" '$TMP/err'"
expect_exit 2 "preview.params with more after the JSON value is refused" "$MLPKG" meta set preview.params '{"labels": ["a"]} x' "$f"
check "... saying so" grep -q "more after the value: 'x'" "$TMP/err"
expect_exit 2 "imageSegmenter params without labels are refused" "$MLPKG" meta set preview.params '{"colors": []}' "$f"
expect_exit 2 "imageSegmenter labels must be strings" "$MLPKG" meta set preview.params '{"labels": [1, 2]}' "$f"
expect_exit 2 "imageSegmenter colors must be #RRGGBB" "$MLPKG" meta set preview.params '{"labels": ["a"], "colors": ["red"]}' "$f"
check "refused values: file byte-identical and same inode" sh -c "cmp -s '$TMP/before.mlmodel' '$f' && [ $i0 = \$($STAT_INODE '$f') ]"
expect_exit 0 "imageSegmenter params with colors accepted" "$MLPKG" meta set preview.params '{"labels": ["a", "b"], "colors": ["#000000", "#FFaa00"]}' "$f"
expect_exit 2 "poseEstimation over imageSegmenter params: refused" "$MLPKG" meta set preview.type poseEstimation "$f"
check "... saying why, in one line" sh -c "[ \$(wc -l < '$TMP/err') -eq 1 ] && grep -q 'preview.params for poseEstimation needs numbers' '$TMP/err'"
expect_exit 0 "poseEstimation over imageSegmenter params: --force writes it" "$MLPKG" meta set --force preview.type poseEstimation "$f"
expect_exit 2 "poseEstimation params need numbers" "$MLPKG" meta set preview.params '{"width_multiplier": "x", "output_stride": 16}' "$f"
expect_exit 0 "poseEstimation params accepted" "$MLPKG" meta set preview.params '{"width_multiplier": 1.0, "output_stride": 16}' "$f"
expect_exit 0 "an unknown preview.type is accepted" "$MLPKG" meta set preview.type myOwnPreview "$f"
check "... with a warning" grep -q "warning" "$TMP/err"
expect_exit 0 "a misspelt preview.type is accepted" "$MLPKG" meta set preview.type imageSegmentr "$f"
check "... with a warning naming the nearest known type" grep -q "warning: 'imageSegmentr' is not a preview type Xcode is known to use: did you mean 'imageSegmenter'?" "$TMP/err"

# edits through symbolic links change the file the link leads to; the link stays
mkdir -p "$TMP/ln/real"
cp "$f" "$TMP/ln/real/M.mlmodel" && ln -s real/M.mlmodel "$TMP/ln/m.mlmodel"
expect_exit 0 "meta set through a link to an .mlmodel" "$MLPKG" meta set author via-link "$TMP/ln/m.mlmodel"
check "... the link is still a link to it, the file it leads to edited" sh -c "[ -L '$TMP/ln/m.mlmodel' ] && [ \"\$(readlink '$TMP/ln/m.mlmodel')\" = real/M.mlmodel ] && [ \"\$('$MLPKG' meta get author '$TMP/ln/real/M.mlmodel')\" = via-link ]"
check "... no temp file beside the link or the file" sh -c "[ -z \"\$(find '$TMP/ln' -name '*.mlpkg-*')\" ]"
"$MLPKG" pack -o "$TMP/ln/real/Z.zip" "$TMP/DeepLab.mlpackage" >/dev/null 2>&1 && ln -s real/Z.zip "$TMP/ln/z.zip"
expect_exit 0 "meta set through a link to a zip" "$MLPKG" meta set author zip-link "$TMP/ln/z.zip"
check "... the link stays, the zip edited" sh -c "[ -L '$TMP/ln/z.zip' ] && [ \"\$('$MLPKG' meta get author '$TMP/ln/real/Z.zip')\" = zip-link ]"
ln -s real/New.mlmodel "$TMP/ln/new.mlmodel"
expect_exit 0 "meta set -o to a link to a file not there yet" "$MLPKG" meta set -o "$TMP/ln/new.mlmodel" author o-link "$TMP/ln/real/M.mlmodel"
check "... makes the file the link names" sh -c "[ -L '$TMP/ln/new.mlmodel' ] && [ \"\$('$MLPKG' meta get author '$TMP/ln/real/New.mlmodel')\" = o-link ]"

# same value: nothing written
i0=$(inode "$f")
"$MLPKG" meta set author v-author "$f"
check "setting the value a key already has writes nothing" test "$i0" = "$(inode "$f")"

# mode kept, -o, --dry-run, --value-file
chmod 640 "$f"
"$MLPKG" meta set author moded "$f"
check "an in-place edit keeps the file's mode" test "$(mode_of "$f")" = 640
cp "$f" "$TMP/keep.mlmodel"
expect_exit 0 "meta set -o OUT" "$MLPKG" meta set -o "$TMP/out.mlmodel" author other "$f"
check "-o leaves the model as it was" cmp -s "$TMP/keep.mlmodel" "$f"
check "-o writes OUT with the change" sh -c "[ \"\$('$MLPKG' meta get author '$TMP/out.mlmodel')\" = other ]"
expect_exit 0 "meta set --dry-run" "$MLPKG" meta set --dry-run author dry "$f"
check "--dry-run says what would change" grep -q "would set author" "$TMP/out"
check "--dry-run writes nothing" cmp -s "$TMP/keep.mlmodel" "$f"
expect_exit 0 "meta rm --dry-run" "$MLPKG" meta rm --dry-run author "$f"
check "meta rm --dry-run writes nothing" cmp -s "$TMP/keep.mlmodel" "$f"
printf 'line one\nline "two"\n' >"$TMP/val.txt"
expect_exit 0 "meta set --value-file FILE" "$MLPKG" meta set --value-file "$TMP/val.txt" notes "$f"
"$MLPKG" meta get notes "$f" >"$TMP/got"
printf 'line one\nline "two"\n' >"$TMP/want"
check "--value-file keeps the value exactly, but for the one final newline" cmp -s "$TMP/got" "$TMP/want"
printf 'two newlines\n\n' | "$MLPKG" meta set --value-file - nl.key "$f"
check "... only one final newline is dropped" sh -c "'$MLPKG' meta get --json nl.key '$f' | grep -q '\"two newlines\\\\n\"'"
printf 'from stdin' | "$MLPKG" meta set --value-file - stdin.key "$f"
check "--value-file - reads standard input" sh -c "[ \"\$('$MLPKG' meta get stdin.key '$f')\" = 'from stdin' ]"

# several models in one call
cp "$f" "$TMP/m1.mlmodel"; cp "$f" "$TMP/m2.mlmodel"
expect_exit 0 "meta set on several models" "$MLPKG" meta set batch yes "$TMP/m1.mlmodel" "$TMP/m2.mlmodel"
check "... edits each one" sh -c "[ \"\$('$MLPKG' meta get batch '$TMP/m1.mlmodel')\$('$MLPKG' meta get batch '$TMP/m2.mlmodel')\" = yesyes ]"

# writing into a read-only folder: exit 5, original intact, nothing left
mkdir "$TMP/ro"; cp "$f" "$TMP/ro/x.mlmodel"; cp "$f" "$TMP/ro.copy"; chmod 555 "$TMP/ro"
if [ "$(id -u)" -eq 0 ] && touch "$TMP/ro/probe" 2>/dev/null; then
	rm -f "$TMP/ro/probe"
	skip "read-only folder (running as root: permissions do not bind)"
else
	expect_exit 5 "a read-only folder: exit 5" "$MLPKG" meta set author nope "$TMP/ro/x.mlmodel"
	check "... the original intact and no temp file" sh -c "cmp -s '$TMP/ro.copy' '$TMP/ro/x.mlmodel' && [ \$(ls -A '$TMP/ro' | wc -l) -eq 1 ]"
fi
chmod 755 "$TMP/ro"

# a write that runs out of room (a file-size limit stands in for a full disk)
"$MKMODEL" bignn "$TMP/big.mlmodel" --size 2M >/dev/null 2>&1
cp "$TMP/big.mlmodel" "$TMP/big.copy"
bash -c "trap '' XFSZ; ulimit -f 512; exec '$MLPKG' meta set author full '$TMP/big.mlmodel'" >"$TMP/out" 2>"$TMP/err"; rc=$?
check "a write that fails half-way: exit 5" test $rc -eq 5
check "... one line naming the file" sh -c "[ \$(wc -l < '$TMP/err') -eq 1 ] && grep -q big.mlmodel '$TMP/err'"
check "... the original byte-identical" cmp -s "$TMP/big.copy" "$TMP/big.mlmodel"
check "... no temp file left" sh -c "[ -z \"\$(ls -A '$TMP' | grep mlpkg-)\" ]"

# Apple's metadata overlay: an entry it already has follows the edit
"$MKMODEL" segmentation "$TMP/ov.mlpackage" >/dev/null 2>&1
printf '{"author": "old", "userDefined": {"k": "v"}}' >"$TMP/ov.mlpackage/Data/com.apple.CoreML/Metadata.json"
expect_exit 0 "overlay: meta set author" "$MLPKG" meta set author new "$TMP/ov.mlpackage"
check "overlay: says it updated the overlay" grep -q "overlay" "$TMP/err"
check "overlay: its author follows the edit" "$PYTHON3" -c "import json; d=json.load(open('$TMP/ov.mlpackage/Data/com.apple.CoreML/Metadata.json')); assert d['author']=='new', d"
"$MLPKG" meta set k v2 "$TMP/ov.mlpackage" 2>/dev/null
check "overlay: its userDefined entry follows the edit" "$PYTHON3" -c "import json; d=json.load(open('$TMP/ov.mlpackage/Data/com.apple.CoreML/Metadata.json')); assert d['userDefined']['k']=='v2', d"
cp "$TMP/ov.mlpackage/Data/com.apple.CoreML/Metadata.json" "$TMP/ov.json"
expect_exit 0 "overlay: a key it lacks" "$MLPKG" meta set other x "$TMP/ov.mlpackage"
check "overlay: ... is not added to it, with a warning" sh -c "cmp -s '$TMP/ov.json' '$TMP/ov.mlpackage/Data/com.apple.CoreML/Metadata.json' && grep -q warning '$TMP/err'"
"$MLPKG" meta rm k "$TMP/ov.mlpackage" 2>/dev/null
check "overlay: meta rm removes its entry too" "$PYTHON3" -c "import json; d=json.load(open('$TMP/ov.mlpackage/Data/com.apple.CoreML/Metadata.json')); assert 'k' not in d['userDefined'], d"
run "$MLPKG" meta list "$TMP/ov.mlpackage"
check "overlay in step with the spec: meta list says nothing of it" sh -c "! grep -q 'Metadata.json' '$TMP/err'"
printf '{"author": "someone else", "userDefined": {}}' >"$TMP/ov.mlpackage/Data/com.apple.CoreML/Metadata.json"
run "$MLPKG" meta list "$TMP/ov.mlpackage"
check "overlay that says otherwise: meta list names the keys" grep -q "its metadata overlay Data/com.apple.CoreML/Metadata.json says otherwise for author, and Xcode may show it instead" "$TMP/err"
run "$MLPKG" meta get author "$TMP/ov.mlpackage"
check "... meta get of that key warns too" sh -c "grep -q 'says otherwise for author' '$TMP/err' && grep -qx new '$TMP/out'"
run "$MLPKG" meta get license "$TMP/ov.mlpackage"
check "... of another key, not" sh -c "! grep -q 'overlay' '$TMP/err'"

# Xcode's own overlay layout (two-space indent, " : ", escaped slashes, no
# final newline): an edit splices its entry, every other byte stays
"$MKMODEL" segmentation "$TMP/xc.mlpackage" >/dev/null 2>&1
"$MLPKG" meta set docs "https://example.org" "$TMP/xc.mlpackage" && "$MLPKG" meta set task detect "$TMP/xc.mlpackage"
XC="$TMP/xc.mlpackage/Data/com.apple.CoreML/Metadata.json"
printf '{\n  "MLModelVersionStringKey" : "1.0",\n  "MLModelCreatorDefinedKey" : {\n    "docs" : "https:\\/\\/example.org",\n    "task" : "detect"\n  },\n  "MLModelAuthorKey" : "Someone"\n}' >"$XC"
expect_exit 0 "Xcode overlay: meta set author" "$MLPKG" meta set author "A/B" "$TMP/xc.mlpackage"
printf '{\n  "MLModelVersionStringKey" : "1.0",\n  "MLModelCreatorDefinedKey" : {\n    "docs" : "https:\\/\\/example.org",\n    "task" : "detect"\n  },\n  "MLModelAuthorKey" : "A\\/B"\n}' >"$TMP/xc.want"
check "Xcode overlay: only the author's value changed, written Xcode's way" cmp -s "$TMP/xc.want" "$XC"
check "... said once, no warning" sh -c "grep -q 'updated the overlay' '$TMP/err' && ! grep -q warning '$TMP/err'"
expect_exit 0 "Xcode overlay: meta set of a creator-defined key it lacks" "$MLPKG" meta set new.key "x" "$TMP/xc.mlpackage"
xspec="$TMP/xc.mlpackage/Data/com.apple.CoreML/model.mlmodel"
i0=$(inode "$xspec")
expect_exit 0 "Xcode overlay: meta set license, a field it lacks (the spec already says MIT)" "$MLPKG" meta set license MIT "$TMP/xc.mlpackage"
check "... the overlay follows, the spec file is not rewritten" sh -c "grep -q 'updated the overlay' '$TMP/err' && [ $i0 = \$($STAT_INODE '$xspec') ]"
expect_exit 0 "Xcode overlay: meta rm docs" "$MLPKG" meta rm docs "$TMP/xc.mlpackage"
printf '{\n  "MLModelVersionStringKey" : "1.0",\n  "MLModelCreatorDefinedKey" : {\n    "task" : "detect",\n    "new.key" : "x"\n  },\n  "MLModelAuthorKey" : "A\\/B",\n  "MLModelLicenseKey" : "MIT"\n}' >"$TMP/xc.want"
check "Xcode overlay: keys added where Xcode keeps them, the removed one gone, the rest as it was" cmp -s "$TMP/xc.want" "$XC"
check "... and the spec agrees" sh -c "'$MLPKG' meta get license '$TMP/xc.mlpackage' | grep -qx MIT && '$MLPKG' meta get new.key '$TMP/xc.mlpackage' | grep -qx x && ! '$MLPKG' meta get docs '$TMP/xc.mlpackage' 2>/dev/null"
expect_exit 0 "Xcode overlay: meta rm of a key it lacks" "$MLPKG" meta rm com.github.apple.coremltools.version "$TMP/xc.mlpackage"
check "... leaves it byte-identical, without a warning" sh -c "cmp -s '$TMP/xc.want' '$XC' && ! grep -q warning '$TMP/err'"
"$MLPKG" pack -o "$TMP/xc.zip" "$TMP/xc.mlpackage" 2>/dev/null
expect_exit 0 "Xcode overlay in a zip: meta set author in place" "$MLPKG" meta set author Zed "$TMP/xc.zip"
check "... the overlay in the archive follows" sh -c "unzip -p '$TMP/xc.zip' xc.mlpackage/Data/com.apple.CoreML/Metadata.json | grep -qx '  \"MLModelAuthorKey\" : \"Zed\",' && grep -q 'updated the overlay' '$TMP/err'"
expect_exit 0 "Xcode overlay in a zip: meta set -o another zip" "$MLPKG" meta set -o "$TMP/xc2.zip" author Out "$TMP/xc.zip"
check "... the new zip's overlay follows, the old one stays" sh -c "unzip -p '$TMP/xc2.zip' xc.mlpackage/Data/com.apple.CoreML/Metadata.json | grep -q '\"Out\"' && unzip -p '$TMP/xc.zip' xc.mlpackage/Data/com.apple.CoreML/Metadata.json | grep -q '\"Zed\"'"
expect_exit 0 "Xcode overlay: meta set -o a new package" "$MLPKG" meta set -o "$TMP/xc3.mlpackage" author Pkg "$TMP/xc.mlpackage"
check "... the new package's overlay follows, the original stays" sh -c "grep -q '\"Pkg\"' '$TMP/xc3.mlpackage/Data/com.apple.CoreML/Metadata.json' && cmp -s '$TMP/xc.want' '$XC'"

# Xcode's "--" for a creator-defined key without a value: meta set then meta
# rm of that key gives back the overlay Xcode wrote, byte for byte (not an
# empty object, which Xcode never writes)
"$MKMODEL" segmentation "$TMP/xb.mlpackage" >/dev/null 2>&1
XB="$TMP/xb.mlpackage/Data/com.apple.CoreML/Metadata.json"
printf '{\n  "MLModelVersionStringKey" : "1.0",\n  "MLModelDescriptionKey" : "--",\n  "MLModelCreatorDefinedKey" : {\n    "task" : "--"\n  },\n  "MLModelAuthorKey" : "mlpkg examples",\n  "MLModelLicenseKey" : "MIT"\n}' >"$XB"
cp "$XB" "$TMP/xb.orig"
expect_exit 0 "Xcode overlay with a \"--\" key: meta set it" "$MLPKG" meta set task detect "$TMP/xb.mlpackage"
check "... the overlay says it" grep -q '^    "task" : "detect"$' "$XB"
expect_exit 0 "... then meta rm it" "$MLPKG" meta rm task "$TMP/xb.mlpackage"
check "... gives back the overlay as Xcode wrote it, byte for byte" cmp -s "$TMP/xb.orig" "$XB"
check "... and the spec has no such key" sh -c "! '$MLPKG' meta get task '$TMP/xb.mlpackage' 2>/dev/null"

# a preview type set over params that do not suit it: said, and check warns
"$MKMODEL" nn "$TMP/pv.mlmodel" >/dev/null 2>&1
"$MLPKG" meta set preview.params '[1, 2]' "$TMP/pv.mlmodel" 2>/dev/null
cp "$TMP/pv.mlmodel" "$TMP/pv.before"
expect_exit 2 "preview.type over params that do not suit it: refused" "$MLPKG" meta set preview.type imageSegmenter "$TMP/pv.mlmodel"
check "... naming the problem, the model byte-identical" sh -c "grep -q 'preview.params for imageSegmenter must be a JSON object; the model is unchanged (--force writes it anyway)' '$TMP/err' && cmp -s '$TMP/pv.before' '$TMP/pv.mlmodel'"
expect_exit 0 "preview.type over params that do not suit it: --force sets it" "$MLPKG" meta set --force preview.type imageSegmenter "$TMP/pv.mlmodel"
check "... with a warning naming the problem" grep -q "warning: '$TMP/pv.mlmodel': preview.params for imageSegmenter must be a JSON object (written as --force asks)" "$TMP/err"
expect_exit 0 "... check passes" "$MLPKG" check "$TMP/pv.mlmodel"
check "... with a warning" grep -q "warning: description.metadata.userDefined: preview.params for imageSegmenter must be a JSON object" "$TMP/out"
"$MLPKG" meta set preview.params '{"labels": ["a", "b"]}' "$TMP/pv.mlmodel" 2>/dev/null
run "$MLPKG" check "$TMP/pv.mlmodel"
check "... and none once they suit" grep -q ': ok$' "$TMP/out"

# several keys in one edit: all or nothing
"$MKMODEL" nn "$TMP/multi.mlmodel" >/dev/null 2>&1
M="$TMP/multi.mlmodel"
cp "$M" "$TMP/multi.before"
expect_exit 2 "meta set a 1 preview.params '{bad' M: refused" "$MLPKG" meta set a 1 preview.params '{bad' "$M"
check "... in one line naming the model, which is byte-identical" sh -c "one_line() { [ \$(wc -l < '$TMP/err') -eq 1 ]; }; one_line && grep -q \"^mlpkg: '$M': preview.params is not valid JSON\" '$TMP/err' && cmp -s '$TMP/multi.before' '$M'"
expect_exit 2 "meta set a 1 b 2 with a bad second value (not UTF-8): refused" "$MLPKG" meta set a 1 b "$(printf '\377')" "$M"
check "... the model byte-identical" cmp -s "$TMP/multi.before" "$M"
expect_exit 0 "meta set a 1 b 2 M: one edit" "$MLPKG" meta set a 1 b 2 "$M"
check "... sets both" sh -c "[ \"\$('$MLPKG' meta get a '$M')\" = 1 ] && [ \"\$('$MLPKG' meta get b '$M')\" = 2 ]"
expect_exit 0 "meta set preview.type imageSegmenter preview.params '{\"labels\":[\"a\",\"b\"]}' M" "$MLPKG" meta set preview.type imageSegmenter preview.params '{"labels":["a","b"]}' "$M"
check "... sets both" sh -c "[ \"\$('$MLPKG' meta get preview.type '$M')\" = imageSegmenter ] && [ \"\$('$MLPKG' meta get preview.params '$M')\" = '{\"labels\":[\"a\",\"b\"]}' ]"
expect_exit 0 "params before the type they suit: checked against the new type" "$MLPKG" meta set preview.params '{"width_multiplier": 1.0, "output_stride": 16}' preview.type poseEstimation "$M"
check "... both set" sh -c "[ \"\$('$MLPKG' meta get preview.type '$M')\" = poseEstimation ]"
expect_exit 0 "meta rm takes several keys" "$MLPKG" meta rm a b "$M"
check "... both gone" sh -c "! '$MLPKG' meta get a '$M' 2>/dev/null && ! '$MLPKG' meta get b '$M' 2>/dev/null"
cp "$M" "$TMP/multi.before"
expect_exit 3 "meta rm of a present and an absent key: exit 3" "$MLPKG" meta rm preview.type no.such.key "$M"
check "... nothing removed, the model byte-identical" cmp -s "$TMP/multi.before" "$M"
printf '{"author": "From File", "x.y": "1", "preview.type": null}' >"$TMP/from.json"
expect_exit 0 "meta set --from FILE.json: strings set, null removes" "$MLPKG" meta set --from "$TMP/from.json" "$M"
check "... as the file says" sh -c "[ \"\$('$MLPKG' meta get author '$M')\" = 'From File' ] && [ \"\$('$MLPKG' meta get x.y '$M')\" = 1 ] && ! '$MLPKG' meta get preview.type '$M' 2>/dev/null"
cp "$M" "$TMP/multi.before"
expect_exit 2 "meta set --from - with a number value: refused" sh -c "printf '{\"author\": \"z\", \"n\": 3}' | '$MLPKG' meta set --from - '$M'"
check "... naming the key, the model byte-identical" sh -c "grep -q \"the value of 'n' must be a string\" '$TMP/err' && cmp -s '$TMP/multi.before' '$M'"
expect_exit 2 "meta set --from a file that is not an object: refused" sh -c "echo '[1]' | '$MLPKG' meta set --from - '$M'"
cp "$M" "$TMP/multi2.mlmodel"
expect_exit 0 "meta set KEY VALUE with two models still edits both" "$MLPKG" meta set author Both "$M" "$TMP/multi2.mlmodel"
check "... both" sh -c "[ \"\$('$MLPKG' meta get author '$M')\" = Both ] && [ \"\$('$MLPKG' meta get author '$TMP/multi2.mlmodel')\" = Both ]"

# a damaged overlay: the spec is edited, the overlay left byte for byte, said once
"$MKMODEL" segmentation "$TMP/dmg.mlpackage" >/dev/null 2>&1
printf '{"MLModelAuthorKey" : "x",' >"$TMP/dmg.mlpackage/Data/com.apple.CoreML/Metadata.json"
cp "$TMP/dmg.mlpackage/Data/com.apple.CoreML/Metadata.json" "$TMP/dmg.json"
expect_exit 0 "a Metadata.json that is not JSON: meta set still edits the spec" "$MLPKG" meta set author fixed "$TMP/dmg.mlpackage"
check "... the overlay untouched, one warning naming it" sh -c "cmp -s '$TMP/dmg.json' '$TMP/dmg.mlpackage/Data/com.apple.CoreML/Metadata.json' && [ \$(grep -c 'Metadata.json is not a JSON object; left as it was' '$TMP/err') -eq 1 ] && [ \"\$('$MLPKG' meta get author '$TMP/dmg.mlpackage')\" = fixed ]"
expect_exit 0 "... info still reads the model" "$MLPKG" info --json "$TMP/dmg.mlpackage"
check "... info notes the overlay" grep -q "Metadata.json, an overlay Xcode may show" "$TMP/out"

# -o writes the model's kind: a name that says another kind is refused
"$MKMODEL" nn "$TMP/k.mlmodel" >/dev/null 2>&1
expect_exit 2 "-o OUT.mlpackage for an .mlmodel: refused" "$MLPKG" meta set -o "$TMP/k-out.mlpackage" author X "$TMP/k.mlmodel"
check "... one line naming convert, nothing written" sh -c "one_line() { :; }; [ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q 'mlpkg convert changes it' '$TMP/err' && [ ! -e '$TMP/k-out.mlpackage' ]"
expect_exit 2 "-o OUT.zip for a package folder: refused" "$MLPKG" meta set -o "$TMP/xc-out.zip" author X "$TMP/xc.mlpackage"
expect_exit 0 "-o a name without a kind's suffix: written" "$MLPKG" meta set -o "$TMP/k-out" author X "$TMP/k.mlmodel"

# several models, one missing and one damaged: every other one edited, the
# highest status whatever the order
"$MKMODEL" nn "$TMP/s1.mlmodel" >/dev/null 2>&1
head -c 100 "$TMP/s1.mlmodel" >"$TMP/sbad.mlmodel"
expect_exit 4 "several models, a missing and a damaged one: the highest status (4)" "$MLPKG" meta set author S "$TMP/s1.mlmodel" "$TMP/snope.mlmodel" "$TMP/sbad.mlmodel"
expect_exit 4 "... in the other order too" "$MLPKG" meta set author T "$TMP/sbad.mlmodel" "$TMP/snope.mlmodel" "$TMP/s1.mlmodel"
check "... the good model edited" sh -c "[ \"\$('$MLPKG' meta get author '$TMP/s1.mlmodel')\" = T ]"

# twenty parallel edits of different keys lose nothing
"$MKMODEL" nn "$TMP/par.mlmodel" >/dev/null 2>&1
for i in $(seq 1 20); do "$MLPKG" meta set "par.key$i" "v$i" "$TMP/par.mlmodel" & done
wait
n=$("$MLPKG" meta list "$TMP/par.mlmodel" | grep -c '^par.key')
check "twenty parallel meta set: all twenty keys present ($n)" test "$n" -eq 20
"$MKMODEL" segmentation "$TMP/par.mlpackage" >/dev/null 2>&1
for i in $(seq 1 20); do "$MLPKG" meta set "par.key$i" "v$i" "$TMP/par.mlpackage" & done
wait
n=$("$MLPKG" meta list "$TMP/par.mlpackage" | grep -c '^par.key')
check "twenty parallel meta set on a package: all twenty ($n)" test "$n" -eq 20

# the real fixtures
# standard fields and user keys never collide: a user key named like each
# standard field or alias is userDefined.NAME everywhere
"$MKMODEL" nn "$TMP/uk.mlmodel" >/dev/null 2>&1 || not_ok "mkmodel nn"
"$MLPKG" meta set version 1.0 author A "$TMP/uk.mlmodel" 2>/dev/null
for k in author license version description shortDescription versionString preview.type preview.params userDefined.x; do
	"$MLPKG" meta set "userDefined.$k" "U-$k" "$TMP/uk.mlmodel" 2>/dev/null || not_ok "meta set userDefined.$k"
done
run "$MLPKG" meta list "$TMP/uk.mlmodel"
check "user keys named like standard fields are listed as userDefined.NAME" sh -c "grep -qx 'version: 1.0' '$TMP/out' && grep -qx 'userDefined.version: U-version' '$TMP/out' && grep -qx 'userDefined.author: U-author' '$TMP/out' && grep -qx 'userDefined.preview.type: U-preview.type' '$TMP/out' && grep -qx 'userDefined.userDefined.x: U-userDefined.x' '$TMP/out'"
check "... the standard fields stay as they were" sh -c "grep -qx 'author: A' '$TMP/out' && grep -qx 'license: MIT' '$TMP/out'"
run "$MLPKG" meta get version "$TMP/uk.mlmodel"
check "meta get version: the standard field" grep -qx '1.0' "$TMP/out"
run "$MLPKG" meta get userDefined.version "$TMP/uk.mlmodel"
check "meta get userDefined.version: the user key" grep -qx 'U-version' "$TMP/out"
run "$MLPKG" meta get userDefined.userDefined.x "$TMP/uk.mlmodel"
check "meta get userDefined.userDefined.x: the user key named userDefined.x" grep -qx 'U-userDefined.x' "$TMP/out"
if have_python; then
	py metadata "$TMP/uk.mlmodel" >"$TMP/py" 2>&1
	check "... stored as plain user keys (the independent decoder)" sh -c "grep -q '\"version\": \"U-version\"' '$TMP/py' && grep -q '\"userDefined.x\": \"U-userDefined.x\"' '$TMP/py' && grep -q '\"versionString\": \"1.0\"' '$TMP/py'"
	for c in "meta --json" "info --json"; do
		"$MLPKG" $c "$TMP/uk.mlmodel" >"$TMP/j" 2>/dev/null
		check "$c: no key twice in any object" "$PYTHON3" -c "
import json,sys
def hook(pairs):
    ks=[k for k,_ in pairs]
    assert len(ks)==len(set(ks)), ks
    return dict(pairs)
json.load(open('$TMP/j'), object_pairs_hook=hook)"
	done
else
	skip "no python3-protobuf/protoc for the independent decoder"
fi
expect_exit 0 "meta rm userDefined.version removes the user key" "$MLPKG" meta rm userDefined.version "$TMP/uk.mlmodel"
run "$MLPKG" meta get version "$TMP/uk.mlmodel"
check "... and leaves the standard field" grep -qx '1.0' "$TMP/out"
expect_exit 3 "... the user key is gone" "$MLPKG" meta get userDefined.version "$TMP/uk.mlmodel"

if fixtures_or_skip "meta set tutorial and byte-exact undo on asl, fritz, s4tf and catfeeder"; then
	copy_fixture "$FIXTURES/asl-HandPoseClassifier.mlmodel" asl.mlmodel
	tutorial "$TMP/asl.mlmodel" "asl .mlmodel (Create ML, 5 keys)" --force
	copy_fixture "$FIXTURES/fritz-hairseg-fast-4MB.mlmodel" hair.mlmodel
	tutorial "$TMP/hair.mlmodel" "fritz .mlmodel (no metadata keys)" --force
	copy_fixture "$FIXTURES/s4tf-s4tf_model-notype.mlmodel" notype.mlmodel
	tutorial "$TMP/notype.mlmodel" "s4tf model without a type" --force
	copy_fixture "$FIXTURES/catfeeder-yolov8n.mlpackage" cat.mlpackage
	w0=$(inode "$TMP/cat.mlpackage/Data/com.apple.CoreML/weights/weight.bin")
	tutorial "$TMP/cat.mlpackage" "catfeeder package"
	check "catfeeder package: weight.bin never rewritten" test "$w0" = "$(inode "$TMP/cat.mlpackage/Data/com.apple.CoreML/weights/weight.bin")"
fi

# list order is the file's order
if fixtures_or_skip "meta list order against the file's order (asl)" &&
	python_or_skip "meta list shows userDefined keys in file order"; then
	"$MLPKG" meta list "$FIXTURES/asl-HandPoseClassifier.mlmodel" | grep -v '^author:' | sed 's/: .*//' >"$TMP/ours"
	py userkeys "$FIXTURES/asl-HandPoseClassifier.mlmodel" >"$TMP/theirs"
	check "meta list shows userDefined keys in file order" sh -c "[ -s '$TMP/theirs' ] && cmp -s '$TMP/ours' '$TMP/theirs'"
fi

# a zip made from the fixture package, edited in place
if fixtures_or_skip "meta set and rm in place in a zip of the catfeeder package, -o to a new zip and package"; then
	(cd "$FIXTURES" && zip -q -r "$TMP/cat.mlpackage.zip" catfeeder-yolov8n.mlpackage)
	cp "$TMP/cat.mlpackage.zip" "$TMP/zip.orig"
	expect_exit 0 "zip: meta set preview.type in place" "$MLPKG" meta set preview.type imageSegmenter "$TMP/cat.mlpackage.zip"
	expect_exit 0 "zip: meta set preview.params in place" "$MLPKG" meta set preview.params "$VOC" "$TMP/cat.mlpackage.zip"
	check "zip: the value reads back" sh -c "[ \"\$('$MLPKG' meta get preview.type '$TMP/cat.mlpackage.zip')\" = imageSegmenter ]"
	check "zip: every other entry unchanged, the spec changed only in metadata" "$PYTHON3" -c "
import zipfile,sys
a=zipfile.ZipFile('$TMP/zip.orig'); b=zipfile.ZipFile('$TMP/cat.mlpackage.zip')
assert sorted(a.namelist())==sorted(b.namelist())
for n in a.namelist():
    if n.endswith('model.mlmodel'): continue
    assert a.read(n)==b.read(n), n
    assert a.getinfo(n).compress_type==b.getinfo(n).compress_type, n
"
	mkdir -p "$TMP/unz" && (cd "$TMP/unz" && unzip -q "$TMP/cat.mlpackage.zip")
	if python_or_skip "zip: python3-protobuf: everything but metadata equal"; then
		check "zip: python3-protobuf: everything but metadata equal" py equal --except-metadata "$FIXTURES/catfeeder-yolov8n.mlpackage" "$TMP/unz/catfeeder-yolov8n.mlpackage"
	fi
	"$MLPKG" meta rm preview.params "$TMP/cat.mlpackage.zip"; "$MLPKG" meta rm preview.type "$TMP/cat.mlpackage.zip"
	rm -rf "$TMP/unz"; mkdir -p "$TMP/unz" && (cd "$TMP/unz" && unzip -q "$TMP/cat.mlpackage.zip")
	check "zip: meta rm brings back the original spec bytes" cmp -s "$FIXTURES/catfeeder-yolov8n.mlpackage/Data/com.apple.CoreML/model.mlmodel" "$TMP/unz/catfeeder-yolov8n.mlpackage/Data/com.apple.CoreML/model.mlmodel"
	expect_exit 0 "zip: meta set -o a new zip" "$MLPKG" meta set -o "$TMP/new.zip" author someone "$TMP/cat.mlpackage.zip"
	check "zip -o: the new zip has it" sh -c "[ \"\$('$MLPKG' meta get author '$TMP/new.zip')\" = someone ]"
	expect_exit 0 "package: meta set -o a new package" "$MLPKG" meta set -o "$TMP/new.mlpackage" author someone "$FIXTURES/catfeeder-yolov8n.mlpackage"
	check "package -o: weight.bin copied exactly" cmp -s "$FIXTURES/catfeeder-yolov8n.mlpackage/Data/com.apple.CoreML/weights/weight.bin" "$TMP/new.mlpackage/Data/com.apple.CoreML/weights/weight.bin"
	check "package -o: Manifest.json copied exactly" cmp -s "$FIXTURES/catfeeder-yolov8n.mlpackage/Manifest.json" "$TMP/new.mlpackage/Manifest.json"
fi

# the undecodable fixture: clean refusal, nothing written
if fixtures_or_skip "meta set on the undecodable fixture refused, nothing written"; then
	copy_fixture "$FIXTURES/$UNDECODABLE" bad.mlmodel
	expect_exit 4 "undecodable fixture: meta set refused with exit 4" "$MLPKG" meta set author x "$TMP/bad.mlmodel"
	check "undecodable fixture: byte-identical afterwards" cmp -s "$FIXTURES/$UNDECODABLE" "$TMP/bad.mlmodel"
fi

# read-only fixtures (no write bits) are only read
if fixtures_or_skip "meta list on the read-only fixtures"; then
	expect_exit 0 "meta list on read-only fixtures" "$MLPKG" meta list "$FIXTURES/asl-HandPoseClassifier.mlmodel" "$FIXTURES/catfeeder-yolov8n.mlpackage"
fi
done_testing
