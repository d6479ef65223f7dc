//===- PackedMatmul.h - matmuls on compile-time packed weights ------------===//
//
// A matmul whose right-hand side is a constant (a fully connected layer, a
// convolution's filter) reads that operand in panels of 64 columns; packed
// at compile time so that each panel is contiguous, the register tiles
// stream it instead of striding through it (PackedMatmul.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_PACKEDMATMUL_H
#define KILN_CODEGEN_CPU_PACKEDMATMUL_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace kiln {

/// Whether `op` is a static f32 matmul whose right-hand side is a constant
/// and whose accumulator is a zero fill, with at most `maxRows` rows.
bool isPackedMatmulCandidate(mlir::linalg::MatmulOp op, int64_t maxRows);

/// Replaces such a matmul with register tiles of `tileRows` rows x
/// `panelCols` columns over the weights packed in panels of `panelCols`.
mlir::LogicalResult buildPackedMatmul(mlir::linalg::MatmulOp op,
                                      int64_t tileRows, int64_t panelCols);

} // namespace kiln

#endif // KILN_CODEGEN_CPU_PACKEDMATMUL_H
