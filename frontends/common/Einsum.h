//===- Einsum.h - einsum equations as kiln ops -----------------*- C++ -*-===//
//
// Einsum (TensorFlow and ONNX spell it alike: "bij,bjk->bik", "..." for
// leading dims, an implicit output when "->" is absent) with one or two
// operands, as reductions, transposes, reshapes and one kiln.matmul:
// labels in both operands and the output are batch dims, labels in both
// operands only are contracted, labels in one operand only are summed out
// first unless the output keeps them.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_COMMON_EINSUM_H
#define KILN_FRONTENDS_COMMON_EINSUM_H

#include "frontends/common/NodeBuilder.h"

namespace kiln {

/// The einsum of `operands` (one or two); failure, reported at the node,
/// for an equation outside that form (a label repeated within one operand,
/// a label the output has but no operand, three operands, ...).
mlir::FailureOr<mlir::Value> buildEinsum(NodeBuilder &nb,
                                         llvm::StringRef equation,
                                         llvm::ArrayRef<mlir::Value> operands);

} // namespace kiln

#endif // KILN_FRONTENDS_COMMON_EINSUM_H
