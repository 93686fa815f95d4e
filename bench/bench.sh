#!/usr/bin/env bash
# bench: what mlpkg costs on huge models, against the floor and against Python.
#
# Generates, with the project's own mkmodel, a neural-network .mlmodel with
# inline weights and a package whose weight.bin has the same size, for every
# size in BENCH_SIZES, and measures each command as wall time and peak memory
# (GNU time's %M), median of BENCH_RUNS runs, side by side with the floor
# (cat and cp of the same file, cp followed by fsync, cp + fsync + rename over
# the original: the least an atomic, durable save can do) and with Debian's
# python3-protobuf doing what coremltools' load_spec / save_spec do
# (bench/pyspec.py).  Prints one table, ratios, how costs grow with the file,
# and the targets of issues 9 and 21, each met or missed.
#
#   make bench [BENCH_SIZES="64M 256M 1G"] [BENCH_RUNS=5] [BENCH_DIR=bench/out]
#
# Knobs (environment):
#   BENCH_SIZES    file sizes, K/M/G suffixes (default "64M 256M 1G")
#   BENCH_RUNS     runs per row; the median is shown (default 5)
#   BENCH_PY_RUNS  runs per Python row (default 3, at most BENCH_RUNS)
#   BENCH_SMALL    small models for the many-models row (default 100)
#   BENCH_DIR      scratch folder (default bench/out), removed at the end
#   BENCH_KEEP=1   keep the scratch folder
#   BENCH_PYTHON=0 leave the Python rows out
#   BENCH_SYNC=0   no sync before write rows (quick smoke runs only: the
#                  numbers then include earlier writes' flushing)
#   BENCH_BROWSE   arguments for the browser's first screen, MODEL replaced by
#                  the model (default "browse MODEL", run headless:
#                  MLPKG_NO_DISPLAY=1 and an empty MLPKG_SCRIPT)
# Rows whose command mlpkg does not have yet (mlpkg --complete-commands) are
# shown as skipped.  Read rows run on a warm page cache (one untimed run
# first); every write row starts after sync, so that no earlier write's
# dirty pages are flushed on its time.  Exit status: 0 when every row ran
# (whatever the numbers), 1 when a command failed.
set -u
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
MLPKG=${MLPKG:-$top/mlpkg}
MKMODEL=${MKMODEL:-$top/mkmodel}
PYTHON3=${PYTHON3:-/usr/bin/python3}
PROTOC=${PROTOC:-protoc}
PROTO_DIR=${PROTO_DIR:-$top/src/proto}
BENCH_SIZES=${BENCH_SIZES:-64M 256M 1G}
BENCH_RUNS=${BENCH_RUNS:-5}
BENCH_PY_RUNS=${BENCH_PY_RUNS:-3}
BENCH_SMALL=${BENCH_SMALL:-100}
BENCH_DIR=${BENCH_DIR:-bench/out}
BENCH_KEEP=${BENCH_KEEP:-0}
BENCH_PYTHON=${BENCH_PYTHON:-1}
BENCH_SYNC=${BENCH_SYNC:-1}
BENCH_BROWSE=${BENCH_BROWSE:-browse MODEL}
TIME=${TIME_CMD:-/usr/bin/time}
[ "$BENCH_PY_RUNS" -le "$BENCH_RUNS" ] || BENCH_PY_RUNS=$BENCH_RUNS

die() { echo "bench: $*" >&2; exit 1; }
[ -x "$MLPKG" ] || die "'$MLPKG': no mlpkg (run make first)"
[ -x "$MKMODEL" ] || die "'$MKMODEL': no mkmodel (run make mkmodel first)"
[ -x "$TIME" ] || die "'$TIME': GNU time is needed (Debian package: time)"
case $BENCH_RUNS in '' | *[!0-9]* | 0) die "BENCH_RUNS must be a positive number" ;; esac

# microseconds since the epoch: bash's clock, read without a fork ($rt = 1),
# else date(1)
rt=0
[ -n "${EPOCHREALTIME:-}" ] && rt=1
now_us() { echo $(($(date +%s%N) / 1000)); }

# bytes of a size with an optional K/M/G suffix
size_bytes() {
	case $1 in
	*[kK]) echo $((${1%?} << 10)) ;;
	*[mM]) echo $((${1%?} << 20)) ;;
	*[gG]) echo $((${1%?} << 30)) ;;
	*) echo "$1" ;;
	esac
}
for s in $BENCH_SIZES; do
	case $s in [0-9]*[0-9kKmMgG] | [0-9]) ;; *) die "BENCH_SIZES: bad size '$s'" ;; esac
done

mkdir -p "$BENCH_DIR" || die "cannot create '$BENCH_DIR'"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
work="$BENCH_DIR/run.$$"
rm -rf "$work"
mkdir -p "$work"
cleanup() { [ "$BENCH_KEEP" = 1 ] || rm -rf "$work"; rmdir "$BENCH_DIR" 2>/dev/null; }
trap cleanup EXIT
trap 'exit 130' INT TERM
res="$work/results.tsv"
: >"$res"
tf="$work/.time"
ef="$work/.err"
status=0

cmds=$("$MLPKG" --complete-commands)
has_cmd() { printf '%s\n' "$cmds" | grep -qx "$1"; }

# record GROUP SIZE ROW STATUS MS KIB NOTE
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$res"; }

median() { sort -n | awk '{ v[NR] = $1 } END { if (!NR) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

# measure GROUP SIZE ROW RUNS WARM PRE CMD [STDIN]: runs CMD (a string of
# shell words, expanded per run with $i the run number) RUNS times, timed by
# the shell with a microsecond clock read just before and after (fork, exec
# and the command: what someone typing it waits), then once more under GNU
# time (/usr/bin/time -f '%e %M') for its peak RSS.  PRE (a shell command)
# runs untimed before each run, WARM=1 adds an untimed run first.  Records
# the median wall time and the peak RSS.
measure() {
	local group=$1 size=$2 row=$3 runs=$4 warm=$5 pre=$6 cmd=$7 in=${8:-/dev/null}
	local i t0 t1 e kib="" ws="" rc
	if [ "$warm" = 1 ]; then
		i=warm
		eval "set -- $cmd"
		"$@" <"$in" >/dev/null 2>&1
	fi
	for ((i = 0; i <= runs; i++)); do
		[ -z "$pre" ] || eval "$pre"
		eval "set -- $cmd"
		if [ $i -lt "$runs" ]; then
			if [ $rt = 1 ]; then t0=${EPOCHREALTIME/[.,]/}; else t0=$(now_us); fi
			"$@" <"$in" >/dev/null 2>"$ef"
			rc=$?
			if [ $rt = 1 ]; then t1=${EPOCHREALTIME/[.,]/}; else t1=$(now_us); fi
			ws="$ws$((t1 - t0))
"
		else
			"$TIME" -f '%e %M' -o "$tf" "$@" <"$in" >/dev/null 2>"$ef"
			rc=$?
			[ $rc -ne 0 ] || read -r e kib <"$tf"
		fi
		if [ $rc -ne 0 ]; then
			record "$group" "$size" "$row" fail - - "exit $rc: $(grep -v '^Command exited' "$ef" | head -1)"
			echo "bench: $row ($size) failed with exit $rc: $*" >&2
			sed 's/^/bench:   /' "$ef" | head -5 >&2
			status=1
			return 1
		fi
	done
	record "$group" "$size" "$row" ok "$(printf '%s' "$ws" | median)" "$kib" ""
}

skip_row() { record "$1" "$2" "$3" skip - - "$4"; }

progress() { printf 'bench: %s\n' "$*" >&2; }

# ---- the Python side: our schema compiled for python3-protobuf ------------
python=0
pyver=""
if [ "$BENCH_PYTHON" = 1 ]; then
	if ! "$PYTHON3" -c 'import google.protobuf' 2>/dev/null; then
		pynote="python3-protobuf missing"
	elif ! command -v "$PROTOC" >/dev/null; then
		pynote="protoc missing"
	elif ! mkdir -p "$work/py" || ! "$PROTOC" -I"$PROTO_DIR" --python_out="$work/py" "$PROTO_DIR"/*.proto 2>"$ef"; then
		pynote="protoc failed: $(head -1 "$ef")"
	else
		python=1
		pyver=$("$PYTHON3" -c 'import google.protobuf as g; from google.protobuf.internal import api_implementation as a; print(g.__version__ + ", " + a.Type() + " backend")' 2>/dev/null)
	fi
else
	pynote="BENCH_PYTHON=0"
fi
pyspec() { echo "\"\$PYTHON3\" \"\$here/pyspec.py\" \"\$work/py\" $*"; }

# before a write row: no dirty page of an earlier write left to flush on its time
quiet_sync() { [ "$BENCH_SYNC" = 0 ] || sync; }

# ---- per size: a big .mlmodel and a package with a big weight.bin ----------
nsizes=0
for s in $BENCH_SIZES; do
	nsizes=$((nsizes + 1))
	bytes=$(size_bytes "$s")
	mdl="$work/big-$s.mlmodel"
	pkg="$work/big-$s.mlpackage"
	progress "generating $s models"
	"$MKMODEL" bignn "$mdl" --size "$bytes" || die "mkmodel bignn failed"
	"$MKMODEL" bigpkg "$pkg" --size "$bytes" || die "mkmodel bigpkg failed"
	wbin=$(find "$pkg" -name weight.bin | head -1)
	record size "$s" mlmodel_bytes info "$(stat -c %s "$mdl")" - ""
	record size "$s" weight_bytes info "$(stat -c %s "$wbin")" - ""
	quiet_sync
	R=$BENCH_RUNS
	progress "measuring $s .mlmodel"
	F=$mdl
	C="$work/copy.mlmodel"
	measure nn "$s" cat "$R" 1 "" "sh -c 'cat \"\$1\" >/dev/null' sh \"\$F\""
	measure nn "$s" cp "$R" 0 'rm -f "$C"; quiet_sync' "cp \"\$F\" \"\$C\""
	measure nn "$s" cp_fsync "$R" 0 'rm -f "$C"; quiet_sync' "sh -c 'cp \"\$1\" \"\$2\" && sync \"\$2\"' sh \"\$F\" \"\$C\""
	measure nn "$s" cp_replace "$R" 0 'quiet_sync' "sh -c 'cp \"\$1\" \"\$2\" && sync \"\$2\" && mv \"\$2\" \"\$1\" && sync \"\$(dirname \"\$1\")\"' sh \"\$F\" \"\$C\""
	rm -f "$C"
	if has_cmd info; then measure nn "$s" info "$R" 1 "" "\"\$MLPKG\" info \"\$F\""; else skip_row nn "$s" info "no 'info' command yet"; fi
	if has_cmd layers; then measure nn "$s" layers "$R" 1 "" "\"\$MLPKG\" layers \"\$F\""; else skip_row nn "$s" layers "no 'layers' command yet"; fi
	measure nn "$s" meta_get "$R" 1 "" "\"\$MLPKG\" meta get author \"\$F\""
	if has_cmd get; then measure nn "$s" get_desc "$R" 1 "" "\"\$MLPKG\" get description \"\$F\""; else skip_row nn "$s" get_desc "no 'get' command yet"; fi
	if has_cmd dump; then
		measure nn "$s" dump "$R" 1 "" "\"\$MLPKG\" dump \"\$F\""
		# the JSON is about 5x the file: its size from one untimed run (which
		# warms the cache), at most 3 timed runs
		if jbytes=$("$MLPKG" dump --json "$F" | wc -c) && [ "$jbytes" -gt 0 ]; then
			record size "$s" json_bytes info "$jbytes" - ""
			measure nn "$s" dump_json "$((R < 3 ? R : 3))" 0 "" "\"\$MLPKG\" dump --json \"\$F\""
		else
			record nn "$s" dump_json fail - - "dump --json failed"
			status=1
		fi
	else
		skip_row nn "$s" dump "no 'dump' command yet"
		skip_row nn "$s" dump_json "no 'dump' command yet"
	fi
	if has_cmd browse; then
		: >"$work/keys" # no key: the first screen, printed when the script ends
		measure nn "$s" browse "$R" 1 "" "env MLPKG_NO_DISPLAY=1 MLPKG_SCRIPT=\"\$work/keys\" \"\$MLPKG\" ${BENCH_BROWSE//MODEL/\"\$F\"}"
	else
		skip_row nn "$s" browse "no 'browse' command yet"
	fi
	if measure nn "$s" meta_set "$R" 0 quiet_sync "\"\$MLPKG\" meta set author \"bench \$i\" \"\$F\""; then
		got=$("$MLPKG" meta get author "$F")
		[ "$got" = "bench $R" ] || { echo "bench: meta set did not stick: '$got'" >&2; status=1; }
	fi
	if [ $python = 1 ]; then
		measure nn "$s" py_load "$BENCH_PY_RUNS" 0 "" "$(pyspec get "\"\$F\"" author)"
		measure nn "$s" py_set "$BENCH_PY_RUNS" 0 quiet_sync "$(pyspec set "\"\$F\"" author "\"py \$i\"")"
	else
		skip_row nn "$s" py_load "$pynote"
		skip_row nn "$s" py_set "$pynote"
	fi

	progress "measuring $s package"
	F=$pkg
	C="$work/copy.mlpackage"
	measure pkg "$s" cp_pkg "$R" 0 'rm -rf "$C"; quiet_sync' "cp -R \"\$F\" \"\$C\""
	rm -rf "$C"
	if has_cmd info; then measure pkg "$s" info "$R" 1 "" "\"\$MLPKG\" info \"\$F\""; else skip_row pkg "$s" info "no 'info' command yet"; fi
	# weights --stats reads every value of weight.bin: against cat of it
	W=$wbin
	measure pkg "$s" cat_wbin "$R" 1 "" "sh -c 'cat \"\$1\" >/dev/null' sh \"\$W\""
	if has_cmd weights; then measure pkg "$s" weights_stats "$R" 1 "" "\"\$MLPKG\" weights --stats \"\$F\""; else skip_row pkg "$s" weights_stats "no 'weights' command yet"; fi
	measure pkg "$s" meta_get "$R" 1 "" "\"\$MLPKG\" meta get author \"\$F\""
	if measure pkg "$s" meta_set "$R" 0 quiet_sync "\"\$MLPKG\" meta set author \"bench \$i\" \"\$F\""; then
		got=$("$MLPKG" meta get author "$F")
		[ "$got" = "bench $R" ] || { echo "bench: meta set did not stick: '$got'" >&2; status=1; }
	fi
	if [ $python = 1 ]; then
		measure pkg "$s" py_set "$BENCH_PY_RUNS" 0 quiet_sync "$(pyspec set "\"\$F\"" author "\"py \$i\"")"
	else
		skip_row pkg "$s" py_set "$pynote"
	fi
	# free the disk before the next size
	[ "$BENCH_KEEP" = 1 ] || rm -rf "$mdl" "$pkg"
done

# ---- many small models, one process each ------------------------------------
progress "measuring $BENCH_SMALL small models"
quiet_sync # the big files' removal flushed, not on this row's time
small="$work/small"
mkdir -p "$small/kinds"
for k in nn nnclassifier pipeline multifunction; do
	"$MKMODEL" "$k" "$small/kinds/$k.mlmodel" >/dev/null || die "mkmodel $k failed"
done
"$MKMODEL" segmentation "$small/kinds/segmentation.mlpackage" >/dev/null || die "mkmodel segmentation failed"
kinds=("$small"/kinds/*)
mkdir -p "$small/models"
for ((j = 0; j < BENCH_SMALL; j++)); do
	k=${kinds[j % ${#kinds[@]}]}
	cp -R "$k" "$small/models/$(printf '%03d' $j)-$(basename "$k")"
done
small_cmd=info
has_cmd info || small_cmd=meta
# many ARGS...: runs ARGS MODEL for every small model, one process each,
# through xargs (a small driver: a bash loop adds its own fork, ~3 ms a
# model on this kind of VM); prints the microseconds it took
printf '%s\0' "$small"/models/* >"$small/list"
many() {
	local t0 t1 rc
	if [ $rt = 1 ]; then t0=${EPOCHREALTIME/[.,]/}; else t0=$(now_us); fi
	xargs -0 -n 1 "$@" <"$small/list" >/dev/null 2>"$ef"
	rc=$?
	if [ $rt = 1 ]; then t1=${EPOCHREALTIME/[.,]/}; else t1=$(now_us); fi
	[ $rc = 0 ] || return 1
	echo $((t1 - t0))
}
many_row() { # ROW ARGS...
	local row=$1 ws="" w k
	shift
	many "$@" >/dev/null # warm
	for ((k = 0; k < BENCH_RUNS; k++)); do
		if ! w=$(many "$@"); then
			record small "$BENCH_SMALL" "$row" fail - - "$(head -1 "$ef")"
			echo "bench: $row failed: $(head -1 "$ef")" >&2
			status=1
			return
		fi
		ws="$ws$w
"
	done
	record small "$BENCH_SMALL" "$row" ok "$(printf '%s' "$ws" | median)" - ""
}
many_row true /bin/true
many_row startup "$MLPKG" --complete-commands
many_row "$small_cmd" "$MLPKG" "$small_cmd"

# ---- the report -------------------------------------------------------------
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)
fs=$(df -PT "$BENCH_DIR" 2>/dev/null | awk 'NR == 2 { print $2 " on " $1 }')
awk -F'\t' -v sizes="$BENCH_SIZES" -v runs="$BENCH_RUNS" -v pyruns="$BENCH_PY_RUNS" -v python="$python" \
	-v nsmall="$BENCH_SMALL" -v smallcmd="$small_cmd" -v load="$load" -v fs="$fs" -v pyver="$pyver" \
	-v cpus="$(nproc 2>/dev/null)" -v kernel="$(uname -sr)" -f "$here/report.awk" "$res"
[ "$BENCH_KEEP" = 1 ] && echo "results kept in $work (results.tsv)"
exit $status
