#!/bin/sh
# t-bench: a smoke run of the benchmark harness (make bench) on tiny models.
# It checks that the harness works (every row runs, the report has its
# sections, the scratch folder goes away), not the numbers.
. "${top_srcdir:-.}/tests/lib.sh"

bench="$top_srcdir/bench/bench.sh"

# start-up: libzip (with libcrypto, libbz2, libz) is loaded when a zip is
# first opened, not when mlpkg starts (src/model/zipload.h)
if LD_TRACE_LOADED_OBJECTS=1 "$MLPKG" 2>/dev/null | grep -q 'libc\.so'; then
	check "mlpkg starts without loading libzip" sh -c "! LD_TRACE_LOADED_OBJECTS=1 '$MLPKG' | grep -q libzip"
else
	skip "mlpkg starts without loading libzip (no LD_TRACE_LOADED_OBJECTS here)"
fi
"$MKMODEL" segmentation "$TMP/S.mlpackage" >/dev/null 2>&1 &&
	"$MLPKG" pack -o "$TMP/S.zip" "$TMP/S.mlpackage" >/dev/null 2>&1
check "... and loaded when one is: info on a zipped package" sh -c "'$MLPKG' info '$TMP/S.zip' | grep -q 'zipped package'"
check "--version still names libzip's version" sh -c "'$MLPKG' --version | grep -q 'libzip [0-9]'"
if ! command -v bash >/dev/null || [ ! -x /usr/bin/time ]; then
	skip "the benchmark harness needs bash and GNU time (/usr/bin/time)"
	done_testing
fi

BENCH_DIR="$TMP/bench" BENCH_SIZES="64K 256K" BENCH_RUNS=1 BENCH_SMALL=3 BENCH_SYNC=0 \
	MLPKG="$MLPKG" MKMODEL="$MKMODEL" PYTHON3="$PYTHON3" PROTO_DIR="$PROTO_DIR" \
	bash "$bench" >"$TMP/out" 2>"$TMP/err"
rc=$?
check "bench.sh runs every row (exit 0)" test "$rc" -eq 0
[ "$rc" -eq 0 ] || sed 's/^/# /' "$TMP/err" | head -20
for section in "neural network .mlmodel" "package (weight.bin" "small models, one process each" "ratios at 256K" \
	"growth from 64K to 256K" "targets (set for 1 GiB files; checked at 256K)"; do
	check "the report has '$section'" grep -qF "$section" "$TMP/out"
done
for row in "floor: cat FILE" "floor: cp FILE COPY" "floor: cp + fsync COPY" "floor: cp + fsync + mv" \
	"mlpkg meta get author" "mlpkg meta set author (in place)" "floor: cp -R PACKAGE"; do
	check "row '$row' has numbers" sh -c "grep -F '$row' '$TMP/out' | grep -q '[0-9][0-9]*\.[0-9] '"
done
for c in $("$MLPKG" --complete-commands); do
	case $c in
	info) check "row 'mlpkg info' is measured now that info exists" sh -c "grep -F '  mlpkg info ' '$TMP/out' | head -1 | grep -qv skipped" ;;
	layers) check "row 'mlpkg layers' is measured now that layers exists" sh -c "grep -F '  mlpkg layers ' '$TMP/out' | grep -qv skipped" ;;
	get) check "row 'mlpkg get description' is measured now that get exists" sh -c "grep -F '  mlpkg get description' '$TMP/out' | grep -qv skipped" ;;
	browse) check "row 'mlpkg browse' is measured now that browse exists" sh -c "grep -F '  mlpkg browse' '$TMP/out' | grep -qv skipped" ;;
	weights)
		check "rows 'cat weight.bin' and 'weights --stats' have numbers" sh -c "grep -F 'floor: cat weight.bin' '$TMP/out' | head -1 | grep -q '[0-9][0-9]*\.[0-9] ' && grep -F '  mlpkg weights --stats' '$TMP/out' | head -1 | grep -q '[0-9][0-9]*\.[0-9] '"
		check "weights --stats's target is judged against cat" sh -c "grep -E '^  weights --stats on the package .* [0-9.]+x cat, .*(met|MISSED)' '$TMP/out'"
		;;
	dump)
		check "row 'mlpkg dump (text)' has numbers" sh -c "grep -F '  mlpkg dump (text)' '$TMP/out' | head -1 | grep -q '[0-9][0-9]*\.[0-9] '"
		check "row 'mlpkg dump --json' has numbers" sh -c "grep -F '  mlpkg dump --json' '$TMP/out' | head -1 | grep -q '[0-9][0-9]*\.[0-9] '"
		check "dump --json's target is judged in MB/s" sh -c "grep -E '^  dump --json, every size .* [0-9]+ MB/s .*(met|MISSED)' '$TMP/out'"
		;;
	esac
done
"$MLPKG" --complete-commands | grep -qx browse ||
	check "a missing command's row says skipped" sh -c "grep -F 'mlpkg browse' '$TMP/out' | grep -q skipped"
if have_python; then
	check "the Python rows ran" sh -c "grep -F 'python: load_spec, set' '$TMP/out' | head -1 | grep -qv skipped"
else
	skip "the Python rows (no python3-protobuf or protoc)"
fi
check "every target is judged" sh -c "grep -Eq '^[0-9]+ met, [0-9]+ missed$' '$TMP/out'"
check "the scratch folder is removed" test ! -e "$TMP/bench"

BENCH_SIZES="12Q" MLPKG="$MLPKG" MKMODEL="$MKMODEL" BENCH_DIR="$TMP/bench2" bash "$bench" >"$TMP/out" 2>"$TMP/err"
check "a bad BENCH_SIZES is refused" test $? -ne 0
check "  with a message" grep -q "BENCH_SIZES" "$TMP/err"
done_testing
