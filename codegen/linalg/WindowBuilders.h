//===- WindowBuilders.h - convolution and pooling loop nests -----*- C++ -*-===//
//
// Depthwise convolution and pooling as generics whose innermost loop runs
// along the output row, where LLVM's vectorizer finds contiguous data.
// Both take NCHW tensors whose padding is already explicit. (Dense
// convolutions lower to linalg's named op; the CPU target turns that into
// im2col + matmul, codegen/cpu/ConvToMatmulPass.cpp.)
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
