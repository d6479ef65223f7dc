//===- PanelSource.h - where the packed kernel reads its panels -*- C++ -*-===//
//
// The packed matmul kernel (PackedMatmul.cpp) reads its right-hand side one
// P-float panel row per K step. This chooses where those rows come from:
// panels packed at compile time (a constant), the right-hand side itself
// (rows read in place), a convolution's padded image (padded-width im2col
// rows, no im2col copy), or panels packed by a copy at run time.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_PANELSOURCE_H
#define KILN_CODEGEN_CPU_PANELSOURCE_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"

namespace kiln {

/// Where a register tile reads row k of its panel (P floats): `packed`
/// [panels][K][P] panels, or `image` [C][L]: row k = c * group + j reads
/// image[c][taps[j] + panel * P]. An in-place right-hand side is an image
/// with group 1 (tap 0 at 0); the padded-width im2col of a convolution has
/// group KH x KW, tap (kh, kw) at kh * wp + kw for stride 1 (wp the padded
/// width), or at its phase image's offset for a larger stride.
struct PanelSource {
  mlir::Value packed;
  mlir::Value image;
  int64_t group = 1;
  llvm::SmallVector<int64_t> taps = {0};
  int64_t p = 0;
  /// Reads of the last panel are masked at the image's row end.
  bool masked = false;
};

/// The copy generic behind `v` when `v` is an im2col matrix as
/// kiln-cpu-conv-to-matmul builds them for the padded-width forms: a
/// collapse to a matrix of a 4-loop copy generic (identity output map, a
/// 2-D read) of a static 2-D image; null otherwise.
mlir::linalg::GenericOp matchIm2colCopy(mlir::Value v);

/// The panel source for the static f32 K x N right-hand side `rhs` and
/// panels of `p` columns, creating any packing at `b`'s insertion point:
/// a constant is packed at compile time (failure if it cannot be read),
/// a padded-width im2col matrix is read from its image, other run-time
/// matrices are read in place unless their rows are a multiple of 4 KiB
/// apart, which are packed by a copy.
mlir::FailureOr<PanelSource> choosePanelSource(mlir::OpBuilder &b,
                                               mlir::Location loc,
                                               mlir::Value rhs, int64_t p);

} // namespace kiln

#endif // KILN_CODEGEN_CPU_PANELSOURCE_H
