//===- ShapeImporters.cpp - TensorFlow shape ops and reductions to kiln ---===//
//
// Reshape, Squeeze, ExpandDims, Transpose, ConcatV2, Pack, Pad and the
// reductions. Shape operands (axes, permutations) must be constants after
// freezing, as tfcompile also requires; a Reshape's target may also be
// computed from tensor shapes, and Pad's paddings at run time.
//
//===----------------------------------------------------------------------===//

#include "frontends/common/Composites.h"
#include "frontends/common/ShapeTracing.h"
#include "frontends/tf/TfNodeContext.h"

using namespace mlir;

namespace kiln::tf_frontend {

/// Reshape to a constant shape or to one computed from tensor shapes
/// (tf.shape(x) -> StridedSlice -> Pack, how graphs with a dynamic batch
/// flatten): dims copied from the input stay its dims, -1 is inferred
/// where the static dims fix it. TensorFlow's 0 is a size, not a copy.
static LogicalResult importReshape(TfNodeContext &nc,
                                   SmallVectorImpl<Value> &out) {
  if (!nc.input(1))
    return nc.error() << "Reshape needs its shape operand";
  auto dims = reshapeResultShape(nc, nc.input(0), nc.input(1),
                                 /*allowZero=*/true);
  if (failed(dims))
    return failure();
  out.push_back(nc.reshape(nc.input(0), *dims));
  return success(bool(out.back()));
}

static LogicalResult importSqueeze(TfNodeContext &nc,
                                   SmallVectorImpl<Value> &out) {
  auto in = nc.inputType(0);
  auto axes = nc.intsAttr("squeeze_dims").value_or(std::vector<int64_t>{});
  SmallVector<bool> drop(in.getRank(), false);
  for (int64_t a : axes) {
    int64_t n = normalizeAxis(a, in.getRank());
    if (n < 0 || in.getDimSize(n) != 1)
      return nc.error() << "Squeeze axis " << a << " is not a dim of size 1";
    drop[n] = true;
  }
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < in.getRank(); ++d)
    if (!(axes.empty() ? in.getDimSize(d) == 1 : drop[d]))
      shape.push_back(in.getDimSize(d));
  out.push_back(nc.reshape(nc.input(0), shape));
  return success(bool(out.back()));
}

static LogicalResult importExpandDims(TfNodeContext &nc,
                                      SmallVectorImpl<Value> &out) {
  auto axis = nc.constOperand(1, "axis");
  if (failed(axis))
    return failure();
  auto in = nc.inputType(0);
  if (axis->size() != 1)
    return nc.error() << "ExpandDims needs one axis";
  int64_t n = normalizeAxis((*axis)[0], in.getRank() + 1);
  if (n < 0)
    return nc.error() << "ExpandDims axis " << (*axis)[0] << " out of range";
  SmallVector<int64_t> shape(in.getShape());
  shape.insert(shape.begin() + n, 1);
  out.push_back(nc.reshape(nc.input(0), shape));
  return success(bool(out.back()));
}

static LogicalResult importTranspose(TfNodeContext &nc,
                                     SmallVectorImpl<Value> &out) {
  auto perm = nc.constOperand(1, "perm");
  if (failed(perm))
    return failure();
  out.push_back(nc.create<TransposeOp>(nc.input(0),
                                       nc.builder.getDenseI64ArrayAttr(*perm)));
  return success(bool(out.back()));
}

/// ConcatV2: values..., axis (the last input).
static LogicalResult importConcat(TfNodeContext &nc,
                                  SmallVectorImpl<Value> &out) {
  size_t n = nc.inputs.size();
  if (n < 2)
    return nc.error() << "ConcatV2 needs values and an axis";
  auto axis = nc.constOperand(n - 1, "axis");
  if (failed(axis) || axis->size() != 1)
    return failure();
  int64_t a = normalizeAxis((*axis)[0], nc.inputType(0).getRank());
  if (a < 0)
    return nc.error() << "ConcatV2 axis " << (*axis)[0] << " out of range";
  SmallVector<Value> values(nc.inputs.begin(), nc.inputs.end() - 1);
  out.push_back(values.size() == 1
                    ? values[0]
                    : nc.create<ConcatOp>(values, nc.builder.getI64IntegerAttr(a)));
  return success(bool(out.back()));
}

/// Pack: stacks along a new axis (each value gets a size-1 dim there).
static LogicalResult importPack(TfNodeContext &nc,
                                SmallVectorImpl<Value> &out) {
  auto in = nc.inputType(0);
  int64_t a = normalizeAxis(nc.intAttr("axis", 0), in.getRank() + 1);
  if (a < 0)
    return nc.error() << "Pack axis out of range";
  SmallVector<int64_t> shape(in.getShape());
  shape.insert(shape.begin() + a, 1);
  SmallVector<Value> values;
  for (Value v : nc.inputs)
    values.push_back(nc.reshape(v, shape));
  out.push_back(values.size() == 1
                    ? values[0]
                    : nc.create<ConcatOp>(values, nc.builder.getI64IntegerAttr(a)));
  return success(bool(out.back()));
}

/// Pad with paddings computed at run time (padding a variable number of
/// detections up to a fixed count): along each dim, a concat of a block of
/// the pad value before, the input, and a block after, the blocks' lengths
/// read from the paddings when the graph runs.
static LogicalResult importRunTimePad(TfNodeContext &nc, double value,
                                      SmallVectorImpl<Value> &out) {
  auto &b = nc.builder;
  Value x = nc.input(0);
  int64_t rank = nc.inputType(0).getRank();
  auto pt = nc.inputType(1);
  if (pt.getRank() != 2 || pt.getDimSize(0) != rank || pt.getDimSize(1) != 2)
    return nc.error() << "Pad needs a " << rank << "x2 paddings tensor, got "
                      << pt;
  auto i64 = b.getI64Type();
  Value flat = nc.reshape(nc.input(1), {2 * rank});
  if (flat && pt.getElementType() != i64)
    flat = nc.create<CastOp>(RankedTensorType::get({2 * rank}, i64), flat);
  for (int64_t d = 0; d < rank && x; ++d) {
    SmallVector<Value> parts;
    for (int64_t side = 0; side < 2; ++side) {
      Value p = nc.create<GatherOp>(flat, nc.scalarConst(i64, 2 * d + side),
                                    b.getI64IntegerAttr(0));
      auto xt = cast<RankedTensorType>(x.getType());
      SmallVector<int64_t> shape(xt.getShape());
      shape[d] = ShapedType::kDynamic;
      // x's run-time dims with dim d replaced by the pad.
      Value blockShape = nc.create<ScatterNdOp>(
          nc.create<ShapeOfOp>(RankedTensorType::get({rank}, i64), x),
          nc.i64Const({d}), p, b.getStringAttr("none"));
      parts.push_back(nc.create<BroadcastToOp>(
          RankedTensorType::get(shape, xt.getElementType()),
          nc.scalarConst(xt.getElementType(), value), blockShape));
    }
    x = nc.create<ConcatOp>(ValueRange{parts[0], x, parts[1]},
                            b.getI64IntegerAttr(d));
  }
  out.push_back(x);
  return success(bool(x));
}

static LogicalResult importPad(TfNodeContext &nc, SmallVectorImpl<Value> &out) {
  double value = 0;
  if (nc.node.op() == "PadV2") {
    auto v = nc.constFloats(2);
    if (!v || v->size() != 1)
      return nc.error() << "PadV2 constant_values must be a scalar constant";
    value = (*v)[0];
  }
  if (!nc.constInts(1))
    return importRunTimePad(nc, value, out);
  auto paddings = nc.constOperand(1, "paddings");
  if (failed(paddings))
    return failure();
  int64_t rank = nc.inputType(0).getRank();
  if (int64_t(paddings->size()) != 2 * rank)
    return nc.error() << "Pad needs a " << rank << "x2 paddings tensor";
  SmallVector<int64_t> pads(2 * rank);
  for (int64_t d = 0; d < rank; ++d) {
    pads[d] = (*paddings)[2 * d];
    pads[d + rank] = (*paddings)[2 * d + 1];
    if (pads[d] < 0 || pads[d + rank] < 0)
      return nc.error() << "Pad with negative paddings is not supported";
  }
  out.push_back(nc.create<PadOp>(nc.input(0), nc.builder.getDenseI64ArrayAttr(pads),
                                 nc.builder.getF64FloatAttr(value)));
  return success(bool(out.back()));
}

/// A reduction's constant indices, normalized, deduplicated and sorted.
static FailureOr<SmallVector<int64_t>> reductionAxes(TfNodeContext &nc) {
  auto axes = nc.constOperand(1, "reduction indices");
  if (failed(axes))
    return failure();
  int64_t rank = nc.inputType(0).getRank();
  SmallVector<int64_t> sorted;
  for (int64_t a : *axes) {
    int64_t n = normalizeAxis(a, rank);
    if (n < 0)
      return nc.error() << nc.node.op() << " axis " << a << " out of range";
    if (!llvm::is_contained(sorted, n))
      sorted.push_back(n);
  }
  llvm::sort(sorted);
  return sorted;
}

/// Mean/Sum/Max/Min/Prod over constant reduction indices, `keep_dims` as given.
template <typename ReduceOp>
static LogicalResult importReduce(TfNodeContext &nc,
                                  SmallVectorImpl<Value> &out) {
  auto axes = reductionAxes(nc);
  if (failed(axes))
    return failure();
  if (axes->empty()) {
    out.push_back(nc.input(0));
    return success();
  }
  out.push_back(nc.create<ReduceOp>(nc.input(0),
                                    nc.builder.getDenseI64ArrayAttr(*axes),
                                    nc.builder.getBoolAttr(nc.boolAttr("keep_dims", false))));
  return success(bool(out.back()));
}

/// All/Any of a bool tensor over constant reduction indices.
static LogicalResult importAllAny(TfNodeContext &nc,
                                  SmallVectorImpl<Value> &out) {
  auto axes = reductionAxes(nc);
  if (failed(axes))
    return failure();
  if (!nc.inputType(0).getElementType().isInteger(1))
    return nc.error() << nc.node.op() << " needs a bool input";
  out.push_back(axes->empty() ? nc.input(0)
                              : buildAllAny(nc, nc.input(0), *axes,
                                            nc.boolAttr("keep_dims", false),
                                            nc.node.op() == "All"));
  return success(bool(out.back()));
}

void registerTfShapeImporters(TfImporterRegistry &r) {
  r["Reshape"] = importReshape;
  r["Squeeze"] = importSqueeze;
  r["ExpandDims"] = importExpandDims;
  r["Transpose"] = importTranspose;
  r["ConcatV2"] = importConcat;
  r["Pack"] = importPack;
  r["Pad"] = importPad;
  r["PadV2"] = importPad;
  r["Mean"] = importReduce<ReduceMeanOp>;
  r["Sum"] = importReduce<ReduceSumOp>;
  r["Max"] = importReduce<ReduceMaxOp>;
  r["Min"] = importReduce<ReduceMinOp>;
  r["Prod"] = importReduce<ReduceProdOp>;
  r["All"] = importAllAny;
  r["Any"] = importAllAny;
}

} // namespace kiln::tf_frontend
