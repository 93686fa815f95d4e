# bash completion for mlpkg: commands, options and sub-commands come from
# the binary itself (mlpkg --complete-*), models from the file system.
_mlpkg()
{
	local cur prev cmd i
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "$(mlpkg --complete-commands 2>/dev/null) --help --version" -- "$cur"))
		return 0
	fi
	cmd=${COMP_WORDS[1]}
	# preview types: after "preview set" and "meta set preview.type"
	if { [ "$cmd" = preview ] && [ "$prev" = set ] && [ "$COMP_CWORD" -eq 3 ]; } ||
		{ [ "$cmd" = meta ] && [ "${COMP_WORDS[2]}" = set ] &&
		{ [ "$prev" = preview.type ] || [ "$prev" = com.apple.coreml.model.preview.type ]; }; }; then
		COMPREPLY=($(compgen -W "$(mlpkg --complete-preview-types 2>/dev/null)" -- "$cur"))
		return 0
	fi
	case $prev in
	-o|--output|--value-file|--from|--labels)
		COMPREPLY=($(compgen -f -- "$cur"))
		return 0 ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(mlpkg --complete-options "$cmd" 2>/dev/null)" -- "$cur"))
		return 0
	fi
	if [ "$COMP_CWORD" -eq 2 ]; then
		local words
		words=$(mlpkg --complete-words "$cmd" 2>/dev/null)
		if [ -n "$words" ]; then
			COMPREPLY=($(compgen -W "$words" -- "$cur"))
		fi
	fi
	# models: .mlmodel files, .mlpackage folders, zips, and folders to walk into
	local IFS=$'\n'
	COMPREPLY+=($(compgen -f -X '!*.mlmodel' -- "$cur"))
	COMPREPLY+=($(compgen -f -X '!*.zip' -- "$cur"))
	COMPREPLY+=($(compgen -d -- "$cur"))
	return 0
}
complete -o filenames -o bashdefault -F _mlpkg mlpkg
