//===- SplitBatchMatmul.h - batch matmuls as per-batch matmuls --*- C++ -*-===//
//
// Attention's products (Q x K^T and the softmax x V per head) are batch
// matmuls whose batches are each large enough for the packed-panel kernel;
// as a batch_matmul they only had the loop fallback.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_SPLITBATCHMATMUL_H
#define KILN_CODEGEN_CPU_SPLITBATCHMATMUL_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace kiln {

/// Rewrites a static f32 batch_matmul into a zero fill, whose batches have
/// at least `minRows` rows and `minCols` columns, as an scf.for over the
/// batch of linalg.matmul ops on slices, each filling and writing its
/// slice of the result in place. Returns whether it did.
bool splitBatchMatmul(mlir::linalg::BatchMatmulOp op, int64_t minRows,
                      int64_t minCols);

} // namespace kiln

#endif // KILN_CODEGEN_CPU_SPLITBATCHMATMUL_H
