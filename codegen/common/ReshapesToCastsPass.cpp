//===- ReshapesToCastsPass.cpp - kiln-reshapes-to-casts -------------------===//
//
// Rewrites memref.expand_shape ops that have a group with several dynamic
// dims, and (with `collapse-shapes`) every memref.collapse_shape, on
// identity-layout buffers as memref.reinterpret_cast (see Passes.td for
// why).
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_KILNRESHAPESTOCASTS
#include "codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// a * b, folded when both are constants.
OpFoldResult multiply(PatternRewriter &rewriter, Location loc, OpFoldResult a,
                      OpFoldResult b) {
  std::optional<int64_t> x = getConstantIntValue(a);
  std::optional<int64_t> y = getConstantIntValue(b);
  if (x && y)
    return rewriter.getIndexAttr(*x * *y);
  return arith::MulIOp::create(rewriter, loc,
                               getValueOrCreateConstantIndexOp(rewriter, loc, a),
                               getValueOrCreateConstantIndexOp(rewriter, loc, b))
      .getResult();
}

/// Replaces `op`, a reshape of the dense buffer `source`, by a
/// reinterpret_cast of it to `sizes` with row-major (suffix-product) strides.
void replaceByCast(PatternRewriter &rewriter, Operation *op, MemRefType type,
                   Value source, ArrayRef<OpFoldResult> sizes) {
  SmallVector<OpFoldResult> strides(sizes.size());
  OpFoldResult stride = rewriter.getIndexAttr(1);
  for (int64_t d = int64_t(sizes.size()) - 1; d >= 0; --d) {
    strides[d] = stride;
    stride = multiply(rewriter, op->getLoc(), stride, sizes[d]);
  }
  rewriter.replaceOpWithNewOp<memref::ReinterpretCastOp>(
      op, type, source, rewriter.getIndexAttr(0), sizes, strides);
}

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
    replaceByCast(rewriter, op, op.getResultType(), op.getSrc(),
                  op.getMixedOutputShape());
    return success();
  }
};

struct CollapseShapeToCast : OpRewritePattern<memref::CollapseShapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(memref::CollapseShapeOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getSrcType().getLayout().isIdentity() ||
        !op.getResultType().getLayout().isIdentity())
      return rewriter.notifyMatchFailure(op, "not a dense collapse");
    Location loc = op.getLoc();
    SmallVector<OpFoldResult> sizes;
    for (const ReassociationIndices &group : op.getReassociationIndices()) {
      OpFoldResult size = rewriter.getIndexAttr(1);
      for (int64_t d : group)
        size = multiply(rewriter, loc, size,
                        memref::getMixedSize(rewriter, loc, op.getSrc(), d));
      sizes.push_back(size);
    }
    replaceByCast(rewriter, op, op.getResultType(), op.getSrc(), sizes);
    return success();
  }
};

struct ReshapesToCastsPass
    : impl::KilnReshapesToCastsBase<ReshapesToCastsPass> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ExpandShapeToCast>(&getContext());
    if (collapseShapes)
      patterns.add<CollapseShapeToCast>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace kiln
