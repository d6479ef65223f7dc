//===- WindowBuilders.cpp - convolution and pooling loop nests ------------===//
//
// See WindowBuilders.h.
//
//===----------------------------------------------------------------------===//

#include "codegen/linalg/WindowBuilders.h"
#include "codegen/linalg/LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <limits>

using namespace mlir;

namespace kiln {

/// Input row/column expression: out * stride + k * dilation.
static AffineExpr windowExpr(OpBuilder &b, unsigned outDim, unsigned kDim,
                             int64_t stride, int64_t dilation) {
  return b.getAffineDimExpr(outDim) * stride + b.getAffineDimExpr(kDim) * dilation;
}

Value buildConvAsMatmul(OpBuilder &b, Location loc, Value input, Value filter,
                        RankedTensorType rt, const Window &w) {
  auto it = cast<RankedTensorType>(input.getType());
  Type et = rt.getElementType();
  int64_t c = it.getDimSize(1), f = rt.getDimSize(1);
  int64_t oh = rt.getDimSize(2), ow = rt.getDimSize(3);
  int64_t k = c * w.kh * w.kw;
  Value cols;
  bool pointwise = w.kh == 1 && w.kw == 1 && w.strides[0] == 1 &&
                   w.strides[1] == 1 && it.getDimSize(2) == oh &&
                   it.getDimSize(3) == ow;
  if (pointwise) {
    cols = buildReshape(b, loc, input, {c, oh * ow});
  } else {
    // im2col: cols[c, kh, kw, oh, ow] = input[0, c, oh*s+kh*d, ow*s+kw*d].
    MLIRContext *ctx = b.getContext();
    SmallVector<AffineExpr> in = {
        b.getAffineConstantExpr(0), b.getAffineDimExpr(0),
        windowExpr(b, 3, 1, w.strides[0], w.dilations[0]),
        windowExpr(b, 4, 2, w.strides[1], w.dilations[1])};
    SmallVector<AffineMap> maps = {AffineMap::get(5, 0, in, ctx),
                                   b.getMultiDimIdentityMap(5)};
    auto colType = RankedTensorType::get({c, w.kh, w.kw, oh, ow}, et);
    Value init = tensor::EmptyOp::create(b, loc, colType.getShape(), et);
    SmallVector<utils::IteratorType> iters(5, utils::IteratorType::parallel);
    cols = linalg::GenericOp::create(
               b, loc, colType, input, init, maps, iters,
               [](OpBuilder &nb, Location nl, ValueRange args) {
                 linalg::YieldOp::create(nb, nl, args[0]);
               })
               .getResult(0);
    cols = buildReshape(b, loc, cols, {k, oh * ow});
  }
  Value weights = buildReshape(b, loc, filter, {f, k});
  auto mmType = RankedTensorType::get({f, oh * ow}, et);
  Value mm = linalg::MatmulOp::create(b, loc, TypeRange{mmType},
                                      ValueRange{weights, cols},
                                      ValueRange{buildFilled(b, loc, mmType, 0.0)})
                 .getResult(0);
  return buildReshape(b, loc, mm, llvm::to_vector(rt.getShape()));
}

/// A generic over (n, c, kh, kw, oh, ow) reducing kh and kw into `init`.
static Value windowGeneric(OpBuilder &b, Location loc, ValueRange inputs,
                           ArrayRef<AffineMap> inputMaps, Value init,
                           RankedTensorType rt, ScalarFn combine) {
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(AffineMap::get(6, 0,
                                {b.getAffineDimExpr(0), b.getAffineDimExpr(1),
                                 b.getAffineDimExpr(4), b.getAffineDimExpr(5)},
                                ctx));
  using IT = utils::IteratorType;
  SmallVector<IT> iters = {IT::parallel,  IT::parallel, IT::reduction,
                           IT::reduction, IT::parallel, IT::parallel};
  return linalg::GenericOp::create(
             b, loc, rt, inputs, init, maps, iters,
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               linalg::YieldOp::create(nb, nl, combine(nb, nl, args));
             })
      .getResult(0);
}

static AffineMap windowInputMap(OpBuilder &b, const Window &w) {
  return AffineMap::get(6, 0,
                        {b.getAffineDimExpr(0), b.getAffineDimExpr(1),
                         windowExpr(b, 4, 2, w.strides[0], w.dilations[0]),
                         windowExpr(b, 5, 3, w.strides[1], w.dilations[1])},
                        b.getContext());
}

Value buildDepthwiseConv(OpBuilder &b, Location loc, Value input, Value filter,
                         RankedTensorType rt, const Window &w) {
  AffineMap filterMap = AffineMap::get(
      6, 0, {b.getAffineDimExpr(1), b.getAffineDimExpr(2), b.getAffineDimExpr(3)},
      b.getContext());
  return windowGeneric(
      b, loc, ValueRange{input, filter}, {windowInputMap(b, w), filterMap},
      buildFilled(b, loc, rt, 0.0), rt,
      [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
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
      6, 0, {b.getAffineDimExpr(2), b.getAffineDimExpr(3)}, b.getContext());
  return windowGeneric(
      b, loc, ValueRange{input, window}, {windowInputMap(b, w), windowMap},
      buildFilled(b, loc, rt, init), rt,
      [isMax](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        if (isMax)
          return arith::MaximumFOp::create(nb, nl, a[2], a[0]);
        return arith::AddFOp::create(nb, nl, a[2], a[0]);
      });
}

} // namespace kiln
