#!/usr/bin/python3
"""malformed.py: damaged models through every mlpkg command (tests/t-malformed.sh).

For each subject (an .mlmodel, a package folder or a zipped package) it makes
variants -- truncated at many offsets, or with a few bytes changed; for a
package, the spec, Manifest.json and weight.bin each in turn -- all from a
seed derived from the subject's name, so every run makes the same ones.  Each
variant goes through the read-only commands (the browser too, headless, through
each of its views), the writing ones to another file (`meta set -o OUT`,
`describe -o` and `rename -o` of the subject's first input, `unpack -o` of a
zip) and an in-place `meta set` on a copy.  Every run must end in time with a valid
answer (exit 0; JSON that parses for --json) or a clean error (exit 1..5, one
line "mlpkg: ..." naming the file); no sanitizer report; the variant itself
never modified; an in-place edit either done (the key reads back) or refused
with the copy byte-identical; no temp file left anywhere.

Prints one line per subject: "PASS label: details" or "FAIL label: details",
then "# ..." lines describing the first failures.
"""
import argparse
import concurrent.futures
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import time
import zlib

SAN_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:", "SUMMARY: UndefinedBehaviorSanitizer")


def tree_digest(path):
    """hash of a file, or of every file (name, mode, bytes) below a folder"""
    h = hashlib.sha256()
    if os.path.isdir(path):
        for d, dirs, files in os.walk(path):
            dirs.sort()
            for f in sorted(files + [x for x in dirs if os.path.islink(os.path.join(d, x))]):
                p = os.path.join(d, f)
                h.update(os.path.relpath(p, path).encode() + b"\0")
                if os.path.islink(p):
                    h.update(b"link:" + os.readlink(p).encode())
                elif os.path.isfile(p):
                    with open(p, "rb") as fp:
                        h.update(fp.read())
    else:
        with open(path, "rb") as fp:
            h.update(fp.read())
    return h.hexdigest()


def temp_leftovers(folder):
    """our temp files below folder (.NAME.mlpkg-XXXXXX, NAME.mlpkg-tmp-PID...)"""
    out = []
    for d, dirs, files in os.walk(folder):
        for f in files + dirs:
            if ".mlpkg-" in f:
                out.append(os.path.join(d, f))
    return out


def offsets(n, count, rnd):
    """count truncation points: the first byte, the last one, the rest spread
    evenly (with some jitter) over the file"""
    pts = {1, n - 1}
    for k in range(1, count - 1):
        p = n * k // (count - 1) + rnd.randint(-8, 8)
        pts.add(min(max(p, 1), n - 1))
    return sorted(pts)[:count]


def flip(data, rnd):
    """a copy of data with 1 to 4 bytes changed, half of them near either end"""
    b = bytearray(data)
    n = len(b)
    for _ in range(rnd.randint(1, 4)):
        r = rnd.random()
        if r < 0.25:
            i = rnd.randrange(min(n, 4096))
        elif r < 0.5:
            i = n - 1 - rnd.randrange(min(n, 4096))
        else:
            i = rnd.randrange(n)
        b[i] ^= rnd.choice((0x01, 0x80, 0xff, rnd.randint(1, 255)))
    return bytes(b)


class Runner:
    def __init__(self, args):
        self.mlpkg = args.mlpkg
        self.tmp = args.tmp
        self.timeout = args.timeout
        self.commands = set(subprocess.run([self.mlpkg, "--complete-commands"], capture_output=True,
                                           text=True).stdout.split())
        env = dict(os.environ)
        # a sanitizer report must not pass for a clean error (exit 1)
        env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") + ":exitcode=99").lstrip(":")
        env["UBSAN_OPTIONS"] = (env.get("UBSAN_OPTIONS", "") + ":exitcode=98").lstrip(":")
        env.pop("MLPKG_MODEL", None)
        env["MLPKG_LOCK_TIMEOUT"] = "5"
        self.env = env
        # the browser, headless: every view, the end of each list, a detail
        os.makedirs(self.tmp, exist_ok=True)
        self.keys = os.path.join(self.tmp, "browse-keys")
        with open(self.keys, "w") as fp:
            fp.write("\n".join(["2", "G", "Enter", "Esc", "3", "G", "4", "G", "Enter", "Esc", "5", "G", "Enter", "q"]) + "\n")
        self.browse_env = dict(env, MLPKG_NO_DISPLAY="1", MLPKG_SCRIPT=self.keys)

    def first_input(self, path):
        """the name of the subject's first input (None when it has none)"""
        if "io" not in self.commands:
            return None
        try:
            p = subprocess.run([self.mlpkg, "io", "--json", path], capture_output=True, timeout=self.timeout, env=self.env)
            ins = json.loads(p.stdout.decode("utf-8"))["models"][0]["inputs"]
            return ins[0]["name"] if ins else None
        except (subprocess.TimeoutExpired, ValueError, KeyError, TypeError):
            return None

    def reads(self, big):
        """the read-only invocations of the commands this mlpkg has"""
        v = [["dump"], ["meta"], ["meta", "get", "author"]]
        if not big:
            v.append(["dump", "--json"])
        for c, extra in (("info", ["--json"]), ("io", ["--json"]), ("layers", ["--json"]), ("weights", []), ("labels", []),
                         ("get", ["--json", "description"]), ("check", ["--json"]), ("graph", [])):
            if c in self.commands:
                v.append([c] + extra)
        return v

    def run(self, argv, names, codes=None, env=None):
        """runs mlpkg argv (its exit status appended to codes); returns a
        list of problems (empty when clean)"""
        try:
            p = subprocess.run([self.mlpkg] + argv, capture_output=True, timeout=self.timeout, env=env or self.env)
        except subprocess.TimeoutExpired:
            return ["%s: hung (no answer in %d s)" % (" ".join(argv), self.timeout)]
        if codes is not None:
            codes.append(p.returncode)
        err = p.stderr.decode("utf-8", "replace")
        probs = []
        if any(m in err for m in SAN_MARKERS):
            probs.append("sanitizer report: " + " | ".join(l for l in err.splitlines() if any(m in l for m in SAN_MARKERS))[:300])
        if p.returncode < 0 or p.returncode >= 128:
            probs.append("killed by a signal or crashed (exit %d)" % p.returncode)
        elif p.returncode > 5:
            probs.append("exit %d" % p.returncode)
        elif p.returncode == 0 or (argv[0] == "check" and p.returncode == 1 and p.stdout):
            # (check answers "problems found" with exit 1)
            if "--json" in argv:
                try:
                    json.loads(p.stdout.decode("utf-8"))
                except ValueError as e:
                    probs.append("--json output that does not parse: %s" % e)
        else:
            lines = [l for l in err.splitlines() if not l.startswith("mlpkg: warning:")]
            if len(lines) != 1 or not lines[0].startswith("mlpkg: "):
                probs.append("exit %d without one error line: %r" % (p.returncode, err[:300]))
            elif not any(n in lines[0] for n in names):
                probs.append("error does not name the file: %r" % lines[0][:300])
        return ["%s: %s" % (" ".join(argv), x) for x in probs]

    def variant(self, vpath, big, workdir, feature=None, kind=None):
        """every check on one variant; returns problems"""
        probs, codes = [], []
        base = os.path.basename(vpath)
        before = tree_digest(vpath)
        for argv in self.reads(big):
            probs += self.run(argv + [vpath], [base])
        if "browse" in self.commands:
            probs += self.run(["browse", vpath], [base], env=self.browse_env)
        out = os.path.join(workdir, "out-" + base)

        def remove_out():
            if os.path.isdir(out) and not os.path.islink(out):
                shutil.rmtree(out)
            elif os.path.lexists(out):
                os.unlink(out)
        writes = []
        if feature is not None:
            writes += [c for c in (["describe", "-o", out, feature, "damaged"],
                                   ["rename", "-o", out, feature, feature + "_renamed"]) if c[0] in self.commands]
        if kind == "zip" and "unpack" in self.commands:
            writes.append(["unpack", "-o", os.path.join(out, "u.mlpackage")])
        for argv in writes:
            if argv[0] == "unpack":
                os.makedirs(out)
            probs += self.run(argv + [vpath], [base, "out-" + base])
            if os.path.isdir(out) and temp_leftovers(out):
                probs.append("%s: temp files left" % " ".join(argv[:1]))
            remove_out()
        r = self.run(["meta", "set", "-o", out, "fuzz.key", "v", vpath], [base, "out-" + base], codes)
        probs += r
        remove_out()
        if tree_digest(vpath) != before:
            probs.append("a read or -o modified the model")
        if codes and codes[-1] == 4:
            return probs  # refused as invalid: in place it is refused the same way (t-meta tests that)
        # in place, on a copy
        copy = os.path.join(workdir, "copy-" + base)
        if os.path.isdir(vpath):
            shutil.copytree(vpath, copy, symlinks=True)
        else:
            shutil.copyfile(vpath, copy)
        r = self.run(["meta", "set", "fuzz.key", "v", copy], ["copy-" + base])
        probs += r
        try:
            got = subprocess.run([self.mlpkg, "meta", "get", "fuzz.key", copy], capture_output=True,
                                 timeout=self.timeout, env=self.env).stdout
        except subprocess.TimeoutExpired:
            got = None
            probs.append("meta get fuzz.key after the edit: hung (no answer in %d s)" % self.timeout)
        if got == b"v\n":
            pass  # edited, and the edit reads back
        elif tree_digest(copy) != before:
            probs.append("meta set in place: neither done nor refused cleanly (the copy changed)")
        left = temp_leftovers(workdir)
        if left:
            probs.append("temp files left: %s" % ", ".join(os.path.basename(x) for x in left))
        if os.path.isdir(copy):
            shutil.rmtree(copy)
        else:
            os.unlink(copy)
        return probs


def make_variants(subject, kind, label, count, vdir):
    """writes the variants of subject into vdir; yields their paths"""
    rnd = random.Random(zlib.crc32(label.encode()))
    name = os.path.basename(subject.rstrip("/"))
    if kind == "package":
        spec = os.path.join("Data", "com.apple.CoreML", "model.mlmodel")
        try:
            m = json.load(open(os.path.join(subject, "Manifest.json")))
            e = m["itemInfoEntries"][m["rootModelIdentifier"]]
            spec = os.path.join("Data", e["path"])
        except (ValueError, KeyError, OSError):
            pass
        parts = [spec, "Manifest.json"]
        w = os.path.join("Data", "com.apple.CoreML", "weights", "weight.bin")
        if os.path.isfile(os.path.join(subject, w)):
            parts.append(w)
        k = 0
        for part in parts:
            data = open(os.path.join(subject, part), "rb").read()
            n = max(min(4, count), count // len(parts))
            muts = [data[:o] for o in offsets(len(data), n // 2, rnd)] + [flip(data, rnd) for _ in range(n - n // 2)]
            for mdata in muts:
                k += 1
                v = os.path.join(vdir, "v%03d-%s" % (k, name))
                shutil.copytree(subject, v, symlinks=True, copy_function=os.link)
                target = os.path.join(v, part)
                os.unlink(target)
                with open(target, "wb") as fp:
                    fp.write(mdata)
                yield v
                shutil.rmtree(v)
        return
    data = open(subject, "rb").read()
    muts = [data[:o] for o in offsets(len(data), count // 2, rnd)] + [flip(data, rnd) for _ in range(count - count // 2)]
    for k, mdata in enumerate(muts):
        v = os.path.join(vdir, "v%03d-%s" % (k, name))
        with open(v, "wb") as fp:
            fp.write(mdata)
        yield v
        os.unlink(v)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mlpkg", required=True)
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--variants", type=int, default=10, help="variants per subject")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=30)
    ap.add_argument("subjects", nargs="+", help="LABEL=PATH")
    args = ap.parse_args()
    r = Runner(args)
    failed = 0

    def one(idx, label, path):
        kind = "package" if os.path.isdir(path) else "zip" if open(path, "rb").read(2) == b"PK" else "mlmodel"
        size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs) \
            if kind == "package" else os.path.getsize(path)
        big = size > (1 << 20)
        count = args.variants if size < (1 << 20) else max(min(4, args.variants), args.variants // 2)
        work = os.path.join(args.tmp, "s%03d" % idx)
        vdir = os.path.join(work, "variants")
        os.makedirs(vdir)
        if kind == "package":
            # a private copy: variants hard-link its unchanged files
            own = os.path.join(work, "orig", os.path.basename(path.rstrip("/")))
            shutil.copytree(path, own, symlinks=True)
            path = own
        probs, nv, t0 = [], 0, time.time()
        feature = r.first_input(path)
        for v in make_variants(path, kind, label, count, vdir):
            nv += 1
            for p in r.variant(v, big, work, feature, kind):
                probs.append("%s: %s" % (os.path.basename(v), p))
        shutil.rmtree(work)
        return label, kind, nv, probs, time.time() - t0

    subjects = [s.split("=", 1) for s in args.subjects]
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as ex:
        futs = [ex.submit(one, i, lab, p) for i, (lab, p) in enumerate(subjects)]
        for f in futs:
            label, kind, nv, probs, secs = f.result()
            if probs:
                failed += 1
                print("FAIL %s (%s): %d variants, %d problems" % (label, kind, nv, len(probs)))
                for p in probs[:8]:
                    print("# " + p)
            else:
                print("PASS %s (%s): %d variants, every command clean (%.1f s)" % (label, kind, nv, secs))
            sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
