//===- RearrangeImporters.cpp - ONNX ops that move or accumulate elements -===//
//
// Tile, DepthToSpace, SpaceToDepth, EyeLike, CumSum, CumProd and
// CenterCropPad, each as reshapes, broadcasts, transposes, slices and pads,
// one matmul or one masked product over existing kiln ops. Static shapes; a
// dynamic one is an error naming the node.
//
//===----------------------------------------------------------------------===//

#include "frontends/common/Composites.h"
#include "frontends/onnx/ImportContext.h"

#include "ir/ConstantData.h"

using namespace mlir;

namespace kiln::onnx_frontend {
namespace {

using Out = SmallVectorImpl<Value>;

LogicalResult needStatic(NodeContext &nc, size_t i) {
  if (nc.inputType(i).hasStaticShape())
    return success();
  return nc.error() << "needs a static input shape, got " << nc.inputType(i)
                    << " (give it with --input-shape)";
}

/// Tile(x, repeats): x viewed as [1, d0, 1, d1, ...], broadcast to
/// [r0, d0, r1, d1, ...] and merged to [r0 d0, r1 d1, ...].
LogicalResult importTile(NodeContext &nc, Out &out) {
  if (failed(needStatic(nc, 0)))
    return failure();
  RankedTensorType t = nc.inputType(0);
  auto repeats = nc.constInts(1);
  if (!repeats || int64_t(repeats->size()) != t.getRank())
    return nc.error() << "Tile needs constant repeats, one per dim of " << t;
  SmallVector<int64_t> spread, tiled, merged;
  for (int64_t d = 0; d < t.getRank(); ++d) {
    int64_t r = (*repeats)[d], n = t.getDimSize(d);
    if (r < 0)
      return nc.error() << "Tile repeats must not be negative";
    spread.append({1, n});
    tiled.append({r, n});
    merged.push_back(r * n);
  }
  Value x = nc.reshape(nc.input(0), spread);
  x = nc.create<BroadcastToOp>(t.clone(tiled), x, nc.i64Const(tiled));
  out.push_back(nc.reshape(x, merged));
  return success(bool(out.back()));
}

/// DepthToSpace: blocks of channels become b x b pixel blocks, in DCR
/// (depth-column-row) or CRD order.
LogicalResult importDepthToSpace(NodeContext &nc, Out &out) {
  if (failed(needStatic(nc, 0)))
    return failure();
  RankedTensorType t = nc.inputType(0);
  int64_t b = nc.intAttr("blocksize", 0);
  if (t.getRank() != 4 || b < 1 || t.getDimSize(1) % (b * b))
    return nc.error() << "DepthToSpace needs a 4-D input whose channels are "
                         "a multiple of blocksize^2";
  int64_t n = t.getDimSize(0), c = t.getDimSize(1) / (b * b),
          h = t.getDimSize(2), w = t.getDimSize(3);
  std::string mode = nc.stringAttr("mode", "DCR");
  Value x;
  if (mode == "DCR")
    x = nc.transpose(nc.reshape(nc.input(0), {n, b, b, c, h, w}),
                  {0, 3, 4, 1, 5, 2});
  else if (mode == "CRD")
    x = nc.transpose(nc.reshape(nc.input(0), {n, c, b, b, h, w}),
                  {0, 1, 4, 2, 5, 3});
  else
    return nc.error() << "unknown DepthToSpace mode '" << mode << "'";
  out.push_back(nc.reshape(x, {n, c, h * b, w * b}));
  return success(bool(out.back()));
}

/// SpaceToDepth: the inverse of DepthToSpace, DCR (the only order before
/// opset 28) or CRD.
LogicalResult importSpaceToDepth(NodeContext &nc, Out &out) {
  if (failed(needStatic(nc, 0)))
    return failure();
  RankedTensorType t = nc.inputType(0);
  int64_t b = nc.intAttr("blocksize", 0);
  if (t.getRank() != 4 || b < 1 || t.getDimSize(2) % b || t.getDimSize(3) % b)
    return nc.error() << "SpaceToDepth needs a 4-D input whose height and "
                         "width are multiples of blocksize";
  int64_t n = t.getDimSize(0), c = t.getDimSize(1), h = t.getDimSize(2) / b,
          w = t.getDimSize(3) / b;
  std::string mode = nc.stringAttr("mode", "DCR");
  if (mode != "DCR" && mode != "CRD")
    return nc.error() << "unknown SpaceToDepth mode '" << mode << "'";
  Value x = nc.transpose(nc.reshape(nc.input(0), {n, c, h, b, w, b}),
                      mode == "DCR" ? ArrayRef<int64_t>{0, 3, 5, 1, 2, 4}
                                    : ArrayRef<int64_t>{0, 1, 3, 5, 2, 4});
  out.push_back(nc.reshape(x, {n, c * b * b, h, w}));
  return success(bool(out.back()));
}

/// EyeLike: ones on diagonal k of a 2-D tensor shaped like the input.
LogicalResult importEyeLike(NodeContext &nc, Out &out) {
  if (failed(needStatic(nc, 0)))
    return failure();
  RankedTensorType t = nc.inputType(0);
  if (t.getRank() != 2)
    return nc.error() << "EyeLike needs a 2-D input";
  Type et = t.getElementType();
  if (auto dtype = nc.attr("dtype")) {
    et = elementTypeFor(nc.builder.getContext(), dtype->i());
    if (!et)
      return nc.error() << "unsupported EyeLike dtype " << dtype->i();
  }
  int64_t rows = t.getDimSize(0), cols = t.getDimSize(1), k = nc.intAttr("k", 0);
  std::vector<double> data(rows * cols, 0.0);
  for (int64_t i = 0; i < rows; ++i)
    if (i + k >= 0 && i + k < cols)
      data[i * cols + i + k] = 1.0;
  auto type = RankedTensorType::get({rows, cols}, et);
  out.push_back(ConstantOp::create(nc.builder, nc.loc, writeConstant(type, data)));
  return success();
}

/// The constant axis of CumSum/CumProd and their n x n 0/1 selection:
/// keep[j * n + i] is 1 where element i along the axis enters output j
/// (before or after j, with or without j itself).
struct Cumulative {
  int64_t axis = 0, n = 0;
  std::vector<double> keep;
};

FailureOr<Cumulative> cumulative(NodeContext &nc) {
  if (failed(needStatic(nc, 0)))
    return failure();
  RankedTensorType t = nc.inputType(0);
  auto axisValues = nc.constInts(1);
  if (!axisValues || axisValues->size() != 1)
    return nc.error() << nc.node.op_type() << " needs a constant scalar axis";
  Cumulative c;
  c.axis = normalizeAxis((*axisValues)[0], t.getRank());
  if (c.axis < 0)
    return nc.error() << "axis out of range for rank " << t.getRank();
  bool exclusive = nc.intAttr("exclusive", 0), reverse = nc.intAttr("reverse", 0);
  c.n = t.getDimSize(c.axis);
  c.keep.assign(c.n * c.n, 0.0);
  for (int64_t j = 0; j < c.n; ++j)
    for (int64_t i = 0; i < c.n; ++i) {
      bool before = reverse ? i > j : i < j;
      c.keep[j * c.n + i] = before || (!exclusive && i == j) ? 1.0 : 0.0;
    }
  return c;
}

/// CumSum(x, axis): x along `axis` times the selection's transpose (an
/// n x n matrix whose column j sums into position j).
LogicalResult importCumSum(NodeContext &nc, Out &out) {
  auto c = cumulative(nc);
  if (failed(c))
    return failure();
  RankedTensorType t = nc.inputType(0);
  int64_t n = c->n;
  std::vector<double> select(n * n); // [i][j]
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      select[i * n + j] = c->keep[j * n + i];
  Value m = ConstantOp::create(nc.builder, nc.loc,
                               writeConstant(t.clone({n, n}), select));
  out.push_back(buildMatMulAlong(nc, nc.input(0), c->axis, m));
  return success(bool(out.back()));
}

/// CumProd(x, axis): a new dim j inserted before `axis`, every element i of
/// `axis` kept where the selection takes it into output j and 1 elsewhere,
/// then the product over `axis`.
LogicalResult importCumProd(NodeContext &nc, Out &out) {
  auto c = cumulative(nc);
  if (failed(c))
    return failure();
  RankedTensorType t = nc.inputType(0);
  int64_t axis = c->axis;
  SmallVector<int64_t> spread(t.getShape()), maskShape(t.getRank() + 1, 1);
  spread.insert(spread.begin() + axis, 1);
  maskShape[axis] = maskShape[axis + 1] = c->n;
  auto boolType = RankedTensorType::get(maskShape, nc.builder.getI1Type());
  Value mask = ConstantOp::create(nc.builder, nc.loc,
                                  writeConstant(boolType, c->keep));
  Value x = nc.reshape(nc.input(0), spread);
  Value kept = nc.create<SelectOp>(mask, x, nc.scalarConst(t.getElementType(), 1.0));
  out.push_back(kept ? nc.create<ReduceProdOp>(
                           kept, nc.builder.getDenseI64ArrayAttr({axis + 1}),
                           nc.builder.getBoolAttr(false))
                     : kept);
  return success(bool(out.back()));
}

/// CenterCropPad(x, shape[, axes]): each listed axis cropped or padded with
/// zeros to its size in `shape`, keeping the centre (the odd element of the
/// difference goes to the end).
LogicalResult importCenterCropPad(NodeContext &nc, Out &out) {
  if (failed(needStatic(nc, 0)))
    return failure();
  RankedTensorType t = nc.inputType(0);
  int64_t rank = t.getRank();
  auto sizes = nc.constInts(1);
  std::vector<int64_t> axes;
  if (auto a = nc.intsAttr("axes"))
    axes = *a;
  else
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  if (!sizes || sizes->size() != axes.size())
    return nc.error() << "CenterCropPad needs a constant shape, one size per "
                         "axis";
  SmallVector<int64_t> offsets(rank, 0), kept(t.getShape()), pads(2 * rank, 0);
  for (auto [axis, size] : llvm::zip(axes, *sizes)) {
    int64_t a = normalizeAxis(axis, rank), dim = a >= 0 ? t.getDimSize(a) : 0;
    if (a < 0 || size < 0)
      return nc.error() << "CenterCropPad axis " << axis << " or size "
                        << size << " out of range for " << t;
    if (size < dim) {
      offsets[a] = (dim - size) / 2;
      kept[a] = size;
    } else {
      pads[a] = (size - dim) / 2;
      pads[rank + a] = size - dim - pads[a];
    }
  }
  Value x = nc.slice(nc.input(0), offsets, kept);
  if (llvm::any_of(pads, [](int64_t p) { return p != 0; }))
    x = nc.create<PadOp>(x, nc.builder.getDenseI64ArrayAttr(pads),
                         nc.builder.getF64FloatAttr(0.0));
  out.push_back(x);
  return success(bool(x));
}

} // namespace

void registerRearrangeImporters(ImporterRegistry &r) {
  r["Tile"] = importTile;
  r["DepthToSpace"] = importDepthToSpace;
  r["SpaceToDepth"] = importSpaceToDepth;
  r["EyeLike"] = importEyeLike;
  r["CumSum"] = importCumSum;
  r["CumProd"] = importCumProd;
  r["CenterCropPad"] = importCenterCropPad;
}

} // namespace kiln::onnx_frontend
