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
  case onnx::TensorProto::INT16:
    return b.getIntegerType(16);
  case onnx::TensorProto::UINT16:
    return b.getIntegerType(16, /*isSigned=*/false);
  case onnx::TensorProto::UINT32:
    return b.getIntegerType(32, /*isSigned=*/false);
  case onnx::TensorProto::UINT64:
    return b.getIntegerType(64, /*isSigned=*/false);
  case onnx::TensorProto::BOOL:
    return b.getI1Type();
  // Newer codes than libonnx 1.12's enum knows: the narrow types.
  case 16:
    return b.getBF16Type();
  case 17:
    return b.getType<Float8E4M3FNType>();
  case 18:
    return b.getType<Float8E4M3FNUZType>();
  case 19:
    return b.getType<Float8E5M2Type>();
  case 20:
    return b.getType<Float8E5M2FNUZType>();
  case 21:
    return b.getIntegerType(4, /*isSigned=*/false);
  case 22:
    return b.getIntegerType(4);
  case 23:
    return b.getType<Float4E2M1FNType>();
  case 25:
    return b.getIntegerType(2, /*isSigned=*/false);
  case 26:
    return b.getIntegerType(2);
  default:
    return {};
  }
}

const ImporterRegistry &importerRegistry() {
  static const ImporterRegistry registry = [] {
    ImporterRegistry r;
    registerElementwiseImporters(r);
    registerBitwiseImporters(r);
    registerUniqueImporters(r);
    registerTransformerImporters(r);
    registerSpectralImporters(r);
    registerTfIdfImporters(r);
    registerNNImporters(r);
    registerShapeImporters(r);
    registerReshapeImporters(r);
    registerLogicIndexImporters(r);
    registerActivationImporters(r);
    registerElementIndexImporters(r);
    registerConvPoolImporters(r);
    registerRearrangeImporters(r);
    registerNormalizationImporters(r);
    registerResizeImporters(r);
    registerConvTransposeImporters(r);
    registerSequenceImporters(r);
    registerRecurrentImporters(r);
    registerQuantizationImporters(r);
    registerWindowImporters(r);
    registerAttentionImporters(r);
    registerGridSampleImporters(r);
    return r;
  }();
  return registry;
}

} // namespace kiln::onnx_frontend
