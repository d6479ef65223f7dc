//===- AttentionImporter.cpp - ONNX Attention (opsets 23-25) --------------===//
//
// softmax(Q K^T scale + bias) V per head, as kiln matmuls, with what the op
// adds around it: 3-D inputs split into heads, a past key/value cache
// (present_key/present_value), boolean or additive masks padded to the
// whole key length, causal and sliding-window masks aligned to the end of
// the cache, nonpad_kv_seqlen, grouped-query heads, softcap, a float
// softmax_precision, and the four qk_matmul_output modes. Rows that every
// key is masked from give zeros, as ONNX specifies. Static shapes.
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

class Attention {
public:
  explicit Attention(NodeContext &nc) : nc(nc) {}
  LogicalResult run(Out &out);

private:
  Value c(double v) { return nc.scalarConst(et, v); }
  /// [B, S, H*D] to [B, H, S, D].
  Value heads(Value v, int64_t h) {
    auto s = tensorTypeOf(v).getShape();
    return nc.transpose(nc.reshape(v, {s[0], s[1], h, s[2] / h}), {0, 2, 1, 3});
  }
  /// The [q, kv] (or [B, 1, q, kv] for a per-batch offset) bias: 0 where
  /// key j may be seen from query i, the queries being the last q positions
  /// before `offset` + q (causal: j <= i + offset; window: within left
  /// before and right after), -inf elsewhere.
  Value windowBias(Value offset, bool causal, int64_t left, int64_t right);
  Value softmax(Value x, Value rowMasked);

  NodeContext &nc;
  Type et;
  int64_t q = 0, kv = 0;
};

Value Attention::windowBias(Value offset, bool causal, int64_t left,
                            int64_t right) {
  // diff = i + offset - j: how far key j lies behind query i.
  auto i64 = nc.builder.getI64Type();
  std::vector<double> base(q * kv);
  for (int64_t i = 0; i < q; ++i)
    for (int64_t j = 0; j < kv; ++j)
      base[i * kv + j] = double(i - j);
  Value diff = ConstantOp::create(
      nc.builder, nc.loc, writeConstant(RankedTensorType::get({q, kv}, i64), base));
  diff = nc.create<AddOp>(diff, offset);
  Value allowed;
  auto both = [&](Value cond) {
    allowed = allowed ? nc.create<AndOp>(allowed, cond) : cond;
  };
  if (causal)
    both(nc.create<GreaterEqualOp>(diff, nc.scalarConst(i64, 0.0)));
  if (left >= 0)
    both(nc.create<LessEqualOp>(diff, nc.scalarConst(i64, double(left))));
  if (right >= 0)
    both(nc.create<GreaterEqualOp>(diff, nc.scalarConst(i64, double(-right))));
  return nc.create<SelectOp>(allowed, c(0.0), c(-INFINITY));
}

/// softmax over the last dim that gives 0 (not NaN) on rows whose every
/// entry is -inf, and 0 on the rows `rowMasked` marks.
Value Attention::softmax(Value x, Value rowMasked) {
  auto &b = nc.builder;
  Type xt = tensorTypeOf(x).getElementType();
  auto last = b.getDenseI64ArrayAttr({tensorTypeOf(x).getRank() - 1});
  auto keep = b.getBoolAttr(true);
  Value m = nc.create<ReduceMaxOp>(x, last, keep);
  Value zero = nc.scalarConst(xt, 0.0);
  m = nc.create<SelectOp>(nc.create<EqualOp>(m, nc.scalarConst(xt, -INFINITY)),
                          zero, m);
  Value e = nc.create<ExpOp>(nc.create<SubOp>(x, m));
  Value s = nc.create<ReduceSumOp>(e, last, keep);
  s = nc.create<SelectOp>(nc.create<EqualOp>(s, zero), nc.scalarConst(xt, 1.0), s);
  Value p = nc.create<DivOp>(e, s);
  return rowMasked ? nc.create<SelectOp>(rowMasked, zero, p) : p;
}

LogicalResult Attention::run(Out &out) {
  Value Q = nc.input(0), K = nc.input(1), V = nc.input(2);
  for (Value v : {Q, K, V})
    if (!v || !tensorTypeOf(v).hasStaticShape())
      return nc.error() << "Attention needs Q, K and V with static shapes";
  et = tensorTypeOf(Q).getElementType();
  int64_t rank = tensorTypeOf(Q).getRank();
  if ((rank != 3 && rank != 4) || tensorTypeOf(K).getRank() != rank ||
      tensorTypeOf(V).getRank() != rank)
    return nc.error() << "Attention needs Q, K and V of rank 3 or 4";
  if (rank == 3) {
    int64_t qh = nc.intAttr("q_num_heads", 0), kvh = nc.intAttr("kv_num_heads", 0);
    if (qh < 1 || kvh < 1 || tensorTypeOf(Q).getDimSize(2) % qh ||
        tensorTypeOf(K).getDimSize(2) % kvh || tensorTypeOf(V).getDimSize(2) % kvh)
      return nc.error() << "3-D Attention needs q_num_heads and kv_num_heads "
                           "that divide the hidden sizes";
    Q = heads(Q, qh);
    K = heads(K, kvh);
    V = heads(V, kvh);
  }
  if (nc.input(4))
    K = nc.create<ConcatOp>(ValueRange{nc.input(4), K}, nc.builder.getI64IntegerAttr(2));
  if (nc.input(5))
    V = nc.create<ConcatOp>(ValueRange{nc.input(5), V}, nc.builder.getI64IntegerAttr(2));
  if (!Q || !K || !V)
    return failure();
  Value presentK = K, presentV = V;
  ArrayRef<int64_t> qs = tensorTypeOf(Q).getShape(), ks = tensorTypeOf(K).getShape();
  int64_t batch = qs[0], qHeads = qs[1], kvHeads = ks[1];
  q = qs[2];
  kv = ks[2];
  int64_t past = nc.input(4) ? tensorTypeOf(nc.input(4)).getDimSize(2) : 0;
  if (kvHeads < 1 || qHeads % kvHeads)
    return nc.error() << "the query heads must be a multiple of the key heads";
  if (qHeads != kvHeads) { // grouped-query attention: repeat each kv head
    int64_t rep = qHeads / kvHeads;
    auto repeat = [&](Value v) {
      auto s = tensorTypeOf(v).getShape();
      SmallVector<int64_t> wide = {s[0], s[1], rep, s[2], s[3]};
      Value x = nc.reshape(v, {s[0], s[1], 1, s[2], s[3]});
      x = nc.create<BroadcastToOp>(tensorTypeOf(v).clone(wide), x, nc.i64Const(wide));
      return nc.reshape(x, {s[0], s[1] * rep, s[2], s[3]});
    };
    K = repeat(K);
    V = repeat(V);
  }

  // The additive bias [.., q, kv]: mask, causal/window, padding.
  Value bias;
  if (Value mask = nc.input(3)) {
    auto mt = tensorTypeOf(mask);
    bool isBool = mt.getElementType().isInteger(1);
    int64_t short_ = kv - mt.getDimSize(mt.getRank() - 1);
    if (short_ < 0)
      return nc.error() << "attn_mask is longer than the keys";
    if (isBool)
      mask = nc.create<SelectOp>(mask, c(0.0), c(-INFINITY));
    if (short_ > 0) {
      SmallVector<int64_t> pads(2 * mt.getRank(), 0);
      pads.back() = short_;
      mask = nc.create<PadOp>(mask, nc.builder.getDenseI64ArrayAttr(pads),
                              nc.builder.getF64FloatAttr(-INFINITY));
    }
    bias = mask;
  }
  bool causal = nc.intAttr("is_causal", 0);
  int64_t left = nc.intAttr("left_window_size", -1),
          right = nc.intAttr("right_window_size", -1);
  Value nonpad = nc.input(6);
  Value lens;
  auto i64 = nc.builder.getI64Type();
  if (nonpad) {
    lens = nonpad;
    lens = nc.castTo(lens, i64);
    lens = nc.reshape(lens, {batch, 1, 1, 1});
  }
  if (causal || left >= 0 || right >= 0) {
    // The queries end at the cache's end, or at each entry's length.
    Value offset = lens ? nc.create<SubOp>(lens, nc.scalarConst(i64, double(q)))
                        : nc.scalarConst(i64, double(past));
    Value w = windowBias(offset, causal, left, right);
    bias = bias ? nc.create<AddOp>(bias, w) : w;
  }
  if (nonpad) {
    // Keys at or past each batch entry's length are padding.
    std::vector<int64_t> iota(kv);
    for (int64_t j = 0; j < kv; ++j)
      iota[j] = j;
    Value inside = nc.create<LessOp>(nc.reshape(nc.i64Const(iota), {1, 1, 1, kv}),
                                     lens);
    Value pad = nc.create<SelectOp>(inside, c(0.0), c(-INFINITY));
    bias = bias ? nc.create<AddOp>(bias, pad) : pad;
  }

  double scale = nc.attr("scale") ? nc.floatAttr("scale", 1.0f)
                                  : 1.0 / std::sqrt(double(qs[3]));
  Value root = c(std::sqrt(scale));
  Value kt = nc.transpose(nc.create<MulOp>(K, root), {0, 1, 3, 2});
  Value scores = buildNumpyMatMul(nc, nc.create<MulOp>(Q, root), kt);
  if (!scores)
    return failure();
  double softcap = nc.floatAttr("softcap", 0.0f);
  if (softcap > 0)
    scores = nc.create<MulOp>(nc.create<TanhOp>(nc.create<DivOp>(scores, c(softcap))),
                              c(softcap));
  Value qkOut = scores;
  Value withBias = bias ? nc.create<AddOp>(scores, bias) : scores;
  int64_t mode = nc.intAttr("qk_matmul_output_mode", 0);
  if (mode == 2)
    qkOut = withBias;
  Value rowMasked;
  if (bias) {
    auto last = nc.builder.getDenseI64ArrayAttr({tensorTypeOf(bias).getRank() - 1});
    Value best = nc.create<ReduceMaxOp>(bias, last, nc.builder.getBoolAttr(true));
    rowMasked = nc.create<EqualOp>(best, c(-INFINITY));
  }
  Value probs;
  if (int64_t precision = nc.intAttr("softmax_precision", 0)) {
    Type pt = elementTypeFor(nc.builder.getContext(), int(precision));
    if (!pt || !isa<FloatType>(pt))
      return nc.error() << "unsupported softmax_precision " << precision;
    Value wide = nc.castTo(withBias, pt);
    probs = softmax(wide, rowMasked);
    probs = probs ? nc.castTo(probs, et) : probs;
  } else {
    probs = softmax(withBias, rowMasked);
  }
  if (mode == 3)
    qkOut = probs;
  Value y = probs ? buildNumpyMatMul(nc, probs, V) : Value();
  if (y && rank == 3) {
    auto s = tensorTypeOf(y).getShape();
    y = nc.reshape(nc.transpose(y, {0, 2, 1, 3}), {s[0], s[2], s[1] * s[3]});
  }
  out.append({y, presentK, presentV, qkOut});
  return success(y && !nc.failedOp);
}

LogicalResult importAttention(NodeContext &nc, Out &out) {
  return Attention(nc).run(out);
}

} // namespace

void registerAttentionImporters(ImporterRegistry &r) {
  r["Attention"] = importAttention;
}

} // namespace kiln::onnx_frontend
