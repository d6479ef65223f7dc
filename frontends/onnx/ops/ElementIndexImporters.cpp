//===- ElementIndexImporters.cpp - ONNX per-element index ops and losses --===//
//
// GatherElements, ScatterElements (and opset 9's Scatter), OneHot,
// Compress, ReverseSequence, MaxUnpool, and the two losses built on picking one element per row: NegativeLogLikelihoodLoss
// and SoftmaxCrossEntropyLoss. The element ops become kiln.gather_nd /
// kiln.scatter_nd over full index tuples: each index tuple is its own
// position with the `axis` entry replaced by the index read there.
//
//===----------------------------------------------------------------------===//

#include "frontends/common/Composites.h"
#include "frontends/onnx/ImportContext.h"

#include <numeric>

using namespace mlir;

namespace kiln::onnx_frontend {
namespace {

using Out = SmallVectorImpl<Value>;

/// 0, 1, ..., n-1 along dim `dim` of a rank-`rank` i64 tensor of ones
/// elsewhere, broadcast to `shape`.
Value iotaAlong(NodeContext &nc, ArrayRef<int64_t> shape, int64_t dim) {
  std::vector<int64_t> values(shape[dim]);
  std::iota(values.begin(), values.end(), 0);
  SmallVector<int64_t> ones(shape.size(), 1);
  ones[dim] = shape[dim];
  Value iota = nc.reshape(nc.i64Const(values), ones);
  auto type = RankedTensorType::get(shape, nc.builder.getI64Type());
  return nc.create<BroadcastToOp>(type, iota, nc.i64Const(shape));
}

/// The index tuples (shape indices.shape + [rank]) that GatherElements and
/// ScatterElements address: position p with p[axis] = indices[p].
Value elementTuples(NodeContext &nc, Value indices, int64_t axis) {
  RankedTensorType t = tensorTypeOf(indices);
  if (!t.hasStaticShape()) {
    nc.error() << "element indices need a static shape, got " << t;
    return {};
  }
  auto i64 = nc.builder.getI64Type();
  indices = nc.castTo(indices, i64);
  SmallVector<int64_t> tupleShape(t.getShape());
  tupleShape.push_back(1);
  SmallVector<Value> parts;
  for (int64_t d = 0; d < t.getRank(); ++d) {
    Value part = d == axis ? indices : iotaAlong(nc, t.getShape(), d);
    parts.push_back(nc.reshape(part, tupleShape));
  }
  return nc.create<ConcatOp>(parts, nc.builder.getI64IntegerAttr(t.getRank()));
}

/// The `axis` attribute normalised against input 0's rank; -1 (reported)
/// when out of range or when indices differ in rank from the data.
int64_t elementAxis(NodeContext &nc, size_t indicesInput) {
  int64_t rank = nc.inputType(0).getRank();
  int64_t axis = normalizeAxis(nc.intAttr("axis", 0), rank);
  if (axis < 0)
    nc.error() << "axis out of range for rank " << rank;
  else if (nc.inputType(indicesInput).getRank() != rank) {
    nc.error() << "indices must have the data's rank " << rank;
    return -1;
  }
  return axis;
}

Value gatherElements(NodeContext &nc, Value data, Value indices, int64_t axis) {
  Value tuples = elementTuples(nc, indices, axis);
  return tuples ? nc.create<GatherNdOp>(data, tuples,
                                        nc.builder.getI64IntegerAttr(0))
                : Value();
}

LogicalResult importGatherElements(NodeContext &nc, Out &out) {
  int64_t axis = elementAxis(nc, 1);
  if (axis < 0)
    return failure();
  out.push_back(gatherElements(nc, nc.input(0), nc.input(1), axis));
  return success(bool(out.back()));
}

LogicalResult importScatterElements(NodeContext &nc, Out &out) {
  int64_t axis = elementAxis(nc, 1);
  if (axis < 0)
    return failure();
  std::string reduction = nc.stringAttr("reduction", "none");
  if (reduction != "none" && reduction != "add" && reduction != "mul" &&
      reduction != "max" && reduction != "min")
    return nc.error() << "ScatterElements reduction '" << reduction
                      << "' is not supported";
  if (tensorTypeOf(nc.input(2)).getShape() != tensorTypeOf(nc.input(1)).getShape())
    return nc.error() << "updates must have the indices' shape";
  Value tuples = elementTuples(nc, nc.input(1), axis);
  if (!tuples)
    return failure();
  out.push_back(nc.create<ScatterNdOp>(nc.input(0), tuples, nc.input(2),
                                       nc.builder.getStringAttr(reduction)));
  return success(bool(out.back()));
}

/// OneHot(indices, depth, values = [off, on], axis = -1): a new dim of
/// size depth at `axis`, `on` where it equals the index (negative indices
/// count from depth), `off` elsewhere.
LogicalResult importOneHot(NodeContext &nc, Out &out) {
  auto depthValues = nc.constFloats(1);
  auto onOff = nc.constFloats(2);
  if (!depthValues || depthValues->size() != 1 || !onOff || onOff->size() != 2)
    return nc.error() << "OneHot needs a constant scalar depth and two "
                         "constant values";
  int64_t depth = int64_t((*depthValues)[0]);
  RankedTensorType it = tensorTypeOf(nc.input(0));
  if (depth <= 0 || !it.hasStaticShape())
    return nc.error() << "OneHot needs a positive depth and static indices";
  int64_t axis = normalizeAxis(nc.intAttr("axis", -1), it.getRank() + 1);
  if (axis < 0)
    return nc.error() << "axis out of range";
  auto i64 = nc.builder.getI64Type();
  Value idx = nc.input(0);
  idx = nc.castTo(idx, i64);
  Value negative = nc.create<LessOp>(idx, nc.scalarConst(i64, 0));
  idx = nc.create<SelectOp>(
      negative, nc.create<AddOp>(idx, nc.scalarConst(i64, depth)), idx);
  SmallVector<int64_t> shape(it.getShape());
  shape.insert(shape.begin() + axis, 1);
  idx = nc.reshape(idx, shape);
  SmallVector<int64_t> iotaShape(shape.size(), 1);
  iotaShape[axis] = depth;
  Value hot = nc.create<EqualOp>(idx, iotaAlong(nc, iotaShape, axis));
  Type et = tensorTypeOf(nc.input(2)).getElementType();
  out.push_back(nc.create<SelectOp>(hot, nc.scalarConst(et, (*onOff)[1]),
                                    nc.scalarConst(et, (*onOff)[0])));
  return success(bool(out.back()));
}

/// Compress(input, condition, axis): the slices along `axis` (of the
/// flattened input without one) where condition is true; a condition
/// shorter than the dim drops the rest. The count is known at run time.
LogicalResult importCompress(NodeContext &nc, Out &out) {
  Value x = nc.input(0);
  RankedTensorType t = tensorTypeOf(x), ct = tensorTypeOf(nc.input(1));
  if (!t.hasStaticShape() || ct.getRank() != 1 || ct.isDynamicDim(0))
    return nc.error() << "Compress needs a static input and a 1-D condition";
  int64_t axis = 0;
  if (nc.attr("axis")) {
    axis = normalizeAxis(nc.intAttr("axis", 0), t.getRank());
    if (axis < 0)
      return nc.error() << "axis out of range";
  } else {
    x = nc.reshape(x, {t.getNumElements()});
  }
  RankedTensorType xt = tensorTypeOf(x);
  int64_t n = ct.getDimSize(0);
  if (n > xt.getDimSize(axis))
    return nc.error() << "the condition is longer than the compressed dim";
  if (n < xt.getDimSize(axis)) {
    SmallVector<int64_t> offsets(xt.getRank(), 0), sizes(xt.getShape()),
        ones(xt.getRank(), 1);
    sizes[axis] = n;
    auto &b = nc.builder;
    x = nc.slice(x, offsets, sizes, ones);
  }
  Value rows = nc.create<NonZeroOp>(nc.input(1));
  if (!rows || !x)
    return failure();
  Value idx = nc.reshape(rows, {ShapedType::kDynamic});
  out.push_back(nc.create<GatherOp>(x, idx, nc.builder.getI64IntegerAttr(axis)));
  return success(bool(out.back()));
}

/// ReverseSequence(input, sequence_lens): along time_axis, the first
/// lens[b] elements of each batch entry b reversed, the rest kept. A
/// GatherElements with index lens[b] - 1 - t where t < lens[b], else t.
LogicalResult importReverseSequence(NodeContext &nc, Out &out) {
  RankedTensorType t = nc.inputType(0);
  int64_t timeAxis = nc.intAttr("time_axis", 0), batchAxis = nc.intAttr("batch_axis", 1);
  if (!t.hasStaticShape() || t.getRank() < 2 ||
      !((timeAxis == 0 && batchAxis == 1) || (timeAxis == 1 && batchAxis == 0)))
    return nc.error() << "ReverseSequence needs a static input with time and "
                         "batch axes 0 and 1";
  auto i64 = nc.builder.getI64Type();
  Value lens = nc.input(1);
  lens = nc.castTo(lens, i64);
  SmallVector<int64_t> lensShape(t.getRank(), 1);
  lensShape[batchAxis] = t.getDimSize(batchAxis);
  lens = nc.reshape(lens, lensShape);
  Value time = iotaAlong(nc, t.getShape(), timeAxis);
  Value inside = nc.create<LessOp>(time, lens);
  Value reversed = nc.create<SubOp>(nc.create<SubOp>(lens, nc.scalarConst(i64, 1.0)),
                                    time);
  Value idx = nc.create<SelectOp>(inside, reversed, time);
  out.push_back(idx ? gatherElements(nc, nc.input(0), idx, timeAxis) : Value());
  return success(bool(out.back()));
}

/// MaxUnpool(x, indices[, output_shape]): x's values scattered, at the
/// flat positions MaxPool's indices give, into zeros of the unpooled shape.
LogicalResult importMaxUnpool(NodeContext &nc, Out &out) {
  RankedTensorType t = nc.inputType(0);
  auto kernel = nc.intsAttr("kernel_shape");
  int64_t n = t.getRank() - 2;
  if (!t.hasStaticShape() || n < 1 || !kernel || int64_t(kernel->size()) != n)
    return nc.error() << "MaxUnpool needs a static [N, C, D...] input and "
                         "its kernel_shape";
  // The indices address the unpooled shape the window attributes give; a
  // larger output_shape only adds zeros at the ends.
  SmallVector<int64_t> shape(t.getShape().take_front(2));
  auto strides = nc.intsAttr("strides").value_or(std::vector<int64_t>(n, 1));
  auto pads = nc.intsAttr("pads").value_or(std::vector<int64_t>(2 * n, 0));
  if (int64_t(strides.size()) != n || int64_t(pads.size()) != 2 * n)
    return nc.error() << "MaxUnpool needs one stride and two pads per dim";
  for (int64_t d = 0; d < n; ++d)
    shape.push_back((t.getDimSize(2 + d) - 1) * strides[d] + (*kernel)[d] -
                    pads[d] - pads[d + n]);
  SmallVector<int64_t> grow(2 * t.getRank(), 0);
  if (nc.input(2)) {
    auto given = nc.constInts(2);
    if (!given || int64_t(given->size()) != t.getRank())
      return nc.error() << "MaxUnpool output_shape must be a constant";
    for (int64_t d = 0; d < t.getRank(); ++d) {
      if ((*given)[d] < shape[d])
        return nc.error() << "MaxUnpool output_shape is smaller than the "
                             "unpooled shape";
      grow[t.getRank() + d] = (*given)[d] - shape[d];
    }
  }
  int64_t total = 1;
  for (int64_t d : shape)
    total *= d;
  Value zeros = nc.create<BroadcastToOp>(
      RankedTensorType::get({total}, t.getElementType()),
      nc.scalarConst(t.getElementType(), 0.0), nc.i64Const({total}));
  Value idx = nc.input(1);
  auto i64 = nc.builder.getI64Type();
  idx = nc.castTo(idx, i64);
  idx = nc.reshape(idx, {t.getNumElements(), 1});
  Value flat = nc.create<ScatterNdOp>(zeros, idx,
                                      nc.reshape(nc.input(0), {t.getNumElements()}),
                                      nc.builder.getStringAttr("none"));
  Value y = nc.reshape(flat, shape);
  if (y && llvm::any_of(grow, [](int64_t g) { return g != 0; }))
    y = nc.create<PadOp>(y, nc.builder.getDenseI64ArrayAttr(grow),
                         nc.builder.getF64FloatAttr(0.0));
  out.push_back(y);
  return success(bool(out.back()));
}

/// NegativeLogLikelihoodLoss on log-probabilities [N, C, d...] and targets
/// [N, d...], with optional class weights, ignore_index and reduction.
Value nllLoss(NodeContext &nc, Value logProb, Value target, Value weight) {
  RankedTensorType tt = tensorTypeOf(target);
  RankedTensorType pt = tensorTypeOf(logProb);
  if (pt.getRank() < 2 || tt.getRank() != pt.getRank() - 1) {
    nc.error() << "the target must have the input's rank minus one";
    return {};
  }
  std::string reduction = nc.stringAttr("reduction", "mean");
  if (reduction != "none" && reduction != "sum" && reduction != "mean") {
    nc.error() << "reduction '" << reduction << "' is not supported";
    return {};
  }
  Type et = pt.getElementType(), it = tt.getElementType();
  // Ignored targets pick class 0 (any valid index) and get weight 0.
  Value ignored;
  if (nc.attr("ignore_index")) {
    ignored = nc.create<EqualOp>(
        target, nc.scalarConst(it, double(nc.intAttr("ignore_index", 0))));
    target = nc.create<SelectOp>(ignored, nc.scalarConst(it, 0.0), target);
  }
  SmallVector<int64_t> pickShape(tt.getShape());
  pickShape.insert(pickShape.begin() + 1, 1);
  Value picked = gatherElements(nc, logProb, nc.reshape(target, pickShape), 1);
  Value loss = nc.create<NegOp>(nc.reshape(picked, tt.getShape()));
  Value w;
  if (weight)
    w = nc.create<GatherOp>(weight, target, nc.builder.getI64IntegerAttr(0));
  if (ignored)
    w = nc.create<SelectOp>(ignored, nc.scalarConst(et, 0.0),
                            w ? w : nc.scalarConst(et, 1.0));
  if (w)
    loss = nc.create<MulOp>(loss, w);
  if (!loss || reduction == "none")
    return loss;
  SmallVector<int64_t> all(tt.getRank());
  std::iota(all.begin(), all.end(), 0);
  auto axes = nc.builder.getDenseI64ArrayAttr(all);
  auto drop = nc.builder.getBoolAttr(false);
  if (reduction == "sum")
    return nc.create<ReduceSumOp>(loss, axes, drop);
  if (!w)
    return nc.create<ReduceMeanOp>(loss, axes, drop);
  return nc.create<DivOp>(nc.create<ReduceSumOp>(loss, axes, drop),
                          nc.create<ReduceSumOp>(w, axes, drop));
}

LogicalResult importNllLoss(NodeContext &nc, Out &out) {
  out.push_back(nllLoss(nc, nc.input(0), nc.input(1), nc.input(2)));
  return success(bool(out.back()));
}

/// SoftmaxCrossEntropyLoss: NLL of log_softmax(scores, axis 1); the
/// optional second output is that log-probability tensor.
LogicalResult importSoftmaxCrossEntropy(NodeContext &nc, Out &out) {
  if (tensorTypeOf(nc.input(0)).getRank() < 2)
    return nc.error() << "scores must have rank 2 or more";
  Value logProb = buildLogSoftmax(nc, nc.input(0), 1);
  if (!logProb)
    return failure();
  out.push_back(nllLoss(nc, logProb, nc.input(1), nc.input(2)));
  if (nc.node.output_size() > 1)
    out.push_back(logProb);
  return success(bool(out.front()));
}

} // namespace

void registerElementIndexImporters(ImporterRegistry &r) {
  r["GatherElements"] = importGatherElements;
  r["ScatterElements"] = importScatterElements;
  r["Scatter"] = importScatterElements;
  r["OneHot"] = importOneHot;
  r["Compress"] = importCompress;
  r["ReverseSequence"] = importReverseSequence;
  r["MaxUnpool"] = importMaxUnpool;
  r["NegativeLogLikelihoodLoss"] = importNllLoss;
  r["SoftmaxCrossEntropyLoss"] = importSoftmaxCrossEntropy;
}

} // namespace kiln::onnx_frontend
