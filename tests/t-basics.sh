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
done

# The man page documents exactly the options of the option tables: each
# long option in its command's section (.Ss mlpkg CMD), each short form
# there or in the paragraph on short forms, and no option a command lacks.
# mlpkg __options: CMD, --long, -s or empty, value name, what completes it.
# (read here with empty fields as "-")
"$MLPKG" __options | awk -F '\t' -v OFS=' ' '{ for (i = 1; i <= 5; i++) if ($i == "") $i = "-"; print }' >"$TMP/table"
awk -f "$top_srcdir/tests/man-options.awk" "$man" | sort -u >"$TMP/man"
check "the option tables are not empty" test -s "$TMP/table"
check "the man page's options are found" test -s "$TMP/man"
# in_table CMD LONG SHORT: the table has that row (an empty field: any)
in_table() { awk -v c="$1" -v o="$2" -v s="$3" '$1 == c && (o == "" || $2 == o) && (s == "" || $3 == s) { f = 1 } END { exit !f }' "$TMP/table"; }
while read -r c o s arg comp; do
	check "$c: option $o is in the man page" grep -qxF "S $c $o" "$TMP/man"
	if [ "$s" != - ]; then
		check "$c: its short form $s for $o is in the man page" sh -c "grep -qxF 'S $c $s' '$TMP/man' || grep -qxF 'F * $s $o' '$TMP/man' || grep -qxF 'F $c $s $o' '$TMP/man'"
	fi
done <"$TMP/table"
while read -r kind c s o; do
	case $kind:$s in
	S:--help) ;;
	S:--*) check "man page: $c's $s is one of its options" in_table "$c" "$s" "" ;;
	S:-*) check "man page: $c's $s is one of its short forms" in_table "$c" "" "$s" ;;
	F:*)
		if [ "$c" = "*" ]; then
			check "man page: $s for $o is so in every command with $o" sh -c "awk -v o='$o' -v s='$s' '\$2 == o { n++; if (\$3 != s) bad = 1 } END { exit bad || !n }' '$TMP/table'"
		else
			check "man page: $c's $s for $o is one of its short forms" in_table "$c" "$o" "$s"
		fi ;;
	esac
done <"$TMP/man"

# Completion: every script asks the binary (mlpkg __complete), which answers
# from the same tables; bash gives each command exactly its options, and
# each option's value its word list or file names.
check "bash completion asks the binary" grep -q -- "__complete" "$top_srcdir/completions/mlpkg.bash"
check "zsh completion asks the binary" grep -q -- "__complete" "$top_srcdir/completions/_mlpkg"
check "fish completion asks the binary" grep -q -- "__complete" "$top_srcdir/completions/mlpkg.fish"
mkdir -p "$TMP/vdir/sub" && : >"$TMP/vdir/notes.txt"
bcomp() { # bcomp WORD...: the candidates bash offers for the last word
	(cd "$TMP/vdir" && bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _mlpkg; printf "%s\n" "${COMPREPLY[@]}"' bash "$top_srcdir/completions/mlpkg.bash" "$@") 2>&1 | sort
}
for c in $cmds; do
	want=$( (awk -v c="$c" '$1 == c { print $2 }' "$TMP/table"; echo --help) | sort)
	check "$c: bash completes exactly its options" test "$(bcomp mlpkg "$c" --)" = "$want"
done
while read -r c o s arg comp; do
	case $comp in
	-) ;;
	file) check "$c $o: bash completes any file" sh -c "printf '%s\n' '$(bcomp mlpkg "$c" "$o" '')' | grep -qx notes.txt" ;;
	dir) check "$c $o: bash completes folders only" test "$(bcomp mlpkg "$c" "$o" '')" = sub ;;
	*) check "$c $o: bash completes exactly $comp" test "$(bcomp mlpkg "$c" "$o" '')" = "$(printf '%s\n' "$comp" | tr '|' '\n' | sort)" ;;
	esac
done <"$TMP/table"
check "bash completion: a short option's value too" test "$(bcomp mlpkg graph -f m)" = mermaid
check "bash completion: no options after --" sh -c "! printf '%s\n' '$(bcomp mlpkg info -- --)' | grep -q -- --json"
check "bash completion: help completes commands" sh -c "printf '%s\n' '$(bcomp mlpkg help me)' | grep -qx meta"
# which mlpkg the scripts ask: the one typed when it is a path, else the one
# beside the script's folder (a build tree), else mlpkg on PATH
if PATH=/usr/bin:/bin command -v mlpkg >/dev/null; then
	skip "completion finds mlpkg without PATH (an mlpkg is installed in /usr/bin or /bin)"
else
	mkdir -p "$TMP/tree/completions" "$TMP/alone"
	cp "$top_srcdir/completions/mlpkg.bash" "$top_srcdir/completions/_mlpkg" "$top_srcdir/completions/mlpkg.fish" "$TMP/tree/completions/"
	cp "$top_srcdir/completions/mlpkg.bash" "$TMP/alone/"
	ln -s "$MLPKG" "$TMP/tree/mlpkg"
	got=$(PATH=/usr/bin:/bin bash -c '. "$1"; COMP_WORDS=(mlpkg me); COMP_CWORD=1; _mlpkg; printf "%s\n" "${COMPREPLY[@]}"' bash "$TMP/tree/completions/mlpkg.bash")
	check "bash completion asks the mlpkg beside its folder (a build tree)" test "$got" = meta
	got=$(PATH=/usr/bin:/bin bash -c '. "$1"; COMP_WORDS=("$2" me); COMP_CWORD=1; _mlpkg; printf "%s\n" "${COMPREPLY[@]}"' bash "$TMP/alone/mlpkg.bash" "$MLPKG")
	check "bash completion asks the mlpkg typed (./mlpkg)" test "$got" = meta
	got=$(PATH=/usr/bin:/bin bash -c '. "$1"; COMP_WORDS=(mlpkg me); COMP_CWORD=1; _mlpkg; printf "%s\n" "${COMPREPLY[@]}"' bash "$TMP/alone/mlpkg.bash")
	check "bash completion: no mlpkg anywhere, no candidates" test -z "$got"
	if command -v fish >/dev/null; then
		got=$(cd "$TMP" && PATH=/usr/bin:/bin fish -c "source '$TMP/tree/completions/mlpkg.fish'; complete -C 'mlpkg graph --format '")
		check "fish completion asks the mlpkg beside its folder, values from the table" test "$got" = "$(printf 'dot\nmermaid')"
	else
		skip "fish completion finds mlpkg in a build tree (fish not installed)"
	fi
	if command -v zsh >/dev/null; then
		got=$(cd "$TMP" && PATH=/usr/bin:/bin zsh -fc 'compadd() { [[ $1 == -a ]] && print -l -- "${(@P)2}"; }
_describe() { :; }; _files() { :; }
source "$1" >/dev/null 2>&1; CURRENT=4 PREFIX=""; words=(mlpkg browse --view ""); _mlpkg' zsh "$TMP/tree/completions/_mlpkg")
		check "zsh completion asks the mlpkg beside its folder, values from the table" test "$got" = "$(printf 'overview\nlayers\nmetadata\nweights\ntree')"
	else
		skip "zsh completion finds mlpkg in a build tree (zsh not installed)"
	fi
fi
# fish and zsh: the scripts run for real (fish's complete -C; zsh's function
# with its completion builtins standing in, printing what they are given)
mkdir -p "$TMP/fdir/sub" "$TMP/fdir/B.mlpackage" && : >"$TMP/fdir/A.mlmodel" && : >"$TMP/fdir/z.zip" &&
	: >"$TMP/fdir/notes.txt" && : >"$TMP/fdir/sub/In.mlmodel"
bindir=$(cd "$(dirname "$MLPKG")" && pwd)
if command -v fish >/dev/null; then
	check "fish completion parses" fish -n "$top_srcdir/completions/mlpkg.fish"
	fcomp() { (cd "$TMP/fdir" && PATH="$bindir:$PATH" fish -c "source '$top_srcdir/completions/mlpkg.fish'; complete -C '$1'") >"$TMP/comp" 2>&1; }
	fcomp "mlpkg me"
	check "fish completion: commands" grep -qx meta "$TMP/comp"
	fcomp "mlpkg meta "
	check "fish completion: sub-commands and models, not other files" sh -c "grep -qx set '$TMP/comp' && grep -qx A.mlmodel '$TMP/comp' && grep -qx B.mlpackage/ '$TMP/comp' && grep -qx z.zip '$TMP/comp' && ! grep -q notes.txt '$TMP/comp'"
	fcomp "mlpkg info sub/"
	check "fish completion: models in a folder" grep -qx sub/In.mlmodel "$TMP/comp"
	fcomp "mlpkg info --"
	check "fish completion: the command's options" sh -c "grep -qx -- --json '$TMP/comp' && ! grep -q -- --dry-run '$TMP/comp'"
	fcomp "mlpkg meta set -o "
	check "fish completion: any file after -o" grep -qx notes.txt "$TMP/comp"
else
	skip "fish completion (fish not installed)"
fi
if command -v zsh >/dev/null; then
	check "zsh completion parses" zsh -n "$top_srcdir/completions/_mlpkg"
	zcomp() { # zcomp CURRENT PREFIX WORD...
		_c=$1 _p=$2
		shift 2
		(cd "$TMP/fdir" && PATH="$bindir:$PATH" zsh -fc '
_describe() { print -l -- "${(@P)2}"; }
compadd() { [[ $1 == -a ]] && print -l -- "${(@P)2}"; }
_files() { print -r -- "_files $*"; }
source "$1" >/dev/null 2>&1
CURRENT=$2 PREFIX=$3; shift 3; words=("$@"); _mlpkg' zsh "$top_srcdir/completions/_mlpkg" "$_c" "$_p" "$@") >"$TMP/comp" 2>&1
	}
	zcomp 2 "" mlpkg ""
	check "zsh completion: commands" sh -c "grep -qx meta '$TMP/comp' && grep -qx browse '$TMP/comp'"
	zcomp 3 "" mlpkg meta ""
	check "zsh completion: sub-commands, then models only" sh -c "grep -qx set '$TMP/comp' && grep -qxF '_files -g *.(mlmodel|mlpackage|zip)(-.) -g *(-/)' '$TMP/comp'"
	zcomp 3 --j mlpkg info --j
	check "zsh completion: the command's options" sh -c "grep -qx -- --json '$TMP/comp' && ! grep -q _files '$TMP/comp'"
	zcomp 5 "" mlpkg meta set -o ""
	check "zsh completion: any file after -o" grep -qx '_files ' "$TMP/comp"
else
	skip "zsh completion (zsh not installed)"
fi
bash -c ". '$top_srcdir/completions/mlpkg.bash'; COMP_WORDS=(mlpkg meta ''); COMP_CWORD=2; _mlpkg; printf '%s\n' \"\${COMPREPLY[@]}\"" >"$TMP/comp" 2>&1
check "bash completion offers meta's sub-commands" grep -qx set "$TMP/comp"
mkdir -p "$TMP/cdir" && : >"$TMP/cdir/A.mlmodel" && mkdir "$TMP/cdir/B.mlpackage" && : >"$TMP/cdir/notes.txt"
(cd "$TMP/cdir" && bash -c ". '$top_srcdir/completions/mlpkg.bash'; COMP_WORDS=(mlpkg dump ''); COMP_CWORD=2; _mlpkg; printf '%s\n' \"\${COMPREPLY[@]}\"") >"$TMP/comp" 2>&1
check "bash completion offers model files" grep -qx A.mlmodel "$TMP/comp"
check "bash completion offers packages" grep -qx B.mlpackage "$TMP/comp"
check "bash completion leaves other files out" sh -c "! grep -qx notes.txt '$TMP/comp'"

# exit codes on bad input
expect_exit 3 "a missing model is 'not found'" "$MLPKG" dump "$TMP/nope.mlmodel"
check "... with one line naming it" sh -c "[ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q nope.mlmodel '$TMP/err'"
printf 'hello, I am text\n' >"$TMP/text.mlmodel"
expect_exit 4 "a text file is not a model" "$MLPKG" dump "$TMP/text.mlmodel"
check "... one line naming the file" one_line_error
printf 'version https://git-lfs.github.com/spec/v1\noid sha256:%064d\nsize 52428800\n' 0 >"$TMP/lfs.mlmodel"
expect_exit 4 "a Git LFS pointer is not a model" "$MLPKG" info "$TMP/lfs.mlmodel"
check "... said so in one line, with the size it stands for" sh -c "[ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q \"lfs.mlmodel': a Git LFS pointer, not the file itself (the real file of 50 MiB was not fetched: git lfs pull)\" '$TMP/err'"
: >"$TMP/empty.mlmodel"
expect_exit 4 "an empty file is not a model" "$MLPKG" dump "$TMP/empty.mlmodel"
mkdir "$TMP/folder"
expect_exit 4 "a folder without Manifest.json is not a package" "$MLPKG" dump "$TMP/folder"
check "... said so" grep -q "folder without Manifest.json, not an .mlpackage" "$TMP/err"
"$MKMODEL" segmentation "$TMP/dangle.mlpackage" >/dev/null 2>&1
rm -f "$TMP/dangle.mlpackage/Manifest.json" && ln -s Manifest-gone.json "$TMP/dangle.mlpackage/Manifest.json"
expect_exit 4 "a package whose Manifest.json is a dangling link is refused" "$MLPKG" info "$TMP/dangle.mlpackage"
check "... naming the link to nothing, in one line" sh -c "[ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q \"dangle.mlpackage': Manifest.json is a symbolic link to nothing ('Manifest-gone.json' does not exist)\" '$TMP/err'"
mkdir "$TMP/Net.mlmodelc" "$TMP/compiled"
: >"$TMP/compiled/coremldata.bin"
expect_exit 4 "a compiled .mlmodelc without metadata.json is refused" "$MLPKG" info "$TMP/Net.mlmodelc/"
check "... naming it a compiled model and what it lacks, in one line" sh -c "grep -q \"Net.mlmodelc/': a compiled model (.mlmodelc) without a readable metadata.json\" '$TMP/err' && [ \$(wc -l <'$TMP/err') -eq 1 ]"
expect_exit 4 "a folder holding coremldata.bin is a compiled model too" "$MLPKG" meta "$TMP/compiled"
check "... said so" grep -q "a compiled model" "$TMP/err"
expect_exit 2 "an unknown option is a usage error" "$MLPKG" dump --frob x
check "... said once, in mlpkg's words, then the usage" sh -c "head -1 '$TMP/err' | grep -qx \"mlpkg: dump: unknown option '--frob'\" && sed -n 2p '$TMP/err' | grep -q '^usage: mlpkg dump' && [ \$(grep -c 'option' '$TMP/err') -eq 1 ]"
expect_exit 2 "an option without its value is a usage error" "$MLPKG" graph --format
check "... saying which" grep -qx "mlpkg: graph: option '--format' needs a value" "$TMP/err"
expect_exit 2 "a value for an option that takes none is a usage error" "$MLPKG" info --json=yes x
check "... saying so" grep -qx "mlpkg: info: option '--json' takes no value" "$TMP/err"
expect_exit 2 "an unknown short option" "$MLPKG" layers -Z x
check "... named" grep -qx "mlpkg: layers: unknown option '-Z'" "$TMP/err"
done_testing
