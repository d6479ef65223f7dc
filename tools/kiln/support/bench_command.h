//===- bench_command.h - `kiln bench`: time a compiled model ----*- C++ -*-===//
//
// benchModel runs a loaded model library on deterministic pseudo-random
// inputs (floats uniform in [-1, 1], integers and bools zero): `warmup`
// untimed runs, then `runs` runs timed one by one with steady_clock on one
// context. It prints
//   median X ms  min X ms  mean X ms  (N runs, T threads)
// or, with `json`, exactly one line
//   {"model":"LABEL","threads":T,"runs":N,"median_ms":X,"min_ms":X,"mean_ms":X}
// Returns 0, or 2 after printing one "kiln: error: ..." line on stderr.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLS_KILN_SUPPORT_BENCH_COMMAND_H
#define KILN_TOOLS_KILN_SUPPORT_BENCH_COMMAND_H

#include "model_library.h"

#include <map>
#include <string>
#include <vector>

namespace kiln {

/// Options of `kiln bench`.
struct BenchOptions {
  int threads = 0; ///< <= 0: all online cores
  int runs = 50;
  int warmup = 5;
  bool json = false;
  std::string label; ///< model name in the JSON line; default: the prefix
  /// Dims of inputs with dynamic dims (--input-shape NAME=AxB).
  std::map<std::string, std::vector<int64_t>> inputShapes;
};

/// Summary statistics of a list of run times, in milliseconds.
struct BenchStats {
  double medianMs = 0, minMs = 0, meanMs = 0;
};

/// Median (mean of the two middle values for even counts), min and mean.
BenchStats summarizeTimes(std::vector<double> timesMs);

/// Benchmarks `lib` as described by `opts`; returns 0 or 2.
int benchModel(ModelLibrary &lib, const BenchOptions &opts);

} // namespace kiln

#endif // KILN_TOOLS_KILN_SUPPORT_BENCH_COMMAND_H
