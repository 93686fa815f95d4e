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
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile

PROTO_DIR = os.environ.get("PROTO_DIR") or os.path.join(os.path.dirname(__file__), "..", "src", "proto")


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


def main():
    from google.protobuf import json_format
    pb = load_schema()
    cmd, args = sys.argv[1], [a for a in sys.argv[2:] if not a.startswith("--")]
    flags = [a for a in sys.argv[2:] if a.startswith("--")]
    if cmd == "json":
        m, _ = read_model(pb, args[0])
        print(json_format.MessageToJson(m, preserving_proto_field_names=True))
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
        print(json.dumps(out, sort_keys=True))
    elif cmd == "userkeys":
        with open(spec_path(args[0]), "rb") as f:
            for k in user_keys(f.read()):
                print(k)
    else:
        print("unknown command", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
