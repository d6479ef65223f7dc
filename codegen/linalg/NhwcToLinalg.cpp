//===- NhwcToLinalg.cpp - NHWC convolutions and pooling to linalg ---------===//
//
// TensorFlow's layout lowered as it is: NHWC data with an HWIO filter
// becomes linalg.conv_2d_nhwc_hwcf (depthwise: depthwise_conv_2d_nhwc_hwcm),
// pooling linalg.pooling_nhwc_max / _sum. Targets that compute in NCHW
// (the CPU) never see these ops: kiln-convert-layout rewrites them first.
//
//===----------------------------------------------------------------------===//

#include "codegen/linalg/KilnToLinalg.h"
#include "codegen/linalg/LoweringUtils.h"
#include "codegen/linalg/WindowBuilders.h"
#include "ir/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <limits>

using namespace mlir;

namespace kiln {
namespace {

struct ConvNhwcLowering : OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getLayout().isNHWC())
      return rewriter.notifyMatchFailure(op, "not NHWC/HWIO");
    auto rt = op.getType(), it = op.getInput().getType();
    auto ft = op.getFilter().getType();
    if (failed(needStaticChannels(op, "convolution", it, 3)))
      return failure();
    Location loc = op.getLoc();
    Type et = rt.getElementType();
    int64_t g = op.getGroup(), kh = ft.getDimSize(0), kw = ft.getDimSize(1);
    int64_t c = ft.getDimSize(2), f = ft.getDimSize(3);
    Value x = padSpatial(rewriter, loc, op.getInput(), {1, 2}, op.getPads(), 0.0);
    Window w{kh, kw, op.getStrides(), op.getDilations()};
    SmallVector<OpFoldResult> sizes =
        windowResultSizes(rewriter, loc, x, rt, {1, 2}, w);
    auto strides = pairAttr(rewriter, op.getStrides());
    auto dilations = pairAttr(rewriter, op.getDilations());
    Value result;
    if (g == 1) {
      result = linalg::Conv2DNhwcHwcfOp::create(
                   rewriter, loc, TypeRange{rt}, ValueRange{x, op.getFilter()},
                   ValueRange{buildFilled(rewriter, loc, rt, 0.0, sizes)},
                   strides, dilations)
                   .getResult(0);
    } else if (c == 1 && f % g == 0) {
      // Depthwise: the H x W x 1 x (C*M) filter is H x W x C x M.
      int64_t m = f / g;
      Value filter = buildReshape(rewriter, loc, op.getFilter(), {kh, kw, g, m});
      auto dt = RankedTensorType::get(
          {rt.getDimSize(0), rt.getDimSize(1), rt.getDimSize(2), g, m}, et);
      SmallVector<OpFoldResult> dsizes(sizes.begin(), sizes.end() - 1);
      dsizes.append({rewriter.getIndexAttr(g), rewriter.getIndexAttr(m)});
      result = linalg::DepthwiseConv2DNhwcHwcmOp::create(
                   rewriter, loc, TypeRange{dt}, ValueRange{x, filter},
                   ValueRange{buildFilled(rewriter, loc, dt, 0.0, dsizes)},
                   strides, dilations)
                   .getResult(0);
      result = buildReshape(rewriter, loc, result, llvm::to_vector(rt.getShape()),
                            sizes);
    } else {
      return op.emitOpError() << "grouped NHWC convolutions (group " << g
                              << ") lower through kiln-convert-layout only";
    }
    if (Value bias = op.getBias())
      result = addChannelBias(rewriter, loc, result, rt, bias, 3);
    rewriter.replaceOp(op, result);
    return success();
  }
};

template <typename OpTy, bool IsMax>
struct PoolNhwcLowering : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (!op.getLayout().isNHWC())
      return rewriter.notifyMatchFailure(op, "not NHWC");
    auto rt = op.getType(), it = op.getInput().getType();
    if (failed(needStaticChannels(op, "pooling", it, 3)))
      return failure();
    Location loc = op.getLoc();
    Type et = rt.getElementType();
    double init = IsMax ? -std::numeric_limits<double>::infinity() : 0.0;
    Value x = padSpatial(rewriter, loc, op.getInput(), {1, 2}, op.getPads(), init);
    ArrayRef<int64_t> k = op.getKernel();
    Window w{k[0], k[1], op.getStrides(), op.getDilations()};
    SmallVector<OpFoldResult> sizes =
        windowResultSizes(rewriter, loc, x, rt, {1, 2}, w);
    // The window operand only gives the loops their kh x kw extent.
    Value window = tensor::EmptyOp::create(rewriter, loc, k, et);
    Value acc = buildFilled(rewriter, loc, rt, init, sizes);
    auto strides = pairAttr(rewriter, op.getStrides());
    auto dilations = pairAttr(rewriter, op.getDilations());
    Value result;
    if constexpr (IsMax) {
      result = linalg::PoolingNhwcMaxOp::create(rewriter, loc, TypeRange{rt},
                                                ValueRange{x, window},
                                                ValueRange{acc}, strides, dilations)
                   .getResult(0);
    } else {
      result = linalg::PoolingNhwcSumOp::create(rewriter, loc, TypeRange{rt},
                                                ValueRange{x, window},
                                                ValueRange{acc}, strides, dilations)
                   .getResult(0);
      // The [OH, OW] divisors, as [OH, OW, 1] to broadcast over C.
      int64_t oh = rt.getDimSize(1), ow = rt.getDimSize(2);
      Value counts;
      if (!ShapedType::isDynamic(oh) && !ShapedType::isDynamic(ow)) {
        counts = buildWindowCounts(rewriter, loc, op, it.getDimSize(1),
                                   it.getDimSize(2), oh, ow);
      } else {
        SmallVector<OpFoldResult> in = dimSizes(rewriter, loc, op.getInput());
        counts = buildDynamicWindowCounts(rewriter, loc, op, in[1], in[2],
                                          {sizes[1], sizes[2]});
      }
      counts = buildReshape(rewriter, loc, counts, {oh, ow, 1},
                            {sizes[1], sizes[2], rewriter.getIndexAttr(1)});
      result = buildElementwise(rewriter, loc, rt, ValueRange{result, counts},
                                [](OpBuilder &b, Location l, ValueRange a) {
                                  return arith::DivFOp::create(b, l, a[0], a[1]).getResult();
                                },
                                sizes);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateNhwcToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ConvNhwcLowering, PoolNhwcLowering<MaxPoolOp, true>,
               PoolNhwcLowering<AvgPoolOp, false>>(patterns.getContext());
}

} // namespace kiln
