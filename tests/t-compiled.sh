#!/bin/sh
# t-compiled: compiled model folders (.mlmodelc, what apps ship), made by
# mkmodel in the layout Xcode gives them: info, io, meta list/get and check
# read metadata.json; every edit is refused with exit 2 and changes nothing.
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
check "info: the operation histogram" sh -c "grep -q '^operations (by type):' '$TMP/out' && grep -q '^  Ios16.conv: 2' '$TMP/out'"
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
expect_exit 4 "a command that does not read compiled folders says so" "$MLPKG" layers "$P"
check "... naming the ones that do" grep -q 'reads only with info, io, meta list/get and check' "$TMP/err"

# a metadata.json that is a link leading outside the folder is not read
cp -R "$P" "$TMP/Ln.mlmodelc"
mv "$TMP/Ln.mlmodelc/metadata.json" "$TMP/outside-metadata.json"
ln -s "$TMP/outside-metadata.json" "$TMP/Ln.mlmodelc/metadata.json"
expect_exit 4 "metadata.json linked outside the folder: refused" "$MLPKG" info "$TMP/Ln.mlmodelc"
check "... said in one line" sh -c "grep -q \"Ln.mlmodelc': metadata.json leads outside the compiled folder\" '$TMP/err' && [ \$(wc -l <'$TMP/err') -eq 1 ]"
mkdir "$TMP/Ln.mlmodelc/sub" && mv "$TMP/outside-metadata.json" "$TMP/Ln.mlmodelc/sub/m.json" && ln -sf sub/m.json "$TMP/Ln.mlmodelc/metadata.json"
expect_exit 0 "... a link inside the folder is read" "$MLPKG" info "$TMP/Ln.mlmodelc"

done_testing
