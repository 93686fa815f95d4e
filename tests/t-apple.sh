#!/bin/sh
# t-apple: check refuses what Core ML's own validator (coremltools' mlmodel
# Validation/) refuses and accepts what it accepts, rule by rule, on models
# made by mkmodel and changed one thing at a time.
. "${top_srcdir:-.}/tests/lib.sh"

for k in nn:nn.mlmodel nnclassifier:cls.mlmodel pipeline:pipe.mlmodel multifunction:multi.mlpackage; do
	"$MKMODEL" "${k%%:*}" "$TMP/${k#*:}" >/dev/null 2>&1 || not_ok "mkmodel ${k%%:*}"
done
"$MKMODEL" bignn "$TMP/big.mlmodel" --size 300K >/dev/null 2>&1 || not_ok "mkmodel bignn"
for f in nn.mlmodel cls.mlmodel pipe.mlmodel multi.mlpackage big.mlmodel; do
	expect_exit 0 "mkmodel's $f passes" "$MLPKG" check "$TMP/$f"
done
run "$MLPKG" layers --json "$TMP/nn.mlmodel"
check "mkmodel nn: fc1's bias is float16, as its weights" "$PYTHON3" -c '
import json, sys
L = {l["name"]: l for l in json.load(open(sys.argv[1]))["models"][0]["layers"]}
assert {w["field"]: w["type"] for w in L["fc1"]["weights"]} == {"weights": "float16", "bias": "float16"}, L["fc1"]' "$TMP/out"

if ! python_or_skip "Apple's rules on changed copies"; then
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

def layers(m):
    net = m.neuralNetwork if m.HasField("neuralNetwork") else m.neuralNetworkClassifier
    return {l.name: l for l in net.layers}

def case(base, name, fn):
    m = load(base)
    fn(m)
    save(m, name)

# 1. weights and bias in one precision
def bias32(m):
    ip = layers(m)["fc1"].innerProduct
    n = len(ip.bias.float16Value) // 2
    ip.bias.ClearField("float16Value")
    ip.bias.floatValue.extend([0.0] * n)
case("nn.mlmodel", "bias32", bias32)
def convhalf(m):
    c = layers(m)["conv1"].convolution
    n = len(c.weights.floatValue)
    c.weights.ClearField("floatValue")
    c.weights.float16Value = b"\0\0" * n
case("nn.mlmodel", "convhalf", convhalf)
def nobias(m):
    bias32(m)
    layers(m)["fc1"].innerProduct.hasBias = False
case("nn.mlmodel", "nobias", nobias)

# 2. descriptions
case("nn.mlmodel", "dtype", lambda m: setattr(m.description.input[0].type.multiArrayType, "dataType", 0))
case("nn.mlmodel", "outdtype", lambda m: setattr(m.description.output[0].type.multiArrayType, "dataType", 0))
case("pipe.mlmodel", "pipedtype",
     lambda m: [setattr(f.type.multiArrayType, "dataType", 0) for f in (m.pipeline.models[1].description.input[0], m.pipeline.models[0].description.output[0])])
case("nn.mlmodel", "noshape", lambda m: m.description.input[0].type.multiArrayType.ClearField("shape"))
case("cls.mlmodel", "width0", lambda m: setattr(m.description.input[0].type.imageType, "width", 0))
case("cls.mlmodel", "nocolour", lambda m: setattr(m.description.input[0].type.imageType, "colorSpace", 0))
def badrange(m):
    a = m.description.input[0].type.multiArrayType
    for lo, hi in ((1, 1), (8, 8), (8, 8)):
        r = a.shapeRange.sizeRanges.add()
        r.lowerBound, r.upperBound = lo, hi
case("nn.mlmodel", "badrange", badrange)
def okrange(m):
    a = m.description.input[0].type.multiArrayType
    for lo, hi in ((1, 3), (8, -1), (8, 8)):
        r = a.shapeRange.sizeRanges.add()
        r.lowerBound, r.upperBound = lo, hi
case("nn.mlmodel", "okrange", okrange)
case("pipe.mlmodel", "noname", lambda m: setattr(m.pipeline.models[0].description.input[0], "name", ""))
case("pipe.mlmodel", "nooutputs", lambda m: m.description.ClearField("output"))
def noinputs(m):
    m.pipeline.models[0].description.ClearField("input")
case("pipe.mlmodel", "noinputs", noinputs)
def out_is_input(m):
    m.description.output[0].name = "input"
    m.description.output[0].type.CopyFrom(m.description.input[0].type)
case("nn.mlmodel", "outisinput", out_is_input)
case("cls.mlmodel", "probsdouble", lambda m: m.description.output[1].type.doubleType.SetInParent())
case("cls.mlmodel", "nopredicted", lambda m: setattr(m.description, "predictedFeatureName", ""))
case("cls.mlmodel", "problayer", lambda m: setattr(m.neuralNetworkClassifier, "labelProbabilityLayerName", "nope"))
def dupdefault(m):
    m.description.defaultFunctionName = "nope"
    m.SerializeToString()
m = pb.Model()
m.ParseFromString(open(os.path.join(D, "multi.mlpackage/Data/com.apple.CoreML/model.mlmodel"), "rb").read())
m.description.defaultFunctionName = "nope"
save(m, "defaultfn")
case("nn.mlmodel", "spec11", lambda m: setattr(m, "specificationVersion", 11))
case("pipe.mlmodel", "pipefp16", lambda m: [setattr(f.type.multiArrayType, "dataType", 65552) for f in (m.description.input[0], m.pipeline.models[0].description.input[0])])

# 3. layers
case("nn.mlmodel", "dupblob", lambda m: layers(m)["relu1"].output.__setitem__(0, "conv1_output"))
case("nn.mlmodel", "inplace", lambda m: [layers(m)["relu1"].output.__setitem__(0, "bn1_output"), layers(m)["flatten1"].input.__setitem__(0, "bn1_output")])
case("nn.mlmodel", "noinput", lambda m: layers(m)["conv1"].ClearField("input"))
case("nn.mlmodel", "notype", lambda m: layers(m)["relu1"].ClearField("activation"))

case("nn.mlmodel", "rank5", lambda m: setattr(m.neuralNetwork.layers.add(), "name", "e") or [m.neuralNetwork.layers[-1].input.append("output"), m.neuralNetwork.layers[-1].output.append("e_out"), m.neuralNetwork.layers[-1].erf.SetInParent()])
def imagein(m):
    l = m.neuralNetworkClassifier.layers.add()
    l.name, l.input[:], l.output[:] = "e", ["fc1_output"], ["e_out"]
    l.erf.SetInParent()
case("cls.mlmodel", "imagein", imagein)
case("nn.mlmodel", "int8dq", lambda m: setattr(layers(m)["fc1"].innerProduct, "int8DynamicQuantize", True))

# optional features
case("nn.mlmodel", "allopt", lambda m: setattr(m.description.input[0].type, "isOptional", True))
case("pipe.mlmodel", "optscaler", lambda m: [setattr(f.type, "isOptional", True) for f in (m.description.input[0], m.pipeline.models[0].description.input[0])])
def optdefault(m):
    m.specificationVersion = 5
    t = m.description.input[0].type
    t.isOptional = True
    t.multiArrayType.floatDefaultValue = 0.5
    f = m.description.input.add()
    f.name = "other"
    f.type.multiArrayType.shape.append(1)
    f.type.multiArrayType.dataType = 65600
case("nn.mlmodel", "optdefault", optdefault)
case("nn.mlmodel", "optout", lambda m: setattr(m.description.output[0].type, "isOptional", True))

def scaler2(m):
    d = m.pipeline.models[0].description
    o = d.output.add()
    o.CopyFrom(d.output[0])
    o.name = "x_scaled2"
case("pipe.mlmodel", "scaler2", scaler2)
m = pb.Model()
m.ParseFromString(open(os.path.join(D, "multi.mlpackage/Data/com.apple.CoreML/model.mlmodel"), "rb").read())
for fn in m.description.functions:
    for f in fn.input:
        f.type.isOptional = True
import shutil
shutil.copytree(os.path.join(D, "multi.mlpackage"), os.path.join(D, "fnopt.mlpackage"))
open(os.path.join(D, "fnopt.mlpackage/Data/com.apple.CoreML/model.mlmodel"), "wb").write(m.SerializeToString())

# 4. pipelines
case("pipe.mlmodel", "pipetype", lambda m: m.pipeline.models[1].description.input[0].type.multiArrayType.shape.__setitem__(0, 4))
case("pipe.mlmodel", "pipeout", lambda m: m.description.output[0].type.stringType.SetInParent())

# 5. updatable models
case("nn.mlmodel", "updnn", lambda m: setattr(m, "isUpdatable", True))
case("pipe.mlmodel", "updpipe", lambda m: setattr(m, "isUpdatable", True))

# 6. k-nearest neighbours: an updatable classifier with no examples yet
def knn(default, labels):
    m = pb.Model()
    m.specificationVersion = 4
    m.isUpdatable = True
    f = m.description.input.add()
    f.name = "x"
    f.type.multiArrayType.shape.append(3)
    f.type.multiArrayType.dataType = 65568
    for n, t in (("label", "stringType"), ("labelProbs", None)):
        o = m.description.output.add()
        o.name = n
        if t:
            getattr(o.type, t).SetInParent()
        else:
            o.type.dictionaryType.stringKeyType.SetInParent()
    m.description.predictedFeatureName = "label"
    m.description.predictedProbabilitiesName = "labelProbs"
    t = m.description.trainingInput.add()
    t.CopyFrom(m.description.input[0])
    t = m.description.trainingInput.add()
    t.name = "label"
    t.type.stringType.SetInParent()
    k = m.kNearestNeighborsClassifier
    k.nearestNeighborsIndex.numberOfDimensions = 3
    k.nearestNeighborsIndex.linearIndex.SetInParent()
    k.nearestNeighborsIndex.squaredEuclideanDistance.SetInParent()
    k.numberOfNeighbors.defaultValue = 3
    k.numberOfNeighbors.range.minValue = 1
    k.numberOfNeighbors.range.maxValue = 10
    k.uniformWeighting.SetInParent()
    if default:
        k.defaultStringLabel = "unknown"
    if labels:
        k.nearestNeighborsIndex.floatSamples.add().vector.extend([1, 2, 3])
        k.stringClassLabels.vector.append("a")
    return m
save(knn(True, False), "knndefault")

# 7. vision feature prints: a scene print, an object print naming one output
def vfp(objects):
    m = pb.Model()
    m.specificationVersion = 5
    f = m.description.input.add()
    f.name = "image"
    f.type.imageType.width = f.type.imageType.height = 299
    f.type.imageType.colorSpace = 20
    o = m.description.output.add()
    o.name = "features"
    o.type.multiArrayType.dataType = 65600
    if objects:
        m.visionFeaturePrint.objects.version = 1
        m.visionFeaturePrint.objects.output.append("features")
    else:
        m.visionFeaturePrint.scene.version = 1
    return m
save(vfp(False), "scene")
save(vfp(True), "objects1")
save(knn(False, False), "knnnothing")
save(knn(True, True), "knnfull")
def knncase(name, fn):
    m = knn(True, True)
    fn(m.kNearestNeighborsClassifier)
    save(m, name)
knncase("knnnoweight", lambda k: k.ClearField("uniformWeighting"))
knncase("knnk0", lambda k: setattr(k.numberOfNeighbors, "defaultValue", 0))
knncase("knnrange", lambda k: setattr(k.numberOfNeighbors, "defaultValue", 11))
knncase("knntypes", lambda k: setattr(k, "defaultInt64Label", 7))
knncase("knncount", lambda k: k.stringClassLabels.vector.append("b"))
knncase("knnshort", lambda k: k.nearestNeighborsIndex.floatSamples[0].vector.pop())
knncase("knnleaf", lambda k: k.nearestNeighborsIndex.singleKdTreeIndex.SetInParent())
knncase("knnnodist", lambda k: k.nearestNeighborsIndex.ClearField("squaredEuclideanDistance"))
PY

# refused: NAME "WHAT" 'message pattern'
[ -n "$KEEP_CASES" ] && cp "$TMP"/*.mlmodel "$KEEP_CASES"/ 2>/dev/null
refused() {
	expect_exit 1 "$2: refused (exit 1)" "$MLPKG" check "$TMP/$1.mlmodel"
	check "... $3" grep -q -- "$3" "$TMP/out"
}
accepted() {
	f=$TMP/$1.mlmodel
	[ -d "$TMP/$1.mlpackage" ] && f=$TMP/$1.mlpackage
	expect_exit 0 "$2: accepted" "$MLPKG" check "$f"
}
refused bias32 "float16 innerProduct weights with a float32 bias" 'layers\[name="fc1"\].innerProduct: float16 weights with a float32 bias'
refused convhalf "float16 convolution weights with a float32 bias" 'convolution: float16 weights with a float32 bias'
accepted nobias "the same without hasBias"
refused dtype "a multi-array input without a data type" "description.input\[0\]: multi-array 'input' has no data type"
refused outdtype "a multi-array output without a data type" "description.output\[0\]: multi-array 'output' has no data type"
refused pipedtype "a pipeline member's multi-arrays without a data type" "pipeline.models\[1\].description.input\[0\]: multi-array 'x_scaled' has no data type"
refused noshape "a multi-array input without a shape" "multi-array input 'input' has no shape"
refused width0 "an image of width 0" "image 'image' has no width (0)"
refused nocolour "an image without a colour space" "image 'image' has no colour space"
refused badrange "a shape range that leaves out the shape" "its shape lies outside its shape range (dimension 0)"
accepted okrange "a shape range holding the shape (unbounded above too)"
refused noname "a feature without a name" "input 0 has no name"
refused nooutputs "a model without outputs" "description: no outputs"
refused noinputs "a scaler without inputs" "no inputs: a scaler needs at least one"
refused outisinput "an output that is the network's input, no layer's" "output 'input' is not produced by any layer"
refused probsdouble "a classifier's probabilities as a double" "the probabilities 'classLabelProbs' are neither"
refused nopredicted "a classifier without predictedFeatureName" "a classifier without predictedFeatureName"
refused problayer "labelProbabilityLayerName naming no layer's output" "labelProbabilityLayerName: the probabilities come from 'nope'"
refused defaultfn "a default function that is not one" "the default function 'nope' is not one of the functions"
refused spec11 "specification version 11" "specification version 11 is newer than any known release"
refused pipefp16 "a pipeline of version 1 with a float16 input" "'x' is a float16 multi-array, which needs specification version 7 (this model has 1)"
refused dupblob "two layers making one blob" "relu1\"\]: output 'conv1_output' is made a second time"
refused inplace "a layer writing its own input" "output 'bn1_output' is also its input"
refused noinput "a convolution without inputs" "a convolution layer without inputs"
refused notype "a layer without a type" "relu1\"\]: a layer without a kind"
refused pipetype "a pipeline member expecting another shape" "pipeline.models\[1\]: input 'x_scaled' is double\[4\], but what the pipeline hands it is double\[3\]"
refused pipeout "a pipeline output of another type" "output 'y' is string, but the pipeline makes it double"
refused rank5 "a layer newer than iOS 12 with RANK5_ARRAY_MAPPING" "arrayInputShapeMapping: RANK5_ARRAY_MAPPING with multi-array inputs and layers newer than iOS 12"
accepted imagein "a layer newer than iOS 12 in a network whose only input is an image"
refused int8dq "int8DynamicQuantize with float16 weights" "int8DynamicQuantize with float16 weights"
refused allopt "a network whose every input is optional" "every input is optional"
refused optscaler "an optional input to a scaler" "pipeline.models\\[0\\].description.input\\[0\\]: input 'x' is optional, which a scaler does not allow"
refused optdefault "a float default value for a double multi-array" "input 'input': a float default value for a double multi-array"
refused optout "an optional output" "output 'output' is optional"
refused scaler2 "a scaler with two outputs" "pipeline.models\\[0\\].description: 2 outputs: a scaler gives 1"
accepted fnopt "functions whose inputs are all optional (Core ML looks at the model's own inputs only)"
refused updnn "an updatable network without updatable layers or settings" "an updatable network with no updatable layer"
check "... and without updateParams" grep -q "without updateParams" "$TMP/out"
refused updpipe "an updatable pipeline of version 1" "needs specification version 4 (this one has 1)"
check "... whose last member is not updatable" grep -q "its last model, and only that, must be updatable" "$TMP/out"
accepted scene "a scene print"
refused objects1 "an object print naming one output" "visionFeaturePrint: an object print naming 1 output: it gives two"
accepted knndefault "an updatable k-NN classifier with a default label and no examples yet"
accepted knnfull "a k-NN classifier with one example and its label"
refused knnnoweight "a k-NN classifier without a weighting scheme" "no weighting scheme"
refused knnk0 "a k-NN classifier with 0 neighbours" "numberOfNeighbors: a default of 0, not a positive number"
refused knnrange "a k-NN classifier's neighbours outside their range" "numberOfNeighbors: the default 11 is not in the allowed range 1..10"
refused knntypes "a k-NN classifier's default label of another type" "the default label and the class labels are of different types"
refused knncount "a k-NN classifier with two labels and one example" "1 example for 2 class labels"
refused knnshort "a k-NN example shorter than the index's dimensions" "example 0 has 2 values, the index 3 dimensions"
refused knnleaf "a k-d tree index of leaf size 0" "a k-d tree index whose leaf size is not positive"
refused knnnodist "a k-NN index without a distance" "the index has no distance function"
refused knnnothing "a k-NN classifier with neither labels nor a default label" "without class labels or a default label"
done_testing
