//===- GridSampleImporter.cpp - ONNX GridSample and AffineGrid ------------===//
//
// Each output pixel reads the input at the point its grid entry names
// ((x, y) in [-1, 1], mapped to pixels with or without align_corners):
// the nearest pixel (rounded half to even), the bilinear blend of the four
// around it or the bicubic blend (A = -0.75) of sixteen. Points outside are
// clamped (border), mirrored (reflection) or read as zeros. The grid is a
// run-time input, so the pixel indices are computed in the graph and read
// with kiln.gather_nd. 4-D inputs. AffineGrid makes such a grid from affine
// matrices.
//
//===----------------------------------------------------------------------===//

#include "frontends/common/Composites.h"
#include "frontends/onnx/ImportContext.h"

#include "ir/ConstantData.h"

#include <array>

using namespace mlir;

namespace kiln::onnx_frontend {
namespace {

using Out = SmallVectorImpl<Value>;

class GridSample {
public:
  explicit GridSample(NodeContext &nc) : nc(nc) {}
  LogicalResult run(Out &out);

private:
  Value c(double v) { return nc.scalarConst(et, v); }
  Value where(Value cond, Value a, Value b) { return nc.create<SelectOp>(cond, a, b); }
  /// x mirrored at lo and hi until it lies between them.
  Value reflect(Value x, double lo, double hi);
  /// Coordinate x (already mapped to pixels) of a dim of size d, with the
  /// padding mode applied to points outside [lo, hi].
  Value pad(Value x, int64_t d, double lo, double hi);
  /// The pixels at integer coordinates (y, x): [N, Ho, Wo, C], with zeros
  /// where a coordinate is outside (zeros mode).
  Value fetch(Value y, Value x);
  /// Bicubic blend (A = -0.75) of the 4 x 4 pixels around (y, x).
  Value cubic(Value y, Value x);

  NodeContext &nc;
  Type et;
  std::string padding;
  int64_t height = 0, width = 0;
  double loY = 0, hiY = 0, loX = 0, hiX = 0;
  Value image; // [N, H, W, C]
};

Value GridSample::reflect(Value x, double lo, double hi) {
  Value below = nc.create<LessOp>(x, c(lo)), above = nc.create<GreaterOp>(x, c(hi));
  Value dx = where(below, nc.create<SubOp>(c(lo), x),
                   where(above, nc.create<SubOp>(x, c(hi)), c(0.0)));
  double range = hi - lo;
  Value n = nc.create<FloorOp>(nc.create<DivOp>(dx, c(range)));
  Value r = nc.create<SubOp>(dx, nc.create<MulOp>(n, c(range)));
  Value even = nc.create<EqualOp>(nc.create<FloorModOp>(n, c(2.0)), c(0.0));
  Value fromLo = nc.create<AddOp>(c(lo), r), fromHi = nc.create<SubOp>(c(hi), r);
  return where(below, where(even, fromLo, fromHi),
               where(above, where(even, fromHi, fromLo), x));
}

Value GridSample::pad(Value x, int64_t d, double lo, double hi) {
  if (padding == "border")
    return nc.create<ClipOp>(x, nc.builder.getF64FloatAttr(0.0),
                             nc.builder.getF64FloatAttr(double(d - 1)));
  if (padding == "reflection")
    return reflect(x, lo, hi);
  return x;
}

Value GridSample::fetch(Value y, Value x) {
  auto i64 = nc.builder.getI64Type();
  Value inside;
  if (padding == "zeros") {
    auto within = [&](Value v, int64_t d) {
      return nc.create<AndOp>(nc.create<GreaterEqualOp>(v, c(0.0)),
                              nc.create<LessEqualOp>(v, c(double(d - 1))));
    };
    inside = nc.create<AndOp>(within(y, height), within(x, width));
  } else if (padding == "reflection") {
    y = reflect(y, loY, hiY);
    x = reflect(x, loX, hiX);
  }
  // Clamped (border, and in range for the gather; zeros masks it after).
  y = nc.create<ClipOp>(y, nc.builder.getF64FloatAttr(0.0),
                        nc.builder.getF64FloatAttr(double(height - 1)));
  x = nc.create<ClipOp>(x, nc.builder.getF64FloatAttr(0.0),
                        nc.builder.getF64FloatAttr(double(width - 1)));
  auto gs = tensorTypeOf(y).getShape();
  SmallVector<int64_t> tuple = {gs[0], gs[1], gs[2], 1};
  Value yi = nc.reshape(nc.castTo(y, i64), tuple);
  Value xi = nc.reshape(nc.castTo(x, i64), tuple);
  Value idx = nc.create<ConcatOp>(ValueRange{yi, xi}, nc.builder.getI64IntegerAttr(3));
  Value v = nc.create<GatherNdOp>(image, idx, nc.builder.getI64IntegerAttr(1));
  if (inside && v)
    v = where(nc.reshape(inside, tuple), v, c(0.0));
  return v;
}

Value GridSample::cubic(Value y, Value x) {
  const double a = -0.75;
  // The four weights of taps -1, 0, 1, 2 at fraction t.
  auto weights = [&](Value t) {
    auto far = [&](Value u) { // ((a u - 5a) u + 8a) u - 4a, u in [1, 2]
      Value p = nc.create<SubOp>(nc.create<MulOp>(u, c(a)), c(5 * a));
      p = nc.create<AddOp>(nc.create<MulOp>(p, u), c(8 * a));
      return nc.create<SubOp>(nc.create<MulOp>(p, u), c(4 * a));
    };
    auto near = [&](Value u) { // ((a + 2) u - (a + 3)) u^2 + 1, u in [0, 1]
      Value p = nc.create<SubOp>(nc.create<MulOp>(u, c(a + 2)), c(a + 3));
      return nc.create<AddOp>(
          nc.create<MulOp>(p, nc.create<MulOp>(u, u)), c(1.0));
    };
    Value one = c(1.0);
    return std::array<Value, 4>{far(nc.create<AddOp>(t, one)), near(t),
                                near(nc.create<SubOp>(one, t)),
                                far(nc.create<SubOp>(c(2.0), t))};
  };
  Value x0 = nc.create<FloorOp>(x), y0 = nc.create<FloorOp>(y);
  auto wx = weights(nc.create<SubOp>(x, x0));
  auto wy = weights(nc.create<SubOp>(y, y0));
  auto gs = tensorTypeOf(y).getShape();
  SmallVector<int64_t> col = {gs[0], gs[1], gs[2], 1};
  Value r;
  for (int dy = 0; dy < 4; ++dy)
    for (int dx = 0; dx < 4; ++dx) {
      Value v = fetch(nc.create<AddOp>(y0, c(dy - 1.0)),
                      nc.create<AddOp>(x0, c(dx - 1.0)));
      Value w = nc.create<MulOp>(wy[dy], wx[dx]);
      Value term = v ? nc.create<MulOp>(v, nc.reshape(w, col)) : Value();
      r = r && term ? nc.create<AddOp>(r, term) : term;
    }
  return r;
}

LogicalResult GridSample::run(Out &out) {
  RankedTensorType xt = nc.inputType(0), gt = nc.inputType(1);
  if (xt.getRank() != 4 || gt.getRank() != 4 || !xt.hasStaticShape() ||
      !gt.hasStaticShape() || gt.getDimSize(3) != 2)
    return nc.error() << "GridSample needs a static [N, C, H, W] input and an "
                         "[N, Ho, Wo, 2] grid";
  et = xt.getElementType();
  std::string mode = nc.stringAttr("mode", nc.opset >= 20 ? "linear" : "bilinear");
  padding = nc.stringAttr("padding_mode", "zeros");
  if (mode == "bilinear")
    mode = "linear";
  if (mode == "bicubic")
    mode = "cubic";
  if (mode != "linear" && mode != "nearest" && mode != "cubic")
    return nc.error() << "GridSample mode '" << mode << "' is not supported";
  if (padding != "zeros" && padding != "border" && padding != "reflection")
    return nc.error() << "unknown padding_mode '" << padding << "'";
  bool align = nc.intAttr("align_corners", 0);
  height = xt.getDimSize(2);
  width = xt.getDimSize(3);
  loY = align ? 0.0 : -0.5, hiY = align ? height - 1.0 : height - 0.5;
  loX = align ? 0.0 : -0.5, hiX = align ? width - 1.0 : width - 0.5;
  image = nc.transpose(nc.input(0), {0, 2, 3, 1});
  auto gs = gt.getShape();
  auto &b = nc.builder;
  auto component = [&](int64_t k) {
    Value s = nc.slice(nc.input(1), {0, 0, 0, k}, {gs[0], gs[1], gs[2], 1}, {1, 1, 1, 1});
    return nc.reshape(s, {gs[0], gs[1], gs[2]});
  };
  auto toPixels = [&](Value g, int64_t d) -> Value {
    // align_corners: (g + 1) / 2 (d - 1); else ((g + 1) d - 1) / 2.
    Value g1 = nc.create<AddOp>(g, c(1.0));
    return align ? nc.create<MulOp>(g1, c((d - 1) / 2.0))
                 : nc.create<DivOp>(nc.create<SubOp>(nc.create<MulOp>(g1, c(double(d))),
                                                     c(1.0)),
                                    c(2.0));
  };
  Value x = toPixels(component(0), width), y = toPixels(component(1), height);
  if (mode == "nearest") {
    x = nc.create<RoundOp>(x);
    y = nc.create<RoundOp>(y);
  }
  x = pad(x, width, loX, hiX);
  y = pad(y, height, loY, hiY);
  Value r;
  if (mode == "nearest") {
    r = fetch(y, x);
  } else if (mode == "cubic") {
    r = cubic(y, x);
  } else {
    Value x0 = nc.create<FloorOp>(x), y0 = nc.create<FloorOp>(y);
    Value wx = nc.create<SubOp>(x, x0), wy = nc.create<SubOp>(y, y0);
    SmallVector<int64_t> col = {gs[0], gs[1], gs[2], 1};
    for (int dy = 0; dy < 2; ++dy)
      for (int dx = 0; dx < 2; ++dx) {
        Value w = nc.create<MulOp>(dx ? wx : nc.create<SubOp>(c(1.0), wx),
                                   dy ? wy : nc.create<SubOp>(c(1.0), wy));
        Value v = fetch(dy ? nc.create<AddOp>(y0, c(1.0)) : y0,
                        dx ? nc.create<AddOp>(x0, c(1.0)) : x0);
        Value term = v ? nc.create<MulOp>(v, nc.reshape(w, col)) : Value();
        r = r && term ? nc.create<AddOp>(r, term) : term;
      }
  }
  out.push_back(r ? nc.transpose(r, {0, 3, 1, 2})
                  : Value());
  return success(bool(out.back()) && !nc.failedOp);
}

LogicalResult importGridSample(NodeContext &nc, Out &out) {
  return GridSample(nc).run(out);
}

/// AffineGrid(theta, size): the sampling grid GridSample reads, each point
/// theta[n] applied to the homogeneous pixel centre (x, y[, z], 1) of an
/// output of `size` ([N, C, H, W] or [N, C, D, H, W], a constant), with
/// coordinates in [-1, 1] (corners at +-1 with align_corners).
LogicalResult importAffineGrid(NodeContext &nc, Out &out) {
  auto size = nc.constInts(1);
  RankedTensorType tt = nc.inputType(0);
  if (!size || (size->size() != 4 && size->size() != 5))
    return nc.error() << "AffineGrid needs a constant size of 4 or 5 dims";
  int64_t spatial = int64_t(size->size()) - 2, n = (*size)[0];
  if (!tt.hasStaticShape() || tt.getRank() != 3 || tt.getDimSize(0) != n ||
      tt.getDimSize(1) != spatial || tt.getDimSize(2) != spatial + 1)
    return nc.error() << "AffineGrid's theta must be [" << n << ", "
                      << spatial << ", " << spatial + 1 << "], got " << tt;
  bool corners = nc.intAttr("align_corners", 0);
  auto coord = [&](int64_t i, int64_t dim) {
    if (corners)
      return dim > 1 ? -1.0 + 2.0 * double(i) / double(dim - 1) : -1.0;
    return -1.0 + (2.0 * double(i) + 1.0) / double(dim);
  };
  // Points in row-major order of (D,) H, W; columns x, y, (z,) 1.
  SmallVector<int64_t> dims(size->begin() + 2, size->end());
  int64_t points = 1;
  for (int64_t d : dims)
    points *= d;
  std::vector<double> base;
  for (int64_t p = 0; p < points; ++p) {
    SmallVector<int64_t> at(spatial);
    for (int64_t d = spatial - 1, rest = p; d >= 0; --d) {
      at[d] = rest % dims[d];
      rest /= dims[d];
    }
    for (int64_t d = spatial - 1; d >= 0; --d) // x is the last dim
      base.push_back(coord(at[d], dims[d]));
    base.push_back(1.0);
  }
  Type et = tt.getElementType();
  Value grid = ConstantOp::create(
      nc.builder, nc.loc,
      writeConstant(RankedTensorType::get({1, points, spatial + 1}, et), base));
  Value r = buildNumpyMatMul(nc, grid, nc.transpose(nc.input(0), {0, 2, 1}));
  SmallVector<int64_t> shape{n};
  shape.append(dims.begin(), dims.end());
  shape.push_back(spatial);
  out.push_back(r ? nc.reshape(r, shape) : r);
  return success(bool(out.back()));
}

} // namespace

void registerGridSampleImporters(ImporterRegistry &r) {
  r["GridSample"] = importGridSample;
  r["AffineGrid"] = importAffineGrid;
}

} // namespace kiln::onnx_frontend
