#!/usr/bin/python3
"""pydecode: an independent decoder for mlpkg's tests.

Compiles our schema (src/proto) with protoc --python_out and uses Debian's
python3-protobuf to read models, so that the C code is checked against a
standard protobuf library.  Used by the shell tests only.

  pydecode.py json FILE            the model as protobuf JSON (proto names)
  pydecode.py jsoneq FILE JSON     JSON file parses back to the same model
  pydecode.py equal A B [--except-metadata]
  pydecode.py metadata FILE        description.metadata as JSON
  pydecode.py roundtrip FILE       re-serializing gives the same bytes
  pydecode.py field FILE PATH      a field by dotted path (attribute access)
  pydecode.py summary FILE         type, spec version, io names, counts
  pydecode.py userkeys FILE        userDefined keys in wire order (raw walk)
  pydecode.py inspect FILE         what mlpkg info/io/layers report, computed
                                   independently: models, typed io, counts
  pydecode.py weightbytes FILE NAME OUT
                                   the raw data of a weight tensor as mlpkg
                                   weights names it, read straight from the
                                   spec or from weight.bin at its offset
  pydecode.py strings|renamed|features|equal-but-desc|labels|mkclassifier ...
                                   interface checks: see tests/pyiface.py
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile

PROTO_DIR = os.environ.get("PROTO_DIR") or os.path.join(os.path.dirname(__file__), "..", "src", "proto")


def varint(v):
    """v as a protobuf varint"""
    b = bytearray()
    while v >= 0x80:
        b.append(v & 0x7f | 0x80)
        v >>= 7
    return bytes(b + bytes([v]))


def field(n, p):
    """field n holding the bytes p (wire type 2), for hand-made broken specs"""
    return varint(n << 3 | 2) + varint(len(p)) + p


def load_schema():
    protos = sorted(f for f in os.listdir(PROTO_DIR) if f.endswith(".proto"))
    h = hashlib.sha256()
    for p in protos:
        with open(os.path.join(PROTO_DIR, p), "rb") as f:
            h.update(f.read())
    cache = os.path.join(tempfile.gettempdir(), "mlpkg-pyschema-" + h.hexdigest()[:16])
    if not os.path.exists(os.path.join(cache, "done")):
        tmp = tempfile.mkdtemp(prefix="mlpkg-pyschema-")
        subprocess.check_call([os.environ.get("PROTOC", "protoc") or "protoc", "-I" + PROTO_DIR,
                               "--python_out=" + tmp] + protos)
        open(os.path.join(tmp, "done"), "w").close()
        try:
            os.rename(tmp, cache)
        except OSError:
            pass  # another test made it meanwhile
    sys.path.insert(0, cache)
    import Model_pb2
    return Model_pb2


def spec_path(path):
    if os.path.isdir(path):
        with open(os.path.join(path, "Manifest.json")) as f:
            m = json.load(f)
        item = m["itemInfoEntries"][m["rootModelIdentifier"]]
        return os.path.join(path, "Data", item["path"])
    return path


def read_model(pb, path):
    with open(spec_path(path), "rb") as f:
        data = f.read()
    m = pb.Model()
    m.ParseFromString(data)
    return m, data


def raw_fields(data):
    """(number, wire type, value) of each field, in wire order"""
    i = 0
    out = []
    def varint():
        nonlocal i
        v = shift = 0
        while True:
            b = data[i]
            i += 1
            v |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return v
    while i < len(data):
        tag = varint()
        num, wt = tag >> 3, tag & 7
        if wt == 0:
            val = varint()
        elif wt == 1:
            val = data[i:i + 8]; i += 8
        elif wt == 5:
            val = data[i:i + 4]; i += 4
        elif wt == 2:
            n = varint(); val = data[i:i + n]; i += n
        else:
            raise ValueError("group")
        out.append((num, wt, val))
    return out


def user_keys(data):
    keys = []
    for num, wt, val in raw_fields(data):
        if num == 2 and wt == 2:
            for n2, w2, v2 in raw_fields(val):
                if n2 == 100 and w2 == 2:
                    for n3, w3, v3 in raw_fields(v2):
                        if n3 == 100 and w3 == 2:
                            k = [v for n, w, v in raw_fields(v3) if n == 1]
                            keys.append(k[-1].decode() if k else "")
    return keys


# ---- inspect / weightbytes: an independent reading of what info, io,
# layers and weights report (written from the schema, not from the C code)

ARRAY_DTYPES = {65568: "float32", 65600: "double", 131104: "int32", 131080: "int8", 65552: "float16"}
COLOR = {10: "GRAYSCALE", 20: "RGB", 30: "BGR", 40: "GRAYSCALE_FLOAT16"}
NN_TYPES = ("neuralNetwork", "neuralNetworkClassifier", "neuralNetworkRegressor")
PIPELINES = ("pipeline", "pipelineClassifier", "pipelineRegressor")


def fmt_range(r):
    lo, hi = r.lowerBound, r.upperBound
    if hi >= 0 and hi == lo:
        return str(lo)
    return "%d..*" % lo if hi < 0 else "%d..%d" % (lo, hi)


def fmt_array(a):
    s = ARRAY_DTYPES.get(a.dataType, "array") + "[" + ",".join(str(d) for d in a.shape) + "]"
    flex = a.WhichOneof("ShapeFlexibility")
    if flex == "enumeratedShapes":
        s += " in {" + ",".join("[" + ",".join(str(d) for d in sh.shape) + "]" for sh in a.enumeratedShapes.shapes) + "}"
    elif flex == "shapeRange":
        s += " in [" + ",".join(fmt_range(r) for r in a.shapeRange.sizeRanges) + "]"
    return s


def fmt_type(t):
    k = t.WhichOneof("Type")
    if k is None:
        s = "none"
    elif k in ("int64Type", "doubleType", "stringType"):
        s = k[:-4]
    elif k == "imageType":
        im = t.imageType
        s = "image<%s,%dx%d>" % (COLOR.get(im.colorSpace, "?"), im.width, im.height)
        flex = im.WhichOneof("SizeFlexibility")
        if flex == "enumeratedSizes":
            s += " in {" + ",".join("%dx%d" % (z.width, z.height) for z in im.enumeratedSizes.sizes) + "}"
        elif flex == "imageSizeRange":
            s += " in [%s]x[%s]" % (fmt_range(im.imageSizeRange.widthRange), fmt_range(im.imageSizeRange.heightRange))
    elif k == "multiArrayType":
        s = fmt_array(t.multiArrayType)
    elif k == "dictionaryType":
        key = {"int64KeyType": "int64", "stringKeyType": "string"}.get(t.dictionaryType.WhichOneof("KeyType"), "?")
        s = "dict<%s,double>" % key
    elif k == "sequenceType":
        el = {"int64Type": "int64", "stringType": "string"}.get(t.sequenceType.WhichOneof("Type"), "?")
        s = "sequence<%s>" % el
        if t.sequenceType.HasField("sizeRange"):
            s += " length " + fmt_range(t.sequenceType.sizeRange)
    elif k == "stateType":
        s = "state<" + fmt_array(t.stateType.arrayType) + ">"
    else:
        s = "?"
    if k == "multiArrayType" and t.multiArrayType.WhichOneof("defaultOptionalValue"):
        v = getattr(t.multiArrayType, t.multiArrayType.WhichOneof("defaultOptionalValue"))
        s += " default " + (str(int(v)) if float(v).is_integer() else repr(v))
    return s


def features(lst):
    return [{"name": f.name, "type": fmt_type(f.type), "optional": f.type.isOptional} for f in lst]


def walk_models(m, path="", out=None):
    out = [] if out is None else out
    t = m.WhichOneof("Type")
    out.append({"path": path, "type": t, "specificationVersion": m.specificationVersion, "model": m})
    if t in PIPELINES:
        p = getattr(m, t) if t == "pipeline" else getattr(m, t).pipeline
        base = path + ("." if path else "") + t + ("" if t == "pipeline" else ".pipeline")
        for i, sub in enumerate(p.models):
            walk_models(sub, "%s.models[%d]" % (base, i), out)
    return out


def nn_weight_fields(msg, prefix=""):
    """(name, WeightParams) for every non-empty WeightParams below a layer's params"""
    out = []
    for fd, val in msg.ListFields():
        if fd.message_type is None:
            continue
        vals = list(val) if fd.label == fd.LABEL_REPEATED else [val]
        for i, v in enumerate(vals):
            name = prefix + fd.name + ("[%d]" % i if len(vals) > 1 else "")
            if fd.message_type.name == "WeightParams":
                if len(v.floatValue) or v.float16Value or v.rawValue or v.int8RawValue:
                    out.append((name, v))
            elif fd.message_type.name != "NeuralNetwork" and not fd.message_type.GetOptions().map_entry:
                out.extend(nn_weight_fields(v, name + "."))
    return out


# the networks a control-flow layer holds, by the schema: BranchLayerParams
# (ifBranch, elseBranch), LoopLayerParams (conditionNetwork, bodyNetwork)
NN_SUBNETS = {"branch": ("ifBranch", "elseBranch"), "loop": ("conditionNetwork", "bodyNetwork")}


def nn_layers(net, scope="", path="", depth=0):
    """(layer, weight-name prefix, get path, depth) for every layer of a network,
    those of branch and loop layers after the layer holding them"""
    out = []
    for i, layer in enumerate(net.layers):
        lpath = "%s.layers[%d]" % (path, i)
        out.append((layer, scope, lpath, depth))
        kind = layer.WhichOneof("layer")
        for sub in NN_SUBNETS.get(kind, ()):
            params = getattr(layer, kind)
            if params.HasField(sub):
                out.extend(nn_layers(getattr(params, sub), "%s%s.%s." % (scope, layer.name, sub),
                                     "%s.%s.%s" % (lpath, kind, sub), depth + 1))
    return out


def nn_weight_info(w):
    """(type, bits, count, bytes, raw bytes)"""
    import struct
    if len(w.floatValue):
        return "float32", 32, len(w.floatValue), 4 * len(w.floatValue), struct.pack("<%df" % len(w.floatValue), *w.floatValue)
    if w.float16Value:
        return "float16", 16, len(w.float16Value) // 2, len(w.float16Value), w.float16Value
    if w.rawValue:
        bits = w.quantization.numberOfBits if w.HasField("quantization") else 0
        if 0 < bits <= 16:
            kind = "lut" if w.quantization.WhichOneof("QuantizationType") == "lookupTableQuantization" else "quantized"
        else:
            kind, bits = "raw", 8
        return kind, bits, len(w.rawValue) * 8 // bits, len(w.rawValue), w.rawValue
    return "int8", 8, len(w.int8RawValue), len(w.int8RawValue), w.int8RawValue


MIL_BITS = {1: 8, 10: 16, 11: 32, 12: 64, 13: 16, 21: 8, 22: 16, 23: 32, 24: 64, 25: 4, 31: 8, 32: 16, 33: 32,
            34: 64, 35: 4, 36: 2, 37: 1, 38: 6, 39: 3, 40: 8, 41: 8}


def op_name(op):
    if "name" in op.attributes:
        v = op.attributes["name"]
        if v.immediateValue.tensor.strings.values:
            return v.immediateValue.tensor.strings.values[0]
    return op.outputs[0].name if op.outputs else ""


def walk_ops(block, out):
    for op in block.operations:
        out.append(op)
        for b in op.blocks:
            walk_ops(b, out)
    return out


def program_ops(prog):
    """[(function name, [ops])] over each function's active specialization"""
    res = []
    for fname, fn in prog.functions.items():
        specs = fn.block_specializations
        if fn.opset in specs:
            block = specs[fn.opset]
        elif len(specs):
            block = specs[list(specs.keys())[-1]]
        else:
            block = None
        res.append((fname, walk_ops(block, []) if block is not None else []))
    return res


def blob_refs(op):
    """(weight name, Value) for the blob-file values an op holds"""
    out = []
    for k, v in op.attributes.items():
        if v.WhichOneof("value") == "blobFileValue":
            out.append((k, v))
    for k, arg in op.inputs.items():
        for b in arg.arguments:
            if b.WhichOneof("binding") == "value" and b.value.WhichOneof("value") == "blobFileValue":
                out.append((k, b.value))
    return [(op_name(op) if (op.type == "const" and k == "val") else op_name(op) + "." + k, v) for k, v in out]


def inspect_model(pb, path):
    m, _ = read_model(pb, path)
    d = m.description
    models = walk_models(m)
    out = {"specificationVersion": m.specificationVersion, "type": m.WhichOneof("Type"),
           "models": [{"path": x["path"], "type": x["type"], "specificationVersion": x["specificationVersion"]}
                      for x in models[1:]],
           "inputs": features(d.input), "outputs": features(d.output), "states": features(d.state),
           "trainingInputs": features(d.trainingInput),
           "functions": [{"name": f.name, "inputs": features(f.input), "outputs": features(f.output),
                          "states": features(f.state)} for f in d.functions],
           "defaultFunction": d.defaultFunctionName or None}
    layers = ops = nfunc = weights = params = wbytes = 0
    kinds = {}
    names = []
    for x in models:
        sub, t = x["model"], x["type"]
        if t in NN_TYPES:
            for layer, scope, _, _ in nn_layers(getattr(sub, t)):
                layers += 1
                kind = layer.WhichOneof("layer") or "?"
                kinds[kind] = kinds.get(kind, 0) + 1
                if layer.WhichOneof("layer"):
                    for name, w in nn_weight_fields(getattr(layer, kind)):
                        _, _, count, nbytes, _ = nn_weight_info(w)
                        weights += 1
                        params += count
                        wbytes += nbytes
                        names.append(scope + layer.name + "." + name)
        elif t == "mlProgram":
            for fname, oplist in program_ops(sub.mlProgram):
                nfunc += 1
                for op in oplist:
                    ops += 1
                    kinds[op.type] = kinds.get(op.type, 0) + 1
                    for name, v in blob_refs(op):
                        tt = v.type.tensorType
                        count = 1
                        for dim in tt.dimensions:
                            count *= dim.constant.size
                        weights += 1
                        params += count
                        wbytes += (count * MIL_BITS.get(tt.dataType, 0) + 7) // 8
                        names.append(name)
    trees = nodes = leaves = svs = coefs = examples = 0
    for x in models:
        sub, t = x["model"], x["type"]
        if t in ("treeEnsembleClassifier", "treeEnsembleRegressor"):
            ens = getattr(sub, t).treeEnsemble
            nodes += len(ens.nodes)
            trees += len({n.treeId for n in ens.nodes})
            leaves += sum(1 for n in ens.nodes if n.nodeBehavior == 6)
        elif t in ("glmClassifier", "glmRegressor"):
            g = getattr(sub, t)
            coefs += sum(len(w.value) for w in g.weights) + len(g.offset)
        elif t in ("supportVectorClassifier", "supportVectorRegressor"):
            v = getattr(sub, t)
            which = v.WhichOneof("supportVectors")
            svs += len(getattr(v, which).vectors) if which else 0
            cs = v.coefficients if t == "supportVectorClassifier" else [v.coefficients]
            coefs += sum(len(c.alpha) for c in cs)
        elif t == "kNearestNeighborsClassifier":
            examples += len(sub.kNearestNeighborsClassifier.nearestNeighborsIndex.floatSamples)
    out["counts"] = {"models": len(models), "layers": layers, "operations": ops, "functions": nfunc,
                     "weightTensors": weights, "parameters": params, "weightBytes": wbytes,
                     "trees": trees, "treeNodes": nodes, "treeLeaves": leaves, "supportVectors": svs,
                     "coefficients": coefs, "examples": examples}
    out["kinds"] = kinds
    out["weightNames"] = sorted(names)
    return out


def weight_bytes(pb, path, name):
    import struct
    m, _ = read_model(pb, path)
    for x in walk_models(m):
        sub, t = x["model"], x["type"]
        if t in NN_TYPES:
            for layer, scope, _, _ in nn_layers(getattr(sub, t)):
                if layer.WhichOneof("layer"):
                    for wname, w in nn_weight_fields(getattr(layer, layer.WhichOneof("layer"))):
                        if scope + layer.name + "." + wname == name:
                            return nn_weight_info(w)[4]
        elif t == "mlProgram":
            for _, oplist in program_ops(sub.mlProgram):
                for op in oplist:
                    for wname, v in blob_refs(op):
                        if wname != name:
                            continue
                        rel = v.blobFileValue.fileName.replace("@model_path/", "")
                        spec = spec_path(path)
                        with open(os.path.join(os.path.dirname(spec), rel), "rb") as f:
                            data = f.read()
                        off = v.blobFileValue.offset
                        sentinel, _dtype, size, doff = struct.unpack_from("<IIQQ", data, off)
                        if sentinel != 0xDEADBEEF:
                            raise SystemExit("bad sentinel at %d" % off)
                        return data[doff:doff + size]
    raise SystemExit("no weight named " + name)


def main():
    from google.protobuf import json_format
    pb = load_schema()
    cmd, args = sys.argv[1], [a for a in sys.argv[2:] if not a.startswith("--")]
    flags = [a for a in sys.argv[2:] if a.startswith("--")]
    if cmd == "json":
        m, _ = read_model(pb, args[0])
        print(json_format.MessageToJson(m, preserving_proto_field_name=True))
    elif cmd == "jsoneq":
        m, _ = read_model(pb, args[0])
        with open(args[1]) as f:
            other = json_format.Parse(f.read(), pb.Model())
        if other != m:
            print("JSON does not read back to the same model", file=sys.stderr)
            return 1
    elif cmd == "equal":
        a, _ = read_model(pb, args[0])
        b, _ = read_model(pb, args[1])
        if "--except-metadata" in flags:
            a.description.ClearField("metadata")
            b.description.ClearField("metadata")
        if a != b:
            print("models differ", file=sys.stderr)
            return 1
    elif cmd == "metadata":
        m, _ = read_model(pb, args[0])
        md = m.description.metadata
        out = {"shortDescription": md.shortDescription, "versionString": md.versionString,
               "author": md.author, "license": md.license, "userDefined": dict(md.userDefined)}
        print(json.dumps(out, sort_keys=True))
    elif cmd == "roundtrip":
        m, data = read_model(pb, args[0])
        if m.SerializeToString() != data:
            print("re-serialized bytes differ", file=sys.stderr)
            return 1
    elif cmd == "field":
        m, _ = read_model(pb, args[0])
        v = m
        for part in args[1].split("."):
            v = getattr(v, part)
        print(v)
    elif cmd == "summary":
        m, _ = read_model(pb, args[0])
        t = m.WhichOneof("Type")
        d = m.description
        out = {"specificationVersion": m.specificationVersion, "type": t,
               "inputs": [i.name for i in d.input], "outputs": [o.name for o in d.output]}
        if t in ("neuralNetwork", "neuralNetworkClassifier", "neuralNetworkRegressor"):
            out["layers"] = len(getattr(m, t).layers)
            out["allLayers"] = [{"path": t + p, "name": layer.name, "kind": layer.WhichOneof("layer"), "depth": d}
                                for layer, _, p, d in nn_layers(getattr(m, t))]
        print(json.dumps(out, sort_keys=True))
    elif cmd == "userkeys":
        with open(spec_path(args[0]), "rb") as f:
            for k in user_keys(f.read()):
                print(k)
    elif cmd == "inspect":
        print(json.dumps(inspect_model(pb, args[0]), sort_keys=True))
    elif cmd == "weightbytes":
        with open(args[2], "wb") as f:
            f.write(weight_bytes(pb, args[0], args[1]))
    elif cmd in ("strings", "renamed", "features", "equal-but-desc", "labels", "mkclassifier"):
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import pyiface
        return pyiface.main(pb, read_model, cmd, args, flags)
    else:
        print("unknown command", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
