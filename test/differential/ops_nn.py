"""ops_nn.py - generate.py's generators of contractions, windows,
resampling, normalization and small chains: each builds one random case on
a Case and returns its output names."""

import numpy as np

from case import dims

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


def gen_instancenorm(c):
    rng = c.rng
    ch = int(rng.integers(1, 6))
    x = c.data([int(rng.integers(1, 3)), ch] + dims(rng, int(rng.integers(1, 3)),
                                                     2, 10))
    return [c.node("InstanceNormalization",
                   [c.tensor(x, False), c.tensor(c.data([ch]), True),
                    c.tensor(c.data([ch]), True)],
                   epsilon=float(rng.choice([1e-5, 1e-2])))]


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
