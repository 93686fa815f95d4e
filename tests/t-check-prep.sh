#!/bin/sh
# t-check-prep: mlpkg check against Core ML's rules for the feature
# engineering models (scaler, imputer, normalizer, one-hot encoder,
# dictionary and feature vectorizers, array feature extractor, categorical
# mapping) and a pipeline's member names.  Small models made with the
# schema, and mutations of them: every mutant here is refused by Apple's
# validator (exit 1 and the message), every valid one accepted (exit 0, no
# error), as found with Apple's own validator when they were written.
. "${top_srcdir:-.}/tests/lib.sh"

if have_python; then
	mkdir -p "$TMP/prep"
	pyscript "$TMP/prep" <<'PY'
import os, sys
from pydecode import load_schema
pb = load_schema()
d = sys.argv[1]
DOUBLE, INT32 = 65600, 131104

def ty(t, k, shape=(3,), key="string", elem="string"):
    if k == "double": t.doubleType.SetInParent()
    elif k == "int64": t.int64Type.SetInParent()
    elif k == "string": t.stringType.SetInParent()
    elif k == "array":
        t.multiArrayType.dataType = DOUBLE
        t.multiArrayType.shape.extend(shape)
    elif k == "dict":
        getattr(t.dictionaryType, key + "KeyType").SetInParent()
    elif k == "seq":
        getattr(t.sequenceType, elem + "Type").SetInParent()

def model(ins, outs, v=1):
    m = pb.Model()
    m.specificationVersion = v
    for coll, fs in ((m.description.input, ins), (m.description.output, outs)):
        for name, k, kw in fs:
            f = coll.add()
            f.name = name
            ty(f.type, k, **kw)
    return m

def retype(f, k, **kw):
    f.type.Clear()
    ty(f.type, k, **kw)

def base(kind):
    if kind == "scaler":
        m = model([("x", "array", {})], [("y", "array", {})])
        m.scaler.shiftValue.extend([1, 2, 3]); m.scaler.scaleValue.append(0.5)
    elif kind == "scaler-int":
        m = model([("x", "int64", {})], [("y", "double", {})])
        m.scaler.shiftValue.append(1); m.scaler.scaleValue.append(2)
    elif kind == "imputer":
        m = model([("x", "double", {})], [("y", "double", {})])
        m.imputer.imputedDoubleValue = 0; m.imputer.replaceDoubleValue = -1
    elif kind == "imputer-arr":
        m = model([("x", "array", {})], [("y", "array", {})])
        m.imputer.imputedDoubleArray.vector.extend([0, 1, 2])
    elif kind == "imputer-str":
        m = model([("x", "string", {})], [("y", "string", {})])
        m.imputer.imputedStringValue = "?"; m.imputer.replaceStringValue = ""
    elif kind == "imputer-dict":
        m = model([("x", "dict", {})], [("y", "dict", {})])
        m.imputer.imputedStringDictionary.map["a"] = 1
    elif kind == "normalizer":
        m = model([("x", "array", {})], [("y", "array", {})])
        m.normalizer.normType = 2
    elif kind == "ohe":
        m = model([("s", "string", {})], [("v", "array", {})])
        m.oneHotEncoder.stringCategories.vector.extend(["a", "b", "c"])
    elif kind == "ohe-sparse":
        m = model([("s", "int64", {})], [("v", "dict", {"key": "int64"})])
        m.oneHotEncoder.int64Categories.vector.extend([1, 2])
        m.oneHotEncoder.outputSparse = True
    elif kind == "dictvec":
        m = model([("d", "dict", {})], [("v", "dict", {"key": "int64"})])
        m.dictVectorizer.stringToIndex.vector.extend(["a", "b"])
    elif kind == "featvec":
        m = model([("a", "double", {}), ("b", "array", {"shape": (2,)}), ("c", "dict", {"key": "int64"})],
                  [("v", "array", {})])
        for n, k in (("a", 1), ("b", 2), ("c", 1)):
            e = m.featureVectorizer.inputList.add(); e.inputColumn = n; e.inputDimensions = k
    elif kind == "afe":
        m = model([("x", "array", {"shape": (4,)})], [("y", "double", {})])
        m.arrayFeatureExtractor.extractIndex.append(2)
    elif kind == "catmap":
        m = model([("s", "string", {})], [("i", "int64", {})])
        m.categoricalMapping.stringToInt64Map.map["a"] = 1
        m.categoricalMapping.int64Value = -1
    elif kind == "catmap-seq":
        m = model([("s", "seq", {"elem": "int64"})], [("o", "seq", {})], v=3)
        m.categoricalMapping.int64ToStringMap.map[1] = "a"
        m.categoricalMapping.strValue = "?"
    elif kind == "pipeline":
        m = model([("x", "array", {})], [("y", "array", {})])
        s = base("scaler"); s.description.output[0].name = "xs"
        n = base("normalizer"); n.description.input[0].name = "xs"
        m.pipeline.models.extend([s, n])
        m.pipeline.names.extend(["scale", "norm"])
    elif kind == "pipeline-cls":
        m = model([("s", "string", {})], [("i", "int64", {})])
        m.pipelineClassifier.pipeline.models.extend([base("catmap")])
    return m

out = []
def save(name, m, desc, pat):
    open(os.path.join(d, name + ".mlmodel"), "wb").write(m.SerializeToString())
    out.append("%s\t%d\t%s\t%s" % (name, 1 if pat else 0, desc, pat))

def mut(kind, name, desc, fn, pat=""):
    m = base(kind)
    fn(m)
    save(kind + "__" + name, m, "%s: %s" % (kind, desc), pat)

for k in ("scaler", "scaler-int", "imputer", "imputer-arr", "imputer-str", "imputer-dict", "normalizer", "ohe",
          "ohe-sparse", "dictvec", "featvec", "afe", "catmap", "catmap-seq", "pipeline", "pipeline-cls"):
    note = " (a pipeline classifier with no class labels of its own)" if k == "pipeline-cls" else ""
    save(k, base(k), "%s: the valid base%s" % (k, note), "")
I, O = (lambda m: m.description.input[0]), (lambda m: m.description.output[0])
def both(fn):
    return lambda m: (fn(I(m)), fn(O(m)))
def clear(msg, *fields):
    return lambda m: [msg(m).ClearField(f) for f in fields]
# mutants that give a feature another type: kind, mutation, what it is,
# input or output and which, the new type and its details, the error
RETYPED = [
    ("scaler", "in-string", "a string input", "input", 0, "string", {},
     "description.input[0]: input 'x' is string: a scaler takes an int64, a double or a multi-array"),
    ("scaler", "out-double", "an array in, a double out", "output", 0, "double", {},
     "description.output[0]: output 'y' is double: a scaler gives what it takes, here double[3]"),
    ("scaler-int", "int-out", "an int64 in, an int64 out", "output", 0, "int64", {},
     ""),
    ("scaler-int", "out-array", "an int64 in, an array out", "output", 0, "array", {},
     "description.output[0]: output 'y' is double[3]: a scaler of an int64 gives an int64 or a double"),
    ("imputer", "out-int", "a double in, an int64 out", "output", 0, "int64", {},
     "description.output[0]: output 'y' is int64: an imputer gives what it takes, here double"),
    ("normalizer", "in-double", "a double input", "input", 0, "double", {},
     "description.input[0]: input 'x' is double: a normalizer takes a multi-array"),
    ("normalizer", "out-double", "a double output", "output", 0, "double", {},
     "description.output[0]: output 'y' is double: a normalizer gives a multi-array"),
    ("ohe", "in-double", "a double input", "input", 0, "double", {},
     "description.input[0]: input 's' is double: a one-hot encoder takes an int64 or a string"),
    ("ohe", "out-dict", "a dictionary out, not sparse", "output", 0, "dict", {"key": "int64"},
     "description.output[0]: output 'v' is dict<int64,double>: a one-hot encoder without outputSparse gives a multi-array"),
    ("ohe-sparse", "out-array", "sparse, an array out", "output", 0, "array", {},
     "description.output[0]: output 'v' is double[3]: a one-hot encoder with outputSparse gives a dictionary"),
    ("dictvec", "out-array", "an array output", "output", 0, "array", {},
     "description.output[0]: output 'v' is double[3]: a dictionary vectorizer gives a dictionary"),
    ("dictvec", "in-array", "an array input", "input", 0, "array", {},
     "description.input[0]: input 'd' is double[3]: a dictionary vectorizer takes a dictionary"),
    ("featvec", "in-string", "a string input", "input", 1, "string", {},
     "description.input[1]: input 'b' is string: a feature vectorizer takes an int64, a double, a multi-array or a dictionary"),
    ("featvec", "out-double", "a double output", "output", 0, "double", {},
     "description.output[0]: output 'v' is double: a feature vectorizer gives a multi-array"),
    ("afe", "in-double", "a double input", "input", 0, "double", {},
     "description.input[0]: input 'x' is double: an array feature extractor takes a multi-array"),
    ("afe", "out-string", "a string output", "output", 0, "string", {},
     "description.output[0]: output 'y' is string: an array feature extractor gives an int64, a double or a multi-array"),
    ("catmap", "in-int", "an int64 input to a string mapping", "input", 0, "int64", {},
     "description.input[0]: input 's' is int64: a mapping of strings to int64s takes a string or a sequence"),
    ("catmap", "out-string", "a string output from a mapping to int64s", "output", 0, "string", {},
     "description.output[0]: output 'i' is string: a mapping of strings to int64s gives an int64 or a sequence"),
    ("catmap-seq", "in-seq-string", "a sequence of strings to a mapping of int64s", "input", 0, "seq", {},
     "description.input[0]: input 's' is sequence<string>: a mapping of int64s to strings reads a sequence of int64s"),
    ("catmap-seq", "out-string", "a sequence in, a string out", "output", 0, "string", {},
     "description.output[0]: output 'o' is string: given a sequence, a mapping of int64s to strings gives a sequence of strings"),
    ("catmap-seq", "out-seq-int", "a sequence of int64s out", "output", 0, "seq", {"elem": "int64"},
     "description.output[0]: output 'o' is sequence<int64>: given a sequence"),
]
for kind, name, desc, side, i, t, kw, msg in RETYPED:
    mut(kind, name, desc, lambda m, s=side, i=i, t=t, kw=kw: retype(getattr(m.description, s)[i], t, **kw), msg)
# scaler
mut("scaler", "rank2", "two-dimensional arrays", both(lambda f: retype(f, "array", shape=(3, 1))),
    "description.input[0]: input 'x' has 2 dimensions: a scaler takes a one-dimensional multi-array")
mut("scaler", "out-len", "an output longer than the input", lambda m: retype(O(m), "array", shape=(4,)),
    "description.output[0]: output 'y' is double[4]: a scaler gives its input's shape, double[3]")
mut("scaler", "shift-len", "2 shift values for 3 elements", lambda m: m.scaler.shiftValue.pop(),
    "scaler: 2 values in shiftValue for a multi-array of 3")
mut("scaler", "scale-len", "2 scale values for 3 elements", lambda m: m.scaler.scaleValue.append(1),
    "scaler: 2 values in scaleValue for a multi-array of 3")
mut("scaler", "no-params", "no shift, no scale", clear(lambda m: m.scaler, "shiftValue", "scaleValue"))
mut("scaler-int", "double-in-int-out", "a double in, an int64 out",
    lambda m: (retype(I(m), "double"), retype(O(m), "int64")),
    "description.output[0]: output 'y' is int64: a scaler gives what it takes, here double")
mut("scaler-int", "shift-two", "2 shift values for a number", lambda m: m.scaler.shiftValue.append(1),
    "scaler: 2 values in shiftValue for a single number: Core ML takes none or one")
mut("scaler-int", "scale-two", "2 scale values for a number", lambda m: m.scaler.scaleValue.append(1),
    "scaler: 2 values in scaleValue for a single number")
# imputer
mut("imputer", "no-value", "no imputed value", clear(lambda m: m.imputer, "imputedDoubleValue"),
    "imputer: no imputed value")
mut("imputer", "int-value", "an int64 imputed for a double", lambda m: setattr(m.imputer, "imputedInt64Value", 3),
    "imputer: imputedInt64Value does not fit input 'x', double: it fills an int64")
mut("imputer", "replace-int", "an int64 replaced in a double", lambda m: setattr(m.imputer, "replaceInt64Value", 3),
    "imputer: replaceInt64Value with imputedDoubleValue: the value replaced goes in replaceDoubleValue")
mut("imputer", "replace-none", "no value to replace", clear(lambda m: m.imputer, "replaceDoubleValue"))
mut("imputer", "int", "an int64 imputer", lambda m: (both(lambda f: retype(f, "int64"))(m),
    setattr(m.imputer, "imputedInt64Value", 3), setattr(m.imputer, "replaceInt64Value", -1)))
mut("imputer-arr", "rank2", "two-dimensional arrays", both(lambda f: retype(f, "array", shape=(3, 1))),
    "description.input[0]: input 'x' has 2 dimensions: an imputer takes a one-dimensional multi-array")
mut("imputer-arr", "out-len", "an output longer than the input", lambda m: retype(O(m), "array", shape=(4,)),
    "description.output[0]: output 'y' is double[4]: an imputer gives its input's shape, double[3]")
mut("imputer-arr", "vec-len", "4 imputed values for 3 elements", lambda m: m.imputer.imputedDoubleArray.vector.append(3),
    "imputer: imputedDoubleArray has 4 values for input 'x' of length 3")
mut("imputer-arr", "double-value", "one double imputed for all elements", lambda m: setattr(m.imputer, "imputedDoubleValue", 0))
mut("imputer-arr", "int-array", "an int64 array imputed", lambda m: m.imputer.imputedInt64Array.vector.extend([0, 1, 2]))
mut("imputer-arr", "int-array-len", "2 int64s imputed for 3 elements", lambda m: m.imputer.imputedInt64Array.vector.extend([0, 1]),
    "imputer: imputedInt64Array has 2 values for input 'x' of length 3")
mut("imputer-arr", "int-array-replace-double", "int64s imputed, a double replaced",
    lambda m: (m.imputer.imputedInt64Array.vector.extend([0, 1, 2]), setattr(m.imputer, "replaceDoubleValue", 1)),
    "imputer: replaceDoubleValue with imputedInt64Array")
mut("imputer-arr", "string-value", "a string imputed in an array", lambda m: setattr(m.imputer, "imputedStringValue", "a"),
    "imputer: imputedStringValue does not fit input 'x', double[3]: it fills a string")
mut("imputer-str", "replace-double", "a double replaced in a string", lambda m: setattr(m.imputer, "replaceDoubleValue", 1),
    "imputer: replaceDoubleValue with imputedStringValue: the value replaced goes in replaceStringValue")
mut("imputer-str", "double-value", "a double imputed for a string", lambda m: setattr(m.imputer, "imputedDoubleValue", 1),
    "imputer: imputedDoubleValue does not fit input 'x', string: it fills a double or a multi-array")
mut("imputer-dict", "replace", "a dictionary imputer with a value to replace", lambda m: setattr(m.imputer, "replaceStringValue", "a"),
    "imputer: replaceStringValue with a dictionary imputed value")
mut("imputer-dict", "int-dict", "an int64-keyed dictionary imputed", lambda m: m.imputer.imputedInt64Dictionary.map.__setitem__(1, 2.0))
mut("imputer-dict", "on-string", "a dictionary imputed for a string", both(lambda f: retype(f, "string")),
    "imputer: imputedStringDictionary does not fit input 'x', string: it fills a dictionary")
# normalizer
mut("normalizer", "norm-5", "normType 5", lambda m: setattr(m.normalizer, "normType", 5),
    "normalizer: normType 5: Core ML knows LMax (0), L1 (1) and L2 (2)")
mut("normalizer", "lmax", "normType LMax", lambda m: setattr(m.normalizer, "normType", 0))
mut("normalizer", "shapes-differ", "output and input shapes differ", lambda m: retype(O(m), "array", shape=(5, 2)))
# one-hot encoder
mut("ohe", "no-categories", "no categories", clear(lambda m: m.oneHotEncoder, "stringCategories"),
    "oneHotEncoder: no categories (stringCategories or int64Categories)")
mut("ohe", "int-categories", "int64 categories for a string input", lambda m: m.oneHotEncoder.int64Categories.vector.append(1))
# dictionary vectorizer
mut("dictvec", "no-map", "no index map", clear(lambda m: m.dictVectorizer, "stringToIndex"),
    "dictVectorizer: no index map (stringToIndex or int64ToIndex)")
mut("dictvec", "int-keys", "int64 keys for string-keyed input", lambda m: m.dictVectorizer.int64ToIndex.vector.append(4))
# feature vectorizer
mut("featvec", "dim0", "a column of 0 dimensions", lambda m: setattr(m.featureVectorizer.inputList[1], "inputDimensions", 0),
    "featureVectorizer.inputList[1]: column 'b' has inputDimensions 0")
mut("featvec", "dims-off", "a column's dimensions unlike its input", lambda m: setattr(m.featureVectorizer.inputList[1], "inputDimensions", 7))
# array feature extractor
mut("afe", "no-index", "a double out, no index", clear(lambda m: m.arrayFeatureExtractor, "extractIndex"),
    "arrayFeatureExtractor: 0 extractIndex values for output 'y', a double: it takes exactly one")
mut("afe", "two-index", "a double out, two indices", lambda m: m.arrayFeatureExtractor.extractIndex.append(0),
    "arrayFeatureExtractor: 2 extractIndex values for output 'y'")
mut("afe", "int-out-two", "an int64 out, two indices",
    lambda m: (retype(O(m), "int64"), m.arrayFeatureExtractor.extractIndex.append(0)))
mut("afe", "array-out", "an array out, two indices",
    lambda m: (retype(O(m), "array", shape=(2,)), m.arrayFeatureExtractor.extractIndex.append(0)))
# categorical mapping
mut("catmap", "no-map", "no mapping", clear(lambda m: m.categoricalMapping, "stringToInt64Map"),
    "categoricalMapping: no mapping (stringToInt64Map or int64ToStringMap)")
mut("catmap", "str-default", "a string default for int64s", lambda m: setattr(m.categoricalMapping, "strValue", "?"),
    "categoricalMapping: strValue for unknown values of a mapping that gives int64s: it takes int64Value")
mut("catmap", "no-default", "no default", clear(lambda m: m.categoricalMapping, "int64Value"))
mut("catmap", "out-seq", "a string in, a sequence out",
    lambda m: (setattr(m, "specificationVersion", 3), retype(O(m), "seq", elem="int64")))
mut("catmap-seq", "int-default", "an int64 default for strings", lambda m: setattr(m.categoricalMapping, "int64Value", 0),
    "categoricalMapping: int64Value for unknown values of a mapping that gives strings: it takes strValue")
# pipelines
mut("pipeline", "names-one", "one name for two members", lambda m: m.pipeline.names.pop(),
    "pipeline.names: 1 name for 2 members: a pipeline names all its members or none")
mut("pipeline", "names-three", "three names for two members", lambda m: m.pipeline.names.append("x"),
    "pipeline.names: 3 names for 2 members")
mut("pipeline", "names-same", "two members of one name", lambda m: m.pipeline.names.__setitem__(1, "scale"),
    "pipeline.names[1]: the name 'scale' is given to an earlier member too")
mut("pipeline", "names-empty", "two members named ''", lambda m: m.pipeline.names.__setitem__(slice(None), ["", ""]),
    "pipeline.names[1]: the name '' is given to an earlier member too")
mut("pipeline", "no-names", "no names", clear(lambda m: m.pipeline, "names"))
mut("pipeline", "member-bad", "a member breaking its kind's rules", lambda m: setattr(m.pipeline.models[1].normalizer, "normType", 7),
    "pipeline.models[1].normalizer: normType 7")
mut("pipeline-cls", "names-same", "a pipeline classifier's members of one name",
    lambda m: m.pipelineClassifier.pipeline.names.extend(["a", "a"]) or m.pipelineClassifier.pipeline.models.append(m.pipelineClassifier.pipeline.models[0]),
    "pipelineClassifier.pipeline.names[1]: the name 'a' is given to an earlier member too")
open(os.path.join(d, "expect.tsv"), "w").write("\n".join(out) + "\n")
PY
	[ -s "$TMP/prep/expect.tsv" ] || not_ok "the models were made"
	tab=$(printf '\t')
	while IFS=$tab read -r name want desc pat; do
		expect_exit "$want" "$desc: exit $want" "$MLPKG" check "$TMP/prep/$name.mlmodel"
		if [ "$want" = 0 ]; then
			check "... no error" sh -c "! grep -q ': error: ' '$TMP/out'"
		else
			check "... $pat" grep -qF -- "error: $pat" "$TMP/out"
		fi
	done <"$TMP/prep/expect.tsv"
else
	python_or_skip "feature-engineering models and pipeline names"
fi
done_testing
