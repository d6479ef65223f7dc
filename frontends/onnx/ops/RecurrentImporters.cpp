//===- RecurrentImporters.cpp - ONNX RNN, GRU and LSTM, unrolled ----------===//
//
// The recurrence is unrolled at import over the static sequence length:
// every step's input projection X W^T + Wb is one matmul for the whole
// sequence, then each step adds H R^T + Rb and applies the cell's gates
// (ONNX's gate orders: LSTM i, o, f, c; GRU z, r, h; RNN one). Directions
// forward, reverse and bidirectional, both layouts, clip, LSTM peepholes,
// GRU's linear_before_reset and the activation functions ONNX lists.
// sequence_lens shorter than the sequence is not supported.
//
//===----------------------------------------------------------------------===//

#include "frontends/common/Composites.h"
#include "frontends/onnx/ImportContext.h"

using namespace mlir;

namespace kiln::onnx_frontend {
namespace {

using Out = SmallVectorImpl<Value>;

enum class Cell { Rnn, Gru, Lstm };

struct Activation {
  std::string name;
  std::optional<double> alpha, beta;
};

Value activate(NodeContext &nc, Value x, const Activation &a) {
  if (!x)
    return {};
  Type et = tensorTypeOf(x).getElementType();
  auto c = [&](double v) { return nc.scalarConst(et, v); };
  const std::string &f = a.name;
  if (f == "Sigmoid")
    return nc.create<SigmoidOp>(x);
  if (f == "Tanh")
    return nc.create<TanhOp>(x);
  if (f == "Relu")
    return nc.create<ReluOp>(x);
  if (f == "Softsign")
    return nc.create<DivOp>(x, nc.create<AddOp>(nc.create<AbsOp>(x), c(1)));
  if (f == "Softplus")
    return buildSoftplus(nc, x);
  if (f == "Elu")
    return buildElu(nc, x, a.alpha.value_or(1.0));
  if (f == "LeakyRelu")
    return nc.create<SelectOp>(nc.create<GreaterOp>(x, c(0)), x,
                               nc.create<MulOp>(x, c(a.alpha.value_or(0.01))));
  if (f == "ThresholdedRelu")
    return nc.create<SelectOp>(nc.create<GreaterOp>(x, c(a.alpha.value_or(1.0))),
                               x, c(0));
  if (f == "HardSigmoid") {
    Value y = nc.create<AddOp>(nc.create<MulOp>(x, c(a.alpha.value_or(0.2))),
                               c(a.beta.value_or(0.5)));
    return nc.create<ClipOp>(y, nc.builder.getF64FloatAttr(0.0),
                             nc.builder.getF64FloatAttr(1.0));
  }
  if (f == "Affine")
    return nc.create<AddOp>(nc.create<MulOp>(x, c(a.alpha.value_or(1.0))),
                            c(a.beta.value_or(0.0)));
  if (f == "ScaledTanh")
    return nc.create<MulOp>(
        nc.create<TanhOp>(nc.create<MulOp>(x, c(a.beta.value_or(1.0)))),
        c(a.alpha.value_or(1.0)));
  nc.error() << "activation '" << f << "' is not supported";
  return {};
}

/// The state of one direction between steps.
struct State {
  Value h, c;
};

class Recurrence {
public:
  Recurrence(NodeContext &nc, Cell cell) : nc(nc), cell(cell) {}

  LogicalResult run(Out &out);

private:
  int64_t gates() const { return cell == Cell::Lstm ? 4 : cell == Cell::Gru ? 3 : 1; }
  /// Gate g of a [B, G H] tensor.
  Value gate(Value all, int64_t g) {
    return nc.slice(all, {0, g * hidden}, {batch, hidden});
  }
  /// Gate g of the recurrence bias.
  Value gateBias(int64_t g) { return nc.slice(rb, {g * hidden}, {hidden}); }
  Value clipped(Value v) {
    if (!v || clip <= 0)
      return v;
    return nc.create<ClipOp>(v, nc.builder.getF64FloatAttr(-clip),
                             nc.builder.getF64FloatAttr(clip));
  }
  Value f(size_t i, Value x) { return activate(nc, x, acts[dir * perDir + i]); }
  /// One step of direction `dir` from the projected input xw [B, G H].
  State step(Value xw, State s);
  /// The matrix of direction `dir` from [D, rows, cols] weights, transposed.
  Value weightT(Value w) {
    auto t = tensorTypeOf(w);
    Value m = nc.reshape(nc.slice(w, {dir, 0, 0}, {1, t.getDimSize(1), t.getDimSize(2)}),
                         {t.getDimSize(1), t.getDimSize(2)});
    return m ? nc.transpose(m, {1, 0})
             : Value();
  }
  /// Row `dir` of a [D, n] tensor, or zeros of n.
  Value row(Value v, int64_t offset, int64_t n) {
    if (!v)
      return nc.create<BroadcastToOp>(RankedTensorType::get({n}, et),
                                      nc.scalarConst(et, 0.0), nc.i64Const({n}));
    return nc.reshape(nc.slice(v, {dir, offset}, {1, n}), {n});
  }
  /// Slice `dir` of a [D, B, H] initial state, or zeros.
  Value initial(Value v) {
    if (!v)
      return nc.create<BroadcastToOp>(RankedTensorType::get({batch, hidden}, et),
                                      nc.scalarConst(et, 0.0),
                                      nc.i64Const({batch, hidden}));
    if (layout == 1)
      v = nc.transpose(v, {1, 0, 2});
    return nc.reshape(nc.slice(v, {dir, 0, 0}, {1, batch, hidden}),
                      {batch, hidden});
  }

  NodeContext &nc;
  Cell cell;
  Type et;
  int64_t seq = 0, batch = 0, input = 0, hidden = 0, dir = 0, perDir = 1;
  int64_t layout = 0;
  double clip = 0;
  bool linearBeforeReset = false;
  std::vector<Activation> acts;
  Value rT, wb, rb, peep;
};

State Recurrence::step(Value xw, State s) {
  Value hr = nc.create<MatMulOp>(s.h, rT);
  if (cell == Cell::Rnn)
    return {f(0, clipped(nc.create<AddOp>(nc.create<AddOp>(xw, hr), rb))), {}};
  if (cell == Cell::Gru) {
    Value z = f(0, clipped(nc.create<AddOp>(nc.create<AddOp>(gate(xw, 0), gate(hr, 0)), gateBias(0))));
    Value r = f(0, clipped(nc.create<AddOp>(nc.create<AddOp>(gate(xw, 1), gate(hr, 1)), gateBias(1))));
    Value hh;
    if (linearBeforeReset) {
      hh = nc.create<MulOp>(r, nc.create<AddOp>(gate(hr, 2), gateBias(2)));
    } else {
      Value rT3 = nc.slice(rT, {0, 2 * hidden}, {hidden, hidden});
      hh = nc.create<AddOp>(nc.create<MatMulOp>(nc.create<MulOp>(r, s.h), rT3),
                            gateBias(2));
    }
    Value h = f(1, clipped(nc.create<AddOp>(gate(xw, 2), hh)));
    Value keep = nc.create<SubOp>(nc.scalarConst(et, 1.0), z);
    return {nc.create<AddOp>(nc.create<MulOp>(keep, h), nc.create<MulOp>(z, s.h)),
            {}};
  }
  Value all = nc.create<AddOp>(nc.create<AddOp>(xw, hr), rb);
  auto peephole = [&](int64_t k, Value cState) -> Value {
    return peep ? nc.create<MulOp>(nc.slice(peep, {k * hidden}, {hidden}), cState)
                : Value();
  };
  auto withPeep = [&](Value g, int64_t k, Value cState) {
    Value p = peephole(k, cState);
    return p ? nc.create<AddOp>(g, p) : g;
  };
  Value i = f(0, clipped(withPeep(gate(all, 0), 0, s.c)));
  Value fg = f(0, clipped(withPeep(gate(all, 2), 2, s.c)));
  Value cc = f(1, clipped(gate(all, 3)));
  Value c = nc.create<AddOp>(nc.create<MulOp>(fg, s.c), nc.create<MulOp>(i, cc));
  Value o = f(0, clipped(withPeep(gate(all, 1), 1, c)));
  return {nc.create<MulOp>(o, f(2, c)), c};
}

LogicalResult Recurrence::run(Out &out) {
  RankedTensorType xt = nc.inputType(0);
  if (xt.getRank() != 3 || !xt.hasStaticShape())
    return nc.error() << "needs a static 3-D input, got " << xt;
  layout = nc.intAttr("layout", 0);
  et = xt.getElementType();
  seq = xt.getDimSize(layout ? 1 : 0);
  batch = xt.getDimSize(layout ? 0 : 1);
  input = xt.getDimSize(2);
  hidden = nc.intAttr("hidden_size", 0);
  std::string direction = nc.stringAttr("direction", "forward");
  int64_t dirs = direction == "bidirectional" ? 2 : 1;
  if (direction != "forward" && direction != "reverse" && dirs != 2)
    return nc.error() << "unknown direction '" << direction << "'";
  if (hidden < 1 || tensorTypeOf(nc.input(1)) != RankedTensorType::get({dirs, gates() * hidden, input}, et) ||
      tensorTypeOf(nc.input(2)) != RankedTensorType::get({dirs, gates() * hidden, hidden}, et))
    return nc.error() << "W and R must be [" << dirs << ", " << gates()
                      << " x hidden_size, input or hidden_size]";
  if (nc.input(4)) {
    auto lens = nc.constInts(4);
    if (!lens || llvm::any_of(*lens, [&](int64_t l) { return l != seq; }))
      return nc.error() << "sequence_lens other than the full sequence are "
                           "not supported";
  }
  if (cell == Cell::Lstm && nc.intAttr("input_forget", 0))
    return nc.error() << "LSTM input_forget is not supported";
  clip = nc.floatAttr("clip", 0.0f);
  linearBeforeReset = nc.intAttr("linear_before_reset", 0);
  perDir = cell == Cell::Lstm ? 3 : cell == Cell::Gru ? 2 : 1;
  static const char *defaults[3][3] = {
      {"Tanh"}, {"Sigmoid", "Tanh"}, {"Sigmoid", "Tanh", "Tanh"}};
  auto names = nc.attr("activations");
  auto alphas = nc.attr("activation_alpha"), betas = nc.attr("activation_beta");
  for (int64_t k = 0; k < dirs * perDir; ++k) {
    Activation a{defaults[int(cell)][k % perDir], {}, {}};
    if (names && k < names->strings_size())
      a.name = names->strings(k);
    if (alphas && k < alphas->floats_size())
      a.alpha = alphas->floats(k);
    if (betas && k < betas->floats_size())
      a.beta = betas->floats(k);
    acts.push_back(a);
  }
  Value x = layout ? nc.transpose(nc.input(0), {1, 0, 2})
                   : nc.input(0);
  Value flat = nc.reshape(x, {seq * batch, input});
  int64_t gh = gates() * hidden;
  SmallVector<Value> finalH, finalC;
  std::vector<std::vector<Value>> ys(dirs);
  for (dir = 0; dir < dirs; ++dir) {
    Value bias = nc.input(3);
    wb = row(bias, 0, gh);
    rb = row(bias, gh, gh);
    rT = weightT(nc.input(2));
    peep = nc.input(7) ? row(nc.input(7), 0, 3 * hidden) : Value();
    Value xw = nc.create<AddOp>(buildNumpyMatMul(nc, flat, weightT(nc.input(1))), wb);
    xw = nc.reshape(xw, {seq, batch, gh});
    State s{initial(nc.input(5)), cell == Cell::Lstm ? initial(nc.input(6)) : Value()};
    bool reverse = direction == "reverse" || dir == 1;
    ys[dir].resize(seq);
    for (int64_t k = 0; k < seq && !nc.failedOp; ++k) {
      int64_t t = reverse ? seq - 1 - k : k;
      Value xs = nc.reshape(nc.slice(xw, {t, 0, 0}, {1, batch, gh}), {batch, gh});
      s = step(xs, s);
      ys[dir][t] = s.h;
    }
    if (nc.failedOp)
      return failure();
    finalH.push_back(nc.reshape(s.h, {1, batch, hidden}));
    if (s.c)
      finalC.push_back(nc.reshape(s.c, {1, batch, hidden}));
  }
  // Y [seq, dirs, batch, hidden]; Y_h, Y_c [dirs, batch, hidden]; layout 1
  // puts batch first in each.
  SmallVector<Value> steps;
  for (int64_t t = 0; t < seq; ++t)
    for (int64_t d = 0; d < dirs; ++d)
      steps.push_back(nc.reshape(ys[d][t], {1, batch, hidden}));
  auto cat = [&](ArrayRef<Value> parts) {
    return nc.create<ConcatOp>(parts, nc.builder.getI64IntegerAttr(0));
  };
  Value y = nc.reshape(cat(steps), {seq, dirs, batch, hidden});
  Value yh = cat(finalH), yc = finalC.empty() ? Value() : cat(finalC);
  if (layout) {
    auto &b = nc.builder;
    y = nc.transpose(y, {2, 0, 1, 3});
    yh = nc.transpose(yh, {1, 0, 2});
    if (yc)
      yc = nc.transpose(yc, {1, 0, 2});
  }
  out.append({y, yh});
  if (yc)
    out.push_back(yc);
  return success(!nc.failedOp);
}

template <Cell C> LogicalResult importRecurrent(NodeContext &nc, Out &out) {
  return Recurrence(nc, C).run(out);
}

} // namespace

void registerRecurrentImporters(ImporterRegistry &r) {
  r["RNN"] = importRecurrent<Cell::Rnn>;
  r["GRU"] = importRecurrent<Cell::Gru>;
  r["LSTM"] = importRecurrent<Cell::Lstm>;
}

} // namespace kiln::onnx_frontend
