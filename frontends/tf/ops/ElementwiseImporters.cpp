//===- ElementwiseImporters.cpp - TensorFlow elementwise ops to kiln ------===//
//
// Arithmetic, comparisons and logic with numpy broadcasting (TensorFlow's
// rules are the same), activations, BiasAdd and Cast.
//
//===----------------------------------------------------------------------===//

#include "frontends/common/Composites.h"
#include "frontends/tf/TfNodeContext.h"
#include "frontends/tf/TfTensors.h"

using namespace mlir;

namespace kiln::tf_frontend {

template <typename OpTy>
static TfOpImporter unary() {
  return [](TfNodeContext &nc, SmallVectorImpl<Value> &out) {
    out.push_back(nc.create<OpTy>(nc.input(0)));
    return success(bool(out.back()));
  };
}

template <typename OpTy>
static TfOpImporter binary() {
  return [](TfNodeContext &nc, SmallVectorImpl<Value> &out) {
    if (nc.inputType(0).getElementType() != nc.inputType(1).getElementType())
      return LogicalResult(nc.error() << nc.node.op() << " operands differ in "
                                      << "type: " << nc.inputType(0) << " and "
                                      << nc.inputType(1));
    out.push_back(nc.create<OpTy>(nc.input(0), nc.input(1)));
    return success(bool(out.back()));
  };
}

static Type elementType(TfNodeContext &nc) {
  return nc.inputType(0).getElementType();
}

static LogicalResult importRelu6(TfNodeContext &nc, SmallVectorImpl<Value> &out) {
  auto &b = nc.builder;
  out.push_back(nc.create<ClipOp>(nc.input(0), b.getF64FloatAttr(0.0),
                                  b.getF64FloatAttr(6.0)));
  return success(bool(out.back()));
}

/// LeakyRelu: max(x, alpha * x) for 0 <= alpha <= 1.
static LogicalResult importLeakyRelu(TfNodeContext &nc,
                                     SmallVectorImpl<Value> &out) {
  float alpha = nc.floatAttr("alpha", 0.2f);
  if (alpha < 0 || alpha > 1)
    return nc.error() << "LeakyRelu alpha " << alpha << " outside [0, 1]";
  Value scaled = nc.create<MulOp>(nc.input(0), nc.scalarConst(elementType(nc), alpha));
  out.push_back(nc.create<MaxOp>(nc.input(0), scaled));
  return success(bool(out.back()));
}

static LogicalResult importSquare(TfNodeContext &nc, SmallVectorImpl<Value> &out) {
  out.push_back(nc.create<MulOp>(nc.input(0), nc.input(0)));
  return success(bool(out.back()));
}

static LogicalResult importRsqrt(TfNodeContext &nc, SmallVectorImpl<Value> &out) {
  out.push_back(nc.create<ReciprocalOp>(nc.create<SqrtOp>(nc.input(0))));
  return success(bool(out.back()));
}

/// 1 - erf(x) (Keras' exact GELU is written with Erfc).
static LogicalResult importErfc(TfNodeContext &nc, SmallVectorImpl<Value> &out) {
  Value e = nc.create<ErfOp>(nc.input(0));
  out.push_back(e ? nc.create<SubOp>(nc.scalarConst(elementType(nc), 1.0), e)
                  : Value());
  return success(bool(out.back()));
}

/// (a - b)^2, as Keras' LayerNormalization and variance computations use.
static LogicalResult importSquaredDifference(TfNodeContext &nc,
                                             SmallVectorImpl<Value> &out) {
  Value d = nc.create<SubOp>(nc.input(0), nc.input(1));
  out.push_back(d ? nc.create<MulOp>(d, d) : Value());
  return success(bool(out.back()));
}

/// x * sigmoid(x) (grappler writes Swish for Keras' "swish" activation).
static LogicalResult importSwish(TfNodeContext &nc, SmallVectorImpl<Value> &out) {
  out.push_back(nc.create<MulOp>(nc.input(0), nc.create<SigmoidOp>(nc.input(0))));
  return success(bool(out.back()));
}

/// Elu, and Selu with TensorFlow's fixed alpha and scale.
static LogicalResult importElu(TfNodeContext &nc, SmallVectorImpl<Value> &out) {
  bool selu = nc.node.op() == "Selu";
  out.push_back(buildElu(nc, nc.input(0),
                         selu ? 1.6732632423543772 : 1.0,
                         selu ? 1.0507009873554805 : 1.0));
  return success(bool(out.back()));
}

static LogicalResult importSoftplus(TfNodeContext &nc,
                                    SmallVectorImpl<Value> &out) {
  out.push_back(buildSoftplus(nc, nc.input(0)));
  return success(bool(out.back()));
}

/// BiasAdd: the bias runs along the channel dim (last for NHWC, 1 for NCHW).
static LogicalResult importBiasAdd(TfNodeContext &nc,
                                   SmallVectorImpl<Value> &out) {
  auto x = nc.inputType(0), bias = nc.inputType(1);
  if (bias.getRank() != 1 || x.getRank() < 2)
    return nc.error() << "BiasAdd needs a 1-D bias and an input of rank >= 2";
  out.push_back(
      nc.create<AddOp>(nc.input(0), nc.alongChannels(nc.input(1), x.getRank())));
  return success(bool(out.back()));
}

static LogicalResult importCast(TfNodeContext &nc, SmallVectorImpl<Value> &out) {
  const auto *to = nc.attr("DstT");
  Type et = to ? elementTypeFor(nc.builder.getContext(), to->type()) : Type();
  if (!et)
    return nc.error() << "Cast to "
                      << (to ? dtypeName(to->type()) : std::string("?"))
                      << " is not supported";
  auto in = nc.inputType(0);
  out.push_back(in.getElementType() == et
                    ? nc.input(0)
                    : nc.create<CastOp>(in.clone(et), nc.input(0)));
  return success(bool(out.back()));
}

/// AddN: a sum of any number of tensors.
static LogicalResult importAddN(TfNodeContext &nc, SmallVectorImpl<Value> &out) {
  Value acc = nc.input(0);
  for (size_t i = 1; acc && i < nc.inputs.size(); ++i)
    acc = nc.create<AddOp>(acc, nc.input(i));
  out.push_back(acc);
  return success(bool(acc));
}

void registerTfElementwiseImporters(TfImporterRegistry &r) {
  r["Add"] = binary<AddOp>();
  r["AddV2"] = binary<AddOp>();
  r["Sub"] = binary<SubOp>();
  r["Mul"] = binary<MulOp>();
  r["RealDiv"] = binary<DivOp>();
  r["Maximum"] = binary<MaxOp>();
  r["Minimum"] = binary<MinOp>();
  r["Pow"] = binary<PowOp>();
  r["Atan2"] = binary<Atan2Op>();
  r["FloorDiv"] = binary<FloorDivOp>();
  r["FloorMod"] = binary<FloorModOp>();
  r["Mod"] = binary<RemOp>();
  r["TruncateMod"] = binary<RemOp>();
  r["Equal"] = binary<EqualOp>();
  r["NotEqual"] = binary<NotEqualOp>();
  r["Less"] = binary<LessOp>();
  r["LessEqual"] = binary<LessEqualOp>();
  r["Greater"] = binary<GreaterOp>();
  r["GreaterEqual"] = binary<GreaterEqualOp>();
  r["LogicalAnd"] = binary<AndOp>();
  r["LogicalOr"] = binary<OrOp>();
  r["LogicalNot"] = unary<NotOp>();
  r["AddN"] = importAddN;
  r["Relu"] = unary<ReluOp>();
  r["Sigmoid"] = unary<SigmoidOp>();
  r["Tanh"] = unary<TanhOp>();
  r["Exp"] = unary<ExpOp>();
  r["Log"] = unary<LogOp>();
  r["Sqrt"] = unary<SqrtOp>();
  r["Neg"] = unary<NegOp>();
  r["Abs"] = unary<AbsOp>();
  r["Reciprocal"] = unary<ReciprocalOp>();
  r["Inv"] = unary<ReciprocalOp>();
  r["Erf"] = unary<ErfOp>();
  r["Floor"] = unary<FloorOp>();
  r["Ceil"] = unary<CeilOp>();
  r["Sin"] = unary<SinOp>();
  r["Cos"] = unary<CosOp>();
  r["Erfc"] = importErfc;
  r["Relu6"] = importRelu6;
  r["LeakyRelu"] = importLeakyRelu;
  r["Square"] = importSquare;
  r["SquaredDifference"] = importSquaredDifference;
  r["Rsqrt"] = importRsqrt;
  r["Swish"] = importSwish;
  r["Elu"] = importElu;
  r["Selu"] = importElu;
  r["Softplus"] = importSoftplus;
  r["BiasAdd"] = importBiasAdd;
  r["Cast"] = importCast;
}

} // namespace kiln::tf_frontend
