#!/usr/bin/python3
"""run_model_tests.py - compiles and runs Kiln's end-to-end model suite.

For every model folder under --models (as written by export_models.py:
NAME/model.onnx + NAME/test_data_set_K/), runs `kiln compile` into a
temporary directory, then `kiln run libNAME.so --data test_data_set_K
--rtol 1e-4 --atol 0`, so that a model passes when each output's max_abs_err
is at most 1e-4 * max|ref|. Prints one row per model and closes with the line
`N passed, N failed`; exits 1 when any model failed.

With --target cuda[:ARCH] the libraries are compiled for an NVIDIA GPU and
run there (a machine without a CUDA driver or device reports every model as
NO-GPU and exits 77, "skipped"). With --ptxas PTXAS --archs sm_90,sm_80 the
models are not run: each is compiled with --emit=ptx per architecture and
its PTX assembled with CUDA's ptxas, which needs no GPU.

With --model-file model.pt the models' traced TorchScript archives are
compiled instead of model.onnx, their input shape taken from the first
data set (a traced archive of Debian's PyTorch records none).

Usage: run_model_tests.py --kiln build/bin/kiln --models OUTDIR [NAMES...]
       run_model_tests.py ... --target cuda              (on a GPU machine)
       run_model_tests.py ... --ptxas /usr/local/cuda/bin/ptxas --archs sm_90,sm_80
                              [--gpu-precisions fp32,tf32,fp16]
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


NO_GPU_RE = re.compile(r"no CUDA driver|found no CUDA device")


def check_ptx(kiln, mdir, name, tmp, args):
    """Compiles one model to PTX per architecture and assembles it."""
    res = {"name": name, "compile_s": 0.0, "run_s": None, "ratio": None,
           "result": "PASS", "log": ""}
    for arch, precision in [(a, p) for a in args.archs.split(",")
                            for p in args.gpu_precisions.split(",")]:
        ptx = os.path.join(tmp, "%s_%s_%s.ptx" % (name, arch, precision))
        rc, out, secs = run([kiln, "compile", os.path.join(mdir, "model.onnx"),
                             "--target=cuda:" + arch, "--emit=ptx",
                             "--gpu-precision=" + precision, "-o", ptx],
                            args.timeout)
        res["compile_s"] += secs
        res["log"] += out
        if rc != 0:
            res["result"] = "COMPILE-ERROR"
            return res
        rc, out, _ = run([args.ptxas, "-arch=" + arch, ptx, "-o", os.devnull],
                         args.timeout)
        res["log"] += out
        if rc != 0:
            res["result"] = "PTXAS-ERROR (%s, %s)" % (arch, precision)
            return res
    return res


def shape_options(kiln, model, mdir, timeout):
    """--input-shape for a TorchScript archive's one input, from the first
    data set's input_0.npy (the name from `kiln inspect`)."""
    if not model.endswith(".pt"):
        return []
    import numpy as np
    rc, out, _ = run([kiln, "inspect", model], timeout)
    m = re.search(r"^inputs:\n\s+(\S+):", out, re.M)
    data = os.path.join(mdir, "test_data_set_0", "input_0.npy")
    if rc != 0 or not m or not os.path.exists(data):
        return []
    dims = "x".join(str(d) for d in np.load(data).shape)
    return ["--input-shape", "%s=%s" % (m.group(1), dims)]


def test_model(kiln, mdir, name, tmp, args):
    """Compiles and runs one model; returns a result dict."""
    if args.ptxas:
        return check_ptx(kiln, mdir, name, tmp, args)
    lib = os.path.join(tmp, "lib%s.so" % name)
    target = ["--target=" + args.target] if args.target else []
    model = os.path.join(mdir, args.model_file)
    rc, out, csecs = run([kiln, "compile", model, "-o", lib] + target +
                         shape_options(kiln, model, mdir, args.timeout),
                         args.timeout)
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
        elif rc != 0 and NO_GPU_RE.search(out):
            res["result"] = "NO-GPU"
            return res
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
    ap.add_argument("--target", default="",
                    help="kiln compile --target (cpu, cuda, cuda:sm_80, ...)")
    ap.add_argument("--ptxas", default="",
                    help="check PTX with this ptxas instead of running")
    ap.add_argument("--archs", default="sm_90,sm_80",
                    help="architectures for --ptxas, comma-separated")
    ap.add_argument("--gpu-precisions", default="fp32",
                    help="--gpu-precision values for --ptxas, comma-separated")
    ap.add_argument("--model-file", default="model.onnx",
                    help="the file of each model folder to compile "
                         "(model.onnx, or model.pt: TorchScript)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print kiln's output for passing models too")
    ap.add_argument("names", nargs="*", help="models to test (default: all)")
    args = ap.parse_args()

    kiln = os.path.abspath(args.kiln)
    names = args.names or sorted(
        d for d in os.listdir(args.models)
        if os.path.isfile(os.path.join(args.models, d, args.model_file)))
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
            if args.verbose or r["result"] not in ("PASS", "NO-GPU"):
                print("  " + r["log"].strip().replace("\n", "\n  "), flush=True)

    print()
    print_table(results)
    passed = sum(r["result"] == "PASS" for r in results)
    no_gpu = sum(r["result"] == "NO-GPU" for r in results)
    failed = len(results) - passed - no_gpu
    print("%d passed, %d failed" % (passed, failed))
    if no_gpu:
        print("%d not run: this machine has no CUDA driver or device" % no_gpu)
        if not failed and not passed:
            return 77
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
