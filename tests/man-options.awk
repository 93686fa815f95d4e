# man-options.awk: the options man/mlpkg.1 documents, for t-basics.sh.
# Prints "S CMD --long" and "S CMD -x" for each option named by an Fl macro
# in the section ".Ss mlpkg CMD", and "F SCOPE -x --long" for each short
# form the paragraph "Options have short forms:" gives (SCOPE is "*" for
# every command, else the command named by the .Cm before it).
function macro(t) { return t ~ /^[A-Z][a-z][a-z]?$/ }
/^\.Sh / { cmd = ""; forms = 0 }
/^\.Ss mlpkg / { cmd = $3; forms = 0; next }
/Options have short forms:/ { forms = 1; scope = "*"; next }
forms && /^\.Cm / { scope = $2; next }
forms && /^\.Fl / {
	n = 0
	for (i = 2; i <= NF; i++)
		if ($i ~ /^-?[A-Za-z][A-Za-z-]*$/)
			list[++n] = $i
	if (list[1] ~ /^-/) {
		for (i = 1; i <= n && i <= nshort; i++)
			print "F", scope, "-" shorts[i], "-" list[i]
		nshort = 0
	} else {
		for (i = 1; i <= n; i++)
			shorts[i] = list[i]
		nshort = n
	}
	next
}
cmd != "" && /^\./ {
	for (i = 1; i <= NF; i++) {
		if ($i != "Fl" && $i != ".Fl")
			continue
		for (j = i + 1; j <= NF && !macro($j); j++) {
			if ($j ~ /^-[a-z][a-z-]*$/)
				print "S", cmd, "-" $j
			else if ($j ~ /^[A-Za-z]$/)
				print "S", cmd, "-" $j
		}
	}
}
