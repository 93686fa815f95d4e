#!/bin/sh
# t-hostile: packages and specs made to hurt: manifest paths leading out,
# links leading out (root spec, weights, the metadata overlay), missing and
# duplicated roots, duplicated JSON keys, zips with '..' entries, duplicated
# entries and sizes that lie, real high-ratio zips, specs nested thousands
# deep, lengths claiming more than the file holds, keys repeated 100000
# times.  Each is refused with a clear one-line error (or answered), in
# time, with nothing read or written outside.  Inputs come from
# tests/hostile.py.
. "${top_srcdir:-.}/tests/lib.sh"

if [ ! -x "$PYTHON3" ]; then
	skip "no python3 to make the inputs"
	done_testing
fi
H() { "$PYTHON3" "$top_srcdir/tests/hostile.py" "$@"; }
T=${MLPKG_HOSTILE_TIMEOUT:-60}
export MLPKG_LOCK_TIMEOUT=5

# a sanitizer build (address space limits do not apply to it)
sanitized() { nm "$MLPKG" 2>/dev/null | grep -q '__asan_init\|__ubsan_handle' || ldd "$MLPKG" 2>/dev/null | grep -q 'libasan\|libubsan'; }

# refused CODE DESC WHAT CMD...: exit CODE within $T s, one error line naming
# WHAT (a file name) and, when $want is set, matching it
refused() {
	_c=$1 _d=$2 _w=$3; shift 3
	timeout "$T" "$@" >"$TMP/out" 2>"$TMP/err"; rc=$?
	if [ "$rc" -eq "$_c" ] && [ "$(grep -vc '^mlpkg: warning:' "$TMP/err")" -eq 1 ] &&
		grep -v '^mlpkg: warning:' "$TMP/err" | grep -q "^mlpkg: .*$_w" &&
		{ [ -z "${want:-}" ] || grep -q "$want" "$TMP/err"; }; then
		ok "$_d"
	else
		not_ok "$_d (exit $rc, wanted $_c)"
		sed 's/^/# /' "$TMP/err" | cut -c1-300 | head -5
	fi
	want=
}

digest() { (cd "$1" && find . -print0 | sort -z | xargs -0 ls -ld --time-style=+%s.%N 2>/dev/null; find . -type f -print0 | sort -z | xargs -0 cat 2>/dev/null | cksum); }

"$MKMODEL" segmentation "$TMP/P.mlpackage" >/dev/null 2>&1
mkdir -p "$TMP/outside"
"$MKMODEL" nn "$TMP/outside/model.mlmodel" >/dev/null 2>&1
"$MLPKG" meta set author SECRET-OUTSIDE "$TMP/outside/model.mlmodel"
cp "$TMP/P.mlpackage/Data/com.apple.CoreML/weights/weight.bin" "$TMP/outside/weight.bin"
printf '{"author": "SECRET-OUTSIDE"}' >"$TMP/outside/Metadata.json"
mkdir "$TMP/outside/dir" && printf '{"author": "SECRET-OUTSIDE"}' >"$TMP/outside/dir/Metadata.json"
outside0=$(digest "$TMP/outside")
fresh() { rm -rf "${TMP:?}/${1:?}"; cp -R "$TMP/P.mlpackage" "$TMP/$1"; }
outside_same() {
	if [ "$(digest "$TMP/outside")" = "$outside0" ] && ! grep -q SECRET-OUTSIDE "$TMP/out" "$TMP/err" 2>/dev/null; then
		ok "$1: nothing outside changed or shown"
	else
		not_ok "$1: something outside changed or was shown"
	fi
}

# ---- Manifest.json -------------------------------------------------------------
for k in dotdot absolute; do
	fresh M-$k.mlpackage
	H manifest $k "$TMP/M-$k.mlpackage"
	want="outside the package" refused 4 "manifest root path ($k): refused" M-$k "$MLPKG" meta "$TMP/M-$k.mlpackage"
	refused 4 "manifest root path ($k): meta set refused" M-$k "$MLPKG" meta set author x "$TMP/M-$k.mlpackage"
	outside_same "manifest root path ($k)"
done
fresh M-noroot.mlpackage; H manifest no-root "$TMP/M-noroot.mlpackage"
want="names no item" refused 4 "rootModelIdentifier naming no item: refused" M-noroot "$MLPKG" meta "$TMP/M-noroot.mlpackage"
fresh M-missing.mlpackage; rm "$TMP/M-missing.mlpackage/Data/com.apple.CoreML/model.mlmodel"
want="missing" refused 4 "the root spec missing: refused" M-missing "$MLPKG" info "$TMP/M-missing.mlpackage"
fresh M-dupitem.mlpackage; H manifest dup-item "$TMP/M-dupitem.mlpackage"
want="duplicated item identifier" refused 4 "an item identifier given twice (duplicated root): refused" M-dupitem "$MLPKG" meta "$TMP/M-dupitem.mlpackage"
fresh M-duproot.mlpackage; H manifest dup-root "$TMP/M-duproot.mlpackage"
want="rootModelIdentifier" refused 4 "rootModelIdentifier given twice: refused" M-duproot "$MLPKG" meta "$TMP/M-duproot.mlpackage"
fresh M-duppath.mlpackage; H manifest dup-path "$TMP/M-duppath.mlpackage"
want="path" refused 4 "path given twice in the root item: refused" M-duppath "$MLPKG" dump "$TMP/M-duppath.mlpackage"
fresh M-newer.mlpackage; H manifest newer "$TMP/M-newer.mlpackage"
want="newer" refused 4 "fileFormatVersion 2.0.0: refused" M-newer "$MLPKG" meta "$TMP/M-newer.mlpackage"
fresh M-huge.mlpackage; H manifest huge-version "$TMP/M-huge.mlpackage"
want="newer" refused 4 "fileFormatVersion with a number too big to read: refused" M-huge "$MLPKG" meta "$TMP/M-huge.mlpackage"
printf '%s' "$("$PYTHON3" -c 'print("[" * 100000 + "]" * 100000)')" >"$TMP/deep.json"
fresh M-deep.mlpackage; cp "$TMP/deep.json" "$TMP/M-deep.mlpackage/Manifest.json"
refused 4 "Manifest.json nested 100000 deep: refused" M-deep "$MLPKG" meta "$TMP/M-deep.mlpackage"

# ---- links leading outside -------------------------------------------------------
fresh L-spec.mlpackage
ln -sf "$TMP/outside/model.mlmodel" "$TMP/L-spec.mlpackage/Data/com.apple.CoreML/model.mlmodel"
want="outside the package" refused 4 "root spec linked outside: meta refused" L-spec "$MLPKG" meta "$TMP/L-spec.mlpackage"
outside_same "root spec linked outside: meta"
refused 4 "root spec linked outside: meta set refused" L-spec "$MLPKG" meta set author x "$TMP/L-spec.mlpackage"
refused 4 "root spec linked outside: dump refused" L-spec "$MLPKG" dump "$TMP/L-spec.mlpackage"
outside_same "root spec linked outside: meta set, dump"
check "root spec linked outside: the link is still a link" test -L "$TMP/L-spec.mlpackage/Data/com.apple.CoreML/model.mlmodel"
fresh L-man.mlpackage
"$PYTHON3" -c 'import json,sys; m=json.load(open(sys.argv[1])); m["fileFormatVersion"]="SECRET-OUTSIDE"; json.dump(m,open(sys.argv[2],"w"))' \
	"$TMP/P.mlpackage/Manifest.json" "$TMP/outside/Manifest.json"
outside0=$(digest "$TMP/outside")
ln -sf "$TMP/outside/Manifest.json" "$TMP/L-man.mlpackage/Manifest.json"
want="Manifest.json leads outside" refused 4 "Manifest.json linked outside: not read" L-man "$MLPKG" meta "$TMP/L-man.mlpackage"
outside_same "Manifest.json linked outside"
fresh L-data.mlpackage
mv "$TMP/L-data.mlpackage/Data" "$TMP/outside-data"; ln -s "$TMP/outside-data" "$TMP/L-data.mlpackage/Data"
refused 4 "the Data folder linked outside: refused" L-data "$MLPKG" meta set author x "$TMP/L-data.mlpackage"
check "the Data folder linked outside: the spec there untouched" cmp -s "$TMP/outside-data/com.apple.CoreML/model.mlmodel" "$TMP/P.mlpackage/Data/com.apple.CoreML/model.mlmodel"
fresh L-w.mlpackage
ln -sf "$TMP/outside/weight.bin" "$TMP/L-w.mlpackage/Data/com.apple.CoreML/weights/weight.bin"
if "$MLPKG" --complete-commands | grep -qx weights; then
	want="outside the package" refused 4 "weight.bin linked outside: weights refused" L-w "$MLPKG" weights "$TMP/L-w.mlpackage"
	if "$MLPKG" weights --help | grep -q -- '--extract'; then
		name=$("$MLPKG" weights --json "$TMP/P.mlpackage" 2>/dev/null | "$PYTHON3" -c 'import json,sys
d=json.load(sys.stdin)["models"][0]; w=d["weights"]
print(w[0]["name"] if w and isinstance(w[0],dict) and "name" in w[0] else "")' 2>/dev/null)
		if [ -n "$name" ]; then
			refused 4 "weight.bin linked outside: weights --extract refused" L-w "$MLPKG" weights --extract "$name" -o "$TMP/w.out" "$TMP/L-w.mlpackage"
			check "... nothing extracted" test ! -s "$TMP/w.out"
		else
			not_ok "weight.bin linked outside: no weight name found to extract"
		fi
	fi
else
	skip "no weights command: weight.bin is not read by any command"
fi
expect_exit 0 "weight.bin linked outside: meta set still edits the spec" "$MLPKG" meta set author x "$TMP/L-w.mlpackage"
outside_same "weight.bin linked outside"
check "weight.bin linked outside: the link is still a link" test -L "$TMP/L-w.mlpackage/Data/com.apple.CoreML/weights/weight.bin"
fresh L-ov.mlpackage
ln -s "$TMP/outside/Metadata.json" "$TMP/L-ov.mlpackage/Data/com.apple.CoreML/Metadata.json"
expect_exit 0 "overlay linked outside: meta set author" "$MLPKG" meta set author x "$TMP/L-ov.mlpackage"
check "... warns that the overlay was left as it was" grep -q "symbolic link: left as it was" "$TMP/err"
outside_same "overlay linked outside"
check "... the link is still a link" test -L "$TMP/L-ov.mlpackage/Data/com.apple.CoreML/Metadata.json"
fresh L-ovdir.mlpackage
(cd "$TMP/L-ovdir.mlpackage/Data" && mv com.apple.CoreML other && ln -s "$TMP/outside/dir" com.apple.CoreML)
sed 's#com.apple.CoreML/#other/#' "$TMP/L-ovdir.mlpackage/Manifest.json" >"$TMP/man" && cp "$TMP/man" "$TMP/L-ovdir.mlpackage/Manifest.json"
expect_exit 0 "overlay folder linked outside (root spec elsewhere): meta set author" "$MLPKG" meta set author x "$TMP/L-ovdir.mlpackage"
check "... warns that the overlay leads outside" grep -q "leads outside the package: left as it was" "$TMP/err"
outside_same "overlay folder linked outside"

# ---- zips --------------------------------------------------------------------------
mkdir -p "$TMP/z/in"
for k in dotdot absolute; do
	H zip $k "$TMP/P.mlpackage" "$TMP/z/in/$k.zip"
	expect_exit 0 "zip with a $k entry: meta reads the package" "$MLPKG" meta "$TMP/z/in/$k.zip"
	expect_exit 0 "zip with a $k entry: meta set in place" "$MLPKG" meta set author x "$TMP/z/in/$k.zip"
	check "zip with a $k entry: nothing written outside" sh -c "[ ! -e '$TMP/z/evil.txt' ] && [ ! -e '$TMP/evil.txt' ] && [ ! -e /evil.txt ] && [ -z \"\$(ls -A '$TMP/z/in' | grep -v '[.]zip\$')\" ]"
	if "$MLPKG" --complete-commands | grep -qx unpack; then
		mkdir -p "$TMP/z/un-$k"
		refused 4 "zip with a $k entry: unpack refused" "$k.zip" "$MLPKG" unpack -o "$TMP/z/un-$k" "$TMP/z/in/$k.zip"
		check "... nothing written" sh -c "[ -z \"\$(ls -A '$TMP/z/un-$k')\" ] && [ ! -e '$TMP/z/evil.txt' ] && [ ! -e /evil.txt ]"
	fi
done
H zip manifest-dotdot "$TMP/P.mlpackage" "$TMP/z/mdd.zip"
want="outside the package" refused 4 "zip whose manifest leads outside: refused" mdd.zip "$MLPKG" meta "$TMP/z/mdd.zip"
H zip dup "$TMP/P.mlpackage" "$TMP/z/dup.zip"
want="two entries" refused 4 "zip holding the spec twice: refused" dup.zip "$MLPKG" meta "$TMP/z/dup.zip"
cp "$TMP/z/dup.zip" "$TMP/z/dup.copy"
refused 4 "zip holding the spec twice: meta set refused" dup.zip "$MLPKG" meta set author x "$TMP/z/dup.zip"
check "... the zip byte-identical" cmp -s "$TMP/z/dup.zip" "$TMP/z/dup.copy"
for k in lie-deflate lie-stored lie-stored-big; do
	H zip $k "$TMP/P.mlpackage" "$TMP/z/$k.zip"
	if sanitized; then
		refused 4 "zip entry claiming 4 GB ($k): refused" "$k.zip" "$MLPKG" meta "$TMP/z/$k.zip"
	else
		refused 4 "zip entry claiming 4 GB ($k): refused, in 256 MB of address space" "$k.zip" \
			sh -c "ulimit -v 262144; exec '$MLPKG' meta '$TMP/z/$k.zip'"
	fi
done
H zip bomb "$TMP/P.mlpackage" "$TMP/z/bomb.zip"
diag "a 64 MiB spec of zeros zipped into $(wc -c <"$TMP/z/bomb.zip") bytes"
refused 4 "zip with a real 1000:1 entry (64 MiB of zeros): a clean error" bomb.zip "$MLPKG" meta "$TMP/z/bomb.zip"
if "$MLPKG" --complete-commands | grep -qx unpack; then
	mkdir -p "$TMP/z/un-bomb"
	timeout "$T" "$MLPKG" unpack -o "$TMP/z/un-bomb" "$TMP/z/bomb.zip" >/dev/null 2>"$TMP/err"; rc=$?
	check "zip with a real 1000:1 entry: unpack ends in time with a clean answer (exit $rc)" test $rc -le 5
fi

# ---- specs made to hurt ------------------------------------------------------------
CMDS="dump|dump --json|meta|meta get author|info|info --json|io|layers|layers --json|weights|labels|get description|get --json pipeline|check|check --json|graph|rename --dry-run x y|describe --dry-run x y"
have_cmd() { "$MLPKG" --complete-commands | grep -qx "$1"; }
for k in pipeline loop mil type group unknown; do
	H deep $k 5000 "$TMP/deep-$k.mlmodel"
	cp "$TMP/deep-$k.mlmodel" "$TMP/deep.copy"
	bad=""
	IFS='|'
	for c in $CMDS; do
		IFS=' '
		set -- $c
		have_cmd "$1" || continue
		timeout "$T" "$MLPKG" "$@" "$TMP/deep-$k.mlmodel" >/dev/null 2>"$TMP/err"; rc=$?
		# (check answers "problems found" with exit 1)
		if [ $rc -ge 6 ] || { [ $rc -ne 0 ] && ! { [ "$1" = check ] && [ $rc -eq 1 ]; } &&
			[ "$(grep -vc '^mlpkg: warning:' "$TMP/err")" -ne 1 ]; }; then
			bad="$bad [$c: exit $rc $(head -c 200 "$TMP/err")]"
		fi
		IFS='|'
	done
	IFS=' '
	if have_cmd diff; then
		timeout "$T" "$MLPKG" diff "$TMP/deep-$k.mlmodel" "$TMP/deep.copy" >/dev/null 2>"$TMP/err"; rc=$?
		[ $rc -ge 6 ] || { [ $rc -gt 1 ] && [ "$(grep -vc '^mlpkg: warning:' "$TMP/err")" -ne 1 ]; } && bad="$bad [diff: exit $rc $(head -c 200 "$TMP/err")]"
	fi
	timeout "$T" "$MLPKG" meta set author x "$TMP/deep-$k.mlmodel" >/dev/null 2>"$TMP/err"; rc=$?
	if [ "$k" = unknown ]; then
		[ $rc -eq 0 ] || bad="$bad [meta set: exit $rc]"
	elif [ "$k" = group ]; then
		[ $rc -eq 4 ] || bad="$bad [meta set: exit $rc]"
	else
		[ $rc -eq 4 ] && grep -q "too deeply" "$TMP/err" || bad="$bad [meta set: exit $rc $(head -c 200 "$TMP/err")]"
		cmp -s "$TMP/deep-$k.mlmodel" "$TMP/deep.copy" || bad="$bad [meta set changed the file]"
	fi
	if [ -z "$bad" ]; then ok "nested 5000 deep ($k): every command answers or refuses cleanly"; else not_ok "nested 5000 deep ($k):$bad"; fi
done
want="too deeply" refused 4 "pipelines 5000 deep: dump says nested too deeply" deep-pipeline "$MLPKG" dump "$TMP/deep-pipeline.mlmodel"

H huge-length "$TMP/huge.mlmodel"
if sanitized; then
	refused 4 "a field claiming 2^60 bytes: refused" huge.mlmodel "$MLPKG" dump "$TMP/huge.mlmodel"
else
	refused 4 "a field claiming 2^60 bytes: refused, in 256 MB of address space" huge.mlmodel \
		sh -c "ulimit -v 262144; exec '$MLPKG' dump '$TMP/huge.mlmodel'"
fi

# quadratic traps: a key repeated 100000 times, 100000 distinct keys
H many dup 100000 "$TMP/dup.mlmodel"
start=$(date +%s)
expect_exit 0 "100000 entries of one key: meta rm in time" timeout "$T" "$MLPKG" meta rm k "$TMP/dup.mlmodel"
check "... all of them removed" sh -c "! '$MLPKG' meta get k '$TMP/dup.mlmodel' >/dev/null 2>&1"
H many dup 100000 "$TMP/dup.mlmodel"
expect_exit 0 "100000 entries of one key: meta set in time" timeout "$T" "$MLPKG" meta set k new "$TMP/dup.mlmodel"
check "... one entry left, with the new value" sh -c "[ \"\$('$MLPKG' meta '$TMP/dup.mlmodel' | grep -c '^k:')\" = 1 ] && [ \"\$('$MLPKG' meta get k '$TMP/dup.mlmodel')\" = new ]"
H many distinct 100000 "$TMP/many.mlmodel"
expect_exit 0 "100000 distinct keys: meta lists them in time" timeout "$T" "$MLPKG" meta "$TMP/many.mlmodel"
check "... all of them" test "$(wc -l <"$TMP/out")" -eq 100001
expect_exit 0 "100000 distinct keys: meta --json in time" timeout "$T" "$MLPKG" meta --json "$TMP/many.mlmodel"
diag "quadratic traps: $(($(date +%s) - start)) s"
done_testing
