"""pyiface: the interface checks of tests/t-iface.sh, run through pydecode.py
(python3-protobuf over our schema), written from the schema, not from the
C code.

  pydecode.py strings FILE           every string field: PATH<TAB>VALUE (JSON)
  pydecode.py renamed A B OLD NEW    B is A with every reference to OLD
                                     renamed NEW; prints how many
  pydecode.py features FILE NAME     every feature description named NAME
                                     with its path and shortDescription
  pydecode.py equal-but-desc A B NAME
                                     equal once NAME's shortDescriptions
                                     are cleared in both
  pydecode.py labels FILE            the class labels as JSON (null: none)
  pydecode.py mkclassifier OUT [--const] [--int]
                                     writes a small ML-program classifier
                                     (.mlmodel): classify with a literal list
                                     of classes, or a const op's tensor
"""
import json
import re

# Strings that name a thing rather than refer to a feature, blob or
# variable: they keep the old name after a rename.
LABEL_PATHS = [
    r"(^|\.)layers\[\d+\]\.name$",          # neural-network layer names
    r"\.lossLayers\[\d+\]\.name$",
    r"\.attributes\[\"[^\"]*\"\]",          # ML-program attributes (op names, build info)
    r"(^|\.)description\.metadata\.",       # metadata
    r"\.shortDescription$",
    r"(^|\.)pipeline\.names\[\d+\]$",       # pipeline member names
    r"ClassLabels\.vector\[\d+\]$",         # class labels
    r"(^|\.)description\.functions\[\d+\]\.name$",
    r"(^|\.)description\.defaultFunctionName$",
    r"\.immediateValue\.",                  # literal values
    r"\.opset$",
    r"\.type$",                             # operation types
]


def is_label_path(p):
    return any(re.search(r, p) for r in LABEL_PATHS)


def strings(msg, path="", out=None):
    """{path: value} for every string field below msg (map members by key)"""
    if out is None:
        out = {}
    for fd, val in msg.ListFields():
        p = path + ("." if path else "") + fd.name
        mt = fd.message_type
        if mt is not None and mt.GetOptions().map_entry:
            vfd = mt.fields_by_name["value"]
            for k in val:
                kp = '%s["%s"]' % (p, k) if isinstance(k, str) else "%s[%s]" % (p, k)
                if vfd.message_type is not None:
                    strings(val[k], kp, out)
                elif vfd.type == vfd.TYPE_STRING:
                    out[kp] = val[k]
            continue
        items = [(i, "%s[%d]" % (p, i), v) for i, v in enumerate(val)] if fd.label == fd.LABEL_REPEATED \
            else [(0, p, val)]
        for _, ip, v in items:
            if mt is not None:
                strings(v, ip, out)
            elif fd.type == fd.TYPE_STRING:
                out[ip] = v
    return out


def renamed(a, b, old, new):
    sa, sb = strings(a), strings(b)
    errors = []
    if set(sa) != set(sb):
        errors.append("paths differ: only before %s, only after %s" % (sorted(set(sa) - set(sb))[:5],
                                                                      sorted(set(sb) - set(sa))[:5]))
    n = 0
    for p in sorted(set(sa) & set(sb)):
        want = sa[p]
        if sa[p] == old and not is_label_path(p):
            want = new
            n += 1
        if sb[p] != want:
            errors.append("%s: %r, wanted %r" % (p, sb[p], want))
    left = [p for p in sb if sb[p] == old and not is_label_path(p)]
    if left:
        errors.append("old name still at " + ", ".join(left[:5]))
    return n, errors


def features(m, name):
    out = []
    d = m.description

    def scan(lst, prefix):
        for i, f in enumerate(lst):
            if f.name == name:
                out.append({"path": "%s[%d]" % (prefix, i), "shortDescription": f.shortDescription})
    for fld in ("input", "output", "state", "trainingInput"):
        scan(getattr(d, fld), "description." + fld)
    for j, fn in enumerate(d.functions):
        for fld in ("input", "output", "state"):
            scan(getattr(fn, fld), "description.functions[%d].%s" % (j, fld))
    return out


def clear_desc(m, name):
    d = m.description
    lists = [d.input, d.output, d.state, d.trainingInput]
    for fn in d.functions:
        lists += [fn.input, fn.output, fn.state]
    for lst in lists:
        for f in lst:
            if f.name == name:
                f.ClearField("shortDescription")


PIPELINES = ("pipeline", "pipelineClassifier", "pipelineRegressor")
CLASSIFIERS = ("neuralNetworkClassifier", "glmClassifier", "supportVectorClassifier", "treeEnsembleClassifier",
               "kNearestNeighborsClassifier")


def value_labels(v):
    imm = v.immediateValue
    w = imm.WhichOneof("value")
    if w == "tensor":
        t = imm.tensor
        k = t.WhichOneof("value")
        return list(getattr(t, k).values) if k in ("strings", "longInts", "ints") else None
    if w == "list":
        out = []
        for e in imm.list.values:
            t = e.immediateValue.tensor
            k = t.WhichOneof("value")
            out.append(getattr(t, k).values[0])
        return out
    return None


def all_ops(block):
    for op in block.operations:
        yield op
        for b in op.blocks:
            yield from all_ops(b)


def labels(m):
    t = m.WhichOneof("Type")
    if t in PIPELINES:
        p = m.pipeline if t == "pipeline" else getattr(m, t).pipeline
        for sub in reversed(p.models):
            r = labels(sub)
            if r is not None:
                return r
        return None
    if t in CLASSIFIERS:
        c = getattr(m, t)
        k = c.WhichOneof("ClassLabels")
        return list(getattr(c, k).vector) if k else None
    if t == "nonMaximumSuppression":
        c = m.nonMaximumSuppression
        k = c.WhichOneof("ClassLabels")
        return [str(x) for x in getattr(c, k).vector] if k else None
    if t == "textClassifier":
        c = m.textClassifier
        return list(c.stringClassLabels.vector) if c.WhichOneof("ClassLabels") else None
    if t == "wordTagger":
        c = m.wordTagger
        return list(c.stringTags.vector) if c.WhichOneof("Tags") else None
    if t == "mlProgram":
        for fn in m.mlProgram.functions.values():
            for b in fn.block_specializations.values():
                for op in all_ops(b):
                    if op.type != "classify":
                        continue
                    arg = op.inputs["classes"].arguments[0]
                    if arg.HasField("value"):
                        return value_labels(arg.value)
                    for b2 in fn.block_specializations.values():
                        for c in all_ops(b2):
                            if c.type == "const" and c.outputs and c.outputs[0].name == arg.name:
                                return value_labels(c.attributes["val"])
    return None


def mkclassifier(pb, out, const, ints):
    import FeatureTypes_pb2 as ft
    import MIL_pb2 as mil
    classes = [7, 11, 13] if ints else ["cat", "dog", "bird"]
    m = pb.Model()
    m.specificationVersion = 6
    d = m.description
    x = d.input.add()
    x.name = "x"
    x.shortDescription = "scores"
    x.type.multiArrayType.shape.extend([1, 3])
    x.type.multiArrayType.dataType = ft.ArrayFeatureType.FLOAT32
    o = d.output.add()
    o.name = "classLabel"
    if ints:
        o.type.int64Type.SetInParent()
    else:
        o.type.stringType.SetInParent()
    p = d.output.add()
    p.name = "classLabel_probs"
    if ints:
        p.type.dictionaryType.int64KeyType.SetInParent()
    else:
        p.type.dictionaryType.stringKeyType.SetInParent()
    d.predictedFeatureName = "classLabel"
    d.predictedProbabilitiesName = "classLabel_probs"
    prog = m.mlProgram
    prog.version = 1
    fn = prog.functions["main"]
    fi = fn.inputs.add()
    fi.name = "x"
    fi.type.tensorType.dataType = mil.FLOAT32
    fi.type.tensorType.rank = 2
    for s in (1, 3):
        fi.type.tensorType.dimensions.add().constant.size = s
    fn.opset = "CoreML5"
    blk = fn.block_specializations["CoreML5"]
    elem = mil.INT64 if ints else mil.STRING
    if const:
        c = blk.operations.add()
        c.type = "const"
        co = c.outputs.add()
        co.name = "classes_0"
        co.type.tensorType.dataType = elem
        co.type.tensorType.rank = 1
        co.type.tensorType.dimensions.add().constant.size = 3
        val = c.attributes["val"]
        val.type.CopyFrom(co.type)
        if ints:
            val.immediateValue.tensor.longInts.values.extend(classes)
        else:
            val.immediateValue.tensor.strings.values.extend(classes)
        nm = c.attributes["name"]
        nm.type.tensorType.dataType = mil.STRING
        nm.immediateValue.tensor.strings.values.append("classes_0")
    op = blk.operations.add()
    op.type = "classify"
    op.inputs["probabilities"].arguments.add().name = "x"
    arg = op.inputs["classes"].arguments.add()
    if const:
        arg.name = "classes_0"
    else:
        v = arg.value
        v.type.listType.type.tensorType.dataType = elem
        v.type.listType.length.constant.size = 3
        for cl in classes:
            e = v.immediateValue.list.values.add()
            e.type.tensorType.dataType = elem
            if ints:
                e.immediateValue.tensor.longInts.values.append(cl)
            else:
                e.immediateValue.tensor.strings.values.append(cl)
    o1 = op.outputs.add()
    o1.name = "classLabel"
    o1.type.tensorType.dataType = elem
    o2 = op.outputs.add()
    o2.name = "classLabel_probs"
    o2.type.dictionaryType.keyType.tensorType.dataType = elem
    o2.type.dictionaryType.valueType.tensorType.dataType = mil.FLOAT64
    blk.outputs.extend(["classLabel", "classLabel_probs"])
    with open(out, "wb") as f:
        f.write(m.SerializeToString())


def main(pb, read_model, cmd, args, flags):
    """runs one of the sub-commands above; returns the exit status"""
    import sys
    if cmd == "strings":
        m, _ = read_model(pb, args[0])
        for p, v in strings(m).items():
            print("%s\t%s" % (p, json.dumps(v)))
    elif cmd == "renamed":
        a, _ = read_model(pb, args[0])
        b, _ = read_model(pb, args[1])
        n, errors = renamed(a, b, args[2], args[3])
        for e in errors[:20]:
            print(e, file=sys.stderr)
        print(n)
        return 1 if errors or n == 0 else 0
    elif cmd == "features":
        m, _ = read_model(pb, args[0])
        print(json.dumps(features(m, args[1])))
    elif cmd == "equal-but-desc":
        a, _ = read_model(pb, args[0])
        b, _ = read_model(pb, args[1])
        clear_desc(a, args[2])
        clear_desc(b, args[2])
        if a != b:
            print("models differ", file=sys.stderr)
            return 1
    elif cmd == "labels":
        m, _ = read_model(pb, args[0])
        print(json.dumps(labels(m)))
    elif cmd == "mkclassifier":
        mkclassifier(pb, args[0], "--const" in flags, "--int" in flags)
    else:
        return None
    return 0
