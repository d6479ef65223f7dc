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
/// Whether `v` (rank 4 or more) has two or more dims past the first that
/// are not 1: reshaping or transposing it moves pixels or channels (a
/// channel shuffle), which is written for one layout, unlike a flatten of a
/// pooled [N, C, 1, 1].
static bool movesPixelsOrChannels(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  if (!t || t.getRank() < 4)
    return false;
  return llvm::count_if(t.getShape().drop_front(),
                        [](int64_t d) { return d != 1; }) >= 2;
}

/// NHWC for a CNN with a static batch of 1, NCHW otherwise. In NHWC the CPU
/// computes every convolution as a pixels x channels matmul on the filter
/// packed at compile time, with no transposes: 1x1 convolutions on the
/// image as it is, stride-1 windows reading their rows from the padded
/// image, and a depthwise convolution vectorizes along the channels
/// (hundreds) instead of an image row (7 or 14 wide in MobileNet's late
/// layers). Measured against NCHW at one thread: ResNet-50 0.89x the time,
/// GoogLeNet 0.83x, Inception-v3 0.86x, DenseNet-121 0.93x, ResNet-18
/// equal, VGG-11 and SqueezeNet 1.0 1.05x. NCHW stays for grouped
/// convolutions that are not depthwise (their NHWC form is not lowered),
/// for graphs that reshape or transpose feature maps (ShuffleNetV2's
/// channel shuffles, each then a pair of layout transposes: 2.2x the time
/// in NHWC), and for a dynamic or larger batch (NHWC convolutions become
/// matmuls only at batch 1).
std::string chooseCpuLayout(ModuleOp module) {
  bool convs = false, nchwOnly = false;
  module.walk([&](Operation *op) {
    if (isa<ReshapeOp, TransposeOp>(op) && op->getNumOperands() > 0 &&
        movesPixelsOrChannels(op->getOperand(0)))
      nchwOnly = true;
    auto conv = dyn_cast<ConvOp>(op);
    if (!conv)
      return;
    convs = true;
    auto it = cast<RankedTensorType>(conv.getInput().getType());
    auto ft = cast<RankedTensorType>(conv.getFilter().getType());
    LayoutAttr layout = conv.getLayout();
    int64_t n = layout.inputDim('N'), i = layout.filterDim('I');
    if (!it.hasStaticShape() || n < 0 || it.getDimSize(n) != 1)
      nchwOnly = true;
    bool depthwise = i >= 0 && !ft.isDynamicDim(i) && ft.getDimSize(i) == 1;
    if (conv.getGroup() > 1 && !depthwise)
      nchwOnly = true;
  });
  return convs && !nchwOnly ? "NHWC" : "NCHW";
}

} // namespace kiln
