//===- ShapeTracing.cpp - shapes computed from shapes, followed back ------===//
//
// See ShapeTracing.h.
//
//===----------------------------------------------------------------------===//

#include "frontends/common/ShapeTracing.h"

#include "ir/ConstantData.h"

#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseSet.h"

using namespace mlir;

namespace kiln {

/// Where a Reshape target element comes from when it is not a constant.
enum : int64_t { kConstant = -1, kUnknownDynamic = -2 };

/// The result dims of a Reshape to `target`: a 0 copies the input dim
/// (dynamic ones too), as does an element computed from the input's own
/// dim (`from[i]` = that dim; kUnknownDynamic: computed from something
/// else, so only known at run time). The -1 is static when every dynamic
/// input dim is copied (the static rest then fixes it), else dynamic.
static FailureOr<SmallVector<int64_t>>
reshapeTarget(NodeBuilder &nc, RankedTensorType in, ArrayRef<int64_t> target,
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

/// The elements of a 1-D (or scalar) i64 value computed from constants and
/// kiln.shape_of through gather, reshape (Unsqueeze/Squeeze), concat and
/// cast: what exporters build reshape targets from. std::nullopt when `v`
/// is computed any other way.
std::optional<SmallVector<ShapeElement>> shapeElements(Value v) {
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

FailureOr<SmallVector<int64_t>> reshapeResultShape(NodeBuilder &nb,
                                                   Value input, Value target,
                                                   bool allowZero) {
  auto in = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> dims, from;
  auto elements = shapeElements(target);
  if (!elements)
    return nb.error() << "Reshape target shape must be a constant or "
                         "computed from input shapes";
  // Elements that are dims of the input itself copy them; other computed
  // dims are known only at run time.
  for (const ShapeElement &e : *elements) {
    dims.push_back(e.value);
    from.push_back(!e.source           ? int64_t(kConstant)
                   : e.source == input ? e.dim
                                       : int64_t(kUnknownDynamic));
  }
  return reshapeTarget(nb, in, dims, from, allowZero);
}

} // namespace kiln
