//===- AtenRecurrentImporters.cpp - LSTM, unrolled; log_softmax -----------===//
//
// aten.lstm.input runs the whole recurrence in one call. Kiln unrolls it
// over the (static) sequence at import: each layer and direction projects
// every step's input at once (one matmul), then per step adds the hidden
// projection and applies PyTorch's gates (input, forget, cell, output, in
// that order in the weights). The core ATen form is unrolled by torch
// itself and needs none of this.
//
//===----------------------------------------------------------------------===//

#include "frontends/common/Composites.h"
#include "frontends/torch/AtenNode.h"

#include "ir/KilnDialect.h"

using namespace mlir;

namespace kiln::torch_frontend {
namespace {

using Out = SmallVectorImpl<Value>;

/// a @ w^T (+ b): a [N, K], w [M, K].
Value project(AtenNode &n, Value a, Value w, Value b) {
  Value wt = n.create<TransposeOp>(w, n.builder.getDenseI64ArrayAttr({1, 0}));
  Value r = wt ? n.create<MatMulOp>(a, wt) : Value();
  return r && b ? n.create<AddOp>(r, b) : r;
}

/// One direction of one layer over x [T, B, I] from (h, c) [B, H]: the
/// outputs per step (in time order) and the final (h, c).
LogicalResult runDirection(AtenNode &n, Value x, ArrayRef<Value> weights,
                           bool reverse, Value &h, Value &c,
                           SmallVectorImpl<Value> &steps) {
  auto type = n.inputTypeOf(x);
  int64_t t = type.getDimSize(0), batch = type.getDimSize(1);
  int64_t hidden = n.inputTypeOf(weights[1]).getDimSize(1);
  Value bih = weights.size() > 2 ? weights[2] : Value();
  Value bhh = weights.size() > 3 ? weights[3] : Value();
  // Every step's input projection at once: [T*B, 4H].
  Value xs = n.reshape(x, {t * batch, type.getDimSize(2)});
  Value gx = project(n, xs, weights[0], bih);
  gx = gx ? n.reshape(gx, {t, batch, 4 * hidden}) : Value();
  if (!gx)
    return failure();
  steps.assign(t, Value());
  for (int64_t k = 0; k < t; ++k) {
    int64_t step = reverse ? t - 1 - k : k;
    Value g = n.reshape(sliceDim(n, gx, 0, step, step + 1, 1),
                        {batch, 4 * hidden});
    Value gh = project(n, h, weights[1], bhh);
    g = g && gh ? n.create<AddOp>(g, gh) : Value();
    if (!g)
      return failure();
    auto gate = [&](int64_t i) { return sliceDim(n, g, 1, i * hidden, (i + 1) * hidden, 1); };
    Value in = n.create<SigmoidOp>(gate(0)), forget = n.create<SigmoidOp>(gate(1));
    Value cell = n.create<TanhOp>(gate(2)), outGate = n.create<SigmoidOp>(gate(3));
    c = n.create<AddOp>(n.create<MulOp>(forget, c), n.create<MulOp>(in, cell));
    h = n.create<MulOp>(outGate, n.create<TanhOp>(c));
    if (!h)
      return failure();
    steps[step] = n.reshape(h, {1, batch, hidden});
  }
  return success();
}

/// lstm.input(input, hx [h0, c0], params, has_biases, num_layers, dropout,
/// train, bidirectional, batch_first) -> (output, h_n, c_n).
LogicalResult importLstm(AtenNode &n, Out &out) {
  Value x = n.tensor("input");
  auto hx = n.tensors("hx");
  auto params = n.tensors("params");
  if (!x || !hx || !params || hx->size() != 2)
    return n.error() << "lstm: input, hx (h0, c0) and params are needed";
  if (n.boolArg("train", false))
    return n.error() << "lstm in training mode: export the model in eval()";
  bool biases = n.boolArg("has_biases", true);
  bool bidirectional = n.boolArg("bidirectional", false);
  bool batchFirst = n.boolArg("batch_first", false);
  int64_t layers = n.intArg("num_layers", 1);
  int64_t dirs = bidirectional ? 2 : 1;
  size_t perDir = biases ? 4 : 2;
  if (params->size() != size_t(layers * dirs) * perDir)
    return n.error() << "lstm: " << params->size() << " weights for "
                     << layers << " layer(s) of " << dirs << " direction(s)";
  auto perm = n.builder.getDenseI64ArrayAttr({1, 0, 2});
  if (batchFirst)
    x = n.create<TransposeOp>(x, perm);
  auto xt = n.inputTypeOf(x);
  auto ht = n.inputTypeOf((*hx)[0]);
  if (!xt.hasStaticShape() || !ht.hasStaticShape())
    return n.error() << "lstm needs static sequence, batch and sizes";
  int64_t batch = xt.getDimSize(1), hidden = ht.getDimSize(2);
  SmallVector<Value> finalH, finalC;
  for (int64_t l = 0; l < layers; ++l) {
    SmallVector<Value> dirOutputs;
    for (int64_t d = 0; d < dirs; ++d) {
      int64_t slot = l * dirs + d;
      ArrayRef<Value> w(params->data() + slot * perDir, perDir);
      Value h = n.reshape(sliceDim(n, (*hx)[0], 0, slot, slot + 1, 1), {batch, hidden});
      Value c = n.reshape(sliceDim(n, (*hx)[1], 0, slot, slot + 1, 1), {batch, hidden});
      SmallVector<Value> steps;
      if (failed(runDirection(n, x, w, d == 1, h, c, steps)))
        return failure();
      dirOutputs.push_back(
          n.create<ConcatOp>(steps, n.builder.getI64IntegerAttr(0)));
      finalH.push_back(n.reshape(h, {1, batch, hidden}));
      finalC.push_back(n.reshape(c, {1, batch, hidden}));
    }
    x = dirs == 1 ? dirOutputs[0]
                  : n.create<ConcatOp>(dirOutputs, n.builder.getI64IntegerAttr(2));
  }
  out.push_back(batchFirst ? n.create<TransposeOp>(x, perm) : x);
  out.push_back(n.create<ConcatOp>(finalH, n.builder.getI64IntegerAttr(0)));
  out.push_back(n.create<ConcatOp>(finalC, n.builder.getI64IntegerAttr(0)));
  return success(llvm::all_of(out, [](Value v) { return bool(v); }));
}

/// log_softmax.int(self, dim, dtype=None), _log_softmax(self, dim,
/// half_to_float).
LogicalResult importLogSoftmax(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  int64_t dim = normalizeAxis(n.intArg("dim", -1), n.inputTypeOf(x).getRank());
  out.push_back(buildLogSoftmax(n, x, dim));
  return success(bool(out.back()));
}

} // namespace

void addRecurrentImporters(llvm::StringMap<AtenImporter> &table) {
  table["aten.lstm.input"] = importLstm;
  table["aten.log_softmax.int"] = importLogSoftmax;
  table["aten._log_softmax.default"] = importLogSoftmax;
}

} // namespace kiln::torch_frontend
