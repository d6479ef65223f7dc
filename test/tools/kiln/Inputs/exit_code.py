#!/usr/bin/env python3
"""exit_code.py - runs a command and prints its exact exit status.

Usage: exit_code.py CMD [ARGS...]

Forwards the command's stdout and stderr (stderr after stdout), then prints
"exit code: N" and exits 0, so a lit test can FileCheck the exact status
(`not` only tells zero from non-zero).
"""

import subprocess
import sys


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    proc = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE)
    sys.stdout.write(proc.stdout.decode(errors="replace"))
    sys.stdout.write(proc.stderr.decode(errors="replace"))
    if proc.returncode < 0:
        print("exit code: signal %d" % -proc.returncode)
    else:
        print("exit code: %d" % proc.returncode)


if __name__ == "__main__":
    main()
