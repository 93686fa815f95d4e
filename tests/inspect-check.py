#!/usr/bin/python3
"""inspect-check: compares what mlpkg's inspection commands print (--json)
with what tests/pydecode.py inspect computes independently.  Used by the
shell tests t-info.sh, t-io.sh, t-layers.sh and t-weights.sh.

  inspect-check.py info MLPKG.json PY.json       spec version, type, members, io, counts
  inspect-check.py io MLPKG.json PY.json         names, types, optional, per function
  inspect-check.py summary MLPKG.json PY.json    layers --summary --json: kinds and total
  inspect-check.py layers MLPKG.json PY.json     layers --json: one entry per layer or op
  inspect-check.py weights MLPKG.json PY.json    weights --json: names and totals
  inspect-check.py npy FILE.npy RAW DESCR SHAPE  an .npy file: header and data
  inspect-check.py unpack RAW BITS SIGNED NPY    sub-byte data unpacked LSB first
Exits 1 with the differences on stderr.
"""
import json
import struct
import sys


def load(p):
    """a JSON file; mlpkg's per-model --json ({"version": 1, "models": [m]})
    gives its one model's object"""
    with open(p) as f:
        d = json.load(f)
    if isinstance(d, dict) and "version" in d and isinstance(d.get("models"), list):
        if len(d["models"]) != 1:
            raise SystemExit("%s: %d models, not one" % (p, len(d["models"])))
        return d["models"][0]
    return d


def io_view(lst):
    return [(f["name"], f["type"], f["optional"]) for f in lst]


def compare(what, a, b, errs):
    if a != b:
        errs.append("%s: mlpkg %r, independent decoder %r" % (what, a, b))


def check_io(m, p, errs):
    for k in ("inputs", "outputs", "states", "trainingInputs"):
        compare(k, io_view(m[k]), io_view(p[k]), errs)
    mf = [(f["name"], io_view(f["inputs"]), io_view(f["outputs"]), io_view(f["states"])) for f in m["functions"]]
    pf = [(f["name"], io_view(f["inputs"]), io_view(f["outputs"]), io_view(f["states"])) for f in p["functions"]]
    compare("functions", mf, pf, errs)
    compare("defaultFunction", m.get("defaultFunction"), p["defaultFunction"], errs)


def main():
    mode = sys.argv[1]
    errs = []
    if mode == "info":
        m, p = load(sys.argv[2]), load(sys.argv[3])
        compare("specificationVersion", m["specificationVersion"], p["specificationVersion"], errs)
        compare("type", m.get("type"), p["type"], errs)
        compare("models", [(x["path"], x.get("type"), x["specificationVersion"]) for x in m["models"]],
                [(x["path"], x["type"], x["specificationVersion"]) for x in p["models"]], errs)
        check_io(m, p, errs)
        for k in ("models", "layers", "operations", "functions", "weightTensors", "parameters", "weightBytes",
                  "trees", "treeNodes", "treeLeaves", "supportVectors", "coefficients", "examples"):
            compare("counts." + k, m["counts"][k], p["counts"][k], errs)
    elif mode == "io":
        check_io(load(sys.argv[2]), load(sys.argv[3]), errs)
    elif mode == "summary":
        m, p = load(sys.argv[2]), load(sys.argv[3])
        compare("kinds", m["kinds"], p["kinds"], errs)
        compare("total", m["total"], p["counts"]["layers"] + p["counts"]["operations"], errs)
    elif mode == "layers":
        m, p = load(sys.argv[2]), load(sys.argv[3])
        compare("layers", len(m["layers"]), p["counts"]["layers"], errs)
        compare("operations", len(m["operations"]), p["counts"]["operations"], errs)
        kinds = {}
        for x in m["layers"]:
            kinds[x["kind"]] = kinds.get(x["kind"], 0) + 1
        for x in m["operations"]:
            kinds[x["kind"]] = kinds.get(x["kind"], 0) + 1
        compare("kinds", kinds, p["kinds"], errs)
    elif mode == "weights":
        m, p = load(sys.argv[2]), load(sys.argv[3])
        compare("names", sorted(w["name"] for w in m["weights"]), p["weightNames"], errs)
        compare("tensors", m["totals"]["tensors"], p["counts"]["weightTensors"], errs)
        if m["totals"]["distinct"] == m["totals"]["tensors"]:
            compare("parameters", m["totals"]["parameters"], p["counts"]["parameters"], errs)
            compare("bytes", m["totals"]["bytes"], p["counts"]["weightBytes"], errs)
    elif mode == "npy":
        path, raw, descr, shape = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
        with open(path, "rb") as f:
            data = f.read()
        if data[:8] != b"\x93NUMPY\x01\x00":
            errs.append("not an .npy 1.0 file")
        else:
            hl = struct.unpack_from("<H", data, 8)[0]
            header = data[10:10 + hl].decode("latin1")
            if (10 + hl) % 64:
                errs.append("header not 64-byte aligned")
            d = eval(header, {"__builtins__": {}}, {"False": False, "True": True})
            compare("descr", d["descr"], descr, errs)
            compare("fortran_order", d["fortran_order"], False, errs)
            compare("shape", list(d["shape"]), json.loads(shape), errs)
            with open(raw, "rb") as f:
                compare("data", data[10 + hl:] == f.read(), True, errs)
    elif mode == "unpack":
        raw, bits, signed, npy = sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1", sys.argv[5]
        with open(raw, "rb") as f:
            src = f.read()
        with open(npy, "rb") as f:
            data = f.read()
        hl = struct.unpack_from("<H", data, 8)[0]
        got = data[10 + hl:]
        n = len(src) * 8 // bits
        want = bytearray()
        for i in range(n):
            v = 0
            for k in range(bits):
                bit = i * bits + k
                v |= ((src[bit // 8] >> (bit % 8)) & 1) << k
            if signed and v & (1 << (bits - 1)):
                v -= 1 << bits
            want.append(v & 0xFF)
        compare("unpacked", got == bytes(want), True, errs)
    else:
        print("unknown mode", file=sys.stderr)
        return 2
    for e in errs:
        print(e, file=sys.stderr)
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
