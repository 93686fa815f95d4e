#!/bin/sh
# t-basics: version, help, the command table against the man page and the
# completions, exit codes for bad invocations.
. "${top_srcdir:-.}/tests/lib.sh"

run "$MLPKG" --version
check "--version names mlpkg and its libraries" grep -q "^mlpkg [0-9]" "$TMP/out"
check "--version names protobuf-c, libzip, cJSON, ncurses" sh -c "grep -q protobuf-c '$TMP/out' && grep -q libzip '$TMP/out' && grep -q cJSON '$TMP/out' && grep -q ncurses '$TMP/out'"
expect_exit 2 "no command is a usage error" "$MLPKG"
expect_exit 2 "an unknown command is a usage error" "$MLPKG" frobnicate
check "the usage error is one line" one_line_error
expect_exit 0 "mlpkg help" "$MLPKG" help
expect_exit 0 "mlpkg --help" "$MLPKG" --help

man="$top_srcdir/man/mlpkg.1"
cmds=$("$MLPKG" --complete-commands)
check "the command table is not empty" test -n "$cmds"
PATH="$top_builddir:$PATH"
export PATH
for c in $cmds; do
	check "$c: has a man page section" grep -q "^\.Ss mlpkg $c\$" "$man"
	check "$c: --help shows its usage" sh -c "'$MLPKG' $c --help | grep -q '^usage: mlpkg $c'"
	check "$c: listed by mlpkg help" sh -c "'$MLPKG' help | grep -q '^  $c '"
	if command -v bash >/dev/null; then
		got=$(bash -c ". '$top_srcdir/completions/mlpkg.bash'; COMP_WORDS=(mlpkg '$c'); COMP_CWORD=1; _mlpkg; printf '%s\n' \"\${COMPREPLY[@]}\"" 2>&1)
		check "$c: bash completion offers it" sh -c "printf '%s\n' '$got' | grep -qx '$c'"
	else
		skip "$c: bash completion (no bash)"
	fi
	for o in $("$MLPKG" --complete-options "$c"); do
		check "$c: option $o is in the man page" grep -q -- "$(echo "$o" | sed 's/^--//')" "$man"
	done
done
check "zsh completion asks the binary" grep -q -- "--complete-commands" "$top_srcdir/completions/_mlpkg"
check "fish completion asks the binary" grep -q -- "--complete-commands" "$top_srcdir/completions/mlpkg.fish"
if command -v fish >/dev/null; then check "fish completion parses" fish -n "$top_srcdir/completions/mlpkg.fish"; else skip "fish not installed"; fi
if command -v zsh >/dev/null; then check "zsh completion parses" zsh -n "$top_srcdir/completions/_mlpkg"; else skip "zsh not installed"; fi
bash -c ". '$top_srcdir/completions/mlpkg.bash'; COMP_WORDS=(mlpkg meta ''); COMP_CWORD=2; _mlpkg; printf '%s\n' \"\${COMPREPLY[@]}\"" >"$TMP/comp" 2>&1
check "bash completion offers meta's sub-commands" grep -qx set "$TMP/comp"
mkdir -p "$TMP/cdir" && : >"$TMP/cdir/A.mlmodel" && mkdir "$TMP/cdir/B.mlpackage" && : >"$TMP/cdir/notes.txt"
(cd "$TMP/cdir" && bash -c ". '$top_srcdir/completions/mlpkg.bash'; COMP_WORDS=(mlpkg dump ''); COMP_CWORD=2; _mlpkg; printf '%s\n' \"\${COMPREPLY[@]}\"") >"$TMP/comp" 2>&1
check "bash completion offers model files" grep -qx A.mlmodel "$TMP/comp"
check "bash completion offers packages" grep -qx B.mlpackage "$TMP/comp"
check "bash completion leaves other files out" sh -c "! grep -qx notes.txt '$TMP/comp'"

# exit codes on bad input
expect_exit 3 "a missing model is 'not found'" "$MLPKG" dump "$TMP/nope.mlmodel"
check "... with one line naming it" sh -c "one_line_error() { :; }; grep -q nope.mlmodel '$TMP/err'"
printf 'hello, I am text\n' >"$TMP/text.mlmodel"
expect_exit 4 "a text file is not a model" "$MLPKG" dump "$TMP/text.mlmodel"
check "... one line naming the file" one_line_error
: >"$TMP/empty.mlmodel"
expect_exit 4 "an empty file is not a model" "$MLPKG" dump "$TMP/empty.mlmodel"
mkdir "$TMP/folder"
expect_exit 4 "a folder without Manifest.json is not a package" "$MLPKG" dump "$TMP/folder"
expect_exit 2 "an unknown option is a usage error" "$MLPKG" dump --frob x
done_testing
