//===- PackedGemv.h - few-row matmuls on compile-time packed weights ------===//
//
// Batch-1 fully connected layers (and other matmuls with a handful of rows
// and a constant right-hand side) are memory bound; PackedGemv.cpp gives
// them a kernel that streams the weights, packed in column panels at
// compile time, at memory bandwidth on every thread.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_PACKEDGEMV_H
#define KILN_CODEGEN_CPU_PACKEDGEMV_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace kiln {

/// Whether `op` is a static f32 matmul of 1 .. maxRows rows whose
/// right-hand side is a constant and whose accumulator is a zero fill.
bool isPackedGemvCandidate(mlir::linalg::MatmulOp op, int64_t maxRows);

/// Replaces such a matmul with the packed-panel kernel (panels of
/// `panelCols` columns, one vector accumulator per row).
mlir::LogicalResult buildPackedGemv(mlir::linalg::MatmulOp op,
                                    int64_t panelCols);

} // namespace kiln

#endif // KILN_CODEGEN_CPU_PACKEDGEMV_H
