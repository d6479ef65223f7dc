//===- Pipeline.h - the CPU compilation pipeline ------------------*- C++ -*-===//
//
// The CPU target: after the stages every target shares
// (codegen/common/Pipeline.h), its own lowering from linalg on tensors to
// an LLVM-dialect module for the host CPU.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_PIPELINE_H
#define KILN_CODEGEN_CPU_PIPELINE_H

#include "codegen/common/Pipeline.h"

#include <string>
#include <vector>

namespace kiln {

/// Options of the CPU target.
struct CpuPipelineOptions {
  /// Register-tile and vectorize matmuls (else LLVM's loop vectorizer only).
  bool tileContractions = true;
  /// Chunk other large ops into loops that run on the thread pool.
  bool parallelizeLoops = true;
  /// The data layout convolutions and pooling compute in: "NCHW" (im2col +
  /// register-tiled matmul) or "NHWC" (linalg's NHWC ops, loop code).
  std::string computeLayout = "NCHW";
  /// Report each pass's time on stderr (MLIR's pass timing).
  bool timing = false;
  /// Columns of a matmul register tile (and of a packed weight panel): 64
  /// (four 16-float vectors) on CPUs with AVX-512, 16 with 8-float vectors
  /// (AVX2), so that the tile's 6 rows of sums stay in the 32 or 16
  /// vector registers (cpuTileColumns).
  int64_t tileCols = 64;
};

/// The register tile width for a CPU with `features` (LLVM names, as
/// describeTarget gives them): 64 with avx512f, else 16.
int64_t cpuTileColumns(const std::vector<std::string> &features);

/// linalg on tensors -> LLVM dialect for the CPU.
void buildCpuLoweringPipeline(mlir::OpPassManager &pm,
                              const CpuPipelineOptions &options);

/// Runs the stages of `module` up to and including `last`; diagnostics go
/// to the context's handler.
mlir::LogicalResult runPipeline(mlir::ModuleOp module, Stage last,
                                const CpuPipelineOptions &options);

} // namespace kiln

#endif // KILN_CODEGEN_CPU_PIPELINE_H
