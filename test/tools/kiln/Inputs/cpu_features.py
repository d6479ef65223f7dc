#!/usr/bin/env python3
"""cpu_features.py - checks NAME_create's CPU feature check on this host.

Usage: cpu_features.py KILN MODEL.onnx CC INCLUDE_DIR WORKDIR

Compiles MODEL for several CPUs whose features differ between vendors and
generations (bdver4: XOP and FMA4, which only old AMD CPUs have; znver4:
SSE4a, AMD only; skylake-avx512: AVX-512), builds cpu_check.c against each
and runs it. For every CPU the outcome must agree with /proc/cpuinfo: the
library is refused, naming a feature this CPU lacks, exactly when one of the
features the check covers is missing. Prints one line per CPU and a final
verdict; at least one CPU must be refused on any x86-64 host.
"""

import os
import subprocess
import sys

CPUS = ["bdver4", "znver4", "skylake-avx512", "x86-64-v2"]
# Features the library checks (LibraryWriter.cpp), LLVM name -> cpuinfo flag.
CHECKED = {
    "sse3": "pni", "ssse3": "ssse3", "sse4.1": "sse4_1", "sse4.2": "sse4_2",
    "popcnt": "popcnt", "avx": "avx", "avx2": "avx2", "fma": "fma",
    "bmi": "bmi1", "bmi2": "bmi2", "avx512f": "avx512f",
    "avx512vl": "avx512vl", "avx512bw": "avx512bw", "avx512dq": "avx512dq",
    "avx512cd": "avx512cd", "avx512vbmi": "avx512vbmi",
    "avx512ifma": "avx512ifma", "avx512vpopcntdq": "avx512_vpopcntdq",
    "avx512vbmi2": "avx512_vbmi2", "avx512vnni": "avx512_vnni",
    "avx512bitalg": "avx512_bitalg", "avx512bf16": "avx512_bf16",
    "gfni": "gfni", "vpclmulqdq": "vpclmulqdq", "sse4a": "sse4a",
    "fma4": "fma4", "xop": "xop",
}


def host_flags():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    return set()


def main():
    kiln, model, cc, include, work = sys.argv[1:6]
    here = os.path.dirname(os.path.abspath(__file__))
    flags = host_flags()
    refused, bad = 0, 0
    for cpu in CPUS:
        d = os.path.join(work, cpu)
        os.makedirs(d, exist_ok=True)
        lib = os.path.join(d, "libmodel.a")
        subprocess.run([kiln, "compile", model, "-o", lib, "--cpu=" + cpu],
                       check=True)
        exe = os.path.join(d, "check")
        subprocess.run([cc, "-std=c99", "-I", d,
                        os.path.join(here, "cpu_check.c"), lib, "-lm",
                        "-lpthread", "-o", exe], check=True)
        out = subprocess.run([exe], capture_output=True, text=True).stdout
        lines = dict(l.split(": ", 1) for l in out.strip().splitlines())
        features = lines["features"].split(",")
        missing = [f for f in features if f in CHECKED
                   and CHECKED[f] not in flags]
        create = lines["create"]
        if missing:
            refused += 1
            ok = create.startswith("status 5:") and any(
                "'%s' feature" % m in create for m in missing)
        else:
            ok = create == "OK"
        bad += not ok
        print("%s: %s (%s)" % (cpu, "refused" if missing else "runs",
                               "as expected" if ok else "WRONG: " + create))
    print("cpus refused: %s, wrong outcomes: %d"
          % ("some" if refused else "none", bad))


if __name__ == "__main__":
    main()
