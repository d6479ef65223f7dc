#!/usr/bin/env python3
"""make_model.py - writes a small ONNX model for a lit test.

Usage: make_model.py KIND OUT.onnx

Every KIND is a tiny graph built with onnx.helper; weights are seeded so
the models (and the references computed from them) are reproducible.
"""

import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17


def tensor(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def value(name, shape, elem=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, elem, shape)


def weights(shape, seed):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape).astype(np.float32)


def model(nodes, inputs, outputs, inits=(), opsets=None):
    graph = helper.make_graph(nodes, "test", inputs, outputs, list(inits))
    opsets = opsets or [helper.make_opsetid("", OPSET)]
    m = helper.make_model(graph, producer_name="kiln-lit", opset_imports=opsets)
    m.ir_version = 8
    return m


def gemm():
    # y = x * W^T + b with W stored [N, K] (transB = 1), as PyTorch exports.
    return model(
        [helper.make_node("Gemm", ["x", "W", "b"], ["y"], name="fc",
                          transB=1)],
        [value("x", [2, 3])], [value("y", [2, 4])],
        [tensor("W", weights([4, 3], 1)), tensor("b", weights([4], 2))])


def gemm_scaled():
    return model(
        [helper.make_node("Gemm", ["x", "W", "c"], ["y"], name="fc_scaled",
                          alpha=0.5, beta=2.0)],
        [value("x", [2, 3])], [value("y", [2, 4])],
        [tensor("W", weights([3, 4], 3)), tensor("c", weights([4], 4))])


def conv_same_upper():
    # 7x7 input, 3x3 kernel, stride 2: output 4x4, total pad 2 per dim,
    # SAME_UPPER puts the odd one at the end -> pads [1, 1, 1, 1]; with a
    # 4x4 kernel total pad 3 -> [1, 1, 2, 2].
    return model(
        [helper.make_node("Conv", ["x", "W3"], ["y3"], name="conv_same3",
                          auto_pad="SAME_UPPER", strides=[2, 2]),
         helper.make_node("Conv", ["x", "W4"], ["y4"], name="conv_same4",
                          auto_pad="SAME_UPPER", strides=[2, 2])],
        [value("x", [1, 2, 7, 7])],
        [value("y3", [1, 3, 4, 4]), value("y4", [1, 3, 4, 4])],
        [tensor("W3", weights([3, 2, 3, 3], 5)),
         tensor("W4", weights([3, 2, 4, 4], 6))])


def conv_same_lower():
    return model(
        [helper.make_node("Conv", ["x", "W4"], ["y4"], name="conv_lower",
                          auto_pad="SAME_LOWER", strides=[2, 2])],
        [value("x", [1, 2, 7, 7])], [value("y4", [1, 3, 4, 4])],
        [tensor("W4", weights([3, 2, 4, 4], 6))])


def reshape():
    # 0 copies the input dim, -1 is inferred: [2, 3, 4] -> [2, 12].
    return model(
        [helper.make_node("Reshape", ["x", "shape"], ["y"], name="flatten")],
        [value("x", [2, 3, 4])], [value("y", [2, 12])],
        [tensor("shape", np.array([0, -1], dtype=np.int64))])


def maxpool_ceil():
    # 6x6, kernel 3, stride 2: floor gives 2x2, ceil_mode 3x3 (one extra end
    # pad per spatial dim).
    return model(
        [helper.make_node("MaxPool", ["x"], ["y"], name="pool_ceil",
                          kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1)],
        [value("x", [1, 1, 6, 6])], [value("y", [1, 1, 3, 3])])


def weights_model():
    # A weight too large to print inline: a dense_resource blob.
    return model(
        [helper.make_node("MatMul", ["x", "W"], ["y"], name="proj")],
        [value("x", [1, 8])], [value("y", [1, 8])],
        [tensor("W", weights([8, 8], 7))])


def bad_reshape():
    # 24 elements cannot be 5 x -1.
    return model(
        [helper.make_node("Relu", ["x"], ["r"], name="act"),
         helper.make_node("Reshape", ["r", "shape"], ["y"], name="bad_view")],
        [value("x", [2, 3, 4])], [value("y", [5, "d"])],
        [tensor("shape", np.array([5, -1], dtype=np.int64))])


def unsupported():
    # Two unsupported nodes: a standard op Kiln lacks and a custom-domain op.
    boxes = value("boxes", [1, 4, 4])
    scores = value("scores", [1, 1, 4])
    return model(
        [helper.make_node("RandomUniformLike", ["boxes"], ["rand"], name="rand"),
         helper.make_node("FancyOp", ["scores"], ["fancy"], name="my_custom",
                          domain="com.example"),
         helper.make_node("Relu", ["scores"], ["act"], name="fine")],
        [boxes, scores],
        [value("rand", [1, 4, 4]), value("fancy", [1, 1, 4]),
         value("act", [1, 1, 4])],
        opsets=[helper.make_opsetid("", OPSET),
                helper.make_opsetid("com.example", 1)])


def mlp():
    # The execution-test model: y = relu(x W1 + b1) W2 + b2, plus a second
    # output s = softmax(y).
    return model(
        [helper.make_node("Gemm", ["x", "W1", "b1"], ["h"], name="fc1",
                          transB=1),
         helper.make_node("Relu", ["h"], ["a"], name="relu1"),
         helper.make_node("MatMul", ["a", "W2"], ["m"], name="fc2"),
         helper.make_node("Add", ["m", "b2"], ["y"], name="bias2"),
         helper.make_node("Softmax", ["y"], ["s"], name="prob", axis=-1)],
        [value("x", [2, 4])], [value("y", [2, 3]), value("s", [2, 3])],
        [tensor("W1", weights([5, 4], 11)), tensor("b1", weights([5], 12)),
         tensor("W2", weights([5, 3], 13)), tensor("b2", weights([3], 14))])


def conv_net():
    # Big enough for the CPU target's register tiles and parallel loops:
    # z = relu(conv3x3(x) + b), 1x16x32x32 -> 1x32x32x32.
    return model(
        [helper.make_node("Conv", ["x", "W", "b"], ["c"], name="conv",
                          kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
         helper.make_node("Relu", ["c"], ["z"], name="relu")],
        [value("x", [1, 16, 32, 32])], [value("z", [1, 32, 32, 32])],
        [tensor("W", weights([32, 16, 3, 3], 21)),
         tensor("b", weights([32], 22))])


def mlp_dynamic():
    # The mlp with a symbolic batch dim: compiling it needs --input-shape.
    m = mlp()
    for v in list(m.graph.input) + list(m.graph.output):
        d = v.type.tensor_type.shape.dim[0]
        d.ClearField("dim_value")
        d.dim_param = "batch"
    return m


def shared_batch():
    # z = a + b where both inputs say "batch": their dims must agree.
    return model(
        [helper.make_node("Add", ["a", "b"], ["z"], name="add")],
        [value("a", ["batch", 3]), value("b", ["batch", 3])],
        [value("z", ["batch", 3])])


def expand_dynamic():
    # y = Expand(x, [batch, 3, 4]) with the batch read from x's shape at run
    # time (Shape -> Gather -> Unsqueeze -> Concat), as PyTorch's exporter
    # writes x.expand(x.size(0), 3, 4); then y * 2.
    return model(
        [helper.make_node("Shape", ["x"], ["s"], name="shape"),
         helper.make_node("Gather", ["s", "zero"], ["b"], name="batch", axis=0),
         helper.make_node("Unsqueeze", ["b", "axis0"], ["b1"], name="b1"),
         helper.make_node("Concat", ["b1", "rest"], ["target"], name="target",
                          axis=0),
         helper.make_node("Expand", ["x", "target"], ["e"], name="expand"),
         helper.make_node("Mul", ["e", "two"], ["y"], name="double")],
        [value("x", ["batch", 1, 4])], [value("y", ["batch", 3, 4])],
        [tensor("zero", np.array(0, dtype=np.int64)),
         tensor("axis0", np.array([0], dtype=np.int64)),
         tensor("rest", np.array([3, 4], dtype=np.int64)),
         tensor("two", np.array([2.0], dtype=np.float32))])


def mask_dynamic():
    # y = x + ConstantOfShape([batch, 4], 0.5): a constant whose shape is
    # computed from x at run time, as masks in exported transformers are.
    fill = numpy_helper.from_array(np.array([0.5], dtype=np.float32))
    return model(
        [helper.make_node("Shape", ["x"], ["s"], name="shape"),
         helper.make_node("ConstantOfShape", ["s"], ["c"], name="fill",
                          value=fill),
         helper.make_node("Add", ["x", "c"], ["y"], name="add")],
        [value("x", ["batch", 4])], [value("y", ["batch", 4])])


def positions_dynamic():
    # Sequence arithmetic as PyTorch exports it for a dynamic length n:
    # y = x + table[arange(n)] + table[:n] (Range, Gather, Slice with a
    # computed end), and z = x[:2], a fixed window on the dynamic dim.
    table = (np.arange(64, dtype=np.float32) * 0.25).reshape(16, 4)
    return model(
        [helper.make_node("Shape", ["x"], ["s"], name="shape"),
         helper.make_node("Gather", ["s", "zero"], ["n"], name="length",
                          axis=0),
         helper.make_node("Range", ["zero", "n", "one"], ["pos"],
                          name="positions"),
         helper.make_node("Gather", ["table", "pos"], ["e"], name="lookup",
                          axis=0),
         helper.make_node("Unsqueeze", ["n", "axis0"], ["n1"], name="n1"),
         helper.make_node("Slice", ["table", "axis0", "n1", "axis0"], ["t"],
                          name="head_of_table"),
         helper.make_node("Add", ["x", "e"], ["xe"], name="add_lookup"),
         helper.make_node("Add", ["xe", "t"], ["y"], name="add_slice"),
         helper.make_node("Slice", ["x", "axis0", "two", "axis0"], ["z"],
                          name="first_two")],
        [value("x", ["n", 4])], [value("y", ["n", 4]), value("z", [2, 4])],
        [tensor("zero", np.array(0, dtype=np.int64)),
         tensor("one", np.array(1, dtype=np.int64)),
         tensor("axis0", np.array([0], dtype=np.int64)),
         tensor("two", np.array([2], dtype=np.int64)),
         tensor("table", table)])


def unrelated_dims():
    # z = a + b where the inputs' dynamic dims have different names: they
    # must still be equal at run time (dynamic dims are never broadcast).
    return model(
        [helper.make_node("Add", ["a", "b"], ["z"], name="add")],
        [value("a", ["n", 3]), value("b", ["m", 3])],
        [value("z", ["n", 3])])


def top_k_dynamic():
    # The 3 largest of a row whose length is known at run time only.
    return model(
        [helper.make_node("TopK", ["x", "k"], ["values", "indices"],
                          name="top", axis=-1)],
        [value("x", [2, "n"])],
        [value("values", [2, 3]), value("indices", [2, 3], TensorProto.INT64)],
        [tensor("k", np.array([3], dtype=np.int64))])


def conv_dynamic_image(stride=1):
    # A 3x3 SAME convolution on an image whose size is known at run time
    # only (its pads are 1 + 1 for stride 1, whatever the size), then a
    # 3x3 max pool that needs at least 3 rows and columns.
    return model(
        [helper.make_node("Conv", ["x", "W"], ["c"], name="conv_same",
                          auto_pad="SAME_UPPER", strides=[stride, stride]),
         helper.make_node("MaxPool", ["c"], ["y"], name="pool",
                          kernel_shape=[3, 3], strides=[2, 2])],
        [value("x", [1, 2, "h", "w"])], [value("y", [1, 3, "oh", "ow"])],
        [tensor("W", weights([3, 2, 3, 3], 5))])


def avgpool_dynamic_image():
    # A 3x3 average with stride 2 over an image padded by 1 whose size is
    # known at run time only; the padding is left out of each count.
    return model(
        [helper.make_node("AveragePool", ["x"], ["y"], name="avg",
                          kernel_shape=[3, 3], strides=[2, 2],
                          pads=[1, 1, 1, 1], count_include_pad=0)],
        [value("x", [1, 2, "h", "w"])], [value("y", [1, 2, "oh", "ow"])])


def matmul_broadcast_dynamic():
    # Batched matmuls whose batches broadcast against a dynamic one:
    # Y = A @ X with a constant A [1, 2, 5, 3] copied along X's batch, and
    # Z = X @ W with a constant W [1, 4, 2] (the same as the 2-D [4, 2]).
    # Constants as in test/tools/kiln/Inputs/shape_ops_reference.py.
    a = (np.arange(30, dtype=np.float32) * 0.1 - 1.0).reshape(1, 2, 5, 3)
    w = (np.arange(8, dtype=np.float32) * 0.25 - 0.5).reshape(1, 4, 2)
    return model(
        [helper.make_node("MatMul", ["A", "x"], ["y"], name="a_times_x"),
         helper.make_node("MatMul", ["x", "W"], ["z"], name="x_times_w")],
        [value("x", ["batch", 2, 3, 4])],
        [value("y", ["batch", 2, 5, 4]), value("z", ["batch", 2, 3, 2])],
        [tensor("A", a), tensor("W", w)])


def reverse_dynamic():
    # y = x[::-1, 4:0:-2] on a [n, m] input known at run time only, as
    # PyTorch's exporter writes flips (an end of INT64_MIN: "past the
    # first element").
    lowest = np.iinfo(np.int64).min
    return model(
        [helper.make_node("Slice", ["x", "starts", "ends", "axes", "steps"],
                          ["y"], name="flip")],
        [value("x", ["n", "m"])], [value("y", ["n", "k"])],
        [tensor("starts", np.array([-1, 4], dtype=np.int64)),
         tensor("ends", np.array([lowest, 0], dtype=np.int64)),
         tensor("axes", np.array([0, 1], dtype=np.int64)),
         tensor("steps", np.array([-1, -2], dtype=np.int64))])


KINDS = {
    "gemm": gemm,
    "gemm_scaled": gemm_scaled,
    "conv_same_upper": conv_same_upper,
    "conv_same_lower": conv_same_lower,
    "conv_dynamic_image": conv_dynamic_image,
    "reverse_dynamic": reverse_dynamic,
    "matmul_broadcast_dynamic": matmul_broadcast_dynamic,
    "avgpool_dynamic_image": avgpool_dynamic_image,
    "conv_dynamic_image_stride2": lambda: conv_dynamic_image(2),
    "reshape": reshape,
    "maxpool_ceil": maxpool_ceil,
    "weights": weights_model,
    "bad_reshape": bad_reshape,
    "unsupported": unsupported,
    "mlp": mlp,
    "mlp_dynamic": mlp_dynamic,
    "shared_batch": shared_batch,
    "expand_dynamic": expand_dynamic,
    "mask_dynamic": mask_dynamic,
    "unrelated_dims": unrelated_dims,
    "positions_dynamic": positions_dynamic,
    "conv_net": conv_net,
    "top_k_dynamic": top_k_dynamic,
}


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in KINDS:
        sys.exit("usage: make_model.py {%s} OUT.onnx" % "|".join(KINDS))
    m = KINDS[sys.argv[1]]()
    onnx.save(m, sys.argv[2])


if __name__ == "__main__":
    main()
