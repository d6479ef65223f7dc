//===- AtenTransformerImporters.cpp - transformer ATen ops to kiln --------===//
//
// matmul, bmm, layer_norm, gelu, embedding, arange, slice, permute,
// unbind, scaled_dot_product_attention and alias: with linear, softmax,
// view and transpose (AtenImporters.cpp) what encoder and decoder blocks
// and their position embeddings export to.
//
//===----------------------------------------------------------------------===//

#include "frontends/common/Composites.h"
#include "frontends/common/Einsum.h"
#include "frontends/torch/AtenNode.h"

#include "ir/ConstantData.h"
#include "ir/KilnDialect.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace kiln::torch_frontend {
namespace {

using Out = SmallVectorImpl<Value>;

/// matmul(self, other): numpy's matmul.
LogicalResult importMatmul(AtenNode &n, Out &out) {
  Value a = n.tensor("self"), b = n.tensor("other");
  out.push_back(a && b ? buildNumpyMatMul(n, a, b) : Value());
  return success(bool(out.back()));
}

/// layer_norm(input, normalized_shape, weight?, bias?, eps=1e-5).
LogicalResult importLayerNorm(AtenNode &n, Out &out) {
  Value x = n.tensor("input");
  if (!x)
    return failure();
  auto type = n.inputTypeOf(x);
  auto normalized = n.intsArg("normalized_shape", {});
  int64_t axis = type.getRank() - int64_t(normalized.size());
  if (normalized.empty() || axis < 0)
    return n.error() << "layer_norm: normalized_shape does not fit the input";
  auto ones = [&](double v) -> Value {
    auto t = RankedTensorType::get(normalized, type.getElementType());
    return ConstantOp::create(
        n.builder, n.loc,
        writeConstant(t, std::vector<double>(t.getNumElements(), v)));
  };
  Value scale = n.tensor("weight", false), bias = n.tensor("bias", false);
  out.push_back(n.create<LayerNormOp>(
      x, scale ? scale : ones(1.0), bias ? bias : ones(0.0),
      n.builder.getI64IntegerAttr(axis),
      n.builder.getF64FloatAttr(n.floatArg("eps", 1e-5))));
  return success(bool(out.back()));
}

/// gelu(self, approximate="none"): 0.5 x (1 + erf(x / sqrt 2)), or with
/// approximate="tanh" 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))).
LogicalResult importGelu(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  const auto *approx = n.arg("approximate");
  llvm::StringRef mode =
      approx ? approx->getString("as_string").value_or("none") : "none";
  Type et = n.inputTypeOf(x).getElementType();
  auto c = [&](double v) { return n.scalarConst(et, v); };
  Value inner;
  if (mode == "none") {
    inner = n.create<ErfOp>(n.create<MulOp>(x, c(M_SQRT1_2)));
  } else if (mode == "tanh") {
    Value cube = n.create<MulOp>(n.create<MulOp>(x, x), x);
    Value sum = n.create<AddOp>(x, n.create<MulOp>(cube, c(0.044715)));
    inner = n.create<TanhOp>(n.create<MulOp>(sum, c(std::sqrt(2.0 / M_PI))));
  } else {
    return n.error() << "gelu: approximate='" << mode << "' is not known";
  }
  Value half = n.create<MulOp>(x, c(0.5));
  out.push_back(inner ? n.create<MulOp>(half, n.create<AddOp>(inner, c(1.0)))
                      : Value());
  return success(bool(out.back()));
}

/// embedding(weight, indices, ...): rows of weight.
LogicalResult importEmbedding(AtenNode &n, Out &out) {
  Value w = n.tensor("weight"), idx = n.tensor("indices");
  if (!w || !idx)
    return failure();
  out.push_back(n.create<GatherOp>(w, idx, n.builder.getI64IntegerAttr(0)));
  return success(bool(out.back()));
}

/// arange(end) / arange.start(start, end, step=1) of integers, as a
/// constant (the exported bounds are numbers).
LogicalResult importArange(AtenNode &n, Out &out) {
  int64_t start = n.intArg("start", 0), end = n.intArg("end", 0);
  int64_t step = n.intArg("step", 1);
  const auto *e = n.arg("end");
  if (!e || !e->getInteger("as_int") || step == 0)
    return n.error() << "arange: only integer bounds known at export time "
                        "are supported";
  if (const auto *dt = n.arg("dtype"))
    if (!dt->get("as_none") && dt->getInteger("as_scalar_type").value_or(5) != 5)
      return n.error() << "arange: only int64 results are supported";
  std::vector<double> values;
  for (int64_t v = start; step > 0 ? v < end : v > end; v += step) {
    values.push_back(double(v));
    if (values.size() > (1u << 24))
      return n.error() << "arange: too many elements";
  }
  auto type = RankedTensorType::get({int64_t(values.size())},
                                    n.builder.getI64Type());
  out.push_back(ConstantOp::create(n.builder, n.loc, writeConstant(type, values)));
  return success();
}

/// slice.Tensor(self, dim=0, start=None, end=None, step=1).
LogicalResult importSlice(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  auto type = n.inputTypeOf(x);
  int64_t dim = normalizeAxis(n.intArg("dim", 0), type.getRank());
  int64_t size = type.getDimSize(dim);
  if (ShapedType::isDynamic(size))
    return n.error() << "slice of a dynamic dim is not supported yet";
  int64_t step = n.intArg("step", 1);
  if (step <= 0)
    return n.error() << "slice: step must be positive";
  auto clampIndex = [&](int64_t v) {
    if (v < 0)
      v += size;
    return std::clamp<int64_t>(v, 0, size);
  };
  int64_t start = clampIndex(n.intArg("start", 0));
  int64_t end = clampIndex(n.intArg("end", size));
  out.push_back(sliceDim(n, x, dim, start, end, step));
  return success(bool(out.back()));
}

/// permute(self, dims).
LogicalResult importPermute(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  int64_t rank = n.inputTypeOf(x).getRank();
  SmallVector<int64_t> perm;
  for (int64_t d : n.intsArg("dims", {}))
    perm.push_back(normalizeAxis(d, rank));
  out.push_back(n.create<TransposeOp>(x, n.builder.getDenseI64ArrayAttr(perm)));
  return success(bool(out.back()));
}

/// bmm(self, mat2): batched [B, N, M] x [B, M, P].
LogicalResult importBmm(AtenNode &n, Out &out) {
  Value a = n.tensor("self"), b = n.tensor("mat2");
  out.push_back(a && b ? n.create<MatMulOp>(a, b) : Value());
  return success(bool(out.back()));
}

/// einsum(equation, tensors, path=None): one or two operands
/// (frontends/common/Einsum.h).
LogicalResult importEinsum(AtenNode &n, Out &out) {
  const auto *eq = n.arg("equation");
  auto operands = n.tensors("tensors");
  auto equation = eq ? eq->getString("as_string") : std::nullopt;
  if (!equation || !operands)
    return n.error() << "einsum needs an equation and a list of tensors";
  auto r = buildEinsum(n, *equation, *operands);
  if (failed(r))
    return failure();
  out.push_back(*r);
  return success();
}

/// _native_multi_head_attention(query, key, value, embed_dim, num_head,
/// qkv_weight, qkv_bias, proj_weight, proj_bias, mask=None,
/// need_weights=True, average_attn_weights=True, mask_type=None): the fast
/// path of nn.MultiheadAttention in eval mode (what tracing a ViT writes).
/// Inputs [B, L, E]; results (output, weights); weights only when asked
/// for (an empty tensor otherwise, as PyTorch returns).
LogicalResult importNativeMha(AtenNode &n, Out &out) {
  Value q = n.tensor("query"), k = n.tensor("key"), v = n.tensor("value");
  Value w = n.tensor("qkv_weight"), b = n.tensor("qkv_bias", false);
  Value pw = n.tensor("proj_weight"), pb = n.tensor("proj_bias", false);
  if (!q || !k || !v || !w || !pw)
    return failure();
  if (const auto *mask = n.arg("mask"); mask && !mask->get("as_none"))
    return n.error() << "_native_multi_head_attention with a mask is not "
                        "supported";
  if (n.boolArg("need_weights", true))
    return n.error() << "_native_multi_head_attention with need_weights is "
                        "not supported";
  auto qt = n.inputTypeOf(q);
  int64_t e = n.intArg("embed_dim", 0), heads = n.intArg("num_head", 1);
  if (qt.getRank() != 3 || !qt.hasStaticShape() || heads <= 0 ||
      e != qt.getDimSize(2) || e % heads)
    return n.error() << "_native_multi_head_attention needs static [B, L, E] "
                        "inputs and E divisible by the heads";
  int64_t batch = qt.getDimSize(0), len = qt.getDimSize(1), d = e / heads;
  auto &bld = n.builder;
  // x @ W[i*E:(i+1)*E]^T + b[i*E:(i+1)*E], as [B, H, L, D].
  auto project = [&](Value x, int64_t i) -> Value {
    Value wi = sliceDim(n, w, 0, i * e, (i + 1) * e, 1);
    Value wt = n.create<TransposeOp>(wi, bld.getDenseI64ArrayAttr({1, 0}));
    Value y = buildNumpyMatMul(n, x, wt);
    if (y && b)
      y = n.create<AddOp>(y, sliceDim(n, b, 0, i * e, (i + 1) * e, 1));
    int64_t l = n.inputTypeOf(x).getDimSize(1);
    y = n.reshape(y, {batch, l, heads, d});
    return n.create<TransposeOp>(y, bld.getDenseI64ArrayAttr({0, 2, 1, 3}));
  };
  Value qh = project(q, 0), kh = project(k, 1), vh = project(v, 2);
  if (!qh || !kh || !vh)
    return failure();
  Value kt = n.create<TransposeOp>(kh, bld.getDenseI64ArrayAttr({0, 1, 3, 2}));
  Type et = qt.getElementType();
  Value scores = n.create<MulOp>(n.create<MatMulOp>(qh, kt),
                                 n.scalarConst(et, 1.0 / std::sqrt(double(d))));
  Value att = n.create<SoftmaxOp>(scores, bld.getI64IntegerAttr(3));
  Value y = n.create<MatMulOp>(att, vh);
  y = n.create<TransposeOp>(y, bld.getDenseI64ArrayAttr({0, 2, 1, 3}));
  y = n.reshape(y, {batch, len, e});
  Value pt = n.create<TransposeOp>(pw, bld.getDenseI64ArrayAttr({1, 0}));
  y = buildNumpyMatMul(n, y, pt);
  if (y && pb)
    y = n.create<AddOp>(y, pb);
  out.push_back(y);
  auto empty = RankedTensorType::get({0}, et);
  out.push_back(ConstantOp::create(bld, n.loc, writeConstant(empty, {})));
  return success(bool(y));
}

/// Entry `i` of static dim `dim` of `x`, without that dim (unbind's and
/// select's pieces); null after reporting when the dim is dynamic.
static Value pickIndex(AtenNode &n, Value x, int64_t dim, int64_t i) {
  auto type = n.inputTypeOf(x);
  if (type.isDynamicDim(dim) ||
      llvm::count(type.getShape(), ShapedType::kDynamic) > 1) {
    n.error() << n.target() << " needs a static dim and at most one dynamic "
                               "dim elsewhere";
    return {};
  }
  SmallVector<int64_t> shape(type.getShape());
  shape.erase(shape.begin() + dim);
  Value piece = sliceDim(n, x, dim, i, i + 1, 1);
  return piece ? n.reshape(piece, shape) : Value();
}

/// unbind(self, dim=0): each index of a static dim, that dim removed.
LogicalResult importUnbind(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  auto type = n.inputTypeOf(x);
  int64_t dim = normalizeAxis(n.intArg("dim", 0), type.getRank());
  for (int64_t i = 0, e = std::max<int64_t>(type.getDimSize(dim), 1); i < e;
       ++i) {
    out.push_back(pickIndex(n, x, dim, i));
    if (!out.back())
      return failure();
  }
  return success();
}

/// select.int(self, dim, index): x[..., index, ...] without that dim.
LogicalResult importSelect(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  auto type = n.inputTypeOf(x);
  int64_t dim = normalizeAxis(n.intArg("dim", 0), type.getRank());
  int64_t size = type.getDimSize(dim);
  int64_t index = n.intArg("index", 0);
  if (!ShapedType::isDynamic(size) && (index < -size || index >= size))
    return n.error() << "select: index " << index << " of a dim of " << size;
  out.push_back(pickIndex(n, x, dim, index < 0 ? index + size : index));
  return success(bool(out.back()));
}

/// scaled_dot_product_attention(query, key, value, attn_mask=None,
/// dropout_p=0, is_causal=False, scale=None):
/// softmax(q k^T * scale + mask) v, scale 1/sqrt(E) by default; a causal
/// mask is -inf above the diagonal (static sequence lengths).
LogicalResult importSdpa(AtenNode &n, Out &out) {
  Value q = n.tensor("query"), k = n.tensor("key"), v = n.tensor("value");
  if (!q || !k || !v)
    return failure();
  auto qt = n.inputTypeOf(q), kt = n.inputTypeOf(k);
  int64_t rank = qt.getRank();
  if (rank < 2 || kt.getRank() != rank)
    return n.error() << "scaled_dot_product_attention: query and key need "
                        "the same rank, at least 2";
  if (n.floatArg("dropout_p", 0.0) != 0.0)
    return n.error() << "scaled_dot_product_attention with dropout is not "
                        "supported";
  if (n.boolArg("enable_gqa", false))
    return n.error() << "scaled_dot_product_attention with enable_gqa is not "
                        "supported yet";
  int64_t e = qt.getDimSize(rank - 1);
  const auto *scaleArg = n.arg("scale");
  bool given = scaleArg && !scaleArg->get("as_none");
  if (!given && ShapedType::isDynamic(e))
    return n.error() << "scaled_dot_product_attention: the embedding size "
                        "must be static";
  double scale = given ? n.floatArg("scale", 1.0) : 1.0 / std::sqrt(double(e));
  Type et = qt.getElementType();
  auto perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  std::swap(perm[rank - 1], perm[rank - 2]);
  Value kT = n.create<TransposeOp>(k, n.builder.getDenseI64ArrayAttr(perm));
  Value scores = kT ? n.create<MatMulOp>(q, kT) : Value();
  scores = scores ? n.create<MulOp>(scores, n.scalarConst(et, scale)) : Value();
  if (!scores)
    return failure();
  if (Value mask = n.tensor("attn_mask", /*required=*/false)) {
    if (n.inputTypeOf(mask).getElementType() != et)
      return n.error() << "scaled_dot_product_attention: only float masks "
                          "(added to the scores) are supported yet";
    scores = n.create<AddOp>(scores, mask);
  }
  if (n.boolArg("is_causal", false)) {
    int64_t l = qt.getDimSize(rank - 2), s = kt.getDimSize(rank - 2);
    if (ShapedType::isDynamic(l) || ShapedType::isDynamic(s))
      return n.error() << "scaled_dot_product_attention: is_causal needs "
                          "static sequence lengths";
    std::vector<double> mask(l * s, 0.0);
    for (int64_t i = 0; i < l; ++i)
      for (int64_t j = i + 1; j < s; ++j)
        mask[i * s + j] = -std::numeric_limits<double>::infinity();
    Value causal = ConstantOp::create(
        n.builder, n.loc,
        writeConstant(RankedTensorType::get({l, s}, et), mask));
    scores = n.create<AddOp>(scores, causal);
  }
  Value weights = scores ? n.create<SoftmaxOp>(
                               scores, n.builder.getI64IntegerAttr(rank - 1))
                         : Value();
  out.push_back(weights ? n.create<MatMulOp>(weights, v) : Value());
  return success(bool(out.back()));
}

/// alias: the same values.
LogicalResult importAlias(AtenNode &n, Out &out) {
  out.push_back(n.tensor("self"));
  return success(bool(out.back()));
}

} // namespace

void addTransformerImporters(llvm::StringMap<AtenImporter> &table) {
  table["aten.matmul.default"] = importMatmul;
  table["aten.layer_norm.default"] = importLayerNorm;
  table["aten.gelu.default"] = importGelu;
  table["aten.embedding.default"] = importEmbedding;
  table["aten.arange.default"] = importArange;
  table["aten.arange.start"] = importArange;
  table["aten.arange.start_step"] = importArange;
  table["aten.slice.Tensor"] = importSlice;
  table["aten.alias.default"] = importAlias;
  table["aten.permute.default"] = importPermute;
  table["aten.bmm.default"] = importBmm;
  table["aten.unbind.int"] = importUnbind;
  table["aten.select.int"] = importSelect;
  table["aten.einsum.default"] = importEinsum;
  table["aten._native_multi_head_attention.default"] = importNativeMha;
  table["aten.scaled_dot_product_attention.default"] = importSdpa;
}

} // namespace kiln::torch_frontend
