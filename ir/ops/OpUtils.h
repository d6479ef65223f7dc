//===- OpUtils.h - helpers shared by the kiln op implementations -*- C++ -*-===//
//
// Shape arithmetic (broadcasting, windowed output sizes) and constant
// evaluation helpers used by the verifiers, type inference and folders of
// several op families.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_OPS_OPUTILS_H
#define KILN_IR_OPS_OPUTILS_H

#include "ir/ConstantData.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"

#include <functional>

namespace kiln {

/// Infers the numpy broadcast of `lhs` and `rhs` as a tensor of
/// `elementType`; an error at `loc` when they do not broadcast.
mlir::LogicalResult inferBroadcastType(std::optional<mlir::Location> loc,
                                       mlir::Value lhs, mlir::Value rhs,
                                       mlir::Type elementType,
                                       llvm::SmallVectorImpl<mlir::Type> &inferred);

/// numpy broadcast of two shapes (dynamic dims stay dynamic); failure when
/// two static dims differ and neither is 1.
mlir::FailureOr<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b);

/// Row-major strides of `shape`.
llvm::SmallVector<int64_t> stridesOf(llvm::ArrayRef<int64_t> shape);

/// Calls `fn` with every multi-index of `shape`, in row-major order.
void forEachIndex(llvm::ArrayRef<int64_t> shape,
                  llvm::function_ref<void(llvm::ArrayRef<int64_t>)> fn);

/// For each element of `outShape`, the linear index of the element of an
/// operand of `inShape` (right-aligned, size-1 dims broadcast) it reads.
std::vector<int64_t> broadcastIndices(llvm::ArrayRef<int64_t> outShape,
                                      llvm::ArrayRef<int64_t> inShape);

/// Output extent of a sliding window, or dynamic if `in` is.
int64_t windowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                         int64_t dilation, int64_t padBegin, int64_t padEnd);

/// Total padding (begin + end) that SAME padding gives a window of extent
/// `span` with `stride` over `in`, so that the output has ceil(in / stride)
/// elements. With stride 1 it is span - 1 whatever `in` is (dynamic too);
/// otherwise `in` must be static.
int64_t samePaddingTotal(int64_t in, int64_t span, int64_t stride);

/// Folds a unary op on a constant float operand.
mlir::Attribute foldUnaryFloat(mlir::Attribute operand, mlir::Type resultType,
                               const std::function<double(double)> &fn);

/// Folds a broadcasting binary op on two constant operands.
mlir::Attribute foldBinary(mlir::Attribute lhs, mlir::Attribute rhs,
                           mlir::Type resultType,
                           const std::function<double(double, double)> &fn);

/// When `indices` is a constant, checks that each index lies in
/// [-extent, extent): with one extent for every element, with several for
/// element j of the last dim against extents[j] (index tuples). Dynamic
/// extents are left to the run-time check.
mlir::LogicalResult verifyConstantIndices(mlir::Operation *op,
                                          mlir::Value indices,
                                          llvm::ArrayRef<int64_t> extents);

} // namespace kiln

#endif // KILN_IR_OPS_OPUTILS_H
