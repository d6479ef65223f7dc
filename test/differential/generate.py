#!/usr/bin/env python3
"""generate.py - random ONNX cases for differential testing against ONNX Runtime.

Each case is one operator (or a short chain) with random valid attributes,
shapes (sizes that leave remainders of Kiln's tiles), dtypes and, for
weights, a random choice between a graph input and a constant. ONNX
Runtime computes the reference; a case ORT rejects is drawn again. A case
is written as NAME/model.onnx + NAME/test_data_set_0/{input,output}_K.npy,
the layout test/models/run_model_tests.py checks Kiln against.

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
from onnx import TensorProto, helper, numpy_helper

ONNX_TYPES = {np.dtype(np.float32): TensorProto.FLOAT,
              np.dtype(np.int32): TensorProto.INT32,
              np.dtype(np.int64): TensorProto.INT64,
              np.dtype(np.bool_): TensorProto.BOOL}


class Case:
    """One graph under construction: inputs with data, constants, nodes."""

    def __init__(self, rng, opset=13):
        self.rng, self.opset = rng, opset
        self.inputs, self.inits, self.nodes = [], [], []
        self.count = 0

    def name(self, stem):
        self.count += 1
        return "%s%d" % (stem, self.count)

    def data(self, shape, dtype=np.float32, low=-2.0, high=2.0):
        if dtype == np.float32:
            return self.rng.uniform(low, high, shape).astype(np.float32)
        return self.rng.integers(int(low), int(high) + 1, shape).astype(dtype)

    def tensor(self, array, constant=None):
        """A graph input holding `array`, or (constant True, or by chance
        when None) an initializer."""
        if constant is None:
            constant = bool(self.rng.integers(0, 2))
        n = self.name("c" if constant else "x")
        if constant:
            self.inits.append(numpy_helper.from_array(array, n))
        else:
            self.inputs.append((n, array))
        return n

    def node(self, op, inputs, **attrs):
        out = self.name("y")
        self.nodes.append(helper.make_node(op, inputs, [out],
                                           name=self.name(op.lower()), **attrs))
        return out

    def model(self, outputs):
        vi = lambda n, a: helper.make_tensor_value_info(
            n, ONNX_TYPES[a.dtype], list(a.shape))
        graph = helper.make_graph(
            self.nodes, "case", [vi(n, a) for n, a in self.inputs],
            [helper.make_empty_tensor_value_info(o) for o in outputs],
            self.inits)
        model = helper.make_model(
            graph, opset_imports=[helper.make_opsetid("", self.opset)])
        model.ir_version = 8
        return model


def dims(rng, rank, low=1, high=9):
    return [int(rng.integers(low, high + 1)) for _ in range(rank)]


def shape_and_axis(rng, low, high):
    """A shape of rank 1-3 with dims in [low, high] and an axis of it
    (negative at times)."""
    rank = int(rng.integers(1, 4))
    return dims(rng, rank, low, high), int(rng.integers(-rank, rank))


def broadcast_pair(rng, rank):
    """Two shapes that broadcast: some dims of one set to 1 or dropped."""
    full = dims(rng, rank)
    other = [1 if rng.random() < 0.3 else d for d in full]
    drop = int(rng.integers(0, rank))
    return full, other[drop:]


# --- generators: each builds a case and returns its output names ---------

def gen_binary(c):
    rng = c.rng
    op = rng.choice(["Add", "Sub", "Mul", "Div", "Max", "Min"])
    dtype = rng.choice([np.float32, np.int32, np.int64])
    a_shape, b_shape = broadcast_pair(rng, int(rng.integers(1, 5)))
    if rng.random() < 0.5:
        a_shape, b_shape = b_shape, a_shape
    low = -20 if dtype != np.float32 else -2.0
    a = c.data(a_shape, dtype, low, 20 if dtype != np.float32 else 2.0)
    if op == "Div":  # integer division by positives only (its sign rule varies)
        b = c.data(b_shape, dtype, 1, 9) if dtype != np.float32 else \
            c.data(b_shape, dtype, 0.5, 3.0)
        if dtype != np.float32:
            a = np.abs(a)
    else:
        b = c.data(b_shape, dtype, low, 20 if dtype != np.float32 else 2.0)
    return [c.node(op, [c.tensor(a, False), c.tensor(b)])]


def gen_unary(c):
    rng = c.rng
    op = rng.choice(["Relu", "Sigmoid", "Tanh", "Exp", "Abs", "Neg", "Sqrt",
                     "Erf", "Softplus", "Floor", "Ceil", "Reciprocal",
                     "LeakyRelu", "Elu", "HardSigmoid", "Log"])
    shape = dims(rng, int(rng.integers(1, 5)))
    low = 0.1 if op in ("Sqrt", "Log", "Reciprocal") else -3.0
    x = c.data(shape, np.float32, low, 3.0)
    attrs = {}
    if op == "LeakyRelu":
        attrs["alpha"] = float(rng.uniform(0.01, 0.5))
    if op == "Elu":
        attrs["alpha"] = float(rng.uniform(0.5, 2.0))
    return [c.node(op, [c.tensor(x, False)], **attrs)]


def gen_matmul(c):
    rng = c.rng
    m, k, n = (int(rng.integers(1, 71)) for _ in range(3))
    batch = dims(rng, int(rng.integers(0, 3)), 1, 3)
    a = c.data(batch + [m, k])
    b_batch = batch[int(rng.integers(0, len(batch) + 1)):]
    b = c.data(b_batch + [k, n])
    return [c.node("MatMul", [c.tensor(a, False), c.tensor(b)])]


def gen_gemm(c):
    rng = c.rng
    m, k, n = (int(rng.integers(1, 71)) for _ in range(3))
    ta, tb = (int(rng.integers(0, 2)) for _ in range(2))
    a = c.data([k, m] if ta else [m, k])
    b = c.data([n, k] if tb else [k, n])
    ins = [c.tensor(a, False), c.tensor(b)]
    attrs = {"transA": ta, "transB": tb}
    if rng.random() < 0.5:
        attrs["alpha"] = float(rng.uniform(0.5, 2.0))
    if rng.random() < 0.7:
        shape = [[n], [1, n], [m, 1], [m, n], []][int(rng.integers(0, 5))]
        ins.append(c.tensor(c.data(shape)))
        if rng.random() < 0.5:
            attrs["beta"] = float(rng.uniform(0.5, 2.0))
    return [c.node("Gemm", ins, **attrs)]


def gen_conv(c):
    rng = c.rng
    rank = 2 if rng.random() < 0.85 else 1
    kind = rng.choice(["dense", "depthwise", "grouped"])
    group = {"dense": 1, "depthwise": int(rng.integers(2, 9)),
             "grouped": int(rng.integers(2, 4))}[kind]
    cin_per = 1 if kind == "depthwise" else int(rng.integers(1, 6))
    out_per = int(rng.integers(1, 3)) if kind == "depthwise" else \
        int(rng.integers(1, 6))
    kernel = dims(rng, rank, 1, 5)
    strides = dims(rng, rank, 1, 3)
    dil = dims(rng, rank, 1, 2)
    pads = [int(rng.integers(0, k)) for k in kernel] + \
        [int(rng.integers(0, k)) for k in kernel]
    spatial = [int(rng.integers((k - 1) * d + 1, 21))
               for k, d in zip(kernel, dil)]
    batch = int(rng.integers(1, 3))
    x = c.data([batch, group * cin_per] + spatial)
    w = c.data([group * out_per, cin_per] + kernel)
    ins = [c.tensor(x, False), c.tensor(w, rng.random() < 0.8)]
    if rng.random() < 0.6:
        ins.append(c.tensor(c.data([group * out_per]), True))
    y = c.node("Conv", ins, kernel_shape=kernel, strides=strides,
               dilations=dil, pads=pads, group=group)
    if rng.random() < 0.4:
        y = c.node(rng.choice(["Relu", "Sigmoid"]), [y])
    return [y]


def gen_pool(c):
    rng = c.rng
    op = rng.choice(["MaxPool", "AveragePool"])
    kernel = dims(rng, 2, 1, 4)
    strides = dims(rng, 2, 1, 3)
    pads = [int(rng.integers(0, k)) for k in kernel] * 2
    attrs = {"kernel_shape": kernel, "strides": strides, "pads": pads,
             "ceil_mode": int(rng.integers(0, 2))}
    if op == "AveragePool":
        attrs["count_include_pad"] = int(rng.integers(0, 2))
    elif rng.random() < 0.3:
        attrs["dilations"] = dims(rng, 2, 1, 2)
    dil = attrs.get("dilations", [1, 1])
    spatial = [int(rng.integers((k - 1) * d + 1, 20))
               for k, d in zip(kernel, dil)]
    x = c.data([int(rng.integers(1, 3)), int(rng.integers(1, 6))] + spatial)
    return [c.node(op, [c.tensor(x, False)], **attrs)]


def gen_transpose(c):
    rng = c.rng
    rank = int(rng.integers(2, 6))
    x = c.data(dims(rng, rank, 1, 6))
    perm = [int(p) for p in rng.permutation(rank)]
    return [c.node("Transpose", [c.tensor(x)], perm=perm)]


def gen_reduce(c):
    rng = c.rng
    op = rng.choice(["ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin",
                     "ReduceProd", "ReduceL2", "ReduceLogSumExp"])
    rank = int(rng.integers(1, 5))
    x = c.data(dims(rng, rank), np.float32, -1.5, 1.5)
    keep = int(rng.integers(0, 2))
    axes = sorted(int(a) for a in rng.choice(rank, int(rng.integers(1, rank + 1)),
                                             replace=False))
    axes = [a - rank if rng.random() < 0.3 else a for a in axes]
    if op == "ReduceSum":  # opset 13: axes is an input
        ax = c.tensor(np.array(axes, np.int64), True)
        return [c.node(op, [c.tensor(x, False), ax], keepdims=keep)]
    return [c.node(op, [c.tensor(x, False)], axes=axes, keepdims=keep)]


def gen_softmax(c):
    rng = c.rng
    rank = int(rng.integers(1, 5))
    x = c.data(dims(rng, rank, 1, 12), np.float32, -4.0, 4.0)
    op = rng.choice(["Softmax", "LogSoftmax"])
    return [c.node(op, [c.tensor(x, False)],
                   axis=int(rng.integers(-rank, rank)))]


def gen_concat(c):
    rng = c.rng
    rank = int(rng.integers(1, 5))
    axis = int(rng.integers(-rank, rank))
    base = dims(rng, rank)
    parts = []
    for i in range(int(rng.integers(2, 4))):
        shape = list(base)
        shape[axis] = int(rng.integers(1, 6))
        # (the first an input: an all-constant Concat is folded away)
        parts.append(c.tensor(c.data(shape), False if i == 0 else None))
    return [c.node("Concat", parts, axis=axis)]


def gen_slice(c):
    rng = c.rng
    rank = int(rng.integers(1, 5))
    shape = dims(rng, rank, 1, 10)
    x = c.data(shape)
    axes = sorted(int(a) for a in rng.choice(rank, int(rng.integers(1, rank + 1)),
                                             replace=False))
    starts, ends, steps = [], [], []
    for a in axes:
        n = shape[a]
        step = int(rng.choice([1, 1, 2, 3, -1, -2]))
        start = int(rng.integers(-n - 2, n + 2))
        end = int(rng.integers(-n - 2, n + 2))
        if rng.random() < 0.2:
            end = -(2 ** 62) if step < 0 else 2 ** 62  # to the end
        starts.append(start), ends.append(end), steps.append(step)
    const = lambda v: c.tensor(np.array(v, np.int64), True)
    return [c.node("Slice", [c.tensor(x, False), const(starts), const(ends),
                             const(axes), const(steps)])]


def gen_gather(c):
    rng = c.rng
    shape, axis = shape_and_axis(rng, 1, 8)
    n = shape[axis]
    idx = rng.integers(-n, n, dims(rng, int(rng.integers(0, 3)), 1, 4))
    return [c.node("Gather", [c.tensor(c.data(shape)),
                              c.tensor(idx.astype(np.int64), False)],
                   axis=axis)]


def gen_layernorm(c):
    c.opset = 17
    rng = c.rng
    rank = int(rng.integers(2, 5))
    shape = dims(rng, rank, 1, 12)
    axis = int(rng.integers(-rank, rank))
    norm = shape[axis % rank:]
    attrs = {"axis": axis}
    if rng.random() < 0.5:
        attrs["epsilon"] = float(rng.choice([1e-3, 1e-2, 0.5]))
    ins = [c.tensor(c.data(shape, np.float32, -1.0, 1.0), False),
           c.tensor(c.data(norm))]
    if rng.random() < 0.6:
        ins.append(c.tensor(c.data(norm)))
    return [c.node("LayerNormalization", ins, **attrs)]


def gen_pad(c):
    rng = c.rng
    rank = int(rng.integers(1, 5))
    shape = dims(rng, rank, 2, 8)
    mode = rng.choice(["constant", "reflect", "edge"])
    if mode == "reflect":
        pads = [int(rng.integers(0, s)) for s in shape] + \
            [int(rng.integers(0, s)) for s in shape]
    else:
        pads = [int(rng.integers(0, 4)) for _ in range(2 * rank)]
    ins = [c.tensor(c.data(shape), False),
           c.tensor(np.array(pads, np.int64), True)]
    if mode == "constant" and rng.random() < 0.5:
        ins.append(c.tensor(np.array(float(rng.uniform(-2, 2)), np.float32),
                            True))
    return [c.node("Pad", ins, mode=mode)]


def gen_chain(c):
    """A small chain: matmul + bias + activation + residual, or conv +
    batch norm + pool."""
    rng = c.rng
    if rng.random() < 0.5:
        m, k = int(rng.integers(1, 40)), int(rng.integers(1, 70))
        x = c.tensor(c.data([m, k]), False)
        y = c.node("MatMul", [x, c.tensor(c.data([k, k]), True)])
        y = c.node("Add", [y, c.tensor(c.data([k]), True)])
        y = c.node(rng.choice(["Relu", "Tanh", "Sigmoid"]), [y])
        return [c.node("Add", [y, x])]
    ch = int(rng.integers(1, 9))
    x = c.tensor(c.data([1, ch] + dims(rng, 2, 4, 16)), False)
    f = int(rng.integers(1, 17))
    y = c.node("Conv", [x, c.tensor(c.data([f, ch, 3, 3]), True)],
               kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    bn = [c.tensor(c.data([f], np.float32, lo, hi), True)
          for lo, hi in ((0.5, 2), (-1, 1), (-1, 1), (0.5, 2))]
    y = c.node("BatchNormalization", [y] + bn,
               epsilon=float(rng.choice([1e-5, 1e-3])))
    y = c.node("Relu", [y])
    return [c.node("MaxPool", [y], kernel_shape=[2, 2], strides=[2, 2],
                   ceil_mode=int(rng.integers(0, 2)))]


def gen_where(c):
    """A comparison selecting between two tensors (integer or float)."""
    rng = c.rng
    dtype = rng.choice([np.float32, np.int32, np.int64])
    a_shape, b_shape = broadcast_pair(rng, int(rng.integers(1, 4)))
    a = c.data(a_shape, dtype, -3, 3)
    b = c.data(b_shape, dtype, -3, 3)
    op = rng.choice(["Equal", "Greater", "Less", "GreaterOrEqual",
                     "LessOrEqual"])
    an, bn = c.tensor(a, False), c.tensor(b)
    cond = c.node(op, [an, bn])
    if rng.random() < 0.3:
        cond = c.node("Not", [cond])
    return [c.node("Where", [cond, an, bn])]


def gen_cast(c):
    rng = c.rng
    src = rng.choice([np.float32, np.int32, np.int64])
    dst = rng.choice([TensorProto.FLOAT, TensorProto.INT32, TensorProto.INT64,
                      TensorProto.BOOL])
    x = c.data(dims(rng, int(rng.integers(1, 4))), src, -50, 50)
    if src == np.float32:  # no halfway values: their rounding is not cast's
        x = np.round(x * 4) / 4 + np.float32(0.1)
    y = c.node("Cast", [c.tensor(x, False)], to=int(dst))
    return [y]


def gen_clip(c):
    rng = c.rng
    x = c.data(dims(rng, int(rng.integers(1, 4))), np.float32, -3, 3)
    ins = [c.tensor(x, False)]
    lo = float(rng.uniform(-2, 0))
    hi = float(rng.uniform(0, 2))
    if rng.random() < 0.8:
        ins.append(c.tensor(np.array(lo, np.float32), True))
        if rng.random() < 0.8:
            ins.append(c.tensor(np.array(hi, np.float32), True))
    elif rng.random() < 0.5:
        ins += ["", c.tensor(np.array(hi, np.float32), True)]
    return [c.node("Clip", ins)]


def gen_expand_tile(c):
    rng = c.rng
    rank = int(rng.integers(1, 4))
    shape = dims(rng, rank, 1, 4)
    x = c.tensor(c.data([1 if rng.random() < 0.5 else d for d in shape]),
                 False)
    if rng.random() < 0.5:
        target = [int(rng.integers(1, 3))] * int(rng.integers(0, 2)) + shape
        return [c.node("Expand", [x, c.tensor(np.array(target, np.int64),
                                              True)])]
    reps = dims(rng, rank, 1, 3)
    return [c.node("Tile", [x, c.tensor(np.array(reps, np.int64), True)])]


def gen_argmax(c):
    rng = c.rng
    rank = int(rng.integers(1, 4))
    shape = dims(rng, rank, 1, 9)
    # Few distinct values: ties, where select_last_index matters.
    x = c.data(shape, np.float32, -2, 2).round()
    op = rng.choice(["ArgMax", "ArgMin"])
    return [c.node(op, [c.tensor(x, False)], axis=int(rng.integers(-rank, rank)),
                   keepdims=int(rng.integers(0, 2)),
                   select_last_index=int(rng.integers(0, 2)))]


def gen_cumsum(c):
    rng = c.rng
    rank = int(rng.integers(1, 4))
    dtype = rng.choice([np.float32, np.int32, np.int64])
    x = c.data(dims(rng, rank, 1, 9), dtype, -5, 5)
    axis = c.tensor(np.array(int(rng.integers(-rank, rank)), np.int64), True)
    return [c.node("CumSum", [c.tensor(x, False), axis],
                   exclusive=int(rng.integers(0, 2)),
                   reverse=int(rng.integers(0, 2)))]


def gen_split(c):
    rng = c.rng
    shape, axis = shape_and_axis(rng, 2, 9)
    n = shape[axis]
    cuts = sorted(int(v) for v in rng.choice(np.arange(1, n), int(rng.integers(
        1, min(3, n - 1) + 1)), replace=False))
    sizes = np.diff([0] + cuts + [n]).astype(np.int64)
    out = [c.name("y") for _ in sizes]
    c.nodes.append(helper.make_node(
        "Split", [c.tensor(c.data(shape), False), c.tensor(sizes, True)], out,
        name=c.name("split"), axis=axis))
    return out


def gen_resize(c):
    """Resize, away from two places where ONNX Runtime and ONNX's reference
    implementation (whose backend tests Kiln passes) disagree: an output
    length of 1 under pytorch_half_pixel (coordinate 0 in ORT, -0.5 in the
    reference) and align_corners with scales whose output length is not
    whole (ORT divides by the whole length, the reference by scale * in)."""
    rng = c.rng
    x = c.data([1, int(rng.integers(1, 4))] + dims(rng, 2, 4, 9))
    mode = rng.choice(["nearest", "linear", "cubic"])
    transform = rng.choice(["half_pixel", "asymmetric", "align_corners",
                            "pytorch_half_pixel"])
    attrs = {"mode": mode, "coordinate_transformation_mode": transform}
    if mode == "nearest":
        attrs["nearest_mode"] = rng.choice(["round_prefer_floor",
                                            "round_prefer_ceil", "floor", "ceil"])
    empty = c.tensor(np.array([], np.float32), True)
    if rng.random() < 0.5 and transform != "align_corners":
        scales = [1.0, 1.0] + [float(rng.choice([0.5, 1.5, 2.0, 3.0]))
                               for _ in range(2)]
        ins = [c.tensor(x, False), empty, c.tensor(np.array(scales, np.float32),
                                                   True)]
    else:
        sizes = list(x.shape[:2]) + dims(rng, 2, 2, 14)
        ins = [c.tensor(x, False), empty, empty,
               c.tensor(np.array(sizes, np.int64), True)]
    return [c.node("Resize", ins, **attrs)]


def gen_topk(c):
    rng = c.rng
    rank = int(rng.integers(1, 4))
    shape = dims(rng, rank, 1, 10)
    axis = int(rng.integers(-rank, rank))
    k = int(rng.integers(1, shape[axis] + 1))
    # Distinct values: with ties the order of equal elements may differ.
    x = rng.permutation(int(np.prod(shape))).reshape(shape).astype(np.float32)
    values, indices = c.name("y"), c.name("y")
    c.nodes.append(helper.make_node(
        "TopK", [c.tensor(x, False), c.tensor(np.array([k], np.int64), True)],
        [values, indices], name=c.name("topk"), axis=axis,
        largest=int(rng.integers(0, 2)), sorted=1))
    return [values, indices]


def gen_reshape(c):
    rng = c.rng
    shape = dims(rng, int(rng.integers(1, 5)), 1, 6)
    total = int(np.prod(shape))
    x = c.tensor(c.data(shape), False)
    if rng.random() < 0.3:
        return [c.node("Flatten", [x], axis=int(rng.integers(0, len(shape) + 1)))]
    # A new shape from the factors of the element count, one dim as -1 and
    # (where the rank allows) one copied with 0.
    new, rest = [], total
    while rest > 1 and len(new) < 3:
        f = [d for d in range(1, rest + 1) if rest % d == 0]
        d = int(rng.choice(f))
        new.append(d)
        rest //= d
    new.append(rest)
    new[int(rng.integers(0, len(new)))] = -1
    return [c.node("Reshape", [x, c.tensor(np.array(new, np.int64), True)])]


def gen_convtranspose(c):
    rng = c.rng
    group = int(rng.choice([1, 1, 2]))
    cin, cout = group * int(rng.integers(1, 4)), group * int(rng.integers(1, 4))
    kernel = dims(rng, 2, 1, 4)
    strides = dims(rng, 2, 1, 3)
    pads = [int(rng.integers(0, k)) for k in kernel] * 2
    attrs = {"kernel_shape": kernel, "strides": strides, "pads": pads,
             "group": group}
    if rng.random() < 0.3:
        attrs["output_padding"] = [int(rng.integers(0, s)) for s in strides]
    x = c.data([1, cin] + dims(rng, 2, 2, 9))
    w = c.data([cin, cout // group] + kernel)
    ins = [c.tensor(x, False), c.tensor(w, True)]
    if rng.random() < 0.5:
        ins.append(c.tensor(c.data([cout]), True))
    return [c.node("ConvTranspose", ins, **attrs)]


def gen_instancenorm(c):
    rng = c.rng
    ch = int(rng.integers(1, 6))
    x = c.data([int(rng.integers(1, 3)), ch] + dims(rng, int(rng.integers(1, 3)),
                                                     2, 10))
    return [c.node("InstanceNormalization",
                   [c.tensor(x, False), c.tensor(c.data([ch]), True),
                    c.tensor(c.data([ch]), True)],
                   epsilon=float(rng.choice([1e-5, 1e-2])))]


GENERATORS = {name[4:]: fn for name, fn in globals().items()
              if name.startswith("gen_")}


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
