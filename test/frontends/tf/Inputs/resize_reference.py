#!/usr/bin/env python3
"""resize_reference.py DIR - writes DIR/x.npy (seeded, 1x3x4x2) and the
bilinear resizes of resize.pbtxt as TensorFlow defines them: source
coordinate per output index (half-pixel centres, aligned corners or
asymmetric), lower sample floor(x) and upper floor(x) + 1, both clamped to
the image, weighted by x - floor(x)."""
import sys

import numpy as np


def coords(n_in, n_out, mode):
    o = np.arange(n_out, dtype=np.float64)
    if mode == "corners":
        x = o * (n_in - 1) / (n_out - 1) if n_out > 1 else o * 0
    elif mode in ("half", "half_down"):
        x = (o + 0.5) * n_in / n_out - 0.5
    else:
        x = o * n_in / n_out
    f = np.floor(x)
    lo = np.clip(f, 0, n_in - 1).astype(int)
    hi = np.clip(f + 1, 0, n_in - 1).astype(int)
    return lo, hi, x - f


def resize(img, oh, ow, mode):
    h0, h1, wh = coords(img.shape[1], oh, mode)
    w0, w1, ww = coords(img.shape[2], ow, mode)
    a = img[:, h0][:, :, w0]
    b = img[:, h0][:, :, w1]
    c = img[:, h1][:, :, w0]
    d = img[:, h1][:, :, w1]
    ww = ww[None, None, :, None]
    wh = wh[None, :, None, None]
    top = a + (b - a) * ww
    bottom = c + (d - c) * ww
    return (top + (bottom - top) * wh).astype(np.float32)


out = sys.argv[1]
x = np.random.default_rng(1).standard_normal((1, 3, 4, 2)).astype(np.float32)
np.save(out + "/x.npy", x)
for mode, (oh, ow) in [("half", (5, 7)), ("corners", (5, 7)),
                       ("asym", (5, 7)), ("half_down", (2, 3))]:
    np.save("%s/%s.npy" % (out, mode), resize(x.astype(np.float64), oh, ow, mode))
