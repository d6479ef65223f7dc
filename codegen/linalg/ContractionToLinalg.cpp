//===- ContractionToLinalg.cpp - matmul, conv and pooling to linalg -------===//
//
// kiln.matmul becomes linalg.matmul / linalg.batch_matmul on collapsed
// operands; kiln.conv the NCHW linalg convolutions (plain, depthwise or
// grouped) on an explicitly padded input plus a bias generic; pooling the
// linalg pooling ops, averaging with a compile-time table of window counts
// (counted at run time when the image size is dynamic). Dynamic batch,
// height and width are sized at run time.
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

/// Broadcasts `v` to `shape` (a copy), used for mismatched matmul batches;
/// dynamic dims of `shape` take their sizes from `sizes`.
Value broadcastTo(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> shape,
                  ArrayRef<OpFoldResult> sizes = {}) {
  auto t = cast<RankedTensorType>(v.getType());
  if (t.getShape() == shape)
    return v;
  return buildElementwise(b, loc, RankedTensorType::get(shape, t.getElementType()),
                          v, [](OpBuilder &, Location, ValueRange a) { return a[0]; },
                          sizes);
}

/// The operands of a batched matmul with dynamic dims, broadcast (copied)
/// to the result's batch dims where one has a 1 (or no dim) against the
/// other's: numpy's matmul broadcasting. A dynamic dim is never stretched;
/// where both are dynamic, dynamicBatchMatmul checks that they agree.
std::pair<Value, Value> broadcastBatches(OpBuilder &b, Location loc,
                                         MatMulOp op) {
  auto rt = op.getType();
  int64_t r = rt.getRank();
  Value lhs = op.getLhs(), rhs = op.getRhs();
  auto at = op.getLhs().getType(), bt = op.getRhs().getType();
  SmallVector<OpFoldResult> aSizes = dimSizes(b, loc, lhs);
  SmallVector<OpFoldResult> bSizes = dimSizes(b, loc, rhs);
  // Batch dim d of the result is dim d - (r - rank) of an operand.
  auto dimOf = [&](RankedTensorType t, int64_t d) -> int64_t {
    int64_t i = d - (r - t.getRank());
    return i < 0 ? 1 : t.getDimSize(i);
  };
  SmallVector<int64_t> batch;
  SmallVector<OpFoldResult> batchSizes;
  for (int64_t d = 0; d < r - 2; ++d) {
    bool fromA = dimOf(at, d) != 1;
    batch.push_back(rt.getDimSize(d));
    int64_t i = d - (r - (fromA ? at : bt).getRank());
    batchSizes.push_back(i < 0 ? b.getIndexAttr(1)
                               : (fromA ? aSizes : bSizes)[i]);
  }
  auto to = [&](Value v, RankedTensorType t, ArrayRef<OpFoldResult> sizes) {
    // Only a missing dim or a 1 against a longer dim is copied along.
    bool stretched = t.getRank() != r;
    for (int64_t d = 0; d < r - 2 && !stretched; ++d)
      stretched = dimOf(t, d) == 1 && rt.getDimSize(d) != 1;
    if (!stretched)
      return v;
    SmallVector<int64_t> shape(batch);
    shape.append({t.getDimSize(t.getRank() - 2), t.getDimSize(t.getRank() - 1)});
    SmallVector<OpFoldResult> all(batchSizes);
    all.append({sizes[t.getRank() - 2], sizes[t.getRank() - 1]});
    return broadcastTo(b, loc, v, shape, all);
  };
  return {to(lhs, at, aSizes), to(rhs, bt, bSizes)};
}

/// [..., M, K] x [..., K, N] with dynamic dims, the operands' batch dims
/// broadcast to the result's first: the batch dims collapse into one and a
/// linalg.batch_matmul computes it.
Value dynamicBatchMatmul(OpBuilder &b, Location loc, MatMulOp op) {
  auto rt = op.getType();
  int64_t r = rt.getRank();
  auto [lhs, rhs] = broadcastBatches(b, loc, op);
  auto at = cast<RankedTensorType>(lhs.getType());
  auto bt = cast<RankedTensorType>(rhs.getType());
  Type et = rt.getElementType();
  SmallVector<OpFoldResult> aSizes = dimSizes(b, loc, lhs);
  SmallVector<OpFoldResult> bSizes = dimSizes(b, loc, rhs);
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
  Value a3 = collapse(lhs, at), b3 = collapse(rhs, bt);
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
    // [..., M, K] x [1, ..., 1, K, N] is the product with the 2-D [K, N].
    if (bt.getRank() > 2 && bt.getRank() <= at.getRank() && bt.hasStaticShape() &&
        llvm::all_of(bt.getShape().drop_back(2), [](int64_t d) { return d == 1; })) {
      b = buildReshape(rewriter, loc, b, llvm::to_vector(bt.getShape().take_back(2)));
      bt = cast<RankedTensorType>(b.getType());
    }
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
      rewriter.replaceOp(op, dynamicBatchMatmul(rewriter, loc, op));
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
/// every entry of `input` in an scf.for, into a tensor of type `rt` whose
/// run-time sizes are `resultSizes`. A batched (or dynamic-batch)
/// convolution then reuses the batch-1 lowering, which the CPU target
/// register-tiles. `image` gets the [1,F,OH,OW] slice of the result that
/// its value is inserted into, to use as its destination: the image is then
/// computed in place there instead of being copied in.
Value perImage(
    OpBuilder &b, Location loc, Value input, RankedTensorType rt,
    ArrayRef<OpFoldResult> resultSizes,
    llvm::function_ref<Value(OpBuilder &, Location, Value, Value)> image) {
  auto it = cast<RankedTensorType>(input.getType());
  Value acc = buildEmpty(b, loc, rt, resultSizes);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value count = getValueOrCreateConstantIndexOp(b, loc, resultSizes[0]);
  // One image of the input and of the result: the batch dim becomes 1, the
  // others keep their (static or run-time) sizes.
  auto imageOf = [&](OpBuilder &nb, RankedTensorType t,
                     ArrayRef<OpFoldResult> sizes, Value n) {
    SmallVector<OpFoldResult> offsets(4, nb.getIndexAttr(0));
    offsets[0] = n;
    SmallVector<OpFoldResult> sliceSizes(sizes);
    sliceSizes[0] = nb.getIndexAttr(1);
    SmallVector<int64_t> shape(t.getShape());
    shape[0] = 1;
    return std::make_tuple(RankedTensorType::get(shape, t.getElementType()),
                           offsets, sliceSizes);
  };
  SmallVector<OpFoldResult> inSizes = dimSizes(b, loc, input);
  auto loop = scf::ForOp::create(
      b, loc, zero, count, one, ValueRange{acc},
      [&](OpBuilder &nb, Location nl, Value n, ValueRange iter) {
        SmallVector<OpFoldResult> ones(4, nb.getIndexAttr(1));
        auto [oneIn, inOffsets, inSlice] = imageOf(nb, it, inSizes, n);
        Value slice = tensor::ExtractSliceOp::create(nb, nl, oneIn, input,
                                                     inOffsets, inSlice, ones);
        auto [oneOut, outOffsets, outSlice] = imageOf(nb, rt, resultSizes, n);
        Value dest = tensor::ExtractSliceOp::create(nb, nl, oneOut, iter[0],
                                                    outOffsets, outSlice, ones);
        Value out = image(nb, nl, slice, dest);
        Value next = tensor::InsertSliceOp::create(nb, nl, out, iter[0],
                                                   outOffsets, outSlice, ones);
        scf::YieldOp::create(nb, nl, next);
      });
  return loop.getResult(0);
}

struct ConvLowering : OpRewritePattern<ConvOp> {
  ConvLowering(MLIRContext *ctx, bool batched)
      : OpRewritePattern(ctx), batched(batched) {}
  bool batched;
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
    if (failed(needStaticChannels(op, "convolution", it, 1)))
      return failure();
    Location loc = op.getLoc();
    Value result;
    auto ft = op.getFilter().getType();
    bool depthwise = op.getGroup() > 1 && ft.getDimSize(1) == 1 &&
                     ft.getDimSize(0) == op.getGroup();
    if (rt.getDimSize(0) == 1 || depthwise || batched) {
      // Depthwise convolutions loop over the batch themselves.
      result = convImage(rewriter, loc, op, op.getInput(), rt, Value());
    } else {
      SmallVector<int64_t> shape1(rt.getShape());
      shape1[0] = 1;
      auto rt1 = RankedTensorType::get(shape1, rt.getElementType());
      result = perImage(
          rewriter, loc, op.getInput(), rt,
          windowResultSizes(rewriter, loc, op.getInput(), rt, {2, 3},
                            window(op), op.getPads()),
          [&](OpBuilder &b, Location l, Value image, Value dest) {
            return convImage(b, l, op, image, rt1, dest);
          });
    }
    if (Value bias = op.getBias())
      result = addChannelBias(rewriter, loc, result, rt, bias, 1);
    rewriter.replaceOp(op, result);
    return success();
  }

  static Window window(ConvOp op) {
    auto ft = op.getFilter().getType();
    return Window{ft.getDimSize(2), ft.getDimSize(3), op.getStrides(),
                  op.getDilations()};
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
    Window w = window(op);
    Value result;
    if (g == 1) {
      // Targets choose how to compute it (the CPU: im2col + matmul).
      Value init = dest ? dest
                        : buildEmpty(rewriter, loc, rt,
                                     windowResultSizes(rewriter, loc, input,
                                                       rt, {2, 3}, w));
      init = linalg::FillOp::create(
                 rewriter, loc,
                 scalarConstant(rewriter, loc, rt.getElementType(), 0.0), init)
                 .getResult(0);
      result = linalg::Conv2DNchwFchwOp::create(
                   rewriter, loc, TypeRange{rt}, ValueRange{input, filter},
                   ValueRange{init}, strides, dilations)
                   .getResult(0);
    } else if (c == 1 && f == g) {
      filter = buildReshape(rewriter, loc, filter, {f, kh, kw});
      result = buildDepthwiseConv(rewriter, loc, input, filter, rt, w);
    } else {
      auto it = cast<RankedTensorType>(input.getType());
      SmallVector<OpFoldResult> out =
          windowResultSizes(rewriter, loc, input, rt, {2, 3}, w);
      SmallVector<OpFoldResult> in = dimSizes(rewriter, loc, input);
      input = buildReshape(rewriter, loc, input,
                           {it.getDimSize(0), g, c, it.getDimSize(2), it.getDimSize(3)},
                           {in[0], rewriter.getIndexAttr(g),
                            rewriter.getIndexAttr(c), in[2], in[3]});
      filter = buildReshape(rewriter, loc, filter, {g, f / g, c, kh, kw});
      auto gt = RankedTensorType::get({rs[0], g, f / g, rs[2], rs[3]},
                                      rt.getElementType());
      SmallVector<OpFoldResult> gsizes = {out[0], rewriter.getIndexAttr(g),
                                          rewriter.getIndexAttr(f / g), out[2],
                                          out[3]};
      result = linalg::Conv2DNgchwGfchwOp::create(
                   rewriter, loc, TypeRange{gt}, ValueRange{input, filter},
                   ValueRange{buildFilled(rewriter, loc, gt, 0.0, gsizes)},
                   strides, dilations)
                   .getResult(0);
      result = buildReshape(rewriter, loc, result, llvm::to_vector(rs), out);
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
    if (failed(needStaticChannels(op, "pooling", it, 1)))
      return failure();
    Location loc = op.getLoc();
    double padValue = IsMax ? -std::numeric_limits<double>::infinity() : 0.0;
    Value input = padSpatial(rewriter, loc, op.getInput(), {2, 3}, op.getPads(), padValue);
    Window window{op.getKernel()[0], op.getKernel()[1], op.getStrides(),
                  op.getDilations()};
    Value result = buildPooling(rewriter, loc, input, rt, window, IsMax);
    if constexpr (!IsMax) {
      // The [OH, OW] count table broadcasts over N and C.
      Value counts;
      if (!rt.isDynamicDim(2) && !rt.isDynamicDim(3)) {
        counts = buildWindowCounts(rewriter, loc, op, it.getDimSize(2),
                                   it.getDimSize(3), rt.getDimSize(2),
                                   rt.getDimSize(3));
      } else {
        // The sum's own sizes (its window check is already emitted).
        SmallVector<OpFoldResult> in = dimSizes(rewriter, loc, op.getInput());
        SmallVector<OpFoldResult> out = dimSizes(rewriter, loc, result);
        counts = buildDynamicWindowCounts(rewriter, loc, op, in[2], in[3],
                                          {out[2], out[3]});
      }
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

void populateContractionToLinalgPatterns(RewritePatternSet &patterns,
                                         bool batchedConvolutions) {
  patterns.add<MatMulLowering, PoolLowering<MaxPoolOp, true>,
               PoolLowering<AvgPoolOp, false>>(patterns.getContext());
  patterns.add<ConvLowering>(patterns.getContext(), batchedConvolutions);
}

} // namespace kiln
