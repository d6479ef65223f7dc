#!/usr/bin/python3
"""run_model_tests.py - compiles and runs Kiln's end-to-end model suite.

For every model folder under --models (as written by export_models.py:
NAME/model.onnx + NAME/test_data_set_K/), runs `kiln compile` into a
temporary directory, then `kiln run libNAME.so --data test_data_set_K
--rtol 1e-4 --atol 0`, so that a model passes when each output's max_abs_err
is at most 1e-4 * max|ref|. Prints one row per model and closes with the line
`N passed, N failed`; exits 1 when any model failed.

Usage: run_model_tests.py --kiln build/bin/kiln --models OUTDIR [NAMES...]
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

ERR_RE = re.compile(r"max_abs_err=(\S+).*?\(max\|ref\|=([^)\s]+)\)")


def run(cmd, timeout):
    """Runs CMD; returns (exit code, stdout+stderr, seconds)."""
    start = time.time()
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=timeout)
        return p.returncode, p.stdout, time.time() - start
    except subprocess.TimeoutExpired as e:
        out = e.stdout or ""
        if isinstance(out, bytes):
            out = out.decode(errors="replace")
        out += "\ntimed out after %d s" % timeout
        return 124, out, time.time() - start


def worst_ratio(output):
    """Largest max_abs_err / max|ref| over the outputs `kiln run` printed."""
    worst = None
    for m in ERR_RE.finditer(output):
        err, ref = float(m.group(1)), float(m.group(2))
        ratio = err / ref if ref > 0 else err
        worst = ratio if worst is None else max(worst, ratio)
    return worst


def test_model(kiln, mdir, name, tmp, args):
    """Compiles and runs one model; returns a result dict."""
    lib = os.path.join(tmp, "lib%s.so" % name)
    rc, out, csecs = run([kiln, "compile", os.path.join(mdir, "model.onnx"),
                          "-o", lib], args.timeout)
    res = {"name": name, "compile_s": csecs, "run_s": None, "ratio": None,
           "result": "PASS", "log": out}
    if rc != 0:
        res["result"] = "COMPILE-ERROR"
        return res
    # One library runs every data set (a dynamic-batch model has several,
    # at different batch sizes).
    sets = sorted(d for d in os.listdir(mdir) if d.startswith("test_data_set_"))
    res["run_s"] = 0.0
    for data in sets:
        rc, out, rsecs = run([kiln, "run", lib,
                              "--data", os.path.join(mdir, data),
                              "--rtol", str(args.rtol), "--atol", "0"],
                             args.timeout)
        ratio = worst_ratio(out)
        if ratio is not None:
            res["ratio"] = max(ratio, res["ratio"] or 0.0)
        res["run_s"] += rsecs
        res["log"] += "%s:\n%s" % (data, out)
        if rc == 1:
            res["result"] = "FAIL"
        elif rc != 0:
            res["result"] = "RUN-ERROR"
    return res


def print_table(results):
    print("| model | result | compile s | run s | max err / max ref |")
    print("|---|---|---|---|---|")
    for r in results:
        run_s = "%.2f" % r["run_s"] if r["run_s"] is not None else "-"
        ratio = "%.2e" % r["ratio"] if r["ratio"] is not None else "-"
        print("| %s | %s | %.2f | %s | %s |"
              % (r["name"], r["result"], r["compile_s"], run_s, ratio))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kiln", required=True, help="path to the kiln binary")
    ap.add_argument("--models", required=True, help="export_models.py OUTDIR")
    ap.add_argument("--rtol", type=float, default=1e-4)
    ap.add_argument("--timeout", type=int, default=900,
                    help="seconds per compile or run")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print kiln's output for passing models too")
    ap.add_argument("names", nargs="*", help="models to test (default: all)")
    args = ap.parse_args()

    kiln = os.path.abspath(args.kiln)
    names = args.names or sorted(
        d for d in os.listdir(args.models)
        if os.path.isfile(os.path.join(args.models, d, "model.onnx")))
    if not names:
        print("no models under %s" % args.models, file=sys.stderr)
        return 2

    results = []
    with tempfile.TemporaryDirectory(prefix="kiln-models-") as tmp:
        for name in names:
            mdir = os.path.join(args.models, name)
            r = test_model(kiln, mdir, name, tmp, args)
            results.append(r)
            print("%-14s %s" % (name, r["result"]), flush=True)
            if args.verbose or r["result"] != "PASS":
                print("  " + r["log"].strip().replace("\n", "\n  "), flush=True)

    print()
    print_table(results)
    passed = sum(r["result"] == "PASS" for r in results)
    failed = len(results) - passed
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
