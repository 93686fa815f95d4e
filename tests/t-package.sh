#!/bin/sh
# t-package.sh: mlpkg pack, unpack and convert: round trips on the real
# fixtures, conversions, and hostile zips (made here with Python's zipfile)
# that must be refused with a one-line error, exit 4 and nothing written.
. "${top_srcdir:-.}/tests/lib.sh"

T=$TMP/w
mkdir -p "$T"

# tree listing: path, mode, type, size (link target for links)
# the tree under a folder: path, mode, type, size, link target (compared within one run)
if find / -maxdepth 0 -printf '' >/dev/null 2>&1; then
	tree_of() { (cd "$1" && find . -printf '%P %m %y %s %l\n' | sort); }
else
	tree_of() { (cd "$1" && find . -mindepth 1 | sed 's|^\./||' | sort | while IFS= read -r p; do stat -f '%N %Lp %HT %z %Y' "$p"; done); }
fi
# same files, same bytes, same modes
same_tree() { tree_of "$1" >"$TMP/ta" && tree_of "$2" >"$TMP/tb" && cmp -s "$TMP/ta" "$TMP/tb" && diff -r --no-dereference "$1" "$2" >/dev/null; }
# no temp files or folders left behind in a folder
no_leftovers() { [ -z "$(find "$1" -name '.*mlpkg*' 2>/dev/null | head -1)" ]; }
# the compression of the zip's entries: "name method", one a line
methods() { "$PYTHON3" -c 'import sys, zipfile
for i in zipfile.ZipFile(sys.argv[1]).infolist(): print(i.filename, i.compress_type)' "$1"; }
have_py() { [ -x "$PYTHON3" ]; }

# ---- commands are there and documented -------------------------------------
for c in pack unpack convert; do
	check "$c --help" "$MLPKG" "$c" --help
	check "$c listed in mlpkg --help" sh -c "'$MLPKG' --help | grep -q '^  $c '"
	check "$c has a man page section" grep -q "^\.Ss mlpkg $c\$" "$top_srcdir/man/mlpkg.1"
	check "$c in the README" grep -q "^| \`mlpkg $c" "$top_srcdir/README.md"
done
expect_exit 2 "convert without -o is a usage error" "$MLPKG" convert x.mlmodel
expect_exit 2 "--store with --deflate is refused" "$MLPKG" pack --store --deflate x.mlpackage
expect_exit 2 "unpack takes no --store" "$MLPKG" unpack --store x.zip

# ---- a small package, made here ------------------------------------------
"$MKMODEL" nn "$T/tiny.mlmodel" >/dev/null 2>&1
expect_exit 0 "convert .mlmodel -> .mlpackage" "$MLPKG" convert "$T/tiny.mlmodel" -o "$T/P.mlpackage"
check "the spec is copied verbatim" same_bytes "$T/tiny.mlmodel" "$T/P.mlpackage/Data/com.apple.CoreML/model.mlmodel"
check "the result dumps" "$MLPKG" dump "$T/P.mlpackage"
check "convert prints the result" grep -qx "$T/P.mlpackage" "$TMP/out"
check "no temp folder is left" no_leftovers "$T"
if have_py; then
	check "Manifest.json: Apple's layout, fresh upper-case UUID, the spec item" "$PYTHON3" -c '
import json, re, sys
t = open(sys.argv[1]).read()
m = json.loads(t)
assert json.dumps(m, indent=4, sort_keys=True) + "\n" == t, "layout"
assert set(m) == {"fileFormatVersion", "itemInfoEntries", "rootModelIdentifier"}
assert m["fileFormatVersion"] == "1.0.0"
(k, v), = m["itemInfoEntries"].items()
assert re.fullmatch("[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}", k), k
assert m["rootModelIdentifier"] == k
assert v == {"author": "com.apple.CoreML", "description": "CoreML Model Specification",
	"name": "model.mlmodel", "path": "com.apple.CoreML/model.mlmodel"}, v
' "$T/P.mlpackage/Manifest.json"
else
	skip "Manifest.json's layout checked with Python: no Python at $PYTHON3"
fi
"$MLPKG" convert "$T/tiny.mlmodel" -o "$T/P2.mlpackage" >/dev/null 2>&1
check "identifiers are fresh on every conversion" sh -c "! cmp -s '$T/P.mlpackage/Manifest.json' '$T/P2.mlpackage/Manifest.json'"
expect_exit 0 "convert reads a spec on standard input" sh -c "'$MLPKG' convert - -o '$T/stdin.mlpackage' < '$T/tiny.mlmodel'"
check "... verbatim" same_bytes "$T/tiny.mlmodel" "$T/stdin.mlpackage/Data/com.apple.CoreML/model.mlmodel"
expect_exit 0 "convert package without weights -> .mlmodel" "$MLPKG" convert "$T/P.mlpackage" -o "$T/back.mlmodel"
check "... gives the spec back byte for byte" same_bytes "$T/tiny.mlmodel" "$T/back.mlmodel"
expect_exit 0 "convert .mlmodel -> .zip" "$MLPKG" convert "$T/tiny.mlmodel" -o "$T/Z.mlpackage.zip"
check "the zip dumps" "$MLPKG" dump "$T/Z.mlpackage.zip"
check "the zip's metadata reads" "$MLPKG" meta "$T/Z.mlpackage.zip"
expect_exit 0 "convert zip -> .mlmodel" "$MLPKG" convert "$T/Z.mlpackage.zip" -o "$T/fromzip.mlmodel"
check "... verbatim" same_bytes "$T/tiny.mlmodel" "$T/fromzip.mlmodel"
expect_exit 0 "convert zip -> .mlpackage (unpacks)" "$MLPKG" convert "$T/Z.mlpackage.zip" -o "$T/fromzip.mlpackage"
check "... verbatim" same_bytes "$T/tiny.mlmodel" "$T/fromzip.mlpackage/Data/com.apple.CoreML/model.mlmodel"
if command -v zip >/dev/null 2>&1; then
	(cd "$T" && cp tiny.mlmodel Lone.mlmodel && zip -q lone.zip Lone.mlmodel && rm Lone.mlmodel)
	expect_exit 0 "convert a zip holding a lone .mlmodel -> a zipped package" "$MLPKG" convert "$T/lone.zip" -o "$T/LoneP.zip"
	check "... its folder named after OUT, the spec verbatim" sh -c "unzip -p '$T/LoneP.zip' LoneP.mlpackage/Data/com.apple.CoreML/model.mlmodel | cmp -s - '$T/tiny.mlmodel'"
	expect_exit 2 "convert a zipped package -> .zip is refused (already one)" "$MLPKG" convert "$T/Z.mlpackage.zip" -o "$T/ZZ.zip"
fi
# a zip without folder entries (Python's zipfile, some CI tools): its
# folders get the usual mode, not the 0700 used while extracting
"$PYTHON3" - "$T/P.mlpackage" "$T/nodirs.zip" <<'PY'
import os, sys, zipfile
src, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w") as z:
    for root, dirs, files in os.walk(src):
        for f in files:
            p = os.path.join(root, f)
            z.write(p, "N.mlpackage/" + os.path.relpath(p, src))
PY
(umask 022 && "$MLPKG" unpack -o "$T/nd" "$T/nodirs.zip" >/dev/null 2>&1)
check "unpack of a zip without folder entries: folders 755 under umask 022" sh -c "[ -z \"\$(find '$T/nd' -type d ! -perm 755)\" ] && [ -f '$T/nd/N.mlpackage/Data/com.apple.CoreML/model.mlmodel' ]"
# an entry replaced in place carries its new time only: an old extended
# timestamp (Info-ZIP's 0x5455 field) would make unzip restore the old date
if command -v zip >/dev/null 2>&1 && command -v unzip >/dev/null 2>&1; then
	rm -rf "$T/ut" && mkdir -p "$T/ut" && cp -R "$T/P.mlpackage" "$T/ut/U.mlpackage"
	touch -t 202001010000 "$T/ut/U.mlpackage/Data/com.apple.CoreML/model.mlmodel"
	(cd "$T/ut" && zip -qr U.zip U.mlpackage && rm -rf U.mlpackage)
	"$MLPKG" meta set author new "$T/ut/U.zip" 2>/dev/null
	(cd "$T/ut" && unzip -q U.zip)
	touch -t 202101010000 "$T/ut/ref"
	check "zip edited in place: the spec unzips with its new date, not the old one" sh -c "[ -z \"\$(find '$T/ut/U.mlpackage/Data/com.apple.CoreML/model.mlmodel' ! -newer '$T/ut/ref')\" ]"
fi
# an existing OUT of another kind is never replaced
echo precious >"$T/notzip.zip"
expect_exit 5 "convert -o over a file that is not a zip: refused" "$MLPKG" convert "$T/tiny.mlmodel" -o "$T/notzip.zip"
check "... it is left as it was" sh -c "[ \"\$(cat '$T/notzip.zip')\" = precious ] && grep -q 'exists and is not a zip' '$TMP/err'"
expect_exit 5 "pack -o over a file that is not a zip: refused" "$MLPKG" pack -o "$T/notzip.zip" "$T/P.mlpackage"
check "... it is left as it was" sh -c "[ \"\$(cat '$T/notzip.zip')\" = precious ]"
echo precious >"$T/notmodel.mlmodel"
expect_exit 5 "convert -o over a file that is not a model: refused" "$MLPKG" convert "$T/P.mlpackage" -o "$T/notmodel.mlmodel"
check "... it is left as it was" sh -c "[ \"\$(cat '$T/notmodel.mlmodel')\" = precious ]"
expect_exit 0 "convert -o over a zip: replaced" "$MLPKG" convert "$T/tiny.mlmodel" -o "$T/Z.mlpackage.zip"
expect_exit 2 "convert .mlmodel -> .mlmodel is refused" "$MLPKG" convert "$T/tiny.mlmodel" -o "$T/same.mlmodel"
check "... with a one-line error" one_line_error
expect_exit 2 "convert to a name of no known kind is refused" "$MLPKG" convert "$T/tiny.mlmodel" -o "$T/what.bin"
check "... nothing written" test ! -e "$T/what.bin"
expect_exit 3 "convert of a missing model: not found" "$MLPKG" convert "$T/nope.mlmodel" -o "$T/nope.mlpackage"
expect_exit 2 "pack of an .mlmodel is refused" "$MLPKG" pack "$T/tiny.mlmodel" -o "$T/tiny.zip"
check "... nothing written" test ! -e "$T/tiny.zip"
expect_exit 2 "unpack of a package folder is refused" "$MLPKG" unpack "$T/P.mlpackage" -o "$T/u0"
check "... nothing written" test ! -e "$T/u0"

# ---- pack and unpack: round trips ----------------------------------------
expect_exit 0 "pack the small package (default name)" "$MLPKG" pack "$T/P.mlpackage/"
check "... is PACKAGE.zip" test -f "$T/P.mlpackage.zip"
check "... a whole package: nothing said on stderr" test ! -s "$TMP/err"
# a broken package is packed as it is, and said so: a weight file the spec
# refers to missing, an item Manifest.json names missing
"$MKMODEL" segmentation "$T/B.mlpackage" >/dev/null 2>&1 || not_ok "mkmodel segmentation"
rm "$T/B.mlpackage/Data/com.apple.CoreML/weights/weight.bin"
expect_exit 0 "pack of a package without its weight file: packed" "$MLPKG" pack -o "$T/B.zip" "$T/B.mlpackage"
check "... with a warning naming what it lacks" grep -q "warning: '.*B.mlpackage': packed as it is, but the spec refers to Data/com.apple.CoreML/weights/weight.bin, which the package lacks" "$TMP/err"
rm -rf "$T/B.mlpackage/Data/com.apple.CoreML/weights" "$T/B.zip"
expect_exit 0 "pack of a package missing a manifest item: packed" "$MLPKG" pack -o "$T/B.zip" "$T/B.mlpackage"
check "... with a warning naming the item" grep -q "packed as it is, but Manifest.json names Data/com.apple.CoreML/weights, which the package lacks" "$TMP/err"
expect_exit 0 "unpack it" "$MLPKG" unpack "$T/P.mlpackage.zip" -o "$T/u1"
check "unpack prints the folder made" grep -qx "$T/u1/P.mlpackage" "$TMP/out"
check "pack then unpack: identical tree" same_tree "$T/P.mlpackage" "$T/u1/P.mlpackage"
check "only the package in DIR" test "$(ls -A "$T/u1")" = P.mlpackage
expect_exit 0 "unpack again over it replaces it" "$MLPKG" unpack "$T/P.mlpackage.zip" -o "$T/u1"
check "... still identical, nothing left behind" sh -c "test \"\$(ls -A '$T/u1')\" = P.mlpackage"
expect_exit 0 "unpack -o NAME.mlpackage names the folder" "$MLPKG" unpack "$T/P.mlpackage.zip" -o "$T/u2/Other.mlpackage"
check "... as asked" same_tree "$T/P.mlpackage" "$T/u2/Other.mlpackage"
mkdir -p "$T/u3/P.mlpackage" && echo keep >"$T/u3/P.mlpackage/mine"
expect_exit 5 "unpack refuses to replace a folder that is not a package" "$MLPKG" unpack "$T/P.mlpackage.zip" -o "$T/u3"
check "... with a one-line error" one_line_error
check "... which is left as it was" sh -c "test \"\$(cat '$T/u3/P.mlpackage/mine')\" = keep && test \"\$(ls -A '$T/u3')\" = P.mlpackage"
expect_exit 5 "pack into a missing folder: cannot write" "$MLPKG" pack "$T/P.mlpackage" -o "$T/missing/P.zip"
check "... nothing left behind" no_leftovers "$T"
expect_exit 2 "pack refuses to put the zip inside the package" "$MLPKG" pack "$T/P.mlpackage" -o "$T/P.mlpackage/self.zip"
check "... the package is untouched" test ! -e "$T/P.mlpackage/self.zip"
# links: kept when inside, refused when leading outside
cp -R "$T/P.mlpackage" "$T/L.mlpackage"
ln -s com.apple.CoreML/model.mlmodel "$T/L.mlpackage/Data/alias"
expect_exit 0 "pack keeps a link inside the package" "$MLPKG" pack "$T/L.mlpackage"
expect_exit 0 "... and unpack makes it again" "$MLPKG" unpack "$T/L.mlpackage.zip" -o "$T/u4"
check "... identical tree, link included" same_tree "$T/L.mlpackage" "$T/u4/L.mlpackage"
check "... the link is a link" test -L "$T/u4/L.mlpackage/Data/alias"
ln -s ../../../../etc/passwd "$T/L.mlpackage/Data/out"
expect_exit 4 "pack refuses a link leading outside" "$MLPKG" pack "$T/L.mlpackage" -o "$T/L2.zip"
check "... naming it, one line" sh -c "one_line_error() { [ \$(wc -l <'$TMP/err') -eq 1 ]; }; one_line_error && grep -q 'Data/out' '$TMP/err'"
check "... nothing written" test ! -e "$T/L2.zip"
# compression
if have_py; then
	expect_exit 0 "pack --store" "$MLPKG" pack --store "$T/P.mlpackage" -o "$T/s.zip"
	check "... stores every entry" "$PYTHON3" -c 'import sys, zipfile
sys.exit(any(i.compress_type for i in zipfile.ZipFile(sys.argv[1]).infolist()))' "$T/s.zip"
	expect_exit 0 "pack --deflate" "$MLPKG" pack --deflate "$T/P.mlpackage" -o "$T/d.zip"
	check "... deflates every file" "$PYTHON3" -c 'import sys, zipfile
sys.exit(not all(i.compress_type == 8 for i in zipfile.ZipFile(sys.argv[1]).infolist() if not i.is_dir()))' "$T/d.zip"
	check "entries sit under X.mlpackage/, with Unix modes" "$PYTHON3" -c 'import sys, zipfile
for i in zipfile.ZipFile(sys.argv[1]).infolist():
	assert i.filename.startswith("P.mlpackage/"), i.filename
	assert i.create_system == 3 and i.external_attr >> 16, i.filename' "$T/d.zip"
	check "Python's zipfile reads the zip back" "$PYTHON3" -c 'import sys, zipfile; assert zipfile.ZipFile(sys.argv[1]).testzip() is None' "$T/P.mlpackage.zip"
else
	skip "the zip's compression methods and Python's zipfile reading it: no Python at $PYTHON3"
fi

# ---- the real package ----------------------------------------------------
CF=$FIXTURES/catfeeder-yolov8n.mlpackage
if ! fixtures_or_skip "pack, unpack and convert of catfeeder-yolov8n.mlpackage and of every fixture .mlmodel"; then
	:
elif [ ! -d "$CF" ]; then
	skip "pack, unpack and convert of the real package: $CF absent"
else
	expect_exit 0 "pack the real package" "$MLPKG" pack "$CF" -o "$T/cf.mlpackage.zip"
	check "... dump reads the zip" "$MLPKG" dump "$T/cf.mlpackage.zip"
	check "... meta reads the zip" "$MLPKG" meta "$T/cf.mlpackage.zip"
	if have_py; then
		methods "$T/cf.mlpackage.zip" >"$TMP/methods"
		check "... weights stored, Manifest.json and spec deflated by default" sh -c "
			grep -qx 'catfeeder-yolov8n.mlpackage/Data/com.apple.CoreML/weights/weight.bin 0' '$TMP/methods' &&
			grep -qx 'catfeeder-yolov8n.mlpackage/Manifest.json 8' '$TMP/methods' &&
			grep -qx 'catfeeder-yolov8n.mlpackage/Data/com.apple.CoreML/model.mlmodel 8' '$TMP/methods'"
	fi
	if command -v unzip >/dev/null; then
		check "... unzip(1) tests it clean" unzip -tq "$T/cf.mlpackage.zip"
	fi
	expect_exit 0 "unpack the real package" "$MLPKG" unpack "$T/cf.mlpackage.zip" -o "$T/cfu"
	check "... same files, same bytes, same modes" same_tree "$CF" "$T/cfu/catfeeder-yolov8n.mlpackage"
	check "... dump is clean on it" "$MLPKG" dump "$T/cfu/catfeeder-yolov8n.mlpackage"
	check "... nothing else in DIR" test "$(ls -A "$T/cfu")" = catfeeder-yolov8n.mlpackage
	for how in --store --deflate; do
		rm -rf "$T/cfx"
		"$MLPKG" pack $how "$CF" -o "$T/cfx.zip" >/dev/null 2>&1 &&
		"$MLPKG" unpack "$T/cfx.zip" -o "$T/cfx" >/dev/null 2>&1
		check "pack $how then unpack: identical tree" same_tree "$CF" "$T/cfx/catfeeder-yolov8n.mlpackage"
	done
	chmod -R u+w "$T/cfu"
	expect_exit 0 "meta set works on the unpacked package" "$MLPKG" meta set author someone "$T/cfu/catfeeder-yolov8n.mlpackage"
	expect_exit 2 "convert a package with weights -> .mlmodel is refused" "$MLPKG" convert "$CF" -o "$T/cf.mlmodel"
	check "... with a one-line error naming it" sh -c "[ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q 'catfeeder-yolov8n.mlpackage' '$TMP/err'"
	check "... nothing written" test ! -e "$T/cf.mlmodel"
	expect_exit 2 "... from its zip too" "$MLPKG" convert "$T/cf.mlpackage.zip" -o "$T/cf.mlmodel"
	cp "$CF/Data/com.apple.CoreML/model.mlmodel" "$T/prog.mlmodel"
	expect_exit 4 "convert an ML program whose weights live in weight.bin is refused" \
		"$MLPKG" convert "$T/prog.mlmodel" -o "$T/prog.mlpackage"
	check "... with a one-line error" one_line_error
	check "... nothing written" sh -c "test ! -e '$T/prog.mlpackage' && no_leftovers() { [ -z \"\$(find '$T' -name '.*mlpkg*')\" ]; } && no_leftovers"
	expect_exit 4 "... to a zip too" "$MLPKG" convert "$T/prog.mlmodel" -o "$T/prog.zip"
	check "... nothing written" test ! -e "$T/prog.zip"
	expect_exit 4 "convert of a spec that does not decode is refused" \
		"$MLPKG" convert "$FIXTURES/$UNDECODABLE" -o "$T/undecodable.mlpackage"
	check "... nothing written" test ! -e "$T/undecodable.mlpackage"
	# every decodable .mlmodel fixture: convert, dump clean, same bytes, same dump
	n=0 bad=""
	for f in $(fixture_models); do
		case $f in *.mlmodel) ;; *) continue ;; esac
		b=$(basename "$f" .mlmodel)
		if "$MLPKG" convert "$f" -o "$T/fx/$b.mlpackage" >/dev/null 2>"$TMP/cerr"; then
			n=$((n + 1))
			"$MLPKG" dump "$T/fx/$b.mlpackage" >"$TMP/d1" 2>/dev/null || bad="$bad $b(dump)"
			"$MLPKG" dump "$f" >"$TMP/d0" 2>/dev/null
			cmp -s "$TMP/d0" "$TMP/d1" || bad="$bad $b(dump differs)"
			same_bytes "$f" "$T/fx/$b.mlpackage/Data/com.apple.CoreML/model.mlmodel" || bad="$bad $b(bytes)"
		elif grep -q 'weight file' "$TMP/cerr"; then
			: # an ML program spec refers to weight.bin: refused, rightly
		else
			bad="$bad $b(convert: $(cat "$TMP/cerr"))"
		fi
	done
	if [ -z "$bad" ] && [ "$n" -gt 0 ]; then ok "every fixture .mlmodel converts ($n): dump clean, same bytes"; else not_ok "fixture conversions:$bad"; fi
fi

# ---- hostile zips ----------------------------------------------------------
# mkzip OUT KIND: the small package P.mlpackage plus one hostile entry
mkzip() {
	"$PYTHON3" - "$T/P.mlpackage" "$1" "$2" "$T/abs-target" <<'EOF'
import os, struct, sys, zipfile
pkg, out, kind, abs_target = sys.argv[1:5]
root = os.path.basename(pkg)

def add_package(z, name=root):
	for d, dirs, files in os.walk(pkg):
		dirs.sort()
		for f in sorted(files):
			p = os.path.join(d, f)
			z.write(p, name + "/" + os.path.relpath(p, pkg))

def entry(z, name, data, mode, method=zipfile.ZIP_STORED):
	i = zipfile.ZipInfo(name)
	i.create_system = 3
	i.external_attr = mode << 16
	i.compress_type = method
	z.writestr(i, data)

with zipfile.ZipFile(out, "w") as z:
	add_package(z)
	if kind == "dotdot":
		entry(z, root + "/../evil.txt", b"evil", 0o100644)
	elif kind == "dotdot-top":
		entry(z, "../evil.txt", b"evil", 0o100644)
	elif kind == "absolute":
		entry(z, abs_target, b"evil", 0o100644)
	elif kind == "link-out":
		entry(z, root + "/Data/evil-link", b"../../../evil.txt", 0o120777)
	elif kind == "link-abs":
		entry(z, root + "/Data/evil-link", b"/etc/passwd", 0o120777)
	elif kind == "link-through":
		entry(z, root + "/a", b".", 0o120777)
		entry(z, root + "/b", b"a/a/../..", 0o120777)
	elif kind == "link-then-file":
		entry(z, root + "/Data/d", b"..", 0o120777)
		entry(z, root + "/Data/d/evil.txt", b"evil", 0o100644)
	elif kind == "link-inside":
		entry(z, root + "/Data/alias", b"com.apple.CoreML/model.mlmodel", 0o120777)
	elif kind == "fifo":
		entry(z, root + "/Data/fifo", b"", 0o010644)
	elif kind in ("bomb", "bomb-total"):
		entry(z, root + "/Data/big.bin", b"\0" * 100000, 0o100644, zipfile.ZIP_DEFLATED)
	elif kind == "two-roots":
		add_package(z, "Q.mlpackage")
	elif kind == "stray":
		entry(z, "Other.mlpackage/x.txt", b"stray", 0o100644)
	elif kind == "duplicate":
		import warnings
		warnings.simplefilter("ignore")
		entry(z, root + "/Data/com.apple.CoreML/model.mlmodel", b"another spec", 0o100644)
	elif kind == "duplicate-manifest":
		import warnings
		warnings.simplefilter("ignore")
		entry(z, root + "/Manifest.json", open(pkg + "/Manifest.json", "rb").read(), 0o100644)
	elif kind == "macosx":
		entry(z, "__MACOSX/" + root + "/._Manifest.json", b"finder", 0o100644)
	elif kind == "macosx-dotdot":
		entry(z, "__MACOSX/../../evil.txt", b"evil", 0o100644)
	elif kind == "plain":
		pass
	else:
		raise SystemExit("unknown kind " + kind)

if kind.startswith("bomb"):
	# declare a size the archive cannot hold, in both headers of big.bin
	b = bytearray(open(out, "rb").read())
	name = (root + "/Data/big.bin").encode()
	huge = 0xF0000000
	c = b.find(b"PK\x01\x02" + b"\0" * 0, 0)
	while c >= 0:
		nl = struct.unpack_from("<H", b, c + 28)[0]
		if b[c + 46:c + 46 + nl] == name:
			if kind == "bomb-total":
				struct.pack_into("<I", b, c + 24, 1100 * len(b) + 2 * 1024 * 1024)
				struct.pack_into("<I", b, c + 20, struct.unpack_from("<I", b, c + 20)[0])
			else:
				struct.pack_into("<I", b, c + 24, huge)
			lo = struct.unpack_from("<I", b, c + 42)[0]
			struct.pack_into("<I", b, lo + 22, struct.unpack_from("<I", b, c + 24)[0])
		c = b.find(b"PK\x01\x02", c + 4)
	open(out, "wb").write(bytes(b))
EOF
}

# refused KIND DESC WHAT: the zip is refused with exit 4, a one-line error
# naming the archive (and WHAT), and nothing is written anywhere
refused() {
	k=$1 d=$2 what=$3
	box=$T/box-$k
	mkdir -p "$box"
	rm -f "$T/abs-target" "$T/evil.txt" "$box/evil.txt"
	if ! mkzip "$box/h.zip" "$k" 2>"$TMP/pyerr"; then
		not_ok "$d (could not make the zip: $(head -1 "$TMP/pyerr"))"
		return
	fi
	(cd "$box" && "$MLPKG" unpack h.zip -o out/dir >"$TMP/out" 2>"$TMP/err")
	rc=$?
	if [ "$rc" -eq 4 ] && one_line_error && grep -q "'h.zip'" "$TMP/err" &&
	   { [ -z "$what" ] || grep -qF -- "$what" "$TMP/err"; } &&
	   [ "$(ls -A "$box")" = h.zip ] && [ ! -e "$T/abs-target" ] &&
	   [ -z "$(find "$T" -name evil.txt)" ]; then
		ok "$d: refused, nothing written"
	else
		not_ok "$d (exit $rc)"
		sed 's/^/# /' "$TMP/err" | head -5
		ls -A "$box" | sed 's/^/# in box: /'
	fi
}

if have_py; then
	refused dotdot "an entry with ../ inside the package" "leads outside"
	refused dotdot-top "an entry with ../ at the top" "../evil.txt"
	refused absolute "an entry with an absolute name" "absolute"
	refused link-out "a symlink entry leading outside" "Data/evil-link"
	refused link-abs "a symlink entry to an absolute path" "Data/evil-link"
	refused link-through "a symlink walking through another link" "P.mlpackage/b"
	refused link-then-file "a file entry written through a symlink entry" "Data/d"
	refused fifo "a special-file entry" "Data/fifo"
	refused bomb "a declared-size bomb" "big.bin"
	refused bomb-total "a size beyond what the archive can hold" "big.bin"
	refused two-roots "a duplicated root (two packages)" "more than one package"
	refused stray "an entry outside the package folder" "Other.mlpackage/x.txt"
	refused duplicate "an entry named twice" "two entries named"
	refused duplicate-manifest "a duplicated root (Manifest.json twice)" "two entries named"
	# what is fine
	mkzip "$T/inside.zip" link-inside
	expect_exit 0 "a symlink that stays inside is kept" "$MLPKG" unpack "$T/inside.zip" -o "$T/ins"
	check "... as a link" test -L "$T/ins/P.mlpackage/Data/alias"
	mkzip "$T/mac.zip" macosx
	expect_exit 0 "Finder's __MACOSX entries are skipped" "$MLPKG" unpack "$T/mac.zip" -o "$T/mac"
	check "... only the package is made" sh -c "test \"\$(ls -A '$T/mac')\" = P.mlpackage"
	mkzip "$T/macdd.zip" macosx-dotdot
	expect_exit 4 "a '..' under __MACOSX/ is refused like any other" "$MLPKG" unpack "$T/macdd.zip" -o "$T/macdd"
	check "... nothing written" test ! -e "$T/macdd"
	# a package at the zip's root: named after the zip
	(cd "$T/P.mlpackage" && "$PYTHON3" -c 'import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
	for d, ds, fs in os.walk("."):
		for f in fs: z.write(os.path.join(d, f), os.path.relpath(os.path.join(d, f), "."))' "$T/Rooted.zip")
	expect_exit 0 "a package at the zip's root unpacks" "$MLPKG" unpack "$T/Rooted.zip" -o "$T/rooted"
	check "... named after the zip" test -f "$T/rooted/Rooted.mlpackage/Manifest.json"
	# not a zip at all
	printf 'PK\003\004 this is no zip' >"$T/broken.zip"
	expect_exit 4 "a damaged zip is refused" "$MLPKG" unpack "$T/broken.zip" -o "$T/broken"
	check "... with a one-line error" one_line_error
	check "... nothing written" test ! -e "$T/broken"
else
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23; do skip "no python3"; done
fi

# ---- progress on a terminal ------------------------------------------------
if command -v script >/dev/null 2>&1 && "$MKMODEL" bigpkg "$T/big.mlpackage" --size 20000000 >/dev/null 2>&1; then
	script -qec "'$MLPKG' pack '$T/big.mlpackage' -o '$T/big.zip'" /dev/null >"$TMP/tty" 2>&1
	check "progress is shown when stderr is a terminal" grep -q "packing '.*big.mlpackage': *[0-9]*%" "$TMP/tty"
	"$MLPKG" unpack "$T/big.zip" -o "$T/bigu" >/dev/null 2>"$TMP/err"
	check "... and not otherwise" test ! -s "$TMP/err"
	check "... the big package round-trips" same_tree "$T/big.mlpackage" "$T/bigu/big.mlpackage"
	# stopped at any moment: the result is whole or absent, no temp is left
	bad=""
	if command -v timeout >/dev/null 2>&1; then
		for d in 0.005 0.01 0.02 0.04 0.08; do
			rm -rf "$T/sig.zip" "$T/sigu"
			timeout -s TERM $d "$MLPKG" pack "$T/big.mlpackage" -o "$T/sig.zip" >/dev/null 2>&1
			[ ! -e "$T/sig.zip" ] || cmp -s "$T/sig.zip" "$T/big.zip" || bad="$bad pack@$d"
			timeout -s TERM $d "$MLPKG" unpack "$T/big.zip" -o "$T/sigu" >/dev/null 2>&1
			[ ! -e "$T/sigu/big.mlpackage" ] || same_tree "$T/big.mlpackage" "$T/sigu/big.mlpackage" || bad="$bad unpack@$d"
			no_leftovers "$T" || bad="$bad leftovers@$d"
		done
		if [ -z "$bad" ]; then ok "stopped by a signal: whole or absent, nothing left behind"; else not_ok "stopped by a signal:$bad"; fi
	else
		skip "no timeout(1)"
	fi
else
	skip "no script(1)"; skip "no script(1)"; skip "no script(1)"; skip "no script(1)"
fi

done_testing
