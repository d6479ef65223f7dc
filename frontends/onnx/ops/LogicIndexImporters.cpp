//===- LogicIndexImporters.cpp - ONNX comparisons, logic and index ops ----===//
//
// Equal/Less/Greater(OrEqual), And/Or/Xor/Not, Where, ArgMax/ArgMin,
// GatherND, ScatterND and TopK (with a constant K).
//
//===----------------------------------------------------------------------===//

#include "frontends/common/Einsum.h"
#include "frontends/onnx/ImportContext.h"

#include <limits>

using namespace mlir;

namespace kiln::onnx_frontend {

template <typename OpTy>
static LogicalResult importCompare(NodeContext &nc, SmallVectorImpl<Value> &out) {
  if (!nc.input(0) || !nc.input(1))
    return nc.error() << "needs two inputs";
  if (nc.inputType(0).getElementType() != nc.inputType(1).getElementType())
    return nc.error() << "operands differ in element type: "
                      << nc.inputType(0) << " and " << nc.inputType(1);
  out.push_back(nc.create<OpTy>(nc.input(0), nc.input(1)));
  return success(bool(out.back()));
}

static LogicalResult importNot(NodeContext &nc, SmallVectorImpl<Value> &out) {
  out.push_back(nc.create<NotOp>(nc.input(0)));
  return success(bool(out.back()));
}

static LogicalResult importWhere(NodeContext &nc, SmallVectorImpl<Value> &out) {
  if (!nc.input(0) || !nc.input(1) || !nc.input(2))
    return nc.error() << "needs three inputs";
  out.push_back(nc.create<SelectOp>(nc.input(0), nc.input(1), nc.input(2)));
  return success(bool(out.back()));
}

template <typename OpTy>
static LogicalResult importArgReduce(NodeContext &nc,
                                     SmallVectorImpl<Value> &out) {
  int64_t rank = nc.inputType(0).getRank();
  int64_t axis = normalizeAxis(nc.intAttr("axis", 0), rank);
  if (axis < 0)
    return nc.error() << "axis out of range for rank " << rank;
  auto &b = nc.builder;
  out.push_back(nc.create<OpTy>(nc.input(0), b.getI64IntegerAttr(axis),
                                b.getBoolAttr(nc.intAttr("keepdims", 1)),
                                b.getBoolAttr(nc.intAttr("select_last_index", 0))));
  return success(bool(out.back()));
}

static LogicalResult importGatherNd(NodeContext &nc, SmallVectorImpl<Value> &out) {
  out.push_back(nc.create<GatherNdOp>(
      nc.input(0), nc.input(1),
      nc.builder.getI64IntegerAttr(nc.intAttr("batch_dims", 0))));
  return success(bool(out.back()));
}

/// ScatterND, with the opset-16/18 `reduction` attribute.
static LogicalResult importScatterNd(NodeContext &nc,
                                     SmallVectorImpl<Value> &out) {
  std::string reduction = nc.stringAttr("reduction", "none");
  if (reduction != "none" && reduction != "add" && reduction != "mul" &&
      reduction != "max" && reduction != "min")
    return nc.error() << "ScatterND reduction '" << reduction
                      << "' is not supported";
  out.push_back(nc.create<ScatterNdOp>(nc.input(0),
                                       nc.input(1), nc.input(2),
                                       nc.builder.getStringAttr(reduction)));
  return success(bool(out.back()));
}

/// TopK: `sorted = 0` allows any order, so the sorted one serves both.
static LogicalResult importTopK(NodeContext &nc, SmallVectorImpl<Value> &out) {
  auto in = nc.inputType(0);
  int64_t rank = in.getRank();
  std::optional<std::vector<int64_t>> k;
  if (nc.opset < 10)
    k = std::vector<int64_t>{nc.intAttr("k", -1)};
  else if (!(k = nc.constInts(1)))
    return nc.error() << "TopK with a computed K is not supported";
  int64_t axis = normalizeAxis(nc.intAttr("axis", -1), rank);
  if (axis < 0 || k->size() != 1)
    return nc.error() << "TopK needs an axis within rank " << rank
                      << " and a single K";
  auto &b = nc.builder;
  auto op = nc.createOp<TopKOp>(nc.input(0), Value(), b.getI64IntegerAttr((*k)[0]),
                                b.getI64IntegerAttr(axis),
                                b.getBoolAttr(nc.intAttr("largest", 1)));
  if (!op)
    return failure();
  out.push_back(op.getValues());
  out.push_back(op.getIndices());
  return success();
}

/// Mod: fmod = 1 is C's fmod (sign of the dividend), else the sign of the
/// divisor (Python's %, which opset 28 allows for floats too); integer Mod
/// by zero gives 0.
static LogicalResult importMod(NodeContext &nc, SmallVectorImpl<Value> &out) {
  return nc.intAttr("fmod", 0) ? importCompare<RemOp>(nc, out)
                               : importCompare<FloorModOp>(nc, out);
}

/// NonZero: the coordinates as [rank, count] (the transpose of
/// kiln.non_zero's rows).
static LogicalResult importNonZero(NodeContext &nc,
                                   SmallVectorImpl<Value> &out) {
  Value rows = nc.create<NonZeroOp>(nc.input(0));
  if (!rows)
    return failure();
  out.push_back(nc.create<TransposeOp>(rows,
                                       nc.builder.getDenseI64ArrayAttr({1, 0})));
  return success(bool(out.back()));
}

/// NonMaxSuppression(boxes, scores[, max_output_boxes_per_class,
/// iou_threshold, score_threshold]): absent inputs are 0 boxes, IoU 0 and
/// no score threshold (-inf).
static LogicalResult importNonMaxSuppression(NodeContext &nc,
                                             SmallVectorImpl<Value> &out) {
  auto f32 = nc.builder.getF32Type();
  auto scalarOr = [&](size_t i, Type et, double dflt) -> Value {
    Value v = nc.input(i);
    if (!v)
      return nc.scalarConst(et, dflt);
    auto t = cast<RankedTensorType>(v.getType());
    return t.getRank() == 0 ? v : nc.reshape(v, {});
  };
  for (size_t i : {0, 1})
    if (!cast<RankedTensorType>(nc.input(i).getType()).getElementType().isF32())
      return nc.error() << "NonMaxSuppression boxes and scores must be float32";
  Value limit = scalarOr(2, nc.builder.getI64Type(), 0);
  Value iou = scalarOr(3, f32, 0);
  Value score = scalarOr(4, f32, -std::numeric_limits<double>::infinity());
  for (Value v : {limit, iou, score})
    if (!v || cast<RankedTensorType>(v.getType()).getNumElements() != 1)
      return nc.error() << "NonMaxSuppression limits must hold one value";
  auto rt = RankedTensorType::get({ShapedType::kDynamic, 3},
                                  nc.builder.getI64Type());
  out.push_back(nc.create<NonMaxSuppressionOp>(
      rt, nc.input(0), nc.input(1), limit, iou, score,
      nc.builder.getBoolAttr(nc.intAttr("center_point_box", 0) != 0)));
  return success(bool(out.back()));
}

/// Einsum(inputs...) with `equation`: one or two operands
/// (frontends/common/Einsum.h).
static LogicalResult importEinsum(NodeContext &nc, SmallVectorImpl<Value> &out) {
  auto r = buildEinsum(nc, nc.stringAttr("equation", ""), nc.inputs);
  if (failed(r))
    return failure();
  out.push_back(*r);
  return success();
}

void registerLogicIndexImporters(ImporterRegistry &r) {
  r["Einsum"] = importEinsum;
  r["NonMaxSuppression"] = importNonMaxSuppression;
  r["NonZero"] = importNonZero;
  r["Equal"] = importCompare<EqualOp>;
  r["Less"] = importCompare<LessOp>;
  r["LessOrEqual"] = importCompare<LessEqualOp>;
  r["Greater"] = importCompare<GreaterOp>;
  r["GreaterOrEqual"] = importCompare<GreaterEqualOp>;
  r["And"] = importCompare<AndOp>;
  r["Or"] = importCompare<OrOp>;
  r["Xor"] = importCompare<XorOp>;
  r["Not"] = importNot;
  r["Where"] = importWhere;
  r["ArgMax"] = importArgReduce<ArgMaxOp>;
  r["ArgMin"] = importArgReduce<ArgMinOp>;
  r["GatherND"] = importGatherNd;
  r["ScatterND"] = importScatterNd;
  r["TopK"] = importTopK;
  r["Mod"] = importMod;
}

} // namespace kiln::onnx_frontend
