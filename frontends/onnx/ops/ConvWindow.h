//===- ConvWindow.h - ONNX convolution windows in 1 to 3 dims ---*- C++ -*-===//
//
// What Conv and ConvTranspose share: a window over the spatial dims, its
// pads resolved from ONNX's attributes, and an N-D convolution built from
// the 2-D kiln.conv (see ConvPoolImporters.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_ONNX_OPS_CONVWINDOW_H
#define KILN_FRONTENDS_ONNX_OPS_CONVWINDOW_H

#include "frontends/onnx/ImportContext.h"

namespace kiln::onnx_frontend {

/// A window over n spatial dims; `pads` holds the n begin pads, then the n
/// end pads.
struct Window {
  llvm::SmallVector<int64_t> kernel, strides, dilations, pads;

  /// The 2-D window over dims `a` and `b` of this one.
  Window plane(size_t a, size_t b) const {
    size_t n = kernel.size();
    return {{kernel[a], kernel[b]},
            {strides[a], strides[b]},
            {dilations[a], dilations[b]},
            {pads[a], pads[b], pads[a + n], pads[b + n]}};
  }
  /// A 2-D window of height 1 over dim `a` of this one.
  Window row(size_t a) const {
    size_t n = kernel.size();
    return {{1, kernel[a]}, {1, strides[a]}, {1, dilations[a]},
            {0, pads[a], 0, pads[a + n]}};
  }
};

/// Attribute `name`, or n ones when absent.
llvm::SmallVector<int64_t> intsOr(NodeContext &nc, llvm::StringRef name,
                                  size_t n);

/// Fills `w.pads` from `pads` or `auto_pad` for inputs of spatial size
/// `spatialIn`, with ceil_mode's extra end padding when asked.
mlir::LogicalResult resolvePads(NodeContext &nc,
                                llvm::ArrayRef<int64_t> spatialIn, Window &w,
                                bool ceilMode);

/// The window of a convolution of `input` [N, C, D...] by `filter`
/// [O, I, K...]: the filter's kernel, the node's strides and dilations, and
/// its pads resolved.
mlir::FailureOr<Window> convWindow(NodeContext &nc,
                                   mlir::RankedTensorType input,
                                   mlir::RankedTensorType filter);

/// A grouped 1-D, 2-D or 3-D convolution of NC... data with an OI...
/// filter; null (reported) when it cannot be built.
mlir::Value buildConv(NodeContext &nc, mlir::Value x, mlir::Value filter,
                      mlir::Value bias, const Window &w, int64_t group);

/// MaxPool with its Indices output (MaxPoolIndices.cpp).
mlir::LogicalResult
importMaxPoolWithIndices(NodeContext &nc,
                         llvm::SmallVectorImpl<mlir::Value> &out);

} // namespace kiln::onnx_frontend

#endif // KILN_FRONTENDS_ONNX_OPS_CONVWINDOW_H
