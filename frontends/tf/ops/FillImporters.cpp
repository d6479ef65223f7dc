//===- FillImporters.cpp - TensorFlow ops that make tensors of a shape ----===//
//
// Fill, ZerosLike/OnesLike, BroadcastTo, Tile, Range, Size and Rank. Shapes
// and multiples must be constants, except Fill's dims and Range's limit,
// which may be computed.
//
//===----------------------------------------------------------------------===//

#include "frontends/tf/TfNodeContext.h"

#include "frontends/common/ShapeTracing.h"
#include "ir/ConstantData.h"

using namespace mlir;

namespace kiln::tf_frontend {

/// A constant of `type` whose every element is `value`.
static Value splat(TfNodeContext &nc, RankedTensorType type, double value) {
  std::vector<double> data(type.getNumElements(), value);
  return ConstantOp::create(nc.builder, nc.loc, writeConstant(type, data));
}

/// Input `i` (a scalar) broadcast to the constant `dims`: a constant when
/// the scalar is one.
static Value broadcastScalar(TfNodeContext &nc, size_t i,
                             ArrayRef<int64_t> dims) {
  auto t = nc.inputType(i);
  auto type = RankedTensorType::get(dims, t.getElementType());
  if (auto v = nc.constFloats(i);
      v && v->size() == 1 && type.getNumElements() <= kMaxFoldElements)
    return splat(nc, type, (*v)[0]);
  return nc.create<BroadcastToOp>(type, nc.reshape(nc.input(i), {}),
                                  nc.i64Const(dims));
}

/// Fill with computed dims (padding to a count known at run time): the
/// dims the shape arithmetic fixes are static, the rest dynamic.
static LogicalResult importRunTimeFill(TfNodeContext &nc,
                                       SmallVectorImpl<Value> &out) {
  auto dt = nc.inputType(0);
  if (dt.getRank() != 1 || dt.isDynamicDim(0))
    return nc.error() << "Fill needs 1-D dims of a known length, got " << dt;
  SmallVector<int64_t> shape(dt.getDimSize(0), ShapedType::kDynamic);
  if (auto known = shapeElements(nc.input(0)))
    for (auto [d, e] : llvm::enumerate(*known))
      if (!e.source && e.value >= 0)
        shape[d] = e.value;
      else if (e.source)
        shape[d] = cast<RankedTensorType>(e.source.getType()).getDimSize(e.dim);
  auto i64 = nc.builder.getI64Type();
  Value dims = nc.input(0);
  if (dt.getElementType() != i64)
    dims = nc.create<CastOp>(dt.clone(i64), dims);
  auto type = RankedTensorType::get(shape, nc.inputType(1).getElementType());
  out.push_back(nc.create<BroadcastToOp>(type, nc.input(1), dims));
  return success(bool(out.back()));
}

static LogicalResult importFill(TfNodeContext &nc,
                                SmallVectorImpl<Value> &out) {
  if (nc.inputType(1).getRank() != 0)
    return nc.error() << "Fill needs a scalar value";
  auto dims = nc.constInts(0);
  if (!dims)
    return importRunTimeFill(nc, out);
  if (llvm::any_of(*dims, [](int64_t d) { return d < 0; }))
    return nc.error() << "Fill needs non-negative dims";
  out.push_back(broadcastScalar(nc, 1, *dims));
  return success(bool(out.back()));
}

static LogicalResult importZerosLike(TfNodeContext &nc,
                                     SmallVectorImpl<Value> &out) {
  auto t = nc.inputType(0);
  if (!t.hasStaticShape())
    return nc.error() << nc.node.op() << " of a dynamic shape is not "
                      << "supported yet";
  out.push_back(splat(nc, t, nc.node.op() == "OnesLike" ? 1.0 : 0.0));
  return success();
}

static LogicalResult importBroadcastTo(TfNodeContext &nc,
                                       SmallVectorImpl<Value> &out) {
  auto dims = nc.constInts(1);
  auto t = nc.inputType(0);
  if (!dims || int64_t(dims->size()) < t.getRank())
    return nc.error() << "BroadcastTo needs a constant shape of at least the "
                      << "input's rank";
  out.push_back(nc.create<BroadcastToOp>(
      RankedTensorType::get(*dims, t.getElementType()), nc.input(0),
      nc.i64Const(*dims)));
  return success(bool(out.back()));
}

/// Tile: `multiples[d]` copies along each dim, joined by concat.
static LogicalResult importTile(TfNodeContext &nc,
                                SmallVectorImpl<Value> &out) {
  auto multiples = nc.constInts(1);
  auto t = nc.inputType(0);
  if (!multiples || int64_t(multiples->size()) != t.getRank())
    return nc.error() << "Tile needs constant multiples, one per dim";
  Value x = nc.input(0);
  for (int64_t d = 0; d < t.getRank() && x; ++d) {
    int64_t m = (*multiples)[d];
    if (m < 1 || m > 4096)
      return nc.error() << "Tile multiple " << m << " is not supported";
    if (m > 1)
      x = nc.create<ConcatOp>(SmallVector<Value>(m, x),
                              nc.builder.getI64IntegerAttr(d));
  }
  out.push_back(x);
  return success(bool(x));
}

/// Range(start, limit, delta): start and limit may be computed; delta
/// must be a non-zero constant.
static LogicalResult importRange(TfNodeContext &nc,
                                 SmallVectorImpl<Value> &out) {
  auto delta = nc.constFloats(2);
  if (!delta || delta->size() != 1 || (*delta)[0] == 0)
    return nc.error() << "Range delta must be a non-zero constant";
  SmallVector<Value> scalars;
  for (size_t i = 0; i < 3; ++i) {
    auto t = nc.inputType(i);
    if (t.getNumElements() != 1 && t.hasStaticShape())
      return nc.error() << "Range needs scalar start, limit and delta";
    scalars.push_back(nc.reshape(nc.input(i), {}));
  }
  out.push_back(nc.create<RangeOp>(scalars[0], scalars[1], scalars[2]));
  return success(bool(out.back()));
}

/// Size and Rank of a static shape, as constants of `out_type`.
static LogicalResult importSizeRank(TfNodeContext &nc,
                                    SmallVectorImpl<Value> &out) {
  auto t = nc.inputType(0);
  bool rank = nc.node.op() == "Rank";
  if (!rank && !t.hasStaticShape())
    return nc.error() << "Size of a dynamic shape is not supported yet";
  const auto *type = nc.attr("out_type");
  Type et = type && type->type() == tensorflow::DT_INT64
                ? nc.builder.getI64Type()
                : nc.builder.getI32Type();
  double v = rank ? double(t.getRank()) : double(t.getNumElements());
  out.push_back(splat(nc, RankedTensorType::get({}, et), v));
  return success();
}

void registerTfFillImporters(TfImporterRegistry &r) {
  r["Fill"] = importFill;
  r["ZerosLike"] = importZerosLike;
  r["OnesLike"] = importZerosLike;
  r["BroadcastTo"] = importBroadcastTo;
  r["Tile"] = importTile;
  r["Range"] = importRange;
  r["Size"] = importSizeRank;
  r["Rank"] = importSizeRank;
}

} // namespace kiln::tf_frontend
