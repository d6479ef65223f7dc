//===- AtenImporters.cpp - ATen overloads to kiln ops ---------------------===//
//
// The ATen ops of torch.export's default (training) IR that convolutional
// networks use; AtenTransformerImporters.cpp adds those of transformers.
// docs/frontends/pytorch.md keeps the table. Defaults are ATen's
// schema defaults, since an exported call omits arguments left at them.
//
//===----------------------------------------------------------------------===//

#include "frontends/torch/AtenNode.h"

#include "ir/ConstantData.h"
#include "ir/KilnDialect.h"

using namespace mlir;

namespace kiln::torch_frontend {
namespace {

using Out = SmallVectorImpl<Value>;

template <typename OpTy>
AtenImporter unary() {
  return [](AtenNode &n, Out &out) -> LogicalResult {
    Value x = n.tensor("self");
    out.push_back(x ? n.create<OpTy>(x) : Value());
    return success(bool(out.back()));
  };
}

/// add/sub .Tensor with `alpha` (other is scaled by it), mul/div .Tensor.
template <typename OpTy, bool hasAlpha>
AtenImporter binary() {
  return [](AtenNode &n, Out &out) -> LogicalResult {
    Value a = n.tensor("self");
    if (!a)
      return failure();
    // `other` may be a Python number (x * 1.5): a scalar of a's type.
    const auto *other = n.arg("other");
    Value b = other && !other->get("as_tensor")
                  ? n.scalarConst(n.inputTypeOf(a).getElementType(),
                                  n.floatArg("other", 0.0))
                  : n.tensor("other");
    if (!b)
      return failure();
    if constexpr (hasAlpha) {
      double alpha = n.floatArg("alpha", 1.0);
      if (alpha != 1.0)
        b = n.create<MulOp>(
            b, n.scalarConst(n.inputTypeOf(b).getElementType(), alpha));
    }
    out.push_back(b ? n.create<OpTy>(a, b) : Value());
    return success(bool(out.back()));
  };
}

/// hardtanh(self, min_val=-1, max_val=1).
LogicalResult importHardtanh(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  double lo = n.floatArg("min_val", -1.0), hi = n.floatArg("max_val", 1.0);
  out.push_back(x ? n.create<ClipOp>(x, n.builder.getF64FloatAttr(lo),
                                     n.builder.getF64FloatAttr(hi))
                  : Value());
  return success(bool(out.back()));
}

/// dropout(input, p, train): the identity when not training.
LogicalResult importDropout(AtenNode &n, Out &out) {
  // dropout names its tensor "input", the in-place dropout_ "self".
  Value x = n.tensor(n.arg("self") ? "self" : "input");
  if (!x)
    return failure();
  if (n.boolArg("train", false))
    return n.error() << "dropout in training mode is not supported: export "
                        "the model in eval() mode";
  out.push_back(x);
  return success();
}

LogicalResult importRelu6(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  out.push_back(x ? n.create<ClipOp>(x, n.builder.getF64FloatAttr(0.0),
                                     n.builder.getF64FloatAttr(6.0))
                  : Value());
  return success(bool(out.back()));
}

/// rsqrt(x) = 1 / sqrt(x).
LogicalResult importRsqrt(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  Value r = x ? n.create<SqrtOp>(x) : Value();
  out.push_back(r ? n.create<ReciprocalOp>(r) : Value());
  return success(bool(out.back()));
}

/// hardsigmoid(x) = clip(x / 6 + 1/2, 0, 1); hardswish(x) = x * that.
template <bool Swish> LogicalResult importHardSigmoid(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  Type et = n.inputTypeOf(x).getElementType();
  Value y = n.create<MulOp>(x, n.scalarConst(et, 1.0 / 6.0));
  y = y ? n.create<AddOp>(y, n.scalarConst(et, 0.5)) : Value();
  y = y ? n.create<ClipOp>(y, n.builder.getF64FloatAttr(0.0),
                           n.builder.getF64FloatAttr(1.0))
        : Value();
  out.push_back(Swish && y ? n.create<MulOp>(x, y) : y);
  return success(bool(out.back()));
}

/// linear(input, weight[out, in], bias?) = input @ weight^T + bias.
LogicalResult importLinear(AtenNode &n, Out &out) {
  Value x = n.tensor("input"), w = n.tensor("weight");
  if (!x || !w)
    return failure();
  Value wt = n.create<TransposeOp>(w, n.builder.getDenseI64ArrayAttr({1, 0}));
  Value r = wt ? n.create<MatMulOp>(x, wt) : Value();
  if (Value bias = n.tensor("bias", /*required=*/false); r && bias)
    r = n.create<AddOp>(r, bias);
  out.push_back(r);
  return success(bool(r));
}

/// conv2d(input, weight, bias?, stride=1, padding=0, dilation=1, groups=1).
LogicalResult importConv2d(AtenNode &n, Out &out) {
  Value x = n.tensor("input"), w = n.tensor("weight");
  if (!x || !w)
    return failure();
  if (n.inputTypeOf(x).getRank() != 4)
    return n.error() << "conv2d: only 4-D (NCHW) inputs are supported, got "
                     << x.getType();
  if (n.arg("padding") && n.arg("padding")->getString("as_string"))
    return n.error() << "conv2d: string padding ('same', 'valid') is not "
                        "supported yet";
  auto stride = n.intsArg("stride", {1, 1});
  auto padding = n.intsArg("padding", {0, 0});
  auto dilation = n.intsArg("dilation", {1, 1});
  if (stride.size() != 2 || padding.size() != 2 || dilation.size() != 2)
    return n.error() << "conv2d: stride, padding and dilation need 2 values";
  auto &b = n.builder;
  out.push_back(n.create<ConvOp>(
      x, w, n.tensor("bias", /*required=*/false),
      b.getDenseI64ArrayAttr(stride), b.getDenseI64ArrayAttr(dilation),
      b.getDenseI64ArrayAttr({padding[0], padding[1], padding[0], padding[1]}),
      b.getI64IntegerAttr(n.intArg("groups", 1)),
      LayoutAttr::nchw(b.getContext())));
  return success(bool(out.back()));
}

/// max_pool2d / avg_pool2d(self, kernel_size, stride=kernel_size,
/// padding=0, ...); ceil_mode is not supported yet.
template <typename OpTy, bool isMax>
AtenImporter pool2d() {
  return [](AtenNode &n, Out &out) -> LogicalResult {
    Value x = n.tensor("self");
    if (!x)
      return failure();
    auto kernel = n.intsArg("kernel_size", {});
    if (kernel.size() == 1)
      kernel.push_back(kernel[0]);
    auto stride = n.intsArg("stride", {});
    if (stride.empty())
      stride = kernel;
    auto padding = n.intsArg("padding", {0, 0});
    auto dilation = isMax ? n.intsArg("dilation", {1, 1})
                          : std::vector<int64_t>{1, 1};
    if (kernel.size() != 2 || stride.size() != 2 || padding.size() != 2 ||
        dilation.size() != 2 || n.inputTypeOf(x).getRank() != 4)
      return n.error() << n.target() << ": only 2-D pooling of NCHW inputs "
                       << "is supported";
    SmallVector<int64_t> pads = {padding[0], padding[1], padding[0],
                                 padding[1]};
    if (n.boolArg("ceil_mode", false)) {
      // The last window may hang over the end (but must start inside the
      // input or its left padding): extra end padding, which max pooling
      // ignores. Average pooling would count it: not supported.
      if (!isMax)
        return n.error() << n.target() << ": ceil_mode is not supported yet";
      auto in = n.inputTypeOf(x);
      for (int i = 0; i < 2; ++i) {
        int64_t size = in.getDimSize(2 + i);
        if (ShapedType::isDynamic(size))
          return n.error() << n.target()
                           << ": ceil_mode needs static spatial dims";
        int64_t span = size + 2 * padding[i] - dilation[i] * (kernel[i] - 1) - 1;
        int64_t out = llvm::divideCeil(span, stride[i]) + 1;
        if ((out - 1) * stride[i] >= size + padding[i])
          --out;
        pads[2 + i] += std::max<int64_t>(
            0, (out - 1) * stride[i] + dilation[i] * (kernel[i] - 1) + 1 -
                   (size + 2 * padding[i]));
      }
    }
    if (!isMax && n.arg("divisor_override") &&
        !n.arg("divisor_override")->get("as_none"))
      return n.error() << n.target() << ": divisor_override is not supported";
    // ATen's avg_pool2d counts padding in the divisor by default.
    bool includePad = !isMax && n.boolArg("count_include_pad", true);
    auto &b = n.builder;
    out.push_back(n.create<OpTy>(
        x, b.getDenseI64ArrayAttr(kernel), b.getDenseI64ArrayAttr(stride),
        b.getDenseI64ArrayAttr(dilation), b.getDenseI64ArrayAttr(pads),
        b.getBoolAttr(includePad), LayoutAttr::nchw(b.getContext())));
    return success(bool(out.back()));
  };
}

/// adaptive_avg_pool2d / adaptive_max_pool2d (whose indices get no
/// value): to 1 x 1, the mean (max) over H and W; to an output
/// size that divides the input's, average pooling with equal windows.
template <bool IsMax>
LogicalResult importAdaptivePool(AtenNode &n, Out &out) {
  const char *op = IsMax ? "adaptive_max_pool2d" : "adaptive_avg_pool2d";
  Value x = n.tensor("self");
  if (!x)
    return failure();
  auto size = n.intsArg("output_size", {});
  auto in = n.inputTypeOf(x);
  if (size.size() != 2 || in.getRank() != 4)
    return n.error() << op << ": 2 output sizes of an NCHW input are needed";
  auto &b = n.builder;
  if (size == std::vector<int64_t>{1, 1}) {
    auto axes = b.getDenseI64ArrayAttr({2, 3});
    out.push_back(IsMax ? n.create<ReduceMaxOp>(x, axes, b.getBoolAttr(true))
                        : n.create<ReduceMeanOp>(x, axes, b.getBoolAttr(true)));
    return success(bool(out.back()));
  }
  int64_t h = in.getDimSize(2), w = in.getDimSize(3);
  if (ShapedType::isDynamic(h) || ShapedType::isDynamic(w) || size[0] <= 0 ||
      size[1] <= 0 || h % size[0] || w % size[1])
    return n.error() << op << ": the output size must divide the static "
                        "input size (here " << h << " x " << w << " to "
                     << size[0] << " x " << size[1] << ")";
  if (h == size[0] && w == size[1]) {
    out.push_back(x);
    return success();
  }
  SmallVector<int64_t> window = {h / size[0], w / size[1]};
  auto args = std::make_tuple(
      x, b.getDenseI64ArrayAttr(window), b.getDenseI64ArrayAttr(window),
      b.getDenseI64ArrayAttr({1, 1}), b.getDenseI64ArrayAttr({0, 0, 0, 0}),
      b.getBoolAttr(false), LayoutAttr::nchw(b.getContext()));
  out.push_back(IsMax ? std::apply([&](auto... a) { return n.create<MaxPoolOp>(a...); }, args)
                      : std::apply([&](auto... a) { return n.create<AvgPoolOp>(a...); }, args));
  return success(bool(out.back()));
}

/// silu(x) = x * sigmoid(x).
LogicalResult importSilu(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  Value s = x ? n.create<SigmoidOp>(x) : Value();
  out.push_back(s ? n.create<MulOp>(x, s) : Value());
  return success(bool(out.back()));
}

/// mean.dim(self, dim, keepdim=False, dtype=None).
LogicalResult importMean(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  if (n.arg("dtype") && !n.arg("dtype")->get("as_none"))
    return n.error() << "mean with a dtype is not supported";
  int64_t rank = n.inputTypeOf(x).getRank();
  SmallVector<int64_t> axes;
  for (int64_t d : n.intsArg("dim", {}))
    axes.push_back(normalizeAxis(d, rank));
  if (axes.empty())
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  out.push_back(n.create<ReduceMeanOp>(x, n.builder.getDenseI64ArrayAttr(axes),
                                       n.builder.getBoolAttr(
                                           n.boolArg("keepdim", false))));
  return success(bool(out.back()));
}

/// view / reshape(self, size): at most one dim not known at compile time,
/// a -1 or a symbolic size (a dynamic batch), which the reshape infers from
/// the element count.
LogicalResult importView(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  auto in = n.inputTypeOf(x);
  // view names the new shape "size", reshape "shape".
  auto size = n.symIntsArg(n.arg("shape") ? "shape" : "size");
  if (llvm::count(size, ShapedType::kDynamic) + llvm::count(size, -1) > 1)
    return n.error() << n.target() << ": more than one size not known at "
                        "compile time";
  if (llvm::is_contained(size, ShapedType::kDynamic)) {
    out.push_back(n.reshape(x, size));
    return success(bool(out.back()));
  }
  if (!in.hasStaticShape()) {
    if (llvm::is_contained(size, -1)) {
      for (int64_t &d : size)
        if (d == -1)
          d = ShapedType::kDynamic;
      out.push_back(n.reshape(x, size));
      return success(bool(out.back()));
    }
    return n.error() << n.target() << " of a dynamic shape to a static one "
                        "is not supported";
  }
  int64_t known = 1, unknown = -1;
  for (auto [i, d] : llvm::enumerate(size)) {
    if (d == -1 && unknown < 0)
      unknown = i;
    else if (d < 0)
      return n.error() << n.target() << ": size " << d << " at dim " << i;
    else
      known *= d;
  }
  if (unknown >= 0) {
    if (known == 0 || in.getNumElements() % known)
      return n.error() << n.target() << ": cannot infer the -1 dim";
    size[unknown] = in.getNumElements() / known;
  }
  int64_t total = 1;
  for (int64_t d : size)
    total *= d;
  if (total != in.getNumElements())
    return n.error() << n.target() << ": " << total << " elements asked, the "
                     << "input has " << in.getNumElements();
  out.push_back(n.reshape(x, size));
  return success(bool(out.back()));
}

/// transpose.int(self, dim0, dim1).
LogicalResult importTranspose(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  int64_t rank = n.inputTypeOf(x).getRank();
  auto perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  std::swap(perm[normalizeAxis(n.intArg("dim0", 0), rank)],
            perm[normalizeAxis(n.intArg("dim1", 0), rank)]);
  out.push_back(n.create<TransposeOp>(x, n.builder.getDenseI64ArrayAttr(perm)));
  return success(bool(out.back()));
}

/// contiguous: values are the same (kiln tensors have no strides).
LogicalResult importIdentity(AtenNode &n, Out &out) {
  out.push_back(n.tensor("self"));
  return success(bool(out.back()));
}

/// chunk(self, chunks, dim=0): ceil(size / chunks) per piece, the last
/// shorter, as ATen splits.
LogicalResult importChunk(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  auto in = n.inputTypeOf(x);
  int64_t dim = normalizeAxis(n.intArg("dim", 0), in.getRank());
  int64_t chunks = n.intArg("chunks", 1), size = in.getDimSize(dim);
  if (chunks <= 0 || ShapedType::isDynamic(size))
    return n.error() << "chunk needs a positive count and a static dim";
  int64_t piece = llvm::divideCeil(size, chunks);
  for (int64_t start = 0; start < size; start += piece) {
    out.push_back(sliceDim(n, x, dim, start, std::min(start + piece, size), 1));
    if (!out.back())
      return failure();
  }
  return success();
}

/// batch_norm(input, weight?, bias?, running_mean, running_var, training,
/// momentum, eps, cudnn_enabled), inference only.
LogicalResult importBatchNorm(AtenNode &n, Out &out) {
  Value x = n.tensor("input"), mean = n.tensor("running_mean"),
        var = n.tensor("running_var");
  if (!x || !mean || !var)
    return failure();
  if (n.boolArg("training", false))
    return n.error() << "batch_norm in training mode is not supported: "
                        "export the model in eval() mode";
  // Without affine parameters: scale 1, bias 0 per channel.
  auto channels = RankedTensorType::get({n.inputTypeOf(mean).getDimSize(0)},
                                        n.inputTypeOf(x).getElementType());
  auto filled = [&](double v) -> Value {
    return ConstantOp::create(
        n.builder, n.loc,
        writeConstant(channels,
                      std::vector<double>(channels.getDimSize(0), v)));
  };
  Value scale = n.tensor("weight", false), bias = n.tensor("bias", false);
  if (!scale)
    scale = filled(1.0);
  if (!bias)
    bias = filled(0.0);
  out.push_back(n.create<BatchNormOp>(
      x, scale, bias, mean, var, n.builder.getF64FloatAttr(n.floatArg("eps", 1e-5)),
      LayoutAttr::nchw(n.builder.getContext())));
  return success(bool(out.back()));
}

LogicalResult importCat(AtenNode &n, Out &out) {
  auto inputs = n.tensors("tensors");
  if (!inputs || inputs->empty())
    return n.error() << "cat: its tensors are not all known";
  int64_t rank = n.inputTypeOf(inputs->front()).getRank();
  int64_t dim = normalizeAxis(n.intArg("dim", 0), rank);
  out.push_back(n.create<ConcatOp>(*inputs, n.builder.getI64IntegerAttr(dim)));
  return success(bool(out.back()));
}

/// flatten.using_ints(self, start_dim=0, end_dim=-1) on static shapes.
LogicalResult importFlatten(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  auto type = n.inputTypeOf(x);
  int64_t rank = std::max<int64_t>(type.getRank(), 1);
  int64_t start = normalizeAxis(n.intArg("start_dim", 0), rank);
  int64_t end = normalizeAxis(n.intArg("end_dim", -1), rank);
  if (start > end)
    return n.error() << "flatten: start_dim after end_dim";
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    if (d > start && d <= end) {
      int64_t &last = shape.back();
      last = ShapedType::isDynamic(last) || type.isDynamicDim(d)
                 ? ShapedType::kDynamic
                 : last * type.getDimSize(d);
    } else {
      shape.push_back(type.getDimSize(d));
    }
  }
  if (llvm::count(shape, ShapedType::kDynamic) > 1)
    return n.error() << "flatten: more than one dynamic dim in the result is "
                        "not supported";
  out.push_back(n.reshape(x, shape));
  return success(bool(out.back()));
}

LogicalResult importSoftmax(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  if (n.boolArg("half_to_float", false))
    return n.error() << "softmax with half_to_float is not supported";
  int64_t axis = normalizeAxis(n.intArg("dim", -1), n.inputTypeOf(x).getRank());
  out.push_back(n.create<SoftmaxOp>(x, n.builder.getI64IntegerAttr(axis)));
  return success(bool(out.back()));
}

} // namespace

const llvm::StringMap<AtenImporter> &atenImporters() {
  static const llvm::StringMap<AtenImporter> table = [] {
    llvm::StringMap<AtenImporter> ops = {
      {"aten.relu.default", unary<ReluOp>()},
      // In-place forms compute the same values; Pt2Importer.cpp refuses a
      // graph that reads the overwritten tensor afterwards.
      {"aten.relu_.default", unary<ReluOp>()},
      {"aten.add_.Tensor", binary<AddOp, true>()},
      {"aten.mul_.Tensor", binary<MulOp, false>()},
      {"aten.hardtanh.default", importHardtanh},
      {"aten.hardtanh_.default", importHardtanh},
      {"aten.dropout.default", importDropout},
      {"aten.dropout_.default", importDropout},
      {"aten.silu.default", importSilu},
      {"aten.silu_.default", importSilu},
      {"aten.mean.dim", importMean},
      {"aten.view.default", importView},
      {"aten.reshape.default", importView},
      {"aten.transpose.int", importTranspose},
      {"aten.contiguous.default", importIdentity},
      {"aten.chunk.default", importChunk},
      {"aten.sigmoid.default", unary<SigmoidOp>()},
      {"aten.tanh.default", unary<TanhOp>()},
      {"aten.exp.default", unary<ExpOp>()},
      {"aten.log.default", unary<LogOp>()},
      {"aten.sqrt.default", unary<SqrtOp>()},
      {"aten.rsqrt.default", importRsqrt},
      {"aten.neg.default", unary<NegOp>()},
      {"aten.abs.default", unary<AbsOp>()},
      {"aten.erf.default", unary<ErfOp>()},
      {"aten.sin.default", unary<SinOp>()},
      {"aten.cos.default", unary<CosOp>()},
      {"aten.reciprocal.default", unary<ReciprocalOp>()},
      {"aten.relu6.default", importRelu6},
      {"aten.hardsigmoid.default", importHardSigmoid<false>},
      {"aten.hardsigmoid_.default", importHardSigmoid<false>},
      {"aten.hardswish.default", importHardSigmoid<true>},
      {"aten.hardswish_.default", importHardSigmoid<true>},
      {"aten.add.Tensor", binary<AddOp, true>()},
      {"aten.sub.Tensor", binary<SubOp, true>()},
      {"aten.mul.Tensor", binary<MulOp, false>()},
      {"aten.div.Tensor", binary<DivOp, false>()},
      {"aten.linear.default", importLinear},
      {"aten.conv2d.default", importConv2d},
      {"aten.max_pool2d.default", pool2d<MaxPoolOp, true>()},
      {"aten.avg_pool2d.default", pool2d<AvgPoolOp, false>()},
      {"aten.adaptive_avg_pool2d.default", importAdaptivePool<false>},
      {"aten.adaptive_max_pool2d.default", importAdaptivePool<true>},
      {"aten.batch_norm.default", importBatchNorm},
      {"aten.cat.default", importCat},
      {"aten.flatten.using_ints", importFlatten},
      {"aten.softmax.int", importSoftmax},
      // (handled by Pt2Importer.cpp: sizes, not tensors; arithmetic on a
      // dynamic size is a dynamic size)
      {"aten.sym_size.int", nullptr},
      {"_operator.mul", nullptr},
      {"_operator.add", nullptr},
      {"_operator.sub", nullptr},
      {"_operator.floordiv", nullptr},
    };
    addTransformerImporters(ops);
    addMaskImporters(ops);
    addRecurrentImporters(ops);
    addImageImporters(ops);
    addCoreImporters(ops);
    return ops;
  }();
  return table;
}

} // namespace kiln::torch_frontend
