//===- NormalizationImporters.cpp - ONNX normalizations by formula --------===//
//
// InstanceNormalization, MeanVarianceNormalization, LRN (local response
// normalization across channels), GroupNormalization, RMSNormalization and
// LpNormalization, written with kiln reductions and elementwise ops.
// (BatchNormalization and LayerNormalization have kiln ops of their own: see
// NNImporters.cpp.)
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/ImportContext.h"

using namespace mlir;

namespace kiln::onnx_frontend {
namespace {

using Out = SmallVectorImpl<Value>;

/// (x - mean) / sqrt(var + eps) over `axes` (kept as size-1 dims).
Value standardize(NodeContext &nc, Value x, ArrayRef<int64_t> axes, double eps) {
  auto axesAttr = nc.builder.getDenseI64ArrayAttr(axes);
  auto keep = nc.builder.getBoolAttr(true);
  Type et = cast<RankedTensorType>(x.getType()).getElementType();
  Value centred = nc.create<SubOp>(x, nc.create<ReduceMeanOp>(x, axesAttr, keep));
  Value var = nc.create<ReduceMeanOp>(nc.create<MulOp>(centred, centred),
                                      axesAttr, keep);
  return nc.create<DivOp>(
      centred, nc.create<SqrtOp>(nc.create<AddOp>(var, nc.scalarConst(et, eps))));
}

/// A per-channel [C] vector shaped [C, 1, ...] to broadcast against an
/// [N, C, spatial...] tensor of rank `rank`.
Value perChannel(NodeContext &nc, Value v, int64_t rank) {
  auto t = cast<RankedTensorType>(v.getType());
  if (t.getRank() != 1) {
    nc.error() << "expects a 1-D per-channel tensor, got " << t;
    return {};
  }
  SmallVector<int64_t> shape(rank - 1, 1);
  shape[0] = t.getDimSize(0);
  return nc.reshape(v, shape);
}

LogicalResult importInstanceNorm(NodeContext &nc, Out &out) {
  int64_t rank = nc.inputType(0).getRank();
  if (rank < 3)
    return nc.error() << "InstanceNormalization needs an [N, C, D...] input";
  SmallVector<int64_t> spatial;
  for (int64_t d = 2; d < rank; ++d)
    spatial.push_back(d);
  Value y = standardize(nc, nc.input(0), spatial, nc.floatAttr("epsilon", 1e-5f));
  Value scale = perChannel(nc, nc.input(1), rank);
  Value bias = scale ? perChannel(nc, nc.input(2), rank) : Value();
  if (!y || !bias)
    return failure();
  out.push_back(nc.create<AddOp>(nc.create<MulOp>(y, scale), bias));
  return success(bool(out.back()));
}

/// MeanVarianceNormalization over `axes` (default N, H, W), with ONNX's
/// epsilon of 1e-9 under the square root.
LogicalResult importMeanVarianceNorm(NodeContext &nc, Out &out) {
  int64_t rank = nc.inputType(0).getRank();
  std::vector<int64_t> axes = nc.intsAttr("axes").value_or(
      std::vector<int64_t>{0, 2, 3});
  SmallVector<int64_t> sorted;
  for (int64_t a : axes) {
    int64_t d = normalizeAxis(a, rank);
    if (d < 0)
      return nc.error() << "axis " << a << " out of range for rank " << rank;
    sorted.push_back(d);
  }
  llvm::sort(sorted);
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  out.push_back(standardize(nc, nc.input(0), sorted, 1e-9));
  return success(bool(out.back()));
}

/// GroupNormalization (opset 18, 21): channels split into num_groups
/// groups, each standardized over its channels and spatial dims, then
/// scaled and shifted per channel (opset 21's [C] scale and bias) or per
/// group (opset 18's [num_groups] ones).
LogicalResult importGroupNorm(NodeContext &nc, Out &out) {
  auto t = nc.inputType(0);
  int64_t groups = nc.intAttr("num_groups", 0);
  if (t.getRank() < 3 || !t.hasStaticShape() || groups < 1 ||
      t.getDimSize(1) % groups)
    return nc.error() << "GroupNormalization needs a static [N, C, D...] "
                         "input with C a multiple of num_groups, got " << t;
  int64_t n = t.getDimSize(0), c = t.getDimSize(1);
  Value grouped = nc.reshape(nc.input(0), {n, groups, t.getNumElements() / (n * groups)});
  Value y = standardize(nc, grouped, {2}, nc.floatAttr("epsilon", 1e-5f));
  y = nc.reshape(y, t.getShape());
  Value affine[2];
  for (int i = 0; i < 2; ++i) {
    Value v = nc.input(1 + i);
    auto vt = cast<RankedTensorType>(v.getType());
    if (vt.getRank() != 1 ||
        (vt.getDimSize(0) != c && vt.getDimSize(0) != groups))
      return nc.error() << "GroupNormalization scale and bias must have C or "
                           "num_groups elements, got " << vt;
    if (vt.getDimSize(0) != c) // one value per group: repeat it per channel
      v = nc.reshape(nc.create<BroadcastToOp>(vt.clone({groups, c / groups}),
                                              nc.reshape(v, {groups, 1}),
                                              nc.i64Const({groups, c / groups})),
                     {c});
    affine[i] = perChannel(nc, v, t.getRank());
  }
  if (!y || !affine[0] || !affine[1])
    return failure();
  out.push_back(nc.create<AddOp>(nc.create<MulOp>(y, affine[0]), affine[1]));
  return success(bool(out.back()));
}

/// RMSNormalization (opset 23): x / sqrt(mean(x^2) + epsilon) over the dims
/// from `axis` on, times scale.
LogicalResult importRmsNorm(NodeContext &nc, Out &out) {
  auto t = nc.inputType(0);
  int64_t axis = normalizeAxis(nc.intAttr("axis", -1), t.getRank());
  if (axis < 0)
    return nc.error() << "axis out of range";
  SmallVector<int64_t> axes;
  for (int64_t d = axis; d < t.getRank(); ++d)
    axes.push_back(d);
  Value x = nc.input(0);
  Value ms = nc.create<ReduceMeanOp>(nc.create<MulOp>(x, x),
                                     nc.builder.getDenseI64ArrayAttr(axes),
                                     nc.builder.getBoolAttr(true));
  Value rms = nc.create<SqrtOp>(nc.create<AddOp>(
      ms, nc.scalarConst(t.getElementType(), nc.floatAttr("epsilon", 1e-5f))));
  out.push_back(nc.create<MulOp>(nc.create<DivOp>(x, rms), nc.input(1)));
  return success(bool(out.back()));
}

/// LRN: x / (bias + alpha / size * sum of x^2 over the `size` channels
/// around c)^beta; the window runs from c - floor((size-1)/2) to c +
/// ceil((size-1)/2), clipped to the channels.
LogicalResult importLrn(NodeContext &nc, Out &out) {
  auto t = nc.inputType(0);
  int64_t size = nc.intAttr("size", 0);
  if (t.getRank() < 3 || size < 1)
    return nc.error() << "LRN needs an [N, C, D...] input and a positive size";
  if (ShapedType::isDynamic(t.getDimSize(1)))
    return nc.error() << "LRN needs a static channel count";
  int64_t lo = (size - 1) / 2, hi = size - 1 - lo, channels = t.getDimSize(1);
  Type et = t.getElementType();
  Value x = nc.input(0);
  Value sq = nc.create<MulOp>(x, x);
  SmallVector<int64_t> pads(2 * t.getRank(), 0);
  pads[1] = lo;
  pads[t.getRank() + 1] = hi;
  Value padded = nc.create<PadOp>(sq, nc.builder.getDenseI64ArrayAttr(pads),
                                  nc.builder.getF64FloatAttr(0.0));
  if (!padded)
    return failure();
  auto paddedShape = cast<RankedTensorType>(padded.getType()).getShape();
  Value sum;
  for (int64_t k = 0; k < size; ++k) {
    SmallVector<int64_t> offsets(t.getRank(), 0), sizes(paddedShape),
        strides(t.getRank(), 1);
    offsets[1] = k;
    sizes[1] = channels;
    Value window = nc.slice(padded, offsets, sizes, strides);
    sum = sum ? nc.create<AddOp>(sum, window) : window;
  }
  double alpha = nc.floatAttr("alpha", 1e-4f), beta = nc.floatAttr("beta", 0.75f);
  double bias = nc.floatAttr("bias", 1.0f);
  Value denom = nc.create<AddOp>(
      nc.create<MulOp>(sum, nc.scalarConst(et, alpha / double(size))),
      nc.scalarConst(et, bias));
  denom = nc.create<PowOp>(denom, nc.scalarConst(et, beta));
  out.push_back(nc.create<DivOp>(x, denom));
  return success(bool(out.back()));
}

/// LpNormalization: x / ||x||_p along `axis` (p is 1 or 2); 0 where the
/// norm is 0.
LogicalResult importLpNorm(NodeContext &nc, Out &out) {
  Value x = nc.input(0);
  int64_t rank = nc.inputType(0).getRank();
  int64_t axis = normalizeAxis(nc.intAttr("axis", -1), rank);
  int64_t p = nc.intAttr("p", 2);
  if (axis < 0)
    return nc.error() << "axis out of range for rank " << rank;
  if (p != 1 && p != 2)
    return nc.error() << "LpNormalization's p must be 1 or 2, got " << p;
  auto axes = nc.builder.getDenseI64ArrayAttr({axis});
  auto keep = nc.builder.getBoolAttr(true);
  Value norm = p == 1 ? nc.create<ReduceSumOp>(nc.create<AbsOp>(x), axes, keep)
                      : nc.create<SqrtOp>(nc.create<ReduceSumOp>(
                            nc.create<MulOp>(x, x), axes, keep));
  // A zero norm gives zeros (ONNX's reference), not 0 / 0.
  Type et = nc.inputType(0).getElementType();
  Value zero = nc.scalarConst(et, 0.0);
  Value isZero = nc.create<EqualOp>(norm, zero);
  Value safe = nc.create<SelectOp>(isZero, nc.scalarConst(et, 1.0), norm);
  out.push_back(nc.create<SelectOp>(isZero, zero, nc.create<DivOp>(x, safe)));
  return success(bool(out.back()));
}

} // namespace

void registerNormalizationImporters(ImporterRegistry &r) {
  r["InstanceNormalization"] = importInstanceNorm;
  r["MeanVarianceNormalization"] = importMeanVarianceNorm;
  r["LRN"] = importLrn;
  r["GroupNormalization"] = importGroupNorm;
  r["RMSNormalization"] = importRmsNorm;
  r["LpNormalization"] = importLpNorm;
}

} // namespace kiln::onnx_frontend
