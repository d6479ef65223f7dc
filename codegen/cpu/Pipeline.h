//===- Pipeline.h - the CPU compilation pipeline ------------------*- C++ -*-===//
//
// The stages from imported kiln IR to an LLVM-dialect module for the host
// CPU. The driver runs them in order and may stop after any one
// (`kiln compile --emit=kiln|linalg|llvm|asm`).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_PIPELINE_H
#define KILN_CODEGEN_CPU_PIPELINE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"

#include <string>

namespace kiln {

/// Where compilation stops.
enum class Stage { Kiln, Linalg, LLVMDialect, Object };

/// Options of the CPU target.
struct CpuPipelineOptions {
  /// Register-tile and vectorize matmuls (else LLVM's loop vectorizer only).
  bool tileContractions = true;
  /// Chunk other large ops into loops that run on the thread pool.
  bool parallelizeLoops = true;
  /// The data layout convolutions and pooling compute in: "NCHW" (im2col +
  /// register-tiled matmul) or "NHWC" (linalg's NHWC ops, loop code).
  std::string computeLayout = "NCHW";
};

/// Graph-level cleanup on kiln IR: decomposition, folding, shape inference.
void buildGraphPipeline(mlir::OpPassManager &pm,
                        const CpuPipelineOptions &options = {});

/// kiln -> linalg/tensor/arith, with elementwise fusion.
void buildLinalgPipeline(mlir::OpPassManager &pm);

/// linalg on tensors -> LLVM dialect for the CPU.
void buildCpuLoweringPipeline(mlir::OpPassManager &pm,
                              const CpuPipelineOptions &options);

/// Renames @main to `symbol`, makes it emit a C interface
/// (`_mlir_ciface_<symbol>`) and marks the inputs read-only, so that the
/// compiled code never writes to a caller's input buffer.
mlir::LogicalResult prepareEntryPoint(mlir::ModuleOp module,
                                      llvm::StringRef symbol);

/// Runs the stages of `module` up to and including `last`; diagnostics go
/// to the context's handler.
mlir::LogicalResult runPipeline(mlir::ModuleOp module, Stage last,
                                const CpuPipelineOptions &options);

} // namespace kiln

#endif // KILN_CODEGEN_CPU_PIPELINE_H
