//===- QuantizationImporters.cpp - ONNX linear quantization ---------------===//
//
// QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, MatMulInteger,
// ConvInteger, QLinearMatMul and QLinearConv. The integer products are
// computed exactly in float64 (int8 x int8 products summed over any
// realistic reduction stay far below 2^53), then scaled, rounded half to
// even, shifted by the zero point and saturated into the 8-bit type, as
// ONNX specifies.
//
//===----------------------------------------------------------------------===//

#include "frontends/common/Composites.h"
#include "frontends/onnx/ops/ConvWindow.h"

#include <cmath>

using namespace mlir;

namespace kiln::onnx_frontend {
namespace {

using Out = SmallVectorImpl<Value>;

/// A scale or zero point of `x` (rank `rank`): a scalar stays, a 1-D one
/// is laid along `axis` for broadcasting, a blocked one (block_size, of
/// x's rank) is spread over its blocks.
Value alongAxis(NodeContext &nc, Value v, int64_t axis, int64_t rank) {
  auto t = tensorTypeOf(v);
  int64_t block = nc.intAttr("block_size", 0);
  if (block > 0 && t.getRank() == rank && rank > 0) {
    // Blocked: each element covers `block` consecutive elements of x along
    // `axis`; gathering element i / block spreads it over them.
    int64_t d = nc.inputType(0).getDimSize(axis);
    if (ShapedType::isDynamic(d) || t.getDimSize(axis) != (d + block - 1) / block) {
      nc.error() << "a blocked scale or zero point needs "
                 << (d + block - 1) / block << " blocks along axis " << axis
                 << " of " << nc.inputType(0) << ", got " << t;
      return {};
    }
    std::vector<int64_t> index(d);
    for (int64_t i = 0; i < d; ++i)
      index[i] = i / block;
    return nc.create<GatherOp>(v, nc.i64Const(index),
                               nc.builder.getI64IntegerAttr(axis));
  }
  if (t.getRank() == 0 || t.getNumElements() == 1)
    return nc.reshape(v, {});
  SmallVector<int64_t> shape(rank, 1);
  shape[axis] = t.getDimSize(0);
  return nc.reshape(v, shape);
}

/// v - zero point, in `et` (the zero point absent: v).
Value centred(NodeContext &nc, Value v, Value zeroPoint, Type et, int64_t axis) {
  Value x = nc.castTo(v, et);
  if (!zeroPoint || !x)
    return x;
  int64_t rank = tensorTypeOf(v).getRank();
  return nc.create<SubOp>(x, nc.castTo(alongAxis(nc, zeroPoint, axis, rank), et));
}

/// saturate(round(y) + zero point) into `qt` (an integer type).
Value requantize(NodeContext &nc, Value y, Value zeroPoint, Type qt,
                 int64_t axis) {
  if (!y)
    return {};
  Type et = tensorTypeOf(y).getElementType();
  y = nc.create<RoundOp>(y);
  if (zeroPoint)
    y = nc.create<AddOp>(
        y, nc.castTo(alongAxis(nc, zeroPoint, axis, tensorTypeOf(y).getRank()), et));
  bool isUnsigned = qt.isUnsignedInteger();
  unsigned width = qt.getIntOrFloatBitWidth();
  double lo = isUnsigned ? 0.0 : -std::ldexp(1.0, width - 1);
  double hi = isUnsigned ? std::ldexp(1.0, width) - 1 : std::ldexp(1.0, width - 1) - 1;
  y = nc.create<ClipOp>(y, nc.builder.getF64FloatAttr(lo),
                        nc.builder.getF64FloatAttr(hi));
  return nc.castTo(y, qt);
}

/// The quantized type: the zero point's, else output_dtype's, else uint8.
Type quantizedType(NodeContext &nc, Value zeroPoint) {
  if (zeroPoint)
    return tensorTypeOf(zeroPoint).getElementType();
  if (int64_t dtype = nc.intAttr("output_dtype", 0))
    return elementTypeFor(nc.builder.getContext(), int(dtype));
  return IntegerType::get(nc.builder.getContext(), 8, IntegerType::Unsigned);
}

int64_t quantAxis(NodeContext &nc) {
  int64_t rank = nc.inputType(0).getRank();
  return normalizeAxis(nc.intAttr("axis", 1), std::max<int64_t>(rank, 1));
}

LogicalResult importQuantize(NodeContext &nc, Out &out) {
  int64_t axis = quantAxis(nc);
  Type qt = quantizedType(nc, nc.input(2));
  if (!qt || qt.isInteger(1) || qt.getIntOrFloatBitWidth() > 16)
    return nc.error() << "QuantizeLinear's output type must be an 8-bit "
                         "float or an integer of 16 bits or fewer";
  Value x = nc.input(0);
  Type et = nc.inputType(0).getElementType();
  Value y = nc.create<DivOp>(
      x, nc.castTo(alongAxis(nc, nc.input(1), axis, tensorTypeOf(x).getRank()), et));
  if (isa<FloatType>(qt)) {
    // Float results are not rounded to integers: x / scale (+ a zero point,
    // which must be 0 for these types) cast as Cast would, saturating by
    // default.
    if (y && nc.input(2))
      y = nc.create<AddOp>(y, nc.castTo(alongAxis(nc, nc.input(2), axis,
                                                  tensorTypeOf(y).getRank()),
                                        et));
    out.push_back(y ? castWithSaturate(nc, y, qt) : y);
    return success(bool(out.back()));
  }
  out.push_back(requantize(nc, y, nc.input(2), qt, axis));
  return success(bool(out.back()));
}

LogicalResult importDequantize(NodeContext &nc, Out &out) {
  int64_t axis = quantAxis(nc);
  Value scale = nc.input(1);
  Type et = tensorTypeOf(scale).getElementType();
  int64_t rank = nc.inputType(0).getRank();
  Value x = centred(nc, nc.input(0), nc.input(2), et, axis);
  out.push_back(x ? nc.create<MulOp>(x, alongAxis(nc, scale, axis, rank)) : x);
  return success(bool(out.back()));
}

/// DynamicQuantizeLinear: uint8 with the scale and zero point that map
/// [min(0, min x), max(0, max x)] onto [0, 255].
LogicalResult importDynamicQuantize(NodeContext &nc, Out &out) {
  Value x = nc.input(0);
  auto t = nc.inputType(0);
  Type et = t.getElementType();
  SmallVector<int64_t> all;
  for (int64_t d = 0; d < t.getRank(); ++d)
    all.push_back(d);
  auto axes = nc.builder.getDenseI64ArrayAttr(all);
  auto drop = nc.builder.getBoolAttr(false);
  Value zero = nc.scalarConst(et, 0.0);
  Value lo = nc.create<MinOp>(nc.create<ReduceMinOp>(x, axes, drop), zero);
  Value hi = nc.create<MaxOp>(nc.create<ReduceMaxOp>(x, axes, drop), zero);
  Value scale = nc.create<DivOp>(nc.create<SubOp>(hi, lo), nc.scalarConst(et, 255.0));
  Type u8 = IntegerType::get(nc.builder.getContext(), 8, IntegerType::Unsigned);
  Value zp = requantize(nc, nc.create<DivOp>(nc.create<NegOp>(lo), scale), {},
                        u8, 0);
  out.push_back(requantize(nc, nc.create<DivOp>(x, scale), zp, u8, 0));
  out.append({scale, zp});
  return success(bool(out.front()));
}

/// MatMulInteger: (A - a_zp) (B - b_zp) in int32; a_zp per row of A or
/// b_zp per column of B when 1-D.
Value integerMatMul(NodeContext &nc, Value a, Value azp, Value b, Value bzp) {
  Type f64 = nc.builder.getF64Type();
  int64_t ar = tensorTypeOf(a).getRank(), br = tensorTypeOf(b).getRank();
  Value ac = centred(nc, a, azp, f64, std::max<int64_t>(ar - 2, 0));
  Value bc = centred(nc, b, bzp, f64, br - 1);
  return ac && bc ? buildNumpyMatMul(nc, ac, bc) : Value();
}

/// The QLinear ops' scale of an integer product in output units:
/// a_scale b_scale / y_scale (inputs 1, 4 and 6), in f64.
Value productScale(NodeContext &nc) {
  Type f64 = nc.builder.getF64Type();
  return nc.create<DivOp>(
      nc.create<MulOp>(nc.castTo(nc.input(1), f64), nc.castTo(nc.input(4), f64)),
      nc.castTo(nc.input(6), f64));
}

LogicalResult importMatMulInteger(NodeContext &nc, Out &out) {
  Value r = integerMatMul(nc, nc.input(0), nc.input(2), nc.input(1), nc.input(3));
  out.push_back(nc.castTo(r, nc.builder.getI32Type()));
  return success(bool(out.back()));
}

LogicalResult importQLinearMatMul(NodeContext &nc, Out &out) {
  Value r = integerMatMul(nc, nc.input(0), nc.input(2), nc.input(3), nc.input(5));
  if (!r)
    return failure();
  int64_t rank = tensorTypeOf(r).getRank();
  r = nc.create<MulOp>(r, alongAxis(nc, productScale(nc), rank - 1, rank));
  out.push_back(requantize(nc, r, nc.input(7), quantizedType(nc, nc.input(7)),
                           rank - 1));
  return success(bool(out.back()));
}

/// The integer convolution of x and w (zero points subtracted) in f64.
Value integerConv(NodeContext &nc, Value x, Value xzp, Value w, Value wzp) {
  auto xt = tensorTypeOf(x), wt = tensorTypeOf(w);
  int64_t n = xt.getRank() - 2;
  if (n < 1 || wt.getRank() != xt.getRank()) {
    nc.error() << "expects matching [N, C, D...] input and filter";
    return {};
  }
  FailureOr<Window> win = convWindow(nc, xt, wt);
  if (failed(win))
    return {};
  Type f64 = nc.builder.getF64Type();
  return buildConv(nc, centred(nc, x, xzp, f64, 1), centred(nc, w, wzp, f64, 0),
                   Value(), *win, nc.intAttr("group", 1));
}

LogicalResult importConvInteger(NodeContext &nc, Out &out) {
  Value r = integerConv(nc, nc.input(0), nc.input(2), nc.input(1), nc.input(3));
  out.push_back(nc.castTo(r, nc.builder.getI32Type()));
  return success(bool(out.back()));
}

/// QLinearConv(x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B):
/// B is int32 in the scale x_scale w_scale.
LogicalResult importQLinearConv(NodeContext &nc, Out &out) {
  Value r = integerConv(nc, nc.input(0), nc.input(2), nc.input(3), nc.input(5));
  if (!r)
    return failure();
  Type f64 = nc.builder.getF64Type();
  int64_t rank = tensorTypeOf(r).getRank();
  if (Value bias = nc.input(8))
    r = nc.create<AddOp>(r, alongAxis(nc, nc.castTo(bias, f64), 1, rank));
  r = nc.create<MulOp>(r, alongAxis(nc, productScale(nc), 1, rank));
  out.push_back(requantize(nc, r, nc.input(7), quantizedType(nc, nc.input(7)), 1));
  return success(bool(out.back()));
}

} // namespace

void registerQuantizationImporters(ImporterRegistry &r) {
  r["QuantizeLinear"] = importQuantize;
  r["DequantizeLinear"] = importDequantize;
  r["DynamicQuantizeLinear"] = importDynamicQuantize;
  r["MatMulInteger"] = importMatMulInteger;
  r["QLinearMatMul"] = importQLinearMatMul;
  r["ConvInteger"] = importConvInteger;
  r["QLinearConv"] = importQLinearConv;
}

} // namespace kiln::onnx_frontend
