//===- RearrangeImporters.cpp - ONNX ops that move or accumulate elements -===//
//
// Tile, DepthToSpace, SpaceToDepth, EyeLike and CumSum, each as reshapes,
// broadcasts, transposes or one matmul over existing kiln ops. Static
// shapes; a dynamic one is an error naming the node.
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

/// CumSum(x, axis): x with `axis` moved last, times an n x n 0/1 matrix
/// whose column j selects the elements summed into position j (before or
/// after j, with or without j itself).
LogicalResult importCumSum(NodeContext &nc, Out &out) {
  if (failed(needStatic(nc, 0)))
    return failure();
  RankedTensorType t = nc.inputType(0);
  auto axisValues = nc.constInts(1);
  if (!axisValues || axisValues->size() != 1)
    return nc.error() << "CumSum needs a constant scalar axis";
  int64_t rank = t.getRank();
  int64_t axis = normalizeAxis((*axisValues)[0], rank);
  if (axis < 0)
    return nc.error() << "axis out of range for rank " << rank;
  bool exclusive = nc.intAttr("exclusive", 0), reverse = nc.intAttr("reverse", 0);
  int64_t n = t.getDimSize(axis);
  std::vector<double> select(n * n, 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      bool before = reverse ? i > j : i < j;
      select[i * n + j] = before || (!exclusive && i == j) ? 1.0 : 0.0;
    }
  Value m = ConstantOp::create(nc.builder, nc.loc,
                               writeConstant(t.clone({n, n}), select));
  out.push_back(buildMatMulAlong(nc, nc.input(0), axis, m));
  return success(bool(out.back()));
}

} // namespace

void registerRearrangeImporters(ImporterRegistry &r) {
  r["Tile"] = importTile;
  r["DepthToSpace"] = importDepthToSpace;
  r["SpaceToDepth"] = importSpaceToDepth;
  r["EyeLike"] = importEyeLike;
  r["CumSum"] = importCumSum;
}

} // namespace kiln::onnx_frontend
