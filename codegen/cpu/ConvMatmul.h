//===- ConvMatmul.h - convolutions as matmuls on the CPU ----------*- C++ -*-===//
//
// Shared by kiln-cpu-conv-to-matmul's NCHW forms (ConvToMatmulPass.cpp)
// and its NHWC forms (NhwcConvToMatmul.cpp): the copy generic that builds
// im2col matrices, and the NHWC entry points (windows are
// codegen/linalg's Window).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_CONVMATMUL_H
#define KILN_CODEGEN_CPU_CONVMATMUL_H

#include "codegen/linalg/WindowBuilders.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace kiln::conv {

/// A copy generic into `init`: the element at loop point x is `input` at
/// `inputMap`(x), written at `outputMap`(x) (all loops parallel).
mlir::Value buildCopyGeneric(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::Value input, mlir::Value init,
                             mlir::AffineMap inputMap,
                             mlir::AffineMap outputMap);

/// Whether `op` is a static batch-1 NHWC convolution into a zero fill.
bool isNhwcCandidate(mlir::linalg::Conv2DNhwcHwcfOp op);

/// The matmul form of a batch-1, group-1 NHWC convolution of `input` by
/// the HWCF `filter` into `dest` (a zero-filled `rt`).
mlir::Value buildNhwcConvAsMatmul(mlir::OpBuilder &b, mlir::Location loc,
                                  mlir::Value input, mlir::Value filter,
                                  mlir::Value dest, mlir::RankedTensorType rt,
                                  const Window &w);

} // namespace kiln::conv

#endif // KILN_CODEGEN_CPU_CONVMATMUL_H
