#!/usr/bin/env python3
"""json-validate: checks one mlpkg --json output against its schema.

    json-validate.py SCHEMA OUTPUT [MODELS]

Exit 0 when OUTPUT is one JSON document valid under SCHEMA (draft 2020-12)
with no object member null (absent is omitted: null only inside arrays) and,
given MODELS, its "models" array has that many entries; else 1 with
the reason on stderr.  MODELS is not checked for a schema without
"models" (dump --json, outside the contract).  Exit 77 when python3-jsonschema is missing."""
import json
import sys

try:
    import jsonschema
except ImportError:
    sys.exit(77)


def main():
    schema_path, out_path = sys.argv[1], sys.argv[2]
    with open(schema_path) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    with open(out_path) as f:
        doc = json.load(f)
    errs = sorted(jsonschema.Draft202012Validator(schema).iter_errors(doc), key=lambda e: list(e.path))
    for e in errs[:5]:
        print("%s: at %s: %s" % (out_path, "/".join(str(p) for p in e.path), e.message[:300]), file=sys.stderr)
    if errs:
        return 1
    nulls = []

    def walk(n, path):
        if isinstance(n, dict):
            for k, v in n.items():
                if v is None:
                    nulls.append(path + [k])
                walk(v, path + [k])
        elif isinstance(n, list):
            for i, v in enumerate(n):
                walk(v, path + [i])

    walk(doc, [])
    for p in nulls[:5]:
        print("%s: at %s: null (absent is omitted)" % (out_path, "/".join(str(x) for x in p)), file=sys.stderr)
    if nulls:
        return 1
    # outputs outside the contract (dump --json) have no models to count
    if len(sys.argv) > 3 and "models" in schema.get("properties", {}) and len(doc["models"]) != int(sys.argv[3]):
        print("%s: %d models, not %s" % (out_path, len(doc["models"]), sys.argv[3]), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
