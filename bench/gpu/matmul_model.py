#!/usr/bin/env python3
"""matmul_model.py - writes an ONNX model of one MatMul of two N x N inputs.

The GEMM rows of gpu_run.py time Kiln's kernel against cuBLAS on the same
N x N x N product. Both operands are inputs (no constant weight), so the
library stays small at any N and the data can live on the GPU.

Usage: matmul_model.py N OUT.onnx
"""

import sys

import onnx
from onnx import TensorProto, helper


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    a = helper.make_tensor_value_info("a", TensorProto.FLOAT, [n, n])
    b = helper.make_tensor_value_info("b", TensorProto.FLOAT, [n, n])
    c = helper.make_tensor_value_info("c", TensorProto.FLOAT, [n, n])
    graph = helper.make_graph([helper.make_node("MatMul", ["a", "b"], ["c"])],
                              "matmul%d" % n, [a, b], [c])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    onnx.save(model, out)


if __name__ == "__main__":
    main()
