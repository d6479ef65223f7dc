//===- SpectralImporters.cpp - ONNX DFT and STFT as matmuls ---------------===//
//
// A discrete Fourier transform of static length along one axis is a
// product with two compile-time matrices (cosines and sines), applied to
// the real and imaginary parts: ONNX holds complex tensors as a trailing
// dim of 2 (a trailing 1 is a real signal). STFT gathers the frames, applies
// the window and transforms each frame the same way.
//
//===----------------------------------------------------------------------===//

#include "frontends/common/Composites.h"
#include "frontends/onnx/ImportContext.h"

#include "ir/ConstantData.h"

#include <cmath>

using namespace mlir;

namespace kiln::onnx_frontend {
namespace {

using Out = SmallVectorImpl<Value>;

/// A complex tensor as its real and (possibly absent) imaginary parts,
/// without ONNX's trailing dim.
struct Complex {
  Value re, im;
};

Complex splitComplex(NodeContext &nc, Value x) {
  RankedTensorType t = tensorTypeOf(x);
  int64_t r = t.getRank();
  SmallVector<int64_t> part(t.getShape()), at(r, 0), shape(t.getShape());
  part.back() = 1;
  shape.pop_back();
  Complex c{nc.reshape(nc.slice(x, at, part), shape), Value()};
  if (t.getShape().back() == 2) {
    at.back() = 1;
    c.im = nc.reshape(nc.slice(x, at, part), shape);
  }
  return c;
}

/// re and im stacked on a new trailing dim of 2.
Value joinComplex(NodeContext &nc, Complex c) {
  if (!c.re || !c.im)
    return {};
  SmallVector<int64_t> shape(tensorTypeOf(c.re).getShape());
  shape.push_back(1);
  return nc.create<ConcatOp>(
      ValueRange{nc.reshape(c.re, shape), nc.reshape(c.im, shape)},
      nc.builder.getI64IntegerAttr(int64_t(shape.size()) - 1));
}

/// The DFT of `x` along `axis` with `length` points: the input is cut or
/// zero-padded to it; `onesided` keeps the first length / 2 + 1 outputs
/// (inverse: reads a one-sided spectrum and gives a real signal).
Complex transform(NodeContext &nc, Complex x, int64_t axis, int64_t length,
                  bool inverse, bool onesided) {
  RankedTensorType t = tensorTypeOf(x.re);
  int64_t n = t.getDimSize(axis);
  bool toReal = inverse && onesided;
  int64_t k = toReal ? length : onesided ? length / 2 + 1 : length;
  double sign = inverse ? 1.0 : -1.0, scale = inverse ? 1.0 / length : 1.0;
  std::vector<double> cosines(n * k, 0.0), sines(n * k, 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < k; ++j) {
      // Input index i is time (or, for the one-sided inverse, frequency).
      if (toReal ? i > length / 2 : i >= length)
        continue;
      double angle = 2.0 * M_PI * double((i * j) % length) / double(length);
      // The one-sided inverse counts each frequency but 0 and length / 2
      // twice, for its mirror image.
      double weight = toReal && i != 0 && 2 * i != length ? 2.0 : 1.0;
      cosines[i * k + j] = scale * weight * std::cos(angle);
      sines[i * k + j] = scale * weight * sign * std::sin(angle);
    }
  auto mt = t.clone({n, k});
  Value c = ConstantOp::create(nc.builder, nc.loc, writeConstant(mt, cosines));
  Value s = ConstantOp::create(nc.builder, nc.loc, writeConstant(mt, sines));
  auto along = [&](Value v, Value m) { return buildMatMulAlong(nc, v, axis, m); };
  // (re + i im)(cos + i sign sin), the sign folded into `s`.
  Complex y{along(x.re, c), along(x.re, s)};
  if (x.im) {
    y.re = nc.create<SubOp>(y.re, along(x.im, s));
    y.im = nc.create<AddOp>(y.im, along(x.im, c));
  }
  if (toReal)
    y.im = Value();
  return y;
}

/// DFT(input[, dft_length][, axis]): axis an attribute (default 1) before
/// opset 20, an input (default -2) from it.
LogicalResult importDft(NodeContext &nc, Out &out) {
  RankedTensorType t = nc.inputType(0);
  int64_t rank = t.getRank();
  if (!t.hasStaticShape() || rank < 2 ||
      (t.getShape().back() != 1 && t.getShape().back() != 2))
    return nc.error() << "DFT needs a static input whose last dim is 1 (real)"
                      << " or 2 (complex), got " << t;
  int64_t axis = nc.opset >= 20 ? -2 : nc.intAttr("axis", 1);
  if (nc.opset >= 20 && nc.inputs.size() > 2 && nc.input(2)) {
    auto a = nc.constInts(2);
    if (!a || a->size() != 1)
      return nc.error() << "DFT's axis must be a constant scalar";
    axis = (*a)[0];
  }
  axis = normalizeAxis(axis, rank);
  if (axis < 0 || axis == rank - 1)
    return nc.error() << "DFT's axis must be a signal dim of " << t;
  bool inverse = nc.intAttr("inverse", 0), onesided = nc.intAttr("onesided", 0);
  int64_t n = t.getDimSize(axis);
  int64_t length = inverse && onesided ? 2 * (n - 1) : n;
  if (nc.inputs.size() > 1 && nc.input(1)) {
    auto l = nc.constInts(1);
    if (!l || l->size() != 1)
      return nc.error() << "DFT's dft_length must be a constant scalar";
    length = (*l)[0];
  }
  if (length < 1 || length > (int64_t(1) << 16))
    return nc.error() << "DFT length " << length << " out of range";
  // The sums run in float64: a float32 sum of n terms leaves errors of a
  // few ulps of the largest term in outputs that cancel to near zero.
  Type et = t.getElementType(), f64 = nc.builder.getF64Type();
  Complex y = transform(nc, splitComplex(nc, nc.castTo(nc.input(0), f64)),
                        axis, length, inverse, onesided);
  y = {nc.castTo(y.re, et), y.im ? nc.castTo(y.im, et) : Value()};
  if (inverse && onesided) {
    SmallVector<int64_t> shape(tensorTypeOf(y.re).getShape());
    shape.push_back(1);
    out.push_back(nc.reshape(y.re, shape));
  } else {
    out.push_back(joinComplex(nc, y));
  }
  return success(bool(out.back()));
}

/// STFT(signal, frame_step[, window][, frame_length]): the DFT of each
/// windowed frame; signal [batch, length, 1 or 2], result [batch, frames,
/// bins, 2].
LogicalResult importStft(NodeContext &nc, Out &out) {
  RankedTensorType t = nc.inputType(0);
  auto step = nc.constInts(1);
  if (!t.hasStaticShape() || t.getRank() != 3 || !step || step->size() != 1 ||
      (*step)[0] < 1)
    return nc.error() << "STFT needs a static [batch, length, 1 or 2] signal "
                         "and a constant positive frame_step";
  Value window = nc.inputs.size() > 2 ? nc.input(2) : Value();
  int64_t frameLength = window ? tensorTypeOf(window).getDimSize(0)
                               : t.getDimSize(1);
  if (nc.inputs.size() > 3 && nc.input(3)) {
    auto l = nc.constInts(3);
    if (!l || l->size() != 1)
      return nc.error() << "STFT's frame_length must be a constant scalar";
    frameLength = (*l)[0];
  }
  int64_t len = t.getDimSize(1);
  if (frameLength < 1 || frameLength > len)
    return nc.error() << "STFT frame_length " << frameLength
                      << " must be in [1, " << len << "]";
  int64_t frames = 1 + (len - frameLength) / (*step)[0];
  std::vector<int64_t> index;
  for (int64_t f = 0; f < frames; ++f)
    for (int64_t i = 0; i < frameLength; ++i)
      index.push_back(f * (*step)[0] + i);
  Value x = nc.create<GatherOp>(nc.input(0),
                                nc.reshape(nc.i64Const(index), {frames, frameLength}),
                                nc.builder.getI64IntegerAttr(1));
  if (window)
    x = nc.create<MulOp>(x, nc.reshape(window, {1, 1, frameLength, 1}));
  if (!x)
    return failure();
  Type et = t.getElementType(), f64 = nc.builder.getF64Type();
  Complex y = transform(nc, splitComplex(nc, nc.castTo(x, f64)), 2,
                        frameLength, false, nc.intAttr("onesided", 1));
  out.push_back(joinComplex(nc, {nc.castTo(y.re, et), nc.castTo(y.im, et)}));
  return success(bool(out.back()));
}

} // namespace

void registerSpectralImporters(ImporterRegistry &r) {
  r["DFT"] = importDft;
  r["STFT"] = importStft;
}

} // namespace kiln::onnx_frontend
