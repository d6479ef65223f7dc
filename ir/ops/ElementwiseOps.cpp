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
KILN_UNARY_FOLD(ReciprocalOp, 1.0 / x)
KILN_UNARY_FOLD(FloorOp, std::floor(x))
KILN_UNARY_FOLD(CeilOp, std::ceil(x))
KILN_UNARY_FOLD(SinOp, std::sin(x))
KILN_UNARY_FOLD(CosOp, std::cos(x))
KILN_UNARY_FOLD(TanOp, std::tan(x))
KILN_UNARY_FOLD(AsinOp, std::asin(x))
KILN_UNARY_FOLD(AcosOp, std::acos(x))
KILN_UNARY_FOLD(AtanOp, std::atan(x))
KILN_UNARY_FOLD(SinhOp, std::sinh(x))
KILN_UNARY_FOLD(CoshOp, std::cosh(x))
KILN_UNARY_FOLD(AsinhOp, std::asinh(x))
KILN_UNARY_FOLD(AcoshOp, std::acosh(x))
KILN_UNARY_FOLD(AtanhOp, std::atanh(x))
KILN_UNARY_FOLD(RoundOp, std::nearbyint(x))
#undef KILN_UNARY_FOLD

/// Neg and Abs also fold signed integers (shape arithmetic such as
/// -axis), while their values are exact as doubles.
static Attribute foldSignedUnary(Attribute operand, Type resultType,
                                 double (*fn)(double)) {
  auto type = dyn_cast<RankedTensorType>(resultType);
  if (!type || !type.getElementType().isSignlessInteger() ||
      type.getElementType().isInteger(1))
    return foldUnaryFloat(operand, resultType, fn);
  auto hv = operand ? readConstant(operand) : std::nullopt;
  if (!hv)
    return {};
  for (double &v : hv->data) {
    if (std::fabs(v) > 0x1p52)
      return {};
    v = fn(v);
  }
  return writeConstant(type, hv->data);
}

OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  return foldSignedUnary(adaptor.getInput(), getType(),
                         [](double x) { return -x; });
}

OpFoldResult AbsOp::fold(FoldAdaptor adaptor) {
  return foldSignedUnary(adaptor.getInput(), getType(),
                         [](double x) { return std::fabs(x); });
}

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

/// A binary op's result: the broadcast shape, the lhs element type.
static LogicalResult inferBroadcast(std::optional<Location> loc, Value lhs,
                                    Value rhs,
                                    SmallVectorImpl<Type> &inferred) {
  return inferBroadcastType(
      loc, lhs, rhs, cast<RankedTensorType>(lhs.getType()).getElementType(),
      inferred);
}

#define KILN_BINARY_INFER(OP)                                                  \
  LogicalResult OP::inferReturnTypes(MLIRContext *, std::optional<Location> l, \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &inferred) {        \
    return inferBroadcast(l, adaptor.getLhs(), adaptor.getRhs(), inferred);    \
  }

#define KILN_BINARY(OP, EXPR)                                                  \
  KILN_BINARY_INFER(OP)                                                        \
  OpFoldResult OP::fold(FoldAdaptor adaptor) {                                 \
    return foldBinary(adaptor.getLhs(), adaptor.getRhs(), getType(),          \
                      [](double a, double b) { return EXPR; });                \
  }
KILN_BINARY(AddOp, a + b)
KILN_BINARY(SubOp, a - b)
KILN_BINARY(MulOp, a *b)

KILN_BINARY(PowOp, std::pow(a, b))
KILN_BINARY(MaxOp, std::max(a, b))
KILN_BINARY(MinOp, std::min(a, b))
KILN_BINARY(Atan2Op, std::atan2(a, b))
#undef KILN_BINARY

/// The remainder with the divisor's sign (Python's %).
static double floorMod(double a, double b) {
  double r = std::fmod(a, b);
  return r != 0 && ((r < 0) != (b < 0)) ? r + b : r;
}

/// Integer division by zero has no value: div, floor_div, floor_mod and
/// rem by a constant zero stay unfolded (the lowering gives 0 there).
#define KILN_DIVISION(OP, EXPR)                                                \
  KILN_BINARY_INFER(OP)                                                        \
  OpFoldResult OP::fold(FoldAdaptor adaptor) {                                 \
    if (auto divisors = readIntConstant(adaptor.getRhs()))                     \
      if (llvm::is_contained(*divisors, 0))                                    \
        return {};                                                             \
    return foldBinary(adaptor.getLhs(), adaptor.getRhs(), getType(),          \
                      [](double a, double b) { return EXPR; });                \
  }
KILN_DIVISION(DivOp, a / b)
KILN_DIVISION(FloorDivOp, std::floor(a / b))
KILN_DIVISION(FloorModOp, floorMod(a, b))
KILN_DIVISION(RemOp, std::fmod(a, b))
#undef KILN_DIVISION
#undef KILN_BINARY_INFER

} // namespace kiln
