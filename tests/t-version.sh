#!/bin/sh
# t-version: the specification version a model needs (info --json
# neededVersion) is never below what Core ML's own feature tests say
# (coremltools' hasIOS11_2Features ... hasIOS18Features), one feature at a
# time on changed copies of mkmodel's models; check says when the stored
# version is lower.
. "${top_srcdir:-.}/tests/lib.sh"

"$MKMODEL" nn "$TMP/nn.mlmodel" >/dev/null 2>&1 || not_ok "mkmodel nn"
"$MKMODEL" pipeline "$TMP/pipe.mlmodel" >/dev/null 2>&1 || not_ok "mkmodel pipeline"
if ! python_or_skip "neededVersion of changed copies"; then
	done_testing
fi
pyscript "$TMP" <<'PY'
import os, sys
from pydecode import load_schema
pb = load_schema()
D = sys.argv[1]

def load(name):
    m = pb.Model()
    m.ParseFromString(open(os.path.join(D, name), "rb").read())
    return m

def save(m, name):
    open(os.path.join(D, name + ".mlmodel"), "wb").write(m.SerializeToString())

def nn(fn, name):
    m = load("nn.mlmodel")
    fn(m, m.neuralNetwork)
    save(m, name)

def append(net, kind, src="output", dst="extra"):
    l = net.layers.add()
    l.name = kind
    l.input.append(src)
    l.output.append(dst)
    return l

nn(lambda m, n: append(n, "erf").erf.SetInParent(), "ios13layer")
nn(lambda m, n: setattr(n, "arrayInputShapeMapping", 1), "mapping")
nn(lambda m, n: n.layers[0].input.append("input"), "conv2in")
nn(lambda m, n: append(n, "cumsum").cumSum.SetInParent(), "ios14layer")
nn(lambda m, n: setattr(append(n, "up").upsample, "linearUpsampleMode", 1), "uplinear")
nn(lambda m, n: setattr(n.layers[4].innerProduct, "int8DynamicQuantize", True), "int8dq")
nn(lambda m, n: append(n, "rb").resizeBilinear.SetInParent(), "resize")
nn(lambda m, n: [append(n, "rb").resizeBilinear.SetInParent(), setattr(m, "specificationVersion", 2)], "resize2")
nn(lambda m, n: setattr(m.description.input[0].type.multiArrayType, "dataType", 65552), "fp16in")
def optdefault(m, n):
    t = m.description.input[0].type
    t.isOptional = True
    t.multiArrayType.doubleDefaultValue = 0.5
nn(optdefault, "optdefault")
def noinput(m, n):
    m.description.ClearField("input")
    n.layers[0].ClearField("input")
nn(noinput, "noinput")

def kind(field, rev, name, extra=None):
    m = pb.Model()
    m.specificationVersion = 1
    f = m.description.input.add()
    f.name = "text"
    f.type.stringType.SetInParent()
    o = m.description.output.add()
    o.name = "label"
    o.type.stringType.SetInParent()
    p = getattr(m, field)
    if rev is not None:
        p.revision = rev
    if extra:
        extra(p)
    save(m, name)
kind("textClassifier", 2, "textcls2")
kind("textClassifier", 4, "textcls4")
kind("textClassifier", 5, "textcls5")
kind("wordTagger", 3, "tagger3")
kind("wordEmbedding", 2, "embedding2")
kind("gazetteer", 2, "gazetteer2")
kind("visionFeaturePrint", None, "scene2", lambda p: setattr(p.scene, "version", 2))
kind("visionFeaturePrint", None, "objects", lambda p: setattr(p.objects, "version", 1))
kind("audioFeaturePrint", None, "sound", lambda p: setattr(p.sound, "version", 1))

m = load("pipe.mlmodel")
m.pipeline.models[1].description.input[0].type.multiArrayType.dataType = 65568
m.pipeline.models[0].description.output[0].type.multiArrayType.dataType = 65568
g = m.pipeline.models[1]
g.ClearField("glmRegressor")
g.specificationVersion = 4
l = g.neuralNetwork.layers.add()
l.name = "erf"
l.input.append("x_scaled")
l.output.append("y")
l.erf.SetInParent()
g.neuralNetwork.arrayInputShapeMapping = 1
save(m, "pipemember")
PY

[ -n "$KEEP_CASES" ] && cp "$TMP"/*.mlmodel "$KEEP_CASES"/ 2>/dev/null
# needed NAME VERSION "WHAT"
needed() {
	run "$MLPKG" info --json "$TMP/$1.mlmodel"
	check "$3: neededVersion $2" "$PYTHON3" -c '
import json, sys
d = json.load(open(sys.argv[1]))["models"][0]
assert d["neededVersion"] == int(sys.argv[2]), (d["neededVersion"], d.get("neededBy"))' "$TMP/out" "$2"
}
needed nn 2 "mkmodel nn (float16 weights)"
needed ios13layer 4 "a layer type of iOS 13 (erf)"
needed mapping 4 "EXACT_ARRAY_MAPPING"
needed conv2in 4 "a convolution with two inputs"
needed ios14layer 5 "a layer type of iOS 14 (cumSum)"
needed uplinear 5 "a linear upsample mode"
needed int8dq 5 "int8 dynamic quantization"
needed resize 3 "resizeBilinear"
needed optdefault 5 "an optional input with a default value"
needed noinput 9 "a network without inputs"
needed textcls2 4 "a text classifier of revision 2"
needed textcls4 8 "a text classifier of revision 4"
needed textcls5 9 "a text classifier of revision 5"
needed tagger3 5 "a word tagger of revision 3"
needed embedding2 4 "a word embedding of revision 2"
needed gazetteer2 4 "a gazetteer of revision 2"
needed scene2 8 "a scene print of version 2"
needed objects 5 "an object print"
needed sound 6 "an audio feature print with a sound print"
needed pipemember 4 "a pipeline member with an iOS 13 layer"
run "$MLPKG" info --json "$TMP/pipemember.mlmodel"
check "... the member named in neededBy" grep -q '"neededBy": ".* in pipeline.models\[1\]"' "$TMP/out"
expect_exit 0 "check: a network stored as version 2 that needs 3 (resizeBilinear): a warning, exit 0" "$MLPKG" check "$TMP/resize2.mlmodel"
check "... says so" grep -q "warning: specificationVersion: specification version 2 is lower than the 3 that a layer type of iOS 12 ('rb', resizeBilinear) needs" "$TMP/out"
expect_exit 1 "check: a float16 multi-array input at version 4 (a gate in Core ML's validator): exit 1" "$MLPKG" check "$TMP/fp16in.mlmodel"
check "... the error" grep -q "error: description.input\\[0\\]: 'input' is a float16 multi-array, which needs specification version 7 (this model has 4)" "$TMP/out"
check "... said once: no warning besides" sh -c "! grep -q 'warning: specificationVersion' '$TMP/out'"
expect_exit 0 "check: a pipeline stored as version 1 whose member needs 4: a warning, exit 0" "$MLPKG" check "$TMP/pipemember.mlmodel"
check "... the warning" grep -q "warning: specificationVersion: specification version 1 is lower than the 4" "$TMP/out"
done_testing
