#!/usr/bin/env python3
"""make_npy.py - writes a seeded random .npy tensor for a lit test.

Usage: make_npy.py OUT.npy DTYPE DIM [DIM...]   (e.g. float32 2 4)
"""

import sys

import numpy as np


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out, dtype = sys.argv[1], sys.argv[2]
    shape = [int(d) for d in sys.argv[3:]]
    rng = np.random.default_rng(0)
    np.save(out, rng.standard_normal(shape).astype(dtype))


if __name__ == "__main__":
    main()
