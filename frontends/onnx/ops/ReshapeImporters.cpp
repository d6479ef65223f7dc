//===- ReshapeImporters.cpp - ONNX ops shaped by a shape operand ----------===//
//
// Reshape, Flatten, Expand, ConstantOfShape, Shape and Range: ops whose
// result shape comes from a shape (or scalar) operand. A constant operand gives static dims; one that
// traced exports compute from tensor shapes (Shape -> Gather -> Unsqueeze ->
// Concat) is followed back through those ops (shapeElements), so dims the
// inputs leave dynamic stay dynamic.
//
//===----------------------------------------------------------------------===//

#include "frontends/common/ShapeTracing.h"
#include "frontends/onnx/ImportContext.h"

#include "ir/ConstantData.h"

#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseSet.h"

#include <cmath>

using namespace mlir;

namespace kiln::onnx_frontend {

static LogicalResult importReshape(NodeContext &nc,
                                   SmallVectorImpl<Value> &out) {
  auto in = nc.inputType(0);
  bool allowZero = nc.intAttr("allowzero", 0);
  auto shape = reshapeResultShape(nc, nc.input(0), nc.input(1), allowZero);
  if (failed(shape))
    return failure();
  out.push_back(nc.reshape(nc.input(0), *shape));
  return success();
}

static LogicalResult importFlatten(NodeContext &nc,
                                   SmallVectorImpl<Value> &out) {
  auto in = nc.inputType(0);
  int64_t axis = nc.intAttr("axis", 1);
  if (axis < 0)
    axis += in.getRank();
  if (axis < 0 || axis > in.getRank())
    return nc.error() << "Flatten axis out of range";
  // A side with a dynamic dim is dynamic (a batch stays the batch).
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < in.getRank(); ++d) {
    int64_t &side = d < axis ? outer : inner;
    side = ShapedType::isDynamic(side) || in.isDynamicDim(d)
               ? ShapedType::kDynamic
               : side * in.getDimSize(d);
  }
  out.push_back(nc.reshape(nc.input(0), {outer, inner}));
  return success();
}

/// Expand to a shape computed at run time: a kiln.broadcast_to whose
/// result dims follow from the input's dims and the shape's elements.
static LogicalResult importComputedExpand(NodeContext &nc,
                                          SmallVectorImpl<Value> &out) {
  auto elements = shapeElements(nc.input(1));
  if (!elements)
    return nc.error() << "Expand shape must be a constant or computed from "
                         "input shapes";
  auto in = nc.inputType(0);
  int64_t rank = std::max<int64_t>(in.getRank(), int64_t(elements->size()));
  SmallVector<int64_t> dims(rank);
  for (int64_t d = 0; d < rank; ++d) {
    int64_t id = d - (rank - in.getRank());
    int64_t ed = d - (rank - int64_t(elements->size()));
    int64_t inDim = id >= 0 ? in.getDimSize(id) : 1;
    int64_t elem = 1;
    if (ed >= 0) {
      const ShapeElement &e = (*elements)[ed];
      elem = !e.source ? e.value
                       : cast<RankedTensorType>(e.source.getType())
                             .getDimSize(e.dim);
    }
    if (!ShapedType::isDynamic(inDim) && inDim != 1)
      dims[d] = inDim; // the input's own dim wins (the element is 1 or equal)
    else if (inDim == 1)
      dims[d] = elem;
    else
      dims[d] = !ShapedType::isDynamic(elem) && elem != 1
                    ? elem
                    : ShapedType::kDynamic;
  }
  auto type = RankedTensorType::get(dims, in.getElementType());
  out.push_back(nc.create<BroadcastToOp>(type, nc.input(0), nc.input(1)));
  return success();
}

static LogicalResult importExpand(NodeContext &nc,
                                  SmallVectorImpl<Value> &out) {
  auto shape = nc.constInts(1);
  if (!shape)
    return importComputedExpand(nc, out);
  auto et = nc.inputType(0).getElementType();
  auto zeros = RankedTensorType::get(*shape, et);
  std::vector<double> data(zeros.getNumElements(), 0.0);
  Value z = ConstantOp::create(nc.builder, nc.loc, writeConstant(zeros, data));
  out.push_back(nc.create<AddOp>(nc.input(0), z));
  return success();
}

/// ConstantOfShape: a constant tensor for a constant shape, else the
/// value broadcast to the shape computed at run time.
static LogicalResult importConstantOfShape(NodeContext &nc,
                                           SmallVectorImpl<Value> &out) {
  MLIRContext *ctx = nc.builder.getContext();
  ElementsAttr value;
  if (const auto *a = nc.attr("value")) {
    std::string error;
    value = tensorProtoToAttr(ctx, a->t(), error);
    if (!value)
      return nc.error() << error;
    if (value.getNumElements() != 1)
      return nc.error() << "ConstantOfShape value must have one element";
  } else {
    value = writeConstant(RankedTensorType::get({1}, nc.builder.getF32Type()),
                          {0.0});
  }
  auto one = readConstant(value);
  if (!one)
    return nc.error() << "ConstantOfShape value type is not supported";
  Type et = value.getShapedType().getElementType();
  if (auto dims = nc.constInts(0)) {
    for (int64_t d : *dims)
      if (d < 0)
        return nc.error() << "ConstantOfShape dim " << d << " is negative";
    auto type = RankedTensorType::get(*dims, et);
    std::vector<double> data(size_t(type.getNumElements()), one->data[0]);
    out.push_back(ConstantOp::create(nc.builder, nc.loc,
                                     writeConstant(type, data)));
    return success();
  }
  auto elements = shapeElements(nc.input(0));
  if (!elements)
    return nc.error() << "ConstantOfShape shape must be a constant or "
                         "computed from input shapes";
  SmallVector<int64_t> dims;
  for (const ShapeElement &e : *elements)
    dims.push_back(!e.source ? e.value
                             : cast<RankedTensorType>(e.source.getType())
                                   .getDimSize(e.dim));
  Value scalar = nc.scalarConst(et, one->data[0]);
  out.push_back(nc.create<BroadcastToOp>(RankedTensorType::get(dims, et),
                                         scalar, nc.input(0)));
  return success();
}

static LogicalResult importShape(NodeContext &nc, SmallVectorImpl<Value> &out) {
  auto in = nc.inputType(0);
  int64_t rank = in.getRank();
  if (!in.hasStaticShape()) {
    // Computed at run time; reshapes that use it follow it back here.
    Value shape = nc.create<ShapeOfOp>(
        RankedTensorType::get({rank}, nc.builder.getI64Type()), nc.input(0));
    int64_t start = nc.intAttr("start", 0), end = nc.intAttr("end", rank);
    start = std::clamp<int64_t>(start < 0 ? start + rank : start, 0, rank);
    end = std::clamp<int64_t>(end < 0 ? end + rank : end, 0, rank);
    if (start != 0 || end != rank)
      shape = nc.create<SliceOp>(
          shape, nc.builder.getDenseI64ArrayAttr({start}),
          nc.builder.getDenseI64ArrayAttr({std::max<int64_t>(end - start, 0)}),
          nc.builder.getDenseI64ArrayAttr({1}));
    out.push_back(shape);
    return success();
  }
  int64_t start = nc.intAttr("start", 0), end = nc.intAttr("end", rank);
  start = std::clamp<int64_t>(start < 0 ? start + rank : start, 0, rank);
  end = std::clamp<int64_t>(end < 0 ? end + rank : end, 0, rank);
  std::vector<int64_t> dims;
  for (int64_t d = start; d < end; ++d)
    dims.push_back(in.getDimSize(d));
  out.push_back(nc.i64Const(dims));
  return success();
}

/// Range: start, limit and delta are scalars; start and limit may be
/// computed (torch.arange(x.shape[1])), delta must be a non-zero constant
/// so that the length is well defined for every input.
static LogicalResult importRange(NodeContext &nc, SmallVectorImpl<Value> &out) {
  for (size_t i = 0; i < 3; ++i) {
    if (!nc.input(i))
      return nc.error() << "Range needs start, limit and delta";
    // One-element tensors (ONNX's own function bodies pass [1] dims) are
    // read as the scalars they hold.
    RankedTensorType t = nc.inputType(i);
    if (t.getRank() != 0 && t.hasStaticShape() && t.getNumElements() == 1)
      nc.inputs[i] = nc.reshape(nc.input(i), {});
    if (nc.inputType(i).getRank() != 0)
      return nc.error() << "Range needs scalar start, limit and delta";
  }
  auto delta = nc.constFloats(2);
  if (!delta || delta->size() != 1 || (*delta)[0] == 0)
    return nc.error() << "Range delta must be a non-zero constant";
  Type et = nc.inputType(0).getElementType();
  if (nc.inputType(1).getElementType() != et ||
      nc.inputType(2).getElementType() != et)
    return nc.error() << "Range start, limit and delta differ in type";
  auto start = nc.constFloats(0), limit = nc.constFloats(1);
  if (start && limit) {
    // Constant bounds (axes computed from a static rank, say): a constant
    // that later ops can read, with ONNX's length max(ceil((limit - start)
    // / delta), 0).
    double d = (*delta)[0];
    int64_t n = std::max<int64_t>(
        int64_t(std::ceil(((*limit)[0] - (*start)[0]) / d)), 0);
    if (n > (int64_t(1) << 32))
      return nc.error() << "Range of " << n << " elements is too long";
    std::vector<double> values(n);
    for (int64_t i = 0; i < n; ++i)
      values[i] = (*start)[0] + double(i) * d;
    auto type = RankedTensorType::get({n}, et);
    out.push_back(ConstantOp::create(nc.builder, nc.loc,
                                     writeConstant(type, values)));
    return success();
  }
  out.push_back(RangeOp::create(nc.builder, nc.loc, nc.input(0), nc.input(1),
                                nc.input(2))
                    .getResult());
  return success();
}

void registerReshapeImporters(ImporterRegistry &r) {
  r["Range"] = importRange;
  r["Reshape"] = importReshape;
  r["Flatten"] = importFlatten;
  r["Expand"] = importExpand;
  r["ConstantOfShape"] = importConstantOfShape;
  r["Shape"] = importShape;
}

} // namespace kiln::onnx_frontend
