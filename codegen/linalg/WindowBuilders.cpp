//===- WindowBuilders.cpp - convolution and pooling loop nests ------------===//
//
// See WindowBuilders.h.
//
//===----------------------------------------------------------------------===//

#include "codegen/linalg/WindowBuilders.h"
#include "codegen/linalg/LoweringUtils.h"
#include "ir/ConstantData.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Matchers.h"

#include <limits>

using namespace mlir;

namespace kiln {

/// Input row/column expression: out * stride + k * dilation.
static AffineExpr windowExpr(OpBuilder &b, unsigned outDim, unsigned kDim,
                             int64_t stride, int64_t dilation) {
  return b.getAffineDimExpr(outDim) * stride + b.getAffineDimExpr(kDim) * dilation;
}

/// Loop dims of the window generics, outermost first. kw is innermost so
/// that LLVM unrolls it and vectorizes the ow loop; with stride 2 the kw
/// taps then form one interleaved access group (shuffles, not gathers).
enum WindowDim : unsigned { N, C, KH, OH, OW, KW };

/// A generic over (n, c, kh, oh, ow, kw) reducing kh and kw into `init`.
static Value windowGeneric(OpBuilder &b, Location loc, ValueRange inputs,
                           ArrayRef<AffineMap> inputMaps, Value init,
                           RankedTensorType rt, ScalarFn combine) {
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(AffineMap::get(6, 0,
                                {b.getAffineDimExpr(N), b.getAffineDimExpr(C),
                                 b.getAffineDimExpr(OH), b.getAffineDimExpr(OW)},
                                ctx));
  using IT = utils::IteratorType;
  SmallVector<IT> iters = {IT::parallel, IT::parallel, IT::reduction,
                           IT::parallel, IT::parallel, IT::reduction};
  return linalg::GenericOp::create(
             b, loc, rt, inputs, init, maps, iters,
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               linalg::YieldOp::create(nb, nl, combine(nb, nl, args));
             })
      .getResult(0);
}

SmallVector<OpFoldResult> windowResultSizes(OpBuilder &b, Location loc,
                                            Value input, RankedTensorType rt,
                                            ArrayRef<int64_t> spatial,
                                            const Window &w,
                                            ArrayRef<int64_t> pads) {
  SmallVector<OpFoldResult> sizes;
  for (int64_t d = 0; d < rt.getRank(); ++d)
    sizes.push_back(b.getIndexAttr(rt.getDimSize(d)));
  sizes[0] = tensor::getMixedSize(b, loc, input, 0);
  int64_t kernel[2] = {w.kh, w.kw};
  for (int i = 0; i < 2; ++i) {
    int64_t d = spatial[i];
    if (!rt.isDynamicDim(d))
      continue;
    // (in - span) / stride + 1 over the padded input, whose dim must hold
    // one window (else the run stops with a shape error).
    int64_t span = w.dilations[i] * (kernel[i] - 1) + 1;
    Value in = tensor::DimOp::create(b, loc, input, d);
    if (!pads.empty() && pads[i] + pads[i + 2] != 0)
      in = arith::AddIOp::create(
          b, loc, in,
          arith::ConstantIndexOp::create(b, loc, pads[i] + pads[i + 2]));
    Value spanV = arith::ConstantIndexOp::create(b, loc, span);
    checkDimAtLeast(b, loc, in, spanV);
    Value room = arith::SubIOp::create(b, loc, in, spanV);
    Value steps = arith::DivUIOp::create(
        b, loc, room, arith::ConstantIndexOp::create(b, loc, w.strides[i]));
    sizes[d] = arith::AddIOp::create(b, loc, steps,
                                     arith::ConstantIndexOp::create(b, loc, 1))
                   .getResult();
  }
  return sizes;
}

static AffineMap windowInputMap(OpBuilder &b, const Window &w) {
  return AffineMap::get(6, 0,
                        {b.getAffineDimExpr(N), b.getAffineDimExpr(C),
                         windowExpr(b, OH, KH, w.strides[0], w.dilations[0]),
                         windowExpr(b, OW, KW, w.strides[1], w.dilations[1])},
                        b.getContext());
}

Value buildDepthwiseConv(OpBuilder &b, Location loc, Value input, Value filter,
                         RankedTensorType rt, const Window &w) {
  AffineMap filterMap = AffineMap::get(
      6, 0, {b.getAffineDimExpr(C), b.getAffineDimExpr(KH), b.getAffineDimExpr(KW)},
      b.getContext());
  return windowGeneric(
      b, loc, ValueRange{input, filter}, {windowInputMap(b, w), filterMap},
      buildFilled(b, loc, rt, 0.0, windowResultSizes(b, loc, input, rt, {2, 3}, w)),
      rt, [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        Value p = arith::MulFOp::create(nb, nl, a[0], a[1]);
        return arith::AddFOp::create(nb, nl, a[2], p);
      });
}

Value buildPooling(OpBuilder &b, Location loc, Value input,
                   RankedTensorType rt, const Window &w, bool isMax) {
  double init = isMax ? -std::numeric_limits<double>::infinity() : 0.0;
  // linalg needs every loop dim in some operand's map on its own: an unread
  // kh x kw window operand supplies kh and kw (as in linalg's pooling ops).
  Value window = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{w.kh, w.kw},
                                         rt.getElementType());
  AffineMap windowMap = AffineMap::get(
      6, 0, {b.getAffineDimExpr(KH), b.getAffineDimExpr(KW)}, b.getContext());
  return windowGeneric(
      b, loc, ValueRange{input, window}, {windowInputMap(b, w), windowMap},
      buildFilled(b, loc, rt, init, windowResultSizes(b, loc, input, rt, {2, 3}, w)),
      rt, [isMax](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        // nsz: a window holding both zeros may give either; NaN still
        // propagates. Without it LLVM spends a sign test and two blends
        // per tap telling -0 from +0.
        if (isMax)
          return arith::MaximumFOp::create(
              nb, nl, a[2], a[0],
              arith::FastMathFlagsAttr::get(nb.getContext(),
                                            arith::FastMathFlags::nsz));
        return arith::AddFOp::create(nb, nl, a[2], a[0]);
      });
}

DenseIntElementsAttr pairAttr(OpBuilder &b, ArrayRef<int64_t> v) {
  return DenseIntElementsAttr::get(RankedTensorType::get({2}, b.getI64Type()), v);
}

LogicalResult needStaticChannels(Operation *op, const char *what,
                                 RankedTensorType it, int64_t channelDim) {
  if (it.isDynamicDim(channelDim))
    return op->emitOpError() << what << " with a dynamic channel count is "
                             << "not supported: " << it;
  return success();
}

Value padSpatial(OpBuilder &b, Location loc, Value input,
                 ArrayRef<int64_t> spatial, ArrayRef<int64_t> pads,
                 double value) {
  if (llvm::all_of(pads, [](int64_t p) { return p == 0; }))
    return input;
  auto t = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> low(t.getRank(), 0), high(t.getRank(), 0);
  SmallVector<int64_t> shape(t.getShape());
  for (int i = 0; i < 2; ++i) {
    int64_t d = spatial[i];
    low[d] = pads[i];
    high[d] = pads[i + 2];
    if (!ShapedType::isDynamic(shape[d]))
      shape[d] += low[d] + high[d];
  }
  Value pad = scalarConstant(b, loc, t.getElementType(), value);
  return tensor::PadOp::create(b, loc, RankedTensorType::get(shape, t.getElementType()),
                               input, getAsIndexOpFoldResult(b.getContext(), low),
                               getAsIndexOpFoldResult(b.getContext(), high), pad);
}

Value buildWindowCounts(OpBuilder &b, Location loc, AvgPoolOp op, int64_t h,
                        int64_t w, int64_t oh, int64_t ow) {
  ArrayRef<int64_t> k = op.getKernel(), s = op.getStrides(),
                    d = op.getDilations(), pads = op.getPads();
  std::vector<double> counts(oh * ow, double(k[0] * k[1]));
  if (!op.getCountIncludePad())
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t x = 0; x < ow; ++x) {
        int64_t n = 0;
        for (int64_t i = 0; i < k[0]; ++i)
          for (int64_t j = 0; j < k[1]; ++j) {
            int64_t iy = y * s[0] + i * d[0] - pads[0];
            int64_t ix = x * s[1] + j * d[1] - pads[1];
            n += iy >= 0 && iy < h && ix >= 0 && ix < w;
          }
        counts[y * ow + x] = double(n);
      }
  Type et = op.getType().getElementType();
  auto ct = RankedTensorType::get({oh, ow}, et);
  // Dense (not a resource blob) so the table stays readable in IR dumps.
  SmallVector<APFloat> vals;
  for (double c : counts) {
    APFloat v(c);
    bool lost;
    v.convert(cast<FloatType>(et).getFloatSemantics(),
              APFloat::rmNearestTiesToEven, &lost);
    vals.push_back(v);
  }
  return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(ct, vals));
}

Value buildDynamicWindowCounts(OpBuilder &b, Location loc, AvgPoolOp op,
                               OpFoldResult h, OpFoldResult w,
                               ArrayRef<OpFoldResult> outSizes) {
  ArrayRef<int64_t> k = op.getKernel(), pads = op.getPads();
  Type et = op.getType().getElementType();
  auto ct = RankedTensorType::get({ShapedType::kDynamic, ShapedType::kDynamic}, et);
  bool unpadded = llvm::all_of(pads, [](int64_t p) { return p == 0; });
  if (op.getCountIncludePad() || unpadded)
    return buildFilled(b, loc, ct, double(k[0] * k[1]), outSizes);
  // The number of input elements under each window: a sum pool of ones
  // padded with zeros, [OH, OW] (a small fraction of the pool's own work).
  auto onesType = RankedTensorType::get(
      {1, 1, ShapedType::kDynamic, ShapedType::kDynamic}, et);
  Value ones = buildFilled(b, loc, onesType, 1.0,
                           {b.getIndexAttr(1), b.getIndexAttr(1), h, w});
  Value padded = padSpatial(b, loc, ones, {2, 3}, pads, 0.0);
  Window window{k[0], k[1], op.getStrides(), op.getDilations()};
  Value sums = buildPooling(b, loc, padded, onesType, window, false);
  return tensor::CollapseShapeOp::create(
      b, loc, ct, sums, ArrayRef<ReassociationIndices>{{0, 1, 2}, {3}});
}

Value addChannelBias(OpBuilder &b, Location loc, Value result,
                     RankedTensorType resultType, Value bias,
                     int64_t channelDim) {
  // Right-aligned broadcasting: [C] meets the last dim as is; before it,
  // trailing unit dims carry it to the channel dim ([C, 1, 1] in NCHW).
  int64_t c = cast<RankedTensorType>(bias.getType()).getDimSize(0);
  SmallVector<int64_t> shape = {c};
  shape.append(size_t(resultType.getRank() - 1 - channelDim), 1);
  bias = buildReshape(b, loc, bias, shape);
  return buildElementwise(b, loc, resultType, ValueRange{result, bias},
                          [](OpBuilder &nb, Location l, ValueRange a) {
                            return arith::AddFOp::create(nb, l, a[0], a[1])
                                .getResult();
                          });
}

} // namespace kiln
