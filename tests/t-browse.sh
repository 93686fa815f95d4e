#!/bin/sh
# t-browse: the ncurses browser driven headless (MLPKG_NO_DISPLAY=1 and a key
# script in MLPKG_SCRIPT): what is on the screen after navigating, folding,
# searching, editing metadata and saving; the saved file read back by the
# independent decoder.
. "${top_srcdir:-.}/tests/lib.sh"

LC_ALL=C.UTF-8
export LC_ALL
unset LINES COLUMNS NO_COLOR

# browse MODEL KEY...: runs the browser with one key a line, screen in $TMP/out
browse() {
	_m=$1; shift
	printf '%s\n' "$@" >"$TMP/keys"
	MLPKG_NO_DISPLAY=1 MLPKG_SCRIPT="$TMP/keys" "$MLPKG" browse "$_m" >"$TMP/out" 2>"$TMP/err"
	rc=$?
}
screen_has() { grep -q -- "$1" "$TMP/out"; }
# fits COLS LINES: the screen dump has LINES lines, none wider than COLS columns
fits() { [ "$(wc -l <"$TMP/out")" -eq "$2" ] && [ "$(widest "$TMP/out")" -le "$1" ]; }

"$MKMODEL" segmentation "$TMP/D.mlpackage" >/dev/null 2>&1 || not_ok "mkmodel segmentation"
"$MKMODEL" nn "$TMP/T.mlmodel" >/dev/null 2>&1 || not_ok "mkmodel nn"
"$MKMODEL" pipeline "$TMP/P.mlmodel" >/dev/null 2>&1 || not_ok "mkmodel pipeline"

# picking a preview type over params that do not suit it: said
cp -R "$TMP/D.mlpackage" "$TMP/pv.mlpackage"
"$MLPKG" meta set preview.params '{"labels": ["a"]}' "$TMP/pv.mlpackage" 2>/dev/null
browse "$TMP/pv.mlpackage" "Resize 200x30" 3 p j j Enter
check "browse p: a preview type over unsuitable params is said on the status line" grep -q "set to poseEstimation (w saves); its preview.params do not suit it: preview.params for poseEstimation" "$TMP/out"

# a preview that does not fit (one label for the segmenter's classes): said
# when picked, refused by the first w (nothing written), saved by a second
cp -R "$TMP/D.mlpackage" "$TMP/pf.mlpackage"
"$MLPKG" meta set --force preview.params '{"labels": ["a"]}' "$TMP/pf.mlpackage" 2>/dev/null
cp -R "$TMP/pf.mlpackage" "$TMP/pf0.mlpackage"
browse "$TMP/pf.mlpackage" "Resize 200x30" 3 p Enter
check "browse p: a preview that does not fit is said when picked" grep -q "set to imageSegmenter (w saves); the preview does not fit the model: .*label" "$TMP/out"
browse "$TMP/pf.mlpackage" "Resize 200x30" 3 p Enter w
check "browse w: a preview that does not fit is not saved the first time" grep -q "not saved: the preview does not fit the model: .*w again saves it anyway" "$TMP/out"
check "... the model byte for byte as it was" diff -r "$TMP/pf.mlpackage" "$TMP/pf0.mlpackage"
check "... and the session exits 2" test "$rc" -eq 2
browse "$TMP/pf.mlpackage" "Resize 200x30" 3 p Enter w a '"author' Enter '"Q' Enter w
check "browse w: an edit after the refusal asks again" sh -c "grep -q 'not saved: the preview does not fit' '$TMP/out' && diff -r '$TMP/pf.mlpackage' '$TMP/pf0.mlpackage' >/dev/null"
browse "$TMP/pf.mlpackage" "Resize 200x30" 3 p Enter w w q
check "browse w w: the second w saves it anyway" test "$rc" -eq 0
run "$MLPKG" meta get preview.type "$TMP/pf.mlpackage"
check "... the type is in the file" grep -qx imageSegmenter "$TMP/out"

# the line editor: editing inside a value, word moves and kills, history,
# a value wider than the screen scrolled to the cursor
"$MKMODEL" segmentation "$TMP/LE.mlpackage" >/dev/null 2>&1 || not_ok "mkmodel segmentation"
browse "$TMP/LE.mlpackage" 3 / '"author' Enter e Home Right Right Right Right '"X' End '"!' Enter w q
run "$MLPKG" meta get author "$TMP/LE.mlpackage"
check "line editor: Home, Right and End type in the middle and at the end" grep -qx 'mlpkXg examples!' "$TMP/out"
browse "$TMP/LE.mlpackage" 3 / '"author' Enter e M-b C-k '"tools' C-a C-d C-e M-b M-b M-f '"-x' Enter w q
run "$MLPKG" meta get author "$TMP/LE.mlpackage"
check "line editor: M-b, M-f, C-k, C-a, C-d, C-e" grep -qx 'lpkXg-x tools' "$TMP/out"
browse "$TMP/LE.mlpackage" 3 / '"author' Enter e C-w Left Delete Enter w q
run "$MLPKG" meta get author "$TMP/LE.mlpackage"
check "line editor: C-w kills words back to white space, Delete the character under the cursor" grep -qx 'lpkXg-x' "$TMP/out"
browse "$TMP/LE.mlpackage" 3 / '"license' Enter e C-u '"BSD-3-Clause' Enter / '"author' Enter e Up Dump Enter w q
check "line editor: Up shows the value entered before" grep -q 'author = BSD-3-Clause' "$TMP/out"
run "$MLPKG" meta get author "$TMP/LE.mlpackage"
check "line editor: Up recalls the value entered before" grep -qx 'BSD-3-Clause' "$TMP/out"
browse "$TMP/LE.mlpackage" 3 / '"author' Enter e Up Up Down Down '"+' Enter w q
run "$MLPKG" meta get author "$TMP/LE.mlpackage"
check "... and Down comes back to what was being typed" grep -qx 'BSD-3-Clause+' "$TMP/out"
browse "$TMP/LE.mlpackage" "Resize 40x10" 3 / '"description' Enter e Dump
check "line editor: a long value scrolls to the cursor at its end" sh -c "sed -n 10p '$TMP/out' | grep -q 'classes)' && ! sed -n 10p '$TMP/out' | grep -q 'DeepLabV3'"
browse "$TMP/LE.mlpackage" "Resize 40x10" 3 / '"description' Enter e Home Dump
check "... and back to its start with Home" sh -c "sed -n 10p '$TMP/out' | grep -q 'description = DeepLabV3' && ! sed -n 10p '$TMP/out' | grep -q 'classes)'"

# a value refused is asked again as typed, with the reason; once handled,
# the refusal is not written to stderr when the browser ends
browse "$TMP/LE.mlpackage" 3 a '"preview.params' Enter '"{"labels": ["a"' Enter Dump End '"]}' Enter w q
check "a refused value: asked again with the reason and what was typed" grep -q "preview.params is not valid JSON.*; preview.params = {\"labels\": \[\"a\"" "$TMP/out"
check "... the correction saved" sh -c "'$MLPKG' meta get preview.params '$TMP/LE.mlpackage' | grep -qxF '{\"labels\": [\"a\"]}'"
check "... and the refusal, answered, not written to stderr at the end" sh -c "! grep -q 'not valid JSON' '$TMP/err'"

# a non-network model's detail: its parameters (the NMS member of a detector)
"$MKMODEL" detector "$TMP/Det.mlmodel" >/dev/null 2>&1 || not_ok "mkmodel detector"
browse "$TMP/Det.mlmodel" "Resize 100x90" 2 / '"nonMaximumSuppression' Enter
check "layers: an NMS member's detail shows its thresholds and feature names" sh -c "grep -q 'iouThreshold: 0.45' '$TMP/out' && grep -q 'confidenceThreshold: 0.25' '$TMP/out' && grep -q 'coordinatesOutputFeatureName: \"coordinates\"' '$TMP/out'"
check "... its 80 labels as the first five and a count" sh -c "grep -q 'vector: \"airplane\"' '$TMP/out' && grep -q '\.\.\. 75 more' '$TMP/out' && ! grep -q 'vector: \"bus\"' '$TMP/out'"

# following the data: < to the maker of an input, > to a reader of an
# output, b back; several: a list to pick from
browse "$TMP/T.mlmodel" 2 / '"bn1' Enter '<'
check "follow: < goes to the layer making the input" sh -c "tail -1 '$TMP/out' | grep -q 'made by conv1 (conv1_output).* 2/[0-9]'"
browse "$TMP/T.mlmodel" 2 / '"bn1' Enter '>' '>' b
check "follow: > > then b: back one step" sh -c "tail -1 '$TMP/out' | grep -q 'neuralNetwork.layers\[2\] '"
browse "$TMP/T.mlmodel" 2 / '"conv1' Enter '<'
check "follow: < on a layer reading only model inputs says so" sh -c "tail -1 '$TMP/out' | grep -q 'conv1 reads only inputs'"
browse "$TMP/D.mlpackage" 2 / '"upsample_bilinear' Enter '<' Dump j Enter
check "follow: several makers are listed to pick from" sh -c "grep -q '< made by: Enter picks' '$TMP/out' && grep -q 'made by logits_cast_fp16 (logits_cast_fp16)' '$TMP/out'"
check "... the one picked is shown, a const one too" sh -c "tail -1 '$TMP/out' | grep -q 'made by upsampled_scale_factor_0' && grep -q ' 12 const *upsampled_scale_factor_0' '$TMP/out'"

# standard input: an edit cannot be saved in place; the session says so in
# its exit status, and the model is not read a second time
printf '3\na\n"k\nEnter\n"v\nEnter\nw\n' >"$TMP/keys"
MLPKG_NO_DISPLAY=1 MLPKG_SCRIPT="$TMP/keys" "$MLPKG" browse - <"$TMP/T.mlmodel" >"$TMP/out" 2>"$TMP/err"; rc=$?
check "stdin: a save refused, the edit left unsaved: exit 2" test $rc -eq 2
check "... said on the status line, and nothing read again" sh -c "grep -q 'cannot save standard input in place' '$TMP/out' && ! grep -q 'empty file' '$TMP/err' '$TMP/out'"

# a line too long for the screen says so in its last column, never ends in
# a number that looks whole
cp "$TMP/T.mlmodel" "$TMP/cut.mlmodel"
"$MLPKG" meta set description "A description long enough to be cut, ending in a range 0..10000" "$TMP/cut.mlmodel" 2>/dev/null
printf 'Resize 50x16\n' >"$TMP/keys"
LC_ALL=C.UTF-8 MLPKG_NO_DISPLAY=1 MLPKG_SCRIPT="$TMP/keys" "$MLPKG" browse "$TMP/cut.mlmodel" >"$TMP/out" 2>&1
check "a cut line ends in '…' (UTF-8)" sh -c "grep -q 'description: A description lo…\$' '$TMP/out' && ! grep -q '0\.\.10' '$TMP/out'"
LC_ALL=C MLPKG_NO_DISPLAY=1 MLPKG_SCRIPT="$TMP/keys" "$MLPKG" browse "$TMP/cut.mlmodel" >"$TMP/out" 2>&1
check "... and in '>' without UTF-8" grep -q 'description: A description lo>$' "$TMP/out"
printf 'Resize 50x16\n3\nj\nj\nj\n' >"$TMP/keys"
LC_ALL=C.UTF-8 MLPKG_NO_DISPLAY=1 MLPKG_SCRIPT="$TMP/keys" "$MLPKG" browse "$TMP/cut.mlmodel" >"$TMP/out" 2>&1
check "the detail pane wraps what does not fit, nothing lost" sh -c "grep -qx ' A description long enough to be cut, ending in a' '$TMP/out' && grep -qx ' range 0..10000' '$TMP/out'"

browse "$TMP/D.mlpackage"
check "overview: exit 0" test "$rc" -eq 0
check "overview: what info shows" sh -c "grep -q 'format: *package' '$TMP/out' && grep -q 'type: *mlProgram (opset CoreML6)' '$TMP/out'"
check "overview: the tabs and the status line with the file" sh -c "head -1 '$TMP/out' | grep -q '1 overview  2 layers  3 metadata  4 weights  5 tree' && tail -1 '$TMP/out' | grep -q D.mlpackage"
check "overview: 80x24" fits 80 24

browse "$TMP/D.mlpackage" Tab
check "layers: Tab switches, the function is open" sh -c "grep -q 'function main (opset CoreML6)' '$TMP/out' && grep -q ' 1 cast' '$TMP/out'"
check "layers: const operations hidden at first, counted on the status line" sh -c "! grep -q ' 0 const' '$TMP/out' && tail -1 '$TMP/out' | grep -q '+[0-9][0-9]* const (c)'"
browse "$TMP/D.mlpackage" Tab c
check "layers: c shows them" sh -c "grep -q ' 0 const' '$TMP/out' && ! tail -1 '$TMP/out' | grep -q 'const (c)'"
browse "$TMP/D.mlpackage" Tab c c
check "layers: c again hides them" sh -c "! grep -q ' 0 const' '$TMP/out'"
check "layers: 80x24" fits 80 24
browse "$TMP/D.mlpackage" 2 G
check "layers: G shows the last rows, the nested cond block" sh -c "grep -q 'block ' '$TMP/out' && grep -q 'cond' '$TMP/out'"
browse "$TMP/D.mlpackage" 2 c j j j Enter
check "layers: Enter on an op shows its detail" sh -c "grep -q 'op 1  cast' '$TMP/out' && grep -q 'in  x = image: ' '$TMP/out' && grep -q 'path: mlProgram.functions\[\"main\"\]' '$TMP/out'"
check "layers: an op's const input with its value, as mlpkg layers shows it" grep -q 'in  dtype = image_to_fp16_dtype_0: string = "fp16"' "$TMP/out"
browse "$TMP/D.mlpackage" 2 c j Enter
check "layers: Enter on a function folds it" sh -c "! grep -q ' 0 const' '$TMP/out' && grep -q '+ function main' '$TMP/out'"
browse "$TMP/D.mlpackage" 2 c j h l
check "layers: h closes, l opens" grep -q ' 0 const' "$TMP/out"

browse "$TMP/D.mlpackage" 2 / '"upsample_bilinear' Enter
check "layers: a long operation type is cut with an ellipsis, its column kept" grep -q ' 13 upsample_bili… upsampled_cast_fp16' "$TMP/out"
browse "$TMP/T.mlmodel" 2
check "layers: a layer's key parameters on its row (an activation's kind)" grep -q 'activation *relu1 .*ReLU' "$TMP/out"
browse "$TMP/T.mlmodel" 2 / '"kernelSize' Enter
check "... found by search" sh -c "tail -1 '$TMP/out' | grep -q 'layers\[0\] .*/kernelSize 1/1'"
browse "$TMP/D.mlpackage" 2 / '"upsampled_scale' Enter
check "layers: a search that lands on a const operation shows them" grep -q ' 12 const *upsampled_scale_factor_0' "$TMP/out"
browse "$TMP/D.mlpackage" 2 / '"relu' Enter
check "search: jumps to the match, the count on the status line" sh -c "tail -1 '$TMP/out' | grep -q '/relu 1/[0-9]' && grep -q 'relu' '$TMP/out'"
n=$(tail -1 "$TMP/out" | sed -n 's|.*/relu 1/\([0-9][0-9]*\).*|\1|p')
browse "$TMP/D.mlpackage" 2 / '"relu' Enter n
# one match: n stays on it; more: n goes to the second
if [ "${n:-0}" -eq 1 ]; then want='/relu 1/1'; else want="/relu 2/$n"; fi
check "search: n goes to the next match (of ${n:-none})" sh -c "[ -n '$n' ] && tail -1 '$TMP/out' | grep -q '$want'"
browse "$TMP/D.mlpackage" 2 / '"conv' Enter
tail -1 "$TMP/out" >"$TMP/s1"
browse "$TMP/D.mlpackage" 2 / '"conv' Enter n
tail -1 "$TMP/out" >"$TMP/s2"
check "search: n over several matches goes to the second, on another row" sh -c "grep -q '/conv 1/[2-9]' '$TMP/s1' && grep -q '/conv 2/[2-9]' '$TMP/s2' && ! cmp -s '$TMP/s1' '$TMP/s2'"
browse "$TMP/D.mlpackage" 2 / '"nosuchthing' Enter
check "search: no match is said" grep -q "no match for 'nosuchthing'" "$TMP/out"

browse "$TMP/D.mlpackage" 4
check "weights: blob tensors with dtype and shape, in aligned columns" grep -q 'fp16  *\[16,3,3,3\]  *864 B' "$TMP/out"
browse "$TMP/D.mlpackage" 4 j
check "weights: min, max and mean of a float tensor" grep -q 'min .*, max .*, mean ' "$TMP/out"
check "weights: std, zeros, NaN and Inf, a histogram in block characters" sh -c "grep -q 'mean .*, std ' '$TMP/out' && grep -q 'zeros [0-9]* ([0-9.]*%), NaN 0, Inf 0' '$TMP/out' && grep -q 'histogram |[ ▁▂▃▄▅▆▇█]\{16\}| ' '$TMP/out'"
if have_python; then
	# the same numbers from the tensor's own bytes, in Python
	"$MLPKG" weights --extract backbone_conv1_bias_to_fp16 -o "$TMP/b16.bin" "$TMP/D.mlpackage" 2>/dev/null
	check "weights: the statistics are the tensor's (Python over the extracted bytes)" "$PYTHON3" -c "
import re, struct, math
d = open('$TMP/b16.bin', 'rb').read()
v = struct.unpack('<%de' % (len(d) // 2), d)
scr = open('$TMP/out', encoding='utf-8').read()
m = re.search(r'min (\S+), max (\S+), mean (\S+), std (\S+)', scr)
got = [float(x) for x in m.groups()]
mean = sum(v) / len(v)
want = [min(v), max(v), mean, math.sqrt(sum((x - mean) ** 2 for x in v) / len(v))]
assert all(abs(a - b) <= 1e-5 + 1e-4 * abs(b) for a, b in zip(got, want)), (got, want)
z = re.search(r'zeros (\d+)', scr).group(1)
assert int(z) == sum(1 for x in v if x == 0), z
"
else
	skip "no python3 for the statistics check"
fi
printf '%s\n' 4 j >"$TMP/keys"
LC_ALL=C MLPKG_NO_DISPLAY=1 MLPKG_SCRIPT="$TMP/keys" "$MLPKG" browse "$TMP/D.mlpackage" >"$TMP/out" 2>&1
check "weights: the histogram in ASCII outside a UTF-8 locale" grep -q 'histogram |[ .:=+*#@-]\{16\}| ' "$TMP/out"

browse "$TMP/D.mlpackage" 5
check "tree: the top fields" sh -c "grep -q 'specificationVersion: 7' '$TMP/out' && grep -q '+ description' '$TMP/out'"
browse "$TMP/T.mlmodel" 5
check "tree: built lazily (the layers closed at first)" sh -c "grep -q '+ neuralNetwork' '$TMP/out' && ! grep -q 'kernelSize' '$TMP/out'"
browse "$TMP/T.mlmodel" 5 / '"kernelSize' Enter
check "tree: search reaches rows never opened, and opens the way to them" sh -c "grep -q 'kernelSize: \[3, 3\]' '$TMP/out' && tail -1 '$TMP/out' | grep -q 'neuralNetwork.layers\[0\].convolution.kernelSize  /kernelSize 1/1'"
browse "$TMP/D.mlpackage" 5 / '"author' Enter
check "tree: search in a package's metadata map" sh -c "tail -1 '$TMP/out' | grep -q '/author 1/'"
# a tree bigger than search builds (200000 rows): 50000 layers of about 6 rows
if have_python; then
	pyscript "$TMP/Many.mlmodel" <<'PY'
import os, sys
from pydecode import load_schema
pb = load_schema()
m = pb.Model()
m.specificationVersion = 4
prev = "x"
for i in range(50000):
    l = m.neuralNetwork.layers.add()
    l.name = "l%d" % i
    l.input.append(prev)
    prev = "b%d" % i
    l.output.append(prev)
    l.activation.ReLU.SetInParent()
open(sys.argv[1], "wb").write(m.SerializeToString())
PY
	browse "$TMP/Many.mlmodel" 5 / '"l123' Enter
	check "tree: search in a huge tree finds what the first 200000 rows hold, and says it stopped there" sh -c "tail -1 '$TMP/out' | grep -q 'searched the first 200000 rows only .*/l123 1/'"
	browse "$TMP/Many.mlmodel" 5 / '"l49999' Enter
	check "... and a name beyond them is not found, saying why" sh -c "tail -1 '$TMP/out' | grep -q \"no match for 'l49999' in the first 200000 rows\""
else
	skip "tree: search in a huge tree (no python3-protobuf or protoc)"
fi
browse "$TMP/D.mlpackage" 5 j l j
check "tree: paths in get's language on the status line" sh -c "tail -1 '$TMP/out' | grep -q 'description\.'"

# a layer whose parameters do not decode: each view that reaches it says so;
# after the screen is gone, stderr has the error once
if have_python; then
	pyscript "$TMP/T.mlmodel" "$TMP/Bad.mlmodel" <<'PY'
import os, sys
from pydecode import load_schema, field
pb = load_schema()
m = pb.Model()
m.ParseFromString(open(sys.argv[1], "rb").read())
nn = m.neuralNetwork.SerializeToString()
# a layer whose innerProduct claims a field longer than itself
nn += field(1, field(1, b"bad") + field(2, b"input") + field(3, b"bad_out") + field(140, b"\x0a\x7f"))
m.ClearField("neuralNetwork")
open(sys.argv[2], "wb").write(m.SerializeToString() + field(500, nn))
PY
	browse "$TMP/Bad.mlmodel" 2
	check "a damaged layer: the browser still runs (exit 0), the error on the status line when the view opens" sh -c "[ $rc -eq 0 ] && tail -1 '$TMP/out' | grep -q 'not a valid Core ML spec'"
	browse "$TMP/Bad.mlmodel" 2 G
	check "... its row and detail say so" sh -c "[ $rc -eq 0 ] && grep -q '6 (does not decode)' '$TMP/out' && grep -q 'layer 6 does not decode' '$TMP/out'"
	browse "$TMP/Bad.mlmodel" 2 G 4 G 5
	check "... stderr has it once, though two views ran into it" sh -c "[ \$(grep -c 'runs past the end' '$TMP/err') -eq 1 ] && [ \$(wc -l < '$TMP/err') -eq 1 ]"
	# killed while the screen is up: the kept message still reaches stderr.
	# The keys wait in a FIFO (opened read-write so that nothing blocks);
	# once the browser sleeps on it again, it has run them.
	if [ -r /proc/self/stat ] && mkfifo "$TMP/fifo" 2>/dev/null; then
		exec 3<>"$TMP/fifo"
		printf '2\nG\n' >&3
		MLPKG_NO_DISPLAY=1 MLPKG_SCRIPT="$TMP/fifo" "$MLPKG" browse "$TMP/Bad.mlmodel" >"$TMP/out" 2>"$TMP/err" &
		pid=$!
		i=0
		while [ $i -lt 100 ] && [ "$(cut -d' ' -f3 /proc/$pid/stat 2>/dev/null)" != S ]; do
			sleep 0.1
			i=$((i + 1))
		done
		sleep 0.2
		kill -TERM $pid
		wait $pid
		rc=$?
		exec 3>&-
		check "killed with the screen up: the signal's status, and the message on stderr" sh -c "[ $rc -eq 143 ] && grep -q '^mlpkg: .*runs past the end' '$TMP/err'"
	else
		skip "killed with the screen up: no /proc or mkfifo"
	fi
else
	skip "a damaged layer: no python3-protobuf or protoc"
fi

browse "$TMP/D.mlpackage" '?'
check "help: generated from the key table" grep -q 'search names and kinds' "$TMP/out"
browse "$TMP/D.mlpackage" '?' G
check "help: the views' own keys" grep -q 'metadata view:' "$TMP/out"

browse "$TMP/D.mlpackage" 2 'Resize 100x30'
check "resize: the screen follows" fits 100 30
printf '%s\n' 'Click 0 14' >"$TMP/keys"
MLPKG_NO_DISPLAY=1 MLPKG_SCRIPT="$TMP/keys" "$MLPKG" browse --mouse "$TMP/D.mlpackage" >"$TMP/out" 2>&1
check "mouse: with --mouse a click on a tab switches view" grep -q 'function main' "$TMP/out"
browse "$TMP/D.mlpackage" 'Click 0 14'
check "mouse: off by default (the terminal keeps it for selecting text)" grep -q 'format: *package' "$TMP/out"
MLPKG_NO_DISPLAY=1 MLPKG_SCRIPT="$TMP/keys" "$MLPKG" browse --mouse --no-mouse "$TMP/D.mlpackage" >"$TMP/out" 2>&1
check "mouse: off with --no-mouse (kept for scripts that pass it)" grep -q 'format: *package' "$TMP/out"

# metadata: edit, refuse, save
cp -R "$TMP/D.mlpackage" "$TMP/E.mlpackage"
browse "$TMP/E.mlpackage" 3 p G Enter
check "metadata: p offers the preview types" grep -q 'preview.type set to' "$TMP/out"
check "metadata: unsaved edits are marked" grep -q '\[modified\]' "$TMP/out"
browse "$TMP/E.mlpackage" 3 p G Enter 1
check "overview: shows the edit not yet saved (from the model in memory)" grep -q '^ *preview: *styleTransfer$' "$TMP/out"
check "... and the file still has none" sh -c "! '$MLPKG' meta get preview.type '$TMP/E.mlpackage' >/dev/null 2>&1"
check "metadata: nothing written before w" sh -c "! '$MLPKG' meta get preview.type '$TMP/E.mlpackage' >/dev/null 2>&1"
browse "$TMP/E.mlpackage" 3 a '"preview.params' Enter '"{not json' Enter
check "metadata: preview.params checked as meta set checks it" grep -q 'preview.params is not valid JSON' "$TMP/out"
browse "$TMP/E.mlpackage" 3 p 'j' 'j' Enter a '"author' Enter C-u '"Zoë Q' Enter w q
check "metadata: w saves, q quits" test "$rc" -eq 0
run "$MLPKG" meta get author "$TMP/E.mlpackage"
check "metadata: the new author is in the file (UTF-8 kept)" grep -qx 'Zoë Q' "$TMP/out"
run "$MLPKG" meta get preview.type "$TMP/E.mlpackage"
check "metadata: the preview type picked is in the file" grep -qx 'poseEstimation' "$TMP/out"
browse "$TMP/E.mlpackage" 3 d w
run "$MLPKG" meta get author "$TMP/E.mlpackage"
check "metadata: d deletes a key" test "$rc" -eq 3
if have_python; then
	py metadata "$TMP/E.mlpackage" >"$TMP/py" 2>&1
	check "metadata: the independent decoder reads the saved file" grep -q 'poseEstimation' "$TMP/py"
else
	skip "no python3-protobuf/protoc for the independent decoder"
fi
cp "$TMP/T.mlmodel" "$TMP/U.mlmodel"
browse "$TMP/U.mlmodel" 3 a '"license' Enter '"GPL' Enter q
check "quit with unsaved edits asks first" grep -q 'unsaved metadata edits' "$TMP/out"
run "$MLPKG" meta get license "$TMP/U.mlmodel"
check "... and nothing is written when the script ends there" sh -c "! grep -q GPL '$TMP/out'"
browse "$TMP/U.mlmodel" 3 a '"license' Enter '"GPL' Enter q y
run "$MLPKG" meta get license "$TMP/U.mlmodel"
check "... y quits without saving" sh -c "! grep -q GPL '$TMP/out'"

# names shown right: UTF-8 as is, control characters escaped
cp "$TMP/T.mlmodel" "$TMP/C.mlmodel"
"$MLPKG" meta set author "$(printf 'Zo\303\253\001x')" "$TMP/C.mlmodel" 2>/dev/null
browse "$TMP/C.mlmodel" 3
check "control characters escaped, UTF-8 shown" grep -q 'Zoë\\x01x' "$TMP/out"

# neural network and pipeline examples
browse "$TMP/T.mlmodel" 2
check "nn: layers with kinds" grep -q 'convolution' "$TMP/out"
browse "$TMP/P.mlmodel" 2
check "pipeline: one section per member" grep -q 'pipeline.models\[0\]' "$TMP/out"

# errors
expect_exit 2 "a bad --view is a usage error" "$MLPKG" browse --view nope "$TMP/T.mlmodel"
expect_exit 3 "a missing model: exit 3" env MLPKG_NO_DISPLAY=1 "$MLPKG" browse "$TMP/nope.mlmodel"
expect_exit 2 "no terminal and no headless mode: exit 2" sh -c "'$MLPKG' browse '$TMP/T.mlmodel' </dev/null >/dev/null"

# a big network: the first screen without reading the weights
if [ -x /usr/bin/time ]; then
	"$MKMODEL" bignn "$TMP/Big.mlmodel" --size 100000000 >/dev/null 2>&1 || not_ok "mkmodel bignn"
	printf '2\n' >"$TMP/keys"
	# the baseline: the same browser on a tiny model (sanitizer builds weigh more)
	MLPKG_NO_DISPLAY=1 MLPKG_SCRIPT="$TMP/keys" /usr/bin/time -f '%M' -o "$TMP/rss0" "$MLPKG" browse "$TMP/T.mlmodel" >/dev/null 2>&1
	base=$(tail -1 "$TMP/rss0")
	MLPKG_NO_DISPLAY=1 MLPKG_SCRIPT="$TMP/keys" /usr/bin/time -f '%M' -o "$TMP/rss" "$MLPKG" browse "$TMP/Big.mlmodel" >"$TMP/out" 2>"$TMP/err"
	check "big network: layers shown" grep -q 'innerProduct\|convolution' "$TMP/out"
	check "big network: max RSS $(tail -1 "$TMP/rss") KiB (tiny model: $base KiB), well under the 100 MB of weights" test "$(tail -1 "$TMP/rss")" -lt $((base + 40000))
else
	skip "big network: layers shown, and its RSS (no /usr/bin/time)"
fi

# real terminal under tmux: the terminal is restored after q
if command -v tmux >/dev/null; then
	sock="$TMP/tmux.sock"
	tmux -S "$sock" new-session -d -x 80 -y 24 "'$MLPKG' browse '$TMP/D.mlpackage'; echo EXITED \$?; sleep 5" 2>/dev/null
	sleep 1
	tmux -S "$sock" send-keys 2 2>/dev/null
	sleep 0.5
	tmux -S "$sock" capture-pane -p >"$TMP/pane1" 2>/dev/null
	tmux -S "$sock" send-keys q 2>/dev/null
	sleep 0.5
	tmux -S "$sock" capture-pane -p >"$TMP/pane2" 2>/dev/null
	tmux -S "$sock" kill-server 2>/dev/null
	check "tmux: the layers view on a real terminal" grep -q 'function main' "$TMP/pane1"
	check "tmux: q leaves the screen and exits 0" sh -c "grep -q 'EXITED 0' '$TMP/pane2' && ! grep -q 'function main' '$TMP/pane2'"
else
	skip "tmux not installed"
	skip "tmux not installed"
fi

if fixtures_or_skip "browse on the fritz, catfeeder and fp16 GRU fixtures: layers, weights, 80x24"; then
	browse "$FIXTURES/fritz-hairseg-small-quant8.mlmodel" 2
	check "fixture fritz: layers" grep -q '0 convolution     conv1' "$TMP/out"
	check "fixture fritz: 80x24" fits 80 24
	browse "$FIXTURES/fritz-hairseg-small-quant8.mlmodel" 4 j
	check "fixture fritz: quantized weights listed" grep -q 'quantized' "$TMP/out"
	browse "$FIXTURES/catfeeder-yolov8n.mlpackage" 2
	check "fixture catfeeder: the pipeline's members" sh -c "grep -q 'pipeline.models\[0\] mlProgram' '$TMP/out'"
	browse "$FIXTURES/catfeeder-yolov8n.mlpackage" 2 G
	check "fixture catfeeder: G reaches the last member" grep -q 'nonMaximumSuppression' "$TMP/out"
	browse "$FIXTURES/mlt-BidirGruEncoder16Bit-fp16.mlmodel" 4 j
	check "fixture fp16 GRU: float16 statistics" grep -q 'min .*, max .*, mean ' "$TMP/out"
fi
# E: the value edited in $EDITOR (as git runs it: through sh, the file as argument)
cp -R "$TMP/D.mlpackage" "$TMP/ed.mlpackage"
"$MLPKG" meta set author "Old Name" "$TMP/ed.mlpackage" 2>/dev/null
cat >"$TMP/ed1" <<'SH'
#!/bin/sh
sed 's/Old/New/' "$1" >"$1.new" && mv "$1.new" "$1"
SH
# refused first (invalid JSON), then the kept text fixed into multi-line JSON
cat >"$TMP/ed2" <<'SH'
#!/bin/sh
case "$1" in *.json) ;; *) exit 3 ;; esac
if grep -q '^{"labels": \["x",$' "$1"; then
	printf '{\n  "labels": ["x", "y"]\n}\n' >"$1"
else
	printf '{"labels": ["x",\n' >"$1"
fi
SH
chmod +x "$TMP/ed1" "$TMP/ed2"
EDITOR="$TMP/ed1" VISUAL= browse "$TMP/ed.mlpackage" "Resize 120x20" 3 / '"author' Enter E w
check "browse E: the value changed in \$EDITOR and saved" sh -c "[ \"\$('$MLPKG' meta get author '$TMP/ed.mlpackage')\" = 'New Name' ] && tail -1 '$TMP/out' | grep -q 'saved 1 edit'"
cp -R "$TMP/ed.mlpackage" "$TMP/ed0.mlpackage"
VISUAL="$TMP/ed1" EDITOR=false browse "$TMP/ed.mlpackage" "Resize 120x20" 3 / '"author' Enter E
check "browse E: \$VISUAL before \$EDITOR; unchanged text said" sh -c "tail -1 '$TMP/out' | grep -q 'author unchanged'"
EDITOR=false VISUAL= browse "$TMP/ed.mlpackage" "Resize 120x20" 3 / '"author' Enter E
check "browse E: an editor that fails is said" grep -q "the editor 'false' failed (exit 1)" "$TMP/out"
EDITOR=false VISUAL= browse "$TMP/ed.mlpackage" "Resize 120x20" 3 / '"author' Enter E w
check "... and changes nothing" sh -c "cmp -s '$TMP/ed.mlpackage/Data/com.apple.CoreML/model.mlmodel' '$TMP/ed0.mlpackage/Data/com.apple.CoreML/model.mlmodel'"
EDITOR="$TMP/nosuch editor" VISUAL= browse "$TMP/ed.mlpackage" "Resize 120x20" 3 / '"author' Enter E
check "browse E: an editor that cannot run is said" grep -q "cannot run the editor '$TMP/nosuch editor' (set VISUAL or EDITOR)" "$TMP/out"
"$MLPKG" meta set preview.params '{"labels": ["a"]}' "$TMP/ed.mlpackage" 2>/dev/null
EDITOR="$TMP/ed2" VISUAL= browse "$TMP/ed.mlpackage" "Resize 120x20" 3 / '"preview.params' Enter E
check "browse E: invalid JSON refused with the reason, kept for the next E" sh -c "tail -1 '$TMP/out' | grep -q 'preview.params is not valid JSON.*(not set; E opens your text again)'"
EDITOR="$TMP/ed2" VISUAL= browse "$TMP/ed.mlpackage" "Resize 120x20" 3 / '"preview.params' Enter E E w
check "browse E: the kept text reopened, fixed, saved as written (multi-line)" sh -c "[ \"\$('$MLPKG' meta get preview.params '$TMP/ed.mlpackage')\" = \"\$(printf '{\n  \"labels\": [\"x\", \"y\"]\n}')\" ]"
ls "${TMPDIR:-/tmp}"/mlpkg-value-* >/dev/null 2>&1 && ls_left=1 || ls_left=0
check "browse E: no temporary file left" test "$ls_left" -eq 0

if fixtures_or_skip "browse: every view opens on every fixture"; then
	for f in $(fixture_models); do
		b=$(basename "$f")
		browse "$f" 2 G 3 4 5 G 1
		check "$b: every view opens" sh -c "[ $rc -eq 0 ] && grep -q 'overview' '$TMP/out'"
	done
fi
# a compiled folder: read-only views of metadata.json, model.mil and weights/
"$MKMODEL" compiledprogram "$TMP/C.mlmodelc" >/dev/null 2>&1 || not_ok "mkmodel compiledprogram"
"$MKMODEL" compilednn "$TMP/CN.mlmodelc" >/dev/null 2>&1 || not_ok "mkmodel compilednn"
csnap() { (cd "$1" && find . -type f | LC_ALL=C sort | xargs cksum); }
csnap "$TMP/C.mlmodelc" >"$TMP/c-before"
browse "$TMP/C.mlmodelc" "Resize 100x30"
check "compiled: four views, the overview what info says" sh -c "[ $rc -eq 0 ] && grep -q ' 1 overview  2 layers  3 metadata  4 weights ' '$TMP/out' && grep -q 'format: mlmodelc (compiled; read-only)' '$TMP/out' && ! grep -q ' 5 tree' '$TMP/out'"
browse "$TMP/C.mlmodelc" "Resize 100x30" 2
check "compiled layers: model.mil's function and operations" sh -c "grep -q 'function main (opset ios16): 1 inputs -> 1 outputs' '$TMP/out' && grep -q '  6 conv  *conv -> conv_out: fp16\[1,8,31,31\]' '$TMP/out' && grep -q ' 11 constexpr_affine_dequantize fc_w: fp16\[10,8\]' '$TMP/out'"
browse "$TMP/C.mlmodelc" "Resize 100x30" 2 j j j j j j j
check "compiled layers: the detail resolves consts, says the output and the line" sh -c "grep -q 'in  strides = var_12 (int32\[2\] = \[2, 2\])' '$TMP/out' && grep -q 'out conv_out: fp16\[1,8,31,31\]' '$TMP/out' && grep -q 'C.mlmodelc model.mil:11' '$TMP/out'"
browse "$TMP/C.mlmodelc" "Resize 100x30" 3 j e a d p E w q
check "compiled metadata: listed, said read-only; edit keys change nothing" sh -c "[ $rc -eq 0 ] && grep -q 'its metadata is read, never edited' '$TMP/out' && grep -q 'trainedOn  *synthetic' '$TMP/out'"
browse "$TMP/C.mlmodelc" "Resize 100x30" 4 j
check "compiled weights: the blobs, statistics from weights/weight.bin" sh -c "grep -q 'conv_b  *val  *fp16  *\[8\]  *16 B' '$TMP/out' && grep -q 'min 0, max 1.75, mean 0.78125' '$TMP/out'"
browse "$TMP/CN.mlmodelc" "Resize 100x60" 2
check "compiled network: espresso layers, the first one's parameters" sh -c "grep -q '  0 convolution  *conv1' '$TMP/out' && grep -q 'in  image' '$TMP/out' && grep -q 'C = 16' '$TMP/out'"
browse "$TMP/CN.mlmodelc" "Resize 100x30" 4
check "compiled network: its weights said not read" grep -q 'model.espresso.weights is not read' "$TMP/out"
mkdir "$TMP/CP.mlmodelc" && cp -R "$TMP/CN.mlmodelc" "$TMP/CP.mlmodelc/model0" && cp -R "$TMP/C.mlmodelc" "$TMP/CP.mlmodelc/model1"
cp "$TMP/C.mlmodelc/metadata.json" "$TMP/C.mlmodelc/coremldata.bin" "$TMP/CP.mlmodelc/"
browse "$TMP/CP.mlmodelc" "Resize 100x60" 2
check "compiled pipeline: each member under its own header" sh -c "grep -q 'model0 (neuralNetwork)' '$TMP/out' && grep -q 'model1 (mlProgram)' '$TMP/out' && grep -q ' 0 convolution  *conv1' '$TMP/out' && grep -q 'function main (opset ios16)' '$TMP/out'"
"$MKMODEL" compiledpipeline "$TMP/W.mlmodelc" >/dev/null 2>&1 || not_ok "mkmodel compiledpipeline"
browse "$TMP/W.mlmodelc" "Resize 100x60" 2
check "compiled pipeline: a member with nothing to read says so" sh -c "grep -q 'model0 (visionFeaturePrint)' '$TMP/out' && grep -q 'nothing to read: no model.mil or model.espresso.net' '$TMP/out'"
browse "$TMP/CP.mlmodelc" "Resize 100x60" 4
check "compiled pipeline: the member's weights" grep -q 'conv_w  *val  *fp16' "$TMP/out"
# compressed weights: the dense values they stand for, and their cost
"$MKMODEL" compressed "$TMP/Z.mlpackage" >/dev/null 2>&1 || not_ok "mkmodel compressed"
browse "$TMP/Z.mlpackage" "Resize 100x40" 4 j
check "weights: a palettized tensor's dequantized statistics and bits per weight" sh -c "grep -q 'palettized 4-bit, 4.50 bits/weight, dequantized:' '$TMP/out' && grep -q 'min -1, max 0.875, mean -0.0625' '$TMP/out' && grep -q 'unique 16' '$TMP/out'"
browse "$TMP/Z.mlpackage" "Resize 100x40" 4 j j
check "weights: its other parts point to it" grep -q 'its shape: part of the palettized weight w1' "$TMP/out"
csnap "$TMP/C.mlmodelc" >"$TMP/c-after"
check "compiled: the folder is unchanged" same_bytes "$TMP/c-before" "$TMP/c-after"
# the metadata form: standard fields (unset ones too), user keys, preview, class labels
"$MKMODEL" nnclassifier "$TMP/Lab.mlmodel" >/dev/null 2>&1 || not_ok "mkmodel nnclassifier"
"$MLPKG" meta rm license "$TMP/Lab.mlmodel" 2>/dev/null
browse "$TMP/Lab.mlmodel" "Resize 100x40" 3
check "form: sections General, User metadata, Preview, Class labels" sh -c "grep -q '^ - General\$' '$TMP/out' && grep -q '^ - User metadata\$' '$TMP/out' && grep -q '^ - Preview\$' '$TMP/out' && grep -q '^ - Class labels: 3 (neuralNetworkClassifier)\$' '$TMP/out'"
check "form: an unset standard field is shown, saying how to set it" grep -q '^     license *(not set: e sets it)$' "$TMP/out"
check "form: the preview type and whether it fits the model" sh -c "grep -q '^     type *imageClassifier\$' '$TMP/out' && grep -q '^     fits the model yes\$' '$TMP/out'"
check "form: the class labels listed, numbered" sh -c "grep -q '^        1  dog\$' '$TMP/out'"
cp "$TMP/Lab.mlmodel" "$TMP/Lab0.mlmodel"
browse "$TMP/Lab.mlmodel" "Resize 100x40" 3 / '"dog' Enter n e C-u '"puppy' Enter w q
check "form: e on a class label changes that one in a few keys, w saves it" sh -c "[ \"\$('$MLPKG' labels '$TMP/Lab.mlmodel' | tr '\\n' ' ')\" = 'cat puppy bird ' ]"
check "... nothing else of the file changed" sh -c "'$MLPKG' labels set - '$TMP/Lab.mlmodel' <<EOT >/dev/null
cat
dog
bird
EOT
cmp -s '$TMP/Lab.mlmodel' '$TMP/Lab0.mlmodel'"
cp "$TMP/Lab0.mlmodel" "$TMP/Lab.mlmodel"
browse "$TMP/Lab.mlmodel" "Resize 100x40" 3 / '"dog' Enter n e C-u '"cat' Enter Dump q
check "form: a label that repeats another is refused, saying why" grep -q "label 'cat' is given twice" "$TMP/out"
check "... and the file is unchanged" cmp -s "$TMP/Lab.mlmodel" "$TMP/Lab0.mlmodel"
browse "$TMP/Lab.mlmodel" "Resize 100x40" 3 / '"license' Enter e '"Apache-2.0' Enter w q
check "form: e on an unset standard field sets it" sh -c "[ \"\$('$MLPKG' meta get license '$TMP/Lab.mlmodel')\" = Apache-2.0 ]"
browse "$TMP/Lab.mlmodel" "Resize 100x40" 3 / '"bird' Enter n d
check "form: d on a class label says it is changed, not removed" grep -q "a class label is changed, not removed" "$TMP/out"
"$MLPKG" preview set --force imageSegmenter --labels - "$TMP/D.mlpackage" <<EOT 2>/dev/null
a
b
EOT
browse "$TMP/D.mlpackage" "Resize 120x40" 3
check "form: the preview's labels counted, and why it does not fit" sh -c "grep -q '^   [+-] labels *2 (e on one changes it)' '$TMP/out' && grep -q '^     fits the model .*label' '$TMP/out'"
# the row counter counts the whole list; a list too long to build at once says more are to come
browse "$TMP/D.mlpackage" "Resize 100x30" 2
check "row counter: the whole list of a model of usual size" sh -c "n=\$(tail -1 '$TMP/out' | sed 's|.* 1/\\([0-9]*\\) *\$|\\1|'); [ \"\$n\" -gt 5 ] && ! tail -1 '$TMP/out' | grep -q '+ *\$'"
if have_python; then
	pyscript "$TMP/T.mlmodel" "$TMP/Long.mlmodel" <<'PY'
import sys
from pydecode import load_schema
pb = load_schema()
m = pb.Model()
m.ParseFromString(open(sys.argv[1], "rb").read())
layers = m.neuralNetwork.layers
prev = layers[-1].output[0]
for i in range(6000):
    l = layers.add()
    l.name = "act%d" % i
    l.input.append(prev)
    l.output.append("act%d_out" % i)
    l.activation.ReLU.SetInParent()
    prev = l.output[0]
open(sys.argv[2], "wb").write(m.SerializeToString())
PY
	browse "$TMP/Long.mlmodel" "Resize 100x30" 2
	check "row counter: a list built as it is shown ends in +" sh -c "tail -1 '$TMP/out' | grep -q ' 1/[0-9]*+ *\$'"
	browse "$TMP/Long.mlmodel" "Resize 100x30" 2 G
	check "... and counts it whole once built" sh -c "tail -1 '$TMP/out' | grep -q ' \\([0-9]*\\)/\\1 *\$'"
else
	skip "row counter of a long list (no python3-protobuf or protoc)"
fi
# the 13th of 21 preview labels changed in a handful of keys, the rest kept
rm -rf "$TMP/V.mlpackage" && cp -R "$TMP/D.mlpackage" "$TMP/V.mlpackage"
"$MKMODEL" voc "$TMP/voc.txt" >/dev/null 2>&1 || not_ok "mkmodel voc"
"$MLPKG" preview rm "$TMP/V.mlpackage" >/dev/null 2>&1
"$MLPKG" preview set imageSegmenter --labels "$TMP/voc.txt" "$TMP/V.mlpackage" >/dev/null 2>&1
browse "$TMP/V.mlpackage" "Resize 120x40" 3 / '"dog' Enter n e C-u '"hound' Enter w q
check "form: e on the 13th preview label changes it alone, w saves it" sh -c "'$MLPKG' meta get preview.params '$TMP/V.mlpackage' >'$TMP/pp' && '$PYTHON3' -c \"
import json, sys
voc = open('$TMP/voc.txt').read().split()
got = json.load(open('$TMP/pp'))['labels']
voc[12] = 'hound'
assert got == voc and voc[11] == 'diningtable', got
\""
check "... written as preview set writes them" sh -c "head -c 40 '$TMP/pp' | grep -q '^{\"labels\": \[\"background\", \"aeroplane\"'"
done_testing
