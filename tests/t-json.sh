#!/bin/sh
# t-json: the --json contract (docs/json/README.md): every --json output
# covered by a schema in docs/json, on every generated example and every
# fixture, validates against it; the top level is the same object for one
# model and for three.
. "${top_srcdir:-.}/tests/lib.sh"

SCHEMAS="$top_srcdir/docs/json"
# the commands with a schema, as "SCHEMA:ARGS"
# meta get and labels, where a model may lack what is asked
EXTRA="meta get --json author|labels --json"
CMDS="info:info --json|io:io --json|meta:meta --json|meta:meta list --json|check:check --json|weights:weights --json|weights:weights --stats --json|layers:layers --json|layers:layers --summary --json|get:get --json description|get:get --json specificationVersion|dump:dump --json|preview:preview --json"

if ! [ -x "$PYTHON3" ] || ! "$PYTHON3" -c 'import jsonschema' 2>/dev/null; then
	skip "--json outputs against docs/json schemas (no python3-jsonschema; tools/install-deps installs it)"
	done_testing
fi
valid() { "$PYTHON3" "$top_srcdir/tests/json-validate.py" "$SCHEMAS/$1.schema.json" "$2" ${3:+"$3"}; }

# json_all WHAT MODEL...: every command's --json on the models, validated
json_all() {
	what=$1
	shift
	IFS='|'
	for c in $CMDS; do
		unset IFS
		schema=${c%%:*} args=${c#*:}
		# set -f: the arguments are words, not patterns
		set -f
		run "$MLPKG" $args "$@"
		set +f
		check "$what: $args: exit 0 or 1, one schema-valid object of $# models" sh -c "[ $rc -le 1 ] && \"\$0\" \"\$@\"" "$PYTHON3" "$top_srcdir/tests/json-validate.py" "$SCHEMAS/$schema.schema.json" "$TMP/out" "$#"
		[ $rc -le 1 ] || diag "$(cat "$TMP/err")"
		IFS='|'
	done
	unset IFS
	# meta get and labels: a model may lack the key or the labels (exit 3,
	# the model left out of the object)
	IFS='|'
	for c in $EXTRA; do
		unset IFS
		set -f
		run "$MLPKG" $c "$@"
		set +f
		schema=${c%% *}
		check "$what: $c: exit 0 with the model, or 3 without it, schema-valid" sh -c "{ [ $rc -eq 0 ] && n=1; } || { [ $rc -eq 3 ] && n=0; } && \"\$0\" \"\$@\" \$n" "$PYTHON3" "$top_srcdir/tests/json-validate.py" "$SCHEMAS/$schema.schema.json" "$TMP/out"
		IFS='|'
	done
	unset IFS
}

# the validator can fail: drifted outputs are refused
printf '{"version": 1, "models": [{"model": "m", "ok": "yes", "errors": 0, "warnings": 0, "problems": []}]}\n' >"$TMP/bad.json"
check "a boolean given as a string is refused" sh -c "! '$PYTHON3' '$top_srcdir/tests/json-validate.py' '$SCHEMAS/check.schema.json' '$TMP/bad.json' 2>/dev/null"
printf '[{"model": "m", "ok": true, "errors": 0, "warnings": 0, "problems": []}]\n' >"$TMP/bad.json"
check "a top-level array is refused" sh -c "! '$PYTHON3' '$top_srcdir/tests/json-validate.py' '$SCHEMAS/check.schema.json' '$TMP/bad.json' 2>/dev/null"
printf '{"version": 1, "models": [{"model": "m", "metadata": {}, "extra": 1}]}\n' >"$TMP/bad.json"
check "an undocumented field is refused" sh -c "! '$PYTHON3' '$top_srcdir/tests/json-validate.py' '$SCHEMAS/meta.schema.json' '$TMP/bad.json' 2>/dev/null"
printf '{"version": 1, "models": [{"model": "", "metadata": {}}]}\n' >"$TMP/bad.json"
check "an empty model path is refused" sh -c "! '$PYTHON3' '$top_srcdir/tests/json-validate.py' '$SCHEMAS/meta.schema.json' '$TMP/bad.json' 2>/dev/null"
printf '{"version": 1, "models": [{"model": "m", "members": [], "functions": [], "layers": [], "operations": [{"path": "p", "function": "main", "index": "0", "depth": 0, "kind": "add", "name": "a", "inputs": {}, "outputs": [], "blocks": 0, "weights": []}]}]}\n' >"$TMP/bad.json"
check "an index given as a string is refused" sh -c "! '$PYTHON3' '$top_srcdir/tests/json-validate.py' '$SCHEMAS/layers.schema.json' '$TMP/bad.json' 2>/dev/null"
printf '{"version": 1, "models": [{"model": "m", "metadata": {"author": null}}]}\n' >"$TMP/null.json"
check "an object member written as null is refused (absent is omitted)" sh -c "! '$PYTHON3' '$top_srcdir/tests/json-validate.py' '$SCHEMAS/meta.schema.json' '$TMP/null.json' 2>/dev/null"
sed 's/"index": "0"/"index": 0/' "$TMP/bad.json" >"$TMP/good.json"
check "... and the same as a number passes" "$PYTHON3" "$top_srcdir/tests/json-validate.py" "$SCHEMAS/layers.schema.json" "$TMP/good.json" 1

# every generated example, alone
set --
for k in nn:TinyNet.mlmodel nnclassifier:Classifier.mlmodel pipeline:Pipeline.mlmodel segmentation:DeepLab.mlpackage multifunction:Multi.mlpackage detector:Detector.mlmodel control:Control.mlmodel compressed:Compressed.mlpackage nnlut:Lut.mlmodel; do
	kind=${k%%:*} name=${k#*:}
	"$MKMODEL" "$kind" "$TMP/$name" >/dev/null 2>&1 || not_ok "mkmodel $kind"
	json_all "example $name" "$TMP/$name"
done

# compiled folders: the commands that read them (labels does not)
all_cmds=$CMDS all_extra=$EXTRA
EXTRA="meta get --json author"
CMDS="info:info --json|io:io --json|meta:meta --json|check:check --json|weights:weights --json|weights:weights --stats --json|layers:layers --json|layers:layers --summary --json"
for k in compiledprogram:Patterns.mlmodelc compilednn:Net.mlmodelc compiledpipeline:Watch.mlmodelc; do
	kind=${k%%:*} name=${k#*:}
	"$MKMODEL" "$kind" "$TMP/$name" >/dev/null 2>&1 || not_ok "mkmodel $kind"
	json_all "compiled $name" "$TMP/$name"
done
# a compiled pipeline, its members in folders of their own
mkdir "$TMP/Pipe.mlmodelc"
"$MKMODEL" compilednn "$TMP/Pipe.mlmodelc/model0" >/dev/null 2>&1 || not_ok "mkmodel compilednn"
"$MKMODEL" compiledprogram "$TMP/Pipe.mlmodelc/model1" >/dev/null 2>&1 || not_ok "mkmodel compiledprogram"
cp "$TMP/Patterns.mlmodelc/metadata.json" "$TMP/Patterns.mlmodelc/coremldata.bin" "$TMP/Pipe.mlmodelc/"
json_all "compiled pipeline" "$TMP/Pipe.mlmodelc"
# check --json of a compiled folder with problems: each names its file
cp -R "$TMP/Net.mlmodelc" "$TMP/Broken.mlmodelc"
rm "$TMP/Broken.mlmodelc/model.espresso.net" "$TMP/Broken.mlmodelc/coremldata.bin"
run "$MLPKG" check --json "$TMP/Broken.mlmodelc"
check "check --json of a broken compiled folder: exit 1, schema-valid, files named" sh -c "[ $rc -eq 1 ] && '$PYTHON3' '$top_srcdir/tests/json-validate.py' '$SCHEMAS/check.schema.json' '$TMP/out' 1 && grep -q '\"path\": \"coremldata.bin\"' '$TMP/out'"
rm -rf "$TMP/Broken.mlmodelc"
CMDS=$all_cmds EXTRA=$all_extra
# scan: every model found under the folder of examples, compiled ones too
run "$MLPKG" scan --json "$TMP"
check "scan --json: exit 0, a schema-valid object of every model found" sh -c "[ $rc -eq 0 ] && '$PYTHON3' '$top_srcdir/tests/json-validate.py' '$SCHEMAS/scan.schema.json' '$TMP/out' && [ \$('$PYTHON3' -c 'import json,sys; print(len(json.load(open(sys.argv[1]))[\"models\"]))' '$TMP/out') -ge 9 ]"
printf '{"version": 1, "models": [{"model": "m", "format": "mlmodelc", "inputs": [], "outputs": [{"name": "o", "shape": "[1, 10]"}], "files": {}}]}\n' >"$TMP/bad.json"
check "a compiled model's shape given as text is refused" sh -c "! '$PYTHON3' '$top_srcdir/tests/json-validate.py' '$SCHEMAS/io.schema.json' '$TMP/bad.json' 2>/dev/null"

# one model and three: the same top level, only the models array grows
for c in info io meta check layers weights "layers --summary" "weights --stats"; do
	# shellcheck disable=SC2086
	"$MLPKG" $c --json "$TMP/TinyNet.mlmodel" >"$TMP/one.json" 2>/dev/null
	# shellcheck disable=SC2086
	"$MLPKG" $c --json "$TMP/TinyNet.mlmodel" "$TMP/DeepLab.mlpackage" "$TMP/Pipeline.mlmodel" >"$TMP/three.json" 2>/dev/null
	check "$c --json: one model and three give the same top level, models of 1 and 3" "$PYTHON3" -c '
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert type(a) is dict and type(b) is dict and sorted(a) == sorted(b) == ["models", "version"], (a, b)
assert a["version"] == b["version"] == 1 and len(a["models"]) == 1 and len(b["models"]) == 3
assert b["models"][0] == a["models"][0]
assert [m["model"] for m in b["models"]] == sys.argv[3:], [m["model"] for m in b["models"]]
' "$TMP/one.json" "$TMP/three.json" "$TMP/TinyNet.mlmodel" "$TMP/DeepLab.mlpackage" "$TMP/Pipeline.mlmodel"
done
for c in "get --json description" "labels --json"; do
	"$MKMODEL" nnclassifier "$TMP/Classifier2.mlmodel" >/dev/null 2>&1
	# shellcheck disable=SC2086
	"$MLPKG" $c "$TMP/Classifier.mlmodel" >"$TMP/one.json" 2>/dev/null
	# shellcheck disable=SC2086
	"$MLPKG" $c "$TMP/Classifier.mlmodel" "$TMP/Classifier2.mlmodel" "$TMP/Classifier.mlmodel" >"$TMP/three.json" 2>/dev/null
	check "$c: one model and three give the same top level, models of 1 and 3" "$PYTHON3" -c '
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert sorted(a) == sorted(b) == ["models", "version"] and len(a["models"]) == 1 and len(b["models"]) == 3, (a, b)
assert b["models"][0] == a["models"][0]
' "$TMP/one.json" "$TMP/three.json"
done
# diff: one object for the two models, its changes or its --stat entries
for pair in "TinyNet.mlmodel Classifier.mlmodel" "DeepLab.mlpackage DeepLab.mlpackage" "Pipeline.mlmodel Detector.mlmodel" "Multi.mlpackage DeepLab.mlpackage"; do
	set -- $pair
	for opt in "" "--stat" "--no-weights" "--stat --no-weights"; do
		# shellcheck disable=SC2086
		run "$MLPKG" diff --json $opt "$TMP/$1" "$TMP/$2"
		check "diff --json $opt $1 $2: exit 0 or 1, schema-valid" sh -c "[ $rc -le 1 ] && '$PYTHON3' '$top_srcdir/tests/json-validate.py' '$SCHEMAS/diff.schema.json' '$TMP/out'"
	done
done
run "$MLPKG" diff --json "$TMP/TinyNet.mlmodel" "$TMP/Classifier.mlmodel"
check "diff --json: an addition has no from, a removal no to" "$PYTHON3" -c "
import json
c = json.load(open('$TMP/out'))['changes']
assert all('from' not in x for x in c if x['change'] == 'added') and any(x['change'] == 'added' for x in c), c
assert all('to' not in x for x in c if x['change'] == 'removed') and any(x['change'] == 'removed' for x in c), c
"
# a model that cannot be read: still the one object, the model left out
run "$MLPKG" info --json "$TMP/TinyNet.mlmodel" "$TMP/absent.mlmodel"
check "a model that cannot be read among others: exit 3, a valid object with the one that could" sh -c "[ $rc -eq 3 ] && '$PYTHON3' '$top_srcdir/tests/json-validate.py' '$SCHEMAS/info.schema.json' '$TMP/out' 1"

if fixtures_or_skip "--json outputs of every fixture against docs/json schemas"; then
	prev=
	for f in $(fixture_models); do
		json_all "$(basename "$f")" "$f"
		if [ -n "$prev" ]; then
			for opt in "" "--stat"; do
				# shellcheck disable=SC2086
				run "$MLPKG" diff --json $opt "$prev" "$f"
				check "diff --json $opt $(basename "$prev") $(basename "$f"): schema-valid" sh -c "[ $rc -le 1 ] && '$PYTHON3' '$top_srcdir/tests/json-validate.py' '$SCHEMAS/diff.schema.json' '$TMP/out'"
			done
		fi
		prev=$f
	done
fi
done_testing
