# fish completion for mlpkg: commands, options and sub-commands come from
# the binary itself (mlpkg --complete-*), models from the file system.
function __mlpkg_cmd
	set -l t (commandline -opc)
	test (count $t) -ge 2; and echo $t[2]
end
function __mlpkg_needs_cmd
	test (count (commandline -opc)) -eq 1
end
function __mlpkg_options
	set -l c (__mlpkg_cmd)
	test -n "$c"; and mlpkg --complete-options $c 2>/dev/null | string replace -r '^--' ''
end
function __mlpkg_words
	set -l t (commandline -opc)
	test (count $t) -eq 2; and mlpkg --complete-words $t[2] 2>/dev/null
end
# after -o, --output, --value-file, --from, --labels: any file
function __mlpkg_after_file_option
	set -l t (commandline -opc)
	contains -- $t[-1] -o --output --value-file --from --labels
end
# after "preview set" and "meta set preview.type": a preview type
function __mlpkg_wants_preview_type
	set -l t (commandline -opc)
	test (count $t) -ge 3; or return 1
	test "$t[3]" = set; or return 1
	if test "$t[2]" = preview
		test "$t[-1]" = set
	else
		test "$t[2]" = meta; and contains -- $t[-1] preview.type com.apple.coreml.model.preview.type
	end
end
# models: .mlmodel files, zips, and folders (packages, and folders to walk into)
function __mlpkg_models
	set -l dir (string replace -r '[^/]*$' '' -- (commandline -ct))
	for f in $dir*.mlmodel $dir*.zip
		test -f $f; and echo $f
	end
	for d in $dir*/
		echo $d
	end
end
complete -c mlpkg -f -n __mlpkg_needs_cmd -a '(mlpkg --complete-commands 2>/dev/null)'
complete -c mlpkg -n __mlpkg_needs_cmd -l help -d 'show help'
complete -c mlpkg -n __mlpkg_needs_cmd -l version -d 'show versions'
complete -c mlpkg -f -n __mlpkg_wants_preview_type -a '(mlpkg --complete-preview-types 2>/dev/null)'
complete -c mlpkg -f -n 'not __mlpkg_needs_cmd' -a '(__mlpkg_words)'
complete -c mlpkg -n 'not __mlpkg_needs_cmd; and string match -q -- "-*" (commandline -ct)' -a '(mlpkg --complete-options (__mlpkg_cmd) 2>/dev/null)'
complete -c mlpkg -n 'not __mlpkg_needs_cmd; and __mlpkg_after_file_option' -F
complete -c mlpkg -f -n 'not __mlpkg_needs_cmd; and not __mlpkg_after_file_option; and not __mlpkg_wants_preview_type' -a '(__mlpkg_models)'
