#!/bin/sh
# t-concurrency: many processes editing one model at once (set and rm mixed,
# on an .mlmodel, a package and a zip) lose no update and leave no temp file,
# while readers always see a whole model; a lock held by someone else makes
# an edit give up after $MLPKG_LOCK_TIMEOUT seconds with a clear message
# (exit 5, the model unchanged), never wait forever, and never stops readers.
. "${top_srcdir:-.}/tests/lib.sh"

N=${MLPKG_CONCURRENCY:-10}

# mixed LABEL MODEL: N sets of new keys and N removals of old keys at once
mixed() {
	_l=$1 _m=$2
	for i in $(seq 1 $N); do "$MLPKG" meta set "old.key$i" "o$i" "$_m" || return 1; done
	: >"$TMP/readers.bad"
	(
		end=$(($(date +%s) + 60))
		while [ ! -e "$TMP/stop" ] && [ "$(date +%s)" -lt $end ]; do
			"$MLPKG" meta get author "$_m" >/dev/null 2>"$TMP/reader.err" || cat "$TMP/reader.err" >>"$TMP/readers.bad"
			"$MLPKG" dump "$_m" >/dev/null 2>"$TMP/reader.err" || cat "$TMP/reader.err" >>"$TMP/readers.bad"
		done
	) &
	rpid=$!
	pids=""
	for i in $(seq 1 $N); do
		"$MLPKG" meta set "new.key$i" "n$i" "$_m" 2>>"$TMP/writers.err" &
		pids="$pids $!"
		"$MLPKG" meta rm "old.key$i" "$_m" 2>>"$TMP/writers.err" &
		pids="$pids $!"
	done
	fails=0
	for p in $pids; do wait "$p" || fails=$((fails + 1)); done
	: >"$TMP/stop"
	wait "$rpid"
	rm -f "$TMP/stop"
	check "$_l: $((2 * N)) parallel edits (set and rm) all succeed ($fails failed)" test $fails -eq 0
	"$MLPKG" meta "$_m" >"$TMP/list"
	check "$_l: every new key is there, every removed key gone" sh -c "[ \$(grep -c '^new[.]key' '$TMP/list') -eq $N ] && ! grep -q '^old[.]key' '$TMP/list'"
	check "$_l: readers always saw a whole model" test ! -s "$TMP/readers.bad"
	[ -s "$TMP/readers.bad" ] && sed 's/^/# /' "$TMP/readers.bad" | head -5
	check "$_l: it decodes" "$MLPKG" dump "$_m"
	_d=$(dirname "$_m")
	[ -d "$_m" ] && _d="$_m/Data/com.apple.CoreML"
	check "$_l: no temp file left" sh -c "[ -z \"\$(ls -A '$_d' | grep 'mlpkg-\|[.][A-Za-z0-9]\{6\}\$')\" ]"
}

mkdir -p "$TMP/m" "$TMP/p" "$TMP/z"
"$MKMODEL" nn "$TMP/m/Net.mlmodel" >/dev/null 2>&1
mixed ".mlmodel" "$TMP/m/Net.mlmodel"
"$MKMODEL" segmentation "$TMP/p/Seg.mlpackage" >/dev/null 2>&1
mixed "package" "$TMP/p/Seg.mlpackage"
"$MKMODEL" segmentation "$TMP/z/Seg.mlpackage" >/dev/null 2>&1
(cd "$TMP/z" && zip -q -r Seg.mlpackage.zip Seg.mlpackage && rm -rf Seg.mlpackage)
mixed "zip" "$TMP/z/Seg.mlpackage.zip"

# ---- the lock ---------------------------------------------------------------------
if ! command -v flock >/dev/null; then
	skip "lock timeout: no flock(1) (util-linux)"
	done_testing
fi
# held LOCKFILE SECONDS: holds an exclusive lock on LOCKFILE (as mlpkg takes it) in the background
held() {
	flock -x "$1" sleep "$2" >/dev/null 2>&1 &
	holder=$!
	# wait until it holds it
	for _ in $(seq 1 200); do flock -xn "$1" true 2>/dev/null || return 0; sleep 0.01; done
}
# ends the holder and its sleep (which holds the lock too)
kill_holder() {
	pkill -P "$holder" 2>/dev/null
	kill "$holder" 2>/dev/null
	wait "$holder" 2>/dev/null
}
locktest() {
	_l=$1 _m=$2 _lock=$3
	cp -R "$_m" "$TMP/lock.copy"
	held "$_lock" 10
	start=$(date +%s)
	MLPKG_LOCK_TIMEOUT=1 "$MLPKG" meta set author locked "$_m" >"$TMP/out" 2>"$TMP/err"; rc=$?
	el=$(($(date +%s) - start))
	check "$_l, locked by another process: exit 5 after MLPKG_LOCK_TIMEOUT=1 (exit $rc, about ${el} s)" \
		sh -c "[ $rc -eq 5 ] && [ $el -le 5 ]"
	check "... a one-line message naming the model and MLPKG_LOCK_TIMEOUT" sh -c "[ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q 'locked by another process.*MLPKG_LOCK_TIMEOUT' '$TMP/err' && grep -q '$(basename "$_m")' '$TMP/err'"
	check "... the model unchanged" diff -r "$TMP/lock.copy" "$_m"
	expect_exit 0 "$_l, locked: reading does not wait for the lock" timeout 5 "$MLPKG" meta get author "$_m"
	MLPKG_LOCK_TIMEOUT=0 "$MLPKG" meta set author locked "$_m" >/dev/null 2>&1; rc=$?
	check "$_l, locked: MLPKG_LOCK_TIMEOUT=0 gives up at once (exit $rc)" test $rc -eq 5
	kill_holder
	held "$_lock" 1
	expect_exit 0 "$_l: an edit waits for a lock released within MLPKG_LOCK_TIMEOUT" env MLPKG_LOCK_TIMEOUT=20 "$MLPKG" meta set author waited "$_m"
	wait "$holder" 2>/dev/null
	check "... and is done" sh -c "[ \"\$('$MLPKG' meta get author '$_m')\" = waited ]"
	rm -rf "$TMP/lock.copy"
}
locktest ".mlmodel" "$TMP/m/Net.mlmodel" "$TMP/m/Net.mlmodel"
locktest "package" "$TMP/p/Seg.mlpackage" "$TMP/p/Seg.mlpackage/Data/com.apple.CoreML/model.mlmodel"
locktest "zip" "$TMP/z/Seg.mlpackage.zip" "$TMP/z/Seg.mlpackage.zip"

MLPKG_LOCK_TIMEOUT=nan "$MLPKG" meta set author nan "$TMP/m/Net.mlmodel" >"$TMP/out" 2>"$TMP/err"; rc=$?
check "MLPKG_LOCK_TIMEOUT that is not a number: a warning, the default used (exit $rc)" sh -c "[ $rc -eq 0 ] && grep -q 'not a number of seconds' '$TMP/err'"
done_testing
