#!/usr/bin/python3
"""pyspec: the Python side of mlpkg's benchmark.

Does with Debian's python3-protobuf, over our schema compiled by
`protoc --python_out`, what coremltools' load_spec / save_spec do: read the
whole spec file, parse it into a Model message, and for an edit set a
metadata field and serialize the whole message back to the file.

  pyspec.py SCHEMA_DIR get MODEL KEY          load_spec, print a metadata value
  pyspec.py SCHEMA_DIR set MODEL KEY VALUE    load_spec, set it, save_spec in place

MODEL is an .mlmodel or an .mlpackage folder (its root spec, found through
Manifest.json).  KEY is author, license, version, description or a
userDefined key.  save_spec writes the file in place, as coremltools does
(no temp file, no fsync).
"""
import json
import os
import sys

STD = {"author": "author", "license": "license", "version": "versionString",
       "description": "shortDescription"}


def spec_path(path):
    if os.path.isdir(path):
        with open(os.path.join(path, "Manifest.json")) as f:
            m = json.load(f)
        item = m["itemInfoEntries"][m["rootModelIdentifier"]]
        return os.path.join(path, "Data", item["path"])
    return path


def load_spec(pb, path):
    # coremltools.utils.load_spec: read the file, ParseFromString
    spec = pb.Model()
    with open(path, "rb") as f:
        spec.ParseFromString(f.read())
    return spec


def save_spec(spec, path):
    # coremltools.utils.save_spec: SerializeToString, write the file
    with open(path, "wb") as f:
        f.write(spec.SerializeToString())


def main(argv):
    if len(argv) < 5 or argv[2] not in ("get", "set"):
        sys.stderr.write(__doc__)
        return 2
    sys.path.insert(0, argv[1])
    import Model_pb2
    path = spec_path(argv[3])
    key = argv[4]
    spec = load_spec(Model_pb2, path)
    md = spec.description.metadata
    if argv[2] == "get":
        v = getattr(md, STD[key]) if key in STD else md.userDefined.get(key)
        if v is None:
            return 3
        print(v)
        return 0
    if len(argv) != 6:
        sys.stderr.write(__doc__)
        return 2
    if key in STD:
        setattr(md, STD[key], argv[5])
    else:
        md.userDefined[key] = argv[5]
    save_spec(spec, path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
