#!/bin/sh
# t-faults: writes that fail or are cut short.  A full disk, a read-only
# folder and a folder we may not write to: exit 5, one line naming the file,
# the original byte-identical, no temp file left (for .mlmodel, package and
# zip, in place and with -o).  SIGKILL in the middle of saving a big
# .mlmodel: the old file or the new one, never a mix, and the next edit works
# (and removes the killed edits' temp files once they are old).  SIGINT,
# SIGTERM and SIGHUP in the middle of a save: the temp file removed; an
# ignored SIGHUP (nohup) does not stop the edit.
#   MLPKG_FAULTS_BIG_SIZE   size of the model killed mid-save (default 512M)
. "${top_srcdir:-.}/tests/lib.sh"

MNT=""
cleanup() {
	[ -n "$MNT" ] && umount "$MNT" 2>/dev/null
	[ -n "${IMM:-}" ] && chattr -i "$IMM" 2>/dev/null
	chmod -R u+w "$TMP" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
export MLPKG_LOCK_TIMEOUT=10

# clean_fail DESC FILE ORIG CMD...: exit 5, one error line naming FILE, FILE
# byte-identical to ORIG (files or folders), no temp file beside it
clean_fail() {
	_d=$1 _f=$2 _o=$3; shift 3
	"$@" >"$TMP/out" 2>"$TMP/err"; rc=$?
	_dir=$(dirname "$_f")
	_left=$(ls -A "$_dir" | grep 'mlpkg-\|[.][A-Za-z0-9]\{6\}$' | grep -v '^[.]*$')
	if [ $rc -eq 5 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "$(basename "$_f")" "$TMP/err" &&
		diff -r "$_o" "$_f" >/dev/null 2>&1 && [ -z "$_left" ]; then
		ok "$_d"
	else
		not_ok "$_d (exit $rc${_left:+, left: $_left})"
		sed 's/^/# /' "$TMP/err" | head -5
	fi
}

"$MKMODEL" bignn "$TMP/big.mlmodel" --size 600K >/dev/null 2>&1
"$MLPKG" convert -o "$TMP/bigspec.mlpackage" "$TMP/big.mlmodel" >/dev/null 2>&1 ||
	{ mkdir -p "$TMP/bigspec.mlpackage"; "$MKMODEL" segmentation "$TMP/bigspec.mlpackage" >/dev/null 2>&1
	  cp "$TMP/big.mlmodel" "$TMP/bigspec.mlpackage/Data/com.apple.CoreML/model.mlmodel"; }
(cd "$TMP" && zip -q -0 -r big.mlpackage.zip bigspec.mlpackage)

# ---- a full disk -------------------------------------------------------------------
mkdir -p "$TMP/full"
if mount -t tmpfs -o size=1m mlpkg-test "$TMP/full" 2>/dev/null; then
	MNT="$TMP/full"
	diag "full disk: a 1 MiB tmpfs"
	cp "$TMP/big.mlmodel" "$TMP/full/m.mlmodel"
	clean_fail "full disk, .mlmodel in place: exit 5, original intact, no temp file" "$TMP/full/m.mlmodel" "$TMP/big.mlmodel" \
		"$MLPKG" meta set author full "$TMP/full/m.mlmodel"
	check "... the space is free again" sh -c "[ \$(du -k '$TMP/full' | tail -1 | cut -f1) -lt 700 ]"
	rm -f "$TMP/full/m.mlmodel"
	cp -R "$TMP/bigspec.mlpackage" "$TMP/full/p.mlpackage"
	clean_fail "full disk, package in place: exit 5, package intact, no temp file" "$TMP/full/p.mlpackage/Data/com.apple.CoreML/model.mlmodel" \
		"$TMP/bigspec.mlpackage/Data/com.apple.CoreML/model.mlmodel" "$MLPKG" meta set author full "$TMP/full/p.mlpackage"
	check "... nothing else in the package changed" diff -r "$TMP/bigspec.mlpackage" "$TMP/full/p.mlpackage"
	rm -rf "$TMP/full/p.mlpackage"
	cp "$TMP/big.mlpackage.zip" "$TMP/full/z.zip"
	clean_fail "full disk, zip in place: exit 5, zip intact, no temp file" "$TMP/full/z.zip" "$TMP/big.mlpackage.zip" \
		"$MLPKG" meta set author full "$TMP/full/z.zip"
	rm -f "$TMP/full/z.zip"
	head -c 600000 /dev/zero >"$TMP/full/filler"
	"$MLPKG" meta set -o "$TMP/full/out.mlmodel" author full "$TMP/big.mlmodel" >"$TMP/out" 2>"$TMP/err"; rc=$?
	check "full disk, -o OUT: exit 5, no OUT, no temp file ($rc)" sh -c "[ $rc -eq 5 ] && [ \"\$(ls -A '$TMP/full')\" = filler ]"
	"$MLPKG" meta set -o "$TMP/full/out.mlpackage" author full "$TMP/bigspec.mlpackage" >"$TMP/out" 2>"$TMP/err"; rc=$?
	check "full disk, package -o OUT: exit 5, nothing left ($rc)" sh -c "[ $rc -eq 5 ] && [ \"\$(ls -A '$TMP/full')\" = filler ]"
	rm -f "$TMP/full/filler"

	umount "$TMP/full" && MNT=""

	# a read-only folder: a bigger tmpfs, remounted read-only
	mount -t tmpfs -o size=4m mlpkg-test "$TMP/full" && MNT="$TMP/full"
	cp "$TMP/big.mlmodel" "$TMP/full/m.mlmodel"
	cp -R "$TMP/bigspec.mlpackage" "$TMP/full/p.mlpackage"
	if mount -o remount,ro "$TMP/full" 2>/dev/null; then
		clean_fail "read-only file system, .mlmodel: exit 5, intact" "$TMP/full/m.mlmodel" "$TMP/big.mlmodel" \
			"$MLPKG" meta set author ro "$TMP/full/m.mlmodel"
		clean_fail "read-only file system, package: exit 5, intact" "$TMP/full/p.mlpackage/Data/com.apple.CoreML/model.mlmodel" \
			"$TMP/bigspec.mlpackage/Data/com.apple.CoreML/model.mlmodel" "$MLPKG" meta set author ro "$TMP/full/p.mlpackage"
		expect_exit 0 "read-only file system: reading still works" "$MLPKG" meta "$TMP/full/m.mlmodel"
	else
		skip "read-only file system: cannot remount the tmpfs read-only"
	fi
	umount "$TMP/full" && MNT=""
else
	diag "full disk: mounting a tmpfs is not permitted here; a file-size limit (ulimit -f, SIGXFSZ ignored) stands in"
	for f in mlmodel zip; do
		if [ $f = mlmodel ]; then m="$TMP/f.mlmodel"; cp "$TMP/big.mlmodel" "$m"; o="$TMP/big.mlmodel"
		else m="$TMP/f.zip"; cp "$TMP/big.mlpackage.zip" "$m"; o="$TMP/big.mlpackage.zip"; fi
		clean_fail "file-size limit, $f in place: exit 5, intact, no temp file" "$m" "$o" \
			sh -c "trap '' XFSZ; ulimit -f 256; exec '$MLPKG' meta set author full '$m'"
	done
	cp -R "$TMP/bigspec.mlpackage" "$TMP/f.mlpackage"
	clean_fail "file-size limit, package in place: exit 5, intact" "$TMP/f.mlpackage/Data/com.apple.CoreML/model.mlmodel" \
		"$TMP/bigspec.mlpackage/Data/com.apple.CoreML/model.mlmodel" \
		sh -c "trap '' XFSZ; ulimit -f 256; exec '$MLPKG' meta set author full '$TMP/f.mlpackage'"
	skip "read-only file system: needs a tmpfs mount"
fi

# ---- a folder we may not write to ----------------------------------------------------
mkdir -p "$TMP/ro"
cp "$TMP/big.mlmodel" "$TMP/ro/m.mlmodel"
cp "$TMP/big.mlpackage.zip" "$TMP/ro/z.zip"
if [ "$(id -u)" -ne 0 ]; then
	chmod 555 "$TMP/ro"
	clean_fail "a folder without write permission, .mlmodel: exit 5, intact" "$TMP/ro/m.mlmodel" "$TMP/big.mlmodel" "$MLPKG" meta set author x "$TMP/ro/m.mlmodel"
	clean_fail "a folder without write permission, zip: exit 5, intact" "$TMP/ro/z.zip" "$TMP/big.mlpackage.zip" "$MLPKG" meta set author x "$TMP/ro/z.zip"
	chmod 755 "$TMP/ro"
else
	if chattr +i "$TMP/ro" 2>/dev/null; then
		IMM="$TMP/ro"
		clean_fail "an immutable folder (chattr +i, as root), .mlmodel: exit 5, intact" "$TMP/ro/m.mlmodel" "$TMP/big.mlmodel" "$MLPKG" meta set author x "$TMP/ro/m.mlmodel"
		clean_fail "an immutable folder (chattr +i, as root), zip: exit 5, intact" "$TMP/ro/z.zip" "$TMP/big.mlpackage.zip" "$MLPKG" meta set author x "$TMP/ro/z.zip"
		chattr -i "$TMP/ro"; IMM=""
	else
		skip "an immutable folder: chattr +i is not supported here"
	fi
	# as an unprivileged user, on a folder owned by root
	chmod 755 "$TMP"
	if command -v setpriv >/dev/null && setpriv --reuid=65534 --regid=65534 --clear-groups "$MLPKG" --version >/dev/null 2>&1 &&
		setpriv --reuid=65534 --regid=65534 --clear-groups "$MLPKG" meta "$TMP/ro/m.mlmodel" >/dev/null 2>&1; then
		clean_fail "no permission (as nobody, a folder of root's), .mlmodel: exit 5, intact" "$TMP/ro/m.mlmodel" "$TMP/big.mlmodel" \
			setpriv --reuid=65534 --regid=65534 --clear-groups "$MLPKG" meta set author x "$TMP/ro/m.mlmodel"
		clean_fail "no permission (as nobody), zip: exit 5, intact" "$TMP/ro/z.zip" "$TMP/big.mlpackage.zip" \
			setpriv --reuid=65534 --regid=65534 --clear-groups "$MLPKG" meta set author x "$TMP/ro/z.zip"
	else
		skip "no permission: cannot run mlpkg as nobody here (setpriv, or the build is not readable to others)"
	fi
	chmod 700 "$TMP"
fi

# ---- a read-only file in a folder that allows writes: not replaced behind its owner's back --
mkdir -p "$TMP/rof"
cp "$TMP/big.mlmodel" "$TMP/rof/m.mlmodel"
chmod 444 "$TMP/rof/m.mlmodel"
if [ "$(id -u)" -ne 0 ]; then
	clean_fail "a read-only file: exit 5, intact" "$TMP/rof/m.mlmodel" "$TMP/big.mlmodel" "$MLPKG" meta set author x "$TMP/rof/m.mlmodel"
elif command -v setpriv >/dev/null && chmod 777 "$TMP/rof" && chmod 755 "$TMP" &&
	setpriv --reuid=65534 --regid=65534 --clear-groups "$MLPKG" meta "$TMP/rof/m.mlmodel" >/dev/null 2>&1; then
	clean_fail "a read-only file (root's, as nobody, folder open to all): exit 5, intact" "$TMP/rof/m.mlmodel" "$TMP/big.mlmodel" \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$MLPKG" meta set author x "$TMP/rof/m.mlmodel"
	check "... said so" grep -q "read-only (no write permission)" "$TMP/err"
	chmod 700 "$TMP"
else
	chmod 700 "$TMP"
	skip "a read-only file: cannot run mlpkg as nobody here"
fi

# ---- an overlay that cannot be replaced: the spec is not touched either -------------------
"$MKMODEL" segmentation "$TMP/ovf/P.mlpackage" >/dev/null 2>&1 || { mkdir -p "$TMP/ovf" && "$MKMODEL" segmentation "$TMP/ovf/P.mlpackage" >/dev/null 2>&1; }
mkdir -p "$TMP/ovf/P.mlpackage/Data/ov"
printf '{\n  "MLModelAuthorKey" : "old"\n}' >"$TMP/ovf/P.mlpackage/Data/ov/Metadata.json"
"$PYTHON3" - "$TMP/ovf/P.mlpackage/Manifest.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m["itemInfoEntries"]["0F0F0F0F-0000-4000-8000-000000000000"] = {"author": "com.apple.CoreML",
    "description": "External Metadata Overlay", "name": "Metadata.json", "path": "ov/Metadata.json"}
json.dump(m, open(sys.argv[1], "w"), indent=4, sort_keys=True)
PY
cp -R "$TMP/ovf/P.mlpackage" "$TMP/ovf/keep.mlpackage"
chmod 555 "$TMP/ovf/P.mlpackage/Data/ov"
if [ "$(id -u)" -ne 0 ]; then
	clean_fail "an overlay whose folder refuses writes: exit 5, spec and overlay intact" "$TMP/ovf/P.mlpackage" "$TMP/ovf/keep.mlpackage" "$MLPKG" meta set author new "$TMP/ovf/P.mlpackage"
elif command -v setpriv >/dev/null && chmod -R a+rwX "$TMP/ovf" && chmod 555 "$TMP/ovf/P.mlpackage/Data/ov" && chmod 755 "$TMP" &&
	setpriv --reuid=65534 --regid=65534 --clear-groups "$MLPKG" meta "$TMP/ovf/P.mlpackage" >/dev/null 2>&1; then
	clean_fail "an overlay whose folder refuses writes (as nobody): exit 5, spec and overlay intact" "$TMP/ovf/P.mlpackage" "$TMP/ovf/keep.mlpackage" \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$MLPKG" meta set author new "$TMP/ovf/P.mlpackage"
	chmod 700 "$TMP"
else
	chmod 700 "$TMP"
	skip "an overlay whose folder refuses writes: cannot run mlpkg as nobody here"
fi
chmod 755 "$TMP/ovf/P.mlpackage/Data/ov"

# ---- signals in the middle of a save -----------------------------------------------------
have_py=0; [ -x "$PYTHON3" ] && have_py=1
if [ $have_py -eq 0 ]; then
	skip "signals: no python3"
	done_testing
fi
INT() { "$PYTHON3" "$top_srcdir/tests/interrupt.py" "$@" 2>"$TMP/int.err"; }
mkdir -p "$TMP/sig"
"$MKMODEL" bignn "$TMP/sig/m.mlmodel" --size 64M >/dev/null 2>&1
for s in TERM INT HUP; do
	case $s in TERM) n=15 ;; INT) n=2 ;; HUP) n=1 ;; esac
	cp "$TMP/sig/m.mlmodel" "$TMP/sig.orig"
	r=$(INT $s 0.05 "$TMP/sig" .m.mlmodel.mlpkg- -- "$MLPKG" meta set author "sig-$s" "$TMP/sig/m.mlmodel")
	left=$(ls -A "$TMP/sig" | grep -c mlpkg-)
	case $r in
	*seen)
		check "SIG$s during a save: the process ends by it ($r)" sh -c "[ '${r% *}' = 'exit $((128 + n))' ]"
		# the signal comes DELAY after the temp file is seen: the rename may
		# have committed the save by then (the new model, whole) or not (the
		# old one, untouched); never a mix, never a temp file left
		check "SIG$s during a save: temp file removed, the original intact or the save whole" sh -c "[ $left -eq 0 ] && { cmp -s '$TMP/sig.orig' '$TMP/sig/m.mlmodel' || [ \"\$('$MLPKG' meta get author '$TMP/sig/m.mlmodel')\" = 'sig-$s' ]; }" ;;
	*)
		skip "SIG$s during a save: the save ended before the signal ($r)"
		cp "$TMP/sig.orig" "$TMP/sig/m.mlmodel" ;;
	esac
done
r=$(INT --ignore HUP 0.05 "$TMP/sig" .m.mlmodel.mlpkg- -- "$MLPKG" meta set author nohup "$TMP/sig/m.mlmodel")
check "SIGHUP ignored (nohup): the save goes on and succeeds ($r)" sh -c "[ '${r% *}' = 'exit 0' ] && [ \"\$('$MLPKG' meta get author '$TMP/sig/m.mlmodel')\" = nohup ]"
r=$(INT --ignore INT 0.05 "$TMP/sig" .m.mlmodel.mlpkg- -- "$MLPKG" meta set author bg "$TMP/sig/m.mlmodel")
check "SIGINT ignored (a background job): the save goes on and succeeds ($r)" sh -c "[ '${r% *}' = 'exit 0' ] && [ \"\$('$MLPKG' meta get author '$TMP/sig/m.mlmodel')\" = bg ]"
# zip: libzip's temp file is NAME.XXXXXX
cp "$TMP/sig/m.mlmodel" "$TMP/sig/Net.mlmodel"
(cd "$TMP/sig" && zip -q -0 z.zip Net.mlmodel && rm Net.mlmodel)
cp "$TMP/sig/z.zip" "$TMP/z.orig"
r=$(INT TERM 0.05 "$TMP/sig" z.zip. -- "$MLPKG" meta set author sig "$TMP/sig/z.zip")
case $r in
*seen) check "SIGTERM during a zip save: temp file removed, the zip intact ($r)" sh -c "[ \$(ls -A '$TMP/sig' | grep -c 'z[.]zip[.]') -eq 0 ] && cmp -s '$TMP/z.orig' '$TMP/sig/z.zip'" ;;
*) skip "SIGTERM during a zip save: the save ended before the signal ($r)" ;;
esac
r=$(INT --ignore HUP 0.05 "$TMP/sig" z.zip. -- "$MLPKG" meta set author nohup "$TMP/sig/z.zip")
check "SIGHUP ignored (nohup) during a zip save: the save goes on and succeeds ($r)" sh -c "[ '${r% *}' = 'exit 0' ] && [ \"\$('$MLPKG' meta get author '$TMP/sig/z.zip')\" = nohup ]"
# what a SIGKILL during libzip's save leaves (z.zip.XXXXXX), cleaned by the
# next in-place edit once old; young ones, others' names and non-zips stay
cp "$TMP/sig/z.zip" "$TMP/sig/z.zip.AbC123"
: >"$TMP/sig/z.zip.Emp7y0"
cp "$TMP/sig/z.zip" "$TMP/sig/z.zip.Y0ung1"
printf 'not a zip' >"$TMP/sig/z.zip.N0tZip"
cp "$TMP/sig/z.zip" "$TMP/sig/z.zip.toolong1"
cp "$TMP/sig/z.zip" "$TMP/sig/y.zip.AbC123"
touch -d '1 hour ago' "$TMP/sig/z.zip.AbC123" "$TMP/sig/z.zip.Emp7y0" "$TMP/sig/z.zip.N0tZip" "$TMP/sig/z.zip.toolong1" "$TMP/sig/y.zip.AbC123"
expect_exit 0 "a zip edit with a killed save's old temp files beside it" "$MLPKG" meta set author stale "$TMP/sig/z.zip"
check "... removes them (old, named NAME.XXXXXX, empty or a zip)" sh -c "[ ! -e '$TMP/sig/z.zip.AbC123' ] && [ ! -e '$TMP/sig/z.zip.Emp7y0' ]"
check "... leaves young ones, non-zips, other names and other zips' alone" sh -c "[ -e '$TMP/sig/z.zip.Y0ung1' ] && [ -e '$TMP/sig/z.zip.N0tZip' ] && [ -e '$TMP/sig/z.zip.toolong1' ] && [ -e '$TMP/sig/y.zip.AbC123' ]"
cp "$TMP/sig/z.zip" "$TMP/sig/z.zip.AbC123" && touch -d '1 hour ago' "$TMP/sig/z.zip.AbC123"
expect_exit 0 "meta set -o from the zip (no lock on it for writing)" "$MLPKG" meta set -o "$TMP/sig/z2.zip" author o "$TMP/sig/z.zip"
check "... leaves its old temp files alone" test -e "$TMP/sig/z.zip.AbC123"
rm -f "$TMP/sig/"z.zip.?????? "$TMP/sig/z.zip.toolong1" "$TMP/sig/y.zip.AbC123" "$TMP/sig/z2.zip"
# -o: the copy of a package or zip is built beside OUT
"$MKMODEL" bigpkg "$TMP/sig/P.mlpackage" --size 64M >/dev/null 2>&1
mkdir -p "$TMP/sig/out"
for s in TERM INT; do
	for src in P.mlpackage z.zip; do
		case $src in *.zip) o=o.zip ;; *) o=o.mlpackage ;; esac
		r=$(INT $s 0.02 "$TMP/sig/out" "$o.mlpkg-tmp" -- "$MLPKG" meta set -o "$TMP/sig/out/$o" author x "$TMP/sig/$src")
		case $r in
		*seen) check "SIG$s during meta set -o (from $src): nothing left beside OUT ($r)" sh -c "[ -z \"\$(ls -A '$TMP/sig/out')\" ]" ;;
		*) skip "SIG$s during meta set -o (from $src): the copy ended before the signal ($r)" ;;
		esac
		rm -rf "$TMP/sig/out/$o"
	done
done
r=$(INT --ignore HUP 0.02 "$TMP/sig/out" o.mlpackage.mlpkg-tmp -- "$MLPKG" meta set -o "$TMP/sig/out/o.mlpackage" author nohup "$TMP/sig/P.mlpackage")
check "SIGHUP ignored (nohup) during meta set -o: the copy is made ($r)" sh -c "[ '${r% *}' = 'exit 0' ] && [ \"\$('$MLPKG' meta get author '$TMP/sig/out/o.mlpackage')\" = nohup ]"
rm -rf "$TMP/sig"

# ---- SIGKILL in the middle of saving a big .mlmodel ------------------------------------
size=${MLPKG_FAULTS_BIG_SIZE:-512M}
mkdir -p "$TMP/kill"
avail=$(df -Pk "$TMP" | awk 'NR == 2 { print $4 }')
if [ "${avail:-0}" -lt 2500000 ]; then
	size=64M
	diag "less than 2.5 GB free in $TMP: the SIGKILL test uses a $size model"
fi
"$MKMODEL" bignn "$TMP/kill/big.mlmodel" --size "$size" >/dev/null 2>&1
cp "$TMP/kill/big.mlmodel" "$TMP/cur.mlmodel"
mixed=0 kills=0 i=0
for delay in 0 0.05 0.2 0.5; do
	i=$((i + 1))
	"$MLPKG" meta set -o "$TMP/next.mlmodel" author "killed-$i" "$TMP/kill/big.mlmodel" 2>/dev/null
	r=$(INT KILL $delay "$TMP/kill" .big.mlmodel.mlpkg- -- "$MLPKG" meta set author "killed-$i" "$TMP/kill/big.mlmodel")
	case $r in *seen) kills=$((kills + 1)) ;; esac
	if cmp -s "$TMP/kill/big.mlmodel" "$TMP/cur.mlmodel"; then
		: # the old one
	elif cmp -s "$TMP/kill/big.mlmodel" "$TMP/next.mlmodel"; then
		mv "$TMP/next.mlmodel" "$TMP/cur.mlmodel"
	else
		mixed=$((mixed + 1))
		cp "$TMP/kill/big.mlmodel" "$TMP/cur.mlmodel"
	fi
	rm -f "$TMP/next.mlmodel"
done
diag "SIGKILL: $kills of $i kills landed while the temp file existed ($size model)"
check "SIGKILL during saves ($i times): the model is always the old or the new one, never a mix" test $mixed -eq 0
left=$(ls -A "$TMP/kill" | grep -c '^[.]big[.]mlmodel[.]mlpkg-')
diag "temp files left by the kills: $left"
expect_exit 0 "the next edit works with the killed edits' temp files beside it" "$MLPKG" meta set author after "$TMP/kill/big.mlmodel"
check "... and reads back" sh -c "[ \"\$('$MLPKG' meta get author '$TMP/kill/big.mlmodel')\" = after ]"
check "... young temp files are left alone (they could be a -o write's)" test "$(ls -A "$TMP/kill" | grep -c '^[.]big[.]mlmodel[.]mlpkg-')" -eq "$left"
: >"$TMP/kill/.big.mlmodel.mlpkg-AbC123"
: >"$TMP/kill/.big.mlmodel.mlpkg-keep-me"
: >"$TMP/kill/.other.mlmodel.mlpkg-XyZ789"
find "$TMP/kill" -name '.*mlpkg-*' -exec touch -d '1 hour ago' {} +
expect_exit 0 "an edit with old temp files beside it" "$MLPKG" meta set author later "$TMP/kill/big.mlmodel"
check "... removes them (those of this model, named as ours)" sh -c "[ \"\$(ls -A '$TMP/kill' | grep '^[.]big[.]mlmodel[.]mlpkg-')\" = .big.mlmodel.mlpkg-keep-me ] && [ -e '$TMP/kill/.other.mlmodel.mlpkg-XyZ789' ]"
check "the model decodes after all that" "$MLPKG" dump "$TMP/kill/big.mlmodel"
rm -rf "$TMP/kill" "$TMP/cur.mlmodel"

# ---- SIGKILL while a zipped package with Xcode's overlays is edited ---------------------
# meta set changes the spec and Metadata.json, describe the spec and
# FeatureDescriptions.json, in one save.  Killed at any point (a delay from
# the start, or after the write's temp file appears), in place or with -o,
# the zip holds the old model or the new one, the spec and both overlays
# agreeing; with -o, OUT is absent or the new model.
if ! command -v zip >/dev/null 2>&1 || ! command -v unzip >/dev/null 2>&1; then
	skip "SIGKILL during zip edits with overlays: no zip / unzip"
	done_testing
fi
ZK="$TMP/zk"
mkdir -p "$ZK/out"
"$MKMODEL" bigpkg "$ZK/Z.mlpackage" --size 32M >/dev/null 2>&1
printf '{\n  "MLModelAuthorKey" : "mlpkg benchmarks",\n  "MLModelLicenseKey" : "MIT"\n}' \
	>"$ZK/Z.mlpackage/Data/com.apple.CoreML/Metadata.json"
printf '{\n  "Inputs" : {\n    "x" : {\n      "MLFeatureShortDescription" : "Input vector"\n    }\n  }\n}' \
	>"$ZK/Z.mlpackage/Data/com.apple.CoreML/FeatureDescriptions.json"
"$MLPKG" pack --store -o "$ZK/z.zip" "$ZK/Z.mlpackage" >/dev/null 2>&1
rm -rf "$ZK/Z.mlpackage"
# zstate ZIP: "AUTHOR|DESCRIPTION" when the spec and both overlays agree,
# else what differs (or "broken")
zstate() {
	_a=$("$MLPKG" meta get author "$1" 2>/dev/null) || { echo broken; return; }
	_d=$("$MLPKG" get 'description.input[0].shortDescription' "$1" 2>/dev/null) || { echo broken; return; }
	_oa=$(unzip -p "$1" Z.mlpackage/Data/com.apple.CoreML/Metadata.json 2>/dev/null |
		"$PYTHON3" -c 'import json, sys; print(json.load(sys.stdin)["MLModelAuthorKey"])' 2>/dev/null) ||
		{ echo broken; return; }
	_od=$(unzip -p "$1" Z.mlpackage/Data/com.apple.CoreML/FeatureDescriptions.json 2>/dev/null |
		"$PYTHON3" -c 'import json, sys; print(json.load(sys.stdin)["Inputs"]["x"]["MLFeatureShortDescription"])' \
		2>/dev/null) || { echo broken; return; }
	if [ "$_a" = "$_oa" ] && [ "$_d" = "$_od" ]; then echo "$_a|$_d"; else echo "mixed: $_a/$_oa, $_d/$_od"; fi
}
cur=$(zstate "$ZK/z.zip")
check "a zipped package with both overlays, in step with its spec" test "$cur" = "mlpkg benchmarks|Input vector"
# the kills are spread over the time an edit takes here (measured on a copy)
cp "$ZK/z.zip" "$ZK/t.zip"
took=$("$PYTHON3" -c 'import subprocess, sys, time
t = time.time(); subprocess.run(sys.argv[1:]); print(time.time() - t)' "$MLPKG" meta set -o "$ZK/out/t.zip" author t "$ZK/t.zip")
rm -f "$ZK/t.zip" "$ZK/out/t.zip"
whens="s0 s0.02 $("$PYTHON3" -c 'import sys; print(" ".join("f%.3f" % (float(sys.argv[1]) * k / 12) for k in range(1, 16)))' "$took")"
mixed=0 kills=0 i=0 omixed=0 okills=0 onew=0
for when in $whens; do
	i=$((i + 1))
	case $when in s*) how="" ;; f*) how=--from-start ;; esac
	delay=${when#?}
	if [ $((i % 2)) -eq 1 ]; then
		set -- meta set author "killed-$i"
		new="killed-$i|${cur#*|}"
	else
		set -- describe x "killed-$i"
		new="${cur%%|*}|killed-$i"
	fi
	# in place: libzip's temp file is z.zip.XXXXXX
	r=$(INT $how KILL "$delay" "$ZK" z.zip. -- "$MLPKG" "$@" "$ZK/z.zip")
	case $r in *seen) kills=$((kills + 1)) ;; esac
	st=$(zstate "$ZK/z.zip")
	if [ "$st" = "$cur" ]; then
		:
	elif [ "$st" = "$new" ]; then
		cur=$new
	else
		mixed=$((mixed + 1))
		diag "in place, $when ($r): $st, neither '$cur' nor '$new'"
		cur=$st
	fi
	rm -f "$ZK"/z.zip.??????
	# -o: the copy is built beside OUT
	r=$(INT $how KILL "$delay" "$ZK/out" o.zip -- "$MLPKG" "$@" -o "$ZK/out/o.zip" "$ZK/z.zip")
	case $r in *seen) okills=$((okills + 1)) ;; esac
	if [ -e "$ZK/out/o.zip" ]; then
		st=$(zstate "$ZK/out/o.zip")
		# the source as the in-place step left it, edited
		if [ $((i % 2)) -eq 1 ]; then want="killed-$i|${cur#*|}"; else want="${cur%%|*}|killed-$i"; fi
		if [ "$st" = "$want" ]; then
			onew=$((onew + 1))
		else
			omixed=$((omixed + 1))
			diag "-o, $when ($r): $st, not '$want'"
		fi
	fi
	rm -rf "$ZK/out"/* "$ZK/out"/.[!.]* 2>/dev/null
done
# -o, killed the moment OUT appears: nothing may be left to write to it then
# (the spec renamed into place and the overlay committed after it, in a
# second step, would be a mix)
for delay in 0 0 0.002 0.01; do
	i=$((i + 1))
	r=$(INT --exact KILL "$delay" "$ZK/out" o.zip -- "$MLPKG" meta set -o "$ZK/out/o.zip" author "killed-$i" "$ZK/z.zip")
	case $r in *seen) okills=$((okills + 1)) ;; esac
	if [ -e "$ZK/out/o.zip" ]; then
		want="killed-$i|${cur#*|}"
		st=$(zstate "$ZK/out/o.zip")
		if [ "$st" = "$want" ]; then
			onew=$((onew + 1))
		else
			omixed=$((omixed + 1))
			diag "-o, killed as OUT appeared ($r): $st, not '$want'"
		fi
	fi
	rm -rf "$ZK/out"/* "$ZK/out"/.[!.]* 2>/dev/null
done
diag "zip with overlays: an edit takes ${took}s; in place: $kills of $i kills landed while the temp file existed; -o: $okills, $onew complete"
check "SIGKILL during zip edits with overlays in place ($i times): the old model or the new one, spec and overlays agreeing" \
	test $mixed -eq 0
check "SIGKILL during zip edits with overlays to -o ($i times): OUT absent or the whole new model" test $omixed -eq 0
check "... and the zip decodes and edits after all that" "$MLPKG" meta set author after "$ZK/z.zip"
check "... its overlays following" sh -c "[ \"\$(unzip -p '$ZK/z.zip' Z.mlpackage/Data/com.apple.CoreML/Metadata.json | grep -c '\"after\"')\" -eq 1 ]"
rm -rf "$ZK"
done_testing
