//===- ElementwiseImporters.cpp - ONNX elementwise ops to kiln ------------===//
//
// Unary math, the broadcasting binary ops (Max/Min are variadic in ONNX and
// become chains), Clip, Cast and the ops that are identities at inference
// (Identity, Dropout), Mean, IsNaN and IsInf.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/ImportContext.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace kiln::onnx_frontend {

template <typename OpTy>
static OpImporter unary() {
  return [](NodeContext &nc, SmallVectorImpl<Value> &out) -> LogicalResult {
    out.push_back(nc.create<OpTy>(nc.input(0)));
    return success();
  };
}

template <typename OpTy>
static OpImporter binary() {
  return [](NodeContext &nc, SmallVectorImpl<Value> &out) -> LogicalResult {
    if (nc.inputs.empty())
      return nc.error() << "needs at least one input";
    for (Value v : nc.inputs)
      if (!v)
        return nc.error() << "an input name is empty";
    Value acc = nc.input(0);
    Type et = nc.inputType(0).getElementType();
    for (size_t i = 1; i < nc.inputs.size(); ++i)
      acc = nc.create<OpTy>(acc, nc.castTo(nc.input(i), et));
    out.push_back(acc);
    return success();
  };
}

/// Mean: the variadic Sum divided by the input count.
static LogicalResult importMean(NodeContext &nc, SmallVectorImpl<Value> &out) {
  if (failed(binary<AddOp>()(nc, out)))
    return failure();
  Type et = nc.inputType(0).getElementType();
  out.back() = nc.create<DivOp>(out.back(),
                                nc.scalarConst(et, double(nc.inputs.size())));
  return success(bool(out.back()));
}

/// IsNaN: x != x, true only for NaN.
static LogicalResult importIsNaN(NodeContext &nc, SmallVectorImpl<Value> &out) {
  out.push_back(nc.create<NotEqualOp>(nc.input(0), nc.input(0)));
  return success(bool(out.back()));
}

/// IsInf: x == +inf or x == -inf, each side selectable.
static LogicalResult importIsInf(NodeContext &nc, SmallVectorImpl<Value> &out) {
  Value x = nc.input(0);
  Type et = nc.inputType(0).getElementType();
  double inf = std::numeric_limits<double>::infinity();
  Value r;
  for (auto [attr, sign] : {std::pair{"detect_positive", 1.0},
                            std::pair{"detect_negative", -1.0}}) {
    if (!nc.intAttr(attr, 1))
      continue;
    Value hit = nc.create<EqualOp>(x, nc.scalarConst(et, sign * inf));
    r = r ? nc.create<OrOp>(r, hit) : hit;
  }
  if (!r) // neither side: all false
    r = nc.create<AndOp>(nc.create<EqualOp>(x, x), nc.create<NotEqualOp>(x, x));
  out.push_back(r);
  return success(bool(out.back()));
}

static LogicalResult importIdentity(NodeContext &nc,
                                    SmallVectorImpl<Value> &out) {
  if (!nc.input(0) && nc.node.input_size() && nc.sequences &&
      nc.sequences->count(nc.node.input(0))) { // a sequence: the same list
    (*nc.sequences)[nc.node.output(0)] = nc.sequences->at(nc.node.input(0));
    return success();
  }
  out.push_back(nc.input(0));
  return success();
}

static LogicalResult importDropout(NodeContext &nc,
                                   SmallVectorImpl<Value> &out) {
  // Inference, or training with ratio 0, keeps every element: the output
  // is the input and the mask all true. Other training runs are random.
  if (nc.input(2)) {
    auto training = nc.constInts(2);
    auto ratio = nc.input(1) ? nc.constFloats(1) : std::nullopt;
    bool keepsAll = ratio && ratio->size() == 1 && (*ratio)[0] == 0.0;
    if (!training || training->size() != 1 ||
        ((*training)[0] != 0 && !keepsAll))
      return nc.error() << "Dropout in training mode is not supported";
  }
  out.push_back(nc.input(0));
  if (nc.node.output_size() > 1) {
    auto t = nc.inputType(0);
    if (!t.hasStaticShape())
      return nc.error() << "Dropout's mask output needs a static shape";
    out.push_back(nc.create<BroadcastToOp>(
        t.clone(nc.builder.getI1Type()),
        nc.scalarConst(nc.builder.getI1Type(), 1.0),
        nc.i64Const(t.getShape())));
  }
  return success();
}

static LogicalResult importClip(NodeContext &nc, SmallVectorImpl<Value> &out) {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  if (nc.opset < 11) {
    lo = nc.floatAttr("min", -std::numeric_limits<float>::infinity());
    hi = nc.floatAttr("max", std::numeric_limits<float>::infinity());
  }
  // Constant bounds become attributes; run-time bounds become max/min ops.
  Value x = nc.input(0);
  SmallVector<std::pair<size_t, Value>> dynamicBounds;
  for (size_t i : {1, 2}) {
    if (!nc.input(i))
      continue;
    auto v = nc.constFloats(i);
    if (v && v->size() == 1)
      (i == 1 ? lo : hi) = (*v)[0];
    else if (nc.inputType(i).getNumElements() == 1)
      dynamicBounds.push_back({i, nc.input(i)});
    else
      return nc.error() << "Clip bounds must be scalars";
  }
  if (!std::isinf(lo) || !std::isinf(hi))
    x = nc.create<ClipOp>(x, nc.builder.getF64FloatAttr(lo),
                          nc.builder.getF64FloatAttr(hi));
  for (auto [i, bound] : dynamicBounds) {
    Value scalar = nc.reshape(bound, {});
    if (i == 1)
      x = nc.create<MaxOp>(x, scalar);
    else
      x = nc.create<MinOp>(x, scalar);
  }
  out.push_back(x);
  return success();
}

Value castWithSaturate(NodeContext &nc, Value x, Type et) {
  // saturate = 1 (the default) clamps into the 8-bit float's finite range,
  // so overflow and infinities give +-max; without it they give inf where
  // the format has one and NaN otherwise, as a plain conversion does.
  auto ft = dyn_cast<FloatType>(et);
  auto xt = cast<RankedTensorType>(x.getType());
  if (ft && ft.getWidth() == 8 && nc.intAttr("saturate", 1) &&
      isa<FloatType>(xt.getElementType())) {
    double max = APFloat::getLargest(ft.getFloatSemantics()).convertToDouble();
    x = nc.create<ClipOp>(x, nc.builder.getF64FloatAttr(-max),
                          nc.builder.getF64FloatAttr(max));
    if (!x)
      return {};
  }
  return nc.castTo(x, et);
}

static LogicalResult importCast(NodeContext &nc, SmallVectorImpl<Value> &out) {
  Type et = elementTypeFor(nc.builder.getContext(), int(nc.intAttr("to", 0)));
  if (!et)
    return nc.error() << "Cast to unsupported type "
                              << nc.intAttr("to", 0);
  out.push_back(castWithSaturate(nc, nc.input(0), et));
  return success(bool(out.back()));
}

void registerElementwiseImporters(ImporterRegistry &r) {
  r["Relu"] = unary<ReluOp>();
  r["Sigmoid"] = unary<SigmoidOp>();
  r["Tanh"] = unary<TanhOp>();
  r["Erf"] = unary<ErfOp>();
  r["Sqrt"] = unary<SqrtOp>();
  r["Exp"] = unary<ExpOp>();
  r["Log"] = unary<LogOp>();
  r["Neg"] = unary<NegOp>();
  r["Abs"] = unary<AbsOp>();
  r["Reciprocal"] = unary<ReciprocalOp>();
  r["Floor"] = unary<FloorOp>();
  r["Ceil"] = unary<CeilOp>();
  r["Sin"] = unary<SinOp>();
  r["Cos"] = unary<CosOp>();
  r["Tan"] = unary<TanOp>();
  r["Asin"] = unary<AsinOp>();
  r["Acos"] = unary<AcosOp>();
  r["Atan"] = unary<AtanOp>();
  r["Sinh"] = unary<SinhOp>();
  r["Cosh"] = unary<CoshOp>();
  r["Asinh"] = unary<AsinhOp>();
  r["Acosh"] = unary<AcoshOp>();
  r["Atanh"] = unary<AtanhOp>();
  r["Round"] = unary<RoundOp>();
  r["Add"] = binary<AddOp>();
  r["Sub"] = binary<SubOp>();
  r["Mul"] = binary<MulOp>();
  r["Div"] = binary<DivOp>();
  r["Pow"] = binary<PowOp>();
  r["Max"] = binary<MaxOp>();
  r["Min"] = binary<MinOp>();
  r["Sum"] = binary<AddOp>();
  r["Mean"] = importMean;
  r["IsNaN"] = importIsNaN;
  r["IsInf"] = importIsInf;
  r["Identity"] = importIdentity;
  r["Dropout"] = importDropout;
  r["Clip"] = importClip;
  r["Cast"] = importCast;
}

} // namespace kiln::onnx_frontend
