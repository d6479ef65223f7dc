#!/usr/bin/env python3
"""expand_reference.py - numpy reference of make_model.py's expand_dynamic.

Usage: expand_reference.py X.npy Y.npy   (Y = broadcast_to(X, [B, 3, 4]) * 2)
"""

import sys

import numpy as np


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    x = np.load(sys.argv[1])
    y = np.broadcast_to(x, (x.shape[0], 3, 4)) * np.float32(2)
    np.save(sys.argv[2], y.astype(np.float32))


if __name__ == "__main__":
    main()
