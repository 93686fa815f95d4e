#!/bin/sh
# t-malformed: every fixture and every example model, truncated at many
# offsets and with bytes changed (deterministic seeds), through every
# command (the reading ones, the browser headless, describe/rename/meta set
# with -o, unpack, meta set in place): a valid answer or a one-line error naming the file, exit below
# 128, never a hang, never a modified original, no temp file left (see
# tests/malformed.py).  MLPKG_MALFORMED_VARIANTS sets the variants per model
# (default 10) for longer runs.
. "${top_srcdir:-.}/tests/lib.sh"

if [ ! -x "$PYTHON3" ]; then
	skip "no python3 to make the variants"
	done_testing
fi

# a spec whose description or metadata does not decode: every metadata
# command says so in one line, exit 4 (not "no such key", not two messages)
pyscript "$TMP" <<'PY'
import os, sys
from pydecode import field
open(sys.argv[1] + "/bad-description.mlmodel", "wb").write(b"\x08\x04" + field(2, b"\x0f\x00"))
open(sys.argv[1] + "/bad-metadata.mlmodel", "wb").write(b"\x08\x04" + field(2, field(100, field(3, b"\xff"))))
PY
for b in description metadata; do
	f="$TMP/bad-$b.mlmodel"
	cp "$f" "$TMP/bad.copy"
	for c in "meta" "meta --json" "meta get author" "meta rm author" "meta set author x"; do
		run "$MLPKG" $c "$f"
		if [ $rc -eq 4 ] && one_line_error && grep -q "bad-$b.mlmodel" "$TMP/err"; then
			ok "a $b that does not decode: $c: exit 4, one line"
		else
			not_ok "a $b that does not decode: $c: exit $rc, wanted 4 and one line"
			sed 's/^/# /' "$TMP/err" | head -3
		fi
	done
	check "a $b that does not decode: the file unchanged" cmp -s "$f" "$TMP/bad.copy"
done

# the project's examples: every kind mkmodel makes, and zipped packages
mkdir -p "$TMP/ex"
for k in nn nnclassifier pipeline; do
	"$MKMODEL" $k "$TMP/ex/$k.mlmodel" >/dev/null 2>&1
done
for k in segmentation multifunction; do
	"$MKMODEL" $k "$TMP/ex/$k.mlpackage" >/dev/null 2>&1
done
"$PYTHON3" - "$TMP/ex" <<'PY'
import os, sys, zipfile
ex = sys.argv[1]
pkg = os.path.join(ex, "segmentation.mlpackage")
with zipfile.ZipFile(os.path.join(ex, "segmentation.zip"), "w", zipfile.ZIP_DEFLATED) as z:
    for d, _, fs in sorted(os.walk(pkg)):
        for f in sorted(fs):
            p = os.path.join(d, f)
            z.write(p, "Seg.mlpackage/" + os.path.relpath(p, pkg))
with zipfile.ZipFile(os.path.join(ex, "lone.zip"), "w", zipfile.ZIP_STORED) as z:
    z.write(os.path.join(ex, "nn.mlmodel"), "Net.mlmodel")
PY
set --
for f in "$TMP"/ex/*; do set -- "$@" "example $(basename "$f")=$f"; done
if fixtures_or_skip "malformed variants of every fixture model (the examples' variants still run)"; then
	for f in "$FIXTURES"/*.mlmodel "$FIXTURES"/*.mlpackage; do
		[ -e "$f" ] && set -- "$@" "$(basename "$f")=$f"
	done
fi

# a sanitizer build starts ten times slower: fewer variants (unless asked)
variants=${MLPKG_MALFORMED_VARIANTS:-10}
if [ -z "${MLPKG_MALFORMED_VARIANTS:-}" ] &&
	{ nm "$MLPKG" 2>/dev/null | grep -q '__asan_init\|__ubsan_handle' || ldd "$MLPKG" 2>/dev/null | grep -q 'libasan\|libubsan'; }; then
	variants=2
	diag "a sanitizer build: $variants variants per model"
fi
mkdir -p "$TMP/work"
start=$(date +%s)
"$PYTHON3" "$top_srcdir/tests/malformed.py" --mlpkg "$MLPKG" --tmp "$TMP/work" \
	--variants "$variants" --jobs "${MLPKG_MALFORMED_JOBS:-2}" "$@" >"$TMP/results" 2>"$TMP/errors"
rc=$?
while IFS= read -r line; do
	case $line in
	"PASS "*) ok "${line#PASS }" ;;
	"FAIL "*) not_ok "${line#FAIL }" ;;
	"# "*) echo "$line" ;;
	esac
done <"$TMP/results"
check "the variant runner finished (exit $rc)" sh -c "[ $rc -le 1 ] && [ ! -s '$TMP/errors' ]"
[ -s "$TMP/errors" ] && sed 's/^/# /' "$TMP/errors" | head -20
diag "$(($(date +%s) - start)) s for $# models"
done_testing
