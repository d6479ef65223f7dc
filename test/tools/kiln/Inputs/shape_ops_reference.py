#!/usr/bin/env python3
"""shape_ops_reference.py - numpy references of make_model.py's models whose
shapes are computed at run time.

Usage: shape_ops_reference.py KIND X.npy Y.npy
  expand_dynamic   Y = broadcast_to(X, [B, 3, 4]) * 2
  mask_dynamic     Y = X + 0.5 (a ConstantOfShape of X's shape)
  positions_dynamic  Y = X + 2 * table[:n] with table = arange(64)/4 as 16x4
                     (written as Range + Gather and a Slice); Z = X[:2]
                     is written to Y's name with '.z' before '.npy'
  reverse_dynamic  Y = X[::-1, 4:0:-2]
  avgpool_dynamic_image  Y = 3x3 means, stride 2, over X padded by 1, the
                     padding left out of each mean
  matmul_broadcast_dynamic  Y = A @ X, Z = X @ W (A [1, 2, 5, 3] and
                     W [1, 4, 2] as in make_model.py); Z likewise
"""

import sys

import numpy as np


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    kind, x = sys.argv[1], np.load(sys.argv[2])
    if kind == "expand_dynamic":
        y = np.broadcast_to(x, (x.shape[0], 3, 4)) * np.float32(2)
    elif kind == "mask_dynamic":
        y = x + np.float32(0.5)
    elif kind == "positions_dynamic":
        table = (np.arange(64, dtype=np.float32) * 0.25).reshape(16, 4)
        y = x + 2 * table[: x.shape[0]]
        np.save(sys.argv[3][: -len(".npy")] + ".z.npy", x[:2])
    elif kind == "avgpool_dynamic_image":
        n, c, h, w = x.shape
        padded = np.full((n, c, h + 2, w + 2), np.nan, dtype=np.float64)
        padded[:, :, 1:-1, 1:-1] = x
        oh, ow = (h + 2 - 3) // 2 + 1, (w + 2 - 3) // 2 + 1
        y = np.zeros((n, c, oh, ow))
        for i in range(oh):
            for j in range(ow):
                window = padded[:, :, 2 * i:2 * i + 3, 2 * j:2 * j + 3]
                y[:, :, i, j] = np.nanmean(window, axis=(2, 3))
    elif kind == "reverse_dynamic":
        y = x[::-1, 4:0:-2]
    elif kind == "matmul_broadcast_dynamic":
        a = (np.arange(30, dtype=np.float32) * 0.1 - 1.0).reshape(1, 2, 5, 3)
        w = (np.arange(8, dtype=np.float32) * 0.25 - 0.5).reshape(1, 4, 2)
        y = np.matmul(a, x)
        np.save(sys.argv[3][: -len(".npy")] + ".z.npy", np.matmul(x, w))
    else:
        sys.exit(__doc__)
    np.save(sys.argv[3], y.astype(np.float32))


if __name__ == "__main__":
    main()
