#!/usr/bin/python3
"""avgpool_reference.py - input and expected output of make_hostile.py's
avgpool_f64 model (2x2 average over a 2x2 float64 image padded by 1, pads
excluded from the count), computed directly with numpy. Writes DIR/x.npy
and DIR/y.npy."""
import sys

import numpy as np

out = sys.argv[1]
x = np.array([[[[1.0, 2.0], [3.0, 5.0]]]], dtype=np.float64)
padded = np.full((4, 4), np.nan)
padded[1:3, 1:3] = x[0, 0]
y = np.zeros((1, 1, 3, 3))
for i in range(3):
    for j in range(3):
        y[0, 0, i, j] = np.nanmean(padded[i:i + 2, j:j + 2])
np.save(out + "/x.npy", x)
np.save(out + "/y.npy", y)
