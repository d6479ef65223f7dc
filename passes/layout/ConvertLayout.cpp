//===- ConvertLayout.cpp - the kiln-convert-layout pass -------------------===//
//
// Rebuilds convolutions and pooling in the target's layout: transposes of
// the operands into the target's letter order before the op, and of its
// result back into the op's output order after it. The dims move by
// letter (#kiln.layout), so any source layout works.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_KILNCONVERTLAYOUT
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

Value transposeTo(PatternRewriter &rewriter, Location loc, Value v,
                  StringRef from, StringRef to) {
  if (from == to)
    return v;
  return rewriter.createOrFold<TransposeOp>(
      loc, v, rewriter.getDenseI64ArrayAttr(LayoutAttr::permutation(from, to)));
}

template <typename OpTy>
struct ToTargetLayout : OpRewritePattern<OpTy> {
  ToTargetLayout(MLIRContext *ctx, StringRef data, StringRef filter)
      : OpRewritePattern<OpTy>(ctx), data(data), filter(filter) {}

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    LayoutAttr from = op.getLayout();
    bool hasFilter = std::is_same_v<OpTy, ConvOp>;
    if (from.getInput() == data && from.outputLetters() == data &&
        (!hasFilter || from.getFilter() == filter))
      return failure();
    Location loc = op.getLoc();
    Value input = transposeTo(rewriter, loc, op->getOperand(0),
                              from.getInput(), data);
    Value f = hasFilter ? transposeTo(rewriter, loc, op->getOperand(1),
                                      from.getFilter(), filter)
                        : Value();
    Operation *moved = rewriter.clone(*op);
    moved->setOperand(0, input);
    if (f)
      moved->setOperand(1, f);
    moved->setAttr("layout", LayoutAttr::get(op.getContext(), data, filter, ""));
    // The result's dims in target order.
    auto rt = cast<RankedTensorType>(op.getType());
    SmallVector<int64_t> shape;
    for (char c : data)
      shape.push_back(rt.getDimSize(from.outputDim(c)));
    moved->getResult(0).setType(rt.clone(shape));
    rewriter.replaceOp(op, transposeTo(rewriter, loc, moved->getResult(0), data,
                                       from.outputLetters()));
    return success();
  }

  std::string data, filter;
};

struct ConvertLayoutPass : impl::KilnConvertLayoutBase<ConvertLayoutPass> {
  using Base::Base;
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    if (failed(LayoutAttr::verifyInvariants(
            [&] { return getOperation().emitError(); }, data, filter, ""))) {
      return signalPassFailure();
    }
    RewritePatternSet patterns(ctx);
    patterns.add<ToTargetLayout<ConvOp>, ToTargetLayout<MaxPoolOp>,
                 ToTargetLayout<AvgPoolOp>>(ctx, data, filter);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
/// A depthwise convolution's CPU lowering vectorizes along the innermost
/// dim: in NCHW that is an image row (7 or 14 wide in MobileNet's late
/// layers, mostly vector remainder), in NHWC the channels (hundreds). NHWC
/// 1x1 convolutions are also plain matmuls with no transposes. NCHW keeps
/// the dense CNNs, whose 3x3 convolutions read their im2col rows straight
/// from the NCHW image; and NHWC convolutions become matmuls only for a
/// static batch of 1.
std::string chooseCpuLayout(ModuleOp module) {
  bool depthwise = false, staticBatch1 = true;
  module.walk([&](ConvOp op) {
    auto it = cast<RankedTensorType>(op.getInput().getType());
    auto ft = cast<RankedTensorType>(op.getFilter().getType());
    LayoutAttr layout = op.getLayout();
    int64_t n = layout.inputDim('N'), i = layout.filterDim('I');
    if (!it.hasStaticShape() || n < 0 || it.getDimSize(n) != 1)
      staticBatch1 = false;
    if (op.getGroup() > 1 && i >= 0 && !ft.isDynamicDim(i) &&
        ft.getDimSize(i) == 1)
      depthwise = true;
  });
  return depthwise && staticBatch1 ? "NHWC" : "NCHW";
}

} // namespace kiln
