#!/usr/bin/env python3
"""print_npy.py FILE.npy - prints `DTYPE SHAPE VALUES` on one line."""
import sys

import numpy as np

a = np.load(sys.argv[1])
print(a.dtype, str(a.shape).replace(" ", ""), np.array2string(a.ravel(), separator=","))
