#!/usr/bin/python3
"""run_backend_tests.py - runs ONNX's node backend tests through `kiln run`.

The tests come from Debian's libonnx-testdata (DATA/test_*/model.onnx with
test_data_set_*/input_K.pb and output_K.pb). By default the tests named in
supported_tests.txt beside this script are run: for each of their data sets,
`kiln run DIR/model.onnx --data DIR/test_data_set_K --rtol 1e-3 --atol 1e-5`
(ONNX's backend-test tolerances). A test passes when every data set does.
Prints a table and closes with `N passed, N failed`; exits 1 when a listed
test fails.

--all-unlisted instead runs every test not in the list whose nodes all use
ops Kiln supports (needs the onnx Python package), and prints those that pass
as candidates for the list; it exits 0 whatever they do.

Usage: run_backend_tests.py --kiln build/bin/kiln [--jobs 2] [--all-unlisted]
       [--filter SUBSTR] [-v]
"""

import argparse
import concurrent.futures
import glob
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA = "/usr/share/libonnx-testdata/data/node"

SUPPORTED_OPS = frozenset("""
    Conv Gemm MatMul Relu Clip Sigmoid Tanh Erf BatchNormalization Add Sub Mul
    ScatterND
    Div Pow Sqrt MaxPool AveragePool GlobalAveragePool Flatten Reshape
    Transpose Concat Slice Gather Unsqueeze Squeeze Shape Constant Identity
    ReduceMean Softmax LayerNormalization Exp Neg Abs Max Min ReduceSum
    ReduceMax Pad Cast Log Reciprocal Floor Ceil Sin Cos Equal Less
    LessOrEqual Greater GreaterOrEqual And Or Xor Not Where ArgMax ArgMin
    GatherND TopK Mod ReduceMin ReduceProd NonZero NonMaxSuppression
""".split())


def read_list(path):
    """Test names in PATH, without comments and blank lines."""
    names = []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                names.append(line)
    return names


def unlisted_candidates(data, listed):
    """Tests under DATA not in LISTED whose nodes all use supported ops."""
    import onnx
    out = []
    for d in sorted(os.listdir(data)):
        path = os.path.join(data, d, "model.onnx")
        if d in listed or not os.path.isfile(path):
            continue
        try:
            graph = onnx.load(path).graph
        except Exception:  # a model onnx itself cannot read is no candidate
            continue
        if graph.node and all(n.op_type in SUPPORTED_OPS for n in graph.node):
            out.append(d)
    return out


def first_lines(text, n=3):
    lines = [l for l in text.strip().splitlines() if l.strip()]
    return " / ".join(lines[:n])


def run_test(name, args):
    """Runs every data set of test NAME.

    Returns (name, result, detail, seconds).
    """
    tdir = os.path.join(args.data, name)
    model = os.path.join(tdir, "model.onnx")
    if not os.path.isfile(model):
        return name, "MISSING", "no %s" % model, 0.0
    sets = sorted(glob.glob(os.path.join(tdir, "test_data_set_*")))
    if not sets:
        return name, "MISSING", "no test_data_set_* in %s" % tdir, 0.0
    start = time.time()
    for s in sets:
        cmd = [args.kiln, "run", model, "--data", s, "--rtol", str(args.rtol),
               "--atol", str(args.atol)]
        try:
            p = subprocess.run(cmd, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True,
                               timeout=args.timeout)
        except subprocess.TimeoutExpired:
            return name, "TIMEOUT", os.path.basename(s), time.time() - start
        if p.returncode != 0:
            result = "FAIL" if p.returncode == 1 else "ERROR"
            detail = "%s: %s" % (os.path.basename(s), first_lines(p.stdout))
            return name, result, detail, time.time() - start
        if args.verbose:
            print("%s/%s:\n  %s" % (name, os.path.basename(s),
                                    p.stdout.strip().replace("\n", "\n  ")))
    return name, "PASS", "%d data set(s)" % len(sets), time.time() - start


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kiln", required=True, help="path to the kiln binary")
    ap.add_argument("--data", default=DEFAULT_DATA,
                    help="folder of test_* directories (default: %(default)s)")
    ap.add_argument("--list", default=os.path.join(HERE, "supported_tests.txt"),
                    help="curated test list (default: supported_tests.txt)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--rtol", type=float, default=1e-3)
    ap.add_argument("--atol", type=float, default=1e-5)
    ap.add_argument("--timeout", type=int, default=300,
                    help="seconds per `kiln run`")
    ap.add_argument("--filter", default="", help="only tests containing this")
    ap.add_argument("--all-unlisted", action="store_true",
                    help="run unlisted tests of supported ops, report passes")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    args.kiln = os.path.abspath(args.kiln)

    listed = read_list(args.list)
    tests = (unlisted_candidates(args.data, set(listed)) if args.all_unlisted
             else listed)
    tests = [t for t in tests if args.filter in t]
    if not tests:
        print("no tests selected", file=sys.stderr)
        return 2

    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        results = list(pool.map(lambda t: run_test(t, args), tests))

    width = max(len(t) for t in tests)
    print("| %-*s | result | seconds | detail |" % (width, "test"))
    print("|-%s-|--------|---------|--------|" % ("-" * width))
    for name, result, detail, secs in results:
        print("| %-*s | %-6s | %7.2f | %s |" % (width, name, result, secs,
                                              detail.replace("|", "/")))
    passed = [r[0] for r in results if r[1] == "PASS"]
    failed = len(results) - len(passed)
    if args.all_unlisted:
        print("\nunlisted tests that pass (candidates for %s):"
              % os.path.basename(args.list))
        print("\n".join(passed) if passed else "(none)")
        print("unlisted: %d of %d pass" % (len(passed), len(results)))
        return 0
    print("%d passed, %d failed" % (len(passed), failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
