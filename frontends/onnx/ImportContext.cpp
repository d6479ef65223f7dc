//===- ImportContext.cpp - helpers for ONNX op importers ------------------===//
//
// Attribute access, constants and the importer registry; see
// ImportContext.h.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/ImportContext.h"

#include "ir/ConstantData.h"

using namespace mlir;

namespace kiln::onnx_frontend {

const onnx::AttributeProto *NodeContext::attr(StringRef name) const {
  for (const auto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

int64_t NodeContext::intAttr(StringRef name, int64_t dflt) const {
  const auto *a = attr(name);
  return a ? a->i() : dflt;
}

float NodeContext::floatAttr(StringRef name, float dflt) const {
  const auto *a = attr(name);
  return a ? a->f() : dflt;
}

std::string NodeContext::stringAttr(StringRef name, StringRef dflt) const {
  const auto *a = attr(name);
  return a ? a->s() : dflt.str();
}

std::optional<std::vector<int64_t>> NodeContext::intsAttr(StringRef name) const {
  const auto *a = attr(name);
  if (!a)
    return std::nullopt;
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

static Attribute constantAttrOf(Value v) {
  if (!v)
    return {};
  if (auto c = v.getDefiningOp<ConstantOp>())
    return c.getValue();
  return {};
}

std::optional<std::vector<int64_t>> NodeContext::constInts(size_t i) const {
  return readIntConstant(constantAttrOf(input(i)));
}

std::optional<std::vector<double>> NodeContext::constFloats(size_t i) const {
  auto hv = readConstant(constantAttrOf(input(i)));
  if (!hv)
    return std::nullopt;
  return hv->data;
}

Value NodeContext::i64Const(ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get({int64_t(values.size())},
                                    builder.getI64Type());
  std::vector<double> data(values.begin(), values.end());
  return ConstantOp::create(builder, loc, writeConstant(type, data));
}

Value NodeContext::scalarConst(Type elementType, double value) {
  auto type = RankedTensorType::get({}, elementType);
  return ConstantOp::create(builder, loc, writeConstant(type, {value}));
}

Value NodeContext::reshape(Value v, ArrayRef<int64_t> shape) {
  if (!v)
    return {};
  auto type = cast<RankedTensorType>(v.getType());
  if (type.getShape() == shape)
    return v;
  return create<ReshapeOp>(RankedTensorType::get(shape, type.getElementType()),
                           v);
}

Type elementTypeFor(MLIRContext *ctx, int onnxType) {
  Builder b(ctx);
  switch (onnxType) {
  case onnx::TensorProto::FLOAT:
    return b.getF32Type();
  case onnx::TensorProto::DOUBLE:
    return b.getF64Type();
  case onnx::TensorProto::FLOAT16:
    return b.getF16Type();
  case onnx::TensorProto::INT64:
    return b.getI64Type();
  case onnx::TensorProto::INT32:
    return b.getI32Type();
  case onnx::TensorProto::INT8:
    return b.getI8Type();
  case onnx::TensorProto::UINT8:
    return b.getIntegerType(8, /*isSigned=*/false);
  case onnx::TensorProto::BOOL:
    return b.getI1Type();
  default:
    return {};
  }
}

int64_t normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < 0)
    axis += rank;
  return axis < 0 || axis >= rank ? -1 : axis;
}

const ImporterRegistry &importerRegistry() {
  static const ImporterRegistry registry = [] {
    ImporterRegistry r;
    registerElementwiseImporters(r);
    registerNNImporters(r);
    registerShapeImporters(r);
    registerReshapeImporters(r);
    return r;
  }();
  return registry;
}

} // namespace kiln::onnx_frontend
