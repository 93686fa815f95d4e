#!/bin/sh
# tests/tap-skip.sh: runs one test program and passes its TAP through, except
# that a "not ok N # SKIP" line becomes "ok N # SKIP".  cmocka writes a
# skipped test the first way; TAP says a SKIP directive makes the line a skip,
# but automake's tap-driver.sh counts it as a failure.  The exit status is the
# program's own.
out=$(mktemp) || exit 99
trap 'rm -f "$out"' EXIT
"$@" > "$out"
rc=$?
sed 's/^not ok \([0-9][0-9]*\)\(.*\)# *SKIP/ok \1\2# SKIP/' "$out"
exit $rc
