# fish completion for mlpkg.  The candidates come from the binary itself,
# built from its command and option tables: "mlpkg __complete WORD... CUR"
# answers one candidate a line, or ":file", ":dir", ":model" for file names
# (any file, folders, or models: .mlmodel files, zips, folders).  The mlpkg
# asked is the one typed when it is a path (./mlpkg), else the one beside
# this script's folder (the build tree), else mlpkg on PATH.
set -g __mlpkg_dir (status dirname)
string match -q -- '/*' $__mlpkg_dir; or set __mlpkg_dir $PWD/$__mlpkg_dir
function __mlpkg_bin
	set -l t (commandline -opc)
	if string match -q -- '*/*' $t[1]; and test -f $t[1] -a -x $t[1]
		echo $t[1]
	else if test -f $__mlpkg_dir/../mlpkg -a -x $__mlpkg_dir/../mlpkg
		echo $__mlpkg_dir/../mlpkg
	else
		echo mlpkg
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
function __mlpkg_complete
	set -l t (commandline -opc)
	set -l cur (commandline -ct)
	set -l bin (__mlpkg_bin)
	for line in ($bin __complete $t[2..-1] "$cur" 2>/dev/null)
		switch $line
			case :file
				__fish_complete_path "$cur"
			case :dir
				__fish_complete_directories "$cur"
			case :model
				__mlpkg_models
			case '*'
				echo $line
		end
	end
end
complete -c mlpkg -f -a '(__mlpkg_complete)'
