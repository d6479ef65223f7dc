"""cpu_kernels.py KILN DIR - execution checks of the CPU kernels' paths.

Each case is a small ONNX model shaped to take one kernel path of the CPU
codegen (named in the case), with sizes that are not multiples of its tiles
so that remainders run too. It is compiled and run with `kiln run` at 1 and
2 threads and compared with a float64 numpy reference: prints
"PASS name/T" when max|out - ref| <= 1e-4 * max|ref|, else "FAIL ...".
"""

import os
import subprocess
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

F = TensorProto.FLOAT
rng = np.random.default_rng(7)


def rand(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def model(nodes, x, out_shape, inits):
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", F, x.shape)],
        [helper.make_tensor_value_info("y", F, out_shape)],
        [numpy_helper.from_array(a, n) for n, a in inits])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    return m


def check(kiln, folder, name, m, x, ref, flags=()):
    case = os.path.join(folder, name)
    os.makedirs(case, exist_ok=True)
    path = os.path.join(case, "model.onnx")
    with open(path, "wb") as f:
        f.write(m.SerializeToString())
    np.save(os.path.join(case, "x.npy"), x)
    lib = os.path.join(case, "lib%s.so" % name)
    p = subprocess.run([kiln, "compile", path, "-o", lib] + list(flags),
                       capture_output=True, text=True)
    if p.returncode != 0:
        print("FAIL %s: %s" % (name, (p.stdout + p.stderr).strip()))
        return
    for threads in (1, 2):
        out = os.path.join(case, "out%d" % threads)
        p = subprocess.run([kiln, "run", lib, "--input",
                            "x=" + os.path.join(case, "x.npy"),
                            "--output-dir", out, "--threads", str(threads)],
                           capture_output=True, text=True)
        if p.returncode != 0:
            print("FAIL %s/%d: %s" % (name, threads, (p.stdout + p.stderr).strip()))
            continue
        got = np.load(os.path.join(out, "output_0.npy"))
        # A NaN in the reference must be a NaN in the output, and only there.
        nan = np.isnan(ref)
        err = None
        if got.shape == ref.shape and np.array_equal(np.isnan(got), nan):
            err = float(np.max(np.abs(got - ref)[~nan]))
        tol = 1e-4 * float(np.max(np.abs(ref[~nan])))
        verdict = "PASS" if err is not None and err <= tol else "FAIL"
        print("%s %s/%d err=%s tol=%.3g" % (verdict, name, threads, err, tol))


def packed_cases():
    """Packed-panel kernel on a constant weight: 1 to 5 rows (the GEMV
    form), whole 96-row chunks, a last chunk with a few rows more (200 =
    96 + 104) or fewer (128 = 96 + 32, 130 with K blocks) than the others,
    its last tile a remainder of one to five rows, N not a multiple of the 64-column panel, K in blocks of
    512 with a partial last block (K = 2100); N of 130 and 70 in 32-wide
    panels (64-wide ones would compute mostly padding); as MatMul and as
    Gemm with transB."""
    for m, k, n in ((1, 300, 130), (3, 257, 64), (5, 96, 200), (1, 2048, 1000),
                    (13, 67, 64), (96, 40, 190), (200, 67, 130),
                    (100, 2100, 70), (128, 70, 130), (130, 2050, 64)):
        x, w = rand(m, k), rand(k, n)
        yield ("packed_matmul_%dx%dx%d" % (m, k, n),
               model([helper.make_node("MatMul", ["x", "w"], ["y"])], x,
                     [m, n], [("w", w)]),
               x, x.astype(np.float64) @ w.astype(np.float64))
    x, w, b = rand(1, 500), rand(70, 500), rand(70)
    yield ("packed_gemm_transb",
           model([helper.make_node("Gemm", ["x", "w", "b"], ["y"], transB=1)],
                 x, [1, 70], [("w", w), ("b", b)]),
           x, x.astype(np.float64) @ w.T.astype(np.float64) + b)


def runtime_packed_cases():
    """Packed-panel kernel with the right-hand side computed at run time
    (the pixels-as-columns form of a convolution: constant filter times the
    input), its rows read in place: whole panels only, and a partial last
    panel read with a mask; rows 4 KiB apart (N = 1024) are first copied
    into panels; K of 256 or more in passes of 64 rows (the last cut at
    K)."""
    for m, k, n in ((64, 57, 200), (13, 30, 128), (100, 20, 64),
                    (13, 30, 1024), (20, 300, 200)):
        w, x = rand(m, k), rand(k, n)
        yield ("runtime_packed_%dx%dx%d" % (m, k, n),
               model([helper.make_node("MatMul", ["w", "x"], ["y"])], x,
                     [m, n], [("w", w)]),
               x, w.astype(np.float64) @ x.astype(np.float64))


def conv_reference(x, w, b, pads, stride=1):
    """float64 NCHW convolution: pads are ONNX's [top, left, bottom,
    right]."""
    top, left, bottom, right = pads
    xp = np.pad(x[0].astype(np.float64),
                ((0, 0), (top, bottom), (left, right)))
    kh, kw = w.shape[2:]
    win = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(1, 2))
    win = win[:, ::stride, ::stride]
    y = np.einsum("chwij,fcij->fhw", win, w.astype(np.float64))
    return (y + b.astype(np.float64)[:, None, None])[None]


def padded_width_cases():
    """Stride-1 convolutions whose packed-kernel panels are read from the
    padded image itself (padded-width rows, no im2col copy): symmetric and
    asymmetric pads, no pad at all (the image gets its own padded copy), a
    3 x 1 window, filters leaving a remainder tile or a 96-row chunk plus a
    tail, C * KH * KW >= 2048, run in blocks of whole channels, and a 14 x
    14 map (77 % of the computed columns are pixels)."""
    for c, f, hw, k, pads in ((5, 13, (30, 30), (3, 3), (1, 1, 1, 1)),
                              (3, 13, (20, 33), (5, 5), (2, 1, 2, 3)),
                              (4, 14, (40, 40), (3, 3), (0, 0, 0, 0)),
                              (240, 16, (16, 16), (3, 3), (1, 1, 1, 1)),
                              (6, 20, (24, 24), (3, 1), (1, 0, 1, 0)),
                              (3, 100, (26, 26), (3, 3), (1, 1, 1, 1)),
                              (20, 10, (14, 14), (3, 3), (1, 1, 1, 1))):
        x, w, b = rand(1, c, *hw), rand(f, c, *k), rand(f)
        ref = conv_reference(x, w, b, pads)
        yield ("padded_width_conv_%dx%d_%dx%d_c%d_f%d" % (hw + k + (c, f)),
               model([helper.make_node("Conv", ["x", "w", "b"], ["y"],
                                       kernel_shape=list(k), pads=list(pads))],
                     x, list(ref.shape), [("w", w), ("b", b)]),
               x, ref)


def phased_cases():
    """Strided convolutions as padded-width rows over s x s phase images
    (no im2col copy): stride 2 with a 3 x 3 window (ResNet's downsampling
    convolutions), a 7 x 7 one (ResNet's first), a 4 x 4 one with
    asymmetric pads, stride 3, a non-square image with an odd height, no
    pad at all, a 14 x 14 output (77 % of the columns pixels), and C * KH * KW >= 2048, run in blocks of whole channels;
    the bias and ReLU are applied by the kernel's tiles (junk columns
    included) unless K is blocked."""
    for c, f, hw, k, s, pads in ((5, 13, (30, 30), (3, 3), 2, (1, 1, 1, 1)),
                                 (3, 8, (64, 64), (7, 7), 2, (3, 3, 3, 3)),
                                 (5, 11, (46, 46), (4, 4), 2, (1, 1, 2, 2)),
                                 (4, 9, (61, 61), (5, 5), 3, (2, 2, 2, 2)),
                                 (6, 14, (33, 62), (3, 3), 2, (1, 1, 1, 1)),
                                 (2, 7, (50, 50), (3, 3), 2, (0, 0, 0, 0)),
                                 (6, 9, (28, 28), (3, 3), 2, (1, 1, 1, 1)),
                                 (240, 16, (32, 32), (3, 3), 2,
                                  (1, 1, 1, 1))):
        x, w, b = rand(1, c, *hw), rand(f, c, *k), rand(f)
        ref = np.maximum(conv_reference(x, w, b, pads, stride=s), 0)
        yield ("phased_conv_%dx%d_%dx%d_s%d_c%d_f%d" % (hw + k + (s, c, f)),
               model([helper.make_node("Conv", ["x", "w", "b"], ["c"],
                                       kernel_shape=list(k), pads=list(pads),
                                       strides=[s, s]),
                      helper.make_node("Relu", ["c"], ["y"])],
                     x, list(ref.shape), [("w", w), ("b", b)]),
               x, ref)


def strided_pointwise_cases():
    """A 1x1 convolution with stride 2 (a ResNet downsample): pixels as the
    matmul's columns, gathered by im2col and read in place, the last panel
    masked (400 pixels)."""
    x, w, b = rand(1, 24, 40, 40), rand(30, 24, 1, 1), rand(30)
    ref = conv_reference(x, w, b, (0, 0, 0, 0), stride=2)
    yield ("strided_pointwise_conv",
           model([helper.make_node("Conv", ["x", "w", "b"], ["y"],
                                   kernel_shape=[1, 1], strides=[2, 2])],
                 x, list(ref.shape), [("w", w), ("b", b)]),
           x, ref)


def window_view(x, k, stride, dilation, pads, value):
    """Windows [C, OH, OW, KH, KW] of x[0] padded with `value` (pads
    [top, left, bottom, right]), in float64."""
    top, left, bottom, right = pads
    xp = np.pad(x[0].astype(np.float64), ((0, 0), (top, bottom), (left, right)),
                constant_values=value)
    span = [dilation * (kk - 1) + 1 for kk in k]
    win = np.lib.stride_tricks.sliding_window_view(xp, span, axis=(1, 2))
    return win[:, ::stride, ::stride, ::dilation, ::dilation]


def window_cases():
    """Depthwise convolutions and pools, whose window loops are unrolled
    into an all-parallel loop over the output (kiln-cpu-unroll-windows):
    3x3 stride 1 and 2 with a Clip fused after, a dilated 5x5 with
    asymmetric pads, rows narrower than a vector (7 wide), a 9x9 window
    (81 taps, past the unrolling limit: the reduction loops stay); MaxPool
    with ceil_mode (its last window hangs over the edge) and with a NaN
    (which must reach the maxima of exactly the windows holding it),
    AveragePool
    without the pads in its counts."""
    for c, hw, k, s, d, pads, clip in ((24, (30, 30), 3, 1, 1, (1, 1, 1, 1), True),
                                       (17, (33, 31), 3, 2, 1, (1, 1, 1, 1), True),
                                       (8, (20, 23), 5, 1, 2, (4, 3, 2, 4), False),
                                       (40, (7, 7), 3, 1, 1, (1, 1, 1, 1), False),
                                       (5, (20, 20), 9, 1, 1, (4, 4, 4, 4), False)):
        x, w, b = rand(1, c, *hw), rand(c, 1, k, k), rand(c)
        win = window_view(x, (k, k), s, d, pads, 0.0)
        ref = np.einsum("chwij,cij->chw", win, w[:, 0].astype(np.float64))
        ref = ref + b.astype(np.float64)[:, None, None]
        nodes = [helper.make_node("Conv", ["x", "w", "b"], ["c" if clip else "y"],
                                  kernel_shape=[k, k], strides=[s, s],
                                  dilations=[d, d], pads=list(pads), group=c)]
        inits = [("w", w), ("b", b)]
        if clip:
            nodes.append(helper.make_node("Clip", ["c", "lo", "hi"], ["y"]))
            inits += [("lo", np.array(0, np.float32)),
                      ("hi", np.array(1.5, np.float32))]
            ref = np.clip(ref, 0.0, 1.5)
        yield ("depthwise_%dx%d_k%d_s%d_d%d_c%d" % (hw + (k, s, d, c)),
               model(nodes, x, [1] + list(ref.shape), inits), x, ref[None])
    # 56 x 58, 3x3 stride 2, ceil_mode: 28 x 29 windows, the last row and
    # column of windows hang one element over the edge.
    x = rand(1, 6, 56, 58)
    ref = window_view(x, (3, 3), 2, 1, (0, 0, 1, 1), -np.inf).max(axis=(3, 4))
    yield ("maxpool_ceil_56x58",
           model([helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[3, 3],
                                   strides=[2, 2], ceil_mode=1)],
                 x, [1] + list(ref.shape), []), x, ref[None])
    # A NaN in a window makes that window's maximum NaN.
    x = rand(1, 6, 56, 58)
    x[0, 2, 9, 30] = np.nan
    ref = window_view(x, (3, 3), 2, 1, (1, 1, 1, 1), -np.inf).max(axis=(3, 4))
    yield ("maxpool_nan_56x58",
           model([helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[3, 3],
                                   strides=[2, 2], pads=[1, 1, 1, 1])],
                 x, [1] + list(ref.shape), []), x, ref[None])
    x = rand(1, 6, 19, 21)
    pads = (1, 2, 1, 0)
    sums = window_view(x, (3, 4), 1, 1, pads, 0.0).sum(axis=(3, 4))
    ones = window_view(np.ones_like(x), (3, 4), 1, 1, pads, 0.0).sum(axis=(3, 4))
    ref = sums / ones
    yield ("avgpool_exclude_pad_19x21",
           model([helper.make_node("AveragePool", ["x"], ["y"], kernel_shape=[3, 4],
                                   pads=list(pads), count_include_pad=0)],
                 x, [1] + list(ref.shape), []), x, ref[None])


def nhwc_cases():
    """The NHWC forms (--compute-layout=NHWC, what depthwise CNNs get by
    default): convolutions as pixels-by-channels matmuls on the filter in
    its own order (a 1x1 on the input as it is; 3x3 stride 2 and a dilated
    5x5 with asymmetric pads through im2col rows, their filters too small
    for packing; windows whose rows are read from the padded image: a
    partial last panel and row tile, K in several passes, a 5x5 window with
    asymmetric pads, no pads, a 7 x 7 map, stride 2 (3x3, 1x1, and a 7x7
    stem on 3 channels, read a window row at a time), dilation 2),
    a depthwise convolution
    at stride 1 and 2 and the pools, unrolled along the channels; every
    padded input filled only at its border."""
    for c, f, hw, k, s, d, pads in ((19, 70, (15, 13), 1, 1, 1, (0, 0, 0, 0)),
                                    (5, 33, (21, 20), 3, 2, 1, (1, 1, 1, 1)),
                                    (6, 20, (17, 19), 5, 1, 2, (4, 3, 2, 4)),
                                    (7, 70, (13, 13), 3, 1, 1, (1, 1, 1, 1)),
                                    (200, 20, (16, 16), 3, 1, 1, (1, 1, 1, 1)),
                                    (12, 30, (20, 30), 5, 1, 1, (2, 1, 3, 2)),
                                    (64, 64, (24, 40), 3, 1, 1, (0, 0, 0, 0)),
                                    (64, 70, (7, 7), 3, 1, 1, (1, 1, 1, 1)),
                                    (16, 40, (23, 20), 3, 2, 1, (1, 1, 1, 1)),
                                    (64, 70, (15, 14), 1, 2, 1, (0, 0, 0, 0)),
                                    (32, 20, (17, 19), 3, 1, 2, (2, 2, 2, 2)),
                                    (3, 64, (30, 28), 7, 2, 1, (3, 3, 3, 3))):
        x, w, b = rand(1, c, hw[0], hw[1]), rand(f, c, k, k), rand(f)
        win = window_view(x, (k, k), s, d, pads, 0.0)
        ref = np.einsum("chwij,fcij->fhw", win, w.astype(np.float64))
        ref = ref + b.astype(np.float64)[:, None, None]
        yield ("nhwc_conv_%dx%d_k%d_s%d_d%d_c%d_f%d" % (hw + (k, s, d, c, f)),
               model([helper.make_node("Conv", ["x", "w", "b"], ["y"],
                                       kernel_shape=[k, k], strides=[s, s],
                                       dilations=[d, d], pads=list(pads))],
                     x, [1] + list(ref.shape), [("w", w), ("b", b)]),
               x, ref[None])
    for c, hw, s in ((40, (14, 14), 1), (24, (19, 17), 2)):
        x, w, b = rand(1, c, *hw), rand(c, 1, 3, 3), rand(c)
        win = window_view(x, (3, 3), s, 1, (1, 1, 1, 1), 0.0)
        ref = np.einsum("chwij,cij->chw", win, w[:, 0].astype(np.float64))
        ref = np.clip(ref + b.astype(np.float64)[:, None, None], 0.0, 1.5)
        yield ("nhwc_depthwise_%dx%d_s%d_c%d" % (hw + (s, c)),
               model([helper.make_node("Conv", ["x", "w", "b"], ["c"],
                                       kernel_shape=[3, 3], strides=[s, s],
                                       pads=[1, 1, 1, 1], group=c),
                      helper.make_node("Clip", ["c", "lo", "hi"], ["y"])],
                     x, [1] + list(ref.shape),
                     [("w", w), ("b", b), ("lo", np.array(0, np.float32)),
                      ("hi", np.array(1.5, np.float32))]), x, ref[None])
    x = rand(1, 20, 27, 25)
    x[0, 7, 4, 4] = np.nan
    ref = window_view(x, (3, 3), 2, 1, (0, 0, 0, 0), -np.inf).max(axis=(3, 4))
    yield ("nhwc_maxpool_27x25",
           model([helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[3, 3],
                                   strides=[2, 2])],
                 x, [1] + list(ref.shape), []), x, ref[None])
    x = rand(1, 20, 9, 11)
    ref = window_view(x, (3, 3), 1, 1, (1, 1, 1, 1), 0.0).sum(axis=(3, 4)) / 9
    yield ("nhwc_avgpool_9x11",
           model([helper.make_node("AveragePool", ["x"], ["y"], kernel_shape=[3, 3],
                                   pads=[1, 1, 1, 1], count_include_pad=1)],
                 x, [1] + list(ref.shape), []), x, ref[None])


def batch_cases():
    """Batch matmuls whose batches are each packed-kernel sized become a
    loop of matmuls over the batch: attention's x @ x^T (both sides run-time,
    a partial last panel of 70 columns) and a constant right-hand side per
    batch (its slices read in place)."""
    x = rand(3, 70, 40)
    xt = np.ascontiguousarray(np.transpose(x, (0, 2, 1)))
    yield ("batch_matmul_x_xt_3x70x40",
           model([helper.make_node("Transpose", ["x"], ["t"], perm=[0, 2, 1]),
                  helper.make_node("MatMul", ["x", "t"], ["y"])],
                 x, [3, 70, 70], []),
           x, x.astype(np.float64) @ xt.astype(np.float64))
    x, w = rand(2, 30, 40), rand(2, 40, 100)
    yield ("batch_matmul_const_2x30x40x100",
           model([helper.make_node("MatMul", ["x", "w"], ["y"])], x,
                 [2, 30, 100], [("w", w)]),
           x, x.astype(np.float64) @ w.astype(np.float64))


def epilogue_cases():
    """Elementwise consumers applied by the packed matmul's tiles as they
    store (MatmulEpilogue): a bias per column, a scalar, a residual read as
    a whole tensor and a sigmoid after a matmul with a row remainder and a
    partial last panel; 1x1 convolutions whose product is pixels x channels
    and transposed to NCHW (the rows padded to a whole tile read the last
    real row's bias) and channels x pixels (a bias per row), the latter
    also with K in passes of 64 channels (only the last applies the
    consumer, here with a residual read per pixel) and a partial last
    panel stored masked."""
    x, w, r = rand(100, 96), rand(96, 45) * 0.3, rand(100, 45)
    b = rand(45)
    ref = x.astype(np.float64) @ w.astype(np.float64) + b + r
    ref = 1.0 / (1.0 + np.exp(-0.5 * ref))
    yield ("epilogue_matmul_residual_sigmoid",
           model([helper.make_node("MatMul", ["x", "w"], ["m"]),
                  helper.make_node("Add", ["m", "b"], ["mb"]),
                  helper.make_node("Add", ["mb", "r"], ["mr"]),
                  helper.make_node("Mul", ["mr", "half"], ["h"]),
                  helper.make_node("Sigmoid", ["h"], ["y"])],
                 x, list(ref.shape),
                 [("w", w), ("b", b), ("r", r),
                  ("half", np.array(0.5, np.float32))]), x, ref)
    for c, f, hw in ((96, 150, (14, 14)), (16, 24, (30, 29))):
        x, w, b = rand(1, c, *hw), rand(f, c, 1, 1), rand(f)
        ref = np.einsum("chw,fc->fhw", x[0].astype(np.float64),
                        w[:, :, 0, 0].astype(np.float64))
        ref = np.clip(ref + b.astype(np.float64)[:, None, None], 0.0, 6.0)
        yield ("epilogue_conv1x1_%dx%d_c%d_f%d" % (hw + (c, f)),
               model([helper.make_node("Conv", ["x", "w", "b"], ["c"],
                                       kernel_shape=[1, 1]),
                      helper.make_node("Clip", ["c", "lo", "hi"], ["y"])],
                     x, [1] + list(ref.shape),
                     [("w", w), ("b", b), ("lo", np.array(0, np.float32)),
                      ("hi", np.array(6, np.float32))]), x, ref[None])
    for c, f, hw in ((300, 70, (17, 19)), (260, 130, (16, 20))):
        x, w, b = rand(1, c, *hw), rand(f, c, 1, 1) * 0.1, rand(f)
        r = rand(1, f, *hw)
        ref = np.einsum("chw,fc->fhw", x[0].astype(np.float64),
                        w[:, :, 0, 0].astype(np.float64))
        ref = ref + b.astype(np.float64)[:, None, None] + r[0]
        ref = np.maximum(ref, 0.0)
        yield ("epilogue_conv1x1_kblocks_%dx%d_c%d_f%d" % (hw + (c, f)),
               model([helper.make_node("Conv", ["x", "w", "b"], ["c"],
                                       kernel_shape=[1, 1]),
                      helper.make_node("Add", ["c", "r"], ["s"]),
                      helper.make_node("Relu", ["s"], ["y"])],
                     x, [1] + list(ref.shape),
                     [("w", w), ("b", b), ("r", r)]), x, ref[None])


def shared_kernel_cases():
    """Three residual blocks of one shape with their own weights (3x3
    convolution, bias, ReLU, 1x1 convolution, residual add, ReLU): the
    blocks' loop nests become calls of shared functions
    (kiln-share-kernels), each call with its block's weights and
    buffers."""
    c, hw = 24, (18, 21)
    x = rand(1, c, *hw)
    nodes, inits, h, src = [], [], x[0].astype(np.float64), "x"
    for i in range(3):
        w3, b3 = rand(c, c, 3, 3) * 0.2, rand(c)
        w1, b1 = rand(c, c, 1, 1) * 0.2, rand(c)
        a = np.maximum(conv_reference(h[None], w3, b3, (1, 1, 1, 1))[0], 0.0)
        h = np.maximum(np.einsum("chw,fc->fhw", a, w1[:, :, 0, 0].astype(np.float64))
                       + b1.astype(np.float64)[:, None, None] + h, 0.0)
        out = "y" if i == 2 else "h%d" % i
        nodes += [helper.make_node("Conv", [src, "w3_%d" % i, "b3_%d" % i], ["c3_%d" % i],
                                   kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
                  helper.make_node("Relu", ["c3_%d" % i], ["a_%d" % i]),
                  helper.make_node("Conv", ["a_%d" % i, "w1_%d" % i, "b1_%d" % i],
                                   ["c1_%d" % i], kernel_shape=[1, 1]),
                  helper.make_node("Add", ["c1_%d" % i, src], ["s_%d" % i]),
                  helper.make_node("Relu", ["s_%d" % i], [out])]
        inits += [("w3_%d" % i, w3), ("b3_%d" % i, b3), ("w1_%d" % i, w1),
                  ("b1_%d" % i, b1)]
        src = out
    yield ("shared_kernels_3_blocks",
           model(nodes, x, [1, c] + list(hw), inits), x, h[None])


def nhwc_block_cases():
    """A MobileNetV2 block in NHWC: the 1x1 expansion's bias and clip in its
    tiles, the depthwise window reading that result without a padded copy
    (its border taps select zeros), the projection adding the block's
    input as it stores; and a MaxPool whose -inf padding is selected the
    same way, with a NaN in a border window."""
    c, e, hw = 32, 192, (15, 13)
    x = rand(1, c, *hw)
    w1, b1 = rand(e, c, 1, 1) * 0.2, rand(e)
    w2, b2 = rand(e, 1, 3, 3), rand(e)
    w3, b3 = rand(c, e, 1, 1) * 0.1, rand(c)
    x64 = x[0].astype(np.float64)
    h = np.clip(np.einsum("chw,fc->fhw", x64, w1[:, :, 0, 0]) + b1[:, None, None], 0, 6)
    win = window_view(h[None].astype(np.float64), (3, 3), 1, 1, (1, 1, 1, 1), 0.0)
    h = np.clip(np.einsum("chwij,cij->chw", win, w2[:, 0]) + b2[:, None, None], 0, 6)
    ref = np.einsum("chw,fc->fhw", h, w3[:, :, 0, 0]) + b3[:, None, None] + x64
    lo, hi = np.array(0, np.float32), np.array(6, np.float32)
    yield ("nhwc_inverted_residual_15x13",
           model([helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], kernel_shape=[1, 1]),
                  helper.make_node("Clip", ["c1", "lo", "hi"], ["r1"]),
                  helper.make_node("Conv", ["r1", "w2", "b2"], ["c2"], kernel_shape=[3, 3],
                                   pads=[1, 1, 1, 1], group=e),
                  helper.make_node("Clip", ["c2", "lo", "hi"], ["r2"]),
                  helper.make_node("Conv", ["r2", "w3", "b3"], ["c3"], kernel_shape=[1, 1]),
                  helper.make_node("Add", ["c3", "x"], ["y"])],
                 x, [1] + list(ref.shape),
                 [("w1", w1), ("b1", b1), ("w2", w2), ("b2", b2), ("w3", w3),
                  ("b3", b3), ("lo", lo), ("hi", hi)]), x, ref[None])
    x = rand(1, 20, 12, 11)
    x[0, 3, 11, 0] = np.nan
    pads = (1, 0, 2, 1)
    ref = window_view(x, (3, 3), 2, 1, pads, -np.inf).max(axis=(3, 4))
    yield ("nhwc_maxpool_pads_12x11",
           model([helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[3, 3],
                                   strides=[2, 2], pads=list(pads))],
                 x, [1] + list(ref.shape), []), x, ref[None])


def main():
    # Further arguments go to every `kiln compile` (--cpu=x86-64-v3: the
    # AVX2 register tiles, on any x86-64 machine with AVX2).
    kiln, folder, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
    for name, m, x, ref in (list(packed_cases()) + list(runtime_packed_cases())
                            + list(padded_width_cases())
                            + list(phased_cases())
                            + list(strided_pointwise_cases())
                            + list(window_cases())
                            + list(batch_cases())
                            + list(epilogue_cases())
                            + list(shared_kernel_cases())):
        check(kiln, folder, name, m, x, ref, extra)
    for name, m, x, ref in list(nhwc_cases()) + list(nhwc_block_cases()):
        check(kiln, folder, name, m, x, ref, ["--compute-layout=NHWC"] + extra)


if __name__ == "__main__":
    main()
