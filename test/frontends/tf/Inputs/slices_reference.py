#!/usr/bin/env python3
"""slices_reference.py DIR - x.npy (1x4x6x8, seeded) and the numpy results
of slices.pbtxt's nodes, written as numpy slicing expresses TensorFlow's
StridedSlice masks."""
import sys

import numpy as np

d = sys.argv[1]
x = np.random.default_rng(2).standard_normal((1, 4, 6, 8)).astype(np.float32)
np.save(d + "/x.npy", x)
outs = {
    "ss1": x[:, 1:4:2, -1::-2, 2:7:3],      # begin/end masks on dim 0
    "ss2": x[..., None, -1],                # ellipsis, new axis, shrink
    "split_0": x[..., 0:3],
    "split_1": x[..., 3:7],
    "split_2": x[..., 7:8],
    "unpack_2": x[:, 2],
    "d2s": x.reshape(1, 4, 6, 2, 2, 2).transpose(0, 1, 3, 2, 4, 5)
            .reshape(1, 8, 12, 2),
}
for name, v in outs.items():
    np.save("%s/%s.npy" % (d, name), np.ascontiguousarray(v))
