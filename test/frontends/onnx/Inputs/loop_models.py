"""loop_models.py KILN DIR - ONNX Loop against a Python reference.

Each model's Loop doubles a carried vector and adds the iteration number,
and collects every iteration's vector as a scan output. Cases: a run-time
trip count; a condition the body computes from the data (the loop stops
early); a trip count with an initial condition of false (no iteration:
the carried value passes through and the scan output is empty). Prints
"PASS name" when both outputs match the reference (1e-5 relative, same
shape), else "FAIL name ...".
"""

import os
import subprocess
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

F, I64, B = TensorProto.FLOAT, TensorProto.INT64, TensorProto.BOOL


def body(limit):
    """v_next = 2 v + i; cond_out = sum(v_next) < limit (or cond_in)."""
    nodes = [
        helper.make_node("Cast", ["i"], ["i_f"], to=F),
        helper.make_node("Constant", [], ["two"],
                         value=numpy_helper.from_array(np.array(2, np.float32))),
        helper.make_node("Mul", ["v", "two"], ["v2"]),
        helper.make_node("Add", ["v2", "i_f"], ["v_next"]),
        helper.make_node("Identity", ["v_next"], ["scan"]),
    ]
    if limit is None:
        nodes.append(helper.make_node("Identity", ["c"], ["c_out"]))
    else:
        nodes += [
            helper.make_node("ReduceSum", ["v_next"], ["s"], keepdims=0),
            helper.make_node("Constant", [], ["lim"], value=numpy_helper.from_array(
                np.array(limit, np.float32))),
            helper.make_node("Less", ["s", "lim"], ["c_out"]),
        ]
    return helper.make_graph(
        nodes, "body",
        [helper.make_tensor_value_info("i", I64, []),
         helper.make_tensor_value_info("c", B, []),
         helper.make_tensor_value_info("v", F, [3])],
        [helper.make_tensor_value_info("c_out", B, []),
         helper.make_tensor_value_info("v_next", F, [3]),
         helper.make_tensor_value_info("scan", F, [3])])


def reference(m, cond, x, limit):
    v, rows, i = x.copy(), [], 0
    while i < m and cond:
        v = 2 * v + i
        rows.append(v.copy())
        cond = True if limit is None else v.sum() < limit
        i += 1
    return v, np.array(rows, np.float32).reshape(len(rows), 3)


def case(kiln, folder, name, m, cond, limit):
    x = np.array([0.5, -1.0, 2.0], np.float32)
    ins = [helper.make_tensor_value_info("m", I64, []),
           helper.make_tensor_value_info("x", F, [3])]
    loop_ins = ["m", "cond" if cond is not None else "", "x"]
    nodes = [helper.make_node("Loop", loop_ins, ["v_final", "rows"],
                              body=body(limit))]
    inits = []
    if cond is not None:
        inits.append(numpy_helper.from_array(np.array(cond), "cond"))
    graph = helper.make_graph(
        nodes, "g", ins,
        [helper.make_tensor_value_info("v_final", F, [3]),
         helper.make_tensor_value_info("rows", F, [None, 3])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    d = os.path.join(folder, name)
    os.makedirs(os.path.join(d, "data"), exist_ok=True)
    with open(os.path.join(d, "model.onnx"), "wb") as f:
        f.write(model.SerializeToString())
    for k, (n, a) in enumerate([("m", np.array(m, np.int64)), ("x", x)]):
        with open(os.path.join(d, "data", "input_%d.pb" % k), "wb") as f:
            f.write(numpy_helper.from_array(a, n).SerializeToString())
    out = os.path.join(d, "out")
    p = subprocess.run([kiln, "run", os.path.join(d, "model.onnx"), "--data",
                        os.path.join(d, "data"), "--output-dir", out],
                       capture_output=True, text=True)
    if p.returncode not in (0, 1):
        print("FAIL %s: %s" % (name, (p.stdout + p.stderr).strip()))
        return
    want = reference(m, True if cond is None else cond, x, limit)
    for k, ref in enumerate(want):
        got = np.load(os.path.join(out, "output_%d.npy" % k))
        if got.shape != ref.shape or not np.allclose(got, ref, rtol=1e-5):
            print("FAIL %s output %d: got %s %s, want %s %s" % (
                name, k, got.shape, got.ravel(), ref.shape, ref.ravel()))
            return
    print("PASS %s" % name)


def main():
    kiln, folder = sys.argv[1], sys.argv[2]
    case(kiln, folder, "trip_count_4", 4, None, None)
    case(kiln, folder, "stops_on_condition", 10, None, 40.0)
    case(kiln, folder, "initially_false", 3, False, None)


if __name__ == "__main__":
    main()
