"""layout_auto_models.py DIR - three small CNNs for the CPU layout choice:
a depthwise one at batch 1 (dw.onnx), a dense one (dense.onnx) and the
depthwise one with a dynamic batch (dw_batch.onnx)."""

import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(3)


def save(path, nodes, batch, inits):
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [batch, 8, 10, 10])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [batch, 8, 10, 10])],
        [numpy_helper.from_array(a.astype(np.float32), n) for n, a in inits])
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
