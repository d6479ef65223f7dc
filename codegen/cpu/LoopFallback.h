//===- LoopFallback.h - loop order for matmuls without register tiles -----===//
//
// kiln-cpu-tile-contractions leaves some matmuls to plain loops (shapes
// without a small K step, unit-row parts); this gives them a loop order
// that LLVM vectorizes.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_LOOPFALLBACK_H
#define KILN_CODEGEN_CPU_LOOPFALLBACK_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace kiln {

/// Rewrites a matmul / batch_matmul that gets no register tile into a
/// generic whose loops run (batch, m, k, n): the innermost loop then walks
/// rows of B and C contiguously, which LLVM vectorizes, instead of reducing
/// over k with strided loads.
void reorderForLoops(mlir::linalg::LinalgOp op);

} // namespace kiln

#endif // KILN_CODEGEN_CPU_LOOPFALLBACK_H
