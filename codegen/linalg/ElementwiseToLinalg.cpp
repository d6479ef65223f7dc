//===- ElementwiseToLinalg.cpp - kiln elementwise ops to linalg.generic ---===//
//
// Unary math, clip, cast and the broadcasting binary ops each become one
// linalg.generic whose body is arith/math on scalars; kiln.constant becomes
// arith.constant (dense_resource blobs stay blobs).
//
//===----------------------------------------------------------------------===//

#include "codegen/linalg/KilnToLinalg.h"
#include "codegen/linalg/LoweringUtils.h"
#include "codegen/linalg/NarrowFloats.h"
#include "ir/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;

namespace kiln {
namespace {

struct ConstantLowering : OpRewritePattern<ConstantOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConstantOp op,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    auto dense = dyn_cast<DenseElementsAttr>(op.getValue());
    Type et = type.getElementType();
    if (!et.isUnsignedInteger() || !dense) {
      rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, op.getValue());
      return success();
    }
    // arith.constant is signless: the same bits as a signless constant,
    // read as unsigned elements (the casts CastLowering also uses).
    Type st = IntegerType::get(op.getContext(), et.getIntOrFloatBitWidth());
    Value bits = arith::ConstantOp::create(rewriter, op.getLoc(),
                                           dense.bitcast(st));
    rewriter.replaceOp(
        op, buildElementwise(rewriter, op.getLoc(), type, bits,
                             [&](OpBuilder &b, Location l, ValueRange a) {
                               return retype(b, l, a[0], et);
                             }));
    return success();
  }
};

/// Scalar body of a unary op on element type `et`.
template <typename OpTy>
Value unaryScalar(OpBuilder &b, Location loc, Value x, Type et);

#define KILN_FLOAT_UNARY(OP, EXPR)                                             \
  template <>                                                                  \
  Value unaryScalar<OP>(OpBuilder & b, Location loc, Value x, Type et) {       \
    return EXPR;                                                               \
  }
KILN_FLOAT_UNARY(TanhOp, math::TanhOp::create(b, loc, x))
KILN_FLOAT_UNARY(ErfOp, math::ErfOp::create(b, loc, x))
KILN_FLOAT_UNARY(SqrtOp, math::SqrtOp::create(b, loc, x))
KILN_FLOAT_UNARY(ExpOp, math::ExpOp::create(b, loc, x))
KILN_FLOAT_UNARY(LogOp, math::LogOp::create(b, loc, x))
KILN_FLOAT_UNARY(FloorOp, math::FloorOp::create(b, loc, x))
KILN_FLOAT_UNARY(CeilOp, math::CeilOp::create(b, loc, x))
KILN_FLOAT_UNARY(SinOp, math::SinOp::create(b, loc, x))
KILN_FLOAT_UNARY(CosOp, math::CosOp::create(b, loc, x))
KILN_FLOAT_UNARY(TanOp, math::TanOp::create(b, loc, x))
KILN_FLOAT_UNARY(AsinOp, math::AsinOp::create(b, loc, x))
KILN_FLOAT_UNARY(AcosOp, math::AcosOp::create(b, loc, x))
KILN_FLOAT_UNARY(AtanOp, math::AtanOp::create(b, loc, x))
KILN_FLOAT_UNARY(SinhOp, math::SinhOp::create(b, loc, x))
KILN_FLOAT_UNARY(CoshOp, math::CoshOp::create(b, loc, x))
KILN_FLOAT_UNARY(AsinhOp, math::AsinhOp::create(b, loc, x))
KILN_FLOAT_UNARY(AcoshOp, math::AcoshOp::create(b, loc, x))
KILN_FLOAT_UNARY(AtanhOp, math::AtanhOp::create(b, loc, x))
KILN_FLOAT_UNARY(RoundOp, math::RoundEvenOp::create(b, loc, x))
KILN_FLOAT_UNARY(ReluOp, arith::MaximumFOp::create(
                             b, loc, x, scalarConstant(b, loc, et, 0.0)))
KILN_FLOAT_UNARY(ReciprocalOp, arith::DivFOp::create(
                                   b, loc, scalarConstant(b, loc, et, 1.0), x))
KILN_FLOAT_UNARY(SigmoidOp,
                 arith::DivFOp::create(
                     b, loc, scalarConstant(b, loc, et, 1.0),
                     arith::AddFOp::create(
                         b, loc, scalarConstant(b, loc, et, 1.0),
                         math::ExpOp::create(
                             b, loc, arith::NegFOp::create(b, loc, x)))))
#undef KILN_FLOAT_UNARY

template <>
Value unaryScalar<NegOp>(OpBuilder &b, Location loc, Value x, Type et) {
  if (isa<FloatType>(et))
    return arith::NegFOp::create(b, loc, x);
  return arith::SubIOp::create(b, loc, scalarConstant(b, loc, et, 0), x);
}
template <>
Value unaryScalar<AbsOp>(OpBuilder &b, Location loc, Value x, Type et) {
  if (isa<FloatType>(et))
    return math::AbsFOp::create(b, loc, x);
  return math::AbsIOp::create(b, loc, x);
}

template <typename OpTy>
struct UnaryLowering : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    auto type = op.getType();
    Type et = type.getElementType();
    if (!isa<FloatType>(et) && !std::is_same_v<OpTy, NegOp> &&
        !std::is_same_v<OpTy, AbsOp>)
      return rewriter.notifyMatchFailure(op, "expects a float tensor");
    Value r = buildElementwise(
        rewriter, op.getLoc(), type, op.getInput(),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          return unaryScalar<OpTy>(b, loc, args[0], et);
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct ClipLowering : OpRewritePattern<ClipOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ClipOp op,
                                PatternRewriter &rewriter) const override {
    Type et = op.getType().getElementType();
    double lo = op.getMin().convertToDouble(), hi = op.getMax().convertToDouble();
    Value r = buildElementwise(
        rewriter, op.getLoc(), op.getType(), op.getInput(),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          Value x = args[0];
          bool isFloat = isa<FloatType>(et);
          if (!std::isinf(lo))
            x = isFloat ? arith::MaximumFOp::create(b, loc, x, scalarConstant(b, loc, et, lo)).getResult()
                        : arith::MaxSIOp::create(b, loc, x, scalarConstant(b, loc, et, lo)).getResult();
          if (!std::isinf(hi))
            x = isFloat ? arith::MinimumFOp::create(b, loc, x, scalarConstant(b, loc, et, hi)).getResult()
                        : arith::MinSIOp::create(b, loc, x, scalarConstant(b, loc, et, hi)).getResult();
          return x;
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// `t` with its signedness dropped (arith computes on signless integers).
static Type signless(Type t) {
  if (auto it = dyn_cast<IntegerType>(t); it && !it.isSignless())
    return IntegerType::get(t.getContext(), it.getWidth());
  return t;
}

/// Scalar conversion between any two of Kiln's element types; `x` and the
/// result are signless, `from` and `to` say whether they are unsigned.
Value convertScalar(OpBuilder &b, Location loc, Value x, Type from, Type to) {
  if (from == to)
    return x;
  Type sto = signless(to), sfrom = signless(from);
  auto ff = dyn_cast<FloatType>(from), tf = dyn_cast<FloatType>(to);
  // Narrow floats convert through float32 (exactly when decoding).
  Type f32 = b.getF32Type();
  if (ff && isNarrowFloat(ff))
    return convertScalar(b, loc, narrowFloatToF32(b, loc, x, ff), f32, to);
  if (tf && isNarrowFloat(tf))
    return f32ToNarrowFloat(b, loc, convertScalar(b, loc, x, from, f32), tf);
  if (ff && tf)
    return ff.getWidth() < tf.getWidth()
               ? arith::ExtFOp::create(b, loc, to, x).getResult()
               : arith::TruncFOp::create(b, loc, to, x).getResult();
  bool fromUnsigned = from.isUnsignedInteger() || from.isInteger(1);
  if (tf)
    return fromUnsigned ? arith::UIToFPOp::create(b, loc, to, x).getResult()
                        : arith::SIToFPOp::create(b, loc, to, x).getResult();
  if (ff) {
    if (to.isInteger(1))
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, x,
                                   scalarConstant(b, loc, from, 0.0));
    if (to.getIntOrFloatBitWidth() < 8) // wraps, as numpy's astype does
      return arith::TruncIOp::create(
          b, loc, sto, arith::FPToSIOp::create(b, loc, b.getI32Type(), x));
    return to.isUnsignedInteger()
               ? arith::FPToUIOp::create(b, loc, sto, x).getResult()
               : arith::FPToSIOp::create(b, loc, sto, x).getResult();
  }
  unsigned fw = from.getIntOrFloatBitWidth(), tw = to.getIntOrFloatBitWidth();
  if (to.isInteger(1))
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, x,
                                 scalarConstant(b, loc, sfrom, 0));
  if (fw == tw)
    return x;
  if (fw > tw)
    return arith::TruncIOp::create(b, loc, sto, x);
  return fromUnsigned ? arith::ExtUIOp::create(b, loc, sto, x).getResult()
                      : arith::ExtSIOp::create(b, loc, sto, x).getResult();
}

/// arith ops are signless: an unsigned element is cast to the signless
/// integer of its width as it is read (and back as it is written). The
/// casts vanish when the element types are lowered to LLVM's, which has
/// only signless integers. (tensor.bitcast would say the same of whole
/// tensors, but bufferization does not take it.)
struct CastLowering : OpRewritePattern<CastOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(CastOp op,
                                PatternRewriter &rewriter) const override {
    Type from = op.getInput().getType().getElementType();
    Type to = op.getType().getElementType();
    Value r = buildElementwise(
        rewriter, op.getLoc(), op.getType(), op.getInput(),
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value x = retype(b, l, a[0], signless(from));
          return retype(b, l, convertScalar(b, l, x, from, to), to);
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

} // namespace

/// Integer division and remainder rounding towards -inf (floor) or zero;
/// division by zero would trap, so it yields 0 instead.
static Value integerDivision(OpBuilder &b, Location loc, BinKind k, Value x,
                             Value y, Type et) {
  using P = arith::CmpIPredicate;
  Value zero = scalarConstant(b, loc, et, 0);
  Value isZero = arith::CmpIOp::create(b, loc, P::eq, y, zero);
  Value safe = arith::SelectOp::create(b, loc, isZero,
                                       scalarConstant(b, loc, et, 1), y);
  Value q = arith::DivSIOp::create(b, loc, x, safe);
  Value r = arith::RemSIOp::create(b, loc, x, safe);
  Value result = k == BinKind::Rem || k == BinKind::FloorMod ? r : q;
  if (k == BinKind::FloorDiv || k == BinKind::FloorMod) {
    // A non-zero remainder whose sign differs from the divisor's moves the
    // quotient down by one and the remainder up by the divisor.
    Value rNeg = arith::CmpIOp::create(b, loc, P::slt, r, zero);
    Value yNeg = arith::CmpIOp::create(b, loc, P::slt, safe, zero);
    Value adjust = arith::AndIOp::create(
        b, loc, arith::CmpIOp::create(b, loc, P::ne, r, zero),
        arith::XOrIOp::create(b, loc, rNeg, yNeg));
    Value fixed = k == BinKind::FloorDiv
                      ? arith::SubIOp::create(b, loc, q, scalarConstant(b, loc, et, 1)).getResult()
                      : arith::AddIOp::create(b, loc, r, safe).getResult();
    result = arith::SelectOp::create(b, loc, adjust, fixed, result);
  }
  return arith::SelectOp::create(b, loc, isZero, zero, result);
}

/// Float remainder with the divisor's sign (TensorFlow's FloorMod).
static Value floatFloorMod(OpBuilder &b, Location loc, Value x, Value y,
                           Type et) {
  using P = arith::CmpFPredicate;
  Value zero = scalarConstant(b, loc, et, 0.0);
  Value r = arith::RemFOp::create(b, loc, x, y);
  Value rNeg = arith::CmpFOp::create(b, loc, P::OLT, r, zero);
  Value yNeg = arith::CmpFOp::create(b, loc, P::OLT, y, zero);
  Value adjust = arith::AndIOp::create(
      b, loc, arith::CmpFOp::create(b, loc, P::ONE, r, zero),
      arith::XOrIOp::create(b, loc, rNeg, yNeg));
  return arith::SelectOp::create(b, loc, adjust,
                                 arith::AddFOp::create(b, loc, r, y), r);
}

/// Unsigned integer arithmetic on the signless `x` and `y`: wrapping add,
/// sub, mul and pow as for signed ones, unsigned max, min, quotient and
/// remainder (floor and truncation agree); division by zero yields 0.
static Value unsignedBinary(OpBuilder &b, Location loc, BinKind k, Value x,
                            Value y, Type st) {
  switch (k) {
  case BinKind::Max: return arith::MaxUIOp::create(b, loc, x, y);
  case BinKind::Min: return arith::MinUIOp::create(b, loc, x, y);
  case BinKind::Div:
  case BinKind::FloorDiv:
  case BinKind::FloorMod:
  case BinKind::Rem: {
    Value zero = scalarConstant(b, loc, st, 0);
    Value isZero =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, y, zero);
    Value safe = arith::SelectOp::create(b, loc, isZero,
                                         scalarConstant(b, loc, st, 1), y);
    Value r = k == BinKind::Div || k == BinKind::FloorDiv
                  ? arith::DivUIOp::create(b, loc, x, safe).getResult()
                  : arith::RemUIOp::create(b, loc, x, safe).getResult();
    return arith::SelectOp::create(b, loc, isZero, zero, r);
  }
  default: return binaryScalar(b, loc, k, x, y, st);
  }
}

Value binaryScalar(OpBuilder &b, Location loc, BinKind k, Value x, Value y,
                   Type et) {
  if (et.isUnsignedInteger()) {
    // arith is signless: compute on the signless integer of this width.
    Type st = signless(et);
    Value r = unsignedBinary(b, loc, k, retype(b, loc, x, st),
                             retype(b, loc, y, st), st);
    return r ? retype(b, loc, r, et) : r;
  }
  if (isa<FloatType>(et)) {
    switch (k) {
    case BinKind::Add: return arith::AddFOp::create(b, loc, x, y);
    case BinKind::Sub: return arith::SubFOp::create(b, loc, x, y);
    case BinKind::Mul: return arith::MulFOp::create(b, loc, x, y);
    case BinKind::Div: return arith::DivFOp::create(b, loc, x, y);
    case BinKind::Pow: return math::PowFOp::create(b, loc, x, y);
    case BinKind::Max: return arith::MaximumFOp::create(b, loc, x, y);
    case BinKind::Min: return arith::MinimumFOp::create(b, loc, x, y);
    case BinKind::Atan2: return math::Atan2Op::create(b, loc, x, y);
    case BinKind::FloorDiv:
      return math::FloorOp::create(b, loc, arith::DivFOp::create(b, loc, x, y));
    case BinKind::FloorMod: return floatFloorMod(b, loc, x, y, et);
    case BinKind::Rem: return arith::RemFOp::create(b, loc, x, y);
    }
  }
  switch (k) {
  case BinKind::Add: return arith::AddIOp::create(b, loc, x, y);
  case BinKind::Sub: return arith::SubIOp::create(b, loc, x, y);
  case BinKind::Mul: return arith::MulIOp::create(b, loc, x, y);
  case BinKind::Div:
  case BinKind::FloorDiv:
  case BinKind::FloorMod:
  case BinKind::Rem: return integerDivision(b, loc, k, x, y, et);
  case BinKind::Pow: return math::IPowIOp::create(b, loc, x, y);
  case BinKind::Max: return arith::MaxSIOp::create(b, loc, x, y);
  case BinKind::Min: return arith::MinSIOp::create(b, loc, x, y);
  case BinKind::Atan2: return {};
  }
  return {};
}

namespace {

template <typename OpTy, BinKind K>
struct BinaryLowering : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    auto type = op.getType();
    Type et = type.getElementType();
    if (K == BinKind::Atan2 && !isa<FloatType>(et))
      return rewriter.notifyMatchFailure(op, "atan2 expects floats");
    Value r = buildElementwise(
        rewriter, op.getLoc(), type, ValueRange{op.getLhs(), op.getRhs()},
        [&](OpBuilder &b, Location loc, ValueRange a) {
          return binaryScalar(b, loc, K, a[0], a[1], et);
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

} // namespace

void populateElementwiseToLinalgPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ConstantLowering, ClipLowering, CastLowering,
               UnaryLowering<ReluOp>, UnaryLowering<SigmoidOp>,
               UnaryLowering<TanhOp>, UnaryLowering<ErfOp>,
               UnaryLowering<SqrtOp>, UnaryLowering<ExpOp>,
               UnaryLowering<LogOp>, UnaryLowering<NegOp>,
               UnaryLowering<AbsOp>, UnaryLowering<ReciprocalOp>,
               UnaryLowering<FloorOp>, UnaryLowering<CeilOp>,
               UnaryLowering<SinOp>, UnaryLowering<CosOp>,
               UnaryLowering<TanOp>, UnaryLowering<AsinOp>, UnaryLowering<AcosOp>, UnaryLowering<AtanOp>, UnaryLowering<SinhOp>, UnaryLowering<CoshOp>, UnaryLowering<AsinhOp>, UnaryLowering<AcoshOp>, UnaryLowering<AtanhOp>, UnaryLowering<RoundOp>,
               BinaryLowering<AddOp, BinKind::Add>,
               BinaryLowering<SubOp, BinKind::Sub>,
               BinaryLowering<MulOp, BinKind::Mul>,
               BinaryLowering<DivOp, BinKind::Div>,
               BinaryLowering<PowOp, BinKind::Pow>,
               BinaryLowering<MaxOp, BinKind::Max>,
               BinaryLowering<MinOp, BinKind::Min>,
               BinaryLowering<Atan2Op, BinKind::Atan2>,
               BinaryLowering<FloorDivOp, BinKind::FloorDiv>,
               BinaryLowering<FloorModOp, BinKind::FloorMod>,
               BinaryLowering<RemOp, BinKind::Rem>>(ctx);
}

} // namespace kiln
