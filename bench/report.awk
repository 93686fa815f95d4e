# report.awk: turns bench.sh's results.tsv into the table, the ratios, the
# growth with the file size and the targets of issues 9 and 21.
# Input lines: GROUP SIZE ROW STATUS VALUE KIB NOTE (tab-separated), VALUE in
# microseconds (bytes for the size rows).  Variables: sizes, runs, pyruns,
# python, pyver, nsmall, smallcmd, load, fs, cpus, kernel.
BEGIN { FS = "\t" }
{
	k = $1 SUBSEP $2 SUBSEP $3
	st[k] = $4; us[k] = $5; kib[k] = $6; note[k] = $7
}

function ms(x) { return x / 1000 }
function fmt_ms(x) { return x < 100000 ? sprintf("%.1f", x / 1000) : sprintf("%.0f", x / 1000) }
function fmt_mib(x) { return x == "-" ? "-" : sprintf("%.1f", x / 1024) }
function fmt_x(a, b) { return (b > 0) ? sprintf("%.2fx", a / b) : "-" }
function ok(g, s, r) { return st[g, s, r] == "ok" }
function row(g, r, label,    i, line, s, k, n) {
	line = sprintf("  %-40s", label)
	n = ""
	for (i = 1; i <= ns; i++) {
		s = S[i]; k = g SUBSEP s SUBSEP r
		if (!(k in st)) line = line sprintf(" %9s %7s", "", "")
		else if (st[k] == "ok") line = line sprintf(" %9s %7s", fmt_ms(us[k]), fmt_mib(kib[k]))
		else { line = line sprintf(" %9s %7s", st[k] == "skip" ? "skipped" : "FAILED", ""); if (n == "") n = note[k] }
	}
	if (n != "") line = line "  (" n ")"
	print line
}
function header(title,    i, line) {
	line = sprintf("%-42s", title)
	for (i = 1; i <= ns; i++) line = line sprintf(" %17s", S[i])
	print line
	line = sprintf("%-42s", "")
	for (i = 1; i <= ns; i++) line = line sprintf(" %9s %7s", "ms", "MiB")
	print line
}
# target LABEL GOAL VALUE MET
function target(label, goal, value, met) {
	printf "  %-44s %-24s %-22s %s\n", label, goal, value, met
	if (met == "MISSED") missed++
	else if (met == "met") metn++
}
function ratio_line(label, a, b) {
	if (a == "" || b == "" || b <= 0) return
	printf "  %-52s %8s\n", label, fmt_x(a, b)
}
function growth_line(label, g, r, kind,    a, b, v) {
	if (!ok(g, S[1], r) || !ok(g, S[ns], r)) return
	a = us[g, S[1], r]; b = us[g, S[ns], r]
	v = b / (a > 0 ? a : 1)
	# a read row is flat when it grows by at most half, or by less than 5 ms
	# (the noise of starting a process)
	printf "  %-44s %10s %10s %8.2fx  %s\n", label, fmt_ms(a), fmt_ms(b), v,
	       kind == "read" ? (v <= 1.5 || b - a < 5000 ? "flat" : "GROWS") : kind
}
END {
	ns = split(sizes, S, " ")
	T = S[ns]
	for (i = 1; i <= ns; i++) if (S[i] == "1G" || S[i] == "1024M") T = S[i]
	printf "mlpkg benchmark: %s, %s CPUs, %s, load %s\n", kernel, cpus, fs, load
	printf "wall time in ms (median of %d runs, Python rows %d; timed by the shell: fork, exec, command),\n", runs, pyruns
	printf "peak RSS in MiB (GNU time %%M, one more run);"
	printf " warm page cache; every write row starts after sync.\n"
	printf "cp is coreutils cp (copy_file_range, no fsync).\n"
	if (python)
		printf "python: Debian's python3-protobuf (%s) over our schema, as coremltools' load_spec/save_spec.\n", pyver
	print ""

	header("neural network .mlmodel (inline weights)")
	row("nn", "cat", "floor: cat FILE > /dev/null")
	row("nn", "cp", "floor: cp FILE COPY")
	row("nn", "cp_fsync", "floor: cp + fsync COPY")
	row("nn", "cp_replace", "floor: cp + fsync + mv COPY FILE")
	row("nn", "info", "mlpkg info")
	row("nn", "layers", "mlpkg layers")
	row("nn", "meta_get", "mlpkg meta get author")
	row("nn", "get_desc", "mlpkg get description")
	row("nn", "dump", "mlpkg dump (text)")
	row("nn", "dump_json", "mlpkg dump --json (median of <= 3)")
	row("nn", "browse", "mlpkg browse, first screen (headless)")
	row("nn", "meta_set", "mlpkg meta set author (in place)")
	row("nn", "py_load", "python: load_spec (read author)")
	row("nn", "py_set", "python: load_spec, set, save_spec")
	print ""
	header("package (weight.bin of the size)")
	row("pkg", "cp_pkg", "floor: cp -R PACKAGE COPY")
	row("pkg", "info", "mlpkg info")
	row("pkg", "cat_wbin", "floor: cat weight.bin > /dev/null")
	row("pkg", "weights_stats", "mlpkg weights --stats (every value)")
	row("pkg", "meta_get", "mlpkg meta get author")
	row("pkg", "meta_set", "mlpkg meta set author (in place)")
	row("pkg", "py_set", "python: load_spec, set, save_spec")
	print ""
	printf "%-42s %10s %11s\n", nsmall " small models, one process each (xargs)", "total ms", "per model"
	split("true startup " smallcmd, SR, " ")
	SL["true"] = "floor: /bin/true"; SL["startup"] = "mlpkg start-up (--complete-commands)"; SL[smallcmd] = "mlpkg " smallcmd " MODEL"
	for (i = 1; i <= 3; i++) {
		k = "small" SUBSEP nsmall SUBSEP SR[i]
		if (st[k] == "ok") printf "  %-40s %10s %11s\n", SL[SR[i]], fmt_ms(us[k]), sprintf("%.2f", us[k] / 1000 / nsmall)
		else if (k in st) printf "  %-40s %10s  (%s)\n", SL[SR[i]], "FAILED", note[k]
	}

	print ""
	printf "ratios at %s\n", T
	if (ok("nn", T, "meta_set")) {
		m = us["nn", T, "meta_set"]
		if (ok("nn", T, "cp")) ratio_line("meta set / cp (cp does not fsync)", m, us["nn", T, "cp"])
		if (ok("nn", T, "cp_fsync")) ratio_line("meta set / cp + fsync", m, us["nn", T, "cp_fsync"])
		if (ok("nn", T, "cp_replace")) ratio_line("meta set / cp + fsync + mv (the atomic-save floor)", m, us["nn", T, "cp_replace"])
		if (ok("nn", T, "py_set")) ratio_line("meta set / python load_spec+set+save_spec", m, us["nn", T, "py_set"])
	}
	if (ok("nn", T, "py_load")) {
		p = us["nn", T, "py_load"]
		if (ok("nn", T, "info")) ratio_line("info / python load_spec", us["nn", T, "info"], p)
		if (ok("nn", T, "meta_get")) ratio_line("meta get / python load_spec", us["nn", T, "meta_get"], p)
	}
	if (ok("nn", T, "meta_get") && ok("nn", T, "cat")) ratio_line("meta get / cat", us["nn", T, "meta_get"], us["nn", T, "cat"])
	if (ok("pkg", T, "weights_stats") && ok("pkg", T, "cat_wbin")) ratio_line("weights --stats / cat weight.bin", us["pkg", T, "weights_stats"], us["pkg", T, "cat_wbin"])
	if (ok("pkg", T, "meta_set") && ok("pkg", T, "py_set")) ratio_line("package meta set / python load_spec+set+save_spec", us["pkg", T, "meta_set"], us["pkg", T, "py_set"])
	if (ok("pkg", T, "meta_set") && ok("pkg", T, "cp_pkg")) ratio_line("package meta set / cp -R", us["pkg", T, "meta_set"], us["pkg", T, "cp_pkg"])

	if (ns >= 2) {
		print ""
		printf "growth from %s to %s (file %.1fx)                %10s %10s\n", S[1], S[ns], us["size", S[ns], "mlmodel_bytes"] / us["size", S[1], "mlmodel_bytes"], S[1] " ms", S[ns] " ms"
		growth_line("cat", "nn", "cat", "floor")
		growth_line("cp", "nn", "cp", "floor")
		growth_line("cp + fsync", "nn", "cp_fsync", "floor")
		growth_line("mlpkg meta set (.mlmodel)", "nn", "meta_set", "like cp")
		growth_line("mlpkg info", "nn", "info", "read")
		growth_line("mlpkg layers", "nn", "layers", "read")
		growth_line("mlpkg meta get", "nn", "meta_get", "read")
		growth_line("mlpkg get description", "nn", "get_desc", "read")
		growth_line("mlpkg dump (text)", "nn", "dump", "read")
		growth_line("mlpkg dump --json", "nn", "dump_json", "like its output")
		growth_line("mlpkg browse, first screen", "nn", "browse", "read")
		growth_line("mlpkg info (package)", "pkg", "info", "read")
		growth_line("mlpkg weights --stats (package)", "pkg", "weights_stats", "like weight.bin")
		growth_line("mlpkg meta set (package)", "pkg", "meta_set", "read")
	}

	print ""
	printf "targets%s\n", (T == "1G" || T == "1024M") ? " (1 GiB files)" : " (set for 1 GiB files; checked at " T ")"
	split("info layers meta_get dump", RR, " ")
	RL["info"] = "info"; RL["layers"] = "layers"; RL["meta_get"] = "meta get"; RL["dump"] = "dump (text)"
	for (i = 1; i <= 4; i++) {
		k = "nn" SUBSEP T SUBSEP RR[i]
		if (st[k] == "ok")
			target(RL[RR[i]] " on the .mlmodel", "<= 50 ms, <= 32 MiB", fmt_ms(us[k]) " ms, " fmt_mib(kib[k]) " MiB",
			       (us[k] <= 50000 && kib[k] <= 32768) ? "met" : "MISSED")
		else
			target(RL[RR[i]] " on the .mlmodel", "<= 50 ms, <= 32 MiB", st[k] == "fail" ? "failed" : "not measured", st[k] == "fail" ? "MISSED" : "skipped")
	}
	# dump --json: output bytes per second, the slowest size
	worst = -1
	for (i = 1; i <= ns; i++)
		if (ok("nn", S[i], "dump_json") && us["nn", S[i], "dump_json"] > 0) {
			r = us["size", S[i], "json_bytes"] / us["nn", S[i], "dump_json"] # bytes/us = MB/s
			if (worst < 0 || r < worst) { worst = r; ws = S[i] }
		}
	if (worst >= 0)
		target("dump --json, every size", ">= 100 MB/s of output", sprintf("%.0f MB/s (slowest, %s)", worst, ws), worst >= 100 ? "met" : "MISSED")
	else
		target("dump --json, every size", ">= 100 MB/s of output", "not measured", "MISSED")
	# weights --stats: every value read, against cat of the weight file
	k = "pkg" SUBSEP T SUBSEP "weights_stats"
	if (st[k] == "ok" && ok("pkg", T, "cat_wbin")) {
		r = us[k] / us["pkg", T, "cat_wbin"]
		target("weights --stats on the package", "<= 1.5x cat weight.bin, < 64 MiB", sprintf("%.2fx cat, %s MiB", r, fmt_mib(kib[k])),
		       (r <= 1.5 && kib[k] < 65536) ? "met" : "MISSED")
	} else
		target("weights --stats on the package", "<= 1.5x cat weight.bin, < 64 MiB", st[k] == "fail" ? "failed" : "not measured", st[k] == "fail" ? "MISSED" : "skipped")
	k = "nn" SUBSEP T SUBSEP "meta_set"
	if (st[k] == "ok" && ok("nn", T, "cp")) {
		r = us[k] / us["nn", T, "cp"]
		target("meta set on the .mlmodel", "<= 1.25x cp, <= 64 MiB", sprintf("%.2fx cp, %s MiB", r, fmt_mib(kib[k])),
		       (r <= 1.25 && kib[k] <= 65536) ? "met" : "MISSED")
		if (ok("nn", T, "cp_fsync")) {
			r2 = us[k] / us["nn", T, "cp_fsync"]
			target("  same, against cp + fsync (ours fsyncs)", "<= 1.25x cp + fsync", sprintf("%.2fx cp + fsync", r2), (r2 <= 1.25) ? "met" : "MISSED")
		}
	} else
		target("meta set on the .mlmodel", "<= 1.25x cp, <= 64 MiB", "not measured", "MISSED")
	worst = -1
	for (i = 1; i <= ns; i++) if (ok("pkg", S[i], "meta_set") && us["pkg", S[i], "meta_set"] > worst) { worst = us["pkg", S[i], "meta_set"]; ws = S[i] }
	if (worst >= 0)
		target("meta set on the package, any weight size", "<= 20 ms", fmt_ms(worst) " ms (worst, " ws ")", worst <= 20000 ? "met" : "MISSED")
	else
		target("meta set on the package, any weight size", "<= 20 ms", "not measured", "MISSED")
	k = "small" SUBSEP nsmall SUBSEP smallcmd
	limit = 1000000 * nsmall / 100
	if (st[k] == "ok")
		target(nsmall " small models, " smallcmd " on each", "<= " sprintf("%.2g", limit / 1e6) " s", sprintf("%.2f s", us[k] / 1e6),
		       us[k] <= limit ? "met" : "MISSED")
	else
		target(nsmall " small models, " smallcmd " on each", "<= 1 s", "not measured", "MISSED")
	printf "%d met, %d missed\n", metn, missed
}
