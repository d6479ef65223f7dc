//===- BitwiseToLinalg.cpp - bitwise ops and bitcast to linalg.generic ----===//
//
// Each op becomes one elementwise linalg.generic on signless integers: an
// unsigned element is cast to the signless integer of its width as it is
// read and back as it is written, as the other elementwise lowerings do.
//
//===----------------------------------------------------------------------===//

#include "codegen/linalg/KilnToLinalg.h"
#include "codegen/linalg/LoweringUtils.h"
#include "ir/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;

namespace kiln {
namespace {

/// `v` as the signless type of its width (unsigned integers), else `v`.
Value bitsOf(OpBuilder &b, Location loc, Value v) {
  Type t = v.getType();
  return t.isUnsignedInteger()
             ? retype(b, loc, v, b.getIntegerType(t.getIntOrFloatBitWidth()))
             : v;
}

enum class Bitwise { And, Or, Xor, Shl, Shr };

/// One element of a bitwise op on the signless `x` and `y`.
Value bitwiseScalar(OpBuilder &b, Location loc, Bitwise k, Value x, Value y,
                    bool isUnsigned) {
  switch (k) {
  case Bitwise::And: return arith::AndIOp::create(b, loc, x, y);
  case Bitwise::Or: return arith::OrIOp::create(b, loc, x, y);
  case Bitwise::Xor: return arith::XOrIOp::create(b, loc, x, y);
  default: break;
  }
  // arith's shifts are poison past the width; ONNX gives 0 (or, shifting a
  // negative number right, -1). As unsigned, a negative count is past too.
  unsigned w = x.getType().getIntOrFloatBitWidth();
  Value width = arith::ConstantIntOp::create(b, loc, x.getType(), w);
  Value inRange =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, y, width);
  Value zero = arith::ConstantIntOp::create(b, loc, x.getType(), 0);
  Value safe = arith::SelectOp::create(b, loc, inRange, y, zero);
  if (k == Bitwise::Shl)
    return arith::SelectOp::create(
        b, loc, inRange, arith::ShLIOp::create(b, loc, x, safe), zero);
  if (isUnsigned)
    return arith::SelectOp::create(
        b, loc, inRange, arith::ShRUIOp::create(b, loc, x, safe), zero);
  Value fill = arith::ShRSIOp::create(
      b, loc, x, arith::ConstantIntOp::create(b, loc, x.getType(), w - 1));
  return arith::SelectOp::create(
      b, loc, inRange, arith::ShRSIOp::create(b, loc, x, safe), fill);
}

template <typename OpTy, Bitwise K>
struct BitwiseLowering : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Type et = op.getType().getElementType();
    Value r = buildElementwise(
        rewriter, op.getLoc(), op.getType(), ValueRange{op.getLhs(), op.getRhs()},
        [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
          Value v = bitwiseScalar(b, loc, K, bitsOf(b, loc, a[0]),
                                  bitsOf(b, loc, a[1]), et.isUnsignedInteger());
          return retype(b, loc, v, et);
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct BitNotLowering : OpRewritePattern<BitNotOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BitNotOp op,
                                PatternRewriter &rewriter) const override {
    Type et = op.getType().getElementType();
    Value r = buildElementwise(
        rewriter, op.getLoc(), op.getType(), op.getInput(),
        [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
          Value x = bitsOf(b, loc, a[0]);
          Value ones = arith::ConstantIntOp::create(b, loc, x.getType(), -1);
          return retype(b, loc, arith::XOrIOp::create(b, loc, x, ones), et);
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct BitcastLowering : OpRewritePattern<BitcastOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BitcastOp op,
                                PatternRewriter &rewriter) const override {
    Type et = op.getType().getElementType();
    Type from = op.getInput().getType().getElementType();
    if (from.getIntOrFloatBitWidth() < 8 || et.getIntOrFloatBitWidth() < 8)
      return rewriter.notifyMatchFailure(op, "sub-byte types have no bitcast");
    Value r = buildElementwise(
        rewriter, op.getLoc(), op.getType(), op.getInput(),
        [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
          Type st = et.isUnsignedInteger()
                        ? b.getIntegerType(et.getIntOrFloatBitWidth())
                        : et;
          Value v = arith::BitcastOp::create(b, loc, st, bitsOf(b, loc, a[0]));
          return retype(b, loc, v, et);
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

} // namespace

void populateBitwiseToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<BitwiseLowering<BitAndOp, Bitwise::And>,
               BitwiseLowering<BitOrOp, Bitwise::Or>,
               BitwiseLowering<BitXorOp, Bitwise::Xor>,
               BitwiseLowering<ShiftLeftOp, Bitwise::Shl>,
               BitwiseLowering<ShiftRightOp, Bitwise::Shr>, BitNotLowering,
               BitcastLowering>(patterns.getContext());
}

} // namespace kiln
