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

# every edit goes through the edit transaction (edit/txn.h): the front ends'
# archives reference none of the writing machinery or the tree edits
# directly.  (cmd-weights.o writes an extracted tensor with atomic_*: a new
# file, not an edit of the model.)
# direct_writes ARCHIVE: the members and the symbols they reference
direct_writes() {
	nm -A "$1" 2>/dev/null | awk 'NF >= 2 && $(NF-1) == "U" { print $1, $NF }' |
		grep -E ' (overlay_save|zipio_[a-z_]*|atomic_[a-z_]*|meta_set|meta_rm|mlpkg_save|mlpkg_save_with)$' |
		grep -v 'cmd-weights[.]o: atomic_'
}
if command -v nm >/dev/null 2>&1; then
	for l in cli ui; do
		direct_writes "$top_builddir/libmlpkg-$l.a" >"$TMP/direct"
		if [ ! -s "$TMP/direct" ]; then
			ok "layer $l edits only through the transaction (no overlay_save, zipio_*, atomic_*, meta_set, meta_rm, mlpkg_save)"
		else
			not_ok "layer $l edits only through the transaction"
			sed 's/^/# /' "$TMP/direct" | head -20
		fi
	done
	direct_writes "$top_builddir/libmlpkg-edit.a" >"$TMP/direct"
	check "... the same check finds the transaction's own calls in layer edit (it can fail)" \
		sh -c "grep -q 'meta_set\$' '$TMP/direct' && grep -q 'mlpkg_save_with\$' '$TMP/direct'"
else
	skip "front ends only through the transaction: no nm"
fi
done_testing
