//===- RowSource.h - left-hand rows read from an NHWC image -----*- C++ -*-===//
//
// The packed matmul kernel (PackedMatmul.cpp) broadcasts A[m, k] per K
// step. For a stride-1 NHWC convolution, A is an im2col matrix whose row
// m (output pixel (oh, ow)), tap t = (kh, kw) is the run of C channels at
// image pixel (oh + kh) * Wp + ow + kw of the padded image: the kernel
// reads that instead, so the im2col matrix is never copied.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_ROWSOURCE_H
#define KILN_CODEGEN_CPU_ROWSOURCE_H

#include "mlir/IR/Value.h"

#include <optional>

namespace kiln {

/// A[m, k] with k = t * channels + c is image[pixel(m) + tap(t)][c]:
/// pixel(m) = (m / rowWidth) * rowPitch + m % rowWidth and
/// tap(t) = (t / windowWidth) * rowPitch + t % windowWidth. `image` is the
/// padded NHWC image as a [pixels][channels] matrix, `rowPitch` its width,
/// `rowWidth` the output's.
struct RowSource {
  mlir::Value image;
  int64_t channels = 0;
  int64_t windowWidth = 0;
  int64_t rowPitch = 0;
  int64_t rowWidth = 0;
};

/// The row source when `lhs` (M x K) is the im2col matrix
/// kiln-cpu-conv-to-matmul builds for a stride-1 NHWC convolution read in
/// place: the collapse of a copy generic [M][KH][KW][C] reading
/// image[(m / OW + kh) * Wp + m % OW + kw][c] of a [L][C] image that holds
/// every row the M rows read; std::nullopt otherwise.
std::optional<RowSource> matchImageRows(mlir::Value lhs);

} // namespace kiln

#endif // KILN_CODEGEN_CPU_ROWSOURCE_H
