#!/usr/bin/env python3
"""mlp_reference.py DIR B... - writes DIR/xB.npy (seeded random, B x 3) and
DIR/yB.npy = relu(x @ W + b), the graph of mlp.pbtxt, for each batch B."""
import sys

import numpy as np

W = np.array([[1, -1], [2, 0], [0, 1]], dtype=np.float32)
b = np.array([0.5, -4], dtype=np.float32)
rng = np.random.default_rng(0)
for batch in map(int, sys.argv[2:]):
    x = rng.uniform(-3, 3, size=(batch, 3)).astype(np.float32)
    np.save("%s/x%d.npy" % (sys.argv[1], batch), x)
    np.save("%s/y%d.npy" % (sys.argv[1], batch), np.maximum(x @ W + b, 0))
