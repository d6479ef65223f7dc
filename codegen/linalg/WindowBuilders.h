//===- WindowBuilders.h - convolution and pooling loop nests -----*- C++ -*-===//
//
// Sliding-window ops built so that the CPU code is fast: a convolution as
// im2col + linalg.matmul (which the CPU target register-tiles), and
// depthwise convolution / pooling as generics whose innermost loop runs
// along the output row, where LLVM's vectorizer finds contiguous data.
// All take NCHW tensors whose padding is already explicit.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_LINALG_WINDOWBUILDERS_H
#define KILN_CODEGEN_LINALG_WINDOWBUILDERS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace kiln {

/// Window geometry shared by the builders.
struct Window {
  int64_t kh, kw;
  llvm::ArrayRef<int64_t> strides, dilations;
};

/// A batch-1, group-1 convolution: filter F x C x KH x KW as an F x (C*KH*KW)
/// matrix times the im2col matrix (C*KH*KW) x (OH*OW).
mlir::Value buildConvAsMatmul(mlir::OpBuilder &b, mlir::Location loc,
                              mlir::Value input, mlir::Value filter,
                              mlir::RankedTensorType resultType,
                              const Window &window);

/// A depthwise convolution (filter C x KH x KW) with loops (n, c, kh, kw,
/// oh, ow).
mlir::Value buildDepthwiseConv(mlir::OpBuilder &b, mlir::Location loc,
                               mlir::Value input, mlir::Value filter,
                               mlir::RankedTensorType resultType,
                               const Window &window);

/// Max (isMax) or sum pooling with loops (n, c, kh, kw, oh, ow).
mlir::Value buildPooling(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Value input, mlir::RankedTensorType resultType,
                         const Window &window, bool isMax);

} // namespace kiln

#endif // KILN_CODEGEN_LINALG_WINDOWBUILDERS_H
