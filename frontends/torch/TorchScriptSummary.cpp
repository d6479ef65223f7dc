//===- TorchScriptSummary.cpp - a TorchScript archive, for kiln inspect ---===//

#include "frontends/torch/TorchScriptImporter.h"

#include "frontends/torch/AtenNode.h"
#include "frontends/torch/TorchScriptOps.h"

#include "llvm/ADT/StringExtras.h"

#include <set>

namespace kiln::torch_frontend {
namespace {

/// torch.* calls the importer evaluates itself (sizes and their
/// arithmetic) rather than through the ATen table.
bool foldedAtImport(llvm::StringRef name) {
  return llvm::is_contained({"size", "dim", "numel", "floor_divide",
                             "remainder", "neg", "device"},
                            name);
}

void walkCalls(const TsExpr &e, const std::string &file, ModelSummary &summary) {
  if (e.kind == TsExpr::Kind::Call) {
    llvm::StringRef name;
    std::string callee = e.callee->dotted();
    name = callee;
    if (name.consume_front("torch.") || name.consume_front("ops.aten.")) {
      ++summary.histogram["torch." + name.str()];
      bool known = false;
      for (size_t lead = 0; lead < 4 && !known; ++lead)
        if (const TsOpSchema *s = torchScriptOp(name, lead))
          known = atenImporters().count(s->target) > 0;
      if (!known && !foldedAtImport(name))
        summary.unsupported.push_back(
            {file + ":" + std::to_string(e.line), "torch." + name.str()});
    }
    walkCalls(*e.callee, file, summary);
  }
  for (const auto &o : e.operands)
    walkCalls(*o, file, summary);
  for (const auto &[k, v] : e.keywords)
    walkCalls(*v, file, summary);
}

/// Elements of every distinct tensor under `v` (shared storages once).
void countParameters(const PickleRef &v, std::set<const PickleValue *> &seen,
                     int64_t &count, int depth = 0) {
  if (!v || depth > 256 || !seen.insert(v.get()).second)
    return;
  if (v->kind == PickleValue::Kind::Tensor) {
    int64_t n = 1;
    for (int64_t d : v->tensor.sizes)
      n *= d;
    count += n;
  }
  for (const auto &i : v->items)
    countParameters(i, seen, count, depth + 1);
  for (const auto &[k, i] : v->dict)
    countParameters(i, seen, count, depth + 1);
}

} // namespace

bool summarizeTorchScript(const ImportRequest &request, ModelSummary &summary,
                          std::string &error) {
  TorchScriptArchive archive;
  if (!readTorchScriptArchive(request.path, archive, error))
    return false;
  summary.description =
      "TorchScript archive, file format " + std::to_string(archive.version);
  std::vector<TsInput> inputs;
  if (!torchScriptInputs(archive, inputs, error))
    return false;
  for (const TsInput &in : inputs) {
    std::vector<std::string> dims;
    for (int64_t d : in.shape)
      dims.push_back(d < 0 ? "?" : std::to_string(d));
    summary.inputs.push_back(
        {in.name, dtypeName(in.dtype),
         in.known ? "[" + llvm::join(dims, ", ") + "]"
                  : "(no shape recorded: --input-shape)"});
  }
  const TsSource *source = nullptr;
  const TsClass *cls = archive.findClass(archive.root->text, &source);
  llvm::StringRef returns = cls->methods.at("forward").returns;
  size_t outputs = 0;
  for (size_t at = returns.find("Tensor"); at != llvm::StringRef::npos;
       at = returns.find("Tensor", at + 6))
    ++outputs;
  for (size_t i = 0; i < outputs; ++i)
    summary.outputs.push_back(
        {"output_" + std::to_string(i), "float32", "(known once compiled)"});
  for (const auto &[module, src] : archive.sources)
    for (const auto &[name, c] : src.classes)
      for (const auto &[m, method] : c.methods)
        for (const TsStmt &stmt : method.body)
          if (stmt.value)
            walkCalls(*stmt.value, src.path, summary);
  std::set<const PickleValue *> seen;
  countParameters(archive.root, seen, summary.parameters);
  return true;
}

InputNeeds torchScriptInputNeeds(const ImportRequest &request) {
  InputNeeds needs;
  TorchScriptArchive archive;
  std::string error;
  std::vector<TsInput> inputs;
  if (!readTorchScriptArchive(request.path, archive, error) ||
      !torchScriptInputs(archive, inputs, error))
    return needs;
  for (const TsInput &in : inputs) {
    needs.positional.push_back(in.name);
    if (!in.known || llvm::is_contained(in.shape, -1))
      needs.dynamic.insert(in.name);
  }
  return needs;
}

} // namespace kiln::torch_frontend
