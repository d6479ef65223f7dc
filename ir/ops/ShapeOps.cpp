//===- ShapeOps.cpp - reshape, transpose, concat, slice, gather, pad ------===//
//
// Type inference, verifiers and constant folders of the shape-manipulation
// ops. The folders matter beyond speed: traced exports compute reshape
// targets with Shape/Gather/Concat chains, which fold to constants here.
//
//===----------------------------------------------------------------------===//

#include "ir/KilnDialect.h"
#include "ir/ops/OpUtils.h"

using namespace mlir;

namespace kiln {

//===----------------------------------------------------------------------===//
// reshape
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  auto in = getInput().getType(), out = getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError() << "changes the element type";
  if (in.hasStaticShape() && out.hasStaticShape() &&
      in.getNumElements() != out.getNumElements())
    return emitOpError() << "cannot reshape " << in << " (" << in.getNumElements()
                         << " elements) to " << out;
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto producer = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(producer.getInput());
    return getResult();
  }
  auto elements = dyn_cast_or_null<ElementsAttr>(adaptor.getInput());
  if (!elements || !getType().hasStaticShape())
    return {};
  auto raw = readRawConstant(elements);
  if (!raw)
    return {};
  return writeRawConstant(getType(), *raw);
}

//===----------------------------------------------------------------------===//
// transpose
//===----------------------------------------------------------------------===//

static bool isPermutation(ArrayRef<int64_t> perm) {
  SmallVector<bool> seen(perm.size(), false);
  for (int64_t p : perm) {
    if (p < 0 || p >= int64_t(perm.size()) || seen[p])
      return false;
    seen[p] = true;
  }
  return true;
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  auto in = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> perm = adaptor.getPerm();
  if (int64_t(perm.size()) != in.getRank() || !isPermutation(perm))
    return emitOptionalError(loc, "perm is not a permutation of ", in.getRank(),
                             " dims");
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(in.getDimSize(p));
  inferred.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

LogicalResult TransposeOp::verify() {
  if (!isPermutation(getPerm()) ||
      int64_t(getPerm().size()) != getInput().getType().getRank())
    return emitOpError() << "perm is not a permutation of the input dims";
  return success();
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  if (llvm::equal(getPerm(), llvm::seq<int64_t>(0, getPerm().size())))
    return getInput();
  auto input = dyn_cast_or_null<ElementsAttr>(adaptor.getInput());
  if (!input || !getType().hasStaticShape() ||
      getType().getNumElements() *
              int64_t(elementByteWidth(getType().getElementType())) >
          kMaxRelayoutBytes)
    return {};
  return transposeConstant(input, getType(), getPerm());
}

//===----------------------------------------------------------------------===//
// concat
//===----------------------------------------------------------------------===//

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  if (adaptor.getInputs().empty())
    return emitOptionalError(loc, "concat needs at least one input");
  auto first = cast<RankedTensorType>(adaptor.getInputs()[0].getType());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= first.getRank())
    return emitOptionalError(loc, "axis ", axis, " out of range");
  SmallVector<int64_t> shape(first.getShape());
  shape[axis] = 0;
  for (Value v : adaptor.getInputs()) {
    auto t = cast<RankedTensorType>(v.getType());
    if (t.getRank() != first.getRank())
      return emitOptionalError(loc, "concat inputs differ in rank");
    for (int64_t d = 0; d < t.getRank(); ++d) {
      if (d == axis)
        continue;
      if (t.getDimSize(d) != first.getDimSize(d))
        return emitOptionalError(loc, "concat inputs differ in dim ", d);
    }
    if (ShapedType::isDynamic(t.getDimSize(axis)) ||
        ShapedType::isDynamic(shape[axis]))
      shape[axis] = ShapedType::kDynamic;
    else
      shape[axis] += t.getDimSize(axis);
  }
  inferred.push_back(RankedTensorType::get(shape, first.getElementType()));
  return success();
}

LogicalResult ConcatOp::verify() { return success(); }

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  if (getInputs().size() == 1)
    return getInputs()[0];
  if (!getType().hasStaticShape())
    return {};
  // Copy raw element bytes part by part: exact for every element type.
  std::vector<std::vector<char>> parts;
  for (Attribute a : adaptor.getInputs()) {
    auto elements = dyn_cast_or_null<ElementsAttr>(a);
    auto raw = elements ? readRawConstant(elements) : std::nullopt;
    if (!raw)
      return {};
    parts.push_back(std::move(*raw));
  }
  ArrayRef<int64_t> shape = getType().getShape();
  int64_t axis = getAxis(), outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  for (int64_t d = axis + 1; d < int64_t(shape.size()); ++d)
    inner *= shape[d];
  int64_t width = elementByteWidth(getType().getElementType());
  std::vector<char> out;
  for (int64_t o = 0; o < outer; ++o)
    for (auto [i, part] : llvm::enumerate(parts)) {
      auto partType = cast<RankedTensorType>(getInputs()[i].getType());
      int64_t chunk = partType.getDimSize(axis) * inner * width;
      out.insert(out.end(), part.begin() + o * chunk,
                 part.begin() + (o + 1) * chunk);
    }
  return writeRawConstant(getType(), out);
}

//===----------------------------------------------------------------------===//
// slice
//===----------------------------------------------------------------------===//

LogicalResult SliceOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  auto in = cast<RankedTensorType>(adaptor.getInput().getType());
  if (int64_t(adaptor.getOffsets().size()) != in.getRank() ||
      int64_t(adaptor.getSizes().size()) != in.getRank() ||
      int64_t(adaptor.getStrides().size()) != in.getRank())
    return emitOptionalError(loc, "slice needs offsets, sizes and strides for ",
                             "each of the ", in.getRank(), " dims");
  inferred.push_back(
      RankedTensorType::get(adaptor.getSizes(), in.getElementType()));
  return success();
}

LogicalResult SliceOp::verify() {
  auto in = getInput().getType();
  // Lengths first: this runs before the type-inference check.
  if (int64_t(getOffsets().size()) != in.getRank() ||
      int64_t(getSizes().size()) != in.getRank() ||
      int64_t(getStrides().size()) != in.getRank())
    return emitOpError() << "slice needs offsets, sizes and strides for each of the "
                         << in.getRank() << " dims";
  for (int64_t d = 0; d < in.getRank(); ++d) {
    int64_t off = getOffsets()[d], size = getSizes()[d], st = getStrides()[d];
    if (st < 1 || off < 0 || size < 0)
      return emitOpError() << "dim " << d << ": offsets and sizes must be >= 0 "
                           << "and strides >= 1";
    int64_t extent = in.getDimSize(d);
    if (!ShapedType::isDynamic(extent) && size > 0 &&
        off + (size - 1) * st >= extent)
      return emitOpError() << "dim " << d << ": window exceeds extent " << extent;
  }
  return success();
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  auto input = dyn_cast_or_null<ElementsAttr>(adaptor.getInput());
  if (!input || !getType().hasStaticShape() ||
      getType().getNumElements() > kMaxFoldElements)
    return {};
  SmallVector<int64_t> inStrides = stridesOf(getInput().getType().getShape());
  std::vector<int64_t> source;
  forEachIndex(getType().getShape(), [&](ArrayRef<int64_t> idx) {
    int64_t src = 0;
    for (size_t d = 0; d < idx.size(); ++d)
      src += (getOffsets()[d] + idx[d] * getStrides()[d]) * inStrides[d];
    source.push_back(src);
  });
  return gatherConstant(input, getType(), source);
}

//===----------------------------------------------------------------------===//
// gather
//===----------------------------------------------------------------------===//

LogicalResult GatherOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto in = cast<RankedTensorType>(adaptor.getInput().getType());
  auto idx = cast<RankedTensorType>(adaptor.getIndices().getType());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= in.getRank())
    return emitOptionalError(loc, "axis ", axis, " out of range");
  SmallVector<int64_t> shape(in.getShape().take_front(axis));
  llvm::append_range(shape, idx.getShape());
  llvm::append_range(shape, in.getShape().drop_front(axis + 1));
  inferred.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

LogicalResult GatherOp::verify() {
  int64_t axis = getAxis();
  auto in = getInput().getType();
  if (axis < 0 || axis >= in.getRank())
    return success(); // reported by inferReturnTypes
  return verifyConstantIndices(*this, getIndices(), in.getDimSize(axis));
}

//===----------------------------------------------------------------------===//
// broadcast_to
//===----------------------------------------------------------------------===//

LogicalResult BroadcastToOp::verify() {
  auto in = getInput().getType(), out = getType();
  auto shape = getShape().getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError() << "changes the element type";
  if (shape.getRank() != 1 || shape.isDynamicDim(0) ||
      shape.getDimSize(0) != out.getRank())
    return emitOpError() << "shape must be 1-D with one element per result "
                         << "dim, got " << shape << " for " << out;
  if (in.getRank() > out.getRank())
    return emitOpError() << "cannot broadcast " << in << " to lower rank "
                         << out;
  int64_t lead = out.getRank() - in.getRank();
  for (int64_t d = 0; d < in.getRank(); ++d) {
    int64_t i = in.getDimSize(d), o = out.getDimSize(lead + d);
    if (!ShapedType::isDynamic(i) && !ShapedType::isDynamic(o) && i != 1 &&
        i != o)
      return emitOpError() << "input dim " << d << " (" << i
                           << ") does not broadcast to " << o;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// shape_of
//===----------------------------------------------------------------------===//

LogicalResult ShapeOfOp::verify() {
  auto t = getType();
  if (t.getRank() != 1 || (!t.isDynamicDim(0) &&
                           t.getDimSize(0) != getInput().getType().getRank()))
    return emitOpError() << "result must be 1-D with one element per dim of "
                         << getInput().getType() << ", got " << t;
  return success();
}

OpFoldResult ShapeOfOp::fold(FoldAdaptor) {
  auto in = getInput().getType();
  if (!in.hasStaticShape())
    return {};
  std::vector<double> dims(in.getShape().begin(), in.getShape().end());
  return writeConstant(getType(), dims);
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  auto data = dyn_cast_or_null<ElementsAttr>(adaptor.getInput());
  auto idx = readIntConstant(adaptor.getIndices());
  if (!data || !idx || !getType().hasStaticShape() ||
      !getInput().getType().hasStaticShape())
    return {};
  ArrayRef<int64_t> shape = getInput().getType().getShape();
  int64_t axis = getAxis(), outer = 1, inner = 1, extent = shape[axis];
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  for (int64_t d = axis + 1; d < int64_t(shape.size()); ++d)
    inner *= shape[d];
  std::vector<int64_t> source;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t iv : *idx) {
      int64_t i = iv < 0 ? iv + extent : iv;
      if (i < 0 || i >= extent)
        return {}; // out of range: the verifier of the importer reports it
      for (int64_t j = 0; j < inner; ++j)
        source.push_back((o * extent + i) * inner + j);
    }
  return gatherConstant(data, getType(), source);
}

//===----------------------------------------------------------------------===//
// pad
//===----------------------------------------------------------------------===//

LogicalResult PadOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &inferred) {
  auto in = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> pads = adaptor.getPads();
  if (int64_t(pads.size()) != 2 * in.getRank())
    return emitOptionalError(loc, "pad needs 2 x rank pads");
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < in.getRank(); ++d)
    shape.push_back(ShapedType::isDynamic(in.getDimSize(d))
                        ? ShapedType::kDynamic
                        : in.getDimSize(d) + pads[d] + pads[d + in.getRank()]);
  inferred.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

LogicalResult PadOp::verify() {
  for (int64_t p : getPads())
    if (p < 0)
      return emitOpError() << "negative pads are not supported";
  return success();
}

} // namespace kiln
