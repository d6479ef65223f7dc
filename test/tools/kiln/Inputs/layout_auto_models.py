"""layout_auto_models.py DIR - small CNNs for the CPU layout choice: a
depthwise one at batch 1 (dw.onnx), a dense one (dense.onnx), the
depthwise one with a dynamic batch (dw_batch.onnx), a grouped one with two
channels per group (grouped.onnx) and a dense one followed by a channel
shuffle (shuffle.onnx: Reshape, Transpose, Reshape)."""

import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(3)


def save(path, nodes, batch, inits):
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [batch, 8, 10, 10])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [batch, 8, 10, 10])],
        [numpy_helper.from_array(a if a.dtype == np.int64 else a.astype(np.float32), n)
         for n, a in inits])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    with open(path, "wb") as f:
        f.write(m.SerializeToString())


folder = sys.argv[1]
dw = [helper.make_node("Conv", ["x", "w"], ["y"], kernel_shape=[3, 3],
                       pads=[1, 1, 1, 1], group=8)]
save(os.path.join(folder, "dw.onnx"), dw, 1, [("w", rng.standard_normal((8, 1, 3, 3)))])
save(os.path.join(folder, "dw_batch.onnx"), dw, "N", [("w", rng.standard_normal((8, 1, 3, 3)))])
dense = [helper.make_node("Conv", ["x", "w"], ["y"], kernel_shape=[3, 3], pads=[1, 1, 1, 1])]
save(os.path.join(folder, "dense.onnx"), dense, 1, [("w", rng.standard_normal((8, 8, 3, 3)))])
grouped = [helper.make_node("Conv", ["x", "w"], ["y"], kernel_shape=[3, 3],
                            pads=[1, 1, 1, 1], group=4)]
save(os.path.join(folder, "grouped.onnx"), grouped, 1,
     [("w", rng.standard_normal((8, 2, 3, 3)))])
shuffle = [helper.make_node("Conv", ["x", "w"], ["c"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
           helper.make_node("Reshape", ["c", "s5"], ["r"]),
            helper.make_node("Transpose", ["r"], ["t"], perm=[0, 2, 1, 3, 4]),
            helper.make_node("Reshape", ["t", "s4"], ["y"])]
save(os.path.join(folder, "shuffle.onnx"), shuffle, 1,
     [("w", rng.standard_normal((8, 8, 3, 3))),
      ("s5", np.array([1, 2, 4, 10, 10], np.int64)),
      ("s4", np.array([1, 8, 10, 10], np.int64))])
