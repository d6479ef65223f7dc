//===- OnnxFrontend.cpp - ONNX behind the frontend interface --------------===//
//
// Adapts the ONNX loader and importer to kiln::Frontend: frozen inputs
// become TensorProtos, and `kiln inspect` reads the normalised ModelProto
// without building MLIR, so it also works on models Kiln cannot import.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/OnnxFrontend.h"
#include "frontends/onnx/Importer.h"
#include "frontends/onnx/ModelLoader.h"

#include "mlir/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace kiln {
namespace {

/// TensorProto element type codes as names.
std::string onnxTypeName(int t) {
  switch (t) {
  case 1: return "float32";
  case 2: return "uint8";
  case 3: return "int8";
  case 6: return "int32";
  case 7: return "int64";
  case 9: return "bool";
  case 10: return "float16";
  case 11: return "float64";
  default: return "type" + std::to_string(t);
  }
}

std::string dimsOf(const onnx::ValueInfoProto &v) {
  if (!v.type().tensor_type().has_shape())
    return "[?]";
  std::string s = "[";
  for (const auto &d : v.type().tensor_type().shape().dim()) {
    if (s.size() > 1)
      s += ", ";
    s += d.has_dim_value() ? std::to_string(d.dim_value())
                           : (d.dim_param().empty() ? "?" : d.dim_param());
  }
  return s + "]";
}

/// A TensorProto holding a host tensor (HostTensor dtypes are ONNX's codes).
onnx::TensorProto toTensorProto(const HostTensor &t) {
  onnx::TensorProto proto;
  proto.set_name(t.name);
  proto.set_data_type(int(t.dtype));
  for (int64_t d : t.shape)
    proto.add_dims(d);
  proto.set_raw_data(std::string(t.bytes.begin(), t.bytes.end()));
  return proto;
}

class OnnxFrontend final : public Frontend {
public:
  llvm::StringRef name() const override { return "onnx"; }

  bool claims(llvm::StringRef path) const override {
    return path.ends_with(".onnx");
  }

  OwningOpRef<ModuleOp> import(MLIRContext &ctx,
                               const ImportRequest &request) const override {
    if (!request.outputs.empty()) {
      llvm::errs() << "kiln: error: --outputs is for TensorFlow graphs; an "
                      "ONNX model returns its graph outputs\n";
      return nullptr;
    }
    onnx::ModelProto model;
    std::string error;
    if (!onnx_frontend::loadOnnxModel(request.path, model, error,
                                      request.shapes)) {
      llvm::errs() << "kiln: error: " << error << "\n";
      return nullptr;
    }
    onnx_frontend::ImportOptions options;
    for (const auto &[name, tensor] : request.frozen)
      options.frozenInputs[name] = toTensorProto(tensor);
    OwningOpRef<ModuleOp> module =
        onnx_frontend::importOnnxModel(&ctx, model, request.path, options);
    if (module && failed(verify(*module)))
      return nullptr;
    return module;
  }

  InputNeeds inputNeeds(const ImportRequest &request) const override {
    onnx::ModelProto model;
    std::string error;
    InputNeeds needs;
    if (!onnx_frontend::loadOnnxModel(request.path, model, error))
      return needs;
    needs.toFreeze = onnx_frontend::inputsNeededAsConstants(model);
    for (const auto &in : model.graph().input()) {
      const auto &tt = in.type().tensor_type();
      bool dynamic = !tt.has_shape();
      for (const auto &d : tt.shape().dim())
        dynamic |= !d.has_dim_value();
      if (dynamic)
        needs.dynamic.insert(in.name());
    }
    return needs;
  }

  bool summarize(const ImportRequest &request, ModelSummary &summary,
                 std::string &error) const override {
    onnx::ModelProto model;
    if (!onnx_frontend::loadOnnxModel(request.path, model, error))
      return false;
    const auto &g = model.graph();
    std::set<std::string> inits;
    for (const auto &t : g.initializer()) {
      inits.insert(t.name());
      int64_t n = 1;
      for (int64_t d : t.dims())
        n *= d;
      summary.parameters += n;
    }
    summary.description = "onnx, opset " +
                          std::to_string(onnx_frontend::defaultOpset(model)) +
                          " after conversion, producer " +
                          model.producer_name();
    for (const auto &in : g.input())
      if (!inits.count(in.name()))
        summary.inputs.push_back(
            {in.name(), onnxTypeName(in.type().tensor_type().elem_type()),
             dimsOf(in)});
    for (const auto &out : g.output())
      summary.outputs.push_back(
          {out.name(), onnxTypeName(out.type().tensor_type().elem_type()),
           dimsOf(out)});
    for (const auto &n : g.node())
      summary.histogram[n.op_type()]++;
    for (const auto &u : onnx_frontend::findUnsupportedNodes(model))
      summary.unsupported.push_back({u.name, u.opType});
    return true;
  }
};

} // namespace

const Frontend &onnxFrontend() {
  static const OnnxFrontend frontend;
  return frontend;
}

} // namespace kiln
