#!/bin/sh
# t-check-apple: mlpkg check against the rules Core ML's validator has for
# Apple's own model kinds (language models, item-similarity recommender,
# sound, audio and vision feature extractors, non-maximum suppression,
# custom and linked models).  Small models of each kind are made with the
# schema, then mutated one rule at a time; every expectation below was
# checked against Apple's validator (coremltools' libmlmodel): exit 0 where
# it accepts the model, exit 1 and the message where it refuses it.
. "${top_srcdir:-.}/tests/lib.sh"

if have_python; then
	mkdir "$TMP/k"
	pyscript "$TMP/k" <<'PY'
import os, sys
from pydecode import load_schema
pb = load_schema()
d = sys.argv[1]
FLOAT32, DOUBLE, INT32 = 65568, 65600, 131104
rows = []

def feat(coll, name, kind, shape=(), dtype=DOUBLE, elem="string", key="string"):
    f = coll.add()
    f.name = name
    t = f.type
    if kind == "string":
        t.stringType.SetInParent()
    elif kind == "int64":
        t.int64Type.SetInParent()
    elif kind == "double":
        t.doubleType.SetInParent()
    elif kind == "image":
        t.imageType.width, t.imageType.height, t.imageType.colorSpace = 299, 299, 20
    elif kind == "array":
        t.multiArrayType.dataType = dtype
        t.multiArrayType.shape.extend(shape)
    elif kind == "seq":
        getattr(t.sequenceType, elem + "Type").SetInParent()
    elif kind == "dict":
        getattr(t.dictionaryType, key + "KeyType").SetInParent()
    return f

def model(v, ins, outs):
    m = pb.Model()
    m.specificationVersion = v
    for a in ins:
        feat(m.description.input, *a[:2], **(a[2] if len(a) > 2 else {}))
    for a in outs:
        feat(m.description.output, *a[:2], **(a[2] if len(a) > 2 else {}))
    return m

def retype(f, kind, **kw):
    coll = pb.ModelDescription().input
    g = feat(coll, f.name, kind, **kw)
    f.type.CopyFrom(g.type)

# ---- bases
def textcls():
    m = model(3, [("text", "string")], [("label", "string")])
    t = m.textClassifier
    t.revision = 1; t.language = "en"; t.modelParameterData = b"\0data"
    t.stringClassLabels.vector.extend(["pos", "neg"])
    return m

def tagger():
    m = model(3, [("text", "string")], [("tags", "seq"), ("tokens", "seq"), ("locs", "seq", {"elem": "int64"}),
                                         ("lens", "seq", {"elem": "int64"})])
    t = m.wordTagger
    t.revision = 1; t.language = "en"; t.modelParameterData = b"\0data"
    t.tokenTagsOutputFeatureName = "tags"; t.tokensOutputFeatureName = "tokens"
    t.tokenLocationsOutputFeatureName = "locs"; t.tokenLengthsOutputFeatureName = "lens"
    t.stringTags.vector.extend(["NOUN", "VERB"])
    return m

def gazetteer():
    m = model(4, [("text", "string")], [("label", "string")])
    g = m.gazetteer
    g.revision = 2; g.language = "en"; g.modelParameterData = b"\0data"
    g.stringClassLabels.vector.append("CITY")
    return m

def embedding():
    m = model(4, [("word", "string")], [("vec", "array", {"shape": [10]})])
    e = m.wordEmbedding
    e.revision = 2; e.language = "en"; e.modelParameterData = b"\0data"
    return m

def isr():
    m = model(4, [("items", "dict", {"key": "int64"}), ("k", "int64"), ("excl", "seq", {"elem": "int64"})],
              [("recs", "seq", {"elem": "int64"}), ("scores", "dict", {"key": "int64"})])
    r = m.itemSimilarityRecommender
    for i in range(3):
        s = r.itemItemSimilarities.add(); s.itemId = i
        c = s.similarItemList.add(); c.itemId = (i + 1) % 3; c.similarityScore = 0.5
    r.itemInt64Ids.vector.extend([100, 101, 102])
    r.itemInputFeatureName = "items"; r.numRecommendationsInputFeatureName = "k"
    r.itemExclusionInputFeatureName = "excl"
    r.recommendedItemListOutputFeatureName = "recs"; r.recommendedItemScoreOutputFeatureName = "scores"
    return m

def sound():
    m = model(4, [("audio", "array", {"shape": [15600], "dtype": FLOAT32})],
              [("mel", "array", {"shape": [1, 96, 64], "dtype": FLOAT32})])
    m.soundAnalysisPreprocessing.vggish.SetInParent()
    return m

def audio():
    m = model(6, [("audio", "array", {"shape": [15600], "dtype": FLOAT32})],
              [("emb", "array", {"shape": [512], "dtype": FLOAT32})])
    m.audioFeaturePrint.sound.version = 1
    return m

def vision():
    m = model(5, [("image", "image")], [("boxes", "array", {"shape": [1, 4], "dtype": FLOAT32}),
                                        ("scores", "array", {"shape": [1], "dtype": FLOAT32})])
    o = m.visionFeaturePrint.objects
    o.version = 1
    o.output.extend(["boxes", "scores"])
    return m

def nms():
    m = model(3, [("conf_in", "array", {"shape": [10, 3]}), ("coord_in", "array", {"shape": [10, 4]}),
                  ("iou", "double"), ("cth", "double")],
              [("confidence", "array", {"shape": [10, 3]}), ("coordinates", "array", {"shape": [10, 4]})])
    n = m.nonMaximumSuppression
    n.pickTop.perClass = False
    n.stringClassLabels.vector.extend(["a", "b", "c"])
    n.iouThreshold = 0.5; n.confidenceThreshold = 0.1
    n.confidenceInputFeatureName = "conf_in"; n.coordinatesInputFeatureName = "coord_in"
    n.iouThresholdInputFeatureName = "iou"; n.confidenceThresholdInputFeatureName = "cth"
    n.confidenceOutputFeatureName = "confidence"; n.coordinatesOutputFeatureName = "coordinates"
    return m

def custom():
    m = model(3, [("x", "array", {"shape": [3]})], [("y", "array", {"shape": [3]})])
    c = m.customModel
    c.className = "MyCustomModel"
    c.parameters["alpha"].doubleValue = 0.5
    return m

def linked():
    m = model(4, [("x", "array", {"shape": [3]})], [("y", "array", {"shape": [3]})])
    f = m.linkedModel.linkedModelFile
    f.linkedModelFileName.defaultValue = "Other.mlmodelc"
    f.linkedModelSearchPath.defaultValue = "$BUNDLE_MAIN"
    return m

def case(name, base, fn, rc, pattern):
    m = base()
    if fn:
        fn(m)
    open(os.path.join(d, name + ".mlmodel"), "wb").write(m.SerializeToString())
    rows.append("%s\t%d\t%s" % (name, rc, pattern))

def out(m, name):
    return [f for f in m.description.output if f.name == name][0]

def inp(m, name):
    return [f for f in m.description.input if f.name == name][0]

# text classifier, gazetteer, word embedding
case("text-ok", textcls, None, 0, "")
case("text-rev0", textcls, lambda m: setattr(m.textClassifier, "revision", 0), 1, "textClassifier: revision 0: Core ML takes 1 or later")
case("text-no-data", textcls, lambda m: m.textClassifier.ClearField("modelParameterData"), 1, "textClassifier: no modelParameterData")
case("text-no-labels", textcls, lambda m: m.textClassifier.ClearField("stringClassLabels"), 1, "textClassifier: no class labels")
case("text-in-int64", textcls, lambda m: retype(inp(m, "text"), "int64"), 1, "input 'text' is an int64: a text classifier takes a string")
case("text-out-int64", textcls, lambda m: retype(out(m, "label"), "int64"), 1, "output 'label' is an int64: a text classifier takes a string")
def dangling(m):
    m.description.predictedFeatureName = "nope"
case("text-pfn-dangling", textcls, dangling, 0, "warning: description: predictedFeatureName 'nope' is not an output")
case("gaz-ok", gazetteer, None, 0, "")
case("gaz-rev1", gazetteer, lambda m: setattr(m.gazetteer, "revision", 1), 1, "gazetteer: revision 1: Core ML takes 2 or later")
case("emb-ok", embedding, None, 0, "")
case("emb-out-string", embedding, lambda m: retype(out(m, "vec"), "string"), 1, "output 'vec' is a string: a word embedding takes a multi-array")
# word tagger
case("tag-ok", tagger, None, 0, "")
def only_tags(m):
    t = m.wordTagger
    for f in ("tokensOutputFeatureName", "tokenLocationsOutputFeatureName", "tokenLengthsOutputFeatureName"):
        t.ClearField(f)
    del m.description.output[1:]
case("tag-only-tags", tagger, only_tags, 0, "")
case("tag-extra-output", tagger, lambda m: feat(m.description.output, "extra", "seq"), 1, "output 'extra' is not one the word tagger names")
case("tag-missing-output", tagger, lambda m: m.description.output.remove(out(m, "tokens")), 1, "3 outputs, but the word tagger names 4")
def no_tags_name(m):
    m.wordTagger.ClearField("tokenTagsOutputFeatureName")
    m.description.output.remove(out(m, "tags"))
case("tag-no-tags-output", tagger, no_tags_name, 1, "wordTagger: tokenTagsOutputFeatureName '' is not an output")
case("tag-locs-string", tagger, lambda m: retype(out(m, "locs"), "seq", elem="string"), 1, "output 'locs' is a sequence of string: as tokenLocationsOutputFeatureName it must be a sequence of int64")
case("tag-tags-string", tagger, lambda m: retype(out(m, "tags"), "string"), 1, "output 'tags' is a string: a word tagger's outputs are sequences")
case("tag-two-inputs", tagger, lambda m: feat(m.description.input, "more", "string"), 1, "2 inputs: a word tagger takes 1")
case("tag-no-tags", tagger, lambda m: m.wordTagger.ClearField("stringTags"), 1, "wordTagger: no tags")
# item-similarity recommender
case("isr-ok", isr, None, 0, "")
def string_ids_short_by_one(m):
    r = m.itemSimilarityRecommender
    r.ClearField("itemInt64Ids")
    r.itemStringIds.vector.extend(["a", "b"])
case("isr-string-ids-one-short", isr, string_ids_short_by_one, 0, "")
case("isr-int-ids-short", isr, lambda m: m.itemSimilarityRecommender.itemInt64Ids.vector.pop(), 1, "2 integer item ids, too few for item 2")
case("isr-int-ids-dup", isr, lambda m: m.itemSimilarityRecommender.itemInt64Ids.vector.__setitem__(2, 100), 1, "an item id is given twice")
def both_ids(m):
    m.itemSimilarityRecommender.itemStringIds.vector.extend(["a", "b", "c"])
case("isr-both-ids", isr, both_ids, 1, "both integer and string item ids")
case("isr-item-input-empty", isr, lambda m: m.itemSimilarityRecommender.ClearField("itemInputFeatureName"), 1, "no itemInputFeatureName")
case("isr-k-double", isr, lambda m: retype(inp(m, "k"), "double"), 1, "numRecommendationsInputFeatureName 'k' is a double, not an int64")
case("isr-restriction-dangling", isr, lambda m: setattr(m.itemSimilarityRecommender, "itemRestrictionInputFeatureName", "nope"), 1, "itemRestrictionInputFeatureName 'nope' is not an input")
case("isr-scores-seq", isr, lambda m: retype(out(m, "scores"), "seq", elem="int64"), 1, "recommendedItemScoreOutputFeatureName 'scores' is a sequence, not a dictionary")
def no_outputs_named(m):
    r = m.itemSimilarityRecommender
    r.ClearField("recommendedItemListOutputFeatureName")
    r.ClearField("recommendedItemScoreOutputFeatureName")
case("isr-no-outputs-named", isr, no_outputs_named, 1, "the recommender gives nothing")
# sound and audio
case("sound-ok", sound, None, 0, "")
case("sound-in-len", sound, lambda m: inp(m, "audio").type.multiArrayType.shape.__setitem__(0, 16000), 1, "input 'audio': the vggish preprocessing takes a shape of \\[15600\\]")
case("sound-out-double", sound, lambda m: setattr(out(m, "mel").type.multiArrayType, "dataType", DOUBLE), 1, "output 'mel' is double: the vggish preprocessing gives float32")
case("sound-unset", sound, lambda m: m.soundAnalysisPreprocessing.ClearField("vggish"), 1, "soundAnalysisPreprocessing: no preprocessing set")
case("audio-ok", audio, None, 0, "")
case("audio-v0", audio, lambda m: setattr(m.audioFeaturePrint.sound, "version", 0), 1, "audioFeaturePrint: a sound print without a version")
case("audio-in-double", audio, lambda m: retype(inp(m, "audio"), "double"), 1, "input 'audio' is a double: an audio feature print takes a multi-array")
# vision feature print
case("vision-ok", vision, None, 0, "")
case("vision-in-array", vision, lambda m: retype(inp(m, "image"), "array", shape=[3, 299, 299]), 1, "input 'image' is a multi-array: a vision feature print takes an image")
case("vision-out-double", vision, lambda m: retype(out(m, "scores"), "double"), 1, "output 'scores' is a double: a vision feature print takes a multi-array")
# non-maximum suppression
case("nms-ok", nms, None, 0, "")
case("nms-extra-input", nms, lambda m: feat(m.description.input, "extra", "double"), 1, "input 'extra' is none of the inputs the suppression names")
case("nms-extra-output", nms, lambda m: feat(m.description.output, "extra", "array", shape=[10, 3]), 1, "output 'extra' is neither the confidence nor the coordinates output")
case("nms-conf-missing", nms, lambda m: setattr(m.nonMaximumSuppression, "confidenceOutputFeatureName", "nope"), 1, "confidenceOutputFeatureName 'nope' is not an output")
case("nms-iou-1.5", nms, lambda m: setattr(m.nonMaximumSuppression, "iouThreshold", 1.5), 1, "iouThreshold 1.5: it must lie between 0 and 1")
case("nms-iou-nan", nms, lambda m: setattr(m.nonMaximumSuppression, "iouThreshold", float("nan")), 1, "iouThreshold nan")
case("nms-cth-neg", nms, lambda m: setattr(m.nonMaximumSuppression, "confidenceThreshold", -1.0), 1, "confidenceThreshold -1: it must not be negative")
case("nms-iou-int64", nms, lambda m: retype(inp(m, "iou"), "int64"), 1, "the IoU threshold input 'iou' is not a double")
case("nms-conf-double", nms, lambda m: retype(inp(m, "conf_in"), "double"), 1, "the confidence input 'conf_in' is not a multi-array")
case("nms-dtype-mismatch", nms, lambda m: setattr(out(m, "coordinates").type.multiArrayType, "dataType", FLOAT32), 1, "must have one element type")
def all_dtype(dt, v):
    def fn(m):
        m.specificationVersion = v
        for f in list(m.description.input)[:2] + list(m.description.output):
            f.type.multiArrayType.dataType = dt
    return fn
case("nms-float32-v4", nms, all_dtype(FLOAT32, 4), 1, "are float32: below specification version 5 (this model has 4) non-maximum suppression takes double only")
case("nms-float32-v5", nms, all_dtype(FLOAT32, 5), 0, "")
case("nms-int32-v5", nms, all_dtype(INT32, 5), 1, "are int32: non-maximum suppression takes double or float32")
case("nms-conf-rank3", nms, lambda m: out(m, "confidence").type.multiArrayType.shape.append(1), 1, "the confidence output has 3 dimensions")
case("nms-boxes", nms, lambda m: out(m, "coordinates").type.multiArrayType.shape.__setitem__(0, 7), 1, "the confidence output has 10 boxes, the coordinates output 7")
case("nms-labels", nms, lambda m: m.nonMaximumSuppression.stringClassLabels.vector.pop(), 1, "2 class labels, but the confidence output has 3 classes")
def ranges(conf_enum, lo1, hi1):
    def fn(m):
        for f in m.description.output:
            a = f.type.multiArrayType
            del a.shape[:]
            if conf_enum and f.name == "confidence":
                a.enumeratedShapes.shapes.add().shape.extend([10, 3])
                continue
            r0 = a.shapeRange.sizeRanges.add(); r0.lowerBound, r0.upperBound = 0, -1
            r1 = a.shapeRange.sizeRanges.add()
            r1.lowerBound, r1.upperBound = (lo1, hi1) if f.name == "confidence" else (4, 4)
    return fn
case("nms-ranges", nms, ranges(False, 3, 3), 0, "")
case("nms-ranges-labels", nms, ranges(False, 4, 8), 1, "3 class labels, outside the confidence output's range of classes 4..8")
case("nms-enumerated", nms, ranges(True, 3, 3), 1, "it and the coordinates output must then both have shape ranges")
# custom and linked models
case("custom-ok", custom, None, 0, "")
case("custom-no-class", custom, lambda m: m.customModel.ClearField("className"), 1, "customModel: no className")
def param_empty_key(m):
    m.customModel.parameters[""].doubleValue = 1.0
case("custom-empty-key", custom, param_empty_key, 1, "customModel: a parameter without a name")
def param_unset(m):
    m.customModel.parameters["empty"].SetInParent()
case("custom-unset", custom, param_unset, 1, "customModel: parameter 'empty' has no value")
case("custom-pfn-dangling", custom, dangling, 0, "warning: description: predictedFeatureName 'nope' is not an output")
case("linked-ok", linked, None, 0, "")
case("linked-no-link", linked, lambda m: m.linkedModel.ClearField("linkedModelFile"), 1, "linkedModel: no link set")
case("linked-empty-file", linked, lambda m: m.linkedModel.linkedModelFile.linkedModelFileName.ClearField("defaultValue"), 1, "linkedModelFileName.defaultValue) is empty")
def no_search_path(m):
    m.linkedModel.linkedModelFile.ClearField("linkedModelSearchPath")
case("linked-no-search-path", linked, no_search_path, 0, "")
open(os.path.join(d, "cases.tsv"), "w").write("\n".join(rows) + "\n")
PY
	tab=$(printf '\t')
	while IFS=$tab read -r name want pattern; do
		expect_exit "$want" "$name: exit $want" "$MLPKG" check "$TMP/k/$name.mlmodel"
		if [ -n "$pattern" ]; then
			check "... $pattern" grep -q -- "$pattern" "$TMP/out"
		else
			check "... says ok" grep -q ': ok$' "$TMP/out"
		fi
	done <"$TMP/k/cases.tsv"
else
	skip "models of Apple's kinds made with python3-protobuf (not installed)"
fi
done_testing
