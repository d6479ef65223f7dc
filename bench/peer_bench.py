#!/usr/bin/env python3
"""peer_bench.py - times one model with one of Kiln's peer engines.

    peer_bench.py ENGINE MODEL.onnx [--threads T] [--runs N] [--warmup W]
                  [--work DIR]

ENGINE is one of:
  ort       ONNX Runtime (CPU provider, intra-op threads T, sequential
            execution, all graph optimisations);
  openvino  OpenVINO (CPU, latency hint, T inference threads, float32
            inference precision);
  iree      IREE: the ONNX model imported (iree-import-onnx), compiled for
            llvm-cpu with the host CPU as target, run on the local-task
            driver with T worker threads;
  torch     PyTorch on the TorchScript file beside the model (model.pt, as
            test/models/export_models.py writes it), torch.set_num_threads(T);
            run it with an interpreter that has torch (Debian's /usr/bin/python3).

The inputs are random, of the model's declared shapes (symbolic dims as
1), the same for every engine (seeded). Prints one JSON line in `kiln bench
--json`'s format ({"threads", "runs", "median_ms", "min_ms", "mean_ms"}) or,
when the engine is missing or fails on the model, {"error": "..."} and exit
status 0, so a report marks the peer as failed rather than dropping it.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

DTYPES = {1: np.float32, 2: np.uint8, 3: np.int8, 6: np.int32, 7: np.int64,
          9: np.bool_, 10: np.float16, 11: np.float64}


def model_inputs(path):
    """[(name, numpy array)] for the graph inputs that are not initializers."""
    import onnx
    m = onnx.load(path, load_external_data=False)
    inits = {i.name for i in m.graph.initializer}
    rng = np.random.default_rng(0)
    out = []
    for vi in m.graph.input:
        if vi.name in inits:
            continue
        tt = vi.type.tensor_type
        shape = [d.dim_value if d.HasField("dim_value") and d.dim_value > 0
                 else 1 for d in tt.shape.dim]
        dtype = DTYPES.get(tt.elem_type)
        if dtype is None:
            raise RuntimeError("input %s has element type %d" % (vi.name,
                                                                 tt.elem_type))
        if np.issubdtype(dtype, np.floating):
            a = rng.standard_normal(shape).astype(dtype)
        elif dtype == np.bool_:
            a = rng.integers(0, 2, shape).astype(dtype)
        else:
            a = rng.integers(0, 8, shape).astype(dtype)
        out.append((vi.name, a))
    return out


def runner_ort(path, inputs, threads, work):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    feed = dict(inputs)
    return lambda: sess.run(None, feed)


def runner_openvino(path, inputs, threads, work):
    import openvino as ov
    core = ov.Core()
    # float32 like the others: on CPUs with bfloat16 units OpenVINO would
    # otherwise compute in bfloat16.
    compiled = core.compile_model(path, "CPU", {
        "INFERENCE_NUM_THREADS": threads, "PERFORMANCE_HINT": "LATENCY",
        "NUM_STREAMS": 1, "INFERENCE_PRECISION_HINT": "f32"})
    request = compiled.create_infer_request()
    feed = {name: a for name, a in inputs}
    return lambda: request.infer(feed)


def runner_iree(path, inputs, threads, work):
    import iree.runtime as rt
    os.makedirs(work, exist_ok=True)
    mlir = os.path.join(work, "model.mlir")
    vmfb = os.path.join(work, "model.vmfb")
    bindir = os.path.dirname(sys.executable)
    subprocess.run([os.path.join(bindir, "iree-import-onnx"), path, "-o", mlir],
                   check=True, capture_output=True)
    subprocess.run([os.path.join(bindir, "iree-compile"), mlir,
                    "--iree-hal-target-backends=llvm-cpu",
                    "--iree-llvmcpu-target-cpu=host", "-o", vmfb],
                   check=True, capture_output=True)
    rt.flags.parse_flags("--task_topology_max_group_count=%d" % threads)
    config = rt.Config("local-task")
    ctx = rt.SystemContext(config=config)
    with open(vmfb, "rb") as f:
        ctx.add_vm_module(rt.VmModule.copy_buffer(ctx.instance, f.read()))
    import onnx
    # The imported module's entry point is named after the ONNX graph.
    fn = ctx.modules.module[onnx.load(path, load_external_data=False).graph.name]
    args = [a for _, a in inputs]
    return lambda: fn(*args)


def runner_torch(path, inputs, threads, work):
    import torch
    torch.set_num_threads(threads)
    pt = os.path.join(os.path.dirname(path), "model.pt")
    module = torch.jit.load(pt).eval()
    args = [torch.from_numpy(a) for _, a in inputs]

    def run():
        with torch.no_grad():
            module(*args)
    return run


RUNNERS = {"ort": runner_ort, "openvino": runner_openvino,
           "iree": runner_iree, "torch": runner_torch}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("engine", choices=sorted(RUNNERS))
    ap.add_argument("model")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--work", default=None)
    args = ap.parse_args()
    if args.threads < 1 or args.runs < 1 or args.warmup < 0:
        ap.error("--threads and --runs must be positive")
    work = args.work or os.path.join(os.path.dirname(os.path.abspath(args.model)),
                                     "peer-" + args.engine)
    try:
        inputs = model_inputs(args.model)
        run = RUNNERS[args.engine](os.path.abspath(args.model), inputs,
                                   args.threads, work)
        for _ in range(args.warmup):
            run()
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            run()
            times.append((time.perf_counter() - t0) * 1e3)
    except Exception as e:  # a missing or failing peer is a result, too
        msg = (str(e).strip().splitlines() or [type(e).__name__])[-1]
        print(json.dumps({"threads": args.threads, "error": msg[:200]}))
        return 0
    print(json.dumps({"threads": args.threads, "runs": args.runs,
                      "median_ms": statistics.median(times),
                      "min_ms": min(times),
                      "mean_ms": statistics.fmean(times)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
