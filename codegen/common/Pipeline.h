//===- Pipeline.h - the stages every target shares ---------------*- C++ -*-===//
//
// From imported kiln IR to linalg on tensors, the part of compilation that
// does not depend on the target: graph cleanup, kiln -> linalg, and the
// entry point's shape. Each target (codegen/cpu) adds its own lowering
// after these; the driver may stop after any stage (`kiln compile
// --emit=kiln|linalg|llvm|asm`).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_COMMON_PIPELINE_H
#define KILN_CODEGEN_COMMON_PIPELINE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"

namespace kiln {

/// Where compilation stops.
enum class Stage { Kiln, Linalg, LLVMDialect, Object };

/// Graph-level cleanup on kiln IR: decomposition, the layout the target's
/// convolutions and pooling compute in ("NCHW" or "NHWC"), folding, shape
/// inference.
void buildGraphPipeline(mlir::OpPassManager &pm,
                        llvm::StringRef computeLayout = "NCHW");

/// kiln -> linalg/tensor/arith, with elementwise fusion.
void buildLinalgPipeline(mlir::OpPassManager &pm,
                         bool batchedConvolutions = false);

/// Rewrites run-time tensor sizes (tensor.dim of op and loop results) as
/// arithmetic on the inputs' dims, on each function of `fpm`'s nesting.
void buildDimResolution(mlir::OpPassManager &fpm);

/// One-shot bufferization of every function (results become out-params,
/// identity layouts at function boundaries) with upstream's deallocation
/// pipeline, then cse and canonicalize.
void buildBufferization(mlir::OpPassManager &pm);

/// Renames @main to `symbol`, makes it emit a C interface
/// (`_mlir_ciface_<symbol>`) and marks the inputs read-only, so that the
/// compiled code never writes to a caller's input buffer. Declares the
/// runtime functions that run-time checks call; `hostIndexChecks` adds the
/// one for indices read at run time, whose check loops run on the host and
/// so only suit a target whose tensors live there (the CPU).
mlir::LogicalResult prepareEntryPoint(mlir::ModuleOp module,
                                      llvm::StringRef symbol,
                                      bool hostIndexChecks);

} // namespace kiln

#endif // KILN_CODEGEN_COMMON_PIPELINE_H
