#!/bin/sh
# t-get: mlpkg get by path: scalars raw, messages as dump, maps, selection
# by name, JSON against an independent decoder, exit 3 naming what failed.
. "${top_srcdir:-.}/tests/lib.sh"

jq_py() { "$PYTHON3" -c "import json,sys; d=json.load(open(sys.argv[1])); $1" "$2"; }

"$MKMODEL" nn "$TMP/TinyNet.mlmodel" >/dev/null 2>&1 || not_ok "mkmodel nn"
"$MKMODEL" segmentation "$TMP/DeepLab.mlpackage" >/dev/null 2>&1 || not_ok "mkmodel segmentation"
"$MKMODEL" multifunction "$TMP/Multi.mlpackage" >/dev/null 2>&1 || not_ok "mkmodel multifunction"
nn="$TMP/TinyNet.mlmodel" seg="$TMP/DeepLab.mlpackage"

# get PATH MODEL prints EXPECTED exactly (never empty: an empty EXPECTED,
# say one worked out from a dump that failed, would agree with a get that
# printed nothing)
is() {
	_d=$1 _p=$2 _m=$3 _want=$4
	run "$MLPKG" get "$_p" "$_m"
	if [ "$rc" -eq 0 ] && [ -n "$_want" ] && [ "$(cat "$TMP/out")" = "$_want" ]; then ok "$_d"; else not_ok "$_d (exit $rc)"; sed 's/^/# /' "$TMP/out" "$TMP/err" | head -5; fi
}

is "a string field prints raw" description.metadata.author "$nn" "mlpkg examples"
is "an integer" specificationVersion "$nn" 4
is "a leading dot is allowed" .specificationVersion "$nn" 4
is "an enum by name" 'description.input[0].type.multiArrayType.dataType' "$nn" DOUBLE
is "a repeated scalar, one value a line" 'neuralNetwork.layers[0].convolution.kernelSize' "$nn" "3
3"
is "an element of a packed repeated scalar" 'description.input[0].type.multiArrayType.shape[1]' "$nn" 8
is "a negative index counts from the end" 'neuralNetwork.layers[-1].name' "$nn" softmax
is "selection by name" 'neuralNetwork.layers[name="bn1"].batchnorm.channels' "$nn" 4
is "selection by name, bare value" 'neuralNetwork.layers[name=fc1].innerProduct.outputChannels' "$nn" 10
is "a repeated string element" 'neuralNetwork.layers[0].input[0]' "$nn" input
is "a map value by key" 'description.metadata.userDefined["training_dataset"]' "$nn" synthetic-8x8
is "a map value by bare key" 'description.metadata.userDefined[training_dataset]' "$nn" synthetic-8x8
is "a whole map, KEY: VALUE a line" 'description.metadata.userDefined' "$nn" "training_dataset: synthetic-8x8"
is "a bool" 'neuralNetwork.layers[0].convolution.hasBias' "$nn" true
is "a float" 'neuralNetwork.layers[1].batchnorm.epsilon' "$nn" 1e-05
is "ML program: a function's opset" 'mlProgram.functions["main"].opset' "$seg" CoreML6
is "ML program: an op's type through maps" 'mlProgram.functions["main"].block_specializations["CoreML6"].operations[0].type' "$seg" const
is "ML program: an op by name" 'mlProgram.functions["main"].block_specializations["CoreML6"].operations[name="cast_1"].type' "$seg" cast
is "ML program: an op by output name" 'mlProgram.functions["main"].block_specializations["CoreML6"].operations[name="class_prior"].attributes["val"].blobFileValue.offset' "$seg" 2048
is "ML program: a nested block's op" 'mlProgram.functions["main"].block_specializations["CoreML6"].operations[type=cond].blocks[0].operations[0].type' "$seg" add
is "a map entry by index" 'mlProgram.functions[0].key' "$seg" main
is "a dotted metadata key" 'description.metadata.userDefined["com.github.apple.coremltools.version"]' "$seg" 7.1

# messages print as dump does
run "$MLPKG" get 'description.input[0]' "$nn"
"$MLPKG" dump "$nn" | sed -n '/^  input {$/,/^  }$/p' | sed '1d;$d' | sed 's/^    //' >"$TMP/want"
check "a message prints as dump prints it" sh -c "[ -s '$TMP/want' ] && cmp -s '$TMP/out' '$TMP/want'"
run "$MLPKG" get 'neuralNetwork.layers' "$nn"
check "a repeated message: each element as dump prints it" sh -c "[ \$(grep -c '^layers {\$' '$TMP/out') -eq 6 ]"

# JSON
run "$MLPKG" get --json description.metadata.author "$nn"
check "--json: the contract's object, the value a string" jq_py 'assert d == {"version": 1, "models": [{"model": d["models"][0]["model"], "path": "description.metadata.author", "value": "mlpkg examples"}]}, d' "$TMP/out"
run "$MLPKG" get --json 'description.input[0].type.multiArrayType.shape' "$nn"
check "--json: a repeated int64 as strings" jq_py 'assert d["models"][0]["value"] == ["3", "8", "8"], d' "$TMP/out"
run "$MLPKG" get --json 'description.metadata.userDefined' "$seg"
check "--json: a map as an object" jq_py 'assert d["models"][0]["value"]["com.github.apple.coremltools.version"] == "7.1", d' "$TMP/out"
run "$MLPKG" get --json description.metadata "$nn" "$seg"
check "--json, several models: the same object, one entry each" jq_py 'm = d["models"]; assert d["version"] == 1 and len(m) == 2 and m[0]["value"]["author"] == "mlpkg examples" and m[1]["model"].endswith("DeepLab.mlpackage"), d' "$TMP/out"
run "$MLPKG" get description.metadata.author "$nn" "$seg"
check "several models: MODEL: value" sh -c "grep -q 'TinyNet.mlmodel: mlpkg examples' '$TMP/out' && grep -q 'DeepLab.mlpackage: mlpkg examples' '$TMP/out'"
if have_python; then
	"$MLPKG" get --json description "$seg" >"$TMP/mine.json" 2>/dev/null
	py json "$seg" >"$TMP/full.json"
	check "--json of a message equals the independent decoder's JSON of it" "$PYTHON3" -c 'import json,sys; a=json.load(open(sys.argv[1]))["models"][0]["value"]; b=json.load(open(sys.argv[2]))["description"]; assert a == b' "$TMP/mine.json" "$TMP/full.json"
else
	skip "no python3-protobuf/protoc"
fi

# what does not exist
expect_exit 3 "an index past the end: exit 3" "$MLPKG" get 'neuralNetwork.layers[6]' "$nn"
check "... one line naming the part that failed" sh -c "[ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q \"no 'neuralNetwork.layers\\[6\\]': layers has 6 elements\" '$TMP/err'"
expect_exit 3 "a field the message does not have: exit 3" "$MLPKG" get 'neuralNetwork.layers[0].pooling.type' "$nn"
check "... names the first part that failed, as not set" grep -q "'neuralNetwork.layers\[0\].pooling' is not set in this model" "$TMP/err"
expect_exit 3 "a field the schema does not know: exit 3" "$MLPKG" get 'description.colour' "$nn"
check "... names it and the message" grep -q "no 'description.colour': ModelDescription has no field 'colour'" "$TMP/err"
expect_exit 3 "a missing map key: exit 3" "$MLPKG" get 'description.metadata.userDefined["nope"]' "$nn"
check "... one line" one_line_error
expect_exit 3 "no element matches: exit 3" "$MLPKG" get 'neuralNetwork.layers[name="nope"]' "$nn"
expect_exit 3 "a field below a scalar: exit 3" "$MLPKG" get 'specificationVersion.x' "$nn"
expect_exit 3 "a model without that type: exit 3" "$MLPKG" get 'mlProgram' "$nn"
expect_exit 2 "a malformed path: exit 2" "$MLPKG" get 'neuralNetwork.layers[0' "$nn"
check "... one line" one_line_error
expect_exit 2 "a repeated field in the middle needs a selector: exit 2" "$MLPKG" get 'neuralNetwork.layers.name' "$nn"
expect_exit 2 "a selector on a non-repeated field: exit 2" "$MLPKG" get 'description[0]' "$nn"
expect_exit 2 "no PATH: exit 2" "$MLPKG" get
expect_exit 3 "a missing model: exit 3" "$MLPKG" get specificationVersion "$TMP/nope.mlmodel"

if fixtures_or_skip "get on every fixture: spec version against index.tsv, first input against the decoder"; then
	for f in $(fixture_models); do
		b=$(basename "$f")
		expect_exit 0 "$b: get specificationVersion" "$MLPKG" get specificationVersion "$f"
		want=$(awk -F'\t' -v f="$b" '$1 == f {print $7}' "$FIXTURES/index.tsv")
		check "$b: spec version as index.tsv says ($want)" test "$(cat "$TMP/out")" = "$want"
		if have_python; then
			name=$(py inspect "$f" | "$PYTHON3" -c 'import json,sys; d=json.load(sys.stdin); print(d["inputs"][0]["name"])')
			run "$MLPKG" get 'description.input[0].name' "$f"
			check "$b: the first input's name agrees with the independent decoder ($name)" test "$(cat "$TMP/out")" = "$name"
		else
			skip "$b: no python3-protobuf/protoc"
		fi
	done
fi

if fixtures_or_skip "get on asl, fritz and catfeeder paths, and beside and through the undecodable node"; then
	asl="$FIXTURES/asl-HandPoseClassifier.mlmodel"
	is "fixture: the preview type by its full key" 'description.metadata.userDefined["com.apple.coreml.model.preview.type"]' "$asl" handPoseClassifier
	is "fixture: a convolution's kernel size" 'neuralNetwork.layers[0].convolution.kernelSize' "$FIXTURES/fritz-style-flexible-imagesize.mlmodel" "9
9"
	is "fixture: a pipeline member's type field" 'pipeline.models[1].nonMaximumSuppression.confidenceInputFeatureName' "$FIXTURES/catfeeder-yolov8n.mlpackage" "$("$MLPKG" dump "$FIXTURES/catfeeder-yolov8n.mlpackage" | sed -n 's/^ *confidenceInputFeatureName: "\(.*\)"$/\1/p' | head -1)"
	is "fixture: a lookup-table op's attribute" 'pipeline.models[0].mlProgram.functions["main"].block_specializations["CoreML6"].operations[type=constexpr_lut_to_dense].attributes["lut"].blobFileValue.offset' "$FIXTURES/catfeeder-yolov8n.mlpackage" 5824
	is "$UNDECODABLE: a path beside the bad node works (nothing else is decoded)" 'description.metadata.userDefined["coremltoolsVersion"]' "$FIXTURES/$UNDECODABLE" 3.1
	expect_exit 4 "$UNDECODABLE: a path through the bad node: exit 4" "$MLPKG" get 'mlProgram.functions[0].value.block_specializations[0].value.operations' "$FIXTURES/$UNDECODABLE"
	check "$UNDECODABLE: one line naming the file" sh -c "[ \$(wc -l < '$TMP/err') -eq 1 ] && grep -q '$UNDECODABLE' '$TMP/err'"
fi
done_testing
