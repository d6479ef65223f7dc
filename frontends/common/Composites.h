//===- Composites.h - framework ops built from several kiln ops -*- C++ -*-===//
//
// Activations and reductions that both frameworks have (ONNX Elu, TF Elu,
// ...) and that are short formulas over existing kiln ops. Each frontend's
// importer reads its attributes and calls these, so the formula lives once.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_COMMON_COMPOSITES_H
#define KILN_FRONTENDS_COMMON_COMPOSITES_H

#include "frontends/common/NodeBuilder.h"

namespace kiln {

/// x where x > 0, else alpha * (exp(x) - 1); times `scale` (Selu).
mlir::Value buildElu(NodeBuilder &nb, mlir::Value x, double alpha,
                     double scale = 1.0);

/// log(1 + exp(x)), as max(x, 0) + log(1 + exp(-|x|)) so that large |x|
/// neither overflows nor loses x.
mlir::Value buildSoftplus(NodeBuilder &nb, mlir::Value x);

/// log(softmax(x)) along `axis`, as (x - max) - log(sum(exp(x - max))):
/// exact where softmax itself would underflow to 0.
mlir::Value buildLogSoftmax(NodeBuilder &nb, mlir::Value x, int64_t axis);

/// numpy's matmul (ONNX MatMul, torch.matmul): batched with broadcasting;
/// a 1-D `a` is a row and a 1-D `b` a column, dropped from the result.
/// Null (reported) when the operands do not fit.
mlir::Value buildNumpyMatMul(NodeBuilder &nb, mlir::Value a, mlir::Value b);

/// `x` with dim `axis` (of size k) mapped through the k x m matrix `m`:
/// result[..., j, ...] = sum_i x[..., i, ...] * m[i, j].
mlir::Value buildMatMulAlong(NodeBuilder &nb, mlir::Value x, int64_t axis,
                             mlir::Value m);

/// Logical and (`all`) or or of a bool tensor over sorted `axes`.
mlir::Value buildAllAny(NodeBuilder &nb, mlir::Value x,
                        llvm::ArrayRef<int64_t> axes, bool keepdims, bool all);

} // namespace kiln

#endif // KILN_FRONTENDS_COMMON_COMPOSITES_H
