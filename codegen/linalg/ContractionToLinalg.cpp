//===- ContractionToLinalg.cpp - matmul, conv and pooling to linalg -------===//
//
// kiln.matmul becomes linalg.matmul / linalg.batch_matmul on collapsed
// operands; kiln.conv the NCHW linalg convolutions (plain, depthwise or
// grouped) on an explicitly padded input plus a bias generic; pooling the
// linalg pooling ops, averaging with a compile-time table of window counts.
//
//===----------------------------------------------------------------------===//

#include "codegen/linalg/KilnToLinalg.h"
#include "codegen/linalg/LoweringUtils.h"
#include "codegen/linalg/WindowBuilders.h"
#include "ir/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

#include <limits>

using namespace mlir;

namespace kiln {
namespace {

int64_t product(ArrayRef<int64_t> dims) {
  int64_t p = 1;
  for (int64_t d : dims)
    p *= d;
  return p;
}

/// Broadcasts `v` to `shape` (a copy), used for mismatched matmul batches.
Value broadcastTo(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> shape) {
  auto t = cast<RankedTensorType>(v.getType());
  if (t.getShape() == shape)
    return v;
  return buildElementwise(b, loc, RankedTensorType::get(shape, t.getElementType()),
                          v, [](OpBuilder &, Location, ValueRange a) { return a[0]; });
}

/// [..., M, K] x [..., K, N] with dynamic dims and batch dims that match
/// (no size-1 broadcast): the batch dims collapse into one and a
/// linalg.batch_matmul computes it; null when the operands do not fit.
Value dynamicBatchMatmul(OpBuilder &b, Location loc, MatMulOp op) {
  auto at = op.getLhs().getType(), bt = op.getRhs().getType();
  auto rt = op.getType();
  int64_t r = rt.getRank();
  if (at.getRank() != r || bt.getRank() != r)
    return {};
  for (int64_t d = 0; d < r - 2; ++d) {
    int64_t x = at.getDimSize(d), y = bt.getDimSize(d);
    // A static 1 against anything else would be a broadcast.
    if ((x == 1) != (y == 1) ||
        (!ShapedType::isDynamic(x) && !ShapedType::isDynamic(y) && x != y))
      return {};
  }
  Type et = rt.getElementType();
  SmallVector<OpFoldResult> aSizes = dimSizes(b, loc, op.getLhs());
  SmallVector<OpFoldResult> bSizes = dimSizes(b, loc, op.getRhs());
  // Batch dims, and the contracted dim, must agree at run time.
  auto check = [&](int64_t da, int64_t db) {
    if (at.isDynamicDim(da) || bt.isDynamicDim(db))
      checkDimsAgree(b, loc, getValueOrCreateConstantIndexOp(b, loc, aSizes[da]),
                     getValueOrCreateConstantIndexOp(b, loc, bSizes[db]));
  };
  for (int64_t d = 0; d < r - 2; ++d)
    check(d, d);
  check(r - 1, r - 2);
  auto collapse = [&](Value v, RankedTensorType t) {
    ReassociationIndices batch;
    for (int64_t d = 0; d < r - 2; ++d)
      batch.push_back(d);
    SmallVector<ReassociationIndices> groups = {batch, {r - 2}, {r - 1}};
    int64_t n = 1;
    for (int64_t d = 0; d < r - 2; ++d)
      n = ShapedType::isDynamic(n) || t.isDynamicDim(d) ? ShapedType::kDynamic
                                                        : n * t.getDimSize(d);
    auto type = RankedTensorType::get(
        {n, t.getDimSize(r - 2), t.getDimSize(r - 1)}, et);
    return tensor::CollapseShapeOp::create(b, loc, type, v, groups).getResult();
  };
  Value a3 = collapse(op.getLhs(), at), b3 = collapse(op.getRhs(), bt);
  auto a3t = cast<RankedTensorType>(a3.getType());
  auto type = RankedTensorType::get(
      {a3t.getDimSize(0), at.getDimSize(r - 2), bt.getDimSize(r - 1)}, et);
  SmallVector<OpFoldResult> sizes = {tensor::getMixedSize(b, loc, a3, 0),
                                     aSizes[r - 2], bSizes[r - 1]};
  Value init = buildFilled(b, loc, type, 0.0, sizes);
  Value mm = linalg::BatchMatmulOp::create(b, loc, TypeRange{type},
                                           ValueRange{a3, b3}, ValueRange{init})
                 .getResult(0);
  SmallVector<OpFoldResult> outSizes(aSizes.begin(), aSizes.end() - 1);
  outSizes.push_back(bSizes[r - 1]);
  ReassociationIndices batch;
  for (int64_t d = 0; d < r - 2; ++d)
    batch.push_back(d);
  SmallVector<ReassociationIndices> groups = {batch, {r - 2}, {r - 1}};
  return tensor::ExpandShapeOp::create(b, loc, rt, mm, groups, outSizes);
}

struct MatMulLowering : OpRewritePattern<MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatMulOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto rt = op.getType();
    Type et = rt.getElementType();
    Value a = op.getLhs(), b = op.getRhs();
    auto at = op.getLhs().getType(), bt = op.getRhs().getType();
    int64_t m = rt.getDimSize(rt.getRank() - 2), n = rt.getShape().back();
    int64_t k = at.getShape().back();
    if (bt.getRank() == 2 && bt.hasStaticShape() && !at.isDynamicDim(at.getRank() - 1)) {
      // [..., M, K] x [K, N]: one matmul over all the rows; the leading
      // dims (dynamic ones too: batch, sequence) collapse into M.
      ArrayRef<int64_t> lead = at.getShape().drop_back();
      int64_t rows = llvm::is_contained(lead, ShapedType::kDynamic)
                         ? ShapedType::kDynamic
                         : product(lead);
      SmallVector<OpFoldResult> sizes = dimSizes(rewriter, loc, a);
      a = buildReshape(rewriter, loc, a, {rows, k});
      auto type = RankedTensorType::get({rows, n}, et);
      Value init = buildFilled(rewriter, loc, type, 0.0,
                               dimSizes(rewriter, loc, a));
      Value result = linalg::MatmulOp::create(rewriter, loc, TypeRange{type},
                                              ValueRange{a, b}, ValueRange{init})
                         .getResult(0);
      sizes.back() = rewriter.getIndexAttr(n);
      rewriter.replaceOp(op, buildReshape(rewriter, loc, result,
                                          llvm::to_vector(rt.getShape()), sizes));
      return success();
    }
    if (!rt.hasStaticShape() || !at.hasStaticShape() || !bt.hasStaticShape()) {
      Value r = dynamicBatchMatmul(rewriter, loc, op);
      if (!r)
        return op.emitOpError()
               << "batched matmul with dynamic dims is supported for operands "
                  "of equal rank whose batch dims need no broadcast, not "
               << at << " x " << bt;
      rewriter.replaceOp(op, r);
      return success();
    }
    Value result;
    {
      ArrayRef<int64_t> batch = rt.getShape().drop_back(2);
      SmallVector<int64_t> aShape(batch), bShape(batch);
      aShape.append({m, k});
      bShape.append({k, n});
      // buildElementwise broadcasts right-aligned, so ranks may differ.
      a = broadcastTo(rewriter, loc, a, aShape);
      b = broadcastTo(rewriter, loc, b, bShape);
      int64_t bs = product(batch);
      a = buildReshape(rewriter, loc, a, {bs, m, k});
      b = buildReshape(rewriter, loc, b, {bs, k, n});
      auto type = RankedTensorType::get({bs, m, n}, et);
      result = linalg::BatchMatmulOp::create(
                   rewriter, loc, TypeRange{type}, ValueRange{a, b},
                   ValueRange{buildFilled(rewriter, loc, type, 0.0)})
                   .getResult(0);
    }
    rewriter.replaceOp(op, buildReshape(rewriter, loc, result,
                                        llvm::to_vector(rt.getShape())));
    return success();
  }
};

/// Computes `image` (one [1,C,H,W] batch entry to one [1,F,OH,OW]) for
/// every entry of `input` in an scf.for, into a tensor of type `rt`. A
/// batched (or dynamic-batch) convolution then reuses the batch-1 lowering
/// with its static shapes, which the CPU target register-tiles. `image`
/// gets the [1,F,OH,OW] slice of the result that its value is inserted
/// into, to use as its destination: the image is then computed in place
/// there instead of being copied in.
Value perImage(
    OpBuilder &b, Location loc, Value input, RankedTensorType rt,
    llvm::function_ref<Value(OpBuilder &, Location, Value, Value)> image) {
  auto it = cast<RankedTensorType>(input.getType());
  SmallVector<OpFoldResult> sizes = dimSizes(b, loc, input);
  sizes.resize(1);
  Value acc = buildEmpty(b, loc, rt, sizes);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value count = getValueOrCreateConstantIndexOp(b, loc, sizes[0]);
  auto loop = scf::ForOp::create(
      b, loc, zero, count, one, ValueRange{acc},
      [&](OpBuilder &nb, Location nl, Value n, ValueRange iter) {
        SmallVector<OpFoldResult> offsets = {n, nb.getIndexAttr(0),
                                             nb.getIndexAttr(0),
                                             nb.getIndexAttr(0)};
        SmallVector<OpFoldResult> ones(4, nb.getIndexAttr(1));
        SmallVector<OpFoldResult> inSizes = {nb.getIndexAttr(1)};
        for (int64_t d = 1; d < 4; ++d)
          inSizes.push_back(nb.getIndexAttr(it.getDimSize(d)));
        auto oneIn = RankedTensorType::get(
            {1, it.getDimSize(1), it.getDimSize(2), it.getDimSize(3)},
            it.getElementType());
        Value slice = tensor::ExtractSliceOp::create(nb, nl, oneIn, input,
                                                     offsets, inSizes, ones);
        SmallVector<OpFoldResult> outSizes = {nb.getIndexAttr(1)};
        for (int64_t d = 1; d < 4; ++d)
          outSizes.push_back(nb.getIndexAttr(rt.getDimSize(d)));
        auto oneOut = RankedTensorType::get(
            {1, rt.getDimSize(1), rt.getDimSize(2), rt.getDimSize(3)},
            rt.getElementType());
        Value dest = tensor::ExtractSliceOp::create(nb, nl, oneOut, iter[0],
                                                    offsets, outSizes, ones);
        Value out = image(nb, nl, slice, dest);
        Value next = tensor::InsertSliceOp::create(nb, nl, out, iter[0],
                                                   offsets, outSizes, ones);
        scf::YieldOp::create(nb, nl, next);
      });
  return loop.getResult(0);
}

struct ConvLowering : OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getLayout().isNHWC())
      return rewriter.notifyMatchFailure(op, "NHWC: NhwcToLinalg.cpp");
    if (!op.getLayout().isNCHW())
      return op.emitOpError()
             << "lowers in NCHW/OIHW or NHWC/HWIO only, not in "
             << op.getLayout() << " (kiln-convert-layout rewrites it)";
    auto rt = op.getType();
    auto it = op.getInput().getType();
    if (failed(needStaticImage(op, "convolution", it, rt)))
      return failure();
    Location loc = op.getLoc();
    Value result;
    auto ft = op.getFilter().getType();
    bool depthwise = op.getGroup() > 1 && ft.getDimSize(1) == 1 &&
                     ft.getDimSize(0) == op.getGroup();
    if (rt.getDimSize(0) == 1 || depthwise) {
      // Depthwise convolutions loop over the batch themselves.
      result = convImage(rewriter, loc, op, op.getInput(), rt, Value());
    } else {
      auto rt1 = RankedTensorType::get(
          {1, rt.getDimSize(1), rt.getDimSize(2), rt.getDimSize(3)},
          rt.getElementType());
      result = perImage(
          rewriter, loc, op.getInput(), rt,
          [&](OpBuilder &b, Location l, Value image, Value dest) {
            return convImage(b, l, op, image, rt1, dest);
          });
    }
    if (Value bias = op.getBias())
      result = addChannelBias(rewriter, loc, result, rt, bias, 1);
    rewriter.replaceOp(op, result);
    return success();
  }

  /// The convolution (without bias) of `x` into `rt`: batch 1 unless
  /// depthwise. A group-1 convolution writes into `dest` when given.
  static Value convImage(OpBuilder &rewriter, Location loc, ConvOp op, Value x,
                         RankedTensorType rt, Value dest) {
    Value input = padSpatial(rewriter, loc, x, {2, 3}, op.getPads(), 0.0);
    Value filter = op.getFilter();
    auto ft = op.getFilter().getType();
    int64_t g = op.getGroup(), f = ft.getDimSize(0), c = ft.getDimSize(1);
    int64_t kh = ft.getDimSize(2), kw = ft.getDimSize(3);
    auto strides = pairAttr(rewriter, op.getStrides());
    auto dilations = pairAttr(rewriter, op.getDilations());
    ArrayRef<int64_t> rs = rt.getShape();
    Value result;
    Window window{kh, kw, op.getStrides(), op.getDilations()};
    if (g == 1) {
      // Targets choose how to compute it (the CPU: im2col + matmul).
      Value init = buildFilled(rewriter, loc, rt, 0.0);
      if (dest)
        init = linalg::FillOp::create(
                   rewriter, loc,
                   scalarConstant(rewriter, loc, rt.getElementType(), 0.0), dest)
                   .getResult(0);
      result = linalg::Conv2DNchwFchwOp::create(
                   rewriter, loc, TypeRange{rt}, ValueRange{input, filter},
                   ValueRange{init}, strides, dilations)
                   .getResult(0);
    } else if (c == 1 && f == g) {
      filter = buildReshape(rewriter, loc, filter, {f, kh, kw});
      result = buildDepthwiseConv(rewriter, loc, input, filter, rt, window);
    } else {
      auto it = cast<RankedTensorType>(input.getType());
      input = buildReshape(rewriter, loc, input,
                           {it.getDimSize(0), g, c, it.getDimSize(2), it.getDimSize(3)});
      filter = buildReshape(rewriter, loc, filter, {g, f / g, c, kh, kw});
      auto gt = RankedTensorType::get({rs[0], g, f / g, rs[2], rs[3]},
                                      rt.getElementType());
      result = linalg::Conv2DNgchwGfchwOp::create(
                   rewriter, loc, TypeRange{gt}, ValueRange{input, filter},
                   ValueRange{buildFilled(rewriter, loc, gt, 0.0)}, strides, dilations)
                   .getResult(0);
      result = buildReshape(rewriter, loc, result, llvm::to_vector(rs));
    }
    return result;
  }
};

template <typename OpTy, bool IsMax>
struct PoolLowering : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (op.getLayout().isNHWC())
      return rewriter.notifyMatchFailure(op, "NHWC: NhwcToLinalg.cpp");
    if (!op.getLayout().isNCHW())
      return op.emitOpError() << "lowers in NCHW or NHWC only, not in "
                              << op.getLayout()
                              << " (kiln-convert-layout rewrites it)";
    auto rt = op.getType();
    auto it = op.getInput().getType();
    if (failed(needStaticImage(op, "pooling", it, rt)))
      return failure();
    Location loc = op.getLoc();
    Type et = rt.getElementType();
    double padValue = IsMax ? -std::numeric_limits<double>::infinity() : 0.0;
    Value input = padSpatial(rewriter, loc, op.getInput(), {2, 3}, op.getPads(), padValue);
    Window window{op.getKernel()[0], op.getKernel()[1], op.getStrides(),
                  op.getDilations()};
    Value result = buildPooling(rewriter, loc, input, rt, window, IsMax);
    if constexpr (!IsMax) {
      // The [OH, OW] count table broadcasts over N and C.
      Value counts = buildWindowCounts(rewriter, loc, op, it.getDimSize(2),
                                       it.getDimSize(3), rt.getDimSize(2),
                                       rt.getDimSize(3));
      result = buildElementwise(rewriter, loc, rt, ValueRange{result, counts},
                                [](OpBuilder &b, Location l, ValueRange a) {
                                  return arith::DivFOp::create(b, l, a[0], a[1]).getResult();
                                });
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateContractionToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<MatMulLowering, ConvLowering, PoolLowering<MaxPoolOp, true>,
               PoolLowering<AvgPoolOp, false>>(patterns.getContext());
}

} // namespace kiln
