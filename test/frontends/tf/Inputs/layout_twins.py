#!/usr/bin/env python3
"""layout_twins.py DIR [SIZE CHANNELS] - writes one CNN as two TensorFlow graphs,
DIR/nhwc.pbtxt (data_format NHWC, TensorFlow's default) and DIR/nchw.pbtxt
(NCHW), with the same weights, the input in both layouts and the numpy
reference of the output:

  conv 3x3 (3 -> C, SAME, stride 1) + bias, Relu,
  conv 3x3 (C -> C, SAME, stride 2) + bias, Relu6,
  MaxPool 2x2, Mean over H and W -> [1, C]

on a SIZE x SIZE image (defaults 12 and 8; bench/layout_twins.sh uses
larger ones).
"""
import sys

import numpy as np

SIZE = int(sys.argv[2]) if len(sys.argv) > 2 else 12
C = int(sys.argv[3]) if len(sys.argv) > 3 else 8
rng = np.random.default_rng(3)
W1 = rng.standard_normal((3, 3, 3, C)).astype(np.float32) * 0.5
B1 = rng.standard_normal(C).astype(np.float32) * 0.1
W2 = rng.standard_normal((3, 3, C, C)).astype(np.float32) * (1.0 / C) ** 0.5
B2 = rng.standard_normal(C).astype(np.float32) * 0.1
X = rng.standard_normal((1, SIZE, SIZE, 3)).astype(np.float32)


def conv_same(x, w, stride):  # NHWC, HWIO
    kh, kw = w.shape[:2]
    h, wd = x.shape[1:3]
    oh, ow = -(-h // stride), -(-wd // stride)
    ph = max((oh - 1) * stride + kh - h, 0)
    pw = max((ow - 1) * stride + kw - wd, 0)
    xp = np.pad(x, ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
    y = np.zeros((x.shape[0], oh, ow, w.shape[3]), np.float64)
    for i in range(kh):
        for j in range(kw):
            patch = xp[:, i:i + stride * oh:stride, j:j + stride * ow:stride, :]
            y += patch @ w[i, j]
    return y


def reference():
    y = np.maximum(conv_same(X, W1, 1) + B1, 0)
    y = np.clip(conv_same(y, W2, 2) + B2, 0, 6)
    n, h, w, c = y.shape
    y = y.reshape(n, h // 2, 2, w // 2, 2, c).max(axis=(2, 4))
    return y.mean(axis=(1, 2)).astype(np.float32)


def const(name, a):
    dt = "DT_FLOAT" if a.dtype == np.float32 else "DT_INT32"
    dims = "".join(" dim { size: %d }" % d for d in a.shape)
    content = "".join("\\%03o" % b for b in a.tobytes())
    return ('node { name: "%s" op: "Const" attr { key: "dtype" value { type: %s } } '
            'attr { key: "value" value { tensor { dtype: %s tensor_shape {%s } '
            'tensor_content: "%s" } } } }\n' % (name, dt, dt, dims, content))


def graph(fmt):
    nchw = fmt == "NCHW"
    shape = (1, 3, SIZE, SIZE) if nchw else (1, SIZE, SIZE, 3)
    dims = "".join(" dim { size: %d }" % d for d in shape)
    df = 'attr { key: "data_format" value { s: "%s" } }' % fmt
    T = 'attr { key: "T" value { type: DT_FLOAT } }'

    def ints(key, v):
        return 'attr { key: "%s" value { list {%s } } }' % (
            key, "".join(" i: %d" % i for i in v))

    def spatial(h, w):  # a 4-value attribute in the graph's layout
        return [1, 1, h, w] if nchw else [1, h, w, 1]

    s = ('node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } '
         'attr { key: "shape" value { shape {%s } } } }\n' % dims)
    s += const("w1", W1) + const("b1", B1) + const("w2", W2) + const("b2", B2)
    s += const("axes", np.array([2, 3] if nchw else [1, 2], np.int32))
    s += ('node { name: "c1" op: "Conv2D" input: "x" input: "w1" %s %s %s '
          'attr { key: "padding" value { s: "SAME" } } }\n' % (T, df, ints("strides", spatial(1, 1))))
    s += 'node { name: "a1" op: "BiasAdd" input: "c1" input: "b1" %s %s }\n' % (T, df)
    s += 'node { name: "r1" op: "Relu" input: "a1" %s }\n' % T
    s += ('node { name: "c2" op: "Conv2D" input: "r1" input: "w2" %s %s %s '
          'attr { key: "padding" value { s: "SAME" } } }\n' % (T, df, ints("strides", spatial(2, 2))))
    s += 'node { name: "a2" op: "BiasAdd" input: "c2" input: "b2" %s %s }\n' % (T, df)
    s += 'node { name: "r2" op: "Relu6" input: "a2" %s }\n' % T
    s += ('node { name: "pool" op: "MaxPool" input: "r2" %s %s %s %s '
          'attr { key: "padding" value { s: "VALID" } } }\n'
          % (T, df, ints("ksize", spatial(2, 2)), ints("strides", spatial(2, 2))))
    s += ('node { name: "y" op: "Mean" input: "pool" input: "axes" %s '
          'attr { key: "keep_dims" value { b: false } } }\n' % T)
    return s


d = sys.argv[1]
for fmt in ("NHWC", "NCHW"):
    open("%s/%s.pbtxt" % (d, fmt.lower()), "w").write(graph(fmt))
np.save(d + "/x_nhwc.npy", X)
np.save(d + "/x_nchw.npy", np.ascontiguousarray(X.transpose(0, 3, 1, 2)))
np.save(d + "/y.npy", reference())
