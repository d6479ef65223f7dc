//===- NodeBuilder.cpp - constants and reshapes for op importers ----------===//

#include "frontends/common/NodeBuilder.h"

#include "ir/ConstantData.h"

using namespace mlir;

namespace kiln {

static Attribute constantAttrOf(Value v) {
  if (!v)
    return {};
  if (auto c = v.getDefiningOp<ConstantOp>())
    return c.getValue();
  return {};
}

std::optional<std::vector<int64_t>> NodeBuilder::constInts(size_t i) const {
  return readIntConstant(constantAttrOf(input(i)));
}

std::optional<std::vector<double>> NodeBuilder::constFloats(size_t i) const {
  auto hv = readConstant(constantAttrOf(input(i)));
  if (!hv)
    return std::nullopt;
  return hv->data;
}

Value NodeBuilder::i64Const(ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get({int64_t(values.size())},
                                    builder.getI64Type());
  std::vector<double> data(values.begin(), values.end());
  return ConstantOp::create(builder, loc, writeConstant(type, data));
}

Value NodeBuilder::scalarConst(Type elementType, double value) {
  auto type = RankedTensorType::get({}, elementType);
  return ConstantOp::create(builder, loc, writeConstant(type, {value}));
}

Value NodeBuilder::reshape(Value v, ArrayRef<int64_t> shape) {
  if (!v)
    return {};
  auto type = cast<RankedTensorType>(v.getType());
  if (type.getShape() == shape)
    return v;
  return create<ReshapeOp>(RankedTensorType::get(shape, type.getElementType()),
                           v);
}

Value NodeBuilder::transpose(Value v, ArrayRef<int64_t> perm) {
  return v ? create<TransposeOp>(v, builder.getDenseI64ArrayAttr(perm))
           : Value();
}

Value NodeBuilder::slice(Value v, ArrayRef<int64_t> offsets,
                         ArrayRef<int64_t> sizes, ArrayRef<int64_t> strides) {
  if (!v)
    return {};
  SmallVector<int64_t> steps(strides);
  if (steps.empty())
    steps.assign(offsets.size(), 1);
  return create<SliceOp>(v, builder.getDenseI64ArrayAttr(offsets),
                         builder.getDenseI64ArrayAttr(sizes),
                         builder.getDenseI64ArrayAttr(steps));
}

Value NodeBuilder::castTo(Value v, Type et) {
  if (!v)
    return {};
  auto type = cast<RankedTensorType>(v.getType());
  return type.getElementType() == et ? v : create<CastOp>(type.clone(et), v);
}

int64_t normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < 0)
    axis += rank;
  return axis < 0 || axis >= rank ? -1 : axis;
}

} // namespace kiln
