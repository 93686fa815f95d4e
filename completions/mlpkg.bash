# bash completion for mlpkg.  The candidates come from the binary itself,
# built from its command and option tables: "mlpkg __complete WORD... CUR"
# answers one candidate a line, or ":file", ":dir", ":model" for file names
# (any file, folders, or models: .mlmodel files, zips, folders).  The mlpkg
# asked is the one typed when it is a path (./mlpkg), else the one beside
# this script's folder (the build tree), else mlpkg on PATH.
_mlpkg_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" 2>/dev/null && pwd)
_mlpkg_bin()
{
	if [[ $1 == */* && -f $1 && -x $1 ]]; then
		printf '%s\n' "$1"
	elif [[ -n $_mlpkg_dir && -f $_mlpkg_dir/../mlpkg && -x $_mlpkg_dir/../mlpkg ]]; then
		printf '%s\n' "$_mlpkg_dir/../mlpkg"
	else
		printf '%s\n' mlpkg
	fi
}
_mlpkg()
{
	local cur=${COMP_WORDS[COMP_CWORD]} bin line IFS=$'\n'
	COMPREPLY=()
	bin=$(_mlpkg_bin "${COMP_WORDS[0]}")
	for line in $("$bin" __complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null); do
		case $line in
		:file) COMPREPLY+=($(compgen -f -- "$cur")) ;;
		:dir) COMPREPLY+=($(compgen -d -- "$cur")) ;;
		:model)
			COMPREPLY+=($(compgen -f -X '!*.mlmodel' -- "$cur"))
			COMPREPLY+=($(compgen -f -X '!*.zip' -- "$cur"))
			COMPREPLY+=($(compgen -d -- "$cur")) ;;
		*) COMPREPLY+=("$line") ;;
		esac
	done
	return 0
}
complete -o filenames -o bashdefault -F _mlpkg mlpkg
