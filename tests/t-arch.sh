#!/bin/sh
# t-arch: the library's layers are in order (tools/check-layers): no layer
# calls into, or includes a header of, a layer above it; and the checker
# itself reports a breach when the order is turned upside down.
. "${top_srcdir:-.}/tests/lib.sh"

LAYERS="base spec model query edit analyze ui cli"
args=""
rev=""
for l in $LAYERS; do
	args="$args $l=$top_builddir/libmlpkg-$l.a"
	rev="$l=$top_builddir/libmlpkg-$l.a $rev"
done

# shellcheck disable=SC2086
run "$top_srcdir/tools/check-layers" "$top_srcdir/src" $args
if [ "$rc" -eq 0 ]; then
	ok "no layer calls or includes a layer above it"
else
	not_ok "no layer calls or includes a layer above it"
	sed 's/^/# /' "$TMP/out" "$TMP/err" | head -40
fi
check "every layer has its own archive" sh -c "for l in $LAYERS; do test -s '$top_builddir/libmlpkg-'\$l.a || exit 1; done"

# upside down, the same archives must breach: the checker can fail
# shellcheck disable=SC2086
run "$top_srcdir/tools/check-layers" "$top_srcdir/src" $rev
check "the checker reports calls upward (layers reversed: exit 1)" test "$rc" -eq 1
check "... naming the caller's layer, the symbol and the callee's layer" \
	grep -q '^layer spec (.*) calls [a-z_]* of layer base$' "$TMP/out"
check "... and headers included upward" grep -q '^layer cli (.*) includes a header of layer base' "$TMP/out"
expect_exit 2 "a missing archive is a usage error" "$top_srcdir/tools/check-layers" "$top_srcdir/src" base=/nonexistent.a

# the programs link the layers from the top down, every one of them
check "mlpkg links every layer, top down" sh -c "grep -q '^LAYER_LIBS = libmlpkg-cli.a libmlpkg-ui.a libmlpkg-analyze.a libmlpkg-edit.a libmlpkg-query.a libmlpkg-model.a libmlpkg-spec.a libmlpkg-base.a\$' '$top_srcdir/Makefile.am'"
done_testing
