# lib.sh: TAP helpers for mlpkg's shell tests. Source it, call the checks,
# end with done_testing.  Fixtures come from $MLPKG_FIXTURES (default
# ../shared/fixtures beside the source tree); absent fixtures are skipped.
top_srcdir=${top_srcdir:-.}
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "${top_builddir:-.}" && pwd)
MLPKG=${MLPKG:-$top_builddir/mlpkg}
MKMODEL=${MKMODEL:-$top_builddir/mkmodel}
PYTHON3=${PYTHON3:-/usr/bin/python3}
PROTO_DIR=${PROTO_DIR:-$top_srcdir/src/proto}
FIXTURES=${MLPKG_FIXTURES:-$top_srcdir/../shared/fixtures}
export PROTO_DIR
unset MLPKG_MODEL
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mlpkg-test.XXXXXX")
trap 'chmod -R u+w "$TMP" 2>/dev/null; rm -rf "$TMP"' EXIT
_n=0
_failed=0

ok() { _n=$((_n + 1)); echo "ok $_n - $*"; }
not_ok() { _n=$((_n + 1)); _failed=$((_failed + 1)); echo "not ok $_n - $*"; }
skip() { _n=$((_n + 1)); echo "ok $_n # SKIP $*"; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

# check DESC CMD...: passes when CMD succeeds
check() {
	_d=$1; shift
	if "$@" >"$TMP/.out" 2>"$TMP/.err"; then ok "$_d"; else not_ok "$_d"; sed 's/^/# /' "$TMP/.out" "$TMP/.err" | head -20; fi
}

# run CMD...: runs it, keeping stdout in $TMP/out, stderr in $TMP/err, exit in $rc
run() { "$@" >"$TMP/out" 2>"$TMP/err"; rc=$?; }

# expect_exit CODE DESC CMD...: passes when CMD exits with CODE (output kept as with run)
expect_exit() {
	_c=$1 _d=$2; shift 2
	run "$@"
	if [ "$rc" -eq "$_c" ]; then ok "$_d"; else not_ok "$_d (exit $rc, wanted $_c)"; sed 's/^/# /' "$TMP/err" | head -10; fi
}

# a one-line error naming the file on stderr
one_line_error() { [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q "^mlpkg: " "$TMP/err"; }

have_fixtures() { [ -f "$FIXTURES/index.tsv" ]; }
have_python() { [ -x "$PYTHON3" ] && "$PYTHON3" -c 'import google.protobuf' 2>/dev/null && command -v "${PROTOC:-protoc}" >/dev/null; }

# the decodable fixtures (.mlmodel files and package folders), one a line
fixture_models() {
	for f in "$FIXTURES"/*.mlmodel "$FIXTURES"/*.mlpackage; do
		[ -e "$f" ] || continue
		case $(basename "$f") in ctools-nnv2-simple_layer.mlmodel) continue ;; esac
		echo "$f"
	done
}
UNDECODABLE=ctools-nnv2-simple_layer.mlmodel

# the independent decoder (python3-protobuf over our schema)
py() { "$PYTHON3" "$top_srcdir/tests/pydecode.py" "$@"; }
# pyscript ARGS...: a Python script on standard input, able to import
# pydecode (load_schema for our schema, field for hand-made bytes)
pyscript() { PYTHONPATH="$top_srcdir/tests${PYTHONPATH:+:$PYTHONPATH}" "$PYTHON3" - "$@"; }

# same bytes?
same_bytes() { cmp -s "$1" "$2"; }
# copy of a fixture (files or package folders) into $TMP, writable
copy_fixture() { cp -R "$1" "$TMP/$2" && chmod -R u+w "$TMP/$2"; }

done_testing() {
	echo "1..$_n"
	exit 0
}
