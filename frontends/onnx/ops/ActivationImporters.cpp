//===- ActivationImporters.cpp - ONNX activations and small composites ----===//
//
// The activation functions of ONNX's operator set that are arithmetic on
// existing kiln ops (ELU, SELU, LeakyRelu, PRelu, HardSigmoid, HardSwish,
// Softplus, Softsign, ThresholdedRelu, Shrink, Celu, Sign, Gelu, Mish,
// Swish), LogSoftmax, Hardmax, Size, CastLike, Trilu and Split.
//
//===----------------------------------------------------------------------===//

#include "frontends/common/Composites.h"
#include "frontends/onnx/ImportContext.h"

#include "ir/ConstantData.h"
#include "ir/KilnDialect.h"

#include <cmath>

using namespace mlir;

namespace kiln::onnx_frontend {
namespace {

using Out = SmallVectorImpl<Value>;

Type elementOf(NodeContext &nc) { return nc.inputType(0).getElementType(); }
Value scalar(NodeContext &nc, double v) { return nc.scalarConst(elementOf(nc), v); }

/// where(x > 0, x, f(x)) for the piecewise activations.
Value positiveOr(NodeContext &nc, Value x, Value negative) {
  Value pos = nc.create<GreaterOp>(x, scalar(nc, 0.0));
  return nc.create<SelectOp>(pos, x, negative);
}

LogicalResult importElu(NodeContext &nc, Out &out) {
  out.push_back(buildElu(nc, nc.input(0), nc.floatAttr("alpha", 1.0f), 1.0));
  return success(bool(out.back()));
}

LogicalResult importSelu(NodeContext &nc, Out &out) {
  out.push_back(buildElu(nc, nc.input(0),
                         nc.floatAttr("alpha", 1.67326319217681884765625f),
                         nc.floatAttr("gamma", 1.05070102214813232421875f)));
  return success(bool(out.back()));
}

/// Celu(x) = max(0, x) + min(0, alpha * (exp(x / alpha) - 1)).
LogicalResult importCelu(NodeContext &nc, Out &out) {
  Value x = nc.input(0);
  double alpha = nc.floatAttr("alpha", 1.0f);
  Value e = nc.create<ExpOp>(nc.create<DivOp>(x, scalar(nc, alpha)));
  Value neg = nc.create<MulOp>(nc.create<SubOp>(e, scalar(nc, 1.0)),
                               scalar(nc, alpha));
  out.push_back(nc.create<AddOp>(nc.create<MaxOp>(x, scalar(nc, 0.0)),
                                 nc.create<MinOp>(neg, scalar(nc, 0.0))));
  return success(bool(out.back()));
}

LogicalResult importLeakyRelu(NodeContext &nc, Out &out) {
  Value x = nc.input(0);
  out.push_back(positiveOr(
      nc, x, nc.create<MulOp>(x, scalar(nc, nc.floatAttr("alpha", 0.01f)))));
  return success(bool(out.back()));
}

/// PRelu(x, slope): slope broadcasts against x (numpy rules). Before
/// opset 7 a 1-D slope of size C was per channel (dim 1), and the version
/// converter keeps its shape: such a slope, which numpy rules would not
/// broadcast, is placed on dim 1.
LogicalResult importPRelu(NodeContext &nc, Out &out) {
  Value x = nc.input(0), slope = nc.input(1);
  auto xt = nc.inputType(0), st = nc.inputType(1);
  int64_t rank = xt.getRank();
  if (st.getRank() == 1 && rank > 2 && st.getDimSize(0) > 1 &&
      st.getDimSize(0) == xt.getDimSize(1) &&
      st.getDimSize(0) != xt.getDimSize(rank - 1)) {
    SmallVector<int64_t> shape(rank - 1, 1);
    shape[0] = st.getDimSize(0);
    slope = nc.reshape(slope, shape);
  }
  out.push_back(positiveOr(nc, x, nc.create<MulOp>(x, slope)));
  return success(bool(out.back()));
}

LogicalResult importThresholdedRelu(NodeContext &nc, Out &out) {
  Value x = nc.input(0);
  Value above = nc.create<GreaterOp>(x, scalar(nc, nc.floatAttr("alpha", 1.0f)));
  out.push_back(nc.create<SelectOp>(above, x, scalar(nc, 0.0)));
  return success(bool(out.back()));
}

/// HardSigmoid(x) = clip(alpha x + beta, 0, 1); HardSwish(x) = x *
/// HardSigmoid(x) with alpha 1/6, beta 1/2.
template <bool Swish> LogicalResult importHardSigmoid(NodeContext &nc, Out &out) {
  Value x = nc.input(0);
  double alpha = Swish ? 1.0 / 6.0 : nc.floatAttr("alpha", 0.2f);
  double beta = Swish ? 0.5 : nc.floatAttr("beta", 0.5f);
  Value y = nc.create<AddOp>(nc.create<MulOp>(x, scalar(nc, alpha)),
                             scalar(nc, beta));
  y = nc.create<ClipOp>(y, nc.builder.getF64FloatAttr(0.0),
                        nc.builder.getF64FloatAttr(1.0));
  out.push_back(Swish ? nc.create<MulOp>(x, y) : y);
  return success(bool(out.back()));
}

/// Gelu (opset 20): 0.5 x (1 + erf(x / sqrt 2)), or with approximate =
/// "tanh" 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))).
LogicalResult importGelu(NodeContext &nc, Out &out) {
  Value x = nc.input(0);
  std::string approximate = nc.stringAttr("approximate", "none");
  Value inner;
  if (approximate == "none") {
    inner = nc.create<ErfOp>(nc.create<MulOp>(x, scalar(nc, M_SQRT1_2)));
  } else if (approximate == "tanh") {
    Value cube = nc.create<MulOp>(nc.create<MulOp>(x, x), x);
    Value arg = nc.create<AddOp>(x, nc.create<MulOp>(cube, scalar(nc, 0.044715)));
    inner = nc.create<TanhOp>(
        nc.create<MulOp>(arg, scalar(nc, std::sqrt(2.0 / M_PI))));
  } else {
    return nc.error() << "unknown Gelu approximate '" << approximate << "'";
  }
  Value half = nc.create<MulOp>(x, scalar(nc, 0.5));
  out.push_back(nc.create<MulOp>(half, nc.create<AddOp>(inner, scalar(nc, 1.0))));
  return success(bool(out.back()));
}

/// Mish (opset 18): x tanh(softplus(x)).
LogicalResult importMish(NodeContext &nc, Out &out) {
  Value x = nc.input(0);
  out.push_back(nc.create<MulOp>(x, nc.create<TanhOp>(buildSoftplus(nc, x))));
  return success(bool(out.back()));
}

/// Swish (opset 24): x sigmoid(alpha x).
LogicalResult importSwish(NodeContext &nc, Out &out) {
  Value x = nc.input(0);
  Value ax = nc.create<MulOp>(x, scalar(nc, nc.floatAttr("alpha", 1.0f)));
  out.push_back(nc.create<MulOp>(x, nc.create<SigmoidOp>(ax)));
  return success(bool(out.back()));
}

LogicalResult importSoftplus(NodeContext &nc, Out &out) {
  out.push_back(buildSoftplus(nc, nc.input(0)));
  return success(bool(out.back()));
}

/// Softsign(x) = x / (1 + |x|).
LogicalResult importSoftsign(NodeContext &nc, Out &out) {
  Value x = nc.input(0);
  out.push_back(nc.create<DivOp>(
      x, nc.create<AddOp>(nc.create<AbsOp>(x), scalar(nc, 1.0))));
  return success(bool(out.back()));
}

/// Shrink(x) = x - bias where x > lambd, x + bias where x < -lambd, else 0.
LogicalResult importShrink(NodeContext &nc, Out &out) {
  Value x = nc.input(0);
  double bias = nc.floatAttr("bias", 0.0f), lambd = nc.floatAttr("lambd", 0.5f);
  Value hi = nc.create<GreaterOp>(x, scalar(nc, lambd));
  Value lo = nc.create<LessOp>(x, scalar(nc, -lambd));
  Value inner = nc.create<SelectOp>(lo, nc.create<AddOp>(x, scalar(nc, bias)),
                                    scalar(nc, 0.0));
  out.push_back(nc.create<SelectOp>(hi, nc.create<SubOp>(x, scalar(nc, bias)),
                                    inner));
  return success(bool(out.back()));
}

/// Sign(x): 1, 0 or -1 in x's type.
LogicalResult importSign(NodeContext &nc, Out &out) {
  Value x = nc.input(0);
  Value pos = nc.create<SelectOp>(nc.create<GreaterOp>(x, scalar(nc, 0.0)),
                                  scalar(nc, 1.0), scalar(nc, 0.0));
  out.push_back(nc.create<SelectOp>(nc.create<LessOp>(x, scalar(nc, 0.0)),
                                    scalar(nc, -1.0), pos));
  return success(bool(out.back()));
}

/// The axis of LogSoftmax/Hardmax; before opset 13 the input is seen as 2-D
/// ([d0..axis-1] x [axis..]), which is the same as one axis only when the
/// axis is the last.
FailureOr<int64_t> softmaxAxis(NodeContext &nc) {
  int64_t rank = nc.inputType(0).getRank();
  int64_t axis = normalizeAxis(nc.intAttr("axis", nc.opset < 13 ? 1 : -1), rank);
  if (axis < 0)
    return LogicalResult(nc.error() << "axis out of range");
  if (nc.opset < 13 && axis != rank - 1)
    return LogicalResult(nc.error() << nc.node.op_type()
                                    << " before opset 13 over several dims "
                                       "is not supported");
  return axis;
}

LogicalResult importLogSoftmax(NodeContext &nc, Out &out) {
  auto axis = softmaxAxis(nc);
  if (failed(axis))
    return failure();
  out.push_back(buildLogSoftmax(nc, nc.input(0), *axis));
  return success(bool(out.back()));
}

/// Hardmax: 1 at the first maximum along the axis, 0 elsewhere.
LogicalResult importHardmax(NodeContext &nc, Out &out) {
  auto axis = softmaxAxis(nc);
  if (failed(axis))
    return failure();
  auto type = nc.inputType(0);
  if (type.isDynamicDim(*axis))
    return nc.error() << "Hardmax over a dynamic dim is not supported";
  auto &b = nc.builder;
  Value idx = nc.create<ArgMaxOp>(nc.input(0), b.getI64IntegerAttr(*axis),
                                  b.getBoolAttr(true), b.getBoolAttr(false));
  // Positions along the axis, shaped to broadcast against idx.
  int64_t n = type.getDimSize(*axis);
  std::vector<int64_t> iota;
  for (int64_t i = 0; i < n; ++i)
    iota.push_back(i);
  SmallVector<int64_t> shape(type.getRank(), 1);
  shape[*axis] = n;
  Value positions = nc.reshape(nc.i64Const(iota), shape);
  Value hit = nc.create<EqualOp>(positions, idx);
  out.push_back(nc.create<CastOp>(
      RankedTensorType::get(cast<RankedTensorType>(hit.getType()).getShape(),
                            type.getElementType()),
      hit));
  return success(bool(out.back()));
}

/// Size: the element count, an int64 scalar.
LogicalResult importSize(NodeContext &nc, Out &out) {
  auto type = nc.inputType(0);
  if (type.hasStaticShape()) {
    out.push_back(nc.scalarConst(nc.builder.getI64Type(),
                                 double(type.getNumElements())));
    return success();
  }
  Value shape = nc.create<ShapeOfOp>(
      RankedTensorType::get({type.getRank()}, nc.builder.getI64Type()),
      nc.input(0));
  out.push_back(nc.create<ReduceProdOp>(shape, nc.builder.getDenseI64ArrayAttr({0}),
                                        nc.builder.getBoolAttr(false)));
  return success(bool(out.back()));
}

/// CastLike(x, like): x cast to like's element type.
LogicalResult importCastLike(NodeContext &nc, Out &out) {
  out.push_back(
      castWithSaturate(nc, nc.input(0), nc.inputType(1).getElementType()));
  return success(bool(out.back()));
}

/// Trilu(x, k=0, upper=1): x where col - row >= k (upper) or <= k (lower),
/// 0 elsewhere; the last two dims static, k constant.
LogicalResult importTrilu(NodeContext &nc, Out &out) {
  auto type = nc.inputType(0);
  int64_t r = type.getRank();
  if (r < 2 || type.isDynamicDim(r - 1) || type.isDynamicDim(r - 2))
    return nc.error() << "Trilu needs static last two dims";
  int64_t k = 0;
  if (nc.input(1)) {
    auto ks = nc.constInts(1);
    if (!ks || ks->size() != 1)
      return nc.error() << "Trilu's k must be a constant";
    k = (*ks)[0];
  }
  bool upper = nc.intAttr("upper", 1);
  int64_t rows = type.getDimSize(r - 2), cols = type.getDimSize(r - 1);
  std::vector<double> keep;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      keep.push_back(upper ? j - i >= k : j - i <= k);
  auto maskType = RankedTensorType::get({rows, cols}, nc.builder.getI1Type());
  Value mask = ConstantOp::create(nc.builder, nc.loc, writeConstant(maskType, keep));
  out.push_back(nc.create<SelectOp>(mask, nc.input(0), scalar(nc, 0.0)));
  return success(bool(out.back()));
}

/// Split(input, split?) along `axis` into the node's outputs: sizes from
/// the `split` input (opset 13+) or attribute, else equal parts (opset 18's
/// num_outputs: the last part may be smaller). The split dim is static.
LogicalResult importSplit(NodeContext &nc, Out &out) {
  auto type = nc.inputType(0);
  int64_t axis = normalizeAxis(nc.intAttr("axis", 0), type.getRank());
  if (axis < 0)
    return nc.error() << "axis out of range";
  int64_t total = type.getDimSize(axis);
  if (ShapedType::isDynamic(total))
    return nc.error() << "Split of a dynamic dim is not supported";
  int64_t parts = nc.node.output_size();
  std::optional<std::vector<int64_t>> sizes = nc.intsAttr("split");
  if (nc.input(1)) {
    sizes = nc.constInts(1);
    if (!sizes)
      return nc.error() << "Split sizes must be constant";
  }
  if (!sizes || sizes->empty()) {
    int64_t each = (total + parts - 1) / std::max<int64_t>(parts, 1);
    sizes.emplace();
    for (int64_t at = 0; at < total; at += each)
      sizes->push_back(std::min(each, total - at));
  }
  if (int64_t(sizes->size()) != parts)
    return nc.error() << "Split into " << sizes->size() << " parts for "
                      << parts << " outputs";
  int64_t at = 0;
  for (int64_t size : *sizes) {
    if (type.hasStaticShape()) {
      SmallVector<int64_t> offsets(type.getRank(), 0), shape(type.getShape()),
          strides(type.getRank(), 1);
      offsets[axis] = at;
      shape[axis] = size;
      out.push_back(nc.create<SliceOp>(
          nc.input(0), nc.builder.getDenseI64ArrayAttr(offsets),
          nc.builder.getDenseI64ArrayAttr(shape),
          nc.builder.getDenseI64ArrayAttr(strides)));
    } else {
      // Other dims dynamic (a batch): the bounds of one axis at run time.
      out.push_back(nc.create<DynamicSliceOp>(
          nc.input(0), nc.i64Const({at}), nc.i64Const({at + size}),
          nc.builder.getDenseI64ArrayAttr({axis}),
          nc.builder.getDenseI64ArrayAttr({1})));
    }
    if (!out.back())
      return failure();
    at += size;
  }
  if (at != total)
    return nc.error() << "Split sizes sum to " << at << ", the dim is " << total;
  return success();
}

} // namespace

void registerActivationImporters(ImporterRegistry &r) {
  r["Split"] = importSplit;
  r["Elu"] = importElu;
  r["Selu"] = importSelu;
  r["Celu"] = importCelu;
  r["LeakyRelu"] = importLeakyRelu;
  r["PRelu"] = importPRelu;
  r["ThresholdedRelu"] = importThresholdedRelu;
  r["HardSigmoid"] = importHardSigmoid<false>;
  r["HardSwish"] = importHardSigmoid<true>;
  r["Softplus"] = importSoftplus;
  r["Gelu"] = importGelu;
  r["Mish"] = importMish;
  r["Swish"] = importSwish;
  r["Softsign"] = importSoftsign;
  r["Shrink"] = importShrink;
  r["Sign"] = importSign;
  r["LogSoftmax"] = importLogSoftmax;
  r["Hardmax"] = importHardmax;
  r["Size"] = importSize;
  r["CastLike"] = importCastLike;
  r["Trilu"] = importTrilu;
}

} // namespace kiln::onnx_frontend
