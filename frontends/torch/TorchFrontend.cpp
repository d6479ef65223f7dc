//===- TorchFrontend.cpp - PyTorch's own archives behind Frontend ---------===//

#include "frontends/torch/TorchFrontend.h"

#include "frontends/torch/AtenNode.h"
#include "frontends/torch/Pt2Archive.h"
#include "frontends/torch/Pt2Importer.h"
#include "frontends/torch/TorchScriptImporter.h"
#include "frontends/torch/ZipReader.h"

#include "llvm/ADT/StringExtras.h"

namespace kiln {
namespace {

using namespace torch_frontend;

/// A tensor_values entry's dims as `kiln inspect` prints them.
std::string dimsOf(const llvm::json::Object *meta) {
  std::vector<std::string> dims;
  if (const auto *sizes = meta ? meta->getArray("sizes") : nullptr)
    for (const auto &s : *sizes) {
      const auto *obj = s.getAsObject();
      if (auto n = obj ? obj->getInteger("as_int") : std::nullopt)
        dims.push_back(std::to_string(*n));
      else if (const auto *e = obj ? obj->getObject("as_expr") : nullptr)
        dims.push_back(e->getString("expr_str").value_or("?").str());
      else
        dims.push_back("?");
    }
  return "[" + llvm::join(dims, ", ") + "]";
}

/// The user inputs' and outputs' tensor names, from the signature.
std::vector<std::string> userTensors(const llvm::json::Object *signature,
                                     llvm::StringRef specs,
                                     llvm::StringRef kind) {
  std::vector<std::string> names;
  const auto *list = signature ? signature->getArray(specs) : nullptr;
  for (const auto &s : list ? *list : llvm::json::Array()) {
    const auto *spec = s.getAsObject();
    const auto *body = spec ? spec->getObject(kind) : nullptr;
    const auto *arg = body ? body->getObject("arg") : nullptr;
    const auto *t = arg ? arg->getObject("as_tensor") : nullptr;
    if (auto name = t ? t->getString("name") : std::nullopt)
      names.push_back(name->str());
  }
  return names;
}

/// Whether `path` is a torch.export archive rather than TorchScript: a
/// .pt2 file, or another whose folder holds archive_format.
bool isPt2(const std::string &path) {
  if (llvm::StringRef(path).ends_with(".pt2"))
    return true;
  ZipReader zip;
  std::string error;
  return zip.open(path, error) && zip.has(zip.folder() + "archive_format");
}

class TorchFrontend : public Frontend {
public:
  llvm::StringRef name() const override { return "torch"; }

  bool claims(llvm::StringRef path) const override {
    return path.ends_with(".pt2") || path.ends_with(".pt");
  }

  mlir::OwningOpRef<mlir::ModuleOp>
  import(mlir::MLIRContext &ctx, const ImportRequest &request) const override {
    return isPt2(request.path) ? importPt2(ctx, request)
                               : importTorchScript(ctx, request);
  }

  InputNeeds inputNeeds(const ImportRequest &request) const override {
    if (!isPt2(request.path))
      return torchScriptInputNeeds(request);
    InputNeeds needs;
    ModelSummary summary;
    std::string error;
    if (!summarize(request, summary, error))
      return needs;
    for (const TensorSummary &in : summary.inputs)
      if (!llvm::all_of(llvm::StringRef(in.dims).drop_front().drop_back(),
                        [](char c) {
                          return llvm::isDigit(c) || c == ',' || c == ' ';
                        }))
        needs.dynamic.insert(in.name);
    return needs;
  }

  bool summarize(const ImportRequest &request, ModelSummary &summary,
                 std::string &error) const override {
    if (!isPt2(request.path))
      return summarizeTorchScript(request, summary, error);
    Pt2Archive archive;
    if (!readPt2Archive(request.path, archive, error))
      return false;
    const auto *program = archive.program.getAsObject();
    const auto *gm = program ? program->getObject("graph_module") : nullptr;
    const auto *graph = gm ? gm->getObject("graph") : nullptr;
    const auto *signature = gm ? gm->getObject("signature") : nullptr;
    const auto *values = graph ? graph->getObject("tensor_values") : nullptr;
    const auto *nodes = graph ? graph->getArray("nodes") : nullptr;
    if (!nodes || !values) {
      error = "models/model.json lacks the graph or its tensor_values";
      return false;
    }
    const auto *version = program->getObject("schema_version");
    summary.description =
        "torch.export archive, schema " +
        std::to_string(version ? version->getInteger("major").value_or(0) : 0) +
        "." +
        std::to_string(version ? version->getInteger("minor").value_or(0) : 0) +
        ", torch " + program->getString("torch_version").value_or("?").str();
    auto summarizeTensor = [&](const std::string &name) {
      const auto *meta = values->getObject(name);
      kiln_dtype dtype = KILN_DTYPE_FLOAT32;
      bool known = meta && dtypeFromScalarType(
                               meta->getInteger("dtype").value_or(0), dtype);
      return TensorSummary{name, known ? dtypeName(dtype) : "unknown",
                           dimsOf(meta)};
    };
    for (const std::string &name :
         userTensors(signature, "input_specs", "user_input"))
      summary.inputs.push_back(summarizeTensor(name));
    for (const std::string &name :
         userTensors(signature, "output_specs", "user_output"))
      summary.outputs.push_back(summarizeTensor(name));
    const auto &table = atenImporters();
    for (const auto &n : *nodes) {
      const auto *node = n.getAsObject();
      std::string target =
          atenName(node ? node->getString("target").value_or("") : "");
      ++summary.histogram[target];
      if (!table.count(target))
        summary.unsupported.push_back(
            {node->getString("name").value_or("").str(), target});
    }
    for (const auto &[name, t] : archive.tensors) {
      int64_t count = 1;
      for (int64_t d : t.shape)
        count *= d;
      summary.parameters += count;
    }
    return true;
  }
};

} // namespace

const Frontend &torchFrontend() {
  static const TorchFrontend frontend;
  return frontend;
}

} // namespace kiln
