//===- bench_command.cpp - `kiln bench`: time a compiled model ------------===//
//
// Inputs come from a fixed-seed linear congruential generator so every
// invocation times the same data. The thread count reported is the resolved
// one (all online cores when the option is <= 0), matching what the runtime
// starts.
//
//===----------------------------------------------------------------------===//

#include "bench_command.h"

#include "frontends/common/HostTensor.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <unistd.h>

using namespace kiln;

namespace {

/// A tiny deterministic generator of floats in [-1, 1].
class UniformGenerator {
public:
  float next() {
    state_ = state_ * 6364136223846793005ull + 1442695040888963407ull;
    double unit = double(state_ >> 11) / double(1ull << 53); // [0, 1)
    return float(unit * 2.0 - 1.0);
  }

private:
  uint64_t state_ = 0x853c49e6748fea9bull;
};

/// Builds one input per descriptor entry; dynamic dims come from
/// `shapes` (--input-shape).
bool makeInputs(const kiln_model_desc &desc,
                const std::map<std::string, std::vector<int64_t>> &shapes,
                std::vector<HostTensor> &inputs, std::string &err) {
  UniformGenerator gen;
  inputs.assign(desc.num_inputs, HostTensor());
  for (int32_t i = 0; i < desc.num_inputs; ++i) {
    const kiln_tensor_info &info = desc.inputs[i];
    HostTensor &t = inputs[i];
    t.name = info.name;
    t.dtype = info.dtype;
    t.shape.assign(info.shape, info.shape + info.rank);
    if (auto it = shapes.find(t.name); it != shapes.end())
      t.shape = it->second; // the library checks them against its own
    int64_t count = elementCount(t.shape);
    if (count < 0) {
      err = "input '" + t.name + "' has dynamic shape " + shapeString(t.shape) +
            "; give its dims with --input-shape " + t.name + "=AxB...";
      return false;
    }
    if (!allocateBytes(t, err))
      return false;
    for (int64_t k = 0; isFloatDtype(t.dtype) && k < count; ++k) {
      float f = gen.next();
      if (t.dtype == KILN_DTYPE_FLOAT32) {
        std::memcpy(t.bytes.data() + k * 4, &f, 4);
      } else if (t.dtype == KILN_DTYPE_FLOAT16) {
        uint16_t h = floatToHalf(f);
        std::memcpy(t.bytes.data() + k * 2, &h, 2);
      } else if (t.dtype == KILN_DTYPE_FLOAT64) {
        double d = f;
        std::memcpy(t.bytes.data() + k * 8, &d, 8);
      } else if (t.dtype == KILN_DTYPE_BFLOAT16) {
        uint32_t bits;
        std::memcpy(&bits, &f, 4);
        uint16_t h = uint16_t(bits >> 16);
        std::memcpy(t.bytes.data() + k * 2, &h, 2);
      } // 8- and 4-bit floats keep their zero bits
    }
  }
  return true;
}

/// Runs warmup + timed runs on one context; fills `timesMs`.
bool timeRuns(ModelLibrary &lib, const BenchOptions &opts,
              std::vector<HostTensor> &inputs, std::vector<HostTensor> &outputs,
              std::vector<double> &timesMs, std::string &err) {
  std::vector<kiln_tensor> in, out;
  for (HostTensor &t : inputs)
    in.push_back(asKilnTensor(t));
  kiln_context *ctx = lib.create(opts.threads);
  if (!ctx) {
    err = lib.error();
    return false;
  }
  bool ok = lib.makeOutputs(ctx, in, outputs);
  for (HostTensor &t : outputs)
    out.push_back(asKilnTensor(t));
  for (int i = 0; ok && i < opts.warmup + opts.runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    ok = lib.run(ctx, in, out) == KILN_OK;
    auto stop = std::chrono::steady_clock::now();
    if (i >= opts.warmup)
      timesMs.push_back(
          std::chrono::duration<double, std::milli>(stop - start).count());
  }
  if (!ok)
    err = lib.error();
  lib.destroy(ctx);
  return ok;
}

/// The thread count the runtime will use for `requested`.
int resolvedThreads(int requested) {
  if (requested > 0)
    return requested;
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  return cores > 0 ? int(cores) : 1;
}

/// Escapes `s` for a JSON string literal.
std::string jsonEscape(const std::string &s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

/// Prints the result in text or JSON form.
void printStats(const BenchStats &s, const BenchOptions &opts,
                const std::string &label, int runs, int threads) {
  char buf[512];
  if (opts.json)
    std::snprintf(buf, sizeof buf,
                  "{\"model\":\"%s\",\"threads\":%d,\"runs\":%d,"
                  "\"median_ms\":%.4f,\"min_ms\":%.4f,\"mean_ms\":%.4f}",
                  jsonEscape(label).c_str(), threads, runs, s.medianMs, s.minMs,
                  s.meanMs);
  else
    std::snprintf(buf, sizeof buf,
                  "median %.3f ms  min %.3f ms  mean %.3f ms  (%d runs, %d "
                  "threads)",
                  s.medianMs, s.minMs, s.meanMs, runs, threads);
  std::cout << buf << std::endl;
}

} // namespace

BenchStats kiln::summarizeTimes(std::vector<double> timesMs) {
  BenchStats s;
  if (timesMs.empty())
    return s;
  std::sort(timesMs.begin(), timesMs.end());
  size_t n = timesMs.size();
  s.medianMs =
      n % 2 ? timesMs[n / 2] : (timesMs[n / 2 - 1] + timesMs[n / 2]) / 2;
  s.minMs = timesMs.front();
  double sum = 0;
  for (double t : timesMs)
    sum += t;
  s.meanMs = sum / double(n);
  return s;
}

int kiln::benchModel(ModelLibrary &lib, const BenchOptions &opts) {
  std::string err;
  std::vector<HostTensor> inputs, outputs;
  std::vector<double> timesMs;
  if (!lib.isOpen())
    err = "no model library is open";
  else if (opts.runs <= 0 || opts.warmup < 0)
    err = "--runs must be > 0 and --warmup >= 0";
  else if (makeInputs(lib.desc(), opts.inputShapes, inputs, err) &&
           timeRuns(lib, opts, inputs, outputs, timesMs, err))
    err.clear();
  else if (err.empty())
    err = "benchmark failed";
  if (!err.empty()) {
    std::cerr << "kiln: error: " << err << "\n";
    return 2;
  }
  std::string label = opts.label.empty() ? lib.prefix() : opts.label;
  printStats(summarizeTimes(timesMs), opts, label, opts.runs,
             resolvedThreads(opts.threads));
  return 0;
}
