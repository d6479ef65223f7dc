//===- RowSource.h - left-hand rows read from an NHWC image -----*- C++ -*-===//
//
// The packed matmul kernel (PackedMatmul.cpp) broadcasts A[m, k] per K
// step. For an NHWC convolution, A is an im2col matrix whose row m (output
// pixel (oh, ow)), tap t = (kh, kw) is the run of C channels at image
// pixel (oh * sh + kh * dh) * Wp + ow * sw + kw * dw of the padded image:
// the kernel reads that instead, so the im2col matrix is never copied.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_ROWSOURCE_H
#define KILN_CODEGEN_CPU_ROWSOURCE_H

#include "mlir/IR/Value.h"

#include <optional>

namespace kiln {

/// A[m, k] with k = t * channels + c is image[pixel(m) + tap(t)][c]:
/// pixel(m) = (m / rowWidth) * rowStep + (m % rowWidth) * colStep and
/// tap(t) = (t / windowWidth) * tapRowStep + (t % windowWidth) * tapColStep.
/// `image` is the padded NHWC image as a [pixels][channels] matrix,
/// `rowWidth` the output's width (OW); for a convolution with strides
/// (sh, sw) and dilations (dh, dw) on an image Wp pixels wide, rowStep is
/// sh * Wp, colStep sw, tapRowStep dh * Wp and tapColStep dw.
struct RowSource {
  mlir::Value image;
  int64_t channels = 0;
  int64_t windowWidth = 0;
  int64_t rowWidth = 0;
  int64_t rowStep = 0, colStep = 0;
  int64_t tapRowStep = 0, tapColStep = 0;

  /// The floats of A one loop of the kernel reads from the image: a tap's
  /// channels, or a window row's (imageRun).
  int64_t run() const { return imageRun(channels, windowWidth, tapColStep); }
  /// The runs per window row.
  int64_t runsPerRow() const {
    return run() == channels ? windowWidth : 1;
  }

  /// A window row's taps are one run of windowWidth * channels floats when
  /// they are adjacent pixels (tapColStep 1): with few channels the kernel
  /// then loops over window rows instead of taps, whose loops of
  /// `channels` steps cost (an RGB stem: 3 per tap).
  static int64_t imageRun(int64_t channels, int64_t windowWidth,
                          int64_t tapColStep) {
    bool merged = tapColStep == 1 && windowWidth > 1 && channels < 64;
    return merged ? windowWidth * channels : channels;
  }
};

/// The row source when `lhs` (M x K) is the im2col matrix
/// kiln-cpu-conv-to-matmul builds for an NHWC convolution read in place:
/// the collapse of a copy generic [M][KH][KW][C] reading
/// image[(m floordiv OW) * rowStep + (m mod OW) * colStep +
/// kh * tapRowStep + kw * tapColStep][c] (OW > 1, M > OW; a step is 0
/// where its dim only takes the value 0) of a [L][C] image that holds every
/// row the M rows read; std::nullopt otherwise.
std::optional<RowSource> matchImageRows(mlir::Value lhs);

} // namespace kiln

#endif // KILN_CODEGEN_CPU_ROWSOURCE_H
