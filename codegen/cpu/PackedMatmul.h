//===- PackedMatmul.h - the packed-panel matmul kernel ----------*- C++ -*-===//
//
// A matmul's register tiles read its right-hand side in panels of 64
// columns, one contiguous panel row per K step: packed at compile time for
// a constant weight, read in place or packed by a copy at run time
// otherwise (PanelSource.h), so the tiles stream it instead of striding
// through it (PackedMatmul.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_PACKEDMATMUL_H
#define KILN_CODEGEN_CPU_PACKEDMATMUL_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace kiln {

/// Whether `v` is the result of a linalg.fill with a zero float (a
/// product's accumulator starting at zero).
bool isZeroFill(mlir::Value v);

/// Whether `op` (a matmul or a batch matmul) multiplies static f32 operands
/// into an f32 zero fill: what the packed kernel computes.
bool isStaticF32ProductIntoZero(mlir::linalg::LinalgOp op);

/// Whether the packed kernel takes a constant K x N right-hand side: below
/// a few KiB of weights the loop fallback is as fast.
inline bool packsConstantWeights(int64_t k, int64_t n) { return k * n >= 4096; }

/// Whether `op` is a static f32 matmul into a zero fill that the packed
/// kernel takes: any whose right-hand side is a constant (packed at compile
/// time), and those computed at run time with at least two register tiles
/// of rows and one whole panel of columns (read in place or packed by a
/// copy at run time).
bool isPackedMatmulCandidate(mlir::linalg::MatmulOp op, int64_t tileRows,
                             int64_t panelCols);

/// Replaces such a matmul with register tiles of `tileRows` rows x
/// `panelCols` columns over the right-hand side's panels of `panelCols`;
/// an elementwise consumer of its result is applied by the tiles as they
/// store (MatmulEpilogue.h) where K takes a single pass, if `fuseEpilogue`.
mlir::LogicalResult buildPackedMatmul(mlir::linalg::MatmulOp op,
                                      int64_t tileRows, int64_t panelCols,
                                      bool fuseEpilogue = true);

} // namespace kiln

#endif // KILN_CODEGEN_CPU_PACKEDMATMUL_H
