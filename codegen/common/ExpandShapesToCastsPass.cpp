//===- ExpandShapesToCastsPass.cpp - kiln-expand-shapes-to-casts ------===//
//
// Rewrites memref.expand_shape ops that have a group with several dynamic
// dims, on identity-layout buffers, as memref.reinterpret_cast (see
// Passes.td for why).
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_KILNEXPANDSHAPESTOCASTS
#include "codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// True when some reassociation group of `op` has two or more dynamic dims.
bool hasMultiDynamicGroup(memref::ExpandShapeOp op) {
  MemRefType type = op.getResultType();
  for (const ReassociationIndices &group : op.getReassociationIndices())
    if (llvm::count_if(group, [&](int64_t d) { return type.isDynamicDim(d); }) >
        1)
      return true;
  return false;
}

struct ExpandShapeToCast : OpRewritePattern<memref::ExpandShapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(memref::ExpandShapeOp op,
                                PatternRewriter &rewriter) const override {
    if (!hasMultiDynamicGroup(op) ||
        !op.getSrcType().getLayout().isIdentity() ||
        !op.getResultType().getLayout().isIdentity())
      return rewriter.notifyMatchFailure(op, "not a dense dynamic expand");
    Location loc = op.getLoc();
    SmallVector<OpFoldResult> sizes = op.getMixedOutputShape();
    SmallVector<OpFoldResult> strides(sizes.size());
    OpFoldResult stride = rewriter.getIndexAttr(1);
    for (int64_t d = int64_t(sizes.size()) - 1; d >= 0; --d) {
      strides[d] = stride;
      std::optional<int64_t> a = getConstantIntValue(stride);
      std::optional<int64_t> b = getConstantIntValue(sizes[d]);
      stride = a && b ? OpFoldResult(rewriter.getIndexAttr(*a * *b))
                      : OpFoldResult(arith::MulIOp::create(
                                         rewriter, loc,
                                         getValueOrCreateConstantIndexOp(
                                             rewriter, loc, stride),
                                         getValueOrCreateConstantIndexOp(
                                             rewriter, loc, sizes[d]))
                                         .getResult());
    }
    rewriter.replaceOpWithNewOp<memref::ReinterpretCastOp>(
        op, op.getResultType(), op.getSrc(), rewriter.getIndexAttr(0), sizes,
        strides);
    return success();
  }
};

struct ExpandShapesToCastsPass
    : impl::KilnExpandShapesToCastsBase<ExpandShapesToCastsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ExpandShapeToCast>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace kiln
