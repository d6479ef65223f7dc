"""reference_gaps.py KILN DIR - numbers where planted bugs went unnoticed.

Each case targets one attribute default or lowering branch that a one-line
bug could break while the hand-picked tests still passed (a MaxPool
ceil_mode size off by one, LayerNorm's default epsilon, a reversing Slice
losing a column, a grouped convolution with several outputs per group
taken for depthwise, integer Sub with its operands swapped, a constant
3-D Transpose folded with the inverse permutation). Shapes are not square
and permutations not their own inverse. Each model is compiled and run
with `kiln run` and compared with a numpy reference: "PASS name" when
max|out - ref| <= 1e-4 * max|ref| (integers exactly), else "FAIL name".
"""

import os
import subprocess
import sys

import numpy as np
from onnx import TensorProto, helper

import newer_opsets  # beside this script: its model builder

rng = np.random.default_rng(11)


def model(nodes, inputs, out_shape, out_type=TensorProto.FLOAT, inits=(),
          opset=17):
    return newer_opsets.model(opset, nodes, inputs, out_shape, inits,
                              out_type)


def run(kiln, folder, name, m, inputs):
    case = os.path.join(folder, name)
    os.makedirs(case, exist_ok=True)
    path = os.path.join(case, "model.onnx")
    with open(path, "wb") as f:
        f.write(m.SerializeToString())
    args = [kiln, "run", path, "--output-dir", os.path.join(case, "out")]
    for n, a in inputs:
        np.save(os.path.join(case, n + ".npy"), a)
        args += ["--input", "%s=%s" % (n, os.path.join(case, n + ".npy"))]
    p = subprocess.run(args, capture_output=True, text=True)
    return p, os.path.join(case, "out", "output_0.npy")


def check(kiln, folder, name, m, inputs, ref):
    p, out = run(kiln, folder, name, m, inputs)
    if p.returncode != 0:
        print("FAIL %s: %s" % (name, (p.stdout + p.stderr).strip()))
        return
    got = np.load(out)
    if ref.dtype.kind in "iu":
        ok = got.dtype == ref.dtype and got.shape == ref.shape and \
            np.array_equal(got, ref)
    else:
        ok = got.shape == ref.shape and \
            np.max(np.abs(got - ref)) <= 1e-4 * np.max(np.abs(ref))
    print("%s %s" % ("PASS" if ok else "FAIL", name))


def maxpool_ceil():
    x = rng.standard_normal((1, 2, 7, 5)).astype(np.float32)
    # 7 and 5 with kernel 2, stride 2: ceil gives 4 x 3 (floor 3 x 2); the
    # last window of each row and column holds one element.
    ref = np.full((1, 2, 4, 3), -np.inf, np.float32)
    for i in range(4):
        for j in range(3):
            ref[:, :, i, j] = x[:, :, 2 * i:2 * i + 2, 2 * j:2 * j + 2].max(axis=(2, 3))
    return ("maxpool_ceil_mode",
            model([helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[2, 2],
                                    strides=[2, 2], ceil_mode=1)],
                  [("x", x)], [1, 2, 4, 3]), [("x", x)], ref)


def layernorm_default_epsilon():
    # Variance about 1e-6: the default epsilon (1e-5) dominates it, so the
    # result depends on its exact value.
    # (An offset of 0.01, not 3: float32 keeps the deviations exact enough.)
    x = (0.01 + 1e-3 * rng.standard_normal((2, 3, 16))).astype(np.float32)
    scale = rng.standard_normal(16).astype(np.float32)
    x64 = x.astype(np.float64)
    mean = x64.mean(-1, keepdims=True)
    var = ((x64 - mean) ** 2).mean(-1, keepdims=True)
    ref = ((x64 - mean) / np.sqrt(var + 1e-5) * scale).astype(np.float32)
    return ("layernorm_default_epsilon",
            model([helper.make_node("LayerNormalization", ["x", "s"], ["y"])],
                  [("x", x)], [2, 3, 16], inits=[("s", scale)]),
            [("x", x)], ref)


def slice_reverse():
    x = rng.standard_normal((3, 7)).astype(np.float32)
    i64 = lambda v: np.array(v, np.int64)
    return ("slice_reverse_columns",
            model([helper.make_node("Slice", ["x", "st", "en", "ax", "sp"], ["y"])],
                  [("x", x)], [3, 7],
                  inits=[("st", i64([-1])), ("en", i64([-(2**63)])),
                         ("ax", i64([1])), ("sp", i64([-1]))]),
            [("x", x)], x[:, ::-1])


def grouped_conv():
    # group 2, 4 input and 6 output channels: 3 outputs per group, each
    # reading 2 input channels (not a depthwise convolution).
    x = rng.standard_normal((1, 4, 6, 5)).astype(np.float32)
    w = rng.standard_normal((6, 2, 3, 3)).astype(np.float32)
    ref = np.zeros((1, 6, 4, 3))
    for o in range(6):
        g = o // 3
        for i in range(4):
            for j in range(3):
                ref[0, o, i, j] = np.sum(x[0, 2 * g:2 * g + 2, i:i + 3, j:j + 3] * w[o])
    return ("conv_group2_three_outputs_per_group",
            model([helper.make_node("Conv", ["x", "w"], ["y"], group=2)],
                  [("x", x)], [1, 6, 4, 3], inits=[("w", w)]),
            [("x", x)], ref.astype(np.float32))


def int_sub():
    a = rng.integers(-1000, 1000, (3, 5)).astype(np.int32)
    b = rng.integers(-10, 10, (5,)).astype(np.int32)
    return ("sub_int32_operand_order",
            model([helper.make_node("Sub", ["a", "b"], ["y"])],
                  [("a", a), ("b", b)], [3, 5], TensorProto.INT32),
            [("a", a), ("b", b)], a - b)


def transpose_constant_3d():
    c = rng.standard_normal((2, 3, 4)).astype(np.float32)
    x = rng.standard_normal((3, 4, 2)).astype(np.float32)
    # perm [1, 2, 0] is not its own inverse ([2, 0, 1]).
    return ("transpose_constant_perm_120",
            model([helper.make_node("Transpose", ["c"], ["t"], perm=[1, 2, 0]),
                   helper.make_node("Add", ["t", "x"], ["y"])],
                  [("x", x)], [3, 4, 2], inits=[("c", c)]),
            [("x", x)], np.transpose(c, (1, 2, 0)) + x)


def main():
    kiln, folder = sys.argv[1], sys.argv[2]
    for case in (maxpool_ceil, layernorm_default_epsilon, slice_reverse,
                 grouped_conv, int_sub, transpose_constant_3d):
        check(kiln, folder, *case())


if __name__ == "__main__":
    main()
