//===- WindowBuilders.h - convolution and pooling loop nests -----*- C++ -*-===//
//
// Depthwise convolution and pooling as generics whose innermost loop runs
// along the output row, where LLVM's vectorizer finds contiguous data
// (both take NCHW tensors whose padding is already explicit), and the
// padding and average-pool divisors every layout's lowering shares. (Dense
// convolutions lower to linalg's named op; the CPU target turns that into
// im2col + matmul, codegen/cpu/ConvToMatmulPass.cpp.)
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_LINALG_WINDOWBUILDERS_H
#define KILN_CODEGEN_LINALG_WINDOWBUILDERS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "ir/KilnDialect.h"

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

/// A 2-element i64 attribute (strides, dilations of linalg's named ops).
mlir::DenseIntElementsAttr pairAttr(mlir::OpBuilder &b,
                                    llvm::ArrayRef<int64_t> v);

/// Fails with an error naming `what` when the input's channel dim is
/// dynamic (the batch and the spatial dims may be).
mlir::LogicalResult needStaticChannels(mlir::Operation *op, const char *what,
                                       mlir::RankedTensorType it,
                                       int64_t channelDim);

/// Run-time sizes of a window op's rank-4 result `rt` computed over
/// `input` padded by `pads` (none when the padding is already explicit):
/// the batch is the input's, `spatial` names the H and W dims (NCHW
/// {2, 3}, NHWC {1, 2}), a dynamic one is (in - span) / stride + 1, and the
/// run fails with a shape error where the padded input is shorter than one
/// window.
llvm::SmallVector<mlir::OpFoldResult>
windowResultSizes(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
                  mlir::RankedTensorType rt, llvm::ArrayRef<int64_t> spatial,
                  const Window &w, llvm::ArrayRef<int64_t> pads = {});

/// Pads dims `spatial` (H, W) of `input` with `value`: `pads` holds the
/// begin pads of H and W, then their end pads.
mlir::Value padSpatial(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
                       llvm::ArrayRef<int64_t> spatial,
                       llvm::ArrayRef<int64_t> pads, double value);

/// The [OH, OW] divisor table of an average pool over an h x w input: the
/// window size, or with `count_include_pad` false the number of input
/// elements under each window.
mlir::Value buildWindowCounts(mlir::OpBuilder &b, mlir::Location loc,
                              kiln::AvgPoolOp op, int64_t h, int64_t w,
                              int64_t oh, int64_t ow);

/// The [OH, OW] (dynamic) divisor table of an average pool over an h x w
/// input whose result is `outSizes` = {OH, OW}, computed at run time.
mlir::Value buildDynamicWindowCounts(mlir::OpBuilder &b, mlir::Location loc,
                                     kiln::AvgPoolOp op, mlir::OpFoldResult h,
                                     mlir::OpFoldResult w,
                                     llvm::ArrayRef<mlir::OpFoldResult> outSizes);

/// `result` (rank 4, of type `resultType`) plus a per-channel `bias` [C]
/// broadcast along dim `channelDim` (1 in NCHW, 3 in NHWC).
mlir::Value addChannelBias(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value result, mlir::RankedTensorType resultType,
                           mlir::Value bias, int64_t channelDim);

} // namespace kiln

#endif // KILN_CODEGEN_LINALG_WINDOWBUILDERS_H
