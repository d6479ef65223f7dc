#!/usr/bin/env python3
"""gpu_run.py - runs Kiln's CUDA libraries on a GPU machine, checks and times them.

A machine with a GPU may have no compiler toolchain for Kiln (no LLVM), so
the libraries are compiled elsewhere by bench/gpu/prepare.sh, which writes
LIBS/NAME/libNAME.so (kiln compile --target=cuda) beside the model's data
sets (test_data_set_K/input_0.npy, output_0.npy). This script needs only
Python, numpy and, for the peers, PyTorch with CUDA:

- correctness: each library runs each data set through the C ABI (ctypes)
  and is compared with PyTorch's outputs: PASS when
  max|kiln - ref| <= rtol * max|ref| (rtol 1e-4, the CPU suite's);
- speed (--batches): each library at each batch against PyTorch eager and
  torch.compile of the same model on the same GPU, in one run, as
  milliseconds and Kiln/PyTorch ratios, all in fp32 (PyTorch's TF32
  convolutions and matmuls are switched off). Kiln is timed twice: with host
  buffers (copies in and out included) and with the tensors already on the
  GPU (kiln_options.tensors_on_device, PyTorch's stream), which is what the
  PyTorch times measure;
- --gemm: the matmulN libraries (one MatMul of two N x N inputs) checked
  against and timed beside cuBLAS (torch.matmul, fp32, TF32 and fp16), with
  the operands on the GPU;
- --precision tf32|fp16: for libraries compiled with that
  --gpu-precision (prepare.sh --precision): the default tolerance becomes
  1e-2 * max|ref| and the peers compute in the same precision (TF32
  allowed; fp16 autocast). The largest error is printed either way.

Prints a markdown table per part; exits 1 when a check fails, 77 when the
machine has no CUDA device (the libraries then say why).

Usage: gpu_run.py --libs DIR [--models a,b] [--batches 1,32] [--runs N]
                  [--gemm] [--no-torch] [--no-compile] [--precision P]
                  [--profile NAME:BATCH,...]
"""

import argparse
import ctypes as C
import os
import re
import statistics
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

DTYPES = {1: np.float32, 2: np.uint8, 3: np.int8, 6: np.int32, 7: np.int64,
          9: np.bool_, 10: np.float16, 11: np.float64}
CODES = {np.dtype(v): k for k, v in DTYPES.items()}


class TensorInfo(C.Structure):
    _fields_ = [("name", C.c_char_p), ("dtype", C.c_int), ("rank", C.c_int32),
                ("shape", C.POINTER(C.c_int64)),
                ("dim_names", C.POINTER(C.c_char_p))]


class ModelDesc(C.Structure):
    _fields_ = [("abi_version", C.c_uint32), ("name", C.c_char_p),
                ("device", C.c_int), ("num_inputs", C.c_int32),
                ("inputs", C.POINTER(TensorInfo)), ("num_outputs", C.c_int32),
                ("outputs", C.POINTER(TensorInfo)), ("kiln_version", C.c_char_p),
                ("source", C.c_char_p), ("source_format", C.c_char_p),
                ("target_cpu", C.c_char_p), ("target_features", C.c_char_p)]


class Tensor(C.Structure):
    _fields_ = [("data", C.c_void_p), ("dtype", C.c_int), ("rank", C.c_int32),
                ("shape", C.POINTER(C.c_int64))]


class Options(C.Structure):
    _fields_ = [("struct_size", C.c_uint32), ("num_threads", C.c_int32),
                ("device", C.c_int), ("worker_pool", C.c_void_p),
                ("cuda_stream", C.c_void_p), ("tensors_on_device", C.c_int32)]


class NoDevice(Exception):
    pass


class Library:
    """One model library, opened through its C entry points."""

    def __init__(self, path, prefix, stream=None):
        """stream: a CUDA stream handle; the context then takes device
        pointers (tensors_on_device) and runs on that stream."""
        self.lib = C.CDLL(path)
        fn = lambda n: getattr(self.lib, prefix + "_" + n)
        self.describe = fn("describe")
        self.describe.restype = C.POINTER(ModelDesc)
        self.create, self.run_fn = fn("create"), fn("run")
        self.output_shapes, self.error = fn("output_shapes"), fn("error")
        self.error.restype = C.c_char_p
        self.destroy = fn("destroy")
        self.desc = self.describe().contents
        opts = Options(C.sizeof(Options), 1, 0, None, stream,
                       0 if stream is None else 1)
        self.ctx = C.c_void_p()
        status = self.create(C.byref(opts), C.byref(self.ctx))
        if status != 0:
            message = self.error(None).decode()
            if status == 5:  # KILN_ERROR_UNSUPPORTED: no driver or device
                raise NoDevice(message)
            raise RuntimeError("create failed: " + message)

    def _tensors(self, arrays):
        keep, out = [], (Tensor * max(1, len(arrays)))()
        for i, a in enumerate(arrays):
            shape = (C.c_int64 * max(1, a.ndim))(*a.shape)
            keep.append(shape)
            out[i] = Tensor(a.ctypes.data, CODES[a.dtype], a.ndim, shape)
        return out, keep

    def run_device(self, inputs):
        """Runs a device-pointer context on `inputs` (CUDA torch tensors);
        the outputs, CUDA torch tensors."""
        import torch
        d = self.desc
        keep, ins = [], (Tensor * max(1, len(inputs)))()
        for i, t in enumerate(inputs):
            shape = (C.c_int64 * max(1, t.dim()))(*t.shape)
            keep.append(shape)
            ins[i] = Tensor(t.data_ptr(), CODES[np.dtype(str(t.dtype)[6:])],
                            t.dim(), shape)
        total = sum(d.outputs[i].rank for i in range(d.num_outputs))
        buf = (C.c_int64 * max(1, total))()
        if self.output_shapes(self.ctx, ins, len(inputs), buf, total) != 0:
            raise RuntimeError("output_shapes: " + self.error(self.ctx).decode())
        outputs, k = [], 0
        for i in range(d.num_outputs):
            shape = tuple(buf[k:k + d.outputs[i].rank])
            k += d.outputs[i].rank
            dtype = getattr(torch, np.dtype(DTYPES[d.outputs[i].dtype]).name)
            outputs.append(torch.empty(shape, dtype=dtype, device="cuda"))
        outs = (Tensor * max(1, len(outputs)))()
        for i, t in enumerate(outputs):
            shape = (C.c_int64 * max(1, t.dim()))(*t.shape)
            keep.append(shape)
            outs[i] = Tensor(t.data_ptr(), d.outputs[i].dtype, t.dim(), shape)
        if self.run_fn(self.ctx, ins, len(inputs), outs, len(outputs)) != 0:
            raise RuntimeError("run: " + self.error(self.ctx).decode())
        return outputs

    def run(self, inputs):
        """Runs the model on `inputs` (numpy arrays in order); the outputs."""
        d = self.desc
        ins, keep = self._tensors(inputs)
        dims, shapes = [], []
        total = sum(d.outputs[i].rank for i in range(d.num_outputs))
        buf = (C.c_int64 * max(1, total))()
        status = self.output_shapes(self.ctx, ins, len(inputs), buf, total)
        if status != 0:
            raise RuntimeError("output_shapes: " + self.error(self.ctx).decode())
        k = 0
        for i in range(d.num_outputs):
            shapes.append(tuple(buf[k:k + d.outputs[i].rank]))
            k += d.outputs[i].rank
        outputs = [np.empty(s, DTYPES[d.outputs[i].dtype])
                   for i, s in enumerate(shapes)]
        outs, keep2 = self._tensors(outputs)
        status = self.run_fn(self.ctx, ins, len(inputs), outs, len(outputs))
        if status != 0:
            raise RuntimeError("run: " + self.error(self.ctx).decode())
        return outputs


def data_sets(mdir):
    for d in sorted(os.listdir(mdir)):
        if d.startswith("test_data_set_"):
            sdir = os.path.join(mdir, d)
            count = lambda stem: len([f for f in os.listdir(sdir)
                                      if f.startswith(stem) and f.endswith(".npy")])
            ins = [np.load(os.path.join(sdir, "input_%d.npy" % i))
                   for i in range(count("input_"))]
            outs = [np.load(os.path.join(sdir, "output_%d.npy" % i))
                    for i in range(count("output_"))]
            yield d, ins, outs


def median_ms(fn, runs, warmup=3):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def check(libs, names, rtol):
    print("| model | data set | max err / max ref | result |")
    print("|---|---|---|---|")
    failed, largest = 0, 0.0
    for name in names:
        mdir = os.path.join(libs, name)
        lib = Library(os.path.join(mdir, "lib%s.so" % name), name)
        for sname, ins, refs in data_sets(mdir):
            try:
                outs = lib.run(ins)
            except RuntimeError as e:
                failed += 1
                print("| %s | %s | %s | FAIL |" % (name, sname, e))
                continue
            worst = max(float(np.max(np.abs(o.astype(np.float64) - r))) /
                        max(float(np.max(np.abs(r))), 1e-30)
                        for o, r in zip(outs, refs))
            ok = worst <= rtol
            failed += not ok
            largest = max(largest, worst)
            print("| %s | %s | %.2e | %s |" % (name, sname, worst,
                                               "PASS" if ok else "FAIL"))
    print("\nlargest error: %.2e x max|ref| (tolerance %.0e)" % (largest, rtol))
    return failed


def torch_model(name):
    sys.path.insert(0, os.path.join(ROOT, "test", "models"))
    import export_models
    import torch
    base = re.sub(r"_dyn(img)?$", "", name)
    ctor, shape, _, randomize = export_models.MODELS[base]
    torch.manual_seed(0)
    model = ctor()
    if randomize:
        with torch.no_grad():
            export_models.randomize_norms(model)
    return model.eval().cuda(), shape


def peer_precision(precision):
    """Makes PyTorch compute as Kiln's libraries of `precision` do; returns
    the context its model calls run in."""
    import contextlib
    import torch
    # PyTorch's cuDNN convolutions default to TF32: fp32 switches it off.
    torch.backends.cudnn.allow_tf32 = precision == "tf32"
    torch.backends.cuda.matmul.allow_tf32 = precision == "tf32"
    if precision == "fp16":
        return torch.autocast("cuda", dtype=torch.float16)
    return contextlib.nullcontext()


def speed(libs, names, batches, runs, use_torch, use_compile, precision):
    print("| model | batch | kiln host I/O ms | kiln ms | torch eager ms "
          "| torch.compile ms | kiln/eager | kiln/compile |")
    print("|---|---|---|---|---|---|---|---|")
    for name in names:
        try:
            speed_one(libs, name, batches, runs, use_torch, use_compile,
                      precision)
        except Exception as e:  # one model's failure does not end the table
            print("| %s | failed: %s |" % (name, str(e).splitlines()[0]))


def speed_one(libs, name, batches, runs, use_torch, use_compile, precision):
    mdir = os.path.join(libs, name)
    lib = Library(os.path.join(mdir, "lib%s.so" % name), name)
    if lib.desc.num_inputs != 1:
        print("| %s | (%d inputs: not timed) |" % (name, lib.desc.num_inputs))
        return
    dynamic = lib.desc.inputs[0].shape[0] < 0
    model = shape = None
    if use_torch:
        import torch
        model, shape = torch_model(name)
    for b in (batches if dynamic else [None]):
        first = next(data_sets(mdir))[1]
        x = first[0]
        if b is not None:
            x = np.ascontiguousarray(np.resize(x, (b,) + x.shape[1:]))
        host = median_ms(lambda: lib.run([x] + first[1:]), runs)
        kiln = eager = compiled = float("nan")
        if use_torch:
            import torch
            autocast = peer_precision(precision)
            xt = torch.from_numpy(x).cuda()
            dev = Library(os.path.join(mdir, "lib%s.so" % name), name,
                          torch.cuda.current_stream().cuda_stream)
            rest = [torch.from_numpy(a).cuda() for a in first[1:]]
            got = dev.run_device([xt] + rest)[0].cpu().numpy()
            want = lib.run([x] + first[1:])[0]
            # Split-K adds partial sums atomically, in no fixed order; with
            # TF32 or fp16 operands a last-bit difference can round an
            # activation the other way, so those runs agree only within
            # their precision.
            agree = 1e-5 if precision == "fp32" else 1e-3
            if not np.allclose(got, want, rtol=0, atol=agree *
                               max(float(np.max(np.abs(want))), 1e-30)):
                raise RuntimeError("%s: device-pointer run differs from "
                                   "the host-buffer run" % name)

            def on_device():
                dev.run_device([xt] + rest)
                torch.cuda.synchronize()
            kiln = median_ms(on_device, runs)

            def timed(m):
                def step():
                    with torch.no_grad(), autocast:
                        m(xt)
                    torch.cuda.synchronize()
                return median_ms(step, runs)
            eager = timed(model)
            try:
                if use_compile:
                    compiled = timed(torch.compile(model))
            except Exception as e:  # a peer that fails is marked
                print("torch.compile failed on %s: %s" % (name, e),
                      file=sys.stderr)
        print("| %s | %s | %.3f | %.3f | %.3f | %.3f | %.2f | %.2f |"
              % (name, b if b is not None else x.shape[0], host, kiln,
                 eager, compiled, kiln / eager, kiln / compiled))


def gemm(libs, runs, rtol):
    """The matmulN libraries beside cuBLAS; returns the failed checks."""
    import torch
    print("| GEMM | kiln ms | cuBLAS fp32 ms | cuBLAS TF32 ms | cuBLAS fp16 ms "
          "| kiln TFLOP/s | kiln/fp32 | kiln/TF32 | kiln/fp16 "
          "| max err / max ref |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    failed = 0
    stream = torch.cuda.current_stream().cuda_stream
    sizes = sorted(int(d[6:]) for d in os.listdir(libs)
                   if re.fullmatch(r"matmul\d+", d))
    for n in sizes:
        path = os.path.join(libs, "matmul%d" % n, "libmatmul%d.so" % n)
        torch.manual_seed(n)
        a = torch.randn(n, n, device="cuda")
        b = torch.randn(n, n, device="cuda")

        def mm():
            torch.matmul(a, b)
            torch.cuda.synchronize()
        torch.backends.cuda.matmul.allow_tf32 = False
        fp32 = median_ms(mm, runs)
        torch.backends.cuda.matmul.allow_tf32 = True
        tf32 = median_ms(mm, runs)
        torch.backends.cuda.matmul.allow_tf32 = False
        ah, bh = a.half(), b.half()

        def mm16():
            torch.matmul(ah, bh)
            torch.cuda.synchronize()
        fp16 = median_ms(mm16, runs)
        lib = Library(path, "matmul%d" % n, stream)
        got = lib.run_device([a, b])[0]
        ref = torch.matmul(a.double(), b.double())
        err = float((got.double() - ref).abs().max() / ref.abs().max())
        failed += err > rtol

        def kiln_mm():
            lib.run_device([a, b])
            torch.cuda.synchronize()
        kiln = median_ms(kiln_mm, runs)
        print("| %d^3 | %.3f | %.3f | %.3f | %.3f | %.1f | %.2f | %.2f | %.2f "
              "| %.2e%s |"
              % (n, kiln, fp32, tf32, fp16, 2 * n ** 3 / kiln / 1e9,
                 kiln / fp32, kiln / tf32, kiln / fp16, err,
                 "" if err <= rtol else " FAIL"))
    return failed


def profile(libs, spec, runs):
    """The kernels of one model at one batch (spec NAME:BATCH) by GPU time,
    as PyTorch's profiler (CUPTI) sees them: where the time goes."""
    import torch
    from torch.profiler import ProfilerActivity, profile as torch_profile
    name, batch = spec.split(":")
    mdir = os.path.join(libs, name)
    lib = Library(os.path.join(mdir, "lib%s.so" % name), name,
                  torch.cuda.current_stream().cuda_stream)
    first = next(data_sets(mdir))[1]
    x = first[0]
    x = np.ascontiguousarray(np.resize(x, (int(batch),) + x.shape[1:]))
    xt = torch.from_numpy(x).cuda()
    for _ in range(3):
        lib.run_device([xt])
    torch.cuda.synchronize()
    with torch_profile(activities=[ProfilerActivity.CUDA]) as prof:
        for _ in range(runs):
            lib.run_device([xt])
        torch.cuda.synchronize()
    print("%s at batch %s, %d runs:" % (name, batch, runs))
    print(prof.key_averages().table(sort_by="cuda_time_total", row_limit=25))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--libs", required=True, help="folder from prepare.sh")
    ap.add_argument("--models", default="", help="comma-separated (default: all)")
    ap.add_argument("--rtol", type=float, default=None,
                    help="default 1e-4 (fp32), 1e-2 (tf32, fp16)")
    ap.add_argument("--precision", default="fp32",
                    choices=["fp32", "tf32", "fp16"],
                    help="the libraries' --gpu-precision")
    ap.add_argument("--batches", default="", help="e.g. 1,32: time these")
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--gemm", action="store_true", help="cuBLAS GEMM rows")
    ap.add_argument("--profile", default="",
                    help="NAME:BATCH,...: the kernels' GPU time, then exit")
    ap.add_argument("--no-torch", action="store_true", help="Kiln only")
    ap.add_argument("--no-compile", action="store_true",
                    help="skip torch.compile (its compiles take minutes)")
    args = ap.parse_args()
    if args.rtol is None:
        args.rtol = 1e-4 if args.precision == "fp32" else 1e-2
    # (in the order given: the speed table times them in that order)
    names = [n for n in args.models.split(",") if n] or sorted(
        d for d in os.listdir(args.libs) if not d.startswith("matmul")
        and os.path.exists(os.path.join(args.libs, d, "lib%s.so" % d)))
    try:
        if args.profile:
            for spec in args.profile.split(","):
                profile(args.libs, spec, 5)
            return 0
        failed = check(args.libs, names, args.rtol)
        if args.gemm:
            print()
            failed += gemm(args.libs, args.runs, args.rtol)
        if args.batches:
            print()
            speed(args.libs, names, [int(b) for b in args.batches.split(",")],
                  args.runs, not args.no_torch, not args.no_compile,
                  args.precision)
    except NoDevice as e:
        print("no GPU: %s" % e)
        return 77
    print("%d check(s) failed" % failed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
