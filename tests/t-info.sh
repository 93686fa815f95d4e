#!/bin/sh
# t-info: mlpkg info on every fixture and example, its numbers checked
# against an independent decoder and the fixtures' index; notes on odd
# models; errors; laziness on a big network.
. "${top_srcdir:-.}/tests/lib.sh"

chk() { "$PYTHON3" "$top_srcdir/tests/inspect-check.py" "$@"; }

# the project's own examples
for k in nn:TinyNet.mlmodel nnclassifier:Classifier.mlmodel pipeline:Pipeline.mlmodel segmentation:DeepLab.mlpackage multifunction:Multi.mlpackage; do
	kind=${k%%:*} name=${k#*:}
	"$MKMODEL" "$kind" "$TMP/$name" >/dev/null 2>&1 || not_ok "mkmodel $kind"
	expect_exit 0 "example $name: info" "$MLPKG" info "$TMP/$name"
	check "example $name: info fits in 80 columns" sh -c "! awk 'length(\$0) > 80' '$TMP/out' | grep -q ."
	expect_exit 0 "example $name: info --json" "$MLPKG" info --json "$TMP/$name"
	if have_python; then
		cp "$TMP/out" "$TMP/info.json"
		py inspect "$TMP/$name" >"$TMP/py.json"
		check "example $name: info agrees with the independent decoder" chk info "$TMP/info.json" "$TMP/py.json"
	else
		skip "example $name: no python3-protobuf/protoc"
	fi
done

run "$MLPKG" info "$TMP/DeepLab.mlpackage"
check "package: format, sizes, spec version with its OS releases" sh -c "grep -q 'format: *package' '$TMP/out' && grep -q 'size: *spec .*weight files .*total' '$TMP/out' && grep -q 'spec version: *7 (iOS 16' '$TMP/out'"
check "package: type with its opset, inputs, outputs" sh -c "grep -q 'type: *mlProgram (opset CoreML6)' '$TMP/out' && grep -q 'inputs: *image  image<RGB,512x512>' '$TMP/out' && grep -q 'float32\[1,21,512,512\]' '$TMP/out'"
check "package: counts" grep -q 'counts: *21 operations in 1 function, 5 weight tensors, 826 parameters' "$TMP/out"
check "package: no notes" grep -q 'notes: *none' "$TMP/out"
run "$MLPKG" info "$TMP/Multi.mlpackage"
check "multi-function: functions with the default and the state" sh -c "grep -q 'functions: *main (default): x -> y; states accumulator' '$TMP/out' && grep -q 'second: x -> z' '$TMP/out'"
run "$MLPKG" info "$TMP/Pipeline.mlmodel"
check "pipeline: members as a tree" grep -q '^ *\[0\] ' "$TMP/out"
run "$MLPKG" info --json "$TMP/TinyNet.mlmodel" "$TMP/DeepLab.mlpackage"
check "several models: version 1 and a models array of two" sh -c "'$PYTHON3' -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d[\"version\"] == 1 and len(d[\"models\"]) == 2 and d[\"models\"][1][\"type\"] == \"mlProgram\"' '$TMP/out'"

# the other kinds of model: SVMs, nearest neighbors, GLMs, a tree ensemble
# in a pipeline, made with the independent schema and counted both ways
if have_python; then
	pyscript "$TMP" <<'PY'
import os, sys
from pydecode import load_schema
pb = load_schema()

def base():
    m = pb.Model()
    m.specificationVersion = 1
    f = m.description.input.add()
    f.name = "x"
    f.type.multiArrayType.shape.append(3)
    f.type.multiArrayType.dataType = 65600
    o = m.description.output.add()
    o.name = "y"
    o.type.doubleType.SetInParent()
    return m
m = base()
s = m.supportVectorRegressor
s.kernel.rbfKernel.gamma = 0.5
for k in range(7):
    v = s.denseSupportVectors.vectors.add()
    v.values.extend([k, k + 1, k + 2])
s.coefficients.alpha.extend([0.1] * 7)
s.rho = 1.5
open(os.path.join(sys.argv[1], "svr.mlmodel"), "wb").write(m.SerializeToString())
m = base()
s = m.supportVectorClassifier
s.kernel.linearKernel.SetInParent()
s.numberOfSupportVectorsPerClass.extend([2, 3])
for k in range(5):
    v = s.sparseSupportVectors.vectors.add()
    n = v.nodes.add()
    n.index, n.value = 1, float(k)
s.coefficients.add().alpha.extend([1, 2, 3, 4, 5])
s.rho.append(0.25)
s.int64ClassLabels.vector.extend([0, 1])
open(os.path.join(sys.argv[1], "svc.mlmodel"), "wb").write(m.SerializeToString())
m = base()
k = m.kNearestNeighborsClassifier
k.nearestNeighborsIndex.numberOfDimensions = 3
for e in range(11):
    k.nearestNeighborsIndex.floatSamples.add().vector.extend([e, e, e])
k.nearestNeighborsIndex.linearIndex.SetInParent()
k.nearestNeighborsIndex.squaredEuclideanDistance.SetInParent()
k.numberOfNeighbors.defaultValue = 3
k.stringClassLabels.vector.extend(["c%d" % (e % 2) for e in range(11)])
open(os.path.join(sys.argv[1], "knn.mlmodel"), "wb").write(m.SerializeToString())
m = base()
p = m.pipelineRegressor.pipeline
g = p.models.add()
g.CopyFrom(base())
g.glmRegressor.weights.add().value.extend([1, 2, 3])
g.glmRegressor.offset.append(0.5)
t = p.models.add()
t.CopyFrom(base())
ens = t.treeEnsembleRegressor.treeEnsemble
for tree in range(3):
    for node, behavior in ((0, 0), (1, 6), (2, 6)):
        n = ens.nodes.add()
        n.treeId, n.nodeId, n.nodeBehavior = tree, node, behavior
open(os.path.join(sys.argv[1], "glmtree.mlmodel"), "wb").write(m.SerializeToString())
PY
	for k in svr:"7 support vectors, 7 coefficients" svc:"5 support vectors, 5 coefficients" knn:"11 examples" 		glmtree:"3 trees, 9 nodes (6 leaves), 4 coefficients"; do
		name=${k%%:*} want=${k#*:}
		run "$MLPKG" info "$TMP/$name.mlmodel"
		check "$name: counts say '$want'" grep -q "counts: *$want\$" "$TMP/out"
		run "$MLPKG" info --json "$TMP/$name.mlmodel"
		cp "$TMP/out" "$TMP/info.json"
		py inspect "$TMP/$name.mlmodel" >"$TMP/py.json"
		check "$name: info --json agrees with the independent decoder" chk info "$TMP/info.json" "$TMP/py.json"
	done
else
	skip "SVM, kNN, GLM and tree counts: no python3-protobuf/protoc"
fi

# odd things are noted
cp -R "$TMP/DeepLab.mlpackage" "$TMP/Overlay.mlpackage"
echo '{}' >"$TMP/Overlay.mlpackage/Data/com.apple.CoreML/Metadata.json"
echo '{}' >"$TMP/Overlay.mlpackage/Data/com.apple.CoreML/FeatureDescriptions.json"
run "$MLPKG" info --json "$TMP/Overlay.mlpackage"
check "overlay: Metadata.json noted" grep -q 'Metadata.json, an overlay' "$TMP/out"
check "overlay: FeatureDescriptions.json noted" grep -q 'FeatureDescriptions.json, an overlay' "$TMP/out"
check "overlays with nothing else to say: in step with the spec" sh -c "grep -q 'Metadata.json, an overlay of the metadata, in step with the spec' '$TMP/out' && grep -q 'FeatureDescriptions.json, an overlay of the feature descriptions, in step with the spec' '$TMP/out'"
printf '{\n  "MLModelAuthorKey" : "someone else",\n  "MLModelLicenseKey" : "MIT",\n  "MLModelCreatorDefinedKey" : {\n    "extra" : "x",\n    "blank" : "--"\n  }\n}' >"$TMP/Overlay.mlpackage/Data/com.apple.CoreML/Metadata.json"
printf '{\n  "Inputs" : {\n    "image" : {\n      "MLFeatureShortDescription" : "not the spec'"'"'s"\n    }\n  }\n}' >"$TMP/Overlay.mlpackage/Data/com.apple.CoreML/FeatureDescriptions.json"
run "$MLPKG" info --json "$TMP/Overlay.mlpackage"
check "overlays that say otherwise: the keys and features named" sh -c "grep -q 'an overlay of the metadata that Xcode may show: it says otherwise for author, extra\"' '$TMP/out' && grep -q 'an overlay of the feature descriptions that Xcode may show: it says otherwise for image' '$TMP/out'"
# an unknown field (999, varint 1) appended to a spec
cp "$TMP/TinyNet.mlmodel" "$TMP/Unknown.mlmodel"
printf '\270\076\001' >>"$TMP/Unknown.mlmodel"
run "$MLPKG" info --json "$TMP/Unknown.mlmodel"
check "unknown field noted" grep -q '1 field unknown to the schema' "$TMP/out"
rm -rf "$TMP/NoWeights.mlpackage" && cp -R "$TMP/DeepLab.mlpackage" "$TMP/NoWeights.mlpackage"
rm "$TMP/NoWeights.mlpackage/Data/com.apple.CoreML/weights/weight.bin"
run "$MLPKG" info "$TMP/NoWeights.mlpackage"
check "a missing weight file is noted" grep -q 'which the package lacks' "$TMP/out"

# errors
expect_exit 3 "a missing model: exit 3" "$MLPKG" info "$TMP/nope.mlmodel"
check "... one line" one_line_error
check "... naming it" grep -q nope.mlmodel "$TMP/err"
expect_exit 2 "an unknown option: exit 2" "$MLPKG" info --frob "$TMP/TinyNet.mlmodel"

# laziness: the weights of a big network are measured, not read
if ! [ -x /usr/bin/time ]; then
	skip "big network: info and layers memory (no /usr/bin/time)"
elif ! "$MKMODEL" bignn "$TMP/Big.mlmodel" --size 100000000 >/dev/null 2>&1; then
	not_ok "big network: mkmodel bignn failed"
else
	/usr/bin/time -f '%M' -o "$TMP/rss" "$MLPKG" info "$TMP/Big.mlmodel" >"$TMP/out" 2>"$TMP/err"
	check "big network: info succeeds" grep -q 'weight tensors' "$TMP/out"
	check "big network: info reads well under the 100 MB of weights (max RSS $(cat "$TMP/rss") KiB)" test "$(tail -1 "$TMP/rss")" -lt 60000
	/usr/bin/time -f '%M' -o "$TMP/rss" "$MLPKG" layers --summary "$TMP/Big.mlmodel" >"$TMP/out" 2>"$TMP/err"
	check "big network: layers reads well under the 100 MB too (max RSS $(cat "$TMP/rss") KiB)" test "$(tail -1 "$TMP/rss")" -lt 60000
fi

# no model named in a folder of many: the names one a line, sorted, at most
# a screenful, the first line the message
mkdir -p "$TMP/many"
for i in 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20; do
	cp "$TMP/nn.mlmodel" "$TMP/many/m$i.mlmodel" 2>/dev/null || "$MKMODEL" nn "$TMP/many/m$i.mlmodel" >/dev/null 2>&1
done
(cd "$TMP/many" && MLPKG_MODEL= "$MLPKG" info) >"$TMP/out" 2>"$TMP/err"; rc=$?
check "no model named, 20 in the folder: exit 2" test $rc -eq 2
check "... the first line says so and asks for one" sh -c "head -1 '$TMP/err' | grep -qx 'mlpkg: no model named and 20 models in the current folder; name one:'"
check "... the names one a line, sorted, 15 of them, then how many more" sh -c "[ \$(wc -l <'$TMP/err') -eq 17 ] && sed -n 2p '$TMP/err' | grep -qx '  m01.mlmodel' && sed -n 16p '$TMP/err' | grep -qx '  m15.mlmodel' && tail -1 '$TMP/err' | grep -qx '  ... and 5 more'"
rm -f "$TMP/many"/m1*.mlmodel "$TMP/many"/m2*.mlmodel "$TMP/many"/m0[3-9].mlmodel
(cd "$TMP/many" && MLPKG_MODEL= "$MLPKG" info) >"$TMP/out" 2>"$TMP/err"
check "... two models: both named, nothing more" sh -c "[ \$(wc -l <'$TMP/err') -eq 3 ] && tail -1 '$TMP/err' | grep -qx '  m02.mlmodel'"

if ! fixtures_or_skip "info and info --json on every fixture (80 columns, index.tsv, the independent decoder); catfeeder members, notype, asl preview, flexible image sizes; zipped package vs folder; the undecodable model"; then
	done_testing
fi

for f in $(fixture_models); do
	b=$(basename "$f")
	expect_exit 0 "$b: info" "$MLPKG" info "$f"
	check "$b: info fits in 80 columns" sh -c "! awk 'length(\$0) > 80' '$TMP/out' | grep -q ."
	expect_exit 0 "$b: info --json" "$MLPKG" info --json "$f"
	cp "$TMP/out" "$TMP/info.json"
	# the fixtures' index: spec version and layers or ops
	want_v=$(awk -F'\t' -v f="$b" '$1 == f {print $7}' "$FIXTURES/index.tsv")
	want_n=$(awk -F'\t' -v f="$b" '$1 == f {print $9}' "$FIXTURES/index.tsv")
	got=$("$PYTHON3" -c 'import json,sys; d=json.load(open(sys.argv[1]))["models"][0]; c=d["counts"]; print(d["specificationVersion"], c["layers"] + c["operations"])' "$TMP/info.json" 2>/dev/null)
	check "$b: spec version and layers/ops as index.tsv says ($want_v $want_n)" test "$got" = "$want_v $want_n"
	if have_python; then
		py inspect "$f" >"$TMP/py.json"
		check "$b: info agrees with the independent decoder" chk info "$TMP/info.json" "$TMP/py.json"
	else
		skip "$b: no python3-protobuf/protoc"
	fi
done

run "$MLPKG" info "$FIXTURES/catfeeder-yolov8n.mlpackage"
check "catfeeder: the pipeline's members" sh -c "grep -q '\[0\] mlProgram (spec 7, opset CoreML6, 647 operations)' '$TMP/out' && grep -q '\[1\] nonMaximumSuppression (spec 5)' '$TMP/out'"
check "catfeeder: spec version lower than its ML program needs" grep -q 'specification version 5 is lower than the 7' "$TMP/out"
run "$MLPKG" info "$FIXTURES/s4tf-s4tf_model-notype.mlmodel"
check "notype: the unset model type is noted" grep -q 'no model type set' "$TMP/out"
run "$MLPKG" info "$FIXTURES/asl-HandPoseClassifier.mlmodel"
check "asl: the preview type" grep -q 'preview: *handPoseClassifier' "$TMP/out"
check "asl: a classifier's dict output" grep -q 'dict<string,double>' "$TMP/out"
run "$MLPKG" info "$FIXTURES/fritz-style-flexible-imagesize.mlmodel"
check "flexible image sizes" grep -q 'image<RGB,360x640> in \[100..1920\]x\[100..1920\]' "$TMP/out"

# zipped package: same answers as the folder
if command -v zip >/dev/null; then
	"$MLPKG" info --json "$FIXTURES/catfeeder-yolov8n.mlpackage" >"$TMP/folder.json" 2>/dev/null
	(cd "$FIXTURES" && zip -qr "$TMP/cat.mlpackage.zip" catfeeder-yolov8n.mlpackage)
	expect_exit 0 "zipped package: info" "$MLPKG" info --json "$TMP/cat.mlpackage.zip"
	check "zipped package: format zip, same counts and weight sizes as the folder" "$PYTHON3" -c 'import json,sys; a=json.load(open(sys.argv[1]))["models"][0]; b=json.load(open(sys.argv[2]))["models"][0]; assert a["format"] == "zip" and a["counts"] == b["counts"] and a["sizes"]["weights"] == b["sizes"]["weights"] and a["notes"] == b["notes"]' "$TMP/out" "$TMP/folder.json"
else
	skip "zip not installed"
fi

expect_exit 4 "$UNDECODABLE: info refused with exit 4" "$MLPKG" info "$FIXTURES/$UNDECODABLE"
check "$UNDECODABLE: one line naming the file" sh -c "[ \$(wc -l < '$TMP/err') -eq 1 ] && grep -q '$UNDECODABLE' '$TMP/err'"
check "$UNDECODABLE: nothing on stdout" test ! -s "$TMP/out"
expect_exit 4 "several models: the worst exit wins, the others are shown" "$MLPKG" info "$FIXTURES/$UNDECODABLE" "$FIXTURES/ph1ps-MNIST.mlmodel"
check "... the good one is shown" grep -q 'ph1ps-MNIST' "$TMP/out"
done_testing
