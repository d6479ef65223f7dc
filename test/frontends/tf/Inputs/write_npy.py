#!/usr/bin/env python3
"""write_npy.py OUT.npy DTYPE V... - writes the values as a 1-D array (one
value: a 0-d array)."""
import sys

import numpy as np

values = sys.argv[3:]
a = np.array([float(v) for v in values]).astype(sys.argv[2])
np.save(sys.argv[1], a[0] if len(values) == 1 else a)
