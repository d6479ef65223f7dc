"""ops_tensor.py - generate.py's generators of elementwise, shape and
indexing operators: each builds one random case on a Case and returns its
output names."""

import numpy as np
from onnx import TensorProto, helper

from case import broadcast_pair, dims, shape_and_axis

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
