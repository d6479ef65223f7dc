#!/usr/bin/env python3
"""generate.py - random ONNX cases for differential testing against ONNX Runtime.

Each case is one operator (or a short chain) with random valid attributes,
shapes (sizes that leave remainders of Kiln's tiles), dtypes and, for
weights, a random choice between a graph input and a constant. ONNX
Runtime computes the reference; a case ORT rejects is drawn again. A case
is written as NAME/model.onnx + NAME/test_data_set_0/{input,output}_K.npy,
the layout test/models/run_model_tests.py checks Kiln against.

The generators live in ops_tensor.py and ops_nn.py, the case they build
in case.py.

Two uses:
- the committed corpus (test/differential/corpus, checked in CI without
  ONNX Runtime): generate.py --out test/differential/corpus --count 4
  --seed 1 writes 4 cases of every generator;
- a long run outside CI: generate.py --kiln build/bin/kiln --count 500
  --seed 7 --out /tmp/diff compiles and runs every case at once, prints
  each mismatch and keeps only the failing cases' folders.

Needs numpy, onnx and onnxruntime (PyPI); --kiln needs a built kiln.

Usage: generate.py --out DIR [--count N] [--seed S] [--ops a,b]
                   [--kiln PATH] [--rtol 1e-4]
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import helper

import ops_nn
import ops_tensor
from case import ONNX_TYPES, Case

GENERATORS = {name[4:]: fn for module in (ops_tensor, ops_nn)
              for name, fn in vars(module).items() if name.startswith("gen_")}


def reference(model, inputs):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    # Graph optimisations off: ORT computes the graph as written.
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(model.SerializeToString(), so,
                                providers=["CPUExecutionProvider"])
    return sess.run(None, dict(inputs))


def write_case(folder, model, inputs, outputs):
    os.makedirs(os.path.join(folder, "test_data_set_0"), exist_ok=True)
    onnx.save(model, os.path.join(folder, "model.onnx"))
    for i, (_, a) in enumerate(inputs):
        np.save(os.path.join(folder, "test_data_set_0", "input_%d.npy" % i), a)
    for i, a in enumerate(outputs):
        np.save(os.path.join(folder, "test_data_set_0", "output_%d.npy" % i), a)


def make_case(op, rng):
    """A case of generator `op` that ONNX Runtime accepts."""
    for _ in range(50):
        c = Case(rng)
        outputs = GENERATORS[op](c)
        model = c.model(outputs)
        try:
            # The outputs' types come from ONNX's shape inference.
            model = onnx.shape_inference.infer_shapes(model, strict_mode=True)
            onnx.checker.check_model(model)
            refs = reference(model, c.inputs)
        except Exception:
            continue  # an invalid draw: draw again
        if any(r.size == 0 for r in refs):
            continue  # Kiln rejects empty tensors with a diagnostic
        # Typed outputs (the reference fixes their types and shapes).
        del model.graph.output[:]
        for name, r in zip(outputs, refs):
            model.graph.output.append(helper.make_tensor_value_info(
                name, ONNX_TYPES[r.dtype], list(r.shape)))
        return model, c.inputs, refs
    raise RuntimeError("no valid %s case in 50 draws" % op)


def check_with_kiln(kiln, folder, rtol):
    """'' when Kiln matches the reference, else what went wrong."""
    with tempfile.TemporaryDirectory() as tmp:
        lib = os.path.join(tmp, "libcase.so")
        p = subprocess.run([kiln, "compile", os.path.join(folder, "model.onnx"),
                            "-o", lib], capture_output=True, text=True,
                           timeout=300)
        if p.returncode != 0:
            return "compile: " + (p.stdout + p.stderr).strip()
        p = subprocess.run([kiln, "run", lib, "--data",
                            os.path.join(folder, "test_data_set_0"),
                            "--rtol", str(rtol), "--atol", "0"],
                           capture_output=True, text=True, timeout=300)
        if p.returncode != 0:
            return "run: " + (p.stdout + p.stderr).strip()
    return ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--count", type=int, default=4, help="cases per generator")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ops", default="", help="generators (default: all): " +
                    ",".join(sorted(GENERATORS)))
    ap.add_argument("--kiln", default="", help="check each case now")
    ap.add_argument("--rtol", type=float, default=1e-4)
    args = ap.parse_args()
    ops = [o for o in args.ops.split(",") if o] or sorted(GENERATORS)
    rng = np.random.default_rng(args.seed)
    made = mismatches = 0
    for op in ops:
        for i in range(args.count):
            model, inputs, refs = make_case(op, rng)
            folder = os.path.join(args.out, "%s_%d" % (op, i))
            write_case(folder, model, inputs, refs)
            made += 1
            if args.kiln:
                problem = check_with_kiln(args.kiln, folder, args.rtol)
                if problem:
                    mismatches += 1
                    print("MISMATCH %s: %s" % (folder, problem.splitlines()[-1]
                                               if problem else ""))
                    sys.stdout.flush()
                else:
                    shutil.rmtree(folder)
    print("%d cases generated, %d mismatches" % (made, mismatches))
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
