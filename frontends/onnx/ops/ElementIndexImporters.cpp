//===- ElementIndexImporters.cpp - ONNX per-element index ops and losses --===//
//
// GatherElements, ScatterElements (and opset 9's Scatter), OneHot, and the
// two losses built on picking one element per row: NegativeLogLikelihoodLoss
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

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

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
  RankedTensorType t = typeOf(indices);
  if (!t.hasStaticShape()) {
    nc.error() << "element indices need a static shape, got " << t;
    return {};
  }
  auto i64 = nc.builder.getI64Type();
  if (t.getElementType() != i64)
    indices = nc.create<CastOp>(t.clone(i64), indices);
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
  if (typeOf(nc.input(2)).getShape() != typeOf(nc.input(1)).getShape())
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
  RankedTensorType it = typeOf(nc.input(0));
  if (depth <= 0 || !it.hasStaticShape())
    return nc.error() << "OneHot needs a positive depth and static indices";
  int64_t axis = normalizeAxis(nc.intAttr("axis", -1), it.getRank() + 1);
  if (axis < 0)
    return nc.error() << "axis out of range";
  auto i64 = nc.builder.getI64Type();
  Value idx = nc.input(0);
  if (it.getElementType() != i64)
    idx = nc.create<CastOp>(it.clone(i64), idx);
  Value negative = nc.create<LessOp>(idx, nc.scalarConst(i64, 0));
  idx = nc.create<SelectOp>(
      negative, nc.create<AddOp>(idx, nc.scalarConst(i64, depth)), idx);
  SmallVector<int64_t> shape(it.getShape());
  shape.insert(shape.begin() + axis, 1);
  idx = nc.reshape(idx, shape);
  SmallVector<int64_t> iotaShape(shape.size(), 1);
  iotaShape[axis] = depth;
  Value hot = nc.create<EqualOp>(idx, iotaAlong(nc, iotaShape, axis));
  Type et = typeOf(nc.input(2)).getElementType();
  out.push_back(nc.create<SelectOp>(hot, nc.scalarConst(et, (*onOff)[1]),
                                    nc.scalarConst(et, (*onOff)[0])));
  return success(bool(out.back()));
}

/// NegativeLogLikelihoodLoss on log-probabilities [N, C, d...] and targets
/// [N, d...], with optional class weights, ignore_index and reduction.
Value nllLoss(NodeContext &nc, Value logProb, Value target, Value weight) {
  RankedTensorType tt = typeOf(target);
  RankedTensorType pt = typeOf(logProb);
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
  if (typeOf(nc.input(0)).getRank() < 2)
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
  r["NegativeLogLikelihoodLoss"] = importNllLoss;
  r["SoftmaxCrossEntropyLoss"] = importSoftmaxCrossEntropy;
}

} // namespace kiln::onnx_frontend
