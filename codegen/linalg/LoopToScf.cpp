//===- LoopToScf.cpp - kiln.while to scf.while ----------------------------===//
//
// kiln.while becomes scf.while over the same tensors: the cond region is
// the `before` region (its tensor<i1> is read into scf.condition, which
// forwards the variables), the body region is the `after` region. Ops in
// the regions are lowered by the other patterns of the conversion.
//
//===----------------------------------------------------------------------===//

#include "codegen/linalg/KilnToLinalg.h"
#include "ir/KilnDialect.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;

namespace kiln {
namespace {

/// `v` as `type` (a tensor.cast where the static dims differ).
Value castTo(PatternRewriter &rewriter, Location loc, Value v, Type type) {
  return v.getType() == type
             ? v
             : tensor::CastOp::create(rewriter, loc, type, v).getResult();
}

struct WhileLowering : OpRewritePattern<WhileOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(WhileOp op,
                                PatternRewriter &rewriter) const override {
    SmallVector<Value> inits;
    for (auto [v, type] : llvm::zip(op.getInits(), op.getResultTypes()))
      inits.push_back(castTo(rewriter, op.getLoc(), v, type));
    auto loop = scf::WhileOp::create(rewriter, op.getLoc(),
                                     op.getResultTypes(), inits);
    rewriter.inlineRegionBefore(op.getCond(), loop.getBefore(),
                                loop.getBefore().end());
    rewriter.inlineRegionBefore(op.getBody(), loop.getAfter(),
                                loop.getAfter().end());
    rewriter.replaceOp(op, loop.getResults());
    return success();
  }
};

/// kiln.yield inside what is now an scf.while: scf.condition in `before`,
/// scf.yield (cast back to the variables' types) in `after`.
struct YieldLowering : OpRewritePattern<YieldOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(YieldOp op,
                                PatternRewriter &rewriter) const override {
    auto loop = dyn_cast<scf::WhileOp>(op->getParentOp());
    if (!loop)
      return rewriter.notifyMatchFailure(op, "its kiln.while is not lowered yet");
    Location loc = op.getLoc();
    Block *block = op->getBlock();
    if (op->getParentRegion() == &loop.getBefore()) {
      Value flag = tensor::ExtractOp::create(rewriter, loc, op.getValues()[0],
                                             ValueRange{});
      rewriter.replaceOpWithNewOp<scf::ConditionOp>(op, flag,
                                                    block->getArguments());
      return success();
    }
    SmallVector<Value> next;
    for (auto [v, type] : llvm::zip(op.getValues(), loop.getResultTypes()))
      next.push_back(castTo(rewriter, loc, v, type));
    rewriter.replaceOpWithNewOp<scf::YieldOp>(op, next);
    return success();
  }
};

} // namespace

void populateLoopToScfPatterns(RewritePatternSet &patterns) {
  patterns.add<WhileLowering, YieldLowering>(patterns.getContext());
}

} // namespace kiln
