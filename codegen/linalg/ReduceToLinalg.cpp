//===- ReduceToLinalg.cpp - kiln reductions to linalg.generic -------------===//
//
// reduce_sum / reduce_max become one reducing generic each; reduce_mean is a
// sum followed by a scaling generic; keepdims is a reshape of the result.
//
//===----------------------------------------------------------------------===//

#include "codegen/linalg/KilnToLinalg.h"
#include "codegen/linalg/LoweringUtils.h"
#include "ir/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;

namespace kiln {
namespace {

template <typename OpTy, ReduceKind Kind, bool Mean>
struct ReduceLowering : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    auto in = op.getInput().getType();
    if (!in.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes not supported");
    Location loc = op.getLoc();
    Value r = buildReduction(rewriter, loc, op.getInput(), op.getAxes(), Kind);
    if constexpr (Mean) {
      int64_t count = 1;
      for (int64_t a : op.getAxes())
        count *= in.getDimSize(a);
      Type et = in.getElementType();
      r = buildElementwise(rewriter, loc, cast<RankedTensorType>(r.getType()), r,
                           [&](OpBuilder &b, Location l, ValueRange a) {
                             Value c = scalarConstant(b, l, et, double(count));
                             return arith::DivFOp::create(b, l, a[0], c).getResult();
                           });
    }
    r = buildReshape(rewriter, loc, r, llvm::to_vector(op.getType().getShape()));
    rewriter.replaceOp(op, r);
    return success();
  }
};

} // namespace

void populateReduceToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ReduceLowering<ReduceSumOp, ReduceKind::Sum, false>,
               ReduceLowering<ReduceMeanOp, ReduceKind::Sum, true>,
               ReduceLowering<ReduceMaxOp, ReduceKind::Max, false>>(
      patterns.getContext());
}

} // namespace kiln
