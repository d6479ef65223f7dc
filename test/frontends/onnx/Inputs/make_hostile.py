#!/usr/bin/python3
"""make_hostile.py - writes malformed or edge-case ONNX models for tests.

Each KIND is a model that once crashed Kiln or produced a wrong shape; the
lit tests beside this folder check for a clean error (exit 2) or the right
result. Usage: make_hostile.py KIND OUT.onnx
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17


def value(name, shape, elem=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, elem, shape)


def model(nodes, inputs, outputs, inits=(), opset=OPSET):
    graph = helper.make_graph(nodes, "hostile", inputs, outputs, list(inits))
    m = helper.make_model(graph, opset_imports=[
        helper.make_opsetid("", opset), helper.make_opsetid("com.example", 1)])
    m.ir_version = 8
    return m


def i64(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def add_mismatch():
    return model([helper.make_node("Add", ["a", "b"], ["y"], name="add")],
                 [value("a", [2, 3]), value("b", [4])], [value("y", ["d0", "d1"])])


def matmul_mismatch():
    return model([helper.make_node("MatMul", ["a", "b"], ["y"], name="mm")],
                 [value("a", [2, 3]), value("b", [4, 5])], [value("y", ["d0", "d1"])])


def sum_empty_input():
    return model([helper.make_node("Sum", ["x", ""], ["y"], name="sum")],
                 [value("x", [2])], [value("y", [2])])


def conv_of_ones(filter_shape, **attrs):
    """A Conv node 'conv' of a ones filter over a 1x1x4x4 input."""
    w = numpy_helper.from_array(np.ones(filter_shape, np.float32), "w")
    return model([helper.make_node("Conv", ["x", "w"], ["y"], name="conv",
                                   **attrs)],
                 [value("x", [1, 1, 4, 4])], [value("y", ["n", "c", "h", "w"])],
                 [w])


def conv_zero_stride():
    return conv_of_ones([1, 1, 1, 1], strides=[0, 1])


def conv_long_kernel_shape():
    return conv_of_ones([1, 1, 1, 1], kernel_shape=[1] * 40)


def conv_kernel_shape_mismatch():
    return conv_of_ones([1, 1, 3, 3], kernel_shape=[3, 2])


def count_overflow():
    return model([helper.make_node("Relu", ["x"], ["y"], name="relu")],
                 [value("x", [2**31, 2**31, 4])], [value("y", [2**31, 2**31, 4])])


def count_overflow_opset13():
    # Opset 13 goes through ONNX's version converter, which keeps dims in
    # 32 bits: 2^31 came out as -2^31.
    return model([helper.make_node("Relu", ["x"], ["y"], name="relu")],
                 [value("x", [2**31, 2**31, 4])], [value("y", [2**31, 2**31, 4])],
                 opset=13)


def huge_initializer():
    t = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[2**62, 4])
    return model([helper.make_node("Add", ["x", "w"], ["y"], name="add")],
                 [value("x", [4])], [value("y", ["d0", "d1"])], [t])


def slice_short_axes():
    return model([helper.make_node("Slice", ["x", "s", "e", "a"], ["y"],
                                   name="slice")],
                 [value("x", [4, 4])], [value("y", ["d0", "d1"])],
                 [i64("s", [0, 1]), i64("e", [2, 3]), i64("a", [1])])


def gather_out_of_range():
    return model([helper.make_node("Gather", ["x", "i"], ["y"], name="gather")],
                 [value("x", [3, 2])], [value("y", ["d0", "d1"])], [i64("i", [5])])


def slice_int64_max():
    # What PyTorch exports for x[:, 1:]: ends = INT64_MAX.
    return model([helper.make_node("Slice", ["x", "s", "e", "a"], ["y"],
                                   name="slice")],
                 [value("x", [2, 5])], [value("y", ["d0", "d1"])],
                 [i64("s", [1]), i64("e", [2**63 - 1]), i64("a", [1])])


def concat_empty():
    return model([helper.make_node("Concat", ["a", "b"], ["y"], name="cat",
                                   axis=1)],
                 [value("a", [0, 3]), value("b", [0, 5])], [value("y", ["d0", "d1"])])


def flatten_empty():
    return model([helper.make_node("Flatten", ["x"], ["y"], name="flat")],
                 [value("x", [0, 3])], [value("y", ["d0", "d1"])])


def avgpool_f64():
    return model([helper.make_node("AveragePool", ["x"], ["y"], name="pool",
                                   kernel_shape=[2, 2], pads=[1, 1, 1, 1])],
                 [value("x", [1, 1, 2, 2], TensorProto.DOUBLE)],
                 [value("y", [1, 1, 3, 3], TensorProto.DOUBLE)])


def undefined_output():
    return model([helper.make_node("Abs", ["x"], ["y"], name="abs")],
                 [value("x", [2])], [value("y", [2]), value("ghost", [2])])


def layernorm_huge_axis():
    return model([helper.make_node("LayerNormalization", ["x", "s"], ["y"],
                                   name="ln", axis=2**31)],
                 [value("x", [2, 3])], [value("y", [2, 3])],
                 [numpy_helper.from_array(np.ones([3], np.float32), "s")])


def shared_outputs():
    # Two graph outputs bound to one value, and an Identity pair on one.
    return model([helper.make_node("Abs", ["x"], ["a"], name="abs"),
                  helper.make_node("Identity", ["a"], ["b"], name="id1"),
                  helper.make_node("Identity", ["a"], ["c"], name="id2")],
                 [value("x", [2, 3])],
                 [value("a", [2, 3]), value("b", [2, 3]), value("c", [2, 3])])


def avgpool_huge_kernel():
    return model([helper.make_node("AveragePool", ["x"], ["y"], name="pool",
                                   kernel_shape=[2**31 - 1, 2],
                                   pads=[2**31 - 2, 0, 0, 0])],
                 [value("x", [1, 1, 4, 4])], [value("y", ["n", "c", "h", "w"])])


def conv_huge_pads():
    w = numpy_helper.from_array(np.ones([1, 1, 1, 1], np.float32), "w")
    return model([helper.make_node("Conv", ["x", "w"], ["y"], name="conv",
                                   pads=[10**6, 10**6, 10**6, 10**6])],
                 [value("x", [1, 1, 4, 4])], [value("y", ["n", "c", "h", "w"])],
                 [w])


def huge_activation():
    # 2^40 elements between input and output: compiles, cannot run.
    return model([helper.make_node("Expand", ["x", "shape"], ["y"], name="grow")],
                 [value("x", [1, 1])], [value("y", [2**20, 2**20])],
                 [i64("shape", [2**20, 2**20])])


def missing_external_data():
    t = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[4])
    t.data_location = TensorProto.EXTERNAL
    entry = t.external_data.add()
    entry.key, entry.value = "location", "weights.bin"
    return model([helper.make_node("Add", ["x", "w"], ["y"], name="add")],
                 [value("x", [4])], [value("y", [4])], [t])


def shared_dag():
    # p <- (sin(p) + p) / 2, forty times: every value is read twice, which
    # made elementwise fusion copy subgraphs exponentially.
    nodes, p = [], "x"
    half = numpy_helper.from_array(np.array(0.5, np.float32), "half")
    for k in range(40):
        nodes += [helper.make_node("Sin", [p], ["s%d" % k]),
                  helper.make_node("Add", ["s%d" % k, p], ["a%d" % k]),
                  helper.make_node("Mul", ["a%d" % k, "half"],
                                   ["y" if k == 39 else "p%d" % k])]
        p = "p%d" % k
    return model(nodes, [value("x", [8])], [value("y", [8])], [half])


def external_data():
    # Like missing_external_data; main() writes weights.bin beside it.
    return missing_external_data()


def custom_ops():
    return model([helper.make_node("Gelu", ["x"], ["a"], name="g1",
                                   domain="com.example"),
                  helper.make_node("Fancy", ["a"], ["y"], name="f1",
                                   domain="com.example")],
                 [value("x", [4])], [value("y", [4])])


KINDS = {k: v for k, v in globals().items()
         if callable(v) and k not in ("value", "model", "i64", "main")}


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in KINDS:
        sys.exit("usage: make_hostile.py {%s} OUT.onnx" % "|".join(KINDS))
    onnx.save(KINDS[sys.argv[1]](), sys.argv[2])
    if sys.argv[1] == "external_data":
        folder = os.path.dirname(os.path.abspath(sys.argv[2]))
        np.array([1, 2, 3, 4], np.float32).tofile(
            os.path.join(folder, "weights.bin"))


if __name__ == "__main__":
    main()
