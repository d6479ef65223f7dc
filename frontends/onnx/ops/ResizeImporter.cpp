//===- ResizeImporter.cpp - ONNX Resize and Upsample ----------------------===//
//
// Resize is separable, so each resized axis is applied on its own with the
// weights of ResizeWeights: a kiln.gather of constant indices when every
// output sample copies one input sample (nearest), else a matmul with the
// constant weight matrix along that axis. Every mode, coordinate
// transformation, exclude_outside, antialias and tf_crop_and_resize's
// extrapolation follow from those weights. Scales and sizes must be
// constants and the input shape static.
//
//===----------------------------------------------------------------------===//

#include "frontends/common/Composites.h"
#include "frontends/onnx/ImportContext.h"
#include "frontends/onnx/ops/ResizeWeights.h"

#include "ir/ConstantData.h"

#include <cmath>
#include <numeric>

using namespace mlir;

namespace kiln::onnx_frontend {
namespace {

using Out = SmallVectorImpl<Value>;

/// `x` with dim `axis` replaced by `weights` (out x in) applied along it.
Value applyAxis(NodeContext &nc, Value x, int64_t axis,
                const ResizeWeights &w, int64_t in, int64_t out) {
  auto t = cast<RankedTensorType>(x.getType());
  if (auto indices = w.gatherIndices(in)) {
    std::vector<int64_t> iota(in);
    std::iota(iota.begin(), iota.end(), 0);
    if (in == out && *indices == iota)
      return x; // an identity along this axis
    return nc.create<GatherOp>(x, nc.i64Const(*indices),
                               nc.builder.getI64IntegerAttr(axis));
  }
  if (!isa<FloatType>(t.getElementType())) {
    nc.error() << "Resize of " << t << " needs the nearest mode: other modes "
               << "interpolate, which only floating-point types allow";
    return {};
  }
  std::vector<double> transposed(in * out);
  for (int64_t o = 0; o < out; ++o)
    for (int64_t i = 0; i < in; ++i)
      transposed[i * out + o] = w.weights[o * in + i];
  Value m = ConstantOp::create(nc.builder, nc.loc,
                               writeConstant(t.clone({in, out}), transposed));
  return buildMatMulAlong(nc, x, axis, m);
}

/// Resize (X, roi, scales, sizes). Models from before opset 11 (Upsample,
/// and Resize-10, both converted to this form by ONNX's version converter)
/// meant asymmetric coordinates and floor rounding, which the converter
/// does not write down.
LogicalResult importResize(NodeContext &nc, Out &out) {
  RankedTensorType t = nc.inputType(0);
  if (!t.hasStaticShape())
    return nc.error() << "Resize needs a static input shape, got " << t
                      << " (give it with --input-shape)";
  int64_t rank = t.getRank();
  ResizeMode m;
  m.mode = nc.stringAttr("mode", "nearest");
  m.coordinates = nc.stringAttr("coordinate_transformation_mode", "half_pixel");
  m.nearest = nc.stringAttr("nearest_mode", "round_prefer_floor");
  m.cubicA = nc.floatAttr("cubic_coeff_a", -0.75f);
  m.excludeOutside = nc.intAttr("exclude_outside", 0);
  m.antialias = nc.intAttr("antialias", 0);
  if (nc.sourceOpset < 11) {
    m.coordinates = "asymmetric";
    m.nearest = "floor";
  }
  if (m.mode == "bilinear") // Upsample-7's name
    m.mode = "linear";

  SmallVector<int64_t> axes;
  if (auto a = nc.intsAttr("axes")) {
    for (int64_t v : *a) {
      int64_t d = normalizeAxis(v, rank);
      if (d < 0)
        return nc.error() << "Resize axis " << v << " out of range";
      axes.push_back(d);
    }
  } else {
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  }
  size_t n = axes.size();
  std::vector<ResizeAxis> dims(n);
  for (size_t k = 0; k < n; ++k)
    dims[k].in = t.getDimSize(axes[k]);

  if (m.coordinates == "tf_crop_and_resize") {
    auto roi = nc.constFloats(1);
    if (!roi || roi->size() != 2 * n)
      return nc.error() << "tf_crop_and_resize needs a constant roi of "
                        << 2 * n << " values";
    for (size_t k = 0; k < n; ++k) {
      dims[k].roiStart = (*roi)[k];
      dims[k].roiEnd = (*roi)[k + n];
    }
  }
  auto sizes = nc.input(3) ? nc.constInts(3) : std::nullopt;
  auto scales = nc.input(2) ? nc.constFloats(2) : std::nullopt;
  if (sizes && !sizes->empty()) {
    if (sizes->size() != n)
      return nc.error() << "Resize sizes must have " << n << " values";
    std::string policy = nc.stringAttr("keep_aspect_ratio_policy", "stretch");
    double common = policy == "not_smaller" ? 0.0 : INFINITY;
    for (size_t k = 0; k < n; ++k) {
      double s = double((*sizes)[k]) / double(dims[k].in);
      common = policy == "not_smaller" ? std::max(common, s) : std::min(common, s);
    }
    for (size_t k = 0; k < n; ++k) {
      if (policy == "stretch") {
        dims[k].out = (*sizes)[k];
        dims[k].scale = double(dims[k].out) / double(dims[k].in);
      } else if (policy == "not_larger" || policy == "not_smaller") {
        dims[k].scale = common;
        dims[k].out = int64_t(std::nearbyint(common * double(dims[k].in)));
      } else {
        return nc.error() << "unknown keep_aspect_ratio_policy '" << policy
                          << "'";
      }
    }
  } else if (scales && scales->size() == n) {
    for (size_t k = 0; k < n; ++k) {
      dims[k].scale = (*scales)[k];
      double span = m.coordinates == "tf_crop_and_resize"
                        ? dims[k].roiEnd - dims[k].roiStart
                        : 1.0;
      dims[k].out = int64_t(std::floor(double(dims[k].in) * span *
                                       dims[k].scale));
    }
  } else {
    return nc.error() << "Resize needs constant scales or sizes, one per "
                         "resized axis (" << n << ")";
  }

  Value x = nc.input(0), outside;
  auto &b = nc.builder;
  for (size_t k = 0; k < n && x; ++k) {
    if (dims[k].out < 1 || !(dims[k].scale > 0))
      return nc.error() << "Resize to an empty or negative size";
    ResizeWeights w = resizeWeights(m, dims[k]);
    if (!w.error.empty())
      return nc.error() << w.error;
    x = applyAxis(nc, x, axes[k], w, dims[k].in, dims[k].out);
    if (llvm::none_of(w.outside, [](bool o) { return o; }))
      continue;
    SmallVector<int64_t> shape(rank, 1);
    shape[axes[k]] = dims[k].out;
    std::vector<double> flags(w.outside.begin(), w.outside.end());
    Value mask = ConstantOp::create(
        b, nc.loc, writeConstant(RankedTensorType::get(shape, b.getI1Type()),
                                 flags));
    outside = outside ? nc.create<OrOp>(outside, mask) : mask;
  }
  if (x && outside)
    x = nc.create<SelectOp>(
        outside,
        nc.scalarConst(t.getElementType(),
                       nc.floatAttr("extrapolation_value", 0.0f)),
        x);
  out.push_back(x);
  return success(bool(out.back()));
}

} // namespace

void registerResizeImporters(ImporterRegistry &r) {
  r["Resize"] = importResize;
}

} // namespace kiln::onnx_frontend
