//===- Passes.h - kiln-level graph passes -------------------------*- C++ -*-===//
//
// Declarations of the passes in passes/Passes.td and of their pattern
// populators, plus registration for kiln-opt.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_PASSES_PASSES_H
#define KILN_PASSES_PASSES_H

#include "ir/KilnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace kiln {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

/// Patterns expanding batch_norm, layer_norm and softmax.
void populateDecomposePatterns(mlir::RewritePatternSet &patterns);

/// The data layout ("NCHW" or "NHWC") convolutions and pooling compute in
/// on the CPU when the user names none: NHWC when the graph has a depthwise
/// convolution and every convolution is a static batch-1 one, NCHW
/// otherwise. See docs/performance.md for the measurements behind it.
std::string chooseCpuLayout(mlir::ModuleOp module);

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

} // namespace kiln

#endif // KILN_PASSES_PASSES_H
