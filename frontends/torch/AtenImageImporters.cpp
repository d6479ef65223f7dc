//===- AtenImageImporters.cpp - group norm, upsampling, more reductions ---===//
//
// The ATen ops of segmentation and generative models: group_norm (a layer
// norm over each group of channels, then a per-channel affine),
// upsample_nearest2d / upsample_bilinear2d (interpolate), leaky_relu, and
// the sum/amax/amin reductions.
//
//===----------------------------------------------------------------------===//

#include "frontends/torch/AtenNode.h"

#include "ir/ConstantData.h"
#include "ir/KilnDialect.h"

using namespace mlir;

namespace kiln::torch_frontend {
namespace {

using Out = SmallVectorImpl<Value>;

/// leaky_relu(self, negative_slope=0.01).
LogicalResult importLeakyRelu(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  Type et = n.inputTypeOf(x).getElementType();
  Value pos = n.create<GreaterOp>(x, n.scalarConst(et, 0.0));
  Value neg = n.create<MulOp>(x, n.scalarConst(et, n.floatArg("negative_slope", 0.01)));
  out.push_back(n.create<SelectOp>(pos, x, neg));
  return success(bool(out.back()));
}

/// sum.dim_IntList(self, dim, keepdim=False, dtype=None), amax/amin(self,
/// dim=[], keepdim=False): an empty dim list reduces every dim.
template <typename OpTy> LogicalResult importReduce(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  if (const auto *dt = n.arg("dtype"); dt && !dt->get("as_none"))
    return n.error() << n.target() << " with a dtype is not supported";
  int64_t rank = n.inputTypeOf(x).getRank();
  std::vector<int64_t> dims = n.intsArg("dim", {});
  if (dims.empty())
    for (int64_t d = 0; d < rank; ++d)
      dims.push_back(d);
  for (int64_t &d : dims)
    d = normalizeAxis(d, rank);
  llvm::sort(dims);
  dims.erase(std::unique(dims.begin(), dims.end()), dims.end());
  out.push_back(n.create<OpTy>(x, n.builder.getDenseI64ArrayAttr(dims),
                               n.builder.getBoolAttr(n.boolArg("keepdim", false))));
  return success(bool(out.back()));
}

/// group_norm(input, num_groups, weight=None, bias=None, eps=1e-5): input
/// [N, C, ...] seen as [N, G, C/G * ...], normalized over the last dim,
/// then scaled and shifted per channel.
LogicalResult importGroupNorm(AtenNode &n, Out &out) {
  Value x = n.tensor("input");
  if (!x)
    return failure();
  auto type = n.inputTypeOf(x);
  // native_group_norm (the core form) names it "group"; its saved
  // statistics get no value.
  int64_t groups = n.arg("group") ? n.intArg("group", 1) : n.intArg("num_groups", 1);
  if (!type.hasStaticShape() || type.getRank() < 2 || groups <= 0 ||
      type.getDimSize(1) % groups)
    return n.error() << "group_norm needs a static [N, C, ...] input with C "
                        "divisible by the groups";
  int64_t batch = type.getDimSize(0), channels = type.getDimSize(1);
  int64_t per = type.getNumElements() / batch / groups;
  Type et = type.getElementType();
  auto fill = [&](double v) -> Value {
    auto t = RankedTensorType::get({per}, et);
    return ConstantOp::create(n.builder, n.loc,
                              writeConstant(t, std::vector<double>(per, v)));
  };
  Value g = n.reshape(x, {batch, groups, per});
  Value y = n.create<LayerNormOp>(g, fill(1.0), fill(0.0),
                                  n.builder.getI64IntegerAttr(2),
                                  n.builder.getF64FloatAttr(n.floatArg("eps", 1e-5)));
  y = n.reshape(y, SmallVector<int64_t>(type.getShape()));
  // weight and bias [C] broadcast as [C, 1, ...].
  SmallVector<int64_t> perChannel(type.getRank() - 1, 1);
  perChannel[0] = channels;
  if (Value w = n.tensor("weight", false); y && w)
    y = n.create<MulOp>(y, n.reshape(w, perChannel));
  if (Value b = n.tensor("bias", false); y && b)
    y = n.create<AddOp>(y, n.reshape(b, perChannel));
  out.push_back(y);
  return success(bool(y));
}

/// The output size of an upsample: output_size, else input size x
/// scale_factors (or scales_h/scales_w).
FailureOr<SmallVector<int64_t>> upsampleSize(AtenNode &n, RankedTensorType in) {
  std::vector<int64_t> size = n.intsArg("output_size", {});
  if (size.size() == 2)
    return SmallVector<int64_t>(size.begin(), size.end());
  SmallVector<int64_t> out;
  const auto *factors = n.arg("scale_factors");
  const auto *list = factors ? factors->getArray("as_floats") : nullptr;
  for (int i = 0; i < 2; ++i) {
    double f = list && list->size() == 2 ? (*list)[i].getAsNumber().value_or(0)
                                         : n.floatArg(i ? "scales_w" : "scales_h", 0);
    if (f <= 0 || in.isDynamicDim(2 + i))
      return LogicalResult(n.error() << n.target()
                                     << " needs an output size or scales and "
                                        "static H and W");
    out.push_back(int64_t(std::floor(in.getDimSize(2 + i) * f)));
  }
  return out;
}

/// An upsample's 4-D input (".vec" names it "input", the others "self")
/// and its output H and W.
FailureOr<std::pair<Value, SmallVector<int64_t>>> upsampleArgs(AtenNode &n) {
  Value x = n.tensor(n.arg("input") ? "input" : "self");
  if (!x)
    return failure();
  if (n.inputTypeOf(x).getRank() != 4)
    return LogicalResult(n.error() << n.target() << " needs an NCHW input");
  auto size = upsampleSize(n, n.inputTypeOf(x));
  if (failed(size))
    return failure();
  return std::make_pair(x, *size);
}

/// upsample_nearest2d(.vec): output pixel o reads input floor(o * in / out)
/// along H and W (two gathers by constant indices).
LogicalResult importUpsampleNearest(AtenNode &n, Out &out) {
  auto args = upsampleArgs(n);
  if (failed(args))
    return failure();
  auto [x, size] = *args;
  auto type = n.inputTypeOf(x);
  for (int i = 0; i < 2; ++i) {
    int64_t in = type.getDimSize(2 + i), o = size[i];
    std::vector<int64_t> index;
    for (int64_t k = 0; k < o; ++k)
      index.push_back(std::min(in - 1, int64_t(std::floor(double(k) * in / o))));
    x = n.create<GatherOp>(x, n.i64Const(index), n.builder.getI64IntegerAttr(2 + i));
    if (!x)
      return failure();
  }
  out.push_back(x);
  return success();
}

/// upsample_bilinear2d(.vec)(input, output_size, align_corners, ...).
LogicalResult importUpsampleBilinear(AtenNode &n, Out &out) {
  auto args = upsampleArgs(n);
  if (failed(args))
    return failure();
  auto [x, size] = *args;
  bool corners = n.boolArg("align_corners", false);
  out.push_back(n.create<ResizeOp>(
      x, n.builder.getDenseI64ArrayAttr({2, 3}),
      n.builder.getDenseI64ArrayAttr(size),
      n.builder.getStringAttr(corners ? "align_corners" : "half_pixel")));
  return success(bool(out.back()));
}

} // namespace

void addImageImporters(llvm::StringMap<AtenImporter> &table) {
  table["aten.leaky_relu.default"] = importLeakyRelu;
  table["aten.leaky_relu_.default"] = importLeakyRelu;
  table["aten.sum.dim_IntList"] = importReduce<ReduceSumOp>;
  table["aten.amax.default"] = importReduce<ReduceMaxOp>;
  table["aten.amin.default"] = importReduce<ReduceMinOp>;
  table["aten.group_norm.default"] = importGroupNorm;
  table["aten.native_group_norm.default"] = importGroupNorm;
  table["aten.upsample_nearest2d.default"] = importUpsampleNearest;
  table["aten.upsample_nearest2d.vec"] = importUpsampleNearest;
  table["aten.upsample_bilinear2d.default"] = importUpsampleBilinear;
  table["aten.upsample_bilinear2d.vec"] = importUpsampleBilinear;
}

} // namespace kiln::torch_frontend
