//===- AtenCoreImporters.cpp - the core ATen form of an export ------------===//
//
// `torch.export.export(...).run_decompositions()` rewrites a graph into
// core ATen: convolution instead of conv2d, addmm instead of linear, the
// functional batch and layer norms with their saved statistics as extra
// results, max_pool2d_with_indices, split_with_sizes, expand, clamp. Most
// are another overload of an op the table already imports: those entries
// wrap the existing importer after checking what differs. An op's extra
// results that inference never reads (saved means, pool indices) get no
// value: a node that read one would be reported.
//
//===----------------------------------------------------------------------===//

#include "frontends/torch/AtenNode.h"

#include "ir/ConstantData.h"
#include "ir/KilnDialect.h"

#include <algorithm>
#include <limits>

using namespace mlir;

namespace kiln::torch_frontend {
namespace {

using Out = SmallVectorImpl<Value>;

/// addmm(self, mat1, mat2, beta=1, alpha=1) = beta * self + alpha * mat1 @ mat2.
LogicalResult importAddmm(AtenNode &n, Out &out) {
  Value bias = n.tensor("self"), a = n.tensor("mat1"), b = n.tensor("mat2");
  if (!bias || !a || !b)
    return failure();
  Type et = n.inputTypeOf(a).getElementType();
  Value r = n.create<MatMulOp>(a, b);
  double alpha = n.floatArg("alpha", 1.0), beta = n.floatArg("beta", 1.0);
  if (r && alpha != 1.0)
    r = n.create<MulOp>(r, n.scalarConst(et, alpha));
  if (r && beta != 1.0)
    bias = n.create<MulOp>(bias, n.scalarConst(et, beta));
  out.push_back(r && bias ? n.create<AddOp>(r, bias) : Value());
  return success(bool(out.back()));
}

/// mm(self, mat2) and t(self) (a 2-D transpose).
LogicalResult importMm(AtenNode &n, Out &out) {
  Value a = n.tensor("self"), b = n.tensor("mat2");
  out.push_back(a && b ? n.create<MatMulOp>(a, b) : Value());
  return success(bool(out.back()));
}

LogicalResult importT(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  int64_t rank = n.inputTypeOf(x).getRank();
  if (rank < 2) {
    out.push_back(x);
    return success();
  }
  out.push_back(
      n.create<TransposeOp>(x, n.builder.getDenseI64ArrayAttr({1, 0})));
  return success(bool(out.back()));
}

/// clamp(self, min=None, max=None): a missing bound is infinite.
LogicalResult importClamp(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  auto bound = [&](llvm::StringRef name, double dflt) {
    const auto *a = n.arg(name);
    return a && !a->get("as_none") ? n.floatArg(name, dflt) : dflt;
  };
  double inf = std::numeric_limits<double>::infinity();
  out.push_back(n.create<ClipOp>(x, n.builder.getF64FloatAttr(bound("min", -inf)),
                                 n.builder.getF64FloatAttr(bound("max", inf))));
  return success(bool(out.back()));
}

/// expand(self, size): broadcast to `size`, -1 keeping a dim.
LogicalResult importExpand(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  auto type = n.inputTypeOf(x);
  std::vector<int64_t> size = n.symIntsArg("size");
  int64_t lead = int64_t(size.size()) - type.getRank();
  if (lead < 0)
    return n.error() << "expand to fewer dims than the input has";
  SmallVector<int64_t> dims;
  bool dynamic = false;
  for (auto [i, d] : llvm::enumerate(size)) {
    int64_t in = int64_t(i) >= lead ? type.getDimSize(i - lead)
                                    : int64_t(1);
    // A symbolic size where the input's dim is dynamic: that dim (the
    // batch) is kept, not broadcast.
    bool keep = d == -1 || (d == ShapedType::kDynamic && ShapedType::isDynamic(in));
    if (d == ShapedType::kDynamic && !keep)
      return n.error() << "expand to a size not known at compile time is "
                          "not supported";
    dims.push_back(keep ? in : d);
    dynamic |= ShapedType::isDynamic(dims.back());
  }
  auto result = RankedTensorType::get(dims, type.getElementType());
  if (!dynamic) {
    out.push_back(n.create<BroadcastToOp>(result, x, n.i64Const(dims)));
    return success(bool(out.back()));
  }
  // With a dynamic dim kept, broadcasting against zeros of the static sizes
  // (1 at the dynamic dims) makes the same tensor.
  SmallVector<int64_t> zerosShape;
  for (int64_t d : dims)
    zerosShape.push_back(ShapedType::isDynamic(d) ? 1 : d);
  Type et = type.getElementType();
  Value zeros = n.create<BroadcastToOp>(RankedTensorType::get(zerosShape, et),
                                        n.scalarConst(et, 0.0),
                                        n.i64Const(zerosShape));
  out.push_back(et.isInteger(1) ? n.create<OrOp>(x, zeros)
                                : n.create<AddOp>(x, zeros));
  return success(bool(out.back()));
}

/// split_with_sizes(self, split_sizes, dim=0) and split.Tensor(self,
/// split_size, dim=0): slices along a static dim.
LogicalResult importSplit(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  auto type = n.inputTypeOf(x);
  int64_t dim = normalizeAxis(n.intArg("dim", 0), type.getRank());
  int64_t total = type.getDimSize(dim);
  if (ShapedType::isDynamic(total))
    return n.error() << n.target() << " of a dynamic dim is not supported";
  std::vector<int64_t> sizes = n.intsArg("split_sizes", {});
  if (sizes.empty()) {
    int64_t step = n.intArg("split_size", total);
    if (step <= 0)
      return n.error() << n.target() << ": split size " << step;
    for (int64_t at = 0; at < total; at += step)
      sizes.push_back(std::min(step, total - at));
  }
  int64_t at = 0;
  for (int64_t s : sizes) {
    out.push_back(sliceDim(n, x, dim, at, at + s, 1));
    if (!out.back())
      return failure();
    at += s;
  }
  if (at != total)
    return n.error() << n.target() << ": sizes sum to " << at << ", the dim is "
                     << total;
  return success();
}

/// squeeze.dims(self, dim), squeeze.dim(self, dim), unsqueeze(self, dim).
template <bool Unsqueeze> LogicalResult importSqueeze(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  auto type = n.inputTypeOf(x);
  SmallVector<int64_t> shape(type.getShape());
  if (Unsqueeze) {
    int64_t dim = normalizeAxis(n.intArg("dim", 0), type.getRank() + 1);
    shape.insert(shape.begin() + dim, 1);
  } else {
    std::vector<int64_t> dims = n.intsArg("dim", {});
    if (dims.empty())
      for (int64_t d = 0; d < type.getRank(); ++d)
        dims.push_back(d);
    for (int64_t &d : dims)
      d = normalizeAxis(d, type.getRank());
    llvm::sort(dims);
    for (int64_t d : llvm::reverse(dims))
      if (shape[d] == 1) // squeeze leaves dims of other sizes
        shape.erase(shape.begin() + d);
  }
  if (llvm::count(shape, ShapedType::kDynamic) > 1)
    return n.error() << n.target() << " with more than one dynamic dim";
  out.push_back(n.reshape(x, shape));
  return success(bool(out.back()));
}



/// _assert_tensor_metadata: a check torch.export records for a dtype
/// conversion; Kiln's types are checked when the IR is built. No result.
LogicalResult importAssertMetadata(AtenNode &, Out &) { return success(); }

/// unflatten.int(self, dim, sizes): dim split into `sizes` (one may be -1).
LogicalResult importUnflatten(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  auto type = n.inputTypeOf(x);
  int64_t dim = normalizeAxis(n.intArg("dim", 0), type.getRank());
  std::vector<int64_t> sizes = n.symIntsArg("sizes");
  int64_t whole = type.getDimSize(dim), known = 1, unknown = -1;
  for (auto [i, s] : llvm::enumerate(sizes)) {
    if (s < 0)
      unknown = i;
    else
      known *= s;
  }
  if (unknown >= 0 && !ShapedType::isDynamic(whole) && known > 0)
    sizes[unknown] = whole / known;
  SmallVector<int64_t> shape(type.getShape().begin(),
                             type.getShape().begin() + dim);
  for (int64_t s : sizes)
    shape.push_back(s < 0 ? ShapedType::kDynamic : s);
  shape.append(type.getShape().begin() + dim + 1, type.getShape().end());
  if (llvm::count(shape, ShapedType::kDynamic) > 1)
    return n.error() << "unflatten with more than one dynamic size";
  out.push_back(n.reshape(x, shape));
  return success(bool(out.back()));
}

/// expand_as(self, other): expand to other's shape.
LogicalResult importExpandAs(AtenNode &n, Out &out) {
  Value x = n.tensor("self"), other = n.tensor("other");
  if (!x || !other)
    return failure();
  auto to = n.inputTypeOf(other);
  if (!to.hasStaticShape())
    return n.error() << "expand_as to a dynamic shape is not supported";
  out.push_back(n.create<BroadcastToOp>(
      RankedTensorType::get(to.getShape(), n.inputTypeOf(x).getElementType()),
      x, n.i64Const(to.getShape())));
  return success(bool(out.back()));
}

/// clamp_min(self, min), clamp_max(self, max).
template <bool Min> LogicalResult importClampOne(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  double inf = std::numeric_limits<double>::infinity();
  double bound = n.floatArg(Min ? "min" : "max", Min ? -inf : inf);
  out.push_back(n.create<ClipOp>(x, n.builder.getF64FloatAttr(Min ? bound : -inf),
                                 n.builder.getF64FloatAttr(Min ? inf : bound)));
  return success(bool(out.back()));
}




/// fmod.Scalar/.Tensor(self, other): C's fmod (the sign of self);
/// remainder: the sign of other.
template <typename OpTy> LogicalResult importMod(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  const auto *other = n.arg("other");
  Value y = other && !other->get("as_tensor")
                ? n.scalarConst(n.inputTypeOf(x).getElementType(),
                                n.floatArg("other", 1.0))
                : n.tensor("other");
  out.push_back(y ? n.create<OpTy>(x, y) : Value());
  return success(bool(out.back()));
}



/// rsub(self, other, alpha=1) = other - alpha * self.
LogicalResult importRsub(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  Type et = n.inputTypeOf(x).getElementType();
  const auto *other = n.arg("other");
  Value y = other && !other->get("as_tensor")
                ? n.scalarConst(et, n.floatArg("other", 0.0))
                : n.tensor("other");
  double alpha = n.floatArg("alpha", 1.0);
  if (y && alpha != 1.0)
    x = n.create<MulOp>(x, n.scalarConst(et, alpha));
  out.push_back(y ? n.create<SubOp>(y, x) : Value());
  return success(bool(out.back()));
}

/// pow.Tensor_Scalar(self, exponent), pow.Tensor_Tensor(self, exponent).
LogicalResult importPow(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  const auto *e = n.arg("exponent");
  Value y = e && !e->get("as_tensor")
                ? n.scalarConst(n.inputTypeOf(x).getElementType(),
                                n.floatArg("exponent", 1.0))
                : n.tensor("exponent");
  out.push_back(y ? n.create<PowOp>(x, y) : Value());
  return success(bool(out.back()));
}

LogicalResult importClone(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  out.push_back(x);
  return success(bool(x));
}

/// An overload that `base` imports once `check` accepts the node.
AtenImporter wrap(const AtenImporter &base,
                  std::function<LogicalResult(AtenNode &)> check) {
  return [base, check](AtenNode &n, Out &out) -> LogicalResult {
    if (failed(check(n)))
      return failure();
    return base(n, out);
  };
}

} // namespace

void addCoreImporters(llvm::StringMap<AtenImporter> &table) {
  addLayoutImporters(table);
  auto none = [](AtenNode &) { return success(); };
  AtenImporter conv2d = table["aten.conv2d.default"];
  table["aten.convolution.default"] = wrap(conv2d, [](AtenNode &n) {
    Value x = n.tensor("input");
    if (!x)
      return failure();
    if (n.boolArg("transposed", false) || n.inputTypeOf(x).getRank() != 4)
      return LogicalResult(n.error()
                           << "aten.convolution: only 2-D, non-transposed "
                              "convolutions are supported");
    return success();
  });
  table["aten._native_batch_norm_legit_no_training.default"] =
      table["aten.batch_norm.default"];
  table["aten.max_pool2d_with_indices.default"] =
      table["aten.max_pool2d.default"];
  table["aten._adaptive_avg_pool2d.default"] =
      table["aten.adaptive_avg_pool2d.default"];
  table["aten._softmax.default"] = table["aten.softmax.int"];
  table["aten.native_layer_norm.default"] = table["aten.layer_norm.default"];
  for (const char *op : {"add", "sub", "mul", "div"})
    table[std::string("aten.") + op + ".Scalar"] =
        wrap(table[std::string("aten.") + op + ".Tensor"], none);
  table["aten.addmm.default"] = importAddmm;
  table["aten.mm.default"] = importMm;
  table["aten.t.default"] = importT;
  table["aten.clamp.default"] = importClamp;
  table["aten.expand.default"] = importExpand;
  table["aten.split_with_sizes.default"] = importSplit;
  table["aten.split.Tensor"] = importSplit;
  table["aten.squeeze.dims"] = importSqueeze<false>;
  table["aten.squeeze.dim"] = importSqueeze<false>;
  table["aten.unsqueeze.default"] = importSqueeze<true>;
  table["aten.clone.default"] = importClone;
  table["aten.rsub.Scalar"] = importRsub;
  table["aten.rsub.Tensor"] = importRsub;
  table["aten.pow.Tensor_Scalar"] = importPow;
  table["aten.pow.Tensor_Tensor"] = importPow;
  table["aten.fmod.Scalar"] = importMod<RemOp>;
  table["aten.fmod.Tensor"] = importMod<RemOp>;
  table["aten.remainder.Scalar"] = importMod<FloorModOp>;
  table["aten.remainder.Tensor"] = importMod<FloorModOp>;
  table["aten.unflatten.int"] = importUnflatten;
  table["aten.expand_as.default"] = importExpandAs;
  table["aten.clamp_min.default"] = importClampOne<true>;
  table["aten.clamp_max.default"] = importClampOne<false>;
  table["aten._assert_tensor_metadata.default"] = importAssertMetadata;
}

} // namespace kiln::torch_frontend
