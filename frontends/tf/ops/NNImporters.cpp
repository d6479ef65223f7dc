//===- NNImporters.cpp - TensorFlow matmul, conv, pooling, norms to kiln --===//
//
// Convolutions and pooling are imported in kiln's NCHW form: an NHWC graph
// gets a transpose on each side (the filter's folds away, it is constant),
// which the layout pass is to remove between neighbouring convolutions.
// TensorFlow's SAME padding is resolved here from the static spatial dims.
//
//===----------------------------------------------------------------------===//

#include "frontends/common/Composites.h"
#include "frontends/common/Einsum.h"
#include "frontends/tf/TfNodeContext.h"
#include "ir/ops/OpUtils.h"

using namespace mlir;

namespace kiln::tf_frontend {

static Value transpose(TfNodeContext &nc, Value v, ArrayRef<int64_t> perm) {
  return nc.create<TransposeOp>(v, nc.builder.getDenseI64ArrayAttr(perm));
}

/// MatMul / BatchMatMul(V2/V3): optional transposes (adjoints of real
/// matrices) of the last two dims, then a broadcasting matmul.
static LogicalResult importMatMul(TfNodeContext &nc,
                                  SmallVectorImpl<Value> &out) {
  bool batched = llvm::StringRef(nc.node.op()).starts_with("BatchMatMul");
  bool ta = nc.boolAttr(batched ? "adj_x" : "transpose_a", false);
  bool tb = nc.boolAttr(batched ? "adj_y" : "transpose_b", false);
  Value a = nc.input(0), b = nc.input(1);
  auto swapLast = [&](Value v) {
    int64_t r = cast<RankedTensorType>(v.getType()).getRank();
    SmallVector<int64_t> perm;
    for (int64_t d = 0; d < r; ++d)
      perm.push_back(d);
    std::swap(perm[r - 1], perm[r - 2]);
    return transpose(nc, v, perm);
  };
  if (nc.inputType(0).getRank() < 2 || nc.inputType(1).getRank() < 2)
    return nc.error() << nc.node.op() << " needs operands of rank >= 2";
  if (ta)
    a = swapLast(a);
  if (tb)
    b = swapLast(b);
  out.push_back(nc.create<MatMulOp>(a, b));
  return success(bool(out.back()));
}

/// Begin and end pads of one spatial dim for TensorFlow's `padding`.
static LogicalResult spatialPads(TfNodeContext &nc, int64_t in, int64_t k,
                                 int64_t stride, int64_t dilation,
                                 const std::string &padding, int64_t &lo,
                                 int64_t &hi) {
  lo = hi = 0;
  if (padding == "VALID")
    return success();
  if (padding != "SAME")
    return nc.error() << nc.node.op() << " padding '" << padding
                      << "' is not supported";
  int64_t span = (k - 1) * dilation + 1;
  // With stride 1 the padding is span - 1 whatever the size; otherwise it
  // depends on the size modulo the stride.
  if (ShapedType::isDynamic(in) && stride != 1)
    return nc.error() << nc.node.op() << " with SAME padding and a stride "
                      << "above 1 needs static spatial dims (give them with "
                      << "--input-shape)";
  int64_t total = samePaddingTotal(in, span, stride);
  lo = total / 2;
  hi = total - lo;
  return success();
}

/// Conv2D and DepthwiseConv2dNative (filter HWIO, resp. H x W x C x M),
/// also in grappler's fused forms (_FusedConv2D, FusedDepthwiseConv2dNative).
static LogicalResult importConv(TfNodeContext &nc,
                                SmallVectorImpl<Value> &out) {
  bool depthwise = llvm::StringRef(nc.node.op()).contains("Depthwise");
  bool nchw = nc.channelsFirst();
  auto xt = nc.inputType(0), ft = nc.inputType(1);
  if (xt.getRank() != 4 || ft.getRank() != 4 || !ft.hasStaticShape())
    return nc.error() << nc.node.op() << " needs a 4-D input and a 4-D filter "
                      << "of static shape";
  auto strides = nc.intsAttr("strides").value_or(std::vector<int64_t>{1, 1, 1, 1});
  auto dil = nc.intsAttr("dilations").value_or(std::vector<int64_t>{1, 1, 1, 1});
  if (strides.size() != 4 || dil.size() != 4)
    return nc.error() << nc.node.op() << " strides and dilations need 4 values";
  int64_t h = nchw ? 2 : 1, w = nchw ? 3 : 2;
  std::string padding = nc.stringAttr("padding", "VALID");
  SmallVector<int64_t> pads(4, 0);
  if (padding == "EXPLICIT") {
    auto e = nc.intsAttr("explicit_paddings");
    if (!e || e->size() != 8)
      return nc.error() << nc.node.op() << " EXPLICIT padding needs 8 values";
    pads = {(*e)[2 * h], (*e)[2 * w], (*e)[2 * h + 1], (*e)[2 * w + 1]};
  } else {
    for (int s = 0; s < 2; ++s) {
      int64_t d = s == 0 ? h : w;
      if (failed(spatialPads(nc, xt.getDimSize(d), ft.getDimSize(s), strides[d],
                             dil[d], padding, pads[s], pads[s + 2])))
        return failure();
    }
  }
  // The convolution keeps the node's data layout and the HWIO filter; the
  // layout pass picks what the target computes in.
  int64_t channels = xt.getDimSize(nchw ? 1 : 3);
  // A depthwise H x W x C x M filter is C groups of one input channel each.
  Value f = nc.input(1);
  int64_t group = 1;
  if (depthwise) {
    int64_t c = ft.getDimSize(2), m = ft.getDimSize(3);
    f = nc.reshape(f, {ft.getDimSize(0), ft.getDimSize(1), 1, c * m});
    group = c;
  } else if (!ShapedType::isDynamic(channels) && channels != ft.getDimSize(2)) {
    if (channels % ft.getDimSize(2) != 0)
      return nc.error() << "Conv2D input has " << channels
                        << " channels, the filter expects a multiple of "
                        << ft.getDimSize(2);
    group = channels / ft.getDimSize(2);
  }
  auto &b = nc.builder;
  out.push_back(nc.create<ConvOp>(
      nc.input(0), f, Value(), b.getDenseI64ArrayAttr({strides[h], strides[w]}),
      b.getDenseI64ArrayAttr({dil[h], dil[w]}), b.getDenseI64ArrayAttr(pads),
      b.getI64IntegerAttr(group), nc.layout(/*withFilter=*/true)));
  return success(bool(out.back()));
}

/// Conv2DBackpropInput(input_sizes, filter, out_backprop): the transposed
/// convolution, as a stride-1 convolution of the stride-dilated input (zeros
/// between samples, made by reshape + pad) with the spatially flipped
/// filter, padded so that the result has `input_sizes`.
static LogicalResult importConvBackpropInput(TfNodeContext &nc,
                                             SmallVectorImpl<Value> &out) {
  auto sizes = nc.constInts(0);
  auto ft = nc.inputType(1), dt = nc.inputType(2);
  if (!sizes || sizes->size() != 4 || nc.channelsFirst() ||
      !ft.hasStaticShape() || !dt.hasStaticShape() || ft.getRank() != 4 ||
      dt.getRank() != 4)
    return nc.error() << "Conv2DBackpropInput needs constant input_sizes, a "
                      << "static filter and a static NHWC input";
  auto strides = nc.intsAttr("strides").value_or(std::vector<int64_t>{1, 1, 1, 1});
  auto dil = nc.intsAttr("dilations").value_or(std::vector<int64_t>{1, 1, 1, 1});
  if (strides.size() != 4 || dil.size() != 4 || dil[1] != 1 || dil[2] != 1)
    return nc.error() << "Conv2DBackpropInput with dilations is not supported";
  std::string padding = nc.stringAttr("padding", "VALID");
  int64_t n = dt.getDimSize(0), c = dt.getDimSize(3);
  if (ft.getDimSize(3) != c)
    return nc.error() << "Conv2DBackpropInput filter has " << ft.getDimSize(3)
                      << " input channels, the data " << c;
  Value x = nc.input(2);
  SmallVector<int64_t> pads(8, 0); // NHWC begin pads, then end pads
  int64_t dims[2];
  for (int i = 0; i < 2; ++i) {
    int64_t d = i + 1, k = ft.getDimSize(i), s = strides[d];
    int64_t want = (*sizes)[d], have = dt.getDimSize(d);
    int64_t lo, hi;
    if (failed(spatialPads(nc, want, k, s, 1, padding, lo, hi)))
      return failure();
    int64_t dilated = (have - 1) * s + 1;
    int64_t before = k - 1 - lo;
    int64_t after = want + k - 1 - dilated - before;
    if (before < 0 || after < 0)
      return nc.error() << "Conv2DBackpropInput padding larger than the "
                        << "filter is not supported";
    pads[d] = before;
    pads[d + 4] = after;
    dims[i] = dilated;
  }
  auto &b = nc.builder;
  // Zeros between samples: [N,H,W,C] -> [N,H,1,W,1,C] -> pad -> merge.
  int64_t sh = strides[1], sw = strides[2], h = dt.getDimSize(1),
          w = dt.getDimSize(2);
  if (sh > 1 || sw > 1) {
    x = nc.reshape(x, {n, h, 1, w, 1, c});
    x = nc.create<PadOp>(x, b.getDenseI64ArrayAttr({0, 0, 0, 0, 0, 0, 0, 0,
                                                      sh - 1, 0, sw - 1, 0}),
                         b.getF64FloatAttr(0.0));
    x = nc.reshape(x, {n, h * sh, w * sw, c});
    x = nc.create<SliceOp>(x, b.getDenseI64ArrayAttr({0, 0, 0, 0}),
                           b.getDenseI64ArrayAttr({n, dims[0], dims[1], c}),
                           b.getDenseI64ArrayAttr({1, 1, 1, 1}));
  }
  // Filter [KH, KW, O, I] flipped spatially.
  Value f = nc.input(1);
  for (int64_t axis : {0, 1}) {
    std::vector<int64_t> rev;
    for (int64_t i = ft.getDimSize(axis) - 1; i >= 0; --i)
      rev.push_back(i);
    f = nc.create<GatherOp>(f, nc.i64Const(rev), b.getI64IntegerAttr(axis));
  }
  // [KH, KW, O, I] -> HWIO of the forward convolution (I data channels in).
  f = transpose(nc, f, {0, 1, 3, 2});
  out.push_back(nc.create<ConvOp>(
      x, f, Value(), b.getDenseI64ArrayAttr({1, 1}), b.getDenseI64ArrayAttr({1, 1}),
      b.getDenseI64ArrayAttr({pads[1], pads[2], pads[5], pads[6]}),
      b.getI64IntegerAttr(1), nc.layout(/*withFilter=*/true)));
  return success(bool(out.back()));
}

/// max(x, 0) + alpha * min(x, 0): Prelu, alpha broadcast along the last
/// dims as TensorFlow's shapes give it.
static Value prelu(TfNodeContext &nc, Value x, Value alpha) {
  Type et = cast<RankedTensorType>(x.getType()).getElementType();
  Value zero = nc.scalarConst(et, 0.0);
  return nc.create<AddOp>(nc.create<MaxOp>(x, zero),
                          nc.create<MulOp>(alpha, nc.create<MinOp>(x, zero)));
}

/// Inference batch normalization of `x` along the node's channel dim, as
/// kiln.batch_norm (kiln-decompose folds it to a multiply and an add).
static Value batchNorm(TfNodeContext &nc, Value x, Value scale, Value offset,
                       Value mean, Value var) {
  auto &b = nc.builder;
  return nc.create<BatchNormOp>(
      x, scale, offset, mean, var,
      b.getF64FloatAttr(nc.floatAttr("epsilon", 1e-4f)),
      nc.layout(/*withFilter=*/false));
}

/// Applies grappler's `fused_ops` to `y` with the node's extra arguments
/// (inputs from `firstArg` on): BiasAdd, FusedBatchNorm, an activation,
/// and Add (a residual input).
static LogicalResult applyFusedOps(TfNodeContext &nc, Value &y,
                                   size_t firstArg) {
  const auto *ops = nc.attr("fused_ops");
  size_t arg = firstArg;
  auto next = [&]() -> Value {
    return arg < nc.inputs.size() ? nc.input(arg++) : Value();
  };
  auto alongChannels = [&](Value v) {
    return nc.alongChannels(v, cast<RankedTensorType>(y.getType()).getRank());
  };
  static const tensorflow::AttrValue::ListValue none;
  for (const std::string &op : (ops ? ops->list() : none).s()) {
    if (!y)
      return failure();
    Type et = cast<RankedTensorType>(y.getType()).getElementType();
    if (op == "BiasAdd" || op == "Add") {
      Value v = next();
      if (!v)
        return nc.error() << nc.node.op() << " lacks the argument of " << op;
      y = nc.create<AddOp>(y, op == "BiasAdd" ? alongChannels(v) : v);
    } else if (op == "FusedBatchNorm") {
      Value scale = next(), offset = next(), mean = next(), var = next();
      if (!var)
        return nc.error() << nc.node.op() << " lacks FusedBatchNorm arguments";
      y = batchNorm(nc, y, scale, offset, mean, var);
    } else if (op == "Relu") {
      y = nc.create<ReluOp>(y);
    } else if (op == "Relu6") {
      y = nc.create<ClipOp>(y, nc.builder.getF64FloatAttr(0.0),
                            nc.builder.getF64FloatAttr(6.0));
    } else if (op == "Sigmoid") {
      y = nc.create<SigmoidOp>(y);
    } else if (op == "Tanh") {
      y = nc.create<TanhOp>(y);
    } else if (op == "LeakyRelu") {
      float alpha = nc.floatAttr("leakyrelu_alpha", 0.2f);
      y = nc.create<MaxOp>(y, nc.create<MulOp>(y, nc.scalarConst(et, alpha)));
    } else if (op == "Prelu") {
      Value alpha = next();
      if (!alpha)
        return nc.error() << nc.node.op() << " lacks the Prelu alpha";
      y = prelu(nc, y, alongChannels(alpha));
    } else {
      return nc.error() << nc.node.op() << " fuses " << op
                        << ", which is not supported";
    }
  }
  return success(bool(y));
}

static LogicalResult importFusedConv(TfNodeContext &nc,
                                     SmallVectorImpl<Value> &out) {
  if (failed(importConv(nc, out)))
    return failure();
  return applyFusedOps(nc, out.back(), 2);
}

static LogicalResult importFusedMatMul(TfNodeContext &nc,
                                       SmallVectorImpl<Value> &out) {
  if (failed(importMatMul(nc, out)))
    return failure();
  return applyFusedOps(nc, out.back(), 2);
}

static LogicalResult importPrelu(TfNodeContext &nc,
                                 SmallVectorImpl<Value> &out) {
  out.push_back(prelu(nc, nc.input(0), nc.input(1)));
  return success(bool(out.back()));
}

/// ResizeBilinear on NHWC images to a constant size.
static LogicalResult importResizeBilinear(TfNodeContext &nc,
                                          SmallVectorImpl<Value> &out) {
  auto size = nc.constInts(1);
  if (!size || size->size() != 2)
    return nc.error() << "ResizeBilinear size must be a constant of 2 values";
  if (nc.inputType(0).getRank() != 4)
    return nc.error() << "ResizeBilinear needs a 4-D NHWC input";
  bool corners = nc.boolAttr("align_corners", false);
  bool half = nc.boolAttr("half_pixel_centers", false);
  if (corners && half)
    return nc.error() << "ResizeBilinear with both align_corners and "
                      << "half_pixel_centers";
  auto &b = nc.builder;
  out.push_back(nc.create<ResizeOp>(
      nc.input(0), b.getDenseI64ArrayAttr({1, 2}),
      b.getDenseI64ArrayAttr(*size),
      b.getStringAttr(corners ? "align_corners"
                      : half  ? "half_pixel"
                              : "asymmetric")));
  return success(bool(out.back()));
}

/// MaxPool / AvgPool with ksize and strides per NHWC (or NCHW) dim.
template <typename PoolOp>
static LogicalResult importPool(TfNodeContext &nc,
                                SmallVectorImpl<Value> &out) {
  bool nchw = nc.channelsFirst();
  auto xt = nc.inputType(0);
  auto k = nc.intsAttr("ksize"), s = nc.intsAttr("strides");
  if (xt.getRank() != 4 || !k || !s || k->size() != 4 || s->size() != 4)
    return nc.error() << nc.node.op() << " needs a 4-D input and 4 ksize and "
                      << "strides values";
  int64_t h = nchw ? 2 : 1, w = nchw ? 3 : 2;
  if ((*k)[0] != 1 || (*k)[nchw ? 1 : 3] != 1)
    return nc.error() << nc.node.op() << " over batch or channels is not "
                      << "supported";
  SmallVector<int64_t> pads(4, 0);
  std::string padding = nc.stringAttr("padding", "VALID");
  for (int i = 0; i < 2; ++i) {
    int64_t d = i == 0 ? h : w;
    if (failed(spatialPads(nc, xt.getDimSize(d), (*k)[d], (*s)[d], 1, padding,
                           pads[i], pads[i + 2])))
      return failure();
  }
  auto &b = nc.builder;
  // TensorFlow's average excludes the padding from the count.
  out.push_back(nc.create<PoolOp>(
      nc.input(0), b.getDenseI64ArrayAttr({(*k)[h], (*k)[w]}),
      b.getDenseI64ArrayAttr({(*s)[h], (*s)[w]}), b.getDenseI64ArrayAttr({1, 1}),
      b.getDenseI64ArrayAttr(pads), b.getBoolAttr(false),
      nc.layout(/*withFilter=*/false)));
  return success(bool(out.back()));
}

/// Einsum with one or two operands (frontends/common/Einsum.h).
static LogicalResult importEinsum(TfNodeContext &nc,
                                  SmallVectorImpl<Value> &out) {
  auto r = buildEinsum(nc, nc.stringAttr("equation", ""), nc.inputs);
  if (failed(r))
    return failure();
  out.push_back(*r);
  return success();
}

static LogicalResult importSoftmax(TfNodeContext &nc,
                                   SmallVectorImpl<Value> &out) {
  int64_t rank = nc.inputType(0).getRank();
  if (rank < 1)
    return nc.error() << "Softmax needs an input of rank >= 1";
  out.push_back(nc.node.op() == "LogSoftmax"
                    ? buildLogSoftmax(nc, nc.input(0), rank - 1)
                    : nc.create<SoftmaxOp>(nc.input(0),
                                           nc.builder.getI64IntegerAttr(rank - 1)));
  return success(bool(out.back()));
}

/// FusedBatchNorm(V2/V3) at inference: (x - mean) * scale / sqrt(var + eps)
/// + offset along the channel dim.
static LogicalResult importFusedBatchNorm(TfNodeContext &nc,
                                          SmallVectorImpl<Value> &out) {
  if (nc.boolAttr("is_training", true))
    return nc.error() << nc.node.op() << " in training mode (batch "
                      << "statistics) is not supported; freeze the graph for "
                      << "inference";
  out.push_back(batchNorm(nc, nc.input(0), nc.input(1), nc.input(2),
                          nc.input(3), nc.input(4)));
  // The other outputs (batch statistics) are for training only.
  for (int i = 0; i < 5; ++i)
    out.push_back(Value());
  return success(bool(out.front()));
}

void registerTfNNImporters(TfImporterRegistry &r) {
  r["MatMul"] = importMatMul;
  r["BatchMatMul"] = importMatMul;
  r["BatchMatMulV2"] = importMatMul;
  r["BatchMatMulV3"] = importMatMul;
  r["Conv2D"] = importConv;
  r["DepthwiseConv2dNative"] = importConv;
  r["_FusedConv2D"] = importFusedConv;
  r["FusedDepthwiseConv2dNative"] = importFusedConv;
  r["_FusedMatMul"] = importFusedMatMul;
  r["Prelu"] = importPrelu;
  r["Conv2DBackpropInput"] = importConvBackpropInput;
  r["MaxPool"] = importPool<MaxPoolOp>;
  r["AvgPool"] = importPool<AvgPoolOp>;
  r["Softmax"] = importSoftmax;
  r["LogSoftmax"] = importSoftmax;
  r["Einsum"] = importEinsum;
  r["ResizeBilinear"] = importResizeBilinear;
  r["FusedBatchNorm"] = importFusedBatchNorm;
  r["FusedBatchNormV2"] = importFusedBatchNorm;
  r["FusedBatchNormV3"] = importFusedBatchNorm;
}

} // namespace kiln::tf_frontend
