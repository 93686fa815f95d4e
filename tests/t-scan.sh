#!/bin/sh
# t-scan: mlpkg scan over an app-like tree and its .ipa (compiled models, a
# nested pipeline member, an .mlmodel and a package), JSON, exit codes, and
# hostile archives refused as unpack refuses them, nothing written.
. "${top_srcdir:-.}/tests/lib.sh"
H() { "$PYTHON3" "$top_srcdir/tests/hostile.py" "$@"; }

A="$TMP/Payload/Demo.app"
mkdir -p "$A/Pipe.mlmodelc"
"$MKMODEL" compiledprogram "$A/Patterns.mlmodelc" >/dev/null 2>&1 || not_ok "mkmodel compiledprogram"
"$MKMODEL" compilednn "$A/Pipe.mlmodelc/model0.mlmodelc" >/dev/null 2>&1 || not_ok "mkmodel compilednn"
cp "$A/Patterns.mlmodelc/metadata.json" "$A/Patterns.mlmodelc/coremldata.bin" "$A/Pipe.mlmodelc/"
"$MKMODEL" nn "$A/Tiny.mlmodel" >/dev/null 2>&1 || not_ok "mkmodel nn"
"$MKMODEL" segmentation "$A/Seg.mlpackage" >/dev/null 2>&1 || not_ok "mkmodel segmentation"
echo "not a model" >"$A/Info.plist"

expect_exit 0 "scan a folder" "$MLPKG" scan "$TMP/Payload"
check "scan: five models, in name order" sh -c "[ \"\$(grep -c '^/' '$TMP/out')\" -eq 5 ] && grep '^/' '$TMP/out' | LC_ALL=C sort -c"
check "scan: the nested pipeline member" grep -q 'Pipe.mlmodelc/model0.mlmodelc$' "$TMP/out"
check "scan: a compiled folder's own subfolders are no models" sh -c "! grep -q 'analytics\|/model\$' '$TMP/out'"
check "scan: kind, spec version, author" grep -q 'mlmodelc, [0-9]* bytes, neuralNetwork, spec 4, by mlpkg tests' "$TMP/out"
check "scan: inputs -> outputs" grep -q '^  image, threshold -> scores$' "$TMP/out"
check "scan: an .mlmodel and a package read from their headers" sh -c "grep -q 'mlmodel, [0-9]* bytes, neuralNetwork, spec 4' '$TMP/out' && grep -q 'mlpackage, [0-9]* bytes, mlProgram, spec 7' '$TMP/out'"

if [ -x "$PYTHON3" ]; then
	H zip plain "$TMP/Payload" "$TMP/Demo.ipa"
	expect_exit 0 "scan an .ipa" "$MLPKG" scan --json "$TMP/Demo.ipa"
	check "scan --json: one object, every model with its path inside the archive" "$PYTHON3" -c "
import json
d = json.load(open('$TMP/out'))
assert d['version'] == 1, d
p = sorted(m['model'].split('Demo.ipa/')[1] for m in d['models'])
assert p == ['Payload/Demo.app/Patterns.mlmodelc', 'Payload/Demo.app/Pipe.mlmodelc',
	'Payload/Demo.app/Pipe.mlmodelc/model0.mlmodelc', 'Payload/Demo.app/Seg.mlpackage',
	'Payload/Demo.app/Tiny.mlmodel'], p
c = [m for m in d['models'] if m['model'].endswith('model0.mlmodelc')][0]
assert c['format'] == 'mlmodelc' and c['kind'] == 'neuralNetwork', c
assert c['specificationVersion'] == 4 and c['author'] == 'mlpkg tests' and c['size'] > 0, c
assert c['inputs'] == ['image', 'threshold'] and c['outputs'] == ['scores'], c
t = [m for m in d['models'] if m['model'].endswith('Tiny.mlmodel')][0]
assert t['kind'] == 'neuralNetwork' and t['specificationVersion'] == 4 and t['author'] == 'mlpkg examples', t
assert t['inputs'] == ['input'] and t['outputs'] == ['output'], t
g = [m for m in d['models'] if m['model'].endswith('Seg.mlpackage')][0]
assert g['kind'] == 'mlProgram' and g['specificationVersion'] == 7 and g['outputs'] == ['semanticPredictions'], g
"
	check "zipped models are described as on disk" sh -c "'$MLPKG' scan '$TMP/Payload' | grep -A2 'Tiny.mlmodel\$' | sed 1d >'$TMP/d1'; '$MLPKG' scan '$TMP/Demo.ipa' | grep -A2 'Tiny.mlmodel\$' | sed 1d >'$TMP/z1'; [ -s '$TMP/d1' ] && cmp -s '$TMP/d1' '$TMP/z1'"
	"$PYTHON3" -c "
import zipfile
with zipfile.ZipFile('$TMP/junk.zip', 'w') as z:
    z.writestr('Junk.mlmodel', b'version https://git-lfs.github.com/spec/v1\\n')
"
	expect_exit 0 "a zipped .mlmodel that is no spec" "$MLPKG" scan "$TMP/junk.zip"
	check "... is listed by name and size only" sh -c "grep -q 'Junk.mlmodel\$' '$TMP/out' && grep -qx '  mlmodel, [0-9]* bytes' '$TMP/out'"
	rm -f "$TMP/d1" "$TMP/z1" "$TMP/junk.zip"
	check "scan wrote nothing beside the archive" sh -c "[ \"\$(ls '$TMP' | LC_ALL=C sort | tr '\n' ' ')\" = 'Demo.ipa Payload err out ' ]"
	for k in dotdot absolute link-out lie-deflate; do
		H zip $k "$TMP/Payload" "$TMP/$k.ipa"
		expect_exit 4 "hostile archive ($k) refused" "$MLPKG" scan "$TMP/$k.ipa"
		check "... in one line naming it" sh -c "[ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q '$k.ipa' '$TMP/err'"
		check "... listing nothing" test ! -s "$TMP/out"
	done
	H zip bomb "$A/Seg.mlpackage" "$TMP/bomb.zip"
	run timeout 60 "$MLPKG" scan "$TMP/bomb.zip"
	check "a real 1000:1 entry: listed in time without being inflated (exit $rc)" test $rc -eq 0
	check "hostile archives left no file behind" sh -c "! ls / '$TMP/..' | grep -q evil"
	expect_exit 4 "a hostile archive among good paths: the worst status" "$MLPKG" scan "$TMP/Payload" "$TMP/dotdot.ipa"
	check "... the good ones still listed" grep -q 'Tiny.mlmodel' "$TMP/out"
else
	skip "scan of archives: no python3"
fi

mkdir "$TMP/empty"
expect_exit 3 "nothing found: exit 3" "$MLPKG" scan "$TMP/empty"
check "... said in one line" one_line_error
expect_exit 3 "a missing path: exit 3" "$MLPKG" scan "$TMP/nowhere"
check "... naming it" grep -q nowhere "$TMP/err"
expect_exit 2 "no path: a usage error" "$MLPKG" scan
expect_exit 0 "--json on a single .mlmodel" "$MLPKG" scan --json "$TMP/Payload/Demo.app/Tiny.mlmodel"

# progress: on a terminal only, cleared before each model listed
expect_exit 0 "scan with standard error not a terminal" "$MLPKG" scan "$TMP/Payload"
check "... draws no progress line" sh -c "! grep -q 'scanning' '$TMP/err'"
if command -v script >/dev/null 2>&1 && script -qec true /dev/null >/dev/null 2>&1; then
	script -qec "'$MLPKG' scan '$TMP/Payload'" /dev/null >"$TMP/tty" 2>&1
	check "on a terminal: a progress line of folders and models" grep -q 'mlpkg: scanning: [0-9]* folders, [0-9]* models' "$TMP/tty"
	tr -d '\r' <"$TMP/tty" | sed 's/\x1b\[K//g; s/mlpkg: scanning: [^/]*//' >"$TMP/tty-clean"
	check "... and the listing whole beside it" sh -c "[ \"\$(grep -c '/Payload/Demo.app/' '$TMP/tty-clean')\" -ge 5 ] && grep -q '^  image, threshold -> scores\$' '$TMP/tty-clean'"
else
	skip "progress on a terminal: no script(1) to make one"
fi
# a folder that cannot be listed: said, the rest scanned
if [ "$(id -u)" -ne 0 ]; then
	mkdir -p "$TMP/Locked/in" && cp "$TMP/Payload/Demo.app/Tiny.mlmodel" "$TMP/Locked/" && chmod 000 "$TMP/Locked/in"
	expect_exit 0 "scan past a folder it cannot list" "$MLPKG" scan "$TMP/Locked"
	check "... warning about it by name" grep -q "Locked/in': cannot list the folder" "$TMP/err"
	chmod 700 "$TMP/Locked/in"
else
	skip "a folder scan cannot list: running as root, which lists every folder"
fi

done_testing
