//===- TfNodeContext.cpp - attribute access and the op registry -----------===//

#include "frontends/tf/TfNodeContext.h"

namespace kiln::tf_frontend {

const tensorflow::AttrValue *findAttr(const tensorflow::NodeDef &node,
                                      llvm::StringRef name) {
  auto it = node.attr().find(std::string(name));
  return it == node.attr().end() ? nullptr : &it->second;
}

const tensorflow::AttrValue *TfNodeContext::attr(llvm::StringRef name) const {
  return findAttr(node, name);
}

int64_t TfNodeContext::intAttr(llvm::StringRef name, int64_t dflt) const {
  const auto *a = attr(name);
  return a && a->value_case() == tensorflow::AttrValue::kI ? a->i() : dflt;
}

float TfNodeContext::floatAttr(llvm::StringRef name, float dflt) const {
  const auto *a = attr(name);
  return a && a->value_case() == tensorflow::AttrValue::kF ? a->f() : dflt;
}

bool TfNodeContext::boolAttr(llvm::StringRef name, bool dflt) const {
  const auto *a = attr(name);
  return a && a->value_case() == tensorflow::AttrValue::kB ? a->b() : dflt;
}

std::string TfNodeContext::stringAttr(llvm::StringRef name,
                                      llvm::StringRef dflt) const {
  const auto *a = attr(name);
  return a && a->value_case() == tensorflow::AttrValue::kS ? a->s()
                                                           : dflt.str();
}

std::optional<std::vector<int64_t>>
TfNodeContext::intsAttr(llvm::StringRef name) const {
  const auto *a = attr(name);
  if (!a || a->value_case() != tensorflow::AttrValue::kList)
    return std::nullopt;
  return std::vector<int64_t>(a->list().i().begin(), a->list().i().end());
}

mlir::FailureOr<std::vector<int64_t>>
TfNodeContext::constOperand(size_t i, const char *what) {
  if (!input(i))
    return error() << node.op() << " needs its " << what << " operand";
  auto v = constInts(i);
  if (!v)
    return error() << node.op() << " " << what
                   << " must be a constant (computed shapes are not "
                      "supported in TensorFlow graphs yet)";
  return *v;
}

LayoutAttr TfNodeContext::layout(bool withFilter) const {
  return LayoutAttr::get(builder.getContext(), channelsFirst() ? "NCHW" : "NHWC",
                         withFilter ? "HWIO" : "", "");
}

mlir::Value TfNodeContext::alongChannels(mlir::Value v, int64_t rank) {
  if (!v || !channelsFirst())
    return v;
  llvm::SmallVector<int64_t> shape(rank - 1, 1);
  shape[0] = mlir::cast<mlir::RankedTensorType>(v.getType()).getNumElements();
  return reshape(v, shape);
}

const TfImporterRegistry &tfImporterRegistry() {
  static const TfImporterRegistry registry = [] {
    TfImporterRegistry r;
    registerTfElementwiseImporters(r);
    registerTfNNImporters(r);
    registerTfShapeImporters(r);
    registerTfSliceImporters(r);
    registerTfFillImporters(r);
    registerTfLogicIndexImporters(r);
    registerTfSpaceImporters(r);
    return r;
  }();
  return registry;
}

} // namespace kiln::tf_frontend
