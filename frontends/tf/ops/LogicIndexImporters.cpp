//===- LogicIndexImporters.cpp - TensorFlow selection and index ops to kiln ===//
//
// Select/SelectV2, ArgMax/ArgMin, GatherNd, TopKV2 and SparseToDense (with
// constant operands, as frozen graphs have it).
//
//===----------------------------------------------------------------------===//

#include "frontends/common/ShapeTracing.h"
#include "frontends/tf/TfNodeContext.h"
#include "frontends/tf/TfTensors.h"
#include "ir/ConstantData.h"

#include <limits>

using namespace mlir;

namespace kiln::tf_frontend {

/// `v` as element type `dtype` (an index output's `output_type`).
static Value castToDtype(TfNodeContext &nc, Value v, tensorflow::DataType dtype) {
  Type et = elementTypeFor(nc.builder.getContext(), dtype);
  auto type = cast<RankedTensorType>(v.getType());
  if (!et || et == type.getElementType())
    return v;
  return nc.create<CastOp>(type.clone(et), v);
}

/// SelectV2 broadcasts all three operands. TF1's Select also takes a 1-D
/// condition that picks whole rows of higher-rank branches.
static LogicalResult importSelect(TfNodeContext &nc, SmallVectorImpl<Value> &out) {
  Value cond = nc.input(0);
  auto ct = nc.inputType(0), xt = nc.inputType(1);
  if (!ct.getElementType().isInteger(1))
    return nc.error() << nc.node.op() << " condition must be bool";
  if (nc.node.op() == "Select" && ct.getRank() == 1 && xt.getRank() > 1) {
    SmallVector<int64_t> shape(xt.getRank(), 1);
    shape[0] = ct.getDimSize(0);
    cond = nc.reshape(cond, shape);
  }
  out.push_back(nc.create<SelectOp>(cond, nc.input(1), nc.input(2)));
  return success(bool(out.back()));
}

template <typename OpTy>
static LogicalResult importArgReduce(TfNodeContext &nc,
                                     SmallVectorImpl<Value> &out) {
  auto dim = nc.constOperand(1, "dimension");
  if (failed(dim))
    return failure();
  int64_t rank = nc.inputType(0).getRank();
  int64_t axis = dim->size() == 1 ? normalizeAxis((*dim)[0], rank) : -1;
  if (axis < 0)
    return nc.error() << nc.node.op() << " dimension out of range for rank "
                      << rank;
  auto &b = nc.builder;
  Value r = nc.create<OpTy>(nc.input(0), b.getI64IntegerAttr(axis),
                            b.getBoolAttr(false), b.getBoolAttr(false));
  const auto *type = nc.attr("output_type");
  out.push_back(r ? castToDtype(nc, r, type ? type->type() : tensorflow::DT_INT64)
                  : Value());
  return success(bool(out.back()));
}

static LogicalResult importGatherNd(TfNodeContext &nc,
                                    SmallVectorImpl<Value> &out) {
  auto it = nc.inputType(1);
  if (!isa<IntegerType>(it.getElementType()))
    return nc.error() << "GatherNd indices must be integers";
  out.push_back(nc.create<GatherNdOp>(nc.input(0), nc.input(1),
                                      nc.builder.getI64IntegerAttr(0)));
  return success(bool(out.back()));
}

/// TopKV2 along the last dim; `sorted = false` allows any order, so the
/// sorted one serves both. k may be a constant, the input's own last dim
/// (a sort of everything, as the detection API's SortByField writes: k =
/// -1), or any scalar computed when the graph runs (the run-time k).
static LogicalResult importTopK(TfNodeContext &nc, SmallVectorImpl<Value> &out) {
  int64_t rank = nc.inputType(0).getRank();
  if (rank < 1 || nc.inputType(1).getRank() != 0)
    return nc.error() << "TopKV2 needs an input of rank >= 1 and a scalar k";
  int64_t k = -1;
  Value runTimeK;
  if (auto given = nc.constInts(1))
    k = given->front();
  else if (auto traced = shapeElements(nc.input(1));
           !traced || traced->size() != 1 ||
           (*traced)[0].source != nc.input(0) || (*traced)[0].dim != rank - 1)
    runTimeK = nc.input(1);
  if (k < -1 || (k == -1 && !runTimeK && nc.constInts(1)))
    return nc.error() << "TopKV2 k must not be negative";
  auto &b = nc.builder;
  auto op = nc.createOp<TopKOp>(nc.input(0), runTimeK, b.getI64IntegerAttr(k),
                                b.getI64IntegerAttr(rank - 1), b.getBoolAttr(true));
  if (!op)
    return failure();
  const auto *type = nc.attr("index_type");
  out.push_back(op.getValues());
  out.push_back(castToDtype(nc, op.getIndices(),
                            type ? type->type() : tensorflow::DT_INT32));
  return success(bool(out.back()));
}

/// SparseToDense of constants: the dense constant, default everywhere but
/// at the listed positions.
static LogicalResult importSparseToDense(TfNodeContext &nc,
                                         SmallVectorImpl<Value> &out) {
  auto indices = nc.constOperand(0, "sparse_indices");
  auto shape = nc.constOperand(1, "output_shape");
  auto values = nc.constFloats(2);
  auto dflt = nc.constFloats(3);
  if (failed(indices) || failed(shape))
    return failure();
  if (!values || !dflt || dflt->size() != 1)
    return nc.error() << "SparseToDense needs constant values and a scalar "
                         "default";
  int64_t rank = shape->size(), count = 1;
  for (int64_t d : *shape) {
    if (d < 0 || d > (int64_t(1) << 24))
      return nc.error() << "SparseToDense output dim " << d << " out of range";
    count *= d;
  }
  if (count > (int64_t(1) << 24))
    return nc.error() << "SparseToDense output too large to fold";
  int64_t tuple = nc.inputType(0).getRank() == 2 ? nc.inputType(0).getDimSize(1) : 1;
  if (tuple != rank && !(rank == 1 && tuple == 1))
    return nc.error() << "SparseToDense index tuples of " << tuple
                      << " for a rank-" << rank << " output";
  size_t n = indices->size() / std::max<int64_t>(rank, 1);
  if (values->size() != 1 && values->size() != n)
    return nc.error() << "SparseToDense has " << values->size()
                      << " values for " << n << " indices";
  std::vector<double> data(count, (*dflt)[0]);
  for (size_t i = 0; i < n; ++i) {
    int64_t at = 0;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t v = (*indices)[i * rank + d];
      if (v < 0 || v >= (*shape)[d])
        return nc.error() << "SparseToDense index " << v << " out of range";
      at = at * (*shape)[d] + v;
    }
    data[at] = (*values)[values->size() == 1 ? 0 : i];
  }
  auto type = RankedTensorType::get(*shape, nc.inputType(2).getElementType());
  out.push_back(ConstantOp::create(nc.builder, nc.loc, writeConstant(type, data)));
  return success();
}

/// Where(condition): the i64 coordinates [count, rank] of its true (or
/// non-zero) elements; count is known only at run time.
static LogicalResult importWhere(TfNodeContext &nc,
                                 SmallVectorImpl<Value> &out) {
  if (nc.inputs.size() != 1)
    return nc.error() << "Where takes one operand (the three-operand form "
                      << "is Select)";
  out.push_back(nc.create<NonZeroOp>(nc.input(0)));
  return success(bool(out.back()));
}

/// NonMaxSuppressionV2-V5 on one image: boxes [N, 4], scores [N] as
/// kiln.non_max_suppression's single batch and class; the box column of
/// its rows is TensorFlow's selected_indices (int32). V5 also gives the
/// selected scores, V4 and V5 their count; soft-NMS (a non-zero sigma) and
/// padding the outputs to max_output_size are not supported.
static LogicalResult importNonMaxSuppression(TfNodeContext &nc,
                                             SmallVectorImpl<Value> &out) {
  llvm::StringRef op = nc.node.op();
  bool v5 = op == "NonMaxSuppressionV5";
  auto bt = nc.inputType(0), st = nc.inputType(1);
  if (bt.getRank() != 2 || st.getRank() != 1)
    return nc.error() << op << " needs boxes [N, 4] and scores [N]";
  if (v5) {
    auto sigma = nc.constFloats(5);
    if (!sigma || sigma->size() != 1 || (*sigma)[0] != 0)
      return nc.error() << op << " with a soft-NMS sigma other than a "
                        << "constant 0 is not supported";
  }
  if (nc.intAttr("pad_to_max_output_size", 0))
    return nc.error() << op << " with pad_to_max_output_size is not supported";
  auto &b = nc.builder;
  auto f32 = b.getF32Type();
  auto toScalar = [&](Value v, Type et) -> Value {
    auto t = cast<RankedTensorType>(v.getType());
    if (t.getRank() != 0)
      v = nc.reshape(v, {});
    if (v && t.getElementType() != et)
      v = nc.create<CastOp>(RankedTensorType::get({}, et), v);
    return v;
  };
  Value boxes = nc.input(0);
  if (!bt.getElementType().isF32())
    boxes = nc.create<CastOp>(bt.clone(f32), nc.input(0));
  Value scores = nc.input(1);
  if (!st.getElementType().isF32())
    scores = nc.create<CastOp>(st.clone(f32), scores);
  int64_t n = st.getDimSize(0);
  boxes = nc.reshape(boxes, {1, n, 4});
  scores = nc.reshape(scores, {1, 1, n});
  Value limit = toScalar(nc.input(2), b.getI64Type());
  Value iou = toScalar(nc.input(3), f32);
  Value score = op == "NonMaxSuppressionV2"
                    ? nc.scalarConst(f32, -std::numeric_limits<double>::infinity())
                    : toScalar(nc.input(4), f32);
  if (!boxes || !scores || !limit || !iou || !score)
    return failure();
  auto rowsType = RankedTensorType::get({ShapedType::kDynamic, 3}, b.getI64Type());
  Value rows = nc.create<NonMaxSuppressionOp>(rowsType, boxes, scores, limit,
                                              iou, score, b.getBoolAttr(false));
  if (!rows)
    return failure();
  // The box column, [count].
  Value column = nc.create<DynamicSliceOp>(
      rows, nc.i64Const({2}), nc.i64Const({3}), b.getDenseI64ArrayAttr({1}),
      b.getDenseI64ArrayAttr({1}));
  Value indices = nc.reshape(column, {ShapedType::kDynamic});
  auto i32 = b.getI32Type();
  Value selected = nc.create<CastOp>(
      RankedTensorType::get({ShapedType::kDynamic}, i32), indices);
  out.push_back(selected);
  if (v5) // The scores of the selected boxes.
    out.push_back(nc.create<GatherOp>(nc.reshape(scores, {n}), indices,
                                      b.getI64IntegerAttr(0)));
  if (v5 || op == "NonMaxSuppressionV4") {
    // How many were selected.
    Value shape = nc.create<ShapeOfOp>(
        RankedTensorType::get({1}, b.getI64Type()), indices);
    out.push_back(nc.create<CastOp>(RankedTensorType::get({}, i32),
                                    nc.reshape(shape, {})));
  }
  return success(llvm::all_of(out, [](Value v) { return bool(v); }));
}

void registerTfLogicIndexImporters(TfImporterRegistry &r) {
  r["NonMaxSuppressionV2"] = importNonMaxSuppression;
  r["NonMaxSuppressionV3"] = importNonMaxSuppression;
  r["NonMaxSuppressionV4"] = importNonMaxSuppression;
  r["NonMaxSuppressionV5"] = importNonMaxSuppression;
  r["Where"] = importWhere;
  r["Select"] = importSelect;
  r["SelectV2"] = importSelect;
  r["ArgMax"] = importArgReduce<ArgMaxOp>;
  r["ArgMin"] = importArgReduce<ArgMinOp>;
  r["GatherNd"] = importGatherNd;
  r["TopKV2"] = importTopK;
  r["SparseToDense"] = importSparseToDense;
}

} // namespace kiln::tf_frontend
