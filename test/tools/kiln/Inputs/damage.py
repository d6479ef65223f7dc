#!/usr/bin/env python3
"""damage.py - makes damaged copies of a library for the library-check test.

  damage.py truncate IN OUT FRACTION   keep the first FRACTION of the bytes
  damage.py flip IN OUT OFFSET         flip one bit of the byte at OFFSET
  damage.py sweep IN DIR KILN ARGS...  runs `KILN run` on 25 truncations and
                                       64 bit flips in the first 4 KiB; prints
                                       a summary, or each case that did not
                                       exit 2 with exactly one error line
"""

import os
import subprocess
import sys


def save(path, data):
    with open(path, "wb") as f:
        f.write(data)


def sweep(src, folder, kiln, args):
    data = open(src, "rb").read()
    os.makedirs(folder, exist_ok=True)
    cases = [("cut%d" % k, data[: len(data) * k // 25]) for k in range(25)]
    for k in range(64):
        flipped = bytearray(data)
        flipped[k * 64 + 5] ^= 1 << (k % 8)
        cases.append(("flip%d" % k, bytes(flipped)))
    bad = 0
    for name, content in cases:
        path = os.path.join(folder, "lib%s.so" % name)
        save(path, content)
        proc = subprocess.run([kiln, "run", path] + args, capture_output=True)
        lines = proc.stderr.decode(errors="replace").strip().splitlines()
        if proc.returncode != 2 or len(lines) != 1 or \
                not lines[0].startswith("kiln: error:"):
            bad += 1
            print("%s: exit %d, stderr %r" % (name, proc.returncode, lines))
    if not bad:
        print("%d damaged libraries: all exit 2 with one kiln: error line"
              % len(cases))


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    mode, src = sys.argv[1], sys.argv[2]
    if mode == "sweep":
        return sweep(src, sys.argv[3], sys.argv[4], sys.argv[5:])
    data = bytearray(open(src, "rb").read())
    if mode == "truncate":
        data = data[: int(len(data) * float(sys.argv[4]))]
    elif mode == "flip":
        data[int(sys.argv[4])] ^= 0x04
    else:
        sys.exit(__doc__)
    save(sys.argv[3], bytes(data))


if __name__ == "__main__":
    main()
