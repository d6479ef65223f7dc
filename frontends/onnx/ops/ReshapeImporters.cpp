//===- ReshapeImporters.cpp - ONNX ops shaped by a shape operand ----------===//
//
// Reshape, Flatten, Expand, ConstantOfShape, Shape and Range: ops whose
// result shape comes from a shape (or scalar) operand. A constant operand gives static dims; one that
// traced exports compute from tensor shapes (Shape -> Gather -> Unsqueeze ->
// Concat) is followed back through those ops (shapeElements), so dims the
// inputs leave dynamic stay dynamic.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/ImportContext.h"

#include "ir/ConstantData.h"

#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseSet.h"

using namespace mlir;

namespace kiln::onnx_frontend {

/// Where a Reshape target element comes from when it is not a constant.
enum : int64_t { kConstant = -1, kUnknownDynamic = -2 };

/// The result dims of a Reshape to `target`: a 0 copies the input dim
/// (dynamic ones too), as does an element computed from the input's own
/// dim (`from[i]` = that dim; kUnknownDynamic: computed from something
/// else, so only known at run time). The -1 is static when every dynamic
/// input dim is copied (the static rest then fixes it), else dynamic.
static FailureOr<SmallVector<int64_t>>
reshapeTarget(NodeContext &nc, RankedTensorType in, ArrayRef<int64_t> target,
              ArrayRef<int64_t> from, bool allowZero) {
  SmallVector<int64_t> shape;
  int64_t staticIn = 1, staticOut = 1, inferAt = -1;
  bool unknown = false;
  llvm::SmallDenseSet<int64_t> copied;
  for (int64_t d : in.getShape())
    if (!ShapedType::isDynamic(d))
      staticIn *= d;
  for (auto [i, d] : llvm::enumerate(target)) {
    int64_t source = from.empty() ? kConstant : from[i];
    if (source == kConstant && d == 0 && !allowZero) {
      if (int64_t(i) >= in.getRank())
        return nc.error() << "Reshape copies dim " << i
                          << " beyond the input rank";
      source = int64_t(i);
    }
    if (source == kUnknownDynamic) {
      unknown = true;
      shape.push_back(ShapedType::kDynamic);
      continue;
    }
    int64_t dim = source >= 0 ? in.getDimSize(source) : d;
    if (source >= 0 && ShapedType::isDynamic(dim)) {
      copied.insert(source);
      shape.push_back(dim);
      continue;
    }
    if (dim == -1) {
      if (inferAt >= 0)
        return nc.error() << "Reshape target has two -1 dims";
      inferAt = int64_t(i);
    } else if (dim < 0) {
      return nc.error() << "Reshape target dim " << dim << " invalid";
    } else {
      staticOut *= dim;
    }
    shape.push_back(dim);
  }
  bool allCopied =
      !unknown && int64_t(copied.size()) == in.getNumDynamicDims();
  if (inferAt >= 0) {
    if (allCopied && (staticOut == 0 || staticIn % staticOut != 0))
      return nc.error() << "cannot infer the -1 dim of the Reshape";
    shape[inferAt] = allCopied ? staticIn / staticOut : ShapedType::kDynamic;
  } else if (allCopied && staticIn != staticOut) {
    return nc.error() << "cannot reshape " << in << " to " << shape.size()
                      << "-D shape with " << staticOut << " elements"
                      << (in.hasStaticShape() ? "" : " per dynamic block");
  }
  return shape;
}

/// One element of a computed shape: a constant, or dim `dim` of `source`.
struct ShapeElement {
  int64_t value = 0;
  Value source;
  int64_t dim = 0;
};

/// The elements of a 1-D (or scalar) i64 value computed from constants and
/// kiln.shape_of through gather, reshape (Unsqueeze/Squeeze), concat and
/// cast: what exporters build reshape targets from. std::nullopt when `v`
/// is computed any other way.
static std::optional<SmallVector<ShapeElement>> shapeElements(Value v) {
  Operation *def = v.getDefiningOp();
  if (!def)
    return std::nullopt;
  if (auto c = dyn_cast<ConstantOp>(def)) {
    auto ints = readIntConstant(c.getValue());
    if (!ints)
      return std::nullopt;
    SmallVector<ShapeElement> out;
    for (int64_t i : *ints)
      out.push_back({i, Value(), 0});
    return out;
  }
  if (auto s = dyn_cast<ShapeOfOp>(def)) {
    auto t = s.getInput().getType();
    SmallVector<ShapeElement> out;
    for (int64_t d = 0; d < t.getRank(); ++d)
      out.push_back(t.isDynamicDim(d) ? ShapeElement{0, s.getInput(), d}
                                      : ShapeElement{t.getDimSize(d), Value(), 0});
    return out;
  }
  if (isa<ReshapeOp, CastOp>(def))
    return shapeElements(def->getOperand(0));
  if (auto sl = dyn_cast<SliceOp>(def)) {
    auto from = shapeElements(sl.getInput());
    if (!from || sl.getInput().getType().getRank() != 1)
      return std::nullopt;
    SmallVector<ShapeElement> out;
    for (int64_t k = 0; k < sl.getSizes()[0]; ++k)
      out.push_back((*from)[sl.getOffsets()[0] + k * sl.getStrides()[0]]);
    return out;
  }
  if (auto g = dyn_cast<GatherOp>(def)) {
    auto from = shapeElements(g.getInput());
    Attribute attr;
    if (!from || g.getAxis() != 0 ||
        !matchPattern(g.getIndices(), m_Constant(&attr)))
      return std::nullopt;
    std::optional<std::vector<int64_t>> index = readIntConstant(attr);
    if (!index)
      return std::nullopt;
    SmallVector<ShapeElement> out;
    for (int64_t i : *index) {
      int64_t n = i < 0 ? i + int64_t(from->size()) : i;
      if (n < 0 || n >= int64_t(from->size()))
        return std::nullopt;
      out.push_back((*from)[n]);
    }
    return out;
  }
  if (auto c = dyn_cast<ConcatOp>(def)) {
    SmallVector<ShapeElement> out;
    for (Value in : c.getInputs()) {
      auto part = shapeElements(in);
      if (!part)
        return std::nullopt;
      out.append(*part);
    }
    return out;
  }
  return std::nullopt;
}

static LogicalResult importReshape(NodeContext &nc,
                                   SmallVectorImpl<Value> &out) {
  auto in = nc.inputType(0);
  bool allowZero = nc.intAttr("allowzero", 0);
  SmallVector<int64_t> target, from;
  if (auto ints = nc.constInts(1)) {
    target.assign(ints->begin(), ints->end());
  } else if (auto elements = shapeElements(nc.input(1))) {
    // A target computed from shapes: elements that are dims of the input
    // itself copy them; other dims are known only at run time.
    for (const ShapeElement &e : *elements) {
      target.push_back(e.value);
      from.push_back(!e.source                  ? int64_t(kConstant)
                     : e.source == nc.input(0) ? e.dim
                                               : int64_t(kUnknownDynamic));
    }
  } else {
    return nc.error() << "Reshape target shape must be a constant or "
                         "computed from input shapes";
  }
  auto shape = reshapeTarget(nc, in, target, from, allowZero);
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
  for (size_t i = 0; i < 3; ++i)
    if (!nc.input(i) || nc.inputType(i).getRank() != 0)
      return nc.error() << "Range needs scalar start, limit and delta";
  auto delta = nc.constFloats(2);
  if (!delta || delta->size() != 1 || (*delta)[0] == 0)
    return nc.error() << "Range delta must be a non-zero constant";
  Type et = nc.inputType(0).getElementType();
  if (nc.inputType(1).getElementType() != et ||
      nc.inputType(2).getElementType() != et)
    return nc.error() << "Range start, limit and delta differ in type";
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
