#!/usr/bin/env python3
"""index_cases.py - models whose indices are read at run time, with inputs.

Usage: index_cases.py OUTDIR

For each of Gather (axis 1), GatherElements, GatherND, ScatterND and
ScatterElements it writes KIND.onnx, whose data and indices are both graph
inputs, and in OUTDIR/KIND/:
  data.npy            [4, 3] float32 data (and updates.npy for scatters)
  good.npy, ref.npy   valid indices, negative ones included, and the
                      output numpy computes for them
  high.npy, low.npy   the same indices with one set to the dim's extent,
                      one to -extent - 1: both must fail the run
"""

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper


def value(name, shape, elem=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, elem, shape)


def save_model(path, node, inputs, out_shape):
    graph = helper.make_graph([node], "index", inputs, [value("y", out_shape)])
    m = helper.make_model(graph, producer_name="kiln-lit",
                          opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    onnx.save(m, path)


def gather_elements(data, idx, axis):
    return np.take_along_axis(data, np.where(idx < 0, idx + data.shape[axis],
                                             idx), axis)


def main():
    out = sys.argv[1]
    data = (np.arange(12, dtype=np.float32) * 0.5 - 2.0).reshape(4, 3)
    upd2x3 = np.arange(6, dtype=np.float32).reshape(2, 3) + 10.0
    upd4x2 = np.arange(8, dtype=np.float32).reshape(4, 2) + 20.0
    i64 = TensorProto.INT64
    cases = {}
    # kind: (node, extra inputs, indices, out shape, reference, bad slot
    #        of the flattened indices, extent that slot indexes)
    idx = np.array([2, -3], dtype=np.int64)
    cases["gather"] = (
        helper.make_node("Gather", ["data", "idx"], ["y"], name="g", axis=1),
        [], idx, [4, 2], np.take(data, idx, axis=1), 1, 3)
    idx = np.array([[0, 2], [1, -1], [2, 2], [-3, 0]], dtype=np.int64)
    cases["gather_elements"] = (
        helper.make_node("GatherElements", ["data", "idx"], ["y"], name="ge",
                         axis=1),
        [], idx, [4, 2], gather_elements(data, idx, 1), 5, 3)
    idx = np.array([[3, 2], [-4, -1]], dtype=np.int64)
    cases["gather_nd"] = (
        helper.make_node("GatherND", ["data", "idx"], ["y"], name="gnd"),
        [], idx, [2], np.array([data[3, 2], data[0, 2]]), 2, 4)
    idx = np.array([[1], [-1]], dtype=np.int64)
    ref = data.copy()
    ref[1], ref[3] = upd2x3[0], upd2x3[1]
    cases["scatter_nd"] = (
        helper.make_node("ScatterND", ["data", "idx", "updates"], ["y"],
                         name="snd"),
        [("updates", upd2x3)], idx, [4, 3], ref, 0, 4)
    idx = np.array([[0, 2], [1, -1], [2, 0], [-3, 1]], dtype=np.int64)
    ref = data.copy()
    for r in range(4):
        for c in range(2):
            ref[r, idx[r, c] % 3] = upd4x2[r, c]
    cases["scatter_elements"] = (
        helper.make_node("ScatterElements", ["data", "idx", "updates"], ["y"],
                         name="se", axis=1),
        [("updates", upd4x2)], idx, [4, 3], ref, 3, 3)

    for kind, (node, extra, idx, shape, ref, slot, extent) in cases.items():
        inputs = [value("data", [4, 3]), value("idx", list(idx.shape), i64)]
        inputs += [value(n, list(a.shape)) for n, a in extra]
        save_model(os.path.join(out, kind + ".onnx"), node, inputs, shape)
        folder = os.path.join(out, kind)
        os.makedirs(folder, exist_ok=True)
        np.save(os.path.join(folder, "data.npy"), data)
        for n, a in extra:
            np.save(os.path.join(folder, n + ".npy"), a)
        np.save(os.path.join(folder, "good.npy"), idx)
        np.save(os.path.join(folder, "ref.npy"), ref.astype(np.float32))
        for name, bad in (("high", extent), ("low", -extent - 1)):
            flat = idx.copy().reshape(-1)
            flat[slot] = bad
            np.save(os.path.join(folder, name + ".npy"), flat.reshape(idx.shape))


if __name__ == "__main__":
    main()
