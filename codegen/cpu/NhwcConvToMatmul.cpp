//===- NhwcConvToMatmul.cpp - NHWC convolutions as matmuls ----------------===//
//
// kiln-cpu-conv-to-matmul's NHWC forms: a batch-1
// linalg.conv_2d_nhwc_hwcf becomes pixels x (KH*KW*C) im2col rows times the
// filter in its own order, a (KH*KW*C) x F matrix, so the product is the
// NHWC result with no transposes; with a constant filter the packed kernel
// reads the im2col rows from the image itself
// (buildNhwcImageRowsConvAsMatmul).
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/ConvMatmul.h"
#include "codegen/cpu/PackedMatmul.h"
#include "codegen/cpu/RowSource.h"
#include "codegen/linalg/LoweringUtils.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace kiln::conv {
namespace {

/// The NHWC result `rt` of im2col `rows` ([OH*OW][KH*KW*C]) times the HWCF
/// `filter` viewed as a (KH*KW*C) x F matrix, computed into `dest`.
Value buildNhwcMatmul(OpBuilder &b, Location loc, Value rows, Value filter,
                      Value dest, RankedTensorType rt) {
  Type et = rt.getElementType();
  auto rowsType = cast<RankedTensorType>(rows.getType());
  int64_t m = rowsType.getDimSize(0), k = rowsType.getDimSize(1);
  int64_t f = rt.getDimSize(3);
  Value weights = buildReshape(b, loc, filter, {k, f});
  Value dest2d = buildReshape(b, loc, dest, {m, f});
  Value zeros =
      linalg::FillOp::create(b, loc, scalarConstant(b, loc, et, 0.0), dest2d)
          .getResult(0);
  Value mm = linalg::MatmulOp::create(
                 b, loc, TypeRange{RankedTensorType::get({m, f}, et)},
                 ValueRange{rows, weights}, ValueRange{zeros})
                 .getResult(0);
  return buildReshape(b, loc, mm, llvm::to_vector(rt.getShape()));
}

/// An NHWC convolution whose im2col rows the packed kernel reads from the
/// (padded) image itself: flattened to [Hp * Wp][C], output pixel
/// m = (oh, ow) takes tap (kh, kw) from image pixel
/// (oh * sh + kh * dh) * Wp + ow * sw + kw * dw, a run of C channels
/// (RowSource.h). The im2col matrix is a copy generic that is never
/// filled; the filter is the (KH*KW*C) x F matrix, packed at compile time;
/// the [OH*OW][F] product is the NHWC result, written into `dest`.
/// Coefficients of dims that only take the value 0 are 0, the form
/// matchImageRows parses.
Value buildNhwcImageRowsConvAsMatmul(OpBuilder &b, Location loc, Value input,
                                     Value filter, Value dest,
                                     RankedTensorType rt, const Window &w) {
  MLIRContext *ctx = b.getContext();
  Type et = rt.getElementType();
  auto it = cast<RankedTensorType>(input.getType());
  int64_t hp = it.getDimSize(1), wp = it.getDimSize(2), c = it.getDimSize(3);
  int64_t f = rt.getDimSize(3), oh = rt.getDimSize(1), ow = rt.getDimSize(2);
  int64_t m = oh * ow, k = w.kh * w.kw * c;
  int64_t rowStep = w.strides[0] * wp, colStep = w.strides[1];
  int64_t tapRowStep = w.kh > 1 ? w.dilations[0] * wp : 0;
  int64_t tapColStep = w.kw > 1 ? w.dilations[1] : 0;
  Value image = buildReshape(b, loc, input, {hp * wp, c});
  // rows[m][kh][kw][c] = image[(m / OW) * sh * Wp + (m % OW) * sw +
  //                             kh * dh * Wp + kw * dw][c].
  AffineExpr d0 = b.getAffineDimExpr(0), d1 = b.getAffineDimExpr(1);
  AffineExpr d2 = b.getAffineDimExpr(2), d3 = b.getAffineDimExpr(3);
  AffineExpr pixel = d0.floorDiv(ow) * rowStep + (d0 % ow) * colStep +
                     d1 * tapRowStep + d2 * tapColStep;
  Value rows = buildCopyGeneric(
      b, loc, image,
      tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{m, w.kh, w.kw, c}, et),
      AffineMap::get(4, 0, {pixel, d3}, ctx), b.getMultiDimIdentityMap(4));
  return buildNhwcMatmul(b, loc, buildReshape(b, loc, rows, {m, k}), filter,
                         dest, rt);
}

} // namespace

/// A batch-1, group-1 NHWC convolution (filter KH x KW x C x F), all
/// static: the im2col matrix [OH*OW][KH*KW*C] (a stride-1 1x1 convolution's
/// input as it is) times the filter as a (KH*KW*C) x F matrix, which is
/// the filter's own row-major order, so a constant filter is packed at
/// compile time and the [OH*OW][F] product is the NHWC result: no
/// transposes. Pixels are the rows, channels the vectorized columns.
Value buildNhwcConvAsMatmul(OpBuilder &b, Location loc, Value input,
                            Value filter, Value dest, RankedTensorType rt,
                            const Window &w) {
  MLIRContext *ctx = b.getContext();
  auto it = cast<RankedTensorType>(input.getType());
  Type et = rt.getElementType();
  int64_t c = it.getDimSize(3), f = rt.getDimSize(3);
  int64_t oh = rt.getDimSize(1), ow = rt.getDimSize(2), pixels = oh * ow;
  int64_t k = w.kh * w.kw * c;
  bool pointwise = w.kh == 1 && w.kw == 1 && w.strides[0] == 1 &&
                   w.strides[1] == 1 && it.getDimSize(1) == oh &&
                   it.getDimSize(2) == ow;
  // A window with a constant filter the packed kernel takes (any strides
  // and dilations, a strided 1x1 too): its rows are read from the image, no
  // im2col copy, in runs of a tap's channels or a window row's
  // (RowSource::imageRun). Runs under 16 floats keep the copy (a 1-wide
  // window on 3 channels), and so does an output of one row or column.
  int64_t run = RowSource::imageRun(c, w.kw, w.kw > 1 ? w.dilations[1] : 0);
  if (!pointwise && run >= 16 && oh > 1 && ow > 1 &&
      matchReshapedConstant(filter) && packsConstantWeights(k, f))
    return buildNhwcImageRowsConvAsMatmul(b, loc, input, filter, dest, rt, w);
  Value rows;
  if (pointwise) {
    rows = buildReshape(b, loc, input, {pixels, c});
  } else {
    // rows[oh][ow][kh][kw][c] = input[0][oh*s + kh*d][ow*s + kw*d][c].
    AffineExpr d0 = b.getAffineDimExpr(0), d1 = b.getAffineDimExpr(1);
    AffineExpr d2 = b.getAffineDimExpr(2), d3 = b.getAffineDimExpr(3);
    AffineExpr d4 = b.getAffineDimExpr(4);
    rows = buildCopyGeneric(
        b, loc, input,
        tensor::EmptyOp::create(b, loc,
                                ArrayRef<int64_t>{oh, ow, w.kh, w.kw, c}, et),
        AffineMap::get(5, 0,
                       {b.getAffineConstantExpr(0),
                        d0 * w.strides[0] + d2 * w.dilations[0],
                        d1 * w.strides[1] + d3 * w.dilations[1], d4},
                       ctx),
        b.getMultiDimIdentityMap(5));
    rows = buildReshape(b, loc, rows, {pixels, k});
  }
  return buildNhwcMatmul(b, loc, rows, filter, dest, rt);
}

/// Whether `op` is a static batch-1 NHWC convolution into a zero fill.
bool isNhwcCandidate(linalg::Conv2DNhwcHwcfOp op) {
  auto rt = cast<RankedTensorType>(op.getResultTypes()[0]);
  return rt.hasStaticShape() && rt.getDimSize(0) == 1 &&
         cast<ShapedType>(op.getDpsInputs()[0].getType()).hasStaticShape() &&
         cast<ShapedType>(op.getDpsInputs()[1].getType()).hasStaticShape() &&
         isZeroFill(op.getDpsInits()[0]);
}

} // namespace kiln::conv
