#!/usr/bin/python3
"""hostile.py: writes hostile inputs for tests/t-hostile.sh.

  hostile.py deep KIND DEPTH OUT      a spec nested DEPTH levels deep
      KIND: pipeline (pipelines inside pipelines), loop (neural-network loop
      layers inside loop bodies), mil (ML-program operations inside blocks),
      type (ML-program list types inside list types), group (unknown groups
      inside groups), unknown (unknown length-delimited fields inside each
      other: never parsed, so valid)
  hostile.py huge-length OUT          a top-level field claiming 2^60 bytes
  hostile.py many KIND N OUT          N userDefined entries: KIND dup (one
                                      key N times) or distinct (N keys)
  hostile.py manifest KIND PKG        rewrites PKG/Manifest.json: dup-root
      (rootModelIdentifier twice), dup-item (an identifier twice), dup-path
      (path twice in the root item), dotdot, absolute, no-root (names no
      item), newer (fileFormatVersion 2.0.0), huge-version
  hostile.py zip KIND PKG OUT         a zip of PKG with: dotdot (an entry
      X.mlpackage/../../evil.txt), absolute (/evil.txt), dup (the spec
      twice, the second another model), lie-deflate (the spec claims 4 GB),
      lie-stored (stored, claims 4 GB in and out), lie-stored-big (the same
      in a 4 MiB archive, whose size alone does not rule the claim out), bomb (the spec is 64 MiB
      of zeros deflated: a real 1000:1 entry), manifest-dotdot (the root
      path leads outside, in the zip), link-out (a link entry leading to
      ../../../../etc); PKG may be any folder (an app's Payload)
"""
import json
import os
import struct
import sys
import zipfile
import zlib


def varint(v):
    b = bytearray()
    while v >= 0x80:
        b.append((v & 0x7F) | 0x80)
        v >>= 7
    b.append(v)
    return bytes(b)


def tag(num, wt=2):
    return varint(num << 3 | wt)


def field(num, payload):
    return tag(num) + varint(len(payload)) + payload


def nest(outer, chain, leaf, depth):
    """outer chain (once) around depth copies of chain around leaf; a chain
    is a list of (bytes before the field, field number), outermost first"""
    prefixes = []
    length = len(leaf)

    def wrap(ch):
        nonlocal length
        parts = []
        for pre, num in reversed(ch):
            hdr = pre + tag(num) + varint(length)
            parts.append(hdr)
            length += len(hdr)
        prefixes.append(b"".join(reversed(parts)))

    for _ in range(depth):
        wrap(chain)
    wrap(outer)
    return b"".join(reversed(prefixes)) + leaf


def deep(kind, depth):
    version = b"\x08\x07"
    if kind == "pipeline":
        # Model { specificationVersion, pipeline { models: Model { ... } } }
        return nest([], [(version, 202), (b"", 1)], version, depth)
    if kind == "loop":
        # neuralNetwork { layers { name, loop { bodyNetwork { layers ... } } } }
        layer = [(b"", 1), (field(1, b"l"), 615), (b"", 4)]
        return version + nest([(b"", 500)], layer, field(1, field(1, b"end")), depth)
    if kind == "mil":
        outer = [(b"", 502), (b"", 2), (field(1, b"main"), 2), (field(2, b"CoreML5"), 3), (field(1, b"CoreML5"), 2),
                 (b"", 3)]
        op = [(field(1, b"cond"), 4), (b"", 3)]
        return version + nest(outer, op, field(1, b"const"), depth)
    if kind == "type":
        outer = [(b"", 502), (b"", 2), (field(1, b"main"), 2), (b"", 1), (field(1, b"x"), 2)]
        return version + nest(outer, [(b"", 2), (b"", 1)], field(1, b"\x08\x0a"), depth)
    if kind == "group":
        return version + tag(9999, 3) * depth + tag(9999, 4) * depth
    if kind == "unknown":
        return version + nest([], [(b"", 9999)], b"", depth)
    raise SystemExit("unknown kind " + kind)


def many(kind, n):
    if kind == "dup":
        entries = field(100, field(1, b"k") + field(2, b"v")) * n
    else:
        entries = b"".join(field(100, field(1, b"k%d" % i) + field(2, b"v")) for i in range(n))
    return b"\x08\x04" + field(2, field(100, field(3, b"me") + entries))


def manifest(kind, pkg):
    path = os.path.join(pkg, "Manifest.json")
    m = json.load(open(path))
    root = m["rootModelIdentifier"]
    item = m["itemInfoEntries"][root]
    text = json.dumps(m, indent=4, sort_keys=True)
    other = [k for k in m["itemInfoEntries"] if k != root]
    if kind == "dup-root":
        text = text.rstrip().rstrip("}") + ',\n    "rootModelIdentifier": "%s"\n}' % (other[0] if other else "X")
    elif kind == "dup-item":
        # the root identifier twice: first naming another path, then the real one
        entries = [json.dumps(root) + ": " + json.dumps(dict(item, path="com.apple.CoreML/other.mlmodel"))]
        entries += [json.dumps(k) + ": " + json.dumps(v) for k, v in m["itemInfoEntries"].items()]
        text = '{"fileFormatVersion": %s, "itemInfoEntries": {%s}, "rootModelIdentifier": %s}' % (
            json.dumps(m["fileFormatVersion"]), ", ".join(entries), json.dumps(root))
    elif kind == "dup-path":
        p = json.dumps(item["path"])
        text = text.replace('"path": %s' % p, '"path": %s, "path": "com.apple.CoreML/other.mlmodel"' % p, 1)
    elif kind in ("dotdot", "absolute", "no-root", "newer", "huge-version"):
        if kind == "dotdot":
            item["path"] = "../../outside/model.mlmodel"
        elif kind == "absolute":
            item["path"] = os.path.abspath(os.path.join(pkg, "..", "outside", "model.mlmodel"))
        elif kind == "no-root":
            m["rootModelIdentifier"] = "NO-SUCH-ITEM"
        elif kind == "newer":
            m["fileFormatVersion"] = "2.0.0"
        else:
            m["fileFormatVersion"] = "99999999999999999999.0.0"
        text = json.dumps(m, indent=4, sort_keys=True)
    else:
        raise SystemExit("unknown kind " + kind)
    open(path, "w").write(text)


def zip_of(kind, pkg, out):
    name = os.path.basename(pkg.rstrip("/"))
    spec_rel = "Data/com.apple.CoreML/model.mlmodel"
    method = zipfile.ZIP_STORED if kind.startswith("lie-stored") else zipfile.ZIP_DEFLATED
    import warnings
    warnings.simplefilter("ignore")
    with zipfile.ZipFile(out, "w", method) as z:
        for d, _, fs in sorted(os.walk(pkg)):
            for f in sorted(fs):
                p = os.path.join(d, f)
                rel = os.path.relpath(p, pkg)
                if kind == "bomb" and rel == spec_rel:
                    z.writestr(name + "/" + rel, bytes(64 << 20), zipfile.ZIP_DEFLATED)
                    continue
                if kind == "manifest-dotdot" and rel == "Manifest.json":
                    m = json.load(open(p))
                    m["itemInfoEntries"][m["rootModelIdentifier"]]["path"] = "../../../evil.mlmodel"
                    z.writestr(name + "/" + rel, json.dumps(m))
                    continue
                z.write(p, name + "/" + rel)
        if kind == "dotdot":
            z.writestr(name + "/../../evil.txt", "evil")
        elif kind == "absolute":
            z.writestr("/evil.txt", "evil")
        elif kind == "link-out":
            zi = zipfile.ZipInfo(name + "/outside")
            zi.create_system = 3
            zi.external_attr = (0o120777 << 16)
            z.writestr(zi, "../../../../etc")
        elif kind == "dup":
            z.writestr(name + "/" + spec_rel, many("distinct", 3))
        elif kind == "lie-stored-big":
            # 4 MiB that do not compress: 1100 times the archive exceeds the lie
            z.writestr(name + "/Data/pad.bin", os.urandom(4 << 20))
    if kind in ("lie-deflate", "lie-stored", "lie-stored-big"):
        b = bytearray(open(out, "rb").read())
        i = 0
        while True:
            i = b.find(b"PK\x01\x02", i)
            if i < 0:
                break
            n = struct.unpack_from("<H", b, i + 28)[0]
            if bytes(b[i + 46:i + 46 + n]).endswith(b"model.mlmodel"):
                off = struct.unpack_from("<I", b, i + 42)[0]
                struct.pack_into("<I", b, i + 24, 0xF0000000)
                struct.pack_into("<I", b, off + 22, 0xF0000000)
                if kind.startswith("lie-stored"):
                    struct.pack_into("<I", b, i + 20, 0xF0000000)
                    struct.pack_into("<I", b, off + 18, 0xF0000000)
            i += 4
        open(out, "wb").write(b)


def main(a):
    if a[0] == "deep":
        open(a[3], "wb").write(deep(a[1], int(a[2])))
    elif a[0] == "huge-length":
        open(a[1], "wb").write(b"\x08\x04" + tag(2) + varint(1 << 60) + b"\x00" * 16)
    elif a[0] == "many":
        open(a[3], "wb").write(many(a[1], int(a[2])))
    elif a[0] == "manifest":
        manifest(a[1], a[2])
    elif a[0] == "zip":
        zip_of(a[1], a[2], a[3])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
