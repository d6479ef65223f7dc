//===- ConvToMatmulPass.cpp - the kiln-cpu-conv-to-matmul pass ------------===//
//
// The CPU's convolution strategy: each batch-1 linalg.conv_2d_nchw_fchw
// (what the shared lowering emits per image) becomes im2col (a copy
// generic) and a linalg.matmul, which kiln-cpu-tile-contractions then
// register-tiles. Pixels are the matmul's columns when they fill 64-wide
// tiles, channels otherwise; when the image size is known only at run
// time, pixels are the rows. Stride-1 convolutions on images that fill
// 64-wide panels well use padded-width rows instead, whose im2col matrix
// the tiles read from the image itself (buildPaddedWidthConvAsMatmul).
// A batch-1 linalg.conv_2d_nhwc_hwcf has pixels as rows and the filter in
// its own order as the right-hand side (NhwcConvToMatmul.cpp).
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"
#include "codegen/cpu/ConvMatmul.h"
#include "codegen/cpu/PackedMatmul.h"
#include "codegen/linalg/LoweringUtils.h"
#include "ir/ConstantData.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Matchers.h"

namespace kiln {
#define GEN_PASS_DEF_KILNCPUCONVTOMATMUL
#include "codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln::conv {

/// A copy generic into `init`: the element at loop point x is `input` at
/// `inputMap`(x), written at `outputMap`(x) (all loops parallel).
Value buildCopyGeneric(OpBuilder &b, Location loc, Value input, Value init,
                       AffineMap inputMap, AffineMap outputMap) {
  SmallVector<utils::IteratorType> iters(inputMap.getNumDims(),
                                         utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, init.getType(), input, init,
             ArrayRef<AffineMap>{inputMap, outputMap}, iters,
             [](OpBuilder &nb, Location nl, ValueRange args) {
               linalg::YieldOp::create(nb, nl, args[0]);
             })
      .getResult(0);
}

} // namespace kiln::conv

namespace kiln {
namespace {
using namespace conv;

/// `filter` (F x K) transposed to K x F: folded at compile time when the
/// filter is a constant, a linalg.transpose otherwise.
Value transposedWeights(OpBuilder &b, Location loc, Value filter) {
  auto ft = cast<RankedTensorType>(filter.getType());
  int64_t f = ft.getDimSize(0), k = ft.getDimSize(1);
  auto tt = RankedTensorType::get({k, f}, ft.getElementType());
  if (ElementsAttr attr = matchReshapedConstant(filter)) {
    std::vector<int64_t> sourceIndex(size_t(f * k));
    for (int64_t j = 0; j < k; ++j)
      for (int64_t i = 0; i < f; ++i)
        sourceIndex[j * f + i] = i * k + j;
    if (ElementsAttr t = gatherConstant(attr, tt, sourceIndex))
      return arith::ConstantOp::create(b, loc, t);
  }
  Value init =
      tensor::EmptyOp::create(b, loc, tt.getShape(), tt.getElementType());
  return linalg::TransposeOp::create(b, loc, filter, init,
                                     ArrayRef<int64_t>{1, 0})
      .getResult()[0];
}

/// im2col as a copy generic: result dims are `outOrder` and loops run in
/// `loopOrder` (both permutations of c, kh, kw, oh, ow = 0..4); the value
/// is input[0, c, oh*s+kh*d, ow*s+kw*d]. `sizes` gives the run-time extents
/// of the dims `extents` leaves dynamic (oh and ow).
Value buildIm2col(OpBuilder &b, Location loc, Value input,
                  ArrayRef<int64_t> extents, ArrayRef<unsigned> outOrder,
                  ArrayRef<unsigned> loopOrder, const Window &w,
                  ArrayRef<OpFoldResult> sizes = {}) {
  MLIRContext *ctx = b.getContext();
  Type et = cast<RankedTensorType>(input.getType()).getElementType();
  SmallVector<unsigned> pos(5); // loop position of each logical dim
  for (unsigned i = 0; i < 5; ++i)
    pos[loopOrder[i]] = i;
  auto dim = [&](unsigned logical) { return b.getAffineDimExpr(pos[logical]); };
  SmallVector<AffineExpr> in = {b.getAffineConstantExpr(0), dim(0),
                                dim(3) * w.strides[0] + dim(1) * w.dilations[0],
                                dim(4) * w.strides[1] +
                                    dim(2) * w.dilations[1]};
  SmallVector<int64_t> outShape;
  SmallVector<AffineExpr> outExprs;
  SmallVector<OpFoldResult> outSizes;
  for (unsigned d : outOrder) {
    outShape.push_back(extents[d]);
    outExprs.push_back(dim(d));
    outSizes.push_back(sizes.empty() ? b.getIndexAttr(extents[d]) : sizes[d]);
  }
  Value init =
      buildEmpty(b, loc, RankedTensorType::get(outShape, et), outSizes);
  return buildCopyGeneric(b, loc, input, init, AffineMap::get(5, 0, in, ctx),
                          AffineMap::get(5, 0, outExprs, ctx));
}

/// A 4-D image's zero padding: `source` padded by `low` and `high`.
struct ZeroPad {
  Value source;
  SmallVector<int64_t> low, high;
};

/// `input` as its source and padding when it is a static zero tensor.pad
/// of the spatial dims only (`channelDim` and the batch unpadded), so that
/// a padded-width form pads the source once with its extra rows instead of
/// copying twice; else `input` with no padding.
ZeroPad asZeroPad(Value input, int64_t channelDim) {
  ZeroPad result{input, SmallVector<int64_t>(4, 0),
                 SmallVector<int64_t>(4, 0)};
  auto pad = input.getDefiningOp<tensor::PadOp>();
  if (!pad)
    return result;
  Value value = pad.getConstantPaddingValue();
  FloatAttr zero;
  if (!value || !matchPattern(value, m_Constant(&zero)) ||
      !zero.getValue().isZero() ||
      ShapedType::isDynamicShape(pad.getStaticLow()) ||
      ShapedType::isDynamicShape(pad.getStaticHigh()))
    return result;
  for (int64_t d : {int64_t(0), channelDim})
    if (pad.getStaticLow()[d] != 0 || pad.getStaticHigh()[d] != 0)
      return result;
  result.source = pad.getSource();
  result.low = llvm::to_vector(pad.getStaticLow());
  result.high = llvm::to_vector(pad.getStaticHigh());
  return result;
}

/// Columns of the packed matmul kernel's register tiles
/// (kiln-cpu-tile-contractions' tile-cols default); the padded-width form
/// pads the image so that reads of its last panel stay inside.
constexpr int64_t kPanelCols = 64;

/// A convolution with stride s in both dims (dilation 1) over padded-width
/// rows. With stride 1 and the image zero-padded to Hp x Wp, output pixel
/// (oh, ow) is column oh * Wp + ow of the product (the columns ow >= OW are
/// junk, sliced off at the end), so row (c, kh, kw) of the im2col matrix is
/// the contiguous run image[c][kh * Wp + kw + q] of the flattened image:
/// kiln-cpu-tile-contractions reads its panels from the image itself, with
/// no im2col copy and no packing. With stride s the padded image is first
/// split into s x s phase images of Hq x Wq pixels, phase (a, b) holding
/// pixels (s * i + a, s * j + b): tap (kh, kw) then reads phase
/// (kh mod s, kw mod s) at (kh / s, kw / s) with stride 1, and output pixel
/// (oh, ow) is column oh * Wq + ow. Extra zero rows at the bottom (of every
/// phase) keep each 64-wide read of the last panel inside its channel.
/// `input` is the convolution's input; when it is a zero tensor.pad, its
/// source is padded again with the extra rows instead of copied twice.
Value buildPaddedWidthConvAsMatmul(OpBuilder &b, Location loc, Value input,
                                   Value weights, RankedTensorType rt,
                                   const Window &w) {
  Type et = rt.getElementType();
  auto [source, low, high] = asZeroPad(input, /*channelDim=*/1);
  auto it = cast<RankedTensorType>(input.getType());
  int64_t s = w.strides[0];
  int64_t c = it.getDimSize(1), hp = it.getDimSize(2), wp = it.getDimSize(3);
  int64_t f = rt.getDimSize(1), oh = rt.getDimSize(2), ow = rt.getDimSize(3);
  int64_t wq = (wp + s - 1) / s;
  int64_t n = oh * wq, panels = (n + kPanelCols - 1) / kPanelCols;
  // The furthest read in a phase, from the last panel's last tap.
  int64_t reach =
      (w.kh - 1) / s * wq + (w.kw - 1) / s + panels * kPanelCols;
  int64_t hq = std::max((hp + s - 1) / s, (reach + wq - 1) / wq);
  high[2] += s * hq - hp;
  high[3] += s * wq - wp;
  auto paddedType = RankedTensorType::get({1, c, s * hq, s * wq}, et);
  Value padded = tensor::PadOp::create(
      b, loc, paddedType, source, getAsIndexOpFoldResult(b.getContext(), low),
      getAsIndexOpFoldResult(b.getContext(), high),
      scalarConstant(b, loc, et, 0.0));
  if (s > 1) {
    // [1][C][Hq][s][Wq][s] -> [1][C][s][s][Hq][Wq]: the phase images.
    Value split = buildReshape(b, loc, padded, {1, c, hq, s, wq, s});
    padded =
        linalg::TransposeOp::create(
            b, loc, split,
            tensor::EmptyOp::create(b, loc,
                                    ArrayRef<int64_t>{1, c, s, s, hq, wq}, et),
            ArrayRef<int64_t>{0, 1, 3, 5, 2, 4})
            .getResult()[0];
  }
  Value image = buildReshape(b, loc, padded, {c, s * s * hq * wq});
  // im2col [C][KH][KW][n] reading image[c][tap(kh, kw) + q].
  MLIRContext *ctx = b.getContext();
  AffineExpr d0 = b.getAffineDimExpr(0), d1 = b.getAffineDimExpr(1);
  AffineExpr d2 = b.getAffineDimExpr(2), d3 = b.getAffineDimExpr(3);
  AffineExpr tap = s == 1 ? d1 * wq + d2
                          : ((d1 % s) * s + d2 % s) * (hq * wq) +
                                d1.floorDiv(s) * wq + d2.floorDiv(s);
  Value cols = buildCopyGeneric(
      b, loc, image,
      tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{c, w.kh, w.kw, n}, et),
      AffineMap::get(4, 0, {d0, tap + d3}, ctx), b.getMultiDimIdentityMap(4));
  cols = buildReshape(b, loc, cols, {c * w.kh * w.kw, n});
  auto mmType = RankedTensorType::get({f, n}, et);
  Value mm = linalg::MatmulOp::create(
                 b, loc, TypeRange{mmType}, ValueRange{weights, cols},
                 ValueRange{buildFilled(b, loc, mmType, 0.0)})
                 .getResult(0);
  Value wide = buildReshape(b, loc, mm, {1, f, oh, wq});
  return tensor::ExtractSliceOp::create(
      b, loc, rt, wide, ValueRange{}, ValueRange{}, ValueRange{},
      ArrayRef<int64_t>{0, 0, 0, 0}, ArrayRef<int64_t>{1, f, oh, ow},
      ArrayRef<int64_t>{1, 1, 1, 1});
}

/// A batch-1, group-1 convolution: filter F x C x KH x KW as an F x (C*KH*KW)
/// matrix times the im2col matrix (C*KH*KW) x (OH*OW), written into `dest`
/// (the convolution's destination, of type `rt`): when that is a slice of a
/// batch's result, the image is computed in place there.
Value buildConvAsMatmul(OpBuilder &b, Location loc, Value input, Value filter,
                        Value dest, RankedTensorType rt, const Window &w) {
  auto it = cast<RankedTensorType>(input.getType());
  Type et = rt.getElementType();
  int64_t c = it.getDimSize(1), f = rt.getDimSize(1);
  int64_t oh = rt.getDimSize(2), ow = rt.getDimSize(3), pixels = oh * ow;
  int64_t k = c * w.kh * w.kw;
  bool pointwise = w.kh == 1 && w.kw == 1 && w.strides[0] == 1 &&
                   w.strides[1] == 1 && it.getDimSize(2) == oh &&
                   it.getDimSize(3) == ow;
  SmallVector<int64_t> extents = {c, w.kh, w.kw, oh, ow};
  Value weights = buildReshape(b, loc, filter, {f, k});
  // Pixels as the vectorized (column) dim when they fill 64-wide register
  // tiles well; otherwise (small feature maps) channels are the columns and
  // the F x pixels result is transposed back.
  // 1x1 windows are cheap to gather that way (a stride-1 pointwise
  // convolution reads its input in place), which beats two transposes even
  // when the columns tile poorly: 64->128 channels with stride 2 on 56 x 56
  // took 0.31 ms as rows, 0.22 ms as columns. A 3x3 window with stride 2
  // on the same image is faster as rows (1.57 vs 1.82 ms).
  bool pixelsAsColumns = pixels % 64 == 0 || pixels >= 1024 ||
                         (w.kh == 1 && w.kw == 1 && pixels >= 256);
  // Padded-width rows (with phase images for a stride s > 1) take equal
  // strides; a strided 1x1 window would copy s x s phases to use one.
  int64_t s = w.strides[0];
  bool phased = s == w.strides[1] && s <= 4 &&
                (s == 1 || w.kh > 1 || w.kw > 1) &&
                llvm::all_of(w.dilations, [](int64_t v) { return v == 1; });
  // Padded-width rows compute junk columns and pad the last panel; they
  // pay while at least 80 % of the columns are pixels, or 75 % over two
  // panels or more: ResNet's 56 x 56, 28 x 28 and 14 x 14 layers (the
  // latter, 77 %, took 0.82x the time of im2col rows), not its 7 x 7 ones
  // (one panel, 77 %: 1.09x).
  int64_t wideCols = oh * ((it.getDimSize(3) + s - 1) / s);
  int64_t wideTotal = (wideCols + kPanelCols - 1) / kPanelCols * kPanelCols;
  int64_t percent = wideTotal >= 2 * kPanelCols ? 75 : 80;
  if (!pointwise && phased && wideCols >= kPanelCols &&
      pixels * 100 >= wideTotal * percent)
    return buildPaddedWidthConvAsMatmul(b, loc, input, weights, rt, w);
  Value dest2d = buildReshape(b, loc, dest, {f, pixels});
  if (pixelsAsColumns) {
    Value cols =
        pointwise
            ? buildReshape(b, loc, input, {c, pixels})
            : buildReshape(b, loc,
                           buildIm2col(b, loc, input, extents, {0, 1, 2, 3, 4},
                                       {0, 1, 3, 4, 2}, w),
                           {k, pixels});
    auto mmType = RankedTensorType::get({f, pixels}, et);
    Value zeros =
        linalg::FillOp::create(b, loc, scalarConstant(b, loc, et, 0.0), dest2d)
            .getResult(0);
    Value mm =
        linalg::MatmulOp::create(b, loc, TypeRange{mmType},
                                 ValueRange{weights, cols}, ValueRange{zeros})
            .getResult(0);
    return buildReshape(b, loc, mm, llvm::to_vector(rt.getShape()));
  }
  Value rows = buildReshape(
      b, loc,
      buildIm2col(b, loc, input, extents, {3, 4, 0, 1, 2}, {3, 4, 0, 1, 2}, w),
      {pixels, k});
  // A constant filter gets the packed-weight kernel, whose last register
  // tile takes the leftover rows in the same pass over the weights. Other
  // filters get the generic tiles, for which zero rows pad the pixels to a
  // multiple of the 6-row register tile: a leftover row would otherwise be
  // a matrix-vector product that streams all the weights once more.
  Value weightsT = transposedWeights(b, loc, weights);
  int64_t padded = weightsT.getDefiningOp<arith::ConstantOp>()
                       ? pixels
                       : (pixels + 5) / 6 * 6;
  if (padded != pixels) {
    Value zero = scalarConstant(b, loc, et, 0.0);
    rows = tensor::PadOp::create(
        b, loc, RankedTensorType::get({padded, k}, et), rows,
        getAsIndexOpFoldResult(b.getContext(), ArrayRef<int64_t>{0, 0}),
        getAsIndexOpFoldResult(b.getContext(),
                               ArrayRef<int64_t>{padded - pixels, 0}),
        zero);
  }
  auto mmType = RankedTensorType::get({padded, f}, et);
  Value mm = linalg::MatmulOp::create(
                 b, loc, TypeRange{mmType}, ValueRange{rows, weightsT},
                 ValueRange{buildFilled(b, loc, mmType, 0.0)})
                 .getResult(0);
  if (padded != pixels)
    mm = tensor::ExtractSliceOp::create(
        b, loc, RankedTensorType::get({pixels, f}, et), mm, ValueRange{},
        ValueRange{}, ValueRange{}, ArrayRef<int64_t>{0, 0},
        ArrayRef<int64_t>{pixels, f}, ArrayRef<int64_t>{1, 1});
  Value back =
      linalg::TransposeOp::create(b, loc, mm, dest2d, ArrayRef<int64_t>{1, 0})
          .getResult()[0];
  return buildReshape(b, loc, back, llvm::to_vector(rt.getShape()));
}

/// The convolution as a matmul when its output rows and columns are known
/// only at run time: pixels are the rows (the dim the register tiling
/// splits into blocks at run time), the [pixels, F] product is transposed
/// into `dest`.
Value buildDynamicConvAsMatmul(OpBuilder &b, Location loc, Value input,
                               Value filter, Value dest, RankedTensorType rt,
                               const Window &w) {
  auto it = cast<RankedTensorType>(input.getType());
  Type et = rt.getElementType();
  int64_t c = it.getDimSize(1), f = rt.getDimSize(1);
  int64_t k = c * w.kh * w.kw;
  SmallVector<OpFoldResult> out = dimSizes(b, loc, dest);
  SmallVector<OpFoldResult> extents = {b.getIndexAttr(c), b.getIndexAttr(w.kh),
                                       b.getIndexAttr(w.kw), out[2], out[3]};
  Value cols = buildIm2col(b, loc, input,
                           {c, w.kh, w.kw, rt.getDimSize(2), rt.getDimSize(3)},
                           {3, 4, 0, 1, 2}, {3, 4, 0, 1, 2}, w, extents);
  auto rowsType = RankedTensorType::get({ShapedType::kDynamic, k}, et);
  Value rows = tensor::CollapseShapeOp::create(
      b, loc, rowsType, cols,
      ArrayRef<ReassociationIndices>{{0, 1}, {2, 3, 4}});
  auto mmType = RankedTensorType::get({ShapedType::kDynamic, f}, et);
  Value mm =
      linalg::MatmulOp::create(
          b, loc, TypeRange{mmType},
          ValueRange{rows, transposedWeights(
                               b, loc, buildReshape(b, loc, filter, {f, k}))},
          ValueRange{buildFilled(
              b, loc, mmType, 0.0,
              {tensor::getMixedSize(b, loc, rows, 0), b.getIndexAttr(f)})})
          .getResult(0);
  auto imageType =
      RankedTensorType::get({1, rt.getDimSize(2), rt.getDimSize(3), f}, et);
  Value image = tensor::ExpandShapeOp::create(
      b, loc, imageType, mm, ArrayRef<ReassociationIndices>{{0, 1, 2}, {3}},
      SmallVector<OpFoldResult>{b.getIndexAttr(1), out[2], out[3],
                                b.getIndexAttr(f)});
  return linalg::TransposeOp::create(b, loc, image, dest,
                                     ArrayRef<int64_t>{0, 3, 1, 2})
      .getResult()[0];
}

/// Whether `op` is an f32 batch-1 convolution into a zero fill whose only
/// dynamic dims (if any) are the image's height and width.
bool isCandidate(linalg::Conv2DNchwFchwOp op) {
  auto rt = dyn_cast<RankedTensorType>(op.getResultTypes()[0]);
  if (!rt || rt.isDynamicDim(0) || rt.getDimSize(0) != 1 || rt.isDynamicDim(1))
    return false;
  auto it = cast<RankedTensorType>(op.getDpsInputs()[0].getType());
  if (it.isDynamicDim(0) || it.isDynamicDim(1) ||
      !cast<ShapedType>(op.getDpsInputs()[1].getType()).hasStaticShape())
    return false;
  return isZeroFill(op.getDpsInits()[0]);
}

/// Replaces each candidate `ConvOp` (NCHW or NHWC) by `build`'s matmul
/// form; `khDim` is the filter's KH dim (KW follows it).
template <typename ConvOp, typename Build>
void rewriteConvs(Operation *root, bool (*candidate)(ConvOp), int64_t khDim,
                  Build build) {
  SmallVector<ConvOp> convs;
  root->walk([&](ConvOp op) {
    if (candidate(op))
      convs.push_back(op);
  });
  for (ConvOp op : convs) {
    OpBuilder b(op);
    auto ft = cast<RankedTensorType>(op.getDpsInputs()[1].getType());
    auto strides =
        llvm::to_vector(op.getStrides().template getValues<int64_t>());
    auto dilations =
        llvm::to_vector(op.getDilations().template getValues<int64_t>());
    Window w{ft.getDimSize(khDim), ft.getDimSize(khDim + 1), strides,
             dilations};
    auto fill = op.getDpsInits()[0].template getDefiningOp<linalg::FillOp>();
    auto rt = cast<RankedTensorType>(op.getResultTypes()[0]);
    Value r = build(b, op.getLoc(), op.getDpsInputs()[0], op.getDpsInputs()[1],
                    fill.getDpsInits()[0], rt, w);
    op->getResult(0).replaceAllUsesWith(r);
    op->erase();
  }
}

struct ConvToMatmulPass : impl::KilnCpuConvToMatmulBase<ConvToMatmulPass> {
  void runOnOperation() override {
    rewriteConvs<linalg::Conv2DNchwFchwOp>(
        getOperation(), isCandidate, /*khDim=*/2,
        [](OpBuilder &b, Location loc, Value input, Value filter, Value dest,
           RankedTensorType rt, const Window &w) {
          auto build = rt.hasStaticShape() ? buildConvAsMatmul
                                           : buildDynamicConvAsMatmul;
          return build(b, loc, input, filter, dest, rt, w);
        });
    rewriteConvs<linalg::Conv2DNhwcHwcfOp>(getOperation(), isNhwcCandidate,
                                           /*khDim=*/0, buildNhwcConvAsMatmul);
  }
};

} // namespace
} // namespace kiln
