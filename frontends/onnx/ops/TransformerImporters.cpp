//===- TransformerImporters.cpp - ONNX RotaryEmbedding and SwiGLU ---------===//
//
// Transformer building blocks of recent opsets, written with existing kiln
// ops: RotaryEmbedding rotates pairs of head features by position-dependent
// angles (cos/sin caches, optionally picked by position ids); SwiGLU gates
// one input by the Swish of the other; TensorScatter writes new rows into a
// key/value cache. (Attention: AttentionImporter.cpp.)
//
//===----------------------------------------------------------------------===//

#include "frontends/common/Composites.h"
#include "frontends/onnx/ImportContext.h"

using namespace mlir;

namespace kiln::onnx_frontend {
namespace {

using Out = SmallVectorImpl<Value>;

/// RotaryEmbedding(X, cos_cache, sin_cache[, position_ids]) on a 4-D
/// [batch, heads, seq, head_size] or 3-D [batch, seq, hidden] input: the
/// first rotary_embedding_dim features of each head are split into halves
/// (or even/odd pairs when interleaved), each pair (x1, x2) becoming
/// (cos x1 - sin x2, sin x1 + cos x2).
LogicalResult importRotaryEmbedding(NodeContext &nc, Out &out) {
  RankedTensorType t = nc.inputType(0);
  if (!t.hasStaticShape() || (t.getRank() != 3 && t.getRank() != 4))
    return nc.error() << "RotaryEmbedding needs a static 3-D or 4-D input, "
                         "got "
                      << t;
  Value x = nc.input(0);
  int64_t b = t.getDimSize(0), s, heads, d;
  if (t.getRank() == 4) {
    heads = t.getDimSize(1), s = t.getDimSize(2), d = t.getDimSize(3);
    x = nc.transpose(x, {0, 2, 1, 3});
  } else {
    heads = nc.intAttr("num_heads", 0);
    s = t.getDimSize(1);
    if (heads <= 0 || t.getDimSize(2) % heads)
      return nc.error() << "a 3-D RotaryEmbedding input needs num_heads "
                           "dividing its hidden size "
                        << t.getDimSize(2);
    d = t.getDimSize(2) / heads;
    x = nc.reshape(x, {b, s, heads, d});
  }
  int64_t r = nc.intAttr("rotary_embedding_dim", 0);
  r = r ? r : d;
  if (r % 2 || r > d)
    return nc.error() << "rotary_embedding_dim " << r
                      << " must be even and at most the head size " << d;
  int64_t h = r / 2;
  Value cosCache = nc.input(1), sinCache = nc.input(2);
  if (nc.inputs.size() > 3 && nc.input(3)) {
    auto axis0 = nc.builder.getI64IntegerAttr(0);
    cosCache = nc.create<GatherOp>(cosCache, nc.input(3), axis0);
    sinCache = nc.create<GatherOp>(sinCache, nc.input(3), axis0);
  }
  for (Value c : {cosCache, sinCache})
    if (!c || tensorTypeOf(c).getShape() != ArrayRef<int64_t>{b, s, h})
      return c ? nc.error() << "RotaryEmbedding's caches must give [" << b
                            << ", " << s << ", " << h << "] per position, got "
                            << tensorTypeOf(c)
               : failure();
  Value cosB = nc.reshape(cosCache, {b, s, 1, h});
  Value sinB = nc.reshape(sinCache, {b, s, 1, h});
  bool interleaved = nc.intAttr("interleaved", 0);
  Value x1, x2;
  if (interleaved) {
    Value pairs = nc.reshape(nc.slice(x, {0, 0, 0, 0}, {b, s, heads, r}),
                             {b, s, heads, h, 2});
    x1 = nc.reshape(nc.slice(pairs, {0, 0, 0, 0, 0}, {b, s, heads, h, 1}),
                    {b, s, heads, h});
    x2 = nc.reshape(nc.slice(pairs, {0, 0, 0, 0, 1}, {b, s, heads, h, 1}),
                    {b, s, heads, h});
  } else {
    x1 = nc.slice(x, {0, 0, 0, 0}, {b, s, heads, h});
    x2 = nc.slice(x, {0, 0, 0, h}, {b, s, heads, h});
  }
  Value real = nc.create<SubOp>(nc.create<MulOp>(cosB, x1),
                                nc.create<MulOp>(sinB, x2));
  Value imag = nc.create<AddOp>(nc.create<MulOp>(sinB, x1),
                                nc.create<MulOp>(cosB, x2));
  if (!real || !imag)
    return failure();
  Value rotated;
  if (interleaved) {
    Value parts[] = {nc.reshape(real, {b, s, heads, h, 1}),
                     nc.reshape(imag, {b, s, heads, h, 1})};
    rotated = nc.reshape(nc.create<ConcatOp>(ValueRange(parts),
                                             nc.builder.getI64IntegerAttr(4)),
                         {b, s, heads, r});
  } else {
    rotated = nc.create<ConcatOp>(ValueRange{real, imag},
                                  nc.builder.getI64IntegerAttr(3));
  }
  if (r < d)
    rotated = nc.create<ConcatOp>(
        ValueRange{rotated, nc.slice(x, {0, 0, 0, r}, {b, s, heads, d - r})},
        nc.builder.getI64IntegerAttr(3));
  out.push_back(t.getRank() == 4 ? nc.transpose(rotated, {0, 2, 1, 3})
                                 : nc.reshape(rotated, t.getShape()));
  return success(bool(out.back()));
}

/// SwiGLU(A, B, alpha = 1) = A * sigmoid(alpha A) * B, A and B of one shape.
LogicalResult importSwiGlu(NodeContext &nc, Out &out) {
  if (nc.inputType(0) != nc.inputType(1))
    return nc.error() << "SwiGLU needs two inputs of one type, got "
                      << nc.inputType(0) << " and " << nc.inputType(1);
  Value a = nc.input(0);
  Type et = nc.inputType(0).getElementType();
  double alpha = nc.floatAttr("alpha", 1.0f);
  Value gate = nc.create<SigmoidOp>(
      alpha == 1.0 ? a : nc.create<MulOp>(a, nc.scalarConst(et, alpha)));
  out.push_back(nc.create<MulOp>(nc.create<MulOp>(a, gate), nc.input(1)));
  return success(bool(out.back()));
}

/// TensorScatter(past_cache, update[, write_indices], axis = -2, mode): the
/// cache with `update` written along `axis` from each batch's write index
/// (wrapping around in circular mode). Row p of batch b takes update row
/// p - w[b] (mod the cache length, circular) when that is in range: a 0/1
/// selection matrix times the update, then a select against the cache.
LogicalResult importTensorScatter(NodeContext &nc, Out &out) {
  RankedTensorType ct = nc.inputType(0), ut = nc.inputType(1);
  int64_t rank = ct.getRank();
  int64_t axis = normalizeAxis(nc.intAttr("axis", -2), rank);
  if (!ct.hasStaticShape() || !ut.hasStaticShape() || rank < 2 ||
      axis != rank - 2 || ut.getRank() != rank)
    return nc.error() << "TensorScatter needs static caches written along "
                         "their second-to-last dim, got "
                      << ct << " and " << ut;
  std::string mode = nc.stringAttr("mode", "linear");
  if (mode != "linear" && mode != "circular")
    return nc.error() << "TensorScatter mode must be linear or circular";
  int64_t batch = ct.getDimSize(0), len = ct.getDimSize(axis),
          rows = ut.getDimSize(axis);
  Type i64 = nc.builder.getI64Type(), et = ct.getElementType();
  Value start = nc.reshape(nc.inputs.size() > 2 && nc.input(2)
                               ? nc.castTo(nc.input(2), i64)
                               : nc.i64Const(SmallVector<int64_t>(batch, 0)),
                           {batch, 1});
  std::vector<int64_t> positions(len), updateRows(rows);
  for (int64_t p = 0; p < len; ++p)
    positions[p] = p;
  for (int64_t j = 0; j < rows; ++j)
    updateRows[j] = j;
  Value rel = nc.create<SubOp>(nc.reshape(nc.i64Const(positions), {1, len}),
                               start); // [batch, len]
  if (mode == "circular")
    rel = nc.create<FloorModOp>(rel, nc.scalarConst(i64, double(len)));
  Value pick = nc.create<EqualOp>(nc.reshape(rel, {batch, len, 1}),
                                  nc.reshape(nc.i64Const(updateRows), {1, 1, rows}));
  SmallVector<int64_t> selShape{batch}, maskShape{batch};
  for (int64_t d = 1; d < rank - 2; ++d) {
    selShape.push_back(1);
    maskShape.push_back(1);
  }
  selShape.append({len, rows});
  maskShape.append({len, 1});
  Value written = nc.create<AndOp>(
      nc.create<GreaterEqualOp>(rel, nc.scalarConst(i64, 0)),
      nc.create<LessOp>(rel, nc.scalarConst(i64, double(rows))));
  Value moved = buildNumpyMatMul(nc, nc.reshape(nc.castTo(pick, et), selShape),
                                 nc.input(1));
  out.push_back(nc.create<SelectOp>(nc.reshape(written, maskShape), moved,
                                    nc.input(0)));
  return success(bool(out.back()));
}

} // namespace

void registerTransformerImporters(ImporterRegistry &r) {
  r["RotaryEmbedding"] = importRotaryEmbedding;
  r["SwiGLU"] = importSwiGlu;
  r["TensorScatter"] = importTensorScatter;
}

} // namespace kiln::onnx_frontend
