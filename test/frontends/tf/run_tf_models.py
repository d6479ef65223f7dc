#!/usr/bin/env python3
"""run_tf_models.py - compiles and runs TensorFlow models (TensorFlow.js
graph models, frozen GraphDefs) with `kiln` and compares every output with
the reference TensorFlow or TensorFlow.js computed.

Each model folder holds the model (NAME.json + weight shards, or graph.pb), io.json (inputs and
outputs: name, file, dtype, shape) and the input_K.npy / output_K.npy
arrays. A model passes when it compiles with the inputs' shapes (or an
input's compile_shape, where "?" leaves a dim dynamic) and the outputs
io.json names, and every output is within 1e-4 x max|ref| of the
reference (integer outputs exactly). Prints one line per model and a
summary; `--expect-pass NAMES` fails (exit 1) when one of NAMES does not
pass, so CI keeps what passed before. Exit 77 (skipped) without the models.

`--tolerance MODEL:OUTPUT=RTOL,...` relaxes single outputs whose reference
cannot be met by any other implementation (the caller states why); the
line for such a model says so.

`--int-bits MODEL:OUTPUT,...` names float32 references that hold int32
bytes: TensorFlow.js's CPU backend casts int32 to float32 by relabelling
the int32 buffer, so a reference saved from that buffer's bytes holds the
integers' bit patterns (100 reads as 1.4e-43). Those references are
decoded as int32 and compared as the floats they stand for.

Usage: run_tf_models.py --kiln KILN --models DIR [--work DIR]
                          [--expect-pass a,b,... | --expect-all]
                          [--only a,b,...] [--jobs N]
                          [--tolerance MODEL:OUTPUT=RTOL,...]
                          [--int-bits MODEL:OUTPUT,...]
"""
import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile


def run_model(kiln, folder, work, loose, int_bits=()):
    name = os.path.basename(folder)
    io = json.load(open(os.path.join(folder, "io.json")))
    model = os.path.join(folder, io["model"])
    lib = os.path.join(work, "lib%s.so" % name.replace("-", "_"))
    cmd = [kiln, "compile", model, "-o", lib,
           "--outputs", ",".join(o["name"] for o in io["outputs"])]
    for i in io["inputs"]:
        # compile_shape ("?" for a dim left dynamic), else the data's shape.
        dims = i.get("compile_shape", i["shape"])
        cmd += ["--input-shape",
                "%s=%s" % (i["name"], "x".join(str(d) for d in dims))]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        first = (r.stderr.strip().splitlines() or ["?"])[0]
        errors = r.stderr.count("kiln: error:")
        return False, "compile: %s%s" % (first, " (+%d more)" % (errors - 1)
                                         if errors > 1 else "")
    # One run per tolerance: integer outputs exactly, float ones within
    # 1e-4 x max|ref| unless `loose` (OUTPUT -> rtol) relaxes them.
    groups = {}
    for o in io["outputs"]:
        exact = not o["dtype"].startswith("float")
        rtol = "0" if exact else loose.get(o["name"], "1e-4")
        groups.setdefault(rtol, []).append(o)
    for rtol, outputs in sorted(groups.items()):
        cmd = [kiln, "run", lib]
        for i in io["inputs"]:
            cmd += ["--input", "%s=%s" % (i["name"], os.path.join(folder, i["file"]))]
        for o in outputs:
            ref = os.path.join(folder, o["file"])
            if o["name"] in int_bits:
                import numpy
                decoded = os.path.join(work, "%s_%s.npy" % (name, o["name"]))
                numpy.save(decoded, numpy.load(ref).view(numpy.int32)
                           .astype(numpy.float32))
                ref = decoded
            cmd += ["--expect", "%s=%s" % (o["name"], ref)]
        r = subprocess.run(cmd + ["--rtol", rtol, "--atol", "0"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            lines = [l for l in (r.stdout + r.stderr).splitlines()
                     if "FAIL" in l or "error" in l]
            return False, "run: %s" % (lines[0] if lines else "exit %d" % r.returncode)
    if loose:
        return True, "%d outputs match (%s within %s)" % (
            len(io["outputs"]), ", ".join(loose), ", ".join(loose.values()))
    return True, "%d outputs match" % len(io["outputs"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kiln", required=True)
    ap.add_argument("--models", required=True)
    ap.add_argument("--work")
    ap.add_argument("--expect-pass", default="")
    ap.add_argument("--expect-all", action="store_true",
                    help="every model must pass")
    ap.add_argument("--only", default="")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--tolerance", default="",
                    help="MODEL:OUTPUT=RTOL,... for single outputs")
    ap.add_argument("--int-bits", default="",
                    help="MODEL:OUTPUT,... float32 references holding int32 bytes")
    args = ap.parse_args()
    int_bits = {}
    for item in filter(None, args.int_bits.split(",")):
        model, output = item.split(":")
        int_bits.setdefault(model, set()).add(output)
    loose = {}
    for item in filter(None, args.tolerance.split(",")):
        where, rtol = item.split("=")
        model, output = where.split(":")
        loose.setdefault(model, {})[output] = rtol
    if not os.path.isdir(args.models):
        print("run_tf_models.py: no models at %s: skipped" % args.models)
        return 77  # ctest's SKIP_RETURN_CODE
    work = args.work or tempfile.mkdtemp(prefix="kiln-tf-")
    os.makedirs(work, exist_ok=True)
    only = [n for n in args.only.split(",") if n]
    names = sorted(n for n in os.listdir(args.models)
                   if os.path.isfile(os.path.join(args.models, n, "io.json"))
                   and (not only or n in only))
    passed = set()
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        results = pool.map(
            lambda n: run_model(args.kiln, os.path.join(args.models, n), work,
                                loose.get(n, {}), int_bits.get(n, set())),
            names)
        for n, (ok, why) in zip(names, results):
            print("%-26s %s  %s" % (n, "PASS" if ok else "FAIL", why),
                  flush=True)
            if ok:
                passed.add(n)
    print("%d of %d models pass" % (len(passed), len(names)))
    expected = names if args.expect_all else args.expect_pass.split(",")
    lost = [n for n in expected if n and n not in passed]
    if lost:
        print("expected to pass but did not: %s" % ", ".join(lost))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
