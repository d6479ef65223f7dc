"""newer_opsets.py KILN DIR - ops in the forms of opsets 18 to 28.

Also covers ops and attribute forms of older opsets that ONNX's own suites
test thinly (MaxPool indices, Col2Im, Det, blocked quantization, ...).
Builds one small model per case with onnx.helper (Debian's onnx 1.12 writes
any opset number; its checker is not run), compiles and runs it with
`kiln run`, and compares the output with a numpy reference: prints
"PASS name" when max|out - ref| <= 1e-4 * max|ref| (plus 1e-6; integer
outputs must match exactly, in their own type), else
"FAIL name ...". With "hostile", writes malformed newer-opset models for
the error checks instead.
"""

import os
import subprocess
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

F = TensorProto.FLOAT


def model(opset, nodes, inputs, output_shape, inits=(), out_type=F):
    code = lambda a: numpy_helper.from_array(a).data_type
    graph = helper.make_graph(
        nodes, "g",
        [helper.make_tensor_value_info(n, code(a), a.shape) for n, a in inputs],
        [helper.make_tensor_value_info("y", out_type, output_shape)],
        [numpy_helper.from_array(a, n) for n, a in inits])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return m


def run(kiln, folder, name, m, inputs, ref):
    case = os.path.join(folder, name)
    data = os.path.join(case, "data")
    os.makedirs(data, exist_ok=True)
    with open(os.path.join(case, "model.onnx"), "wb") as f:
        f.write(m.SerializeToString())
    for k, (n, a) in enumerate(inputs):
        with open(os.path.join(data, "input_%d.pb" % k), "wb") as f:
            f.write(numpy_helper.from_array(a, n).SerializeToString())
    out = os.path.join(case, "out")
    p = subprocess.run([kiln, "run", os.path.join(case, "model.onnx"),
                        "--data", data, "--output-dir", out],
                       capture_output=True, text=True)
    if p.returncode not in (0, 1):
        print("FAIL %s: %s" % (name, (p.stdout + p.stderr).strip()))
        return
    got = np.load(os.path.join(out, "output_0.npy"))
    if ref.dtype.kind in "iub":  # integers: exactly, in their own type
        same = got.dtype == ref.dtype and got.shape == ref.shape
        err = int(np.count_nonzero(got != ref)) if same else None
        tol = 0
    else:
        err = float(np.max(np.abs(got - ref))) if got.shape == ref.shape else None
        tol = 1e-4 * float(np.max(np.abs(ref))) + 1e-6
    if err is not None and err <= tol:
        print("PASS %s" % name)
    else:
        print("FAIL %s: shape %s vs %s, max err %s" % (name, got.shape, ref.shape, err))


def cases():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 4, 3)).astype(np.float32)
    i64 = lambda v: np.array(v, dtype=np.int64)
    yield ("reducemean18_axes_input", model(
        18, [helper.make_node("ReduceMean", ["x", "axes"], ["y"], keepdims=0)],
        [("x", x)], [2, 3], [("axes", i64([1]))]), [("x", x)], x.mean(1))
    yield ("reducemax18_noop_empty_axes", model(
        18, [helper.make_node("ReduceMax", ["x"], ["y"], noop_with_empty_axes=1)],
        [("x", x)], [2, 4, 3]), [("x", x)], x)
    pad_ref = np.pad(x, [(0, 0), (1, 2), (0, 0)], constant_values=0.5)
    yield ("pad18_axes", model(
        18, [helper.make_node("Pad", ["x", "pads", "v", "axes"], ["y"])],
        [("x", x)], [2, 7, 3],
        [("pads", i64([1, 2])), ("v", np.array(0.5, np.float32)),
         ("axes", i64([1]))]), [("x", x)], pad_ref)
    wrap_ref = np.pad(x, [(0, 0), (2, 0), (0, 0)], mode="wrap")[:, :, 1:]
    yield ("pad19_wrap_and_crop", model(
        19, [helper.make_node("Pad", ["x", "pads"], ["y"], mode="wrap")],
        [("x", x)], [2, 6, 2], [("pads", i64([0, 2, -1, 0, 0, 0]))]),
        [("x", x)], wrap_ref)
    s = rng.standard_normal(4).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    g = x.reshape(2, 2, 6)
    gn = ((g - g.mean(2, keepdims=True)) /
          np.sqrt(g.var(2, keepdims=True) + 1e-5)).reshape(2, 4, 3)
    yield ("groupnorm21", model(
        21, [helper.make_node("GroupNormalization", ["x", "s", "b"], ["y"],
                              num_groups=2)],
        [("x", x)], [2, 4, 3], [("s", s), ("b", b)]), [("x", x)],
        gn * s[None, :, None] + b[None, :, None])
    w = rng.standard_normal(3).astype(np.float32)
    rms = x / np.sqrt((x * x).mean(-1, keepdims=True) + 1e-5) * w
    yield ("rmsnorm23", model(
        23, [helper.make_node("RMSNormalization", ["x", "w"], ["y"])],
        [("x", x)], [2, 4, 3], [("w", w)]), [("x", x)], rms)
    gelu = 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))
    yield ("gelu20_tanh", model(
        20, [helper.make_node("Gelu", ["x"], ["y"], approximate="tanh")],
        [("x", x)], [2, 4, 3]), [("x", x)], gelu)
    yield ("mish18", model(
        18, [helper.make_node("Mish", ["x"], ["y"])], [("x", x)], [2, 4, 3]),
        [("x", x)], x * np.tanh(np.log1p(np.exp(x))))
    img = rng.standard_normal((1, 2, 4, 6)).astype(np.float32)
    crd = img.reshape(1, 2, 2, 2, 3, 2).transpose(0, 1, 3, 5, 2, 4).reshape(1, 8, 2, 3)
    yield ("spacetodepth28_crd", model(
        28, [helper.make_node("SpaceToDepth", ["x"], ["y"], blocksize=2,
                              mode="CRD")], [("x", img)], [1, 8, 2, 3]),
        [("x", img)], crd)
    v = np.arange(7, dtype=np.float32)
    split = model(18, [helper.make_node("Split", ["x"], ["a", "y", "c"],
                                        num_outputs=3)], [("x", v)], [3])
    yield ("split18_num_outputs", split, [("x", v)], v[3:6])
    yield from integer_cases(rng)
    yield from pooling_cases(rng)
    yield from transformer_cases(rng)


def rotate(x, cos, sin, interleaved, dim):
    """Rotary embedding of [batch, seq, heads, head] x; cos/sin [b, s, dim/2]."""
    c, s_ = cos[:, :, None, :], sin[:, :, None, :]
    rot, rest = x[..., :dim], x[..., dim:]
    if interleaved:
        x1, x2 = rot[..., 0::2], rot[..., 1::2]
    else:
        x1, x2 = rot[..., :dim // 2], rot[..., dim // 2:]
    re, im = c * x1 - s_ * x2, s_ * x1 + c * x2
    if interleaved:
        out = np.stack([re, im], -1).reshape(rot.shape)
    else:
        out = np.concatenate([re, im], -1)
    return np.concatenate([out, rest], -1)


def transformer_cases(rng):
    x = rng.standard_normal((2, 3, 4, 8)).astype(np.float32)  # [b, heads, s, d]
    pos = np.array([[0, 2, 5, 1], [3, 3, 0, 4]], np.int64)
    angles = rng.uniform(0, 3, (6, 3)).astype(np.float32)
    cos, sin = np.cos(angles), np.sin(angles)
    ref = rotate(x.transpose(0, 2, 1, 3), cos[pos], sin[pos], True, 6)
    node = helper.make_node("RotaryEmbedding", ["x", "cos", "sin", "pos"],
                            ["y"], interleaved=1, rotary_embedding_dim=6)
    yield ("rotary23_interleaved_dim6_positions", model(
        23, [node], [("x", x)], [2, 3, 4, 8],
        [("cos", cos), ("sin", sin), ("pos", pos)]), [("x", x)],
        ref.transpose(0, 2, 1, 3))
    h = rng.standard_normal((2, 4, 12)).astype(np.float32)  # [b, s, 3 heads x 4]
    c3 = np.cos(rng.uniform(0, 3, (2, 4, 2))).astype(np.float32)
    s3 = np.sin(rng.uniform(0, 3, (2, 4, 2))).astype(np.float32)
    ref = rotate(h.reshape(2, 4, 3, 4), c3, s3, False, 4).reshape(2, 4, 12)
    node = helper.make_node("RotaryEmbedding", ["x", "cos", "sin"], ["y"],
                            num_heads=3)
    yield ("rotary23_3d_halves", model(
        23, [node], [("x", h)], [2, 4, 12], [("cos", c3), ("sin", s3)]),
        [("x", h)], ref)
    a = rng.standard_normal((3, 5)).astype(np.float32)
    b = rng.standard_normal((3, 5)).astype(np.float32)
    yield from grid_cases(rng)
    yield from spectral_cases(rng)
    yield from maxpool_index_cases(rng)
    yield from matrix_cases(rng)
    yield from tfidf_cases(rng)
    e = rng.standard_normal((2, 4, 4)).astype(np.float32)
    node = helper.make_node("Einsum", ["x"], ["y"], equation="...ii->...i")
    yield ("einsum_diagonal", model(18, [node], [("x", e)], [2, 4]),
           [("x", e)], np.einsum("...ii->...i", e))
    node = helper.make_node("Einsum", ["x", "z"], ["y"], equation="bii,bjk")
    z = rng.standard_normal((2, 3, 5)).astype(np.float32)
    yield ("einsum_trace_implicit", model(
        18, [node], [("x", e), ("z", z)], [3, 5]), [("x", e), ("z", z)],
        np.einsum("bii,bjk", e, z))
    node = helper.make_node("SwiGLU", ["a", "b"], ["y"], alpha=1.7)
    yield ("swiglu_alpha", model(
        26, [node], [("a", a), ("b", b)], [3, 5]), [("a", a), ("b", b)],
        a / (1 + np.exp(-1.7 * a)) * b)


def shift_ref(a, b, left):
    """ONNX BitShift: 0 past the width or for negative counts (-1 when
    shifting a negative signed number right)."""
    bits = a.dtype.itemsize * 8
    out = (b < 0) | (b >= bits)
    safe = np.where(out, 0, b).astype(a.dtype)
    if left:
        return np.where(out, 0, a << safe).astype(a.dtype)
    fill = np.where(a < 0, -1, 0) if a.dtype.kind == "i" else 0
    return np.where(out, fill, a >> safe).astype(a.dtype)


def integer_cases(rng):
    a = rng.integers(-2**31, 2**31, (3, 5), dtype=np.int32)
    b = rng.integers(-2**31, 2**31, (3, 5), dtype=np.int32)
    c = rng.integers(-2**31, 2**31, (5,), dtype=np.int32)
    nodes = [helper.make_node("BitwiseAnd", ["a", "b"], ["t0"]),
             helper.make_node("BitwiseOr", ["t0", "c"], ["t1"]),
             helper.make_node("BitwiseNot", ["a"], ["t2"]),
             helper.make_node("BitwiseXor", ["t1", "t2"], ["y"])]
    ins = [("a", a), ("b", b), ("c", c)]
    yield ("bitwise18_chain", model(18, nodes, ins, [3, 5],
                                    out_type=TensorProto.INT32),
           ins, ((a & b) | c) ^ ~a)
    x8 = np.array([-128, -77, -1, 0, 1, 37, 100, 127, -5, 5], np.int8)
    s8 = np.array([1, 3, 7, 8, 9, -1, 2, 0, 100, -100], np.int8)
    for left in (True, False):
        name = "bitshift_int8_" + ("left" if left else "right")
        node = helper.make_node("BitShift", ["x", "s"], ["y"],
                                direction="LEFT" if left else "RIGHT")
        ins = [("x", x8), ("s", s8)]
        yield (name, model(26, [node], ins, [10], out_type=TensorProto.INT8),
               ins, shift_ref(x8, s8, left))
    u = np.array([2**63 + 5, 2**64 - 1, 12345, 7], np.uint64)
    us = np.array([1, 63, 64, 0], np.uint64)
    node = helper.make_node("BitShift", ["x", "s"], ["y"], direction="RIGHT")
    ins = [("x", u), ("s", us)]
    yield ("bitshift_uint64_right", model(26, [node], ins, [4],
                                          out_type=TensorProto.UINT64),
           ins, shift_ref(u, us.astype(np.int64), False).astype(np.uint64))
    f = rng.standard_normal((2, 3)).astype(np.float32)
    node = helper.make_node("BitCast", ["x"], ["y"], to=TensorProto.INT32)
    yield ("bitcast_float_to_int32", model(26, [node], [("x", f)], [2, 3],
                                           out_type=TensorProto.INT32),
           [("x", f)], f.view(np.int32))


def pooling_cases(rng):
    x = rng.standard_normal((2, 4, 3)).astype(np.float32)
    # Exclusive, reverse: y[:, j] = prod of x[:, i] for i > j.
    cp = np.stack([np.prod(x[:, j + 1:], axis=1) for j in range(4)], axis=1)
    node = helper.make_node("CumProd", ["x", "axis"], ["y"], exclusive=1,
                            reverse=1)
    yield ("cumprod26_exclusive_reverse", model(
        26, [node], [("x", x)], [2, 4, 3],
        [("axis", np.array(1, np.int64))]), [("x", x)], cp)
    node = helper.make_node("LpNormalization", ["x"], ["y"], axis=0, p=1)
    yield ("lpnorm_p1_axis0", model(22, [node], [("x", x)], [2, 4, 3]),
           [("x", x)], x / np.abs(x).sum(0, keepdims=True))
    z = x.copy()
    z[0, :, 2] = 0  # a zero norm gives zeros, not NaN
    node = helper.make_node("LpNormalization", ["x"], ["y"], axis=1, p=2)
    norm = np.sqrt((z * z).sum(1, keepdims=True))
    yield ("lpnorm_p2_zero_norm", model(22, [node], [("x", z)], [2, 4, 3]),
           [("x", z)], np.where(norm == 0, 0, z / np.where(norm == 0, 1, norm)))
    img = rng.standard_normal((1, 2, 5, 6)).astype(np.float32)
    padded = np.pad(img, [(0, 0), (0, 0), (1, 0), (0, 1)])
    ref = np.zeros((1, 2, 3, 3), np.float32)
    for i in range(3):
        for j in range(3):
            win = padded[:, :, 2 * i:2 * i + 2, 2 * j:2 * j + 3]
            ref[:, :, i, j] = (np.abs(win) ** 3).sum((2, 3)) ** (1 / 3)
    node = helper.make_node("LpPool", ["x"], ["y"], kernel_shape=[2, 3],
                            strides=[2, 2], pads=[1, 0, 0, 1], p=3)
    yield ("lppool_p3_pads_strides", model(22, [node], [("x", img)],
                                           [1, 2, 3, 3]), [("x", img)], ref)


def hostile(folder):
    x = helper.make_tensor_value_info("x", F, [2, 4])
    y = helper.make_tensor_value_info("y", F, [2, 4])
    def save(name, opset, node):
        m = helper.make_model(helper.make_graph([node], "g", [x], [y]),
                              opset_imports=[helper.make_opsetid("", opset)])
        with open(os.path.join(folder, name + ".onnx"), "wb") as f:
            f.write(m.SerializeToString())
    save("opset29", 29, helper.make_node("Relu", ["x"], ["y"]))
    save("groupnorm_one_input", 21, helper.make_node(
        "GroupNormalization", ["x"], ["y"], name="gn", num_groups=2))
    save("reducemean_no_input", 18, helper.make_node(
        "ReduceMean", [], ["y"], name="rm"))


def main():
    kiln, folder = sys.argv[1], sys.argv[2]
    os.makedirs(folder, exist_ok=True)
    if len(sys.argv) > 3 and sys.argv[3] == "hostile":
        return hostile(folder)
    for name, m, inputs, ref in cases():
        run(kiln, folder, name, m, inputs, ref)



def grid_cases(rng):
    x = rng.standard_normal((2, 7, 4)).astype(np.float32)
    # Axis 1: 7 -> 4 keeps rows 1..4; axis 2: 4 -> 7 pads 1 before, 2 after.
    ref = np.pad(x[:, 1:5, :], [(0, 0), (0, 0), (1, 2)])
    node = helper.make_node("CenterCropPad", ["x", "shape"], ["y"], axes=[1, 2])
    yield ("centercroppad18_crop_and_pad", model(
        18, [node], [("x", x)], [2, 4, 7], [("shape", np.array([4, 7], np.int64))]),
        [("x", x)], ref)
    theta = rng.standard_normal((2, 2, 3)).astype(np.float32)
    h, w = 3, 5
    ys = -1 + (2 * np.arange(h) + 1) / h
    xs = -1 + (2 * np.arange(w) + 1) / w
    pts = np.stack([np.tile(xs, h), np.repeat(ys, w), np.ones(h * w)], 1)
    ref = np.einsum("nij,pj->npi", theta, pts).reshape(2, h, w, 2)
    node = helper.make_node("AffineGrid", ["theta", "size"], ["y"])
    yield ("affinegrid20_2d", model(
        20, [node], [("theta", theta)], [2, h, w, 2],
        [("size", np.array([2, 1, h, w], np.int64))]), [("theta", theta)],
        ref.astype(np.float32))

def as_pairs(z):
    return np.stack([z.real, z.imag], -1).astype(np.float32)


def spectral_cases(rng):
    x = rng.standard_normal((2, 9, 3, 1)).astype(np.float32)
    axis = ("axis", np.array(1, np.int64))
    node = helper.make_node("DFT", ["x", "len", "axis"], ["y"], onesided=1)
    yield ("dft20_rfft_padded", model(
        20, [node], [("x", x)], [2, 7, 3, 2],
        [("len", np.array(12, np.int64)), axis]), [("x", x)],
        as_pairs(np.fft.rfft(x[..., 0], n=12, axis=1)))
    z = rng.standard_normal((2, 6, 3, 2)).astype(np.float32)
    zc = z[..., 0] + 1j * z[..., 1]
    node = helper.make_node("DFT", ["x", "", "axis"], ["y"], inverse=1)
    yield ("dft20_inverse_complex", model(
        20, [node], [("x", z)], [2, 6, 3, 2], [axis]), [("x", z)],
        as_pairs(np.fft.ifft(zc, axis=1)))
    node = helper.make_node("DFT", ["x", "", "axis"], ["y"], inverse=1,
                            onesided=1)
    yield ("dft20_irfft", model(
        20, [node], [("x", z)], [2, 10, 3, 1], [axis]), [("x", z)],
        np.fft.irfft(zc, n=10, axis=1)[..., None].astype(np.float32))
    sig = rng.standard_normal((1, 40, 1)).astype(np.float32)
    win = np.hanning(16).astype(np.float32)
    frames = np.stack([sig[0, f * 6:f * 6 + 16, 0] * win for f in range(5)])
    node = helper.make_node("STFT", ["x", "step", "w"], ["y"])
    # (libonnx 1.12's STFT shape inference ignores onesided: leave the bins
    # dim unnamed so the declared shape does not contradict it.)
    yield ("stft17_window", model(
        17, [node], [("x", sig)], [1, 5, None, 2],
        [("step", np.array(6, np.int64)), ("w", win)]), [("x", sig)],
        as_pairs(np.fft.rfft(frames, axis=-1))[None])

def maxpool_indices(x, k, s, pads, column_major):
    """ONNX MaxPool's Indices for 2-D x [N, C, H, W], pads [t, l, b, r]."""
    n, c, h, w = x.shape
    ho = (h + pads[0] + pads[2] - k[0]) // s[0] + 1
    wo = (w + pads[1] + pads[3] - k[1]) // s[1] + 1
    out = np.zeros((n, c, ho, wo), np.int64)
    for b in range(n):
        for ch in range(c):
            for i in range(ho):
                for j in range(wo):
                    best = None
                    for a in range(k[0]):
                        for bb in range(k[1]):
                            y, z = i * s[0] - pads[0] + a, j * s[1] - pads[1] + bb
                            if 0 <= y < h and 0 <= z < w and (
                                    best is None or x[b, ch, y, z] > x[b, ch, best[0], best[1]]):
                                best = (y, z)
                    y, z = best
                    flat = z * h + y if column_major else y * w + z
                    out[b, ch, i, j] = (b * c + ch) * h * w + flat
    return out


def avgpool_ceil_include_pad(x, k, s, pads):
    """AveragePool, count_include_pad and ceil_mode: the divisor counts the
    explicit pads but not the part of a window past them."""
    n, c, h, w = x.shape
    hp, wp = h + pads[0] + pads[2], w + pads[1] + pads[3]
    ho = -(-(hp - k[0]) // s[0]) + 1
    wo = -(-(wp - k[1]) // s[1]) + 1
    padded = np.pad(x, [(0, 0), (0, 0), (pads[0], pads[2] + k[0]),
                        (pads[1], pads[3] + k[1])])
    out = np.zeros((n, c, ho, wo), np.float32)
    for i in range(ho):
        for j in range(wo):
            win = padded[:, :, i * s[0]:i * s[0] + k[0], j * s[1]:j * s[1] + k[1]]
            rows = min(k[0], hp - i * s[0])
            cols = min(k[1], wp - j * s[1])
            out[:, :, i, j] = win.sum((2, 3)) / (rows * cols)
    return out


def maxpool_index_cases(rng):
    q = rng.integers(-128, 128, (3, 5)).astype(np.int8)
    scale = rng.uniform(0.01, 0.5, (3, 3)).astype(np.float32)  # blocks of 2
    zp = rng.integers(-5, 5, (3, 3)).astype(np.int8)
    spread = lambda a: np.repeat(a, 2, axis=1)[:, :5]
    node = helper.make_node("DequantizeLinear", ["x", "s", "z"], ["y"], axis=1,
                            block_size=2)
    yield ("dequantize21_blocked", model(
        21, [node], [("x", q)], [3, 5], [("s", scale), ("z", zp)]),
        [("x", q)], (q.astype(np.float32) - spread(zp)) * spread(scale))
    x = rng.standard_normal((2, 3, 5, 6)).astype(np.float32)
    node = helper.make_node("AveragePool", ["x"], ["y"], kernel_shape=[3, 2],
                            strides=[2, 2], pads=[1, 0, 0, 0], ceil_mode=1,
                            count_include_pad=1)
    yield ("avgpool19_ceil_include_pad", model(
        19, [node], [("x", x)], [2, 3, 3, 3]), [("x", x)],
        avgpool_ceil_include_pad(x, (3, 2), (2, 2), (1, 0, 0, 0)))
    for order in (0, 1):
        node = helper.make_node("MaxPool", ["x"], ["v", "y"], kernel_shape=[2, 3],
                                strides=[2, 2], pads=[1, 0, 0, 1],
                                storage_order=order)
        yield ("maxpool12_indices_order%d" % order, model(
            12, [node], [("x", x)], [2, 3, 3, 3], out_type=TensorProto.INT64),
            [("x", x)], maxpool_indices(x, (2, 3), (2, 2), (1, 0, 0, 1), order))

def col2im(x, image, block, strides, pads, dil):
    """Sums each column of x [N, C*kh*kw, L] back into its image block."""
    n, ck, _ = x.shape
    kh, kw = block
    c = ck // (kh * kw)
    hp, wp = image[0] + pads[0] + pads[2], image[1] + pads[1] + pads[3]
    bh = (hp - dil[0] * (kh - 1) - 1) // strides[0] + 1
    bw = (wp - dil[1] * (kw - 1) - 1) // strides[1] + 1
    out = np.zeros((n, c, hp, wp), x.dtype)
    cols = x.reshape(n, c, kh, kw, bh, bw)
    for i in range(kh):
        for j in range(kw):
            for a in range(bh):
                for b in range(bw):
                    out[:, :, a * strides[0] + i * dil[0],
                        b * strides[1] + j * dil[1]] += cols[:, :, i, j, a, b]
    return out[:, :, pads[0]:pads[0] + image[0], pads[1]:pads[1] + image[1]]


def matrix_cases(rng):
    m = rng.standard_normal((2, 4, 4)).astype(np.float32)
    node = helper.make_node("Det", ["x"], ["y"])
    yield ("det22_batched_4x4", model(22, [node], [("x", m)], [2]),
           [("x", m)], np.linalg.det(m.astype(np.float64)).astype(np.float32))
    x = rng.standard_normal((1, 2 * 2 * 3, 6)).astype(np.float32)
    node = helper.make_node("Col2Im", ["x", "img", "blk"], ["y"],
                            strides=[2, 1], pads=[1, 0, 0, 1], dilations=[1, 2])
    yield ("col2im18_strides_pads_dilations", model(
        18, [node], [("x", x)], [1, 2, 5, 5],
        [("img", np.array([5, 5], np.int64)), ("blk", np.array([2, 3], np.int64))]),
        [("x", x)], col2im(x, (5, 5), (2, 3), (2, 1), (1, 0, 0, 1), (1, 2)))
    cache = rng.standard_normal((2, 3, 6, 4)).astype(np.float32)
    upd = rng.standard_normal((2, 3, 3, 4)).astype(np.float32)
    at = np.array([1, 5], np.int64)
    ref = cache.copy()
    for b in range(2):
        for j in range(3):
            ref[b, :, (at[b] + j) % 6] = upd[b, :, j]
    node = helper.make_node("TensorScatter", ["c", "u", "w"], ["y"],
                            mode="circular")
    yield ("tensorscatter24_circular", model(
        24, [node], [("c", cache), ("u", upd)], [2, 3, 6, 4], [("w", at)]),
        [("c", cache), ("u", upd)], ref)

def tfidf_cases(rng):
    """TfIdfVectorizer against a direct count: unigrams once, bigrams at
    every skip distance 1 .. max_skip + 1."""
    x = rng.integers(0, 5, (2, 9)).astype(np.int32)
    unigrams, bigrams = [2, 3], [(0, 1), (4, 4), (1, 3)]
    pool = unigrams + [t for g in bigrams for t in g]
    indexes = [4, 0, 2, 1, 3]
    weights = [0.5, 1.5, 2.0, 0.25, 3.0]
    ref = np.zeros((2, 5), np.float32)
    for r in range(2):
        for k, u in enumerate(unigrams):
            ref[r, indexes[k]] += np.count_nonzero(x[r] == u)
        for k, (a, b) in enumerate(bigrams):
            for d in (1, 2):
                ref[r, indexes[2 + k]] += sum(
                    x[r, s] == a and x[r, s + d] == b for s in range(9 - d))
    node = helper.make_node(
        "TfIdfVectorizer", ["x"], ["y"], mode="TFIDF", min_gram_length=1,
        max_gram_length=2, max_skip_count=1, ngram_counts=[0, 2],
        ngram_indexes=indexes, pool_int64s=pool, weights=weights)
    yield ("tfidf9_unigrams_skip_bigrams", model(9, [node], [("x", x)], [2, 5]),
           [("x", x)], ref * np.array(weights, np.float32))


if __name__ == "__main__":
    main()
