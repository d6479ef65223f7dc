//===- ConvPoolImporters.cpp - ONNX Conv, MaxPool, AveragePool in 1-3 D ---===//
//
// kiln.conv and the kiln pools are 2-D. ONNX's 1-D forms become 2-D ones
// over a height of 1. A 3-D Conv becomes one 2-D conv per kernel depth tap,
// each over the depth positions folded into the batch, summed. A 3-D pool
// is separable: the window is a box, so pooling H and W and then D gives
// the same maximum, and the same average (the valid count of a box is the
// product of the counts along its dims). auto_pad and ceil_mode are
// resolved into explicit pads here.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/ops/ConvWindow.h"

#include "ir/ConstantData.h"

#include "ir/ops/OpUtils.h"

using namespace mlir;

namespace kiln::onnx_frontend {
namespace {

using Out = SmallVectorImpl<Value>;

} // namespace

SmallVector<int64_t> intsOr(NodeContext &nc, StringRef name, size_t n) {
  auto v = nc.intsAttr(name);
  return v ? SmallVector<int64_t>(v->begin(), v->end())
           : SmallVector<int64_t>(n, 1);
}

LogicalResult resolvePads(NodeContext &nc, ArrayRef<int64_t> spatialIn,
                          Window &w, bool ceilMode) {
  size_t n = spatialIn.size();
  if (w.strides.size() != n || w.dilations.size() != n)
    return nc.error() << "a " << n << "-D window needs " << n
                      << " strides and " << n << " dilations";
  w.pads.assign(2 * n, 0);
  std::string autoPad = nc.stringAttr("auto_pad", "NOTSET");
  if (auto p = nc.intsAttr("pads")) {
    if (p->size() != 2 * n)
      return nc.error() << "expects " << 2 * n << " pads for a " << n
                        << "-D window";
    w.pads.assign(p->begin(), p->end());
  }
  for (size_t d = 0; d < n; ++d) {
    int64_t in = spatialIn[d], stride = w.strides[d];
    int64_t span = w.dilations[d] * (w.kernel[d] - 1) + 1;
    if (w.kernel[d] < 1 || stride < 1 || w.dilations[d] < 1 ||
        w.pads[d] < 0 || w.pads[d + n] < 0)
      return nc.error() << "kernel sizes, strides and dilations must be "
                           "positive and pads not negative";
    // On a dim known only at run time, SAME padding and ceil_mode are
    // static with stride 1 only (otherwise they depend on in mod stride).
    bool dynamic = ShapedType::isDynamic(in);
    bool same = autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER";
    if (dynamic && stride != 1 && (same || ceilMode))
      return nc.error() << (same ? "auto_pad " + autoPad : "ceil_mode")
                        << " with a stride above 1 needs static spatial dims "
                        << "(give them with --input-shape)";
    if (same) {
      int64_t total = samePaddingTotal(in, span, stride);
      int64_t small = total / 2;
      w.pads[d] = autoPad == "SAME_UPPER" ? small : total - small;
      w.pads[d + n] = total - w.pads[d];
    } else if (autoPad == "VALID") {
      w.pads[d] = w.pads[d + n] = 0;
    } else if (autoPad != "NOTSET") {
      return nc.error() << "unknown auto_pad '" << autoPad << "'";
    }
    // (With stride 1 on a dynamic dim, ceil and floor agree.)
    if (ceilMode && !dynamic) {
      int64_t padded = in + w.pads[d] + w.pads[d + n];
      int64_t out = (padded - span + stride - 1) / stride + 1;
      if ((out - 1) * stride >= in + w.pads[d])
        --out; // the last window must start inside the input
      w.pads[d + n] += std::max<int64_t>((out - 1) * stride + span - padded, 0);
    }
  }
  return success();
}

namespace {

Value conv2d(NodeContext &nc, Value x, Value filter, Value bias,
             const Window &w, int64_t group) {
  auto &b = nc.builder;
  return nc.create<ConvOp>(x, filter, bias, b.getDenseI64ArrayAttr(w.strides),
                           b.getDenseI64ArrayAttr(w.dilations),
                           b.getDenseI64ArrayAttr(w.pads),
                           b.getI64IntegerAttr(group),
                           LayoutAttr::nchw(b.getContext()));
}

/// `v` with a dim of size 1 inserted before dim 2 (1-D to 2-D), or, with
/// `drop`, that dim removed again.
Value heightOne(NodeContext &nc, Value v, bool drop) {
  if (!v)
    return {};
  SmallVector<int64_t> shape(tensorTypeOf(v).getShape());
  if (drop)
    shape.erase(shape.begin() + 2);
  else
    shape.insert(shape.begin() + 2, 1);
  return nc.reshape(v, shape);
}

/// A 3-D convolution as the sum over kernel depth taps of 2-D convs over
/// (batch x output depth) images.
Value conv3d(NodeContext &nc, Value x, Value filter, Value bias,
             const Window &w, int64_t group) {
  RankedTensorType xt = tensorTypeOf(x), ft = tensorTypeOf(filter);
  if (!xt.hasStaticShape() || !ft.hasStaticShape()) {
    nc.error() << "3-D convolutions need static shapes, got " << xt;
    return {};
  }
  int64_t n = xt.getDimSize(0), c = xt.getDimSize(1), h = xt.getDimSize(3),
          wd = xt.getDimSize(4);
  int64_t o = ft.getDimSize(0), cg = ft.getDimSize(1), kd = ft.getDimSize(2);
  int64_t padded = xt.getDimSize(2) + w.pads[0] + w.pads[3];
  int64_t od = (padded - w.dilations[0] * (kd - 1) - 1) / w.strides[0] + 1;
  if (od < 1) {
    nc.error() << "the depth window is larger than the padded input";
    return {};
  }
  if (w.pads[0] || w.pads[3])
    x = nc.create<PadOp>(
        x, nc.builder.getDenseI64ArrayAttr({0, 0, w.pads[0], 0, 0, 0, 0,
                                            w.pads[3], 0, 0}),
        nc.builder.getF64FloatAttr(0.0));
  Window hw = w.plane(1, 2);
  Value sum;
  for (int64_t t = 0; t < kd && x; ++t) {
    Value taps = nc.slice(x, {0, 0, t * w.dilations[0], 0, 0},
                       {n, c, od, h, wd}, {1, 1, w.strides[0], 1, 1});
    taps = nc.reshape(nc.transpose(taps, {0, 2, 1, 3, 4}), {n * od, c, h, wd});
    Value f = nc.slice(filter, {0, 0, t, 0, 0},
                    {o, cg, 1, ft.getDimSize(3), ft.getDimSize(4)},
                    {1, 1, 1, 1, 1});
    f = nc.reshape(f, {o, cg, ft.getDimSize(3), ft.getDimSize(4)});
    Value y = conv2d(nc, taps, f, Value(), hw, group);
    sum = !sum || !y ? y : nc.create<AddOp>(sum, y);
  }
  if (!sum)
    return {};
  ArrayRef<int64_t> ys = tensorTypeOf(sum).getShape();
  Value r = nc.transpose(nc.reshape(sum, {n, od, o, ys[2], ys[3]}),
                      {0, 2, 1, 3, 4});
  if (bias)
    r = nc.create<AddOp>(r, nc.reshape(bias, {o, 1, 1, 1}));
  return r;
}

} // namespace

FailureOr<Window> convWindow(NodeContext &nc, RankedTensorType input,
                             RankedTensorType filter) {
  size_t n = input.getRank() - 2;
  Window w;
  w.kernel.assign(filter.getShape().begin() + 2, filter.getShape().end());
  // kernel_shape is optional (the filter's dims say it), but one that is
  // given must say the same: one entry per spatial dim, equal to the
  // filter's.
  if (auto kernel = nc.intsAttr("kernel_shape")) {
    if (kernel->size() != n)
      return nc.error() << "kernel_shape has " << kernel->size()
                        << " entries; the convolution has " << n
                        << " spatial dims";
    for (size_t d = 0; d < n; ++d)
      if ((*kernel)[d] != w.kernel[d] && !ShapedType::isDynamic(w.kernel[d]))
        return nc.error() << "kernel_shape[" << d << "] is " << (*kernel)[d]
                          << " but the filter's spatial dim " << d << " is "
                          << w.kernel[d];
  }
  w.strides = intsOr(nc, "strides", n);
  w.dilations = intsOr(nc, "dilations", n);
  if (failed(resolvePads(nc, input.getShape().drop_front(2), w, false)))
    return failure();
  return w;
}

Value buildConv(NodeContext &nc, Value x, Value filter, Value bias,
                const Window &w, int64_t group) {
  switch (w.kernel.size()) {
  case 1:
    return heightOne(nc,
                     conv2d(nc, heightOne(nc, x, false),
                            heightOne(nc, filter, false), bias, w.row(0),
                            group),
                     true);
  case 2:
    return conv2d(nc, x, filter, bias, w, group);
  case 3:
    return conv3d(nc, x, filter, bias, w, group);
  default:
    nc.error() << "only 1-D, 2-D and 3-D convolutions are supported";
    return {};
  }
}

namespace {

LogicalResult importConv(NodeContext &nc, Out &out) {
  RankedTensorType in = nc.inputType(0), ft = nc.inputType(1);
  int64_t n = in.getRank() - 2;
  if (n < 1 || n > 3 || ft.getRank() != in.getRank())
    return nc.error() << "only 1-D, 2-D and 3-D convolutions are supported, "
                         "got input "
                      << in << " and filter " << ft;
  FailureOr<Window> w = convWindow(nc, in, ft);
  if (failed(w))
    return failure();
  out.push_back(buildConv(nc, nc.input(0), nc.input(1), nc.input(2), *w,
                          nc.intAttr("group", 1)));
  return success(bool(out.back()));
}

template <typename OpTy>
Value pool2d(NodeContext &nc, Value x, const Window &w, bool includePad) {
  auto &b = nc.builder;
  return x ? nc.create<OpTy>(x, b.getDenseI64ArrayAttr(w.kernel),
                             b.getDenseI64ArrayAttr(w.strides),
                             b.getDenseI64ArrayAttr(w.dilations),
                             b.getDenseI64ArrayAttr(w.pads),
                             b.getBoolAttr(includePad),
                             LayoutAttr::nchw(b.getContext()))
           : Value();
}

/// A 3-D pool as H-W pooling of every depth slice, then depth pooling.
template <typename OpTy>
Value pool3d(NodeContext &nc, Value x, const Window &w, bool includePad) {
  RankedTensorType xt = tensorTypeOf(x);
  if (!xt.hasStaticShape()) {
    nc.error() << "3-D pooling needs static shapes, got " << xt;
    return {};
  }
  ArrayRef<int64_t> s = xt.getShape();
  Value hw = pool2d<OpTy>(nc, nc.reshape(x, {s[0], s[1] * s[2], s[3], s[4]}),
                          w.plane(1, 2), includePad);
  if (!hw)
    return {};
  ArrayRef<int64_t> hs = tensorTypeOf(hw).getShape();
  Window depth = w.plane(0, 1);
  depth.kernel[1] = depth.strides[1] = depth.dilations[1] = 1;
  depth.pads[1] = depth.pads[3] = 0;
  Value r = pool2d<OpTy>(nc, nc.reshape(hw, {s[0], s[1], s[2], hs[2] * hs[3]}),
                         depth, includePad);
  if (!r)
    return {};
  return nc.reshape(r, {s[0], s[1], tensorTypeOf(r).getDimSize(2), hs[2], hs[3]});
}

/// MaxPool or AveragePool (`OpTy`) of `x` with the node's window
/// attributes; null after an error at the node.
template <typename OpTy>
Value buildPool(NodeContext &nc, Value x, bool includePad) {
  RankedTensorType in = tensorTypeOf(x);
  int64_t n = in.getRank() - 2;
  auto kernel = nc.intsAttr("kernel_shape");
  if (n < 1 || n > 3 || !kernel || int64_t(kernel->size()) != n) {
    nc.error() << "only 1-D, 2-D and 3-D pooling is supported, with one "
                  "kernel size per spatial dim; got input "
               << in;
    return {};
  }
  Window w;
  w.kernel.assign(kernel->begin(), kernel->end());
  w.strides = intsOr(nc, "strides", n);
  w.dilations = intsOr(nc, "dilations", n);
  bool ceil = nc.intAttr("ceil_mode", 0);
  if (failed(resolvePads(nc, in.getShape().drop_front(2), w, ceil)))
    return {};
  if (n == 2)
    return pool2d<OpTy>(nc, x, w, includePad);
  if (n == 1)
    return heightOne(
        nc, pool2d<OpTy>(nc, heightOne(nc, x, false), w.row(0), includePad),
        true);
  return pool3d<OpTy>(nc, x, w, includePad);
}

/// An average pool `y` of `x` that divided every window by the kernel size
/// rescaled for ceil_mode: with count_include_pad, ONNX counts the explicit
/// pads but not the part of a last window that ceil_mode adds past them.
Value rescaleCeilWindows(NodeContext &nc, Value x, Value y) {
  RankedTensorType in = tensorTypeOf(x), out = tensorTypeOf(y);
  int64_t n = in.getRank() - 2;
  Window w;
  auto kernel = nc.intsAttr("kernel_shape");
  w.kernel.assign(kernel->begin(), kernel->end());
  w.strides = intsOr(nc, "strides", n);
  w.dilations = intsOr(nc, "dilations", n);
  if (failed(resolvePads(nc, in.getShape().drop_front(2), w, false)))
    return {};
  ArrayRef<int64_t> outDims = out.getShape().drop_front(2);
  int64_t positions = 1, kernelSize = 1;
  for (int64_t d = 0; d < n; ++d) {
    positions *= outDims[d];
    kernelSize *= w.kernel[d];
  }
  std::vector<double> factor(positions);
  for (int64_t p = 0; p < positions; ++p) {
    int64_t counted = 1;
    for (int64_t d = n - 1, rest = p; d >= 0; --d) {
      int64_t o = rest % outDims[d], inside = 0;
      rest /= outDims[d];
      int64_t hi = in.getDimSize(2 + d) + w.pads[n + d];
      for (int64_t k = 0; k < w.kernel[d]; ++k) {
        int64_t at = o * w.strides[d] - w.pads[d] + k * w.dilations[d];
        inside += at < hi;
      }
      counted *= inside;
    }
    factor[p] = counted ? double(kernelSize) / double(counted) : 0.0;
  }
  SmallVector<int64_t> shape{1, 1};
  shape.append(outDims.begin(), outDims.end());
  Value f = ConstantOp::create(
      nc.builder, nc.loc,
      writeConstant(RankedTensorType::get(shape, out.getElementType()), factor));
  return nc.create<MulOp>(y, f);
}

template <typename OpTy>
LogicalResult importPool(NodeContext &nc, Out &out) {
  if (nc.node.output_size() > 1 && !nc.node.output(1).empty())
    return importMaxPoolWithIndices(nc, out);
  // 8- and 16-bit integers (MaxPool allows them) pool exactly as float32.
  Value x = nc.input(0);
  Type et = nc.inputType(0).getElementType();
  bool narrowInt = isa<IntegerType>(et) && et.getIntOrFloatBitWidth() <= 16;
  if (narrowInt)
    x = nc.castTo(x, nc.builder.getF32Type());
  bool includePad = nc.intAttr("count_include_pad", 0);
  Value y = buildPool<OpTy>(nc, x, includePad);
  if (std::is_same_v<OpTy, AvgPoolOp> && includePad && y &&
      nc.intAttr("ceil_mode", 0))
    y = rescaleCeilWindows(nc, x, y);
  out.push_back(narrowInt && y ? nc.castTo(y, et) : y);
  return success(bool(out.back()));
}

/// LpPool: (sum of |x|^p over the window)^(1/p), the sum being the average
/// pool of |x|^p counting pads (which add 0) times the window's size.
LogicalResult importLpPool(NodeContext &nc, Out &out) {
  Value x = nc.input(0);
  Type et = nc.inputType(0).getElementType();
  double p = double(nc.intAttr("p", 2));
  if (p < 1)
    return nc.error() << "LpPool needs p >= 1, got " << p;
  Value powered = p == 2 ? nc.create<MulOp>(x, x)
                         : nc.create<PowOp>(nc.create<AbsOp>(x),
                                            nc.scalarConst(et, p));
  Value avg = powered ? buildPool<AvgPoolOp>(nc, powered, true) : powered;
  if (!avg)
    return failure();
  double size = 1;
  auto kernel = nc.intsAttr("kernel_shape"); // buildPool checked it
  for (int64_t k : *kernel)
    size *= double(k);
  Value sum = nc.create<MulOp>(avg, nc.scalarConst(et, size));
  out.push_back(p == 2 ? nc.create<SqrtOp>(sum)
                       : nc.create<PowOp>(sum, nc.scalarConst(et, 1.0 / p)));
  return success(bool(out.back()));
}

} // namespace

void registerConvPoolImporters(ImporterRegistry &r) {
  r["Conv"] = importConv;
  r["MaxPool"] = importPool<MaxPoolOp>;
  r["AveragePool"] = importPool<AvgPoolOp>;
  r["LpPool"] = importLpPool;
}

} // namespace kiln::onnx_frontend
