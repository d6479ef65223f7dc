//===- ElementwiseOps.cpp - constants and elementwise kiln ops ------------===//
//
// Verifiers, broadcast type inference and constant folders of kiln.constant,
// the unary math ops, kiln.clip, kiln.cast and the broadcasting binary ops.
//
//===----------------------------------------------------------------------===//

#include "ir/KilnDialect.h"
#include "ir/ops/OpUtils.h"

#include <cmath>

using namespace mlir;

namespace kiln {

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

#define KILN_UNARY_FOLD(OP, EXPR)                                              \
  OpFoldResult OP::fold(FoldAdaptor adaptor) {                                 \
    return foldUnaryFloat(adaptor.getInput(), getType(),                       \
                          [](double x) { return EXPR; });                      \
  }
KILN_UNARY_FOLD(ReluOp, x > 0 ? x : 0.0)
KILN_UNARY_FOLD(SigmoidOp, 1.0 / (1.0 + std::exp(-x)))
KILN_UNARY_FOLD(TanhOp, std::tanh(x))
KILN_UNARY_FOLD(ErfOp, std::erf(x))
KILN_UNARY_FOLD(SqrtOp, std::sqrt(x))
KILN_UNARY_FOLD(ExpOp, std::exp(x))
KILN_UNARY_FOLD(LogOp, std::log(x))
KILN_UNARY_FOLD(NegOp, -x)
KILN_UNARY_FOLD(AbsOp, std::fabs(x))
KILN_UNARY_FOLD(ReciprocalOp, 1.0 / x)
#undef KILN_UNARY_FOLD

LogicalResult ClipOp::verify() {
  // min > max is valid: min(max(x, min), max) is then max everywhere, which
  // is what ONNX specifies.
  if (std::isnan(getMin().convertToDouble()) ||
      std::isnan(getMax().convertToDouble()))
    return emitOpError() << "bounds must not be NaN";
  return success();
}

LogicalResult CastOp::verify() {
  if (getInput().getType().getShape() != getType().getShape())
    return emitOpError() << "changes the shape";
  return success();
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  auto hv = readConstant(adaptor.getInput());
  if (!hv)
    return {};
  Type et = getType().getElementType();
  for (double &v : hv->data) {
    if (isa<IntegerType>(et))
      v = et.isInteger(1) ? double(v != 0.0) : std::trunc(v);
  }
  return writeConstant(getType(), hv->data);
}

//===----------------------------------------------------------------------===//
// Binary ops
//===----------------------------------------------------------------------===//

static LogicalResult inferBroadcast(std::optional<Location> loc, Value lhs,
                                    Value rhs,
                                    SmallVectorImpl<Type> &inferred) {
  auto a = cast<RankedTensorType>(lhs.getType());
  auto b = cast<RankedTensorType>(rhs.getType());
  auto shape = broadcastShapes(a.getShape(), b.getShape());
  if (failed(shape))
    return emitOptionalError(loc, "operand shapes ", a, " and ", b,
                             " do not broadcast");
  inferred.push_back(RankedTensorType::get(*shape, a.getElementType()));
  return success();
}

#define KILN_BINARY(OP, EXPR)                                                  \
  LogicalResult OP::inferReturnTypes(MLIRContext *, std::optional<Location> l, \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &inferred) {        \
    return inferBroadcast(l, adaptor.getLhs(), adaptor.getRhs(), inferred);    \
  }                                                                            \
  OpFoldResult OP::fold(FoldAdaptor adaptor) {                                 \
    return foldBinary(adaptor.getLhs(), adaptor.getRhs(), getType(),          \
                      [](double a, double b) { return EXPR; });                \
  }
KILN_BINARY(AddOp, a + b)
KILN_BINARY(SubOp, a - b)
KILN_BINARY(MulOp, a *b)

LogicalResult DivOp::inferReturnTypes(MLIRContext *, std::optional<Location> l,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &inferred) {
  return inferBroadcast(l, adaptor.getLhs(), adaptor.getRhs(), inferred);
}

/// Integer division by zero has no value: such a Div is left unfolded (and
/// lowered to a guarded division).
OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  if (auto divisors = readIntConstant(adaptor.getRhs()))
    if (llvm::is_contained(*divisors, 0))
      return {};
  return foldBinary(adaptor.getLhs(), adaptor.getRhs(), getType(),
                    [](double a, double b) { return a / b; });
}

KILN_BINARY(PowOp, std::pow(a, b))
KILN_BINARY(MaxOp, std::max(a, b))
KILN_BINARY(MinOp, std::min(a, b))
#undef KILN_BINARY

} // namespace kiln
