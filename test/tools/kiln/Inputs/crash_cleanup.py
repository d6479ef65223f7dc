#!/usr/bin/env python3
"""crash_cleanup.py KILN MODEL DIR SIGNAL - does a killed `kiln bench MODEL`
leave its temporary folder behind?

Runs `kiln bench MODEL` (which compiles MODEL into a temporary folder first)
with TMPDIR=DIR, waits until the library is there and running, sends SIGNAL
(SEGV stands for a crash inside the model library, INT or TERM for
an interrupt), and
prints "killed by SIG..." and "left behind: N entries" for DIR.
"""

import glob
import os
import signal
import subprocess
import sys
import time


def main():
    kiln, model, folder, name = sys.argv[1:5]
    os.makedirs(folder, exist_ok=True)
    env = dict(os.environ, TMPDIR=folder)
    proc = subprocess.Popen([kiln, "bench", model, "--runs", "1000000000"],
                            env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while not glob.glob(os.path.join(folder, "kiln-run*", "*.so")):
        if proc.poll() is not None or time.time() > deadline:
            sys.exit("kiln bench ended or took too long before its library "
                     "appeared")
        time.sleep(0.05)
    time.sleep(1.0)  # compiled, opened and running
    proc.send_signal(getattr(signal, "SIG" + name))
    proc.wait(timeout=60)
    print("killed by SIG%s" % name if proc.returncode == -getattr(signal, "SIG" + name)
          else "exit status %d" % proc.returncode)
    print("left behind: %d entries" % len(os.listdir(folder)))


if __name__ == "__main__":
    main()
