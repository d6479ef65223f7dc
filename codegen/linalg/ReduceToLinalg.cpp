//===- ReduceToLinalg.cpp - kiln reductions to linalg.generic -------------===//
//
// reduce_sum/max/min/prod become one reducing generic each; reduce_mean is a
// sum followed by a scaling generic; keepdims is a reshape of the result.
//
//===----------------------------------------------------------------------===//

#include "codegen/linalg/KilnToLinalg.h"
#include "codegen/linalg/LoweringUtils.h"
#include "ir/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace kiln {
namespace {

template <typename OpTy, ReduceKind Kind, bool Mean>
struct ReduceLowering : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    auto in = op.getInput().getType();
    Location loc = op.getLoc();
    Value r = buildReduction(rewriter, loc, op.getInput(), op.getAxes(), Kind);
    if constexpr (Mean) {
      // The element count: a constant, or computed from the dynamic dims.
      int64_t count = 1;
      Value dynamicCount;
      for (int64_t a : op.getAxes()) {
        if (!in.isDynamicDim(a)) {
          count *= in.getDimSize(a);
          continue;
        }
        Value d = tensor::DimOp::create(rewriter, loc, op.getInput(), a);
        dynamicCount = dynamicCount
                           ? arith::MulIOp::create(rewriter, loc, dynamicCount, d)
                           : d;
      }
      Type et = in.getElementType();
      Value divisor;
      if (dynamicCount) {
        Value n = arith::IndexCastOp::create(rewriter, loc,
                                             rewriter.getI64Type(), dynamicCount);
        divisor = arith::MulFOp::create(
            rewriter, loc, arith::SIToFPOp::create(rewriter, loc, et, n),
            scalarConstant(rewriter, loc, et, double(count)));
      }
      r = buildElementwise(rewriter, loc, cast<RankedTensorType>(r.getType()), r,
                           [&](OpBuilder &b, Location l, ValueRange a) {
                             Value c = divisor ? divisor
                                               : scalarConstant(b, l, et, double(count));
                             return arith::DivFOp::create(b, l, a[0], c).getResult();
                           });
    }
    r = buildReshape(rewriter, loc, r, llvm::to_vector(op.getType().getShape()));
    if (!r)
      return rewriter.notifyMatchFailure(op, "keepdims reshape not expressible");
    rewriter.replaceOp(op, r);
    return success();
  }
};

} // namespace

void populateReduceToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ReduceLowering<ReduceSumOp, ReduceKind::Sum, false>,
               ReduceLowering<ReduceMeanOp, ReduceKind::Sum, true>,
               ReduceLowering<ReduceMaxOp, ReduceKind::Max, false>,
               ReduceLowering<ReduceMinOp, ReduceKind::Min, false>,
               ReduceLowering<ReduceProdOp, ReduceKind::Prod, false>>(
      patterns.getContext());
}

} // namespace kiln
