#!/usr/bin/python3
"""conformance.py - ONNX's backend test suites through Kiln's compiled libraries.

Every case (a folder with model.onnx and test_data_set_*/input_K.pb,
output_K.pb) runs through a compiled library: `kiln run model.onnx --data
SET --output-dir OUT` compiles the model into a library (inputs that feed
shape operands, such as Reshape's shape, compiled in from the data set as
--freeze would) and runs it; each output is compared with its reference element by element as ONNX's runner
does: |out - ref| <= atol + rtol * |ref| (rtol 1e-3, atol 1e-7; float16
outputs rtol 4e-3, atol 1e-3, a few half-precision ulps; NaN must meet NaN;
integer and bool outputs exactly). A case passes when every
output of every data set does.

Suites (default: Debian's libonnx-testdata, node, simple,
pytorch-converted, pytorch-operator) are folders of cases; --suite names
others, as PATH or NAME=PATH (current ONNX's node suite, which
test/onnx_backend/current_onnx.sh generates). Cases outside a model
compiler's job (string tensors, training-only ops, random outputs) are
left out with their reason (EXCLUDED below) and listed in the markdown.

  --markdown FILE   writes the per-suite, per-op table (docs/conformance.md)
  --baseline FILE   runs only the cases FILE lists (SUITE/CASE per line) and
                    fails when one of them fails: CI's regression check
  --write-baseline FILE  writes the passing cases

Usage (the table in docs/conformance.md):
  test/onnx_backend/conformance.py --kiln build/bin/kiln --jobs 2 \\
      --markdown docs/conformance.md --write-baseline test/onnx_backend/baseline.txt
"""

import argparse
import collections
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

DEBIAN = "/usr/share/libonnx-testdata/data"
DEFAULT_SUITES = ["node", "simple", "pytorch-converted", "pytorch-operator"]
ERROR_RE = re.compile(r"kiln: error: (.*)")

# Cases outside what a model compiler is for, with the reason each is left
# out; they are listed in the markdown and not counted in the percentages.
EXCLUDED = [
    (re.compile(r"^test_(strnorm|string|regex)|STRING|_string"),
     "string tensors (Kiln compiles numeric tensors)"),
    (re.compile(r"^test_(adagrad|adam|momentum|nesterov_momentum|gradient_of)"),
     "training-only op (an optimizer step or a gradient)"),
    (re.compile(r"^test_training_dropout(?!_zero_ratio)"),
     "training-mode Dropout draws a random mask"),
    (re.compile(r"^test_(bernoulli|random)"), "random output"),
    (re.compile(r"^test_image_decoder"), "decodes image files"),
]


def excluded(case):
    """Why CASE is left out, or None."""
    for pattern, why in EXCLUDED:
        if pattern.search(case):
            return why
    return None


def read_baseline(path):
    with open(path) as f:
        return [l.split("#", 1)[0].strip() for l in f if l.split("#", 1)[0].strip()]


def ops_of(model):
    """The op types of MODEL's graph (sorted, distinct), or ["?"]."""
    try:
        import onnx
        graph = onnx.load(model, load_external_data=False).graph
        return sorted({n.op_type for n in graph.node}) or ["(none)"]
    except Exception:
        return ["(unreadable)"]


def reason(text):
    """A short why from kiln's output: its first error line, shortened."""
    m = ERROR_RE.search(text)
    line = m.group(1) if m else (text.strip().splitlines() or ["?"])[-1]
    line = re.sub(r"'[^']*/", "'", line)        # paths
    line = re.sub(r"node '[^']*'", "node", line)
    return line[:110]


def compare(out, ref, rtol, atol):
    """None when OUT matches REF, else why not."""
    if out.shape != ref.shape:
        return "shape %s, expected %s" % (list(out.shape), list(ref.shape))
    if ref.dtype.kind not in "biufc" or (out.dtype.kind == "u" and
                                         ref.dtype.kind == "f" and
                                         ref.dtype.itemsize == 1):
        # bfloat16 and the 8/4/2-bit types (ml_dtypes): kiln writes their
        # bits, one element per byte for the sub-byte ones.
        bits = {"int4": 4, "uint4": 4, "int2": 2, "uint2": 2}.get(ref.dtype.name)
        if bits:
            v = out.astype(np.int64) & ((1 << bits) - 1)
            if not ref.dtype.name.startswith("u"):
                v = np.where(v >> (bits - 1), v - (1 << bits), v)
            out, ref = v, ref.astype(np.int64)
        elif ref.dtype.name == "float4_e2m1fn":
            out = (out & 0xF).view(ref.dtype)
        else:
            out = out.view(ref.dtype)
    if ref.dtype.name == "bfloat16":
        # A few bfloat16 ulps (8 significant bits) for computed results.
        rtol, atol = max(rtol, 2e-2), max(atol, 1e-2)
    if ref.dtype.kind in "biu" or ref.dtype == np.bool_:
        bad = np.count_nonzero(out.astype(ref.dtype) != ref)
        return "%d of %d elements differ" % (bad, ref.size) if bad else None
    if ref.dtype == np.float16:
        # A few half-precision ulps: each fp16 op rounds to 11 bits.
        rtol, atol = max(rtol, 4e-3), max(atol, 1e-3)
    o, r = out.astype(np.float64), ref.astype(np.float64)
    nan = np.isnan(r)
    if np.any(np.isnan(o) != nan):
        return "NaN where the reference has none (or the reverse)"
    with np.errstate(invalid="ignore"):
        ok = (np.abs(o - r) <= atol + rtol * np.abs(r)) | nan | (o == r)
    if ok.all():
        return None
    err = np.abs(o - r)[~ok]
    return "%d of %d elements off (max err %.3g)" % (err.size, r.size, err.max())


def run_case(suite, folder, args):
    """(suite, case, ops, result, why, seconds) for one case."""
    from onnx import numpy_helper, TensorProto
    case = os.path.basename(folder)
    model = os.path.join(folder, "model.onnx")
    ops = ops_of(model)
    # An expanded node case tests the op of its unexpanded sibling.
    sibling = os.path.join(os.path.dirname(folder),
                           case[:-len("_expanded")], "model.onnx")
    if case.endswith("_expanded") and os.path.isfile(sibling):
        ops = ops_of(sibling)
    why = excluded(case)
    if why:
        return suite, case, ops, "EXCLUDED", why, 0.0
    sets = sorted(d for d in os.listdir(folder) if d.startswith("test_data_set_"))
    if not os.path.isfile(model) or not sets:
        return suite, case, ops, "MISSING", "no model.onnx or data sets", 0.0
    start = time.time()
    tmp = tempfile.mkdtemp(prefix="kiln-conf-")
    try:
        for s in sets:
            data = os.path.join(folder, s)
            out = os.path.join(tmp, s)
            # `kiln run MODEL` compiles a library and runs it; inputs that
            # feed shape operands (Reshape's shape, Slice's axes) are
            # compiled in from the data set's files, as a user would with
            # --freeze.
            try:
                p = subprocess.run([args.kiln, "run", model, "--data", data,
                                    "--output-dir", out],
                                   capture_output=True, text=True,
                                   timeout=args.timeout)
            except subprocess.TimeoutExpired:
                return suite, case, ops, "TIMEOUT", s, time.time() - start
            if p.returncode not in (0, 1):
                return (suite, case, ops, "ERROR", reason(p.stdout + p.stderr),
                        time.time() - start)
            k = 0
            while os.path.exists(os.path.join(data, "output_%d.pb" % k)):
                t = TensorProto()
                with open(os.path.join(data, "output_%d.pb" % k), "rb") as f:
                    t.ParseFromString(f.read())
                ref = numpy_helper.to_array(t)
                got_path = os.path.join(out, "output_%d.npy" % k)
                if not os.path.exists(got_path):
                    return (suite, case, ops, "FAIL", "no output %d" % k,
                            time.time() - start)
                why = compare(np.load(got_path), ref, args.rtol, args.atol)
                if why:
                    return (suite, case, ops, "FAIL",
                            "output %d: %s" % (k, why), time.time() - start)
                k += 1
        return suite, case, ops, "PASS", "", time.time() - start
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def markdown(results, suites):
    lines = ["# ONNX conformance", "",
             "ONNX's backend test cases, each compiled into a library by `kiln run`",
             "and run on every data set, outputs compared element by",
             "element (|out - ref| <= 1e-7 + 1e-3 |ref|; float16 outputs",
             "1e-3 + 4e-3 |ref|). Regenerate with",
             "`test/onnx_backend/current_onnx.sh`, which runs Debian's suites",
             "and the node suite of current ONNX (see",
             "`test/onnx_backend/conformance.py` for the options).", ""]
    lines.append("| suite | cases | left out | passed | failed | % of the rest |")
    lines.append("|---|---|---|---|---|---|")
    for suite in suites:
        rs = [r for r in results if r[0] == suite]
        if not rs:
            continue
        out = sum(r[3] == "EXCLUDED" for r in rs)
        passed = sum(r[3] == "PASS" for r in rs)
        rest = len(rs) - out
        lines.append("| %s | %d | %d | %d | %d | %.0f |" % (
            suite, len(rs), out, passed, rest - passed,
            100.0 * passed / max(rest, 1)))
    left = [r for r in results if r[3] == "EXCLUDED"]
    if left:
        lines += ["", "Left out, with the reason:", ""]
        for r in left:
            lines.append("- %s/%s: %s" % (r[0], r[1], r[4]))
    for suite in suites:
        rs = [r for r in results if r[0] == suite and r[3] != "EXCLUDED"]
        if not rs:
            continue
        lines += ["", "## %s" % suite, "",
                  "| op | cases | passed | failed | why (most common) |",
                  "|---|---|---|---|---|"]
        by_op = collections.defaultdict(list)
        for r in rs:
            # node cases test one op; model cases are listed under each.
            for op in (r[2] if "node" not in suite else r[2][:1]):
                by_op[op].append(r)
        for op in sorted(by_op):
            cs = by_op[op]
            passed = sum(c[3] == "PASS" for c in cs)
            whys = collections.Counter(c[4] for c in cs if c[3] != "PASS")
            why = "; ".join("%s (%d)" % (w.replace("|", "/"), n)
                            for w, n in whys.most_common(2))
            lines.append("| %s | %d | %d | %d | %s |" % (
                op, len(cs), passed, len(cs) - passed, why))
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kiln", required=True)
    ap.add_argument("--suite", action="append", default=[],
                    help="a folder of cases (repeatable); default: Debian's")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--rtol", type=float, default=1e-3)
    ap.add_argument("--atol", type=float, default=1e-7)
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--filter", default="")
    ap.add_argument("--markdown")
    ap.add_argument("--baseline")
    ap.add_argument("--write-baseline")
    args = ap.parse_args()
    args.kiln = os.path.abspath(args.kiln)
    suites = args.suite or [os.path.join(DEBIAN, s) for s in DEFAULT_SUITES]
    cases = []
    named = [s.split("=", 1) if "=" in s else
             [os.path.basename(s.rstrip("/")), s] for s in suites]
    for name, path in named:
        for case in sorted(os.listdir(path)):
            folder = os.path.join(path, case)
            if os.path.isdir(folder) and args.filter in case:
                cases.append((name, folder))
    if args.baseline:
        # Only the cases of the suites run here (CI has Debian's alone).
        names = {name for name, _ in named}
        wanted = {c for c in read_baseline(args.baseline)
                  if c.split("/", 1)[0] in names}
        cases = [c for c in cases
                 if "%s/%s" % (c[0], os.path.basename(c[1])) in wanted]
        found = {"%s/%s" % (c[0], os.path.basename(c[1])) for c in cases}
        for missing in sorted(wanted - found):
            print("baseline case %s is not in the suites" % missing)
        if wanted - found:
            return 1
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        results = list(pool.map(lambda c: run_case(c[0], c[1], args), cases))
    names = [name for name, _ in named]
    for suite, case, ops, result, why, secs in results:
        if result not in ("PASS", "EXCLUDED") or not args.baseline:
            print("%-8s %s/%s %s" % (result, suite, case, why))
    for suite in names:
        rs = [r for r in results if r[0] == suite]
        if rs:
            out = sum(r[3] == "EXCLUDED" for r in rs)
            print("%s: %d of %d passed (%d more left out)" % (
                suite, sum(r[3] == "PASS" for r in rs), len(rs) - out, out))
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(markdown(results, names))
    if args.write_baseline:
        with open(args.write_baseline, "w") as f:
            f.write("# Cases that pass (conformance.py --write-baseline); CI "
                    "fails when one stops passing.\n")
            for r in results:
                if r[3] == "PASS":
                    f.write("%s/%s\n" % (r[0], r[1]))
    failed = sum(r[3] not in ("PASS", "EXCLUDED") for r in results)
    return 1 if args.baseline and failed else 0


if __name__ == "__main__":
    sys.exit(main())
