//===- RowSource.h - left-hand rows read from an NHWC image -----*- C++ -*-===//
//
// The packed matmul kernel (PackedMatmul.cpp) broadcasts A[m, k] per K
// step. For an NHWC convolution in padded-width rows, A is an im2col
// matrix whose row q, tap t is row q + offset(t) of the padded image
// (pixels as rows, channels as columns): the kernel reads that instead, so
// the im2col matrix is never copied.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_ROWSOURCE_H
#define KILN_CODEGEN_CPU_ROWSOURCE_H

#include "mlir/IR/Value.h"

#include <optional>

namespace kiln {

/// A[q, k] with k = t * channels + c (t = kh * kw_ + kw) is
/// image[q + (t / kw_) * rowPitch + t % kw_][c]: `image` is the padded NHWC
/// image as a [pixels][channels] matrix, `rowPitch` its padded width.
struct RowSource {
  mlir::Value image;
  int64_t channels = 0;
  int64_t windowWidth = 0;
  int64_t rowPitch = 0;
};

/// The row source when `lhs` (M x K) is the padded-width im2col matrix
/// kiln-cpu-conv-to-matmul builds for a stride-1 NHWC convolution: the
/// collapse of a copy generic [M][KH][KW][C] reading
/// image[q + kh * pitch + kw][c] of a [L][C] image that holds every row the
/// M rows read; std::nullopt otherwise.
std::optional<RowSource> matchPaddedWidthRows(mlir::Value lhs);

} // namespace kiln

#endif // KILN_CODEGEN_CPU_ROWSOURCE_H
