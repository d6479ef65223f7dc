#!/usr/bin/env python3
"""mlp_reference.py - numpy reference for the "mlp" test model.

Usage:
  mlp_reference.py MODEL.onnx X.npy OUTDIR
      writes OUTDIR/y.npy, OUTDIR/s.npy (the reference outputs),
      OUTDIR/y_wrong.npy (y + 1, a reference that must not match) and
      OUTDIR/x.txt (the input as text, for use_model.c's stdin)
  mlp_reference.py MODEL.onnx X.npy --compare PRINTED.txt
      compares the "y: ..." and "s: ..." lines that use_model.c printed
      against the reference; prints one PASS/FAIL line per output and
      exits 1 on any FAIL
"""

import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def reference(model_path, x):
    w = {t.name: numpy_helper.to_array(t)
         for t in onnx.load(model_path).graph.initializer}
    a = np.maximum(x @ w["W1"].T + w["b1"], 0.0)  # Gemm transB=1, Relu
    y = a @ w["W2"] + w["b2"]
    e = np.exp(y - y.max(axis=-1, keepdims=True))
    return {"y": y.astype(np.float32),
            "s": (e / e.sum(axis=-1, keepdims=True)).astype(np.float32)}


def compare(ref, printed_path):
    printed = {}
    with open(printed_path) as f:
        for line in f:
            name, _, rest = line.partition(":")
            if name in ref and rest.strip():
                printed[name] = np.array([float(v) for v in rest.split()],
                                         dtype=np.float32)
    ok = True
    for name, want in ref.items():
        got = printed.get(name)
        if got is None or got.size != want.size:
            print("%s: FAIL (missing or wrong size)" % name)
            ok = False
            continue
        err = float(np.max(np.abs(got - want.reshape(-1))))
        good = err <= 1e-5 + 1e-4 * float(np.max(np.abs(want)))
        print("%s: %s (max_abs_err %.3g)" % (name, "PASS" if good else "FAIL",
                                              err))
        ok = ok and good
    return 0 if ok else 1


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    model_path, x_path = sys.argv[1], sys.argv[2]
    ref = reference(model_path, np.load(x_path))
    if sys.argv[3] == "--compare":
        sys.exit(compare(ref, sys.argv[4]))
    out = sys.argv[3]
    os.makedirs(out, exist_ok=True)
    np.save(os.path.join(out, "y.npy"), ref["y"])
    np.save(os.path.join(out, "s.npy"), ref["s"])
    np.save(os.path.join(out, "y_wrong.npy"), ref["y"] + 1.0)
    with open(os.path.join(out, "x.txt"), "w") as f:
        f.write(" ".join("%.9g" % v for v in np.load(x_path).reshape(-1)))
        f.write("\n")


if __name__ == "__main__":
    main()
