#!/bin/sh
# t-preview: mlpkg preview [show|set|rm] and the fit checks: the README's
# recipe as written, the keys as the tutorial writes them (python3-protobuf),
# labels files, refusals (the model byte-identical), --force, check's
# warnings, SIGKILL during preview set.
. "${top_srcdir:-.}/tests/lib.sh"

PT=com.apple.coreml.model.preview.type
PP=com.apple.coreml.model.preview.params
same_tree() { diff -r "$1" "$2" >/dev/null; }

# the README's quick start ends with the whole recipe: run exactly that
mkdir -p "$TMP/qs/examples"
ln -s "$MLPKG" "$TMP/qs/mlpkg"
"$MKMODEL" segmentation "$TMP/qs/examples/DeepLab.mlpackage" >/dev/null 2>&1
"$MKMODEL" voc "$TMP/qs/examples/voc.txt" >/dev/null 2>&1
qs=$(sed -n '/<!-- quickstart/,/<!-- \/quickstart/p' "$top_srcdir/README.md" | sed -n '/^```sh$/,/^```$/p' | sed '1d;$d' | head -1)
recipe=${qs##*&& }
check "the README's quick start ends with preview set of the VOC labels" test "$recipe" = "./mlpkg preview set imageSegmenter --labels examples/voc.txt examples/DeepLab.mlpackage"
expect_exit 0 "the README's recipe runs as written" sh -c "cd '$TMP/qs' && $recipe"
D="$TMP/qs/examples/DeepLab.mlpackage"
check "the man page shows the same recipe" grep -qx "mlpkg preview set imageSegmenter --labels examples/voc.txt examples/DeepLab.mlpackage" "$top_srcdir/man/mlpkg.1"
if python_or_skip "python3-protobuf reads both keys as the tutorial writes them"; then
	py metadata "$D" >"$TMP/md"
	check "python3-protobuf reads both keys as the tutorial writes them (json.dumps of the labels)" "$PYTHON3" -c "
import json
u = json.load(open('$TMP/md'))['userDefined']
voc = [l.rstrip('\n') for l in open('$TMP/qs/examples/voc.txt')]
assert len(voc) == 21 and voc[0] == 'background' and voc[20] == 'tvmonitor', voc
assert u['$PT'] == 'imageSegmenter', u
assert u['$PP'] == json.dumps({'labels': voc}), u['$PP']
"
fi
expect_exit 0 "preview shows it" "$MLPKG" preview "$D"
check "... the type, the labels counted, one a line, and the fit" sh -c "grep -q '^type: *imageSegmenter\$' '$TMP/out' && grep -q '^labels: *21\$' '$TMP/out' && grep -q '^ *21  tvmonitor\$' '$TMP/out' && grep -q '^fit: *ok\$' '$TMP/out' && grep -q '^needs: .*image input' '$TMP/out'"
expect_exit 0 "preview --json" "$MLPKG" preview --json "$D"
check "... type, labelCount and labels" "$PYTHON3" -c "
import json; (j,) = json.load(open('$TMP/out'))['models']
assert j['type'] == 'imageSegmenter' and j['labelCount'] == 21 and j['labels'][1] == 'aeroplane' and j['problems'] == [], j"
expect_exit 0 "check: a fitting preview is ok" "$MLPKG" check "$D"
check "... without a warning" grep -q ': ok$' "$TMP/out"

# refusals: the model byte-identical; --force writes; check warns
cp -R "$D" "$TMP/D0"
printf 'background\nperson\n' >"$TMP/two.txt"
expect_exit 2 "a segmenter's label count other than its output's classes: refused" "$MLPKG" preview set imageSegmenter --labels "$TMP/two.txt" "$D"
check "... one line naming the model, the output and the dimension" sh -c "one() { [ \$(wc -l < '$TMP/err') -eq 1 ]; }; one && grep -q \"^mlpkg: '$D': 2 labels, but output 'semanticPredictions' (float32\[1,21,512,512\]) has 21 classes in dimension 1; the model is unchanged\" '$TMP/err'"
check "... the model byte-identical" same_tree "$TMP/D0" "$D"
expect_exit 2 "meta set of preview.params with 2 labels: refused as well" "$MLPKG" meta set preview.params '{"labels": ["a", "b"]}' "$D"
check "... the model byte-identical" same_tree "$TMP/D0" "$D"
expect_exit 2 "a text type on an image model: refused" "$MLPKG" preview set textClassifier "$D"
check "... saying it needs a string input and naming the inputs" grep -q "textClassifier previews need a string input (the text), and the model's inputs are 'image' (image<RGB,512x512>)" "$TMP/err"
check "... the model byte-identical" same_tree "$TMP/D0" "$D"
"$MKMODEL" pipeline "$TMP/P.mlmodel" >/dev/null 2>&1
cp "$TMP/P.mlmodel" "$TMP/P0.mlmodel"
expect_exit 2 "an image type on a model without an image input: refused" "$MLPKG" preview set imageSegmenter "$TMP/P.mlmodel"
check "... saying so, the model byte-identical" sh -c "grep -q 'imageSegmenter previews need an image input' '$TMP/err' && cmp -s '$TMP/P0.mlmodel' '$TMP/P.mlmodel'"
expect_exit 2 "params that are not what Xcode reads (labels not an array): refused" "$MLPKG" preview set imageSegmenter --params '{"labels": "a"}' "$D"
check "... the model byte-identical" same_tree "$TMP/D0" "$D"
expect_exit 2 "params that are not JSON: refused" "$MLPKG" preview set imageSegmenter --params '{bad' "$D"
expect_exit 2 "... even with --force" "$MLPKG" preview set --force imageSegmenter --params '{bad' "$D"
check "... the model byte-identical" same_tree "$TMP/D0" "$D"

expect_exit 0 "--force writes the wrong count" "$MLPKG" preview set --force imageSegmenter --labels "$TMP/two.txt" "$D"
check "... with a warning" grep -q "warning: .*2 labels, but output 'semanticPredictions'" "$TMP/err"
expect_exit 0 "check passes a model with the wrong count" "$MLPKG" check "$D"
check "... warning about it" grep -q "warning: description.metadata.userDefined: 2 labels, but output 'semanticPredictions'" "$TMP/out"
expect_exit 0 "--force writes an unsuitable type" "$MLPKG" preview set --force imageSegmenter "$TMP/P.mlmodel"
run "$MLPKG" check "$TMP/P.mlmodel"
check "check warns about the unsuitable type" grep -q "warning: description.metadata.userDefined: imageSegmenter previews need an image input" "$TMP/out"
expect_exit 0 "--force writes params Xcode cannot read" "$MLPKG" preview set --force imageSegmenter --params '{"labels": "a"}' "$D"
run "$MLPKG" check "$D"
check "check warns about the params" grep -q 'warning: description.metadata.userDefined: preview.params for imageSegmenter needs "labels": an array of strings' "$TMP/out"

# labels files: CRLF, blank lines, a final newline; UTF-8 only
printf 'background\r\n\r\n  \naeroplane\r\ncaf\303\251 "q"\n\n' >"$TMP/l.txt"
expect_exit 0 "--labels: CRLF, blank lines and the final newline ignored" "$MLPKG" preview set --force imageSegmenter --labels "$TMP/l.txt" "$D"
check "... three labels, written as json.dumps writes them" sh -c "[ \"\$('$MLPKG' meta get preview.params '$D')\" = '{\"labels\": [\"background\", \"aeroplane\", \"caf\\u00e9 \\\"q\\\"\"]}' ]"
printf 'a\n\377\n' >"$TMP/bad.txt"
cp -R "$D" "$TMP/D1"
expect_exit 2 "--labels that are not UTF-8: refused" "$MLPKG" preview set imageSegmenter --labels "$TMP/bad.txt" "$D"
check "... naming the file, the model byte-identical" sh -c "grep -q \"'$TMP/bad.txt': no labels to read: it is not UTF-8 text\" '$TMP/err' && diff -r '$TMP/D1' '$D' >/dev/null"
expect_exit 0 "--labels - reads standard input, --params adds colors" sh -c "printf 'a\nb\n' | '$MLPKG' preview set --force imageSegmenter --labels - --params '{\"colors\": [\"#000000\", \"#ffffff\"]}' '$D'"
check "... labels first, then the other members" sh -c "[ \"\$('$MLPKG' meta get preview.params '$D')\" = '{\"labels\": [\"a\", \"b\"], \"colors\": [\"#000000\", \"#ffffff\"]}' ]"

# rm: both keys, once
expect_exit 0 "preview rm removes both keys" "$MLPKG" preview rm "$D"
check "... neither left" sh -c "! '$MLPKG' meta get preview.type '$D' 2>/dev/null && ! '$MLPKG' meta get preview.params '$D' 2>/dev/null"
expect_exit 3 "preview rm of a model without a preview: exit 3" "$MLPKG" preview rm "$D"
expect_exit 0 "preview of a model without one lists the types" "$MLPKG" preview "$D"
check "... saying there is none" grep -q '^types: .*imageSegmenter' "$TMP/out"

# a detector: its labels in the non-maximum suppression member
"$MKMODEL" detector "$TMP/Det.mlmodel" >/dev/null 2>&1
expect_exit 0 "labels of a detector pipeline" "$MLPKG" labels "$TMP/Det.mlmodel"
check "... its 80 labels from the non-maximum suppression member" sh -c "[ \$(wc -l < '$TMP/out') -eq 80 ] && head -1 '$TMP/out' | grep -qx person && tail -1 '$TMP/out' | grep -qx toothbrush"
run "$MLPKG" labels --json "$TMP/Det.mlmodel"
check "... --json names the member" grep -q '"source": "pipeline.models\[1\].nonMaximumSuppression"' "$TMP/out"
"$MLPKG" labels "$TMP/Det.mlmodel" >"$TMP/coco.txt"
cp "$TMP/Det.mlmodel" "$TMP/Det0.mlmodel"
expect_exit 2 "objectDetector with labels other than the model's: refused" "$MLPKG" preview set objectDetector --labels "$TMP/qs/examples/voc.txt" "$TMP/Det.mlmodel"
check "... naming both counts and where the model's are, the model byte-identical" sh -c "grep -q '21 labels, but the model holds 80 class labels (pipeline.models\[1\].nonMaximumSuppression)' '$TMP/err' && cmp -s '$TMP/Det0.mlmodel' '$TMP/Det.mlmodel'"
expect_exit 0 "objectDetector with the model's own labels: set" "$MLPKG" preview set objectDetector --labels "$TMP/coco.txt" "$TMP/Det.mlmodel"
expect_exit 0 "info names the preview type and its label count" "$MLPKG" info "$TMP/Det.mlmodel"
check "... preview: objectDetector (80 labels)" grep -q '^ *preview: *objectDetector (80 labels)$' "$TMP/out"
run "$MLPKG" info --json "$TMP/Det.mlmodel"
check "... in --json too" sh -c "grep -q '\"previewType\": \"objectDetector\"' '$TMP/out' && grep -q '\"previewLabels\": 80' '$TMP/out'"
# a model without class labels: labels lists its preview's, saying so
"$MKMODEL" nn "$TMP/N.mlmodel" >/dev/null 2>&1
"$MLPKG" preview set imageSegmenter --params '{"labels": ["x", "y"]}' "$TMP/N.mlmodel" 2>/dev/null
expect_exit 0 "labels of a model without class labels: its preview's" "$MLPKG" labels "$TMP/N.mlmodel"
check "... listed, and said to be the preview's" sh -c "[ \"\$(cat '$TMP/out')\" = \"\$(printf 'x\ny')\" ] && grep -q \"no class labels in the model; these are its preview's (preview.params)\" '$TMP/err'"

# a text classifier (Create ML): an image type refused, its own labels accepted
if fixtures_or_skip "preview types on a text classifier (carwatson)"; then
	copy_fixture "$FIXTURES/createml-carwatson.mlmodel" car.mlmodel
	cp "$TMP/car.mlmodel" "$TMP/car0.mlmodel"
	expect_exit 2 "imageSegmenter on a text classifier with a string input: refused" "$MLPKG" preview set imageSegmenter "$TMP/car.mlmodel"
	check "... naming its string input, the model byte-identical" sh -c "grep -q \"imageSegmenter previews need an image input, and the model's inputs are 'text' (string)\" '$TMP/err' && cmp -s '$TMP/car0.mlmodel' '$TMP/car.mlmodel'"
	"$MLPKG" labels "$TMP/car.mlmodel" >"$TMP/car.txt"
	expect_exit 0 "textClassifier with the model's own labels: set" "$MLPKG" preview set textClassifier --labels "$TMP/car.txt" "$TMP/car.mlmodel"
fi

# completions offer the preview types
if command -v bash >/dev/null 2>&1; then
	comp() { PATH="$(dirname "$MLPKG"):$PATH" bash -c ". '$top_srcdir/completions/mlpkg.bash'; COMP_WORDS=($1); COMP_CWORD=$2; _mlpkg; printf '%s\n' \"\${COMPREPLY[@]}\""; }
	got=$(comp "mlpkg preview set imageS" 3)
	check "bash completion: preview types after 'preview set'" test "$got" = imageSegmenter
	got=$(comp "mlpkg meta set preview.type pose" 4)
	check "bash completion: preview types after 'meta set preview.type'" test "$got" = poseEstimation
else
	skip "bash completion of preview types (no bash)"
fi

# SIGKILL during preview set: neither key or both
if python_or_skip "SIGKILL during preview set"; then
	mkdir -p "$TMP/k"
	"$MKMODEL" bignn "$TMP/k/m.mlmodel" --size 32M >/dev/null 2>&1
	took=$("$PYTHON3" -c 'import subprocess, sys, time
t = time.time(); subprocess.run(sys.argv[1:], stderr=subprocess.DEVNULL); print(time.time() - t)' \
		"$MLPKG" preview set --force imageSegmenter --labels "$TMP/qs/examples/voc.txt" -o "$TMP/k/t.mlmodel" "$TMP/k/m.mlmodel")
	rm -f "$TMP/k/t.mlmodel"
	mixed=0 kills=0 n=0 both=0
	for k in 1 2 3 4 5 6 7 8 9 10 11 12; do
		n=$((n + 1))
		delay=$("$PYTHON3" -c "import sys; print('%.3f' % (float(sys.argv[1]) * $k / 10))" "$took")
		r=$("$PYTHON3" "$top_srcdir/tests/interrupt.py" --from-start KILL "$delay" "$TMP/k" .m.mlmodel.mlpkg- -- \
			"$MLPKG" preview set --force imageSegmenter --labels "$TMP/qs/examples/voc.txt" "$TMP/k/m.mlmodel" 2>/dev/null)
		case $r in *seen) kills=$((kills + 1)) ;; esac
		t=$("$MLPKG" meta get preview.type "$TMP/k/m.mlmodel" 2>/dev/null)
		p=$("$MLPKG" meta get preview.params "$TMP/k/m.mlmodel" 2>/dev/null)
		if [ -z "$t" ] && [ -z "$p" ]; then
			:
		elif [ "$t" = imageSegmenter ] && [ -n "$p" ]; then
			both=$((both + 1))
			"$MLPKG" preview rm "$TMP/k/m.mlmodel" 2>/dev/null
		else
			mixed=$((mixed + 1))
			diag "killed after ${delay}s ($r): type '$t', params '$p'"
		fi
		rm -f "$TMP/k"/.m.mlmodel.mlpkg-*
	done
	diag "preview set takes ${took}s; $kills of $n kills landed while the temp file existed; $both ended with both keys"
	check "SIGKILL during preview set ($n times): neither key or both" test $mixed -eq 0
fi
# completion: preview types after "preview set" and after meta set's preview.type
check "complete: preview set offers the preview types" sh -c "'$MLPKG' __complete preview set --force '' | grep -qx imageSegmenter"
check "complete: ... those starting with the word typed" test "$("$MLPKG" __complete preview set imageS)" = imageSegmenter
check "complete: meta set preview.type VALUE offers them" sh -c "'$MLPKG' __complete meta set author x preview.type obj | grep -qx objectDetector"
check "complete: ... not in a key's place" sh -c "! '$MLPKG' __complete meta set preview.type x obj | grep -q objectDetector"
check "complete: preview set TYPE then a model" test "$("$MLPKG" __complete preview set imageSegmenter '')" = :model
done_testing
