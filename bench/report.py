#!/usr/bin/python3
"""report.py - turns run_bench.sh's results.jsonl into a markdown report.

Each input line is a JSON object tagged by run_bench.sh with "engine"
("kiln", "ort", "compile" or "fma") and "name" (the model). Latency lines
carry `kiln bench --json`'s fields (threads, runs, median_ms, min_ms,
mean_ms); compile lines carry seconds (or error); the fma line carries
fma_peak_gflops. Prints: a latency table (model | threads | Kiln median ms |
ORT median ms | Kiln/ORT), compile seconds per model, and the 1024^3 GEMM
rate against the FMA peak.

Usage: report.py results.jsonl
"""

import json
import sys

GEMM_FLOPS = 2.0 * 1024 ** 3


def load(path):
    """Returns (latency {(engine, name, threads): rec}, compile, fma peak)."""
    lat, compile_s, peak, order = {}, {}, None, []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            r = json.loads(line)
            engine, name = r.get("engine"), r.get("name")
            if engine == "fma":
                peak = r.get("fma_peak_gflops")
            elif engine == "compile":
                compile_s[name] = r.get("seconds", r.get("error", "?"))
            elif engine in ("kiln", "ort"):
                lat[(engine, name, r["threads"])] = r
            if engine in ("kiln", "ort", "compile") and name not in order:
                order.append(name)
    return lat, compile_s, peak, order


def fmt_ms(rec):
    return "%.3f" % rec["median_ms"] if rec else "-"


def main():
    if len(sys.argv) != 2:
        print("usage: report.py results.jsonl", file=sys.stderr)
        return 2
    lat, compile_s, peak, order = load(sys.argv[1])
    threads = sorted({k[2] for k in lat})

    print("| model | threads | Kiln median ms | ORT median ms | Kiln/ORT |")
    print("|---|---|---|---|---|")
    for name in order:
        for t in threads:
            k, o = lat.get(("kiln", name, t)), lat.get(("ort", name, t))
            if not k and not o:
                continue
            ratio = ("%.2f" % (k["median_ms"] / o["median_ms"])
                     if k and o else "-")
            print("| %s | %d | %s | %s | %s |" % (name, t, fmt_ms(k), fmt_ms(o),
                                                  ratio))

    if compile_s:
        print("\n| model | Kiln compile s |")
        print("|---|---|")
        for name in order:
            if name in compile_s:
                s = compile_s[name]
                print("| %s | %s |" % (name, "%.2f" % s
                                       if isinstance(s, (int, float)) else s))

    print()
    if peak:
        print("FMA peak (1 core): %.1f GFLOP/s" % peak)
    for t in threads:
        for engine, label in (("kiln", "Kiln"), ("ort", "ORT")):
            r = lat.get((engine, "gemm1024", t))
            if not r:
                continue
            gflops = GEMM_FLOPS / (r["median_ms"] * 1e-3) / 1e9
            share = ""
            if peak:
                pct = 100 * gflops / (peak * t)
                share = " = %.0f%% of %d-core peak" % (pct, t)
            print("GEMM 1024^3 %s, %d thread(s): %.1f GFLOP/s%s"
                  % (label, t, gflops, share))
    return 0


if __name__ == "__main__":
    sys.exit(main())
