#!/usr/bin/python3
"""report.py - turns run_bench.sh's results.jsonl into a markdown report.

Each input line is a JSON object tagged by run_bench.sh with "engine"
("kiln", a peer: "ort", "openvino", "iree", "torch"; "compile" or "fma")
and "name" (the model). Latency lines carry `kiln bench --json`'s fields
(threads, runs, median_ms, min_ms, mean_ms), or "error" for a peer that
failed on the model; compile lines carry seconds (or error); the fma line
carries fma_peak_gflops. Prints, per thread count, a table of median
latencies (model | Kiln | each peer | Kiln / best peer), failed peers marked
"fail", and the geometric mean of Kiln / best peer; then compile seconds
per model and the 1024^3 GEMM rate against the FMA peak.

Usage: report.py results.jsonl
"""

import json
import math
import sys

GEMM_FLOPS = 2.0 * 1024 ** 3
PEERS = [("ort", "ONNX Runtime"), ("openvino", "OpenVINO"), ("iree", "IREE"),
         ("torch", "PyTorch")]


def load(path):
    """(latency {(engine, name, threads): rec}, compile, fma peak, order)."""
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
                continue
            if engine == "compile":
                compile_s[name] = r.get("seconds", r.get("error", "?"))
            elif "threads" in r:
                lat[(engine, name, r["threads"])] = r
            if name not in order:
                order.append(name)
    return lat, compile_s, peak, order


def cell(rec):
    if not rec:
        return "-"
    return "fail" if "error" in rec else "%.3f" % rec["median_ms"]


def main():
    if len(sys.argv) != 2:
        print("usage: report.py results.jsonl", file=sys.stderr)
        return 2
    lat, compile_s, peak, order = load(sys.argv[1])
    threads = sorted({k[2] for k in lat})
    peers = [(e, label) for e, label in PEERS
             if any(k[0] == e for k in lat)]
    for t in threads:
        print("### %d thread%s\n" % (t, "" if t == 1 else "s"))
        print("| model | Kiln ms | " + " | ".join(l + " ms" for _, l in peers)
              + " | Kiln / best peer |")
        print("|---|---|" + "---|" * len(peers) + "---|")
        ratios = []
        for name in order:
            k = lat.get(("kiln", name, t))
            recs = [lat.get((e, name, t)) for e, _ in peers]
            if not k and not any(recs):
                continue
            ok = [r["median_ms"] for r in recs if r and "error" not in r]
            ratio = "-"
            if k and "error" not in k and ok:
                ratios.append(k["median_ms"] / min(ok))
                ratio = "%.2f" % ratios[-1]
            print("| %s | %s | %s | %s |" % (name, cell(k),
                                             " | ".join(cell(r) for r in recs),
                                             ratio))
        if ratios:
            geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
            print("\nGeometric mean of Kiln / best peer: %.2f\n" % geo)

    if compile_s:
        print("| model | Kiln compile s |")
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
        for engine, label in [("kiln", "Kiln")] + peers:
            r = lat.get((engine, "gemm1024", t))
            if not r or "error" in r:
                continue
            gflops = GEMM_FLOPS / (r["median_ms"] * 1e-3) / 1e9
            share = ""
            if peak:
                share = " = %.0f%% of %d-core peak" % (
                    100 * gflops / (peak * t), t)
            print("GEMM 1024^3 %s, %d thread(s): %.1f GFLOP/s%s"
                  % (label, t, gflops, share))
    return 0


if __name__ == "__main__":
    sys.exit(main())
