//===- LogicToLinalg.cpp - comparisons, logic and select to linalg --------===//
//
// Each comparison, logical op and select becomes one broadcasting
// linalg.generic whose body is an arith compare, boolean op or select.
//
//===----------------------------------------------------------------------===//

#include "codegen/linalg/KilnToLinalg.h"
#include "codegen/linalg/LoweringUtils.h"
#include "ir/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;

namespace kiln {
namespace {

/// A comparison: the ordered float predicate (unordered for "not equal",
/// so NaN != NaN as in IEEE) and the signed integer predicate.
template <typename OpTy>
struct ComparePredicates;
#define KILN_PREDICATES(OP, F, I)                                              \
  template <>                                                                  \
  struct ComparePredicates<OP> {                                               \
    static constexpr arith::CmpFPredicate f = arith::CmpFPredicate::F;         \
    static constexpr arith::CmpIPredicate i = arith::CmpIPredicate::I;         \
  };
KILN_PREDICATES(EqualOp, OEQ, eq)
KILN_PREDICATES(NotEqualOp, UNE, ne)
KILN_PREDICATES(LessOp, OLT, slt)
KILN_PREDICATES(LessEqualOp, OLE, sle)
KILN_PREDICATES(GreaterOp, OGT, sgt)
KILN_PREDICATES(GreaterEqualOp, OGE, sge)
#undef KILN_PREDICATES

arith::CmpIPredicate unsignedPredicate(arith::CmpIPredicate p) {
  using P = arith::CmpIPredicate;
  switch (p) {
  case P::slt: return P::ult;
  case P::sle: return P::ule;
  case P::sgt: return P::ugt;
  case P::sge: return P::uge;
  default: return p;
  }
}

template <typename OpTy>
struct CompareLowering : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Type et = op.getLhs().getType().getElementType();
    Value r = buildElementwise(
        rewriter, op.getLoc(), op.getType(), ValueRange{op.getLhs(), op.getRhs()},
        [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
          if (isa<FloatType>(et))
            return arith::CmpFOp::create(b, loc, ComparePredicates<OpTy>::f,
                                         a[0], a[1]);
          if (!et.isUnsignedInteger())
            return arith::CmpIOp::create(b, loc, ComparePredicates<OpTy>::i,
                                         a[0], a[1]);
          // Unsigned: the unsigned predicate on the signless integers.
          Type st = b.getIntegerType(et.getIntOrFloatBitWidth());
          return arith::CmpIOp::create(
              b, loc, unsignedPredicate(ComparePredicates<OpTy>::i),
              retype(b, loc, a[0], st), retype(b, loc, a[1], st));
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

template <typename OpTy, typename ArithOp>
struct LogicLowering : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Value r = buildElementwise(
        rewriter, op.getLoc(), op.getType(), ValueRange{op.getLhs(), op.getRhs()},
        [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
          return ArithOp::create(b, loc, a[0], a[1]);
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct NotLowering : OpRewritePattern<NotOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(NotOp op,
                                PatternRewriter &rewriter) const override {
    Value r = buildElementwise(
        rewriter, op.getLoc(), op.getType(), op.getInput(),
        [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
          Value one = arith::ConstantIntOp::create(b, loc, 1, 1);
          return arith::XOrIOp::create(b, loc, a[0], one);
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct SelectLowering : OpRewritePattern<SelectOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SelectOp op,
                                PatternRewriter &rewriter) const override {
    Value r = buildElementwise(
        rewriter, op.getLoc(), op.getType(),
        ValueRange{op.getCond(), op.getLhs(), op.getRhs()},
        [&](OpBuilder &b, Location loc, ValueRange a) -> Value {
          return arith::SelectOp::create(b, loc, a[0], a[1], a[2]);
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

} // namespace

void populateLogicToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<CompareLowering<EqualOp>, CompareLowering<NotEqualOp>,
               CompareLowering<LessOp>, CompareLowering<LessEqualOp>,
               CompareLowering<GreaterOp>, CompareLowering<GreaterEqualOp>,
               LogicLowering<AndOp, arith::AndIOp>,
               LogicLowering<OrOp, arith::OrIOp>,
               LogicLowering<XorOp, arith::XOrIOp>, NotLowering,
               SelectLowering>(patterns.getContext());
}

} // namespace kiln
