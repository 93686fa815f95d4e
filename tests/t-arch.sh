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
# ---- the library leaves the terminal to its callers ------------------------
# The layers below ui and cli neither touch stderr nor the terminal: messages
# go through base/error.c (whose default routine alone writes to stderr),
# progress through a callback.  lib_io_breaches SRCDIR prints one
# "FILE:LINE: what" per breach in SRCDIR/{base,spec,model,query,edit,analyze},
# comments left out, and fails when there is one.
lib_io_breaches() {
	_src=$1
	_found=0
	for _f in "$_src"/base/*.[ch] "$_src"/spec/*.[ch] "$_src"/model/*.[ch] "$_src"/query/*.[ch] \
		"$_src"/edit/*.[ch] "$_src"/analyze/*.[ch]; do
		[ -f "$_f" ] || continue
		awk -v file="$_f" '
		# the line without its comments (strings kept), across lines
		function strip(s,   out, i, c, n) {
			out = ""
			n = length(s)
			for (i = 1; i <= n; i++) {
				c = substr(s, i, 1)
				if (incomment) {
					if (c == "*" && substr(s, i + 1, 1) == "/") { incomment = 0; i++ }
					continue
				}
				if (instr) {
					out = out c
					if (c == "\\") { out = out substr(s, i + 1, 1); i++ }
					else if (c == q) instr = 0
					continue
				}
				if (c == "/" && substr(s, i + 1, 1) == "*") { incomment = 1; i++; continue }
				if (c == "/" && substr(s, i + 1, 1) == "/") break
				if (c == "\"" || c == "\047") { instr = 1; q = c }
				out = out c
			}
			instr = 0
			return out
		}
		function say(what) { printf "%s:%d: %s\n", file, FNR, what; bad = 1 }
		{
			code = strip($0)
			# base/error.c: only the default routine may write to stderr
			if (file ~ /\/base\/error\.c$/) {
				if (code ~ /^void error_default_routine\(/) inroutine = 1
				else if (inroutine && code ~ /^}/) inroutine = 0
			}
			if (code ~ /(^|[^A-Za-z0-9_])(dup2|freopen|isatty)[ \t]*\(/)
				say("dup2, freopen or isatty")
			if (code ~ /(^|[^A-Za-z0-9_])(stderr|STDERR_FILENO|perror)([^A-Za-z0-9_]|$)/ && !inroutine)
				say("writes to stderr (report through error.h instead)")
			if (code ~ /#[ \t]*include[ \t]*<(n?curses|ncursesw\/curses|term)\.h>/ ||
			    code ~ /(^|[^A-Za-z0-9_])(initscr|newterm|endwin|refresh|wrefresh|getch|wgetch|printw|mvprintw|addstr|mvaddstr|doupdate|curs_set)[ \t]*\(/)
				say("ncurses")
			esc = code
			gsub(/\\\\/, "", esc)
			if (esc ~ /(^|[^A-Za-z0-9_])(printf|fprintf|vfprintf|fputs|puts|fputc|putc|fwrite|write)[ \t]*\(/ && esc ~ /"[^"]*\\r/)
				say("\"\\r\" drawing (progress goes through a callback)")
		}
		END { exit bad }' "$_f" || _found=1
	done
	return $_found
}
run lib_io_breaches "$top_srcdir/src"
if [ "$rc" -eq 0 ]; then
	ok "base to analyze: no dup2, freopen, isatty, ncurses, carriage-return drawing or stderr outside error.c's default routine"
else
	not_ok "base to analyze: no dup2, freopen, isatty, ncurses, carriage-return drawing or stderr outside error.c's default routine"
	sed 's/^/# /' "$TMP/out" | head -40
fi
# each breach planted in a copy is found, with its file and line
mkdir -p "$TMP/src/base" "$TMP/src/model" "$TMP/src/query" "$TMP/src/ui"
cp "$top_srcdir/src/base/error.c" "$TMP/src/base/error.c"
printf '%s\n' '/* stderr in a comment is fine */' 'static void f(void)' '{' \
	'	fprintf(stderr, "x\n");' '	dup2(3, 2);' '	if (isatty(2))' \
	'		printf("\rmlpkg: %d%%", 5);' '	fputs("\\r", stdout);' '}' >"$TMP/src/model/bad.c"
printf '%s\n' '#include <curses.h>' 'static void g(void) { endwin(); }' >"$TMP/src/query/bad.c"
printf '%s\n' 'static void h(void) { fprintf(stderr, "ui may\n"); }' >"$TMP/src/ui/fine.c"
printf '%s\n' 'void error_default_routine(void)' '{' '}' 'void other(void)' '{' '	fputs("x", stderr);' '}' >>"$TMP/src/base/error.c"
run lib_io_breaches "$TMP/src"
check "planted breaches fail the check" test "$rc" -ne 0
check "... stderr, with file and line" grep -q "^$TMP/src/model/bad.c:4: writes to stderr" "$TMP/out"
check "... dup2 and isatty" sh -c "grep -q '^$TMP/src/model/bad.c:5: dup2' '$TMP/out' && grep -q '^$TMP/src/model/bad.c:6: dup2, freopen or isatty' '$TMP/out'"
check "... a carriage return drawn, not an escaped one" sh -c "grep -q '^$TMP/src/model/bad.c:7: \"' '$TMP/out' && ! grep -q 'bad.c:8:' '$TMP/out'"
check "... ncurses, included and called" sh -c "grep -q '^$TMP/src/query/bad.c:1: ncurses' '$TMP/out' && grep -q '^$TMP/src/query/bad.c:2: ncurses' '$TMP/out'"
check "... stderr outside error.c's default routine, not in it, nor in comments, nor in ui" sh -c "grep -q '^$TMP/src/base/error.c:[0-9]*: writes to stderr' '$TMP/out' && [ \$(grep -c 'error.c' '$TMP/out') -eq 1 ] && ! grep -q 'bad.c:1:.*stderr' '$TMP/out' && ! grep -q 'fine.c' '$TMP/out'"
done_testing
