//===- PackedMatmul.h - matmuls on compile-time packed weights ------------===//
//
// A matmul's register tiles read its right-hand side in panels of 64
// columns; packed so that each panel is contiguous (at compile time for a
// constant weight, by a copy at run time otherwise), the tiles stream it
// instead of striding through it (PackedMatmul.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_PACKEDMATMUL_H
#define KILN_CODEGEN_CPU_PACKEDMATMUL_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace kiln {

/// Whether `op` is a static f32 matmul into a zero fill that the packed
/// kernel takes: any whose right-hand side is a constant (packed at compile
/// time), and those computed at run time with at least two register tiles
/// of rows and one whole panel of columns (packed by a copy at run time).
bool isPackedMatmulCandidate(mlir::linalg::MatmulOp op, int64_t tileRows,
                             int64_t panelCols);

/// Replaces such a matmul with register tiles of `tileRows` rows x
/// `panelCols` columns over the weights packed in panels of `panelCols`.
mlir::LogicalResult buildPackedMatmul(mlir::linalg::MatmulOp op,
                                      int64_t tileRows, int64_t panelCols);

} // namespace kiln

#endif // KILN_CODEGEN_CPU_PACKEDMATMUL_H
