#!/bin/sh
# t-check: mlpkg check on the examples, every fixture (the clean ones pass,
# the odd ones report their oddity), and copies broken on purpose.
. "${top_srcdir:-.}/tests/lib.sh"

# poke FILE OFFSET BYTES: overwrite bytes (printf escapes) at OFFSET
poke() { printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null; }
valid_json() { "$PYTHON3" -c 'import json,sys; json.load(open(sys.argv[1]))' "$1"; }

for k in nn:TinyNet.mlmodel nnclassifier:Classifier.mlmodel pipeline:Pipeline.mlmodel segmentation:DeepLab.mlpackage multifunction:Multi.mlpackage; do
	kind=${k%%:*} name=${k#*:}
	"$MKMODEL" "$kind" "$TMP/$name" >/dev/null 2>&1 || not_ok "mkmodel $kind"
	expect_exit 0 "example $name: check passes" "$MLPKG" check "$TMP/$name"
	check "example $name: says ok" grep -q ': ok$' "$TMP/out"
	expect_exit 0 "example $name: check --json" "$MLPKG" check --json "$TMP/$name"
	check "example $name: --json is JSON with ok true" sh -c "valid_json() { :; }; grep -q '\"ok\": true' '$TMP/out'"
	check "example $name: --json parses" valid_json "$TMP/out"
done
run "$MLPKG" pack -o "$TMP/DeepLab.zip" "$TMP/DeepLab.mlpackage"
expect_exit 0 "a zipped package checks too" "$MLPKG" check "$TMP/DeepLab.zip"

# broken on purpose: one wrong byte in the first blob's sentinel
copy_fixture "$TMP/DeepLab.mlpackage" Sentinel.mlpackage
poke "$TMP/Sentinel.mlpackage/Data/com.apple.CoreML/weights/weight.bin" 64 '\000'
expect_exit 1 "a wrong sentinel byte: exit 1" "$MLPKG" check "$TMP/Sentinel.mlpackage"
check "... reported with the file and offset" grep -q 'error: Data/com.apple.CoreML/weights/weight.bin@64: blob 0: sentinel' "$TMP/out"
check "... the references to it too" grep -q "where no blob record starts" "$TMP/out"
# a blob's data type that does not match its declared dtype (fp16 -> fp32)
copy_fixture "$TMP/DeepLab.mlpackage" Dtype.mlpackage
poke "$TMP/Dtype.mlpackage/Data/com.apple.CoreML/weights/weight.bin" 68 '\002'
expect_exit 1 "a blob of the wrong data type: exit 1" "$MLPKG" check "$TMP/Dtype.mlpackage"
check "... names the op and both types" grep -q "operations\[2\]: 'val' is declared fp16, its blob at 64 holds fp32" "$TMP/out"
# a wrong weight.bin version
copy_fixture "$TMP/DeepLab.mlpackage" Version.mlpackage
poke "$TMP/Version.mlpackage/Data/com.apple.CoreML/weights/weight.bin" 4 '\003'
expect_exit 1 "weight.bin version 3: exit 1" "$MLPKG" check "$TMP/Version.mlpackage"
check "... reported" grep -q 'header: version 3, not 2' "$TMP/out"
# the weight file missing
copy_fixture "$TMP/DeepLab.mlpackage" NoWeights.mlpackage
rm "$TMP/NoWeights.mlpackage/Data/com.apple.CoreML/weights/weight.bin"
expect_exit 1 "a missing weight file: exit 1" "$MLPKG" check "$TMP/NoWeights.mlpackage"
check "... reported" grep -q 'weight.bin: the weight file the spec names is missing' "$TMP/out"
# the weights folder gone: the zip reports what the folder does, line for
# line (a zip need not hold folder entries: one without them, made by zip -D,
# is not missing its folders)
copy_fixture "$TMP/DeepLab.mlpackage" NoDir.mlpackage
rm -r "$TMP/NoDir.mlpackage/Data/com.apple.CoreML/weights"
expect_exit 1 "the weights folder missing: exit 1" "$MLPKG" check "$TMP/NoDir.mlpackage"
sed 's/^[^:]*: //' "$TMP/out" >"$TMP/nodir.folder"
check "... the manifest item and the weight file reported" sh -c "grep -q \"'Data/com.apple.CoreML/weights' is missing from the package\" '$TMP/nodir.folder' && grep -q 'weight file the spec names is missing' '$TMP/nodir.folder'"
run "$MLPKG" pack -o "$TMP/NoDir.zip" "$TMP/NoDir.mlpackage"
expect_exit 1 "... zipped: exit 1" "$MLPKG" check "$TMP/NoDir.zip"
sed 's/^[^:]*: //' "$TMP/out" >"$TMP/nodir.zip.out"
check "... the same items as the folder" cmp -s "$TMP/nodir.folder" "$TMP/nodir.zip.out"
if command -v zip >/dev/null; then
	(cd "$TMP" && rm -f nofolders.zip && zip -qrD nofolders.zip DeepLab.mlpackage)
	expect_exit 0 "a zip without folder entries: its folders are there" "$MLPKG" check "$TMP/nofolders.zip"
else
	skip "zip not installed: a zip without folder entries"
fi
# a manifest entry pointing outside: refused as not a valid package
copy_fixture "$TMP/DeepLab.mlpackage" Outside.mlpackage
sed 's|"com.apple.CoreML/weights"|"../../../etc"|' "$TMP/DeepLab.mlpackage/Manifest.json" >"$TMP/Outside.mlpackage/Manifest.json"
expect_exit 4 "a manifest entry leading outside: exit 4" "$MLPKG" check "$TMP/Outside.mlpackage"
check "... one line naming the entry" sh -c "one_line_error() { :; }; grep -q 'etc' '$TMP/err' && [ \$(wc -l < '$TMP/err') -eq 1 ]"
# a manifest entry whose file is missing
copy_fixture "$TMP/DeepLab.mlpackage" Missing.mlpackage
sed 's|"com.apple.CoreML/weights"|"com.apple.CoreML/gone"|' "$TMP/DeepLab.mlpackage/Manifest.json" >"$TMP/Missing.mlpackage/Manifest.json"
expect_exit 1 "a manifest entry whose file is missing: exit 1" "$MLPKG" check "$TMP/Missing.mlpackage"
check "... reported on the entry" grep -q "itemInfoEntries\[\"5E9A4F06-3C2D-4B71-A8E5-D0F1B2C3A4E7\"\]: 'Data/com.apple.CoreML/gone' is missing" "$TMP/out"
# a link leading outside the package
copy_fixture "$TMP/DeepLab.mlpackage" Link.mlpackage
ln -s /etc "$TMP/Link.mlpackage/Data/escape"
expect_exit 1 "a link leading outside: exit 1" "$MLPKG" check "$TMP/Link.mlpackage"
check "... reported" grep -q 'Data/escape: a link leading outside the package' "$TMP/out"
# a dangling layer input: relu1 reads bn1_output; make it bnX_output
cp "$TMP/TinyNet.mlmodel" "$TMP/Dangling.mlmodel"
off=$(grep -boa 'bn1_output' "$TMP/Dangling.mlmodel" | sed -n 2p | cut -d: -f1)
poke "$TMP/Dangling.mlmodel" $((off + 2)) X
expect_exit 1 "a dangling layer input: exit 1" "$MLPKG" check "$TMP/Dangling.mlmodel"
check "... names the layer and the input" grep -q "neuralNetwork.layers\[name=\"relu1\"\]: input 'bnX_output' is neither a model input nor an output of an earlier layer" "$TMP/out"
check "... and the layer output nobody reads any more is not an error" sh -c "! grep -q 'bn1_output' '$TMP/out'"
run "$MLPKG" check --json "$TMP/Dangling.mlmodel"
check "... --json lists it with level and path" sh -c "grep -q '\"level\": \"error\"' '$TMP/out' && grep -q '\"path\": \"neuralNetwork.layers\[name=\\\\\"relu1\\\\\"\]\"' '$TMP/out'"
check "... --json parses" valid_json "$TMP/out"
# an ML program op reading a name defined nowhere: cast_1 reads image; rename it in the op only
copy_fixture "$TMP/DeepLab.mlpackage" Undefined.mlpackage
spec="$TMP/Undefined.mlpackage/Data/com.apple.CoreML/model.mlmodel"
off=$(grep -boa 'image_to_fp16' "$spec" | sed -n 3p | cut -d: -f1)
poke "$spec" "$off" J
expect_exit 1 "an op input defined nowhere: exit 1" "$MLPKG" check "$spec"
check "... reported on the op" grep -q "defined neither before nor as a function input" "$TMP/out"
# unknown field: a warning, still exit 0
cp "$TMP/TinyNet.mlmodel" "$TMP/Unknown.mlmodel"
printf '\270\076\001' >>"$TMP/Unknown.mlmodel"
expect_exit 0 "an unknown field: a warning, exit 0" "$MLPKG" check "$TMP/Unknown.mlmodel"
check "... reported" grep -q 'warning: (root): field 999 (wire type 0) is unknown to the schema' "$TMP/out"
# control flow: the networks inside branch and loop layers are followed
if have_python; then
	pyscript "$TMP" <<'PY'
import os, sys
from pydecode import load_schema
pb = load_schema()

def model(variant):
    m = pb.Model()
    m.specificationVersion = 4
    for name, coll in (("x", m.description.input), ("y", m.description.output)):
        f = coll.add()
        f.name = name
        f.type.multiArrayType.shape.append(4)
        f.type.multiArrayType.dataType = 65568
    nn = m.neuralNetwork
    nn.arrayInputShapeMapping = 1  # branch and loop came with iOS 13: Core ML wants EXACT_ARRAY_MAPPING

    def layer(net, name, ins, outs, kind="relu"):
        l = net.layers.add()
        l.name = name
        l.input.extend(ins)
        l.output.extend(outs)
        if kind == "relu":
            l.activation.ReLU.SetInParent()
        elif kind == "copy":
            l.copy.SetInParent()
        return l
    layer(nn, "c", ["x"], ["cond"])
    br = nn.layers.add()
    br.name = "br"
    br.input.append("cond")
    layer(br.branch.ifBranch, "t", ["nothere" if variant == "if-reads-nothing" else "x"], ["z"])
    layer(br.branch.elseBranch, "e", ["x"], ["z"])
    if variant == "else-only":
        layer(br.branch.elseBranch, "e2", ["x"], ["only_else"])
        layer(br.branch.ifBranch, "t2", ["only_else"], ["w"])
    if variant == "dup-name":
        layer(br.branch.elseBranch, "e", ["z"], ["z3"])
    lp = nn.layers.add()
    lp.name = "lp"
    lp.loop.maxLoopIterations = 3
    if variant == "no-condition":
        lp.loop.conditionVar = "nope"
    else:
        lp.loop.conditionVar = "go"
        layer(lp.loop.conditionNetwork, "cn", ["z"], ["go"])
    layer(lp.loop.bodyNetwork, "bd", ["z"], ["z2"])
    layer(lp.loop.bodyNetwork, "cp", ["z2"], ["z"], "copy")
    layer(nn, "out", ["z2" if variant == "after-loop" else "z"], ["y"])
    return m

for v in ("ok", "if-reads-nothing", "else-only", "dup-name", "no-condition", "after-loop"):
    open(os.path.join(sys.argv[1], "control-%s.mlmodel" % v), "wb").write(model(v).SerializeToString())
PY
	expect_exit 0 "branch and loop layers: a valid network passes" "$MLPKG" check "$TMP/control-ok.mlmodel"
	check "... with no warning (the blobs made inside them are seen after them)" grep -q ': ok$' "$TMP/out"
	expect_exit 1 "a layer inside a branch reading a blob made nowhere: exit 1" "$MLPKG" check "$TMP/control-if-reads-nothing.mlmodel"
	check "... named by its path inside the branch" grep -q "error: neuralNetwork.layers\[name=\"br\"\].branch.ifBranch.layers\[name=\"t\"\]: input 'nothere' is neither" "$TMP/out"
	expect_exit 1 "the if branch reading what only the else branch makes: exit 1" "$MLPKG" check "$TMP/control-else-only.mlmodel"
	check "... reported on the if branch's layer" grep -q "ifBranch.layers\[name=\"t2\"\]: input 'only_else'" "$TMP/out"
	expect_exit 0 "two layers of one branch with one name: Core ML accepts it, a warning" "$MLPKG" check "$TMP/control-dup-name.mlmodel"
	check "... reported" grep -q "warning: neuralNetwork.layers\[name=\"br\"\].branch.elseBranch.layers\[name=\"e\"\]: the layer name 'e' is used by an earlier layer" "$TMP/out"
	expect_exit 1 "a loop condition made by nothing: exit 1" "$MLPKG" check "$TMP/control-no-condition.mlmodel"
	check "... reported on the loop" grep -q "neuralNetwork.layers\[name=\"lp\"\]: the loop's condition 'nope'" "$TMP/out"
	expect_exit 0 "a blob a loop body makes is seen after the loop" "$MLPKG" check "$TMP/control-after-loop.mlmodel"
	check "... no error, no warning about it" sh -c "! grep -q \"'z2'\" '$TMP/out'"
	# what Core ML's validator asks of each layer: mutations of generated
	# networks it refuses (each found refused by Apple's validator), one
	# error each; the networks themselves pass
	"$MKMODEL" nn "$TMP/mut-base.mlmodel" >/dev/null 2>&1 || not_ok "mkmodel nn"
	"$MKMODEL" mobilenet "$TMP/mut-mob.mlmodel" >/dev/null 2>&1 || not_ok "mkmodel mobilenet"
	pyscript "$TMP" <<'PY'
import os, sys
from pydecode import load_schema
pb = load_schema()
d = sys.argv[1]
def load(name):
    m = pb.Model()
    m.ParseFromString(open(os.path.join(d, name), "rb").read())
    return m
def save(m, name):
    open(os.path.join(d, "mut-%s.mlmodel" % name), "wb").write(m.SerializeToString())
def nn(name, fn, base="mut-base.mlmodel"):
    m = load(base)
    fn(m, {l.name: l for l in m.neuralNetwork.layers})
    save(m, name)
def add(m, name, ins, outs):
    l = m.neuralNetwork.layers.add()
    l.name = name
    l.input.extend(ins)
    l.output.extend(outs)
    return l
def shape(m, *dims):
    s = m.description.input[0].type.multiArrayType.shape
    del s[:]
    s.extend(dims)
nn("in-rank4", lambda m, L: shape(m, 1, 3, 8, 8))
nn("in-rank2", lambda m, L: shape(m, 3, 64))
nn("exact-rank3", lambda m, L: setattr(m.neuralNetwork, "arrayInputShapeMapping", 1))
nn("mapping-99", lambda m, L: setattr(m.neuralNetwork, "arrayInputShapeMapping", 99))
nn("conv-no-padding", lambda m, L: L["conv1"].convolution.ClearField("same"))
nn("conv-no-weights", lambda m, L: L["conv1"].convolution.ClearField("weights"))
nn("conv-kernel-0", lambda m, L: L["conv1"].convolution.kernelSize.__setitem__(slice(None), [0, 0]))
nn("conv-two-outputs", lambda m, L: L["conv1"].output.append("extra"))
def two_encodings(m, L):
    w = L["conv1"].convolution.weights
    w.float16Value = b"\0\0" * len(w.floatValue)
nn("conv-two-encodings", two_encodings)
nn("fc-in-0", lambda m, L: setattr(L["fc1"].innerProduct, "inputChannels", 0))
nn("fc-two-inputs", lambda m, L: L["fc1"].input.append("input"))
def bn_no_stats(m, L):
    L["bn1"].batchnorm.ClearField("mean")
    L["bn1"].batchnorm.ClearField("variance")
nn("bn-no-mean", bn_no_stats)
nn("relu-no-function", lambda m, L: L["relu1"].activation.ClearField("ReLU"))
nn("softmax-two-inputs", lambda m, L: L["softmax"].input.append("fc1_output"))
def mutate_tail(kind):
    def fn(m, L):
        l = add(m, "mut_" + kind, ["relu1_output"], ["mut_out"])
        if kind == "reshape":
            l.reshape.targetShape.extend([256, 1])
        elif kind == "permute":
            l.permute.axis.extend([0, 2, 1])
        elif kind == "padding":
            l.padding.constant.SetInParent()
            for _ in range(3):
                l.padding.paddingAmounts.borderAmounts.add()
        elif kind == "padding-type":
            l.padding.paddingAmounts.SetInParent()
        elif kind == "pooling":
            l.pooling.kernelSize.extend([2, 2])
            l.pooling.stride.extend([2, 2])
        elif kind == "upsample":
            l.upsample.scalingFactor.extend([2])
        elif kind == "crop":
            l.crop.offset.extend([1, 1])
        elif kind == "slice":
            l.slice.startIndex, l.slice.endIndex, l.slice.stride = 3, 1, 1
        elif kind == "slice-stride":
            l.slice.startIndex, l.slice.endIndex, l.slice.stride = 0, 2, 0
        elif kind == "reorganize":
            l.reorganizeData.blockSize = 0
        elif kind == "lrn":
            l.lrn.alpha, l.lrn.beta, l.lrn.localSize, l.lrn.k = 1e-4, 0.75, 3, -1
        elif kind == "concat":
            l.concat.SetInParent()
        elif kind == "split":
            l.split.nOutputs = 1
        elif kind == "bias":
            l.bias.shape.extend([2, 2, 2, 2])
            l.bias.bias.floatValue.extend([0.0] * 16)
        elif kind == "const":
            del l.input[:]
            l.loadConstant.shape.extend([1, 2])
            l.loadConstant.data.floatValue.extend([0.0, 0.0])
    return fn
for k in ("reshape", "permute", "padding", "padding-type", "pooling", "upsample", "crop", "slice",
          "slice-stride", "reorganize", "lrn", "concat", "split", "bias", "const"):
    nn("layer-" + k, mutate_tail(k))
def no_layers(m, L):
    del m.neuralNetwork.layers[:]
nn("no-layers", no_layers)
def no_outputs(m, L):
    del L["softmax"].output[:]
nn("layer-no-outputs", no_outputs)
# N-dimensional networks' ranks, updatable networks' rules
def layers(m):
    return {l.name: l for l in m.neuralNetwork.layers}
def nd_ok(m):
    m.neuralNetwork.imageInputShapeMapping = 1
    s = m.description.output[0].type.multiArrayType.shape
    del s[:]
    s.extend([1000, 1, 1])
def updatable(m):
    m.specificationVersion = max(m.specificationVersion, 4)
    m.isUpdatable = True
    L = layers(m)
    L["fc1"].isUpdatable = True
    L["fc1"].innerProduct.weights.isUpdatable = True
    L["fc1"].innerProduct.bias.isUpdatable = True
    up = m.neuralNetwork.updateParams
    loss = up.lossLayers.add()
    loss.name = "loss"
    loss.categoricalCrossEntropyLossLayer.input = "output"
    loss.categoricalCrossEntropyLossLayer.target = "target"
    up.optimizer.sgdOptimizer.learningRate.defaultValue = 0.01
    up.optimizer.sgdOptimizer.learningRate.range.minValue = 0
    up.optimizer.sgdOptimizer.learningRate.range.maxValue = 1
    up.optimizer.sgdOptimizer.miniBatchSize.defaultValue = 8
    up.optimizer.sgdOptimizer.miniBatchSize.set.values.append(8)
    up.epochs.defaultValue = 2
    up.epochs.set.values.append(2)
    t = m.description.trainingInput.add()
    t.CopyFrom(m.description.input[0])
    t = m.description.trainingInput.add()
    t.name = "target"
    t.type.int64Type.SetInParent()
def mob(name, fn):
    m = load("mut-mob.mlmodel"); fn(m, layers(m)); save(m, name)
def tin(name, fn):
    m = load("mut-base.mlmodel"); updatable(m); fn(m, layers(m)); save(m, name)
def tensor(field, rank):
    t = field.add(); t.rank = rank
mob("nd-softmax-rank1", lambda m, L: setattr(m.neuralNetwork, "imageInputShapeMapping", 1))
mob("nd-new-layer", lambda m, L: add(m, "g", ["fc"], ["gout"]).gelu.SetInParent())
mob("nd-ok", lambda m, L: nd_ok(m))
def tr(m, L):
    nd_ok(m); tensor(L["fc10"].outputTensor, 3); tensor(L["prob"].inputTensor, 4)
mob("nd-tensor-rank", tr)
def ipr(m, L):
    nd_ok(m); tensor(L["fc10"].inputTensor, 3); tensor(L["fc10"].outputTensor, 4)
mob("nd-ip-ranks", ipr)
tin("upd-ok", lambda m, L: None)
tin("upd-weights-not-marked", lambda m, L: setattr(L["fc1"].innerProduct.weights, "isUpdatable", False))
tin("upd-bias-not-marked", lambda m, L: setattr(L["fc1"].innerProduct.bias, "isUpdatable", False))
tin("upd-relu", lambda m, L: setattr(L["relu1"], "isUpdatable", True))
tin("upd-no-epochs", lambda m, L: m.neuralNetwork.updateParams.ClearField("epochs"))
tin("upd-adam-no-beta", lambda m, L: (m.neuralNetwork.updateParams.optimizer.adamOptimizer.learningRate.SetInParent(), m.neuralNetwork.updateParams.optimizer.adamOptimizer.miniBatchSize.SetInParent()))
tin("upd-no-optimizer", lambda m, L: m.neuralNetwork.updateParams.ClearField("optimizer"))
tin("upd-loss-not-softmax", lambda m, L: setattr(m.neuralNetwork.updateParams.lossLayers[0].categoricalCrossEntropyLossLayer, "input", "fc1_output"))
tin("upd-target-made", lambda m, L: setattr(m.neuralNetwork.updateParams.lossLayers[0].categoricalCrossEntropyLossLayer, "target", "bn1_output"))
tin("upd-loss-name", lambda m, L: setattr(m.neuralNetwork.updateParams.lossLayers[0], "name", "conv1"))
tin("upd-two-losses", lambda m, L: m.neuralNetwork.updateParams.lossLayers.add().CopyFrom(m.neuralNetwork.updateParams.lossLayers[0]))
tin("upd-one-training-input", lambda m, L: m.description.trainingInput.pop())
tin("upd-no-model-input", lambda m, L: setattr(m.description.trainingInput[0], "name", "other"))
tin("upd-no-target", lambda m, L: setattr(m.description.trainingInput[1], "name", "label"))
tin("upd-quantized", lambda m, L: setattr(L["fc1"].innerProduct.weights.quantization, "numberOfBits", 8))
PY
	expect_exit 0 "the networks mutated below pass as they are" "$MLPKG" check "$TMP/mut-base.mlmodel" "$TMP/mut-mob.mlmodel"
	while IFS='|' read -r name want; do
		[ -n "$name" ] || continue
		expect_exit 1 "Core ML refuses $name: so does check" "$MLPKG" check "$TMP/mut-$name.mlmodel"
		check "... saying: $want" grep -q -- "$want" "$TMP/out"
	done <<'EOT'
in-rank4|a multi-array input of rank 4: with RANK5_ARRAY_MAPPING Core ML takes rank 1
in-rank2|a multi-array input of rank 2
exact-rank3|a convolution layer whose input has rank 3: Core ML takes rank 4 or more
mapping-99|a convolution layer whose input has rank 3: Core ML takes rank 4 or more
conv-no-padding|a convolution: its padding type is not set
conv-no-weights|a convolution without weights
conv-kernel-0|leaves room for none
conv-two-outputs|a convolution layer with 2 outputs: Core ML takes exactly one
conv-two-encodings|its weights holds values in 2 encodings at once
fc-in-0|leaves room for none
fc-two-inputs|an innerProduct layer with 2 inputs: Core ML takes exactly one
bn-no-mean|a batchnorm layer without its mean and variance
relu-no-function|an activation layer without its function
softmax-two-inputs|a softmax layer with 2 inputs: Core ML takes exactly one
layer-reshape|a reshape to 2 dimensions: Core ML takes 3 or 4
layer-permute|a permute of 3 axes: Core ML takes 4
layer-padding|a padding layer with 3 border amounts
layer-padding-type|a padding layer without its type
layer-pooling|a pooling layer: its padding type is not set
layer-upsample|an upsample with 1 integer and 0 fractional scaling factors
layer-crop|a crop of one input with 0 crop amounts
layer-slice|a slice ending (1) before it starts (3)
layer-slice-stride|a slice of stride 0
layer-reorganize|a block size of 0: Core ML takes 2 or more
layer-lrn|an LRN layer with k = -1
layer-concat|a concat layer with 1 input: Core ML takes two or more
layer-split|a split layer with 1 output: Core ML takes two or more
layer-bias|a bias of 4 dimensions: Core ML takes 1 or 3
layer-const|a constant of 2 dimensions: Core ML takes 3
no-layers|a neural network without layers
layer-no-outputs|a softmax layer without outputs
EOT
	# ranks of N-dimensional networks and the rules of updatable ones: more
	# mutations Apple's validator refuses (each one checked against it), one
	# error each but where two rules meet (made above); the two bases pass
	expect_exit 0 "an N-dimensional network whose declared ranks fit passes" "$MLPKG" check "$TMP/mut-nd-ok.mlmodel"
	expect_exit 0 "an updatable network with all Core ML asks passes" "$MLPKG" check "$TMP/mut-upd-ok.mlmodel"
	while IFS='|' read -r name want; do
		[ -n "$name" ] || continue
		expect_exit 1 "Core ML refuses $name: so does check" "$MLPKG" check "$TMP/mut-$name.mlmodel"
		check "... saying: $want" grep -q -- "$want" "$TMP/out"
	done <<'EOT'
nd-softmax-rank1|neuralNetwork.layers\[name="prob"\]: a softmax layer whose output has rank 1: Core ML takes rank 3 or more
nd-new-layer|a softmax layer whose output has rank 1: Core ML takes rank 3 or more
nd-tensor-rank|input 'fc' declared of rank 4 in inputTensor, but of rank 3 before
nd-ip-ranks|an innerProduct layer whose input has rank 3 and output rank 4: Core ML needs one rank
upd-weights-not-marked|layers\[name="fc1"\]: the updatable layer 'fc1' has weights not marked isUpdatable
upd-bias-not-marked|the updatable layer 'fc1' has a bias not marked isUpdatable
upd-relu|the layer 'relu1' is marked updatable, but Core ML updates convolution and innerProduct layers only
upd-no-epochs|neuralNetwork.updateParams: update parameters without epochs
upd-adam-no-beta|miniBatchSize defaults to 0: Core ML takes a positive value
upd-no-optimizer|no optimizer Core ML knows
upd-loss-not-softmax|a categorical cross-entropy loss whose input 'fc1_output' is not a softmax layer's output
upd-target-made|a loss whose target 'bn1_output' a layer of the network makes
upd-loss-name|the loss layer's name 'conv1' is taken by another layer or loss layer
upd-two-losses|2 loss layers: Core ML trains with one
upd-one-training-input|1 training inputs: an updatable network needs its input and the loss's target
upd-no-model-input|training inputs with none of the model's inputs
upd-no-target|the training inputs leave out the loss's target 'target'
upd-quantized|the updatable layer 'fc1' has quantized weights
EOT
	# ML-program blocks: a nested block sees what came before its op; what it
	# defines stays inside it
	pyscript "$TMP" <<'PY'
import os, sys
from pydecode import load_schema
pb = load_schema()
M = pb.MILSpec if hasattr(pb, "MILSpec") else pb

def tensor(vt):
    vt.tensorType.dataType = 11  # FLOAT32
    vt.tensorType.rank = 1
    vt.tensorType.dimensions.add().constant.size = 4

def op(block, kind, out, **ins):
    o = block.operations.add()
    o.type = kind
    for k, v in ins.items():
        o.inputs[k].arguments.add().name = v
    nv = o.outputs.add()
    nv.name = out
    tensor(nv.type)
    return o

def model(variant):
    m = pb.Model()
    m.specificationVersion = 7
    for name, coll in (("x", m.description.input), ("y", m.description.output)):
        f = coll.add()
        f.name = name
        f.type.multiArrayType.shape.append(4)
        f.type.multiArrayType.dataType = 65568
    fn = m.mlProgram.functions["main"]
    m.mlProgram.version = 1
    fn.opset = "CoreML6"
    i = fn.inputs.add()
    i.name = "x"
    tensor(i.type)
    b = fn.block_specializations["CoreML6"]
    b.outputs.append("y")
    op(b, "relu", "flag", x="x")
    c = op(b, "cond", "z", pred="flag")
    for side, out in (("then", "t_out"), ("else", "e_out")):
        nb = c.blocks.add()
        if variant == "hides" and side == "then":
            bi = nb.inputs.add()
            bi.name = "flag"
            tensor(bi.type)
        op(nb, "relu", out, x="x")
        nb.outputs.append(out)
    op(b, "relu", "y", x="t_out" if variant == "leak" else "z")
    return m

for v in ("ok", "leak", "hides"):
    open(os.path.join(sys.argv[1], "blocks-%s.mlmodel" % v), "wb").write(model(v).SerializeToString())
PY
	expect_exit 0 "ML-program blocks: an op after a cond reads what the cond returns" "$MLPKG" check "$TMP/blocks-ok.mlmodel"
	check "... no problem" grep -q ': ok$' "$TMP/out"
	expect_exit 1 "an op reading a value defined inside an earlier op's block: exit 1" "$MLPKG" check "$TMP/blocks-leak.mlmodel"
	check "... reported on the op, naming the value" grep -q "operations\[2\]: relu 'y': input x refers to 't_out', defined neither before" "$TMP/out"
	expect_exit 1 "a block input hiding a value defined before: exit 1" "$MLPKG" check "$TMP/blocks-hides.mlmodel"
	check "... reported on the block" grep -q "operations\[1\].blocks\[0\]: block input 'flag' hides a value of the same name defined before" "$TMP/out"
	# a pipeline member newer than its pipeline, needing no more than the pipeline says
	pyscript "$TMP" "$TMP/Pipeline.mlmodel" <<'PY'
import sys
from pydecode import load_schema
pb = load_schema()
m = pb.Model()
m.ParseFromString(open(sys.argv[2], "rb").read())
pl = m.pipeline if m.HasField("pipeline") else (m.pipelineClassifier.pipeline if m.HasField("pipelineClassifier") else m.pipelineRegressor.pipeline)
pl.models[0].specificationVersion = m.specificationVersion + 1
open(sys.argv[1] + "/NewerMember.mlmodel", "wb").write(m.SerializeToString())
PY
	expect_exit 0 "a pipeline member declaring a newer version than its pipeline: exit 0" "$MLPKG" check "$TMP/NewerMember.mlmodel"
	check "... a warning on the member" grep -q "warning: pipeline[A-Za-z]*\.*[a-z]*\.models\[0\]\.specificationVersion: specification version [0-9]*, higher than the pipeline's" "$TMP/out"
	# weight fields against the sizes the layer declares
	pyscript "$TMP" "$FIXTURES/fritz-hairseg-small-quant8.mlmodel" <<'PY'
import os, sys
from pydecode import load_schema
pb = load_schema()

def edit(src, out, fn):
    m = pb.Model()
    m.ParseFromString(open(src, "rb").read())
    fn({l.name: l for l in m.neuralNetwork.layers})
    open(out, "wb").write(m.SerializeToString())
t = os.path.join(sys.argv[1], "TinyNet.mlmodel")
edit(t, os.path.join(sys.argv[1], "w-fc.mlmodel"), lambda L: setattr(L["fc1"].innerProduct, "inputChannels", 255))
edit(t, os.path.join(sys.argv[1], "w-conv.mlmodel"), lambda L: L["conv1"].convolution.kernelSize.__setitem__(0, 5))
edit(t, os.path.join(sys.argv[1], "w-bn.mlmodel"), lambda L: setattr(L["bn1"].batchnorm, "channels", 5))
if os.path.exists(sys.argv[2]):
    edit(sys.argv[2], os.path.join(sys.argv[1], "w-quant.mlmodel"), lambda L: setattr(L["conv1"].convolution, "outputChannels", 17))
PY
	expect_exit 1 "innerProduct weights not inputChannels x outputChannels: exit 1" "$MLPKG" check "$TMP/w-fc.mlmodel"
	check "... reported with both counts" grep -q "error: neuralNetwork.layers\[name=\"fc1\"\].innerProduct.weights: 2560 float16 values, but inputChannels 255 x outputChannels 10 needs 2550" "$TMP/out"
	expect_exit 1 "convolution weights not matching the kernel size: exit 1" "$MLPKG" check "$TMP/w-conv.mlmodel"
	check "... reported" grep -q "conv1\"\].convolution.weights: 108 float32 values, but outputChannels 4 x kernelChannels 3 x kernel 5x3 needs 180" "$TMP/out"
	check "... the bias still fits" sh -c "! grep -q 'convolution.bias' '$TMP/out'"
	expect_exit 1 "batchnorm parameters not matching its channels: exit 1" "$MLPKG" check "$TMP/w-bn.mlmodel"
	check "... each of gamma, beta, mean, variance reported" test "$(grep -c 'batchnorm\.[a-z]*: 4 float32 values, but channels 5 needs 5' "$TMP/out")" -eq 4
	if fixtures_or_skip "quantized weights against the layer's size (an edited copy of fritz quant8)"; then
		expect_exit 1 "quantized weights against the layer's size (a real quantized model, edited): exit 1" "$MLPKG" check "$TMP/w-quant.mlmodel"
		check "... compared by bytes" grep -q "conv1\"\].convolution.weights: 432 bytes of 8-bit values, but outputChannels 17 x kernelChannels 3 x kernel 3x3 needs 459 values (459 bytes)" "$TMP/out"
	fi
else
	skip "branch and loop layers: no python3-protobuf or protoc"
fi
expect_exit 2 "an unknown option: exit 2" "$MLPKG" check --frob "$TMP/TinyNet.mlmodel"
expect_exit 3 "a missing model: exit 3" "$MLPKG" check "$TMP/nope.mlmodel"

if fixtures_or_skip "check on every fixture: clean ones pass, odd ones report their oddity, --json parses"; then
	for f in $(fixture_models); do
		b=$(basename "$f")
		case $b in
		catfeeder-yolov8n.mlpackage)
			expect_exit 0 "$b: a pipeline declaring less than its ML program needs passes (exit 0)" "$MLPKG" check "$f"
			check "$b: ... with a warning: version 5 lower than the 7 its ML program needs" grep -q "warning: specificationVersion: specification version 5 is lower than the 7 that opset CoreML6 in pipeline.models\[0\] needs" "$TMP/out"
			check "$b: ... and no error" grep -q ": 0 errors, 1 warning$" "$TMP/out"
			check "$b: the member is not reported a second time" sh -c "! grep -q 'pipeline.models\[0\].specificationVersion' '$TMP/out'" ;;
		s4tf-s4tf_model-notype.mlmodel)
			expect_exit 1 "$b: no type (exit 1)" "$MLPKG" check "$f"
			check "$b: reported" grep -q 'error: Type: no model type set' "$TMP/out" ;;
		*)
			expect_exit 0 "$b: check passes" "$MLPKG" check "$f"
			check "$b: no error" grep -q ': 0 errors\|: ok$' "$TMP/out" ;;
		esac
		run "$MLPKG" check --json "$f"
		check "$b: --json parses" valid_json "$TMP/out"
	done
fi
if fixtures_or_skip "check of the undecodable fixture, alone and among others"; then
	expect_exit 4 "$UNDECODABLE: refused, exit 4" "$MLPKG" check "$FIXTURES/$UNDECODABLE"
	check "$UNDECODABLE: one line naming the file" sh -c "[ \$(wc -l < '$TMP/err') -eq 1 ] && grep -q '$UNDECODABLE' '$TMP/err'"
	expect_exit 4 "several models: an unreadable one outranks problems" "$MLPKG" check "$FIXTURES/s4tf-s4tf_model-notype.mlmodel" "$FIXTURES/$UNDECODABLE" "$FIXTURES/ph1ps-MNIST.mlmodel"
	check "... the others are shown" sh -c "grep -q 'ph1ps-MNIST.mlmodel: ok' '$TMP/out' && grep -q 'notype.mlmodel: 1 error' '$TMP/out'"
fi
if fixtures_or_skip "check of catfeeder zipped"; then
	copy_fixture "$FIXTURES/catfeeder-yolov8n.mlpackage" cat.mlpackage
	run "$MLPKG" pack -o "$TMP/cat.zip" "$TMP/cat.mlpackage"
	expect_exit 0 "catfeeder zipped: the same report" "$MLPKG" check "$TMP/cat.zip"
	check "... the same warning" grep -q 'warning: specificationVersion: specification version 5 is lower' "$TMP/out"
fi
done_testing
