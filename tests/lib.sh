# lib.sh: TAP helpers for mlpkg's shell tests. Source it, call the checks,
# end with done_testing.  Fixtures come from $MLPKG_FIXTURES (default
# ../shared/fixtures beside the source tree); absent fixtures are skipped,
# one TAP SKIP line a group of assertions (fixtures_or_skip).
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

# GNU and BSD (macOS) userlands differ; the tests go through these.
# STAT_INODE / STAT_MODE expand inside "sh -c" strings too.
if stat -c %i / >/dev/null 2>&1; then
	STAT_INODE="stat -c %i" STAT_MODE="stat -c %a"
	facts_of() { stat -c '%n %i %s %Y %Z' "$@"; }
else
	STAT_INODE="stat -f %i" STAT_MODE="stat -f %Lp"
	facts_of() { stat -f '%N %i %z %m %c' "$@"; }
fi
inode_of() { $STAT_INODE "$1"; }
mode_of() { $STAT_MODE "$1"; }
# the widest line of a file, in characters (wc -L is GNU's): UTF-8
# continuation bytes dropped, one byte a character is left
widest() { LC_ALL=C tr -d '\200-\277' <"$1" | LC_ALL=C awk '{ if (length($0) > w) w = length($0) } END { print w + 0 }'; }
# timeout [-s SIG] SECONDS CMD...: coreutils' where there is one, else perl
if ! command -v timeout >/dev/null 2>&1; then
	timeout() {
		_sig=TERM
		if [ "$1" = -s ]; then _sig=$2; shift 2; fi
		perl -e 'use Time::HiRes qw(alarm); my ($sig, $t, @cmd) = @ARGV; my $pid = fork;
			if (!$pid) { exec @cmd or exit 127 } my $late = 0;
			$SIG{ALRM} = sub { $late = 1; kill $sig, $pid }; alarm $t; waitpid $pid, 0; my $st = $?;
			alarm 0; exit 124 if $late; exit($st & 127 ? 128 + ($st & 127) : $st >> 8)' "$_sig" "$@"
	}
fi

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

# fixtures_or_skip WHAT: true when the fixtures are there; else one TAP SKIP
# line naming the group of assertions WHAT that is not run, and false.  Every
# group that needs the fixtures goes through it, so that a run without them
# says what it left out:  if fixtures_or_skip "what"; then ...checks... fi
fixtures_or_skip() {
	have_fixtures && return 0
	if [ -n "${MLPKG_FIXTURES:-}" ]; then
		skip "fixtures: $1 (MLPKG_FIXTURES=$MLPKG_FIXTURES absent)"
	else
		skip "fixtures: $1 ($FIXTURES absent; set MLPKG_FIXTURES)"
	fi
	return 1
}
# python_or_skip WHAT: the same for checks that need the independent decoder
# (python3-protobuf and protoc)
python_or_skip() {
	have_python && return 0
	skip "$1 (no python3-protobuf or protoc)"
	return 1
}

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
