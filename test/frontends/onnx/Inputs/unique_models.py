"""unique_models.py KILN DIR - ONNX Unique against numpy.unique.

Cases: a flattened float tensor with repeats, sorted and in order of first
occurrence; an int64 matrix's unique rows (axis 0) and columns (axis -1).
All four outputs (values, first indices, inverse indices, counts) must
match exactly; their length is known only at run time. An input of 5000
elements must be refused (exit 2, a clear error). Prints "PASS name" or
"FAIL name ...".
"""

import os
import subprocess
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper


def reference(x, axis, sorted_):
    flat = axis is None
    vals, idx, inv, cnt = np.unique(x if not flat else x.ravel(),
                                    axis=None if flat else axis,
                                    return_index=True, return_inverse=True,
                                    return_counts=True)
    inv = inv.ravel()
    if not sorted_:  # reorder by first occurrence
        order = np.argsort(idx, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        vals = np.take(vals, order, axis=0 if flat else axis)
        idx, cnt, inv = idx[order], cnt[order], rank[inv]
    return [vals, idx.astype(np.int64), inv.astype(np.int64),
            cnt.astype(np.int64)]


def case(kiln, folder, name, x, axis, sorted_, expect_error=None):
    attrs = {"sorted": int(sorted_)}
    if axis is not None:
        attrs["axis"] = axis
    dtype = numpy_helper.from_array(x).data_type
    node = helper.make_node("Unique", ["x"], ["y", "indices", "inverse", "counts"],
                            **attrs)
    ax = None if axis is None else axis % x.ndim
    y_shape = ["k"] if ax is None else [
        "k" if d == ax else s for d, s in enumerate(x.shape)]
    n = x.size if ax is None else x.shape[ax]
    outs = [helper.make_tensor_value_info("y", dtype, y_shape)] + [
        helper.make_tensor_value_info(name, TensorProto.INT64, shape)
        for name, shape in (("indices", ["k"]), ("inverse", [n]),
                            ("counts", ["k"]))]
    graph = helper.make_graph(
        [node], "g", [helper.make_tensor_value_info("x", dtype, x.shape)], outs)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)])
    model.ir_version = 7
    d = os.path.join(folder, name)
    os.makedirs(os.path.join(d, "data"), exist_ok=True)
    with open(os.path.join(d, "model.onnx"), "wb") as f:
        f.write(model.SerializeToString())
    with open(os.path.join(d, "data", "input_0.pb"), "wb") as f:
        f.write(numpy_helper.from_array(x, "x").SerializeToString())
    out = os.path.join(d, "out")
    p = subprocess.run([kiln, "run", os.path.join(d, "model.onnx"), "--data",
                        os.path.join(d, "data"), "--output-dir", out],
                       capture_output=True, text=True)
    if expect_error:
        ok = p.returncode == 2 and expect_error in p.stderr
        print(("PASS %s" % name) if ok else ("FAIL %s: exit %d, %s" % (
            name, p.returncode, p.stderr.strip())))
        return
    if p.returncode not in (0, 1):
        print("FAIL %s: %s" % (name, (p.stdout + p.stderr).strip()))
        return
    for k, ref in enumerate(reference(x, axis, sorted_)):
        got = np.load(os.path.join(out, "output_%d.npy" % k))
        if got.shape != ref.shape or not np.array_equal(got, ref):
            print("FAIL %s output %d: got %s, want %s" % (name, k, got.tolist(),
                                                          ref.tolist()))
            return
    print("PASS %s" % name)


def main():
    kiln, folder = sys.argv[1], sys.argv[2]
    rng = np.random.default_rng(5)
    x = rng.choice(np.array([2.5, -1.0, 0.0, 7.0, 3.25], np.float32), (3, 7))
    case(kiln, folder, "flat_sorted", x, None, True)
    case(kiln, folder, "flat_first_occurrence", x, None, False)
    m = rng.integers(0, 2, (6, 3)).astype(np.int64)
    m[4] = m[1]
    case(kiln, folder, "rows_sorted", m, 0, True)
    case(kiln, folder, "columns_sorted", m.T.copy(), -1, True)
    case(kiln, folder, "too_many_slices", np.zeros(5000, np.float32), None,
         True, expect_error="Unique over 5000 slices is not supported")


if __name__ == "__main__":
    main()
