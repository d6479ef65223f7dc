//===- ShapeImporters.cpp - ONNX shape-manipulation ops to kiln -----------===//
//
// Squeeze/Unsqueeze (kiln.reshape), Transpose, Concat, Slice, Gather, Pad
// and Constant. Their shape operands (axes, pads) must be constants at
// import time; Slice bounds may be computed (kiln.dynamic_slice). Ops whose
// result shape is computed at run time are in ReshapeImporters.cpp.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/ImportContext.h"

#include "ir/ConstantData.h"


using namespace mlir;

namespace kiln::onnx_frontend {

static bool isStatic(RankedTensorType t) { return t.hasStaticShape(); }

static LogicalResult needStatic(NodeContext &nc, RankedTensorType t) {
  if (isStatic(t))
    return success();
  return nc.error() << nc.node.op_type() << " on a tensor of dynamic "
                    << "shape " << t << " is not supported yet (fix the "
                    << "model's input dims with --input-shape NAME=AxBxC)";
}

/// Unsqueeze/Squeeze axes: opset >= 13 passes them as input 1. Fails when
/// that input is not a constant; std::nullopt when there are no axes.
static FailureOr<std::optional<std::vector<int64_t>>> axesOf(NodeContext &nc) {
  if (nc.input(1)) {
    auto axes = nc.constInts(1);
    if (!axes)
      return nc.error() << nc.node.op_type()
                        << " axes must be constant (freeze the input that "
                           "provides them)";
    return std::optional<std::vector<int64_t>>(*axes);
  }
  return nc.intsAttr("axes");
}

static LogicalResult importUnsqueeze(NodeContext &nc,
                                     SmallVectorImpl<Value> &out) {
  auto in = nc.inputType(0);
  auto maybeAxes = axesOf(nc);
  if (failed(maybeAxes))
    return failure();
  auto axes = *maybeAxes;
  if (!axes)
    return nc.error() << "Unsqueeze needs axes";
  int64_t rank = in.getRank() + int64_t(axes->size());
  SmallVector<bool> inserted(rank, false);
  for (int64_t a : *axes) {
    int64_t n = normalizeAxis(a, rank);
    if (n < 0 || inserted[n])
      return nc.error() << "Unsqueeze axis " << a << " invalid";
    inserted[n] = true;
  }
  SmallVector<int64_t> shape;
  int64_t src = 0;
  for (int64_t d = 0; d < rank; ++d)
    shape.push_back(inserted[d] ? 1 : in.getDimSize(src++));
  out.push_back(nc.reshape(nc.input(0), shape));
  return success();
}

static LogicalResult importSqueeze(NodeContext &nc,
                                   SmallVectorImpl<Value> &out) {
  auto in = nc.inputType(0);
  auto maybeAxes = axesOf(nc);
  if (failed(maybeAxes))
    return failure();
  auto axes = *maybeAxes;
  SmallVector<bool> drop(in.getRank(), false);
  for (int64_t d = 0; d < in.getRank(); ++d)
    drop[d] = !axes && in.getDimSize(d) == 1;
  if (axes)
    for (int64_t a : *axes) {
      int64_t n = normalizeAxis(a, in.getRank());
      if (n < 0 || in.getDimSize(n) != 1)
        return nc.error() << "Squeeze axis " << a
                                  << " is not a dim of size 1";
      drop[n] = true;
    }
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < in.getRank(); ++d)
    if (!drop[d])
      shape.push_back(in.getDimSize(d));
  out.push_back(nc.reshape(nc.input(0), shape));
  return success();
}

static LogicalResult importTranspose(NodeContext &nc,
                                     SmallVectorImpl<Value> &out) {
  int64_t rank = nc.inputType(0).getRank();
  std::vector<int64_t> perm;
  if (auto p = nc.intsAttr("perm"))
    perm = *p;
  else
    for (int64_t d = rank - 1; d >= 0; --d)
      perm.push_back(d);
  out.push_back(nc.transpose(nc.input(0), perm));
  return success();
}

static LogicalResult importConcat(NodeContext &nc,
                                  SmallVectorImpl<Value> &out) {
  int64_t axis = normalizeAxis(nc.intAttr("axis", 0), nc.inputType(0).getRank());
  if (axis < 0)
    return nc.error() << "Concat axis out of range";
  SmallVector<Value> inputs;
  for (Value v : nc.inputs) {
    if (!v)
      return nc.error() << "an input name is empty";
    // Inputs of size 0 along the axis contribute nothing; keep at least one
    // so that the result keeps its other dims.
    auto t = cast<RankedTensorType>(v.getType());
    if (t.isDynamicDim(axis) || t.getDimSize(axis) != 0 || inputs.empty())
      inputs.push_back(v);
  }
  if (inputs.size() > 1) {
    auto first = cast<RankedTensorType>(inputs[0].getType());
    if (!first.isDynamicDim(axis) && first.getDimSize(axis) == 0)
      inputs.erase(inputs.begin());
  }
  out.push_back(nc.create<ConcatOp>(inputs, nc.builder.getI64IntegerAttr(axis)));
  return success();
}

/// Slice whose bounds are computed, or whose input has dynamic dims: a
/// kiln.dynamic_slice resolving ONNX's clamping at run time. Axes and
/// steps must be constants (steps of either sign, not 0).
static LogicalResult importDynamicSlice(NodeContext &nc,
                                        SmallVectorImpl<Value> &out) {
  auto in = nc.inputType(0);
  auto startsType = nc.inputType(1);
  if (startsType.getRank() != 1 || startsType.isDynamicDim(0))
    return nc.error() << "Slice starts must be 1-D of a known length, got "
                      << startsType;
  int64_t n = startsType.getDimSize(0);
  std::vector<int64_t> axes, steps(n, 1);
  for (int64_t i = 0; i < n; ++i)
    axes.push_back(i);
  if (nc.input(3)) {
    auto a = nc.constInts(3);
    if (!a)
      return nc.error() << "Slice axes must be constant";
    axes = *a;
  }
  if (nc.input(4)) {
    auto st = nc.constInts(4);
    if (!st)
      return nc.error() << "Slice steps must be constant";
    steps = *st;
  }
  if (int64_t(axes.size()) != n || int64_t(steps.size()) != n)
    return nc.error() << "Slice starts, ends, axes and steps differ in length";
  for (int64_t i = 0; i < n; ++i) {
    int64_t axis = normalizeAxis(axes[i], in.getRank());
    if (axis < 0 || llvm::is_contained(ArrayRef(axes).take_front(i), axis))
      return nc.error() << "Slice axis " << axes[i]
                        << " is out of range or repeated";
    axes[i] = axis;
    if (steps[i] == 0)
      return nc.error() << "Slice step must not be 0";
  }
  auto &b = nc.builder;
  auto op = DynamicSliceOp::create(b, nc.loc, nc.input(0), nc.input(1),
                                   nc.input(2), b.getDenseI64ArrayAttr(axes),
                                   b.getDenseI64ArrayAttr(steps));
  out.push_back(op.getResult());
  return success();
}

static LogicalResult importSlice(NodeContext &nc, SmallVectorImpl<Value> &out) {
  auto in = nc.inputType(0);
  auto starts = nc.constInts(1), ends = nc.constInts(2);
  if (!isStatic(in) || !starts || !ends)
    return importDynamicSlice(nc, out);
  if (starts->size() != ends->size())
    return nc.error() << "Slice starts and ends differ in length";
  std::vector<int64_t> axes, steps(starts->size(), 1);
  for (size_t i = 0; i < starts->size(); ++i)
    axes.push_back(int64_t(i));
  if (nc.input(3) && !(axes = nc.constInts(3).value_or(std::vector<int64_t>{})).size())
    return nc.error() << "Slice axes must be constant";
  if (nc.input(4) && !(steps = nc.constInts(4).value_or(std::vector<int64_t>{})).size())
    return nc.error() << "Slice steps must be constant";
  if (axes.size() != starts->size() || steps.size() != starts->size())
    return nc.error() << "Slice starts, ends, axes and steps differ in length";
  {
    std::vector<int64_t> seen;
    for (int64_t a : axes) {
      int64_t n = normalizeAxis(a, in.getRank());
      if (n >= 0 && llvm::is_contained(seen, n))
        return nc.error() << "Slice axis " << a << " appears twice";
      seen.push_back(n);
    }
  }
  int64_t rank = in.getRank();
  SmallVector<int64_t> offsets(rank, 0), sizes(in.getShape()), strides(rank, 1);
  // Negative steps become a gather of the reversed indices after the slice.
  SmallVector<std::pair<int64_t, std::vector<int64_t>>> reversed;
  for (size_t i = 0; i < starts->size(); ++i) {
    int64_t axis = normalizeAxis(axes[i], rank), step = steps[i];
    if (axis < 0)
      return nc.error() << "Slice axis " << axes[i] << " out of range";
    if (step == 0)
      return nc.error() << "Slice step must not be 0";
    int64_t dim = in.getDimSize(axis);
    int64_t s = (*starts)[i], e = (*ends)[i];
    if (s < 0)
      s += dim;
    if (e < 0)
      e += dim;
    if (step < 0) {
      s = std::clamp<int64_t>(s, 0, dim - 1);
      e = std::clamp<int64_t>(e, -1, dim - 1);
      std::vector<int64_t> idx;
      for (int64_t j = s; j > e; j += step)
        idx.push_back(j);
      reversed.push_back({axis, idx});
      continue;
    }
    s = std::clamp<int64_t>(s, 0, dim);
    e = std::clamp<int64_t>(e, 0, dim);
    offsets[axis] = s;
    sizes[axis] = e > s ? (e - s + step - 1) / step : 0;
    strides[axis] = step;
    if (sizes[axis] == 0)
      offsets[axis] = 0;
  }
  auto &b = nc.builder;
  Value r = nc.slice(nc.input(0), offsets, sizes, strides);
  for (auto &[axis, idx] : reversed) {
    if (idx.empty())
      return nc.error() << "Slice with a negative step selects nothing";
    r = nc.create<GatherOp>(r, nc.i64Const(idx), b.getI64IntegerAttr(axis));
  }
  out.push_back(r);
  return success();
}

static LogicalResult importGather(NodeContext &nc,
                                  SmallVectorImpl<Value> &out) {
  int64_t axis = normalizeAxis(nc.intAttr("axis", 0), nc.inputType(0).getRank());
  if (axis < 0)
    return nc.error() << "Gather axis out of range";
  int64_t extent = nc.inputType(0).getDimSize(axis);
  if (extent == 0)
    return nc.error() << "Gather from an axis of length 0";
  if (auto idx = nc.constInts(1))
    for (int64_t i : *idx)
      if (!ShapedType::isDynamic(extent) && (i < -extent || i >= extent))
        return nc.error() << "Gather index " << i << " is out of range for "
                          << "an axis of length " << extent;
  out.push_back(nc.create<GatherOp>(nc.input(0), nc.input(1),
                                    nc.builder.getI64IntegerAttr(axis)));
  return success();
}

/// The source index of padded position j (negative before the data) of a
/// dim of size n for Pad modes "edge", "reflect" and "wrap".
static int64_t borderIndex(const std::string &mode, int64_t j, int64_t n) {
  if (j >= 0 && j < n)
    return j;
  if (mode == "edge")
    return j < 0 ? 0 : n - 1;
  if (mode == "reflect")
    return j < 0 ? -j : 2 * (n - 1) - j;
  return ((j % n) + n) % n; // wrap
}

/// Pad modes "edge", "reflect" and "wrap": per padded axis, one gather whose
/// constant indices repeat the border element (edge), mirror the elements
/// next to it (reflect) or continue from the other end (wrap). Negative
/// pads drop elements the same way.
static LogicalResult importBorderPad(NodeContext &nc, const std::string &mode,
                                     ArrayRef<int64_t> pads,
                                     SmallVectorImpl<Value> &out) {
  auto in = nc.inputType(0);
  if (failed(needStatic(nc, in)))
    return failure();
  int64_t rank = in.getRank();
  Value x = nc.input(0);
  for (int64_t d = 0; d < rank; ++d) {
    int64_t lo = pads[d], hi = pads[d + rank], n = in.getDimSize(d);
    if (lo == 0 && hi == 0)
      continue;
    if (n == 0 || n + lo + hi <= 0 ||
        (mode == "reflect" && (lo >= n || hi >= n)) ||
        (mode == "wrap" && (lo > n || hi > n)))
      return nc.error() << "Pad mode '" << mode << "' cannot pad dim " << d
                        << " (" << n << ") by " << lo << " and " << hi;
    std::vector<int64_t> idx;
    for (int64_t j = -lo; j < n + hi; ++j)
      idx.push_back(borderIndex(mode, j, n));
    x = nc.create<GatherOp>(x, nc.i64Const(idx),
                            nc.builder.getI64IntegerAttr(d));
  }
  out.push_back(x);
  return success(bool(x));
}

/// Pad: pads (an input since opset 11) over all dims, or over the dims of
/// `axes` (opset 18); negative pads crop.
static LogicalResult importPad(NodeContext &nc, SmallVectorImpl<Value> &out) {
  std::string mode = nc.stringAttr("mode", "constant");
  if (mode != "constant" && mode != "edge" && mode != "reflect" &&
      mode != "wrap")
    return nc.error() << "Pad mode '" << mode << "' is not supported";
  auto given = nc.input(1) ? nc.constInts(1) : nc.intsAttr("pads");
  if (!given)
    return nc.error() << "Pad pads must be constant";
  int64_t rank = nc.inputType(0).getRank();
  std::vector<int64_t> axes;
  if (nc.input(3)) {
    auto a = nc.constInts(3);
    if (!a)
      return nc.error() << "Pad axes must be constant";
    axes = *a;
  } else {
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  }
  if (given->size() != 2 * axes.size())
    return nc.error() << "Pad needs 2 pads per padded axis (" << axes.size()
                      << "), got " << given->size();
  SmallVector<int64_t> pads(2 * rank, 0);
  for (size_t k = 0; k < axes.size(); ++k) {
    int64_t d = normalizeAxis(axes[k], rank);
    if (d < 0)
      return nc.error() << "Pad axis " << axes[k] << " out of range";
    pads[d] = (*given)[k];
    pads[d + rank] = (*given)[k + axes.size()];
  }
  if (mode != "constant")
    return importBorderPad(nc, mode, pads, out);
  double value = nc.floatAttr("value", 0.0f);
  if (nc.input(2)) {
    auto v = nc.constFloats(2);
    if (!v || v->size() != 1)
      return nc.error() << "Pad constant_value must be a constant";
    value = (*v)[0];
  }
  // Pad by the positive pads, then slice off what the negative ones crop.
  SmallVector<int64_t> grow(pads), offsets(rank, 0), sizes, ones(rank, 1);
  bool crop = false;
  for (int64_t &p : grow)
    p = std::max<int64_t>(p, 0);
  Value x = nc.create<PadOp>(nc.input(0), nc.builder.getDenseI64ArrayAttr(grow),
                             nc.builder.getF64FloatAttr(value));
  if (!x)
    return failure();
  auto padded = cast<RankedTensorType>(x.getType());
  for (int64_t d = 0; d < rank; ++d) {
    int64_t cut = std::max<int64_t>(-pads[d], 0) +
                  std::max<int64_t>(-pads[d + rank], 0);
    offsets[d] = std::max<int64_t>(-pads[d], 0);
    sizes.push_back(padded.isDynamicDim(d) ? padded.getDimSize(d)
                                           : padded.getDimSize(d) - cut);
    crop |= cut != 0;
    if (cut && (padded.isDynamicDim(d) || sizes.back() < 0))
      return nc.error() << "negative pads must leave a static dim non-empty";
  }
  if (crop)
    x = nc.slice(x, offsets, sizes, ones);
  out.push_back(x);
  return success(bool(x));
}

static LogicalResult importConstant(NodeContext &nc,
                                    SmallVectorImpl<Value> &out) {
  MLIRContext *ctx = nc.builder.getContext();
  Builder b(ctx);
  ElementsAttr attr;
  if (const auto *a = nc.attr("value")) {
    std::string error;
    attr = tensorProtoToAttr(ctx, a->t(), error);
    if (!attr)
      return nc.error() << error;
  } else if (const auto *f = nc.attr("value_float")) {
    attr = writeConstant(RankedTensorType::get({}, b.getF32Type()), {f->f()});
  } else if (const auto *fs = nc.attr("value_floats")) {
    std::vector<double> v(fs->floats().begin(), fs->floats().end());
    attr = writeConstant(RankedTensorType::get({int64_t(v.size())}, b.getF32Type()), v);
  } else if (const auto *i = nc.attr("value_int")) {
    attr = writeConstant(RankedTensorType::get({}, b.getI64Type()), {double(i->i())});
  } else if (const auto *is = nc.attr("value_ints")) {
    std::vector<double> v(is->ints().begin(), is->ints().end());
    attr = writeConstant(RankedTensorType::get({int64_t(v.size())}, b.getI64Type()), v);
  } else {
    return nc.error() << "Constant without a supported value attribute";
  }
  out.push_back(ConstantOp::create(nc.builder, nc.loc, attr));
  return success();
}

void registerShapeImporters(ImporterRegistry &r) {
  r["Unsqueeze"] = importUnsqueeze;
  r["Squeeze"] = importSqueeze;
  r["Transpose"] = importTranspose;
  r["Concat"] = importConcat;
  r["Slice"] = importSlice;
  r["Gather"] = importGather;
  r["Pad"] = importPad;
  r["Constant"] = importConstant;
}

} // namespace kiln::onnx_frontend
