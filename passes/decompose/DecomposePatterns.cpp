//===- DecomposePatterns.cpp - normalizations and softmax as primitives ---===//
//
// batch_norm -> x * a + b with a = scale / sqrt(var + eps) and
// b = bias - mean * a (both fold to constants for inference graphs);
// layer_norm -> mean/variance reductions and elementwise ops;
// softmax -> max-subtracted exp divided by its sum (numerically stable).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

using namespace mlir;

namespace kiln {
namespace {

/// A rank-0 constant of the element type of `like`.
Value scalarLike(PatternRewriter &rewriter, Location loc, Value like,
                 double value) {
  auto et = cast<RankedTensorType>(like.getType()).getElementType();
  auto type = RankedTensorType::get({}, et);
  return ConstantOp::create(rewriter, loc,
                            DenseElementsAttr::get(type, rewriter.getFloatAttr(et, value)));
}

struct DecomposeBatchNorm : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    Value eps = scalarLike(rewriter, loc, op.getInput(),
                           op.getEpsilon().convertToDouble());
    Value std = rewriter.createOrFold<SqrtOp>(
        loc, rewriter.createOrFold<AddOp>(loc, op.getVariance(), eps));
    Value a = rewriter.createOrFold<DivOp>(loc, op.getScale(), std);
    Value b = rewriter.createOrFold<SubOp>(
        loc, op.getBias(), rewriter.createOrFold<MulOp>(loc, op.getMean(), a));
    int64_t channel = op.getLayout().inputDim('C');
    if (channel != type.getRank() - 1) {
      // The coefficients broadcast as C x 1 x ... x 1 up to the last dim.
      SmallVector<int64_t> shape(type.getRank() - channel, 1);
      shape[0] = type.getDimSize(channel);
      auto ct = RankedTensorType::get(shape, type.getElementType());
      a = rewriter.createOrFold<ReshapeOp>(loc, ct, a);
      b = rewriter.createOrFold<ReshapeOp>(loc, ct, b);
    }
    Value y = rewriter.createOrFold<AddOp>(
        loc, rewriter.createOrFold<MulOp>(loc, op.getInput(), a), b);
    rewriter.replaceOp(op, y);
    return success();
  }
};

struct DecomposeLayerNorm : OpRewritePattern<LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LayerNormOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getInput();
    SmallVector<int64_t> axes;
    for (int64_t d = op.getAxis(); d < op.getType().getRank(); ++d)
      axes.push_back(d);
    auto axesAttr = rewriter.getDenseI64ArrayAttr(axes);
    auto keep = rewriter.getBoolAttr(true);
    Value mean = ReduceMeanOp::create(rewriter, loc, x, axesAttr, keep);
    Value d = SubOp::create(rewriter, loc, x, mean);
    Value var = ReduceMeanOp::create(rewriter, loc,
                                     MulOp::create(rewriter, loc, d, d), axesAttr,
                                     keep);
    Value eps = scalarLike(rewriter, loc, x, op.getEpsilon().convertToDouble());
    Value inv = ReciprocalOp::create(
        rewriter, loc, SqrtOp::create(rewriter, loc, AddOp::create(rewriter, loc, var, eps)));
    Value y = MulOp::create(rewriter, loc, d, inv);
    y = MulOp::create(rewriter, loc, y, op.getScale());
    y = AddOp::create(rewriter, loc, y, op.getBias());
    rewriter.replaceOp(op, y);
    return success();
  }
};

struct DecomposeSoftmax : OpRewritePattern<SoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto axes = rewriter.getDenseI64ArrayAttr({op.getAxis()});
    auto keep = rewriter.getBoolAttr(true);
    Value x = op.getInput();
    Value m = ReduceMaxOp::create(rewriter, loc, x, axes, keep);
    Value e = ExpOp::create(rewriter, loc, SubOp::create(rewriter, loc, x, m));
    Value s = ReduceSumOp::create(rewriter, loc, e, axes, keep);
    rewriter.replaceOp(op, DivOp::create(rewriter, loc, e, s).getResult());
    return success();
  }
};

} // namespace

void populateDecomposePatterns(RewritePatternSet &patterns) {
  patterns.add<DecomposeBatchNorm, DecomposeLayerNorm, DecomposeSoftmax>(
      patterns.getContext());
}

} // namespace kiln
