//===- AtenImporters.cpp - ATen overloads to kiln ops ---------------------===//
//
// The ATen ops of torch.export's default (training) IR that Kiln imports so
// far; docs/frontends/pytorch.md keeps the table. Defaults are ATen's
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
    Value a = n.tensor("self"), b = n.tensor("other");
    if (!a || !b)
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

LogicalResult importRelu6(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  out.push_back(x ? n.create<ClipOp>(x, n.builder.getF64FloatAttr(0.0),
                                     n.builder.getF64FloatAttr(6.0))
                  : Value());
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
    if (n.boolArg("ceil_mode", false))
      return n.error() << n.target() << ": ceil_mode is not supported yet";
    if (!isMax && n.arg("divisor_override") &&
        !n.arg("divisor_override")->get("as_none"))
      return n.error() << n.target() << ": divisor_override is not supported";
    // ATen's avg_pool2d counts padding in the divisor by default.
    bool includePad = !isMax && n.boolArg("count_include_pad", true);
    auto &b = n.builder;
    out.push_back(n.create<OpTy>(
        x, b.getDenseI64ArrayAttr(kernel), b.getDenseI64ArrayAttr(stride),
        b.getDenseI64ArrayAttr(dilation),
        b.getDenseI64ArrayAttr({padding[0], padding[1], padding[0], padding[1]}),
        b.getBoolAttr(includePad), LayoutAttr::nchw(b.getContext())));
    return success(bool(out.back()));
  };
}

/// adaptive_avg_pool2d to 1 x 1: the mean over H and W.
LogicalResult importAdaptiveAvgPool(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  auto size = n.intsArg("output_size", {});
  if (size != std::vector<int64_t>{1, 1} || n.inputTypeOf(x).getRank() != 4)
    return n.error() << "adaptive_avg_pool2d: only an output size of 1 x 1 "
                        "is supported yet";
  out.push_back(n.create<ReduceMeanOp>(x, n.builder.getDenseI64ArrayAttr({2, 3}),
                                       n.builder.getBoolAttr(true)));
  return success(bool(out.back()));
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
  static const llvm::StringMap<AtenImporter> table = {
      {"aten.relu.default", unary<ReluOp>()},
      {"aten.sigmoid.default", unary<SigmoidOp>()},
      {"aten.tanh.default", unary<TanhOp>()},
      {"aten.relu6.default", importRelu6},
      {"aten.add.Tensor", binary<AddOp, true>()},
      {"aten.sub.Tensor", binary<SubOp, true>()},
      {"aten.mul.Tensor", binary<MulOp, false>()},
      {"aten.div.Tensor", binary<DivOp, false>()},
      {"aten.linear.default", importLinear},
      {"aten.conv2d.default", importConv2d},
      {"aten.max_pool2d.default", pool2d<MaxPoolOp, true>()},
      {"aten.avg_pool2d.default", pool2d<AvgPoolOp, false>()},
      {"aten.adaptive_avg_pool2d.default", importAdaptiveAvgPool},
      {"aten.batch_norm.default", importBatchNorm},
      {"aten.cat.default", importCat},
      {"aten.flatten.using_ints", importFlatten},
      {"aten.softmax.int", importSoftmax},
  };
  return table;
}

} // namespace kiln::torch_frontend
