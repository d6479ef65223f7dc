//===- TorchScriptImporter.h - traced TorchScript into kiln -------*- C++ -*-===//

#ifndef KILN_FRONTENDS_TORCH_TORCHSCRIPTIMPORTER_H
#define KILN_FRONTENDS_TORCH_TORCHSCRIPTIMPORTER_H

#include "frontends/common/Frontend.h"
#include "frontends/torch/TorchScriptArchive.h"

namespace kiln::torch_frontend {

/// Imports the TorchScript archive `request.path` into a module with
/// @main: the top module's forward, with every submodule call inlined.
/// Null after reporting why (every unsupported op at once, with its module
/// path and code line).
mlir::OwningOpRef<mlir::ModuleOp>
importTorchScript(mlir::MLIRContext &ctx, const ImportRequest &request);

/// The forward's tensor inputs: names and, where the archive recorded the
/// traced example (traced_inputs.pkl) or --input-shape gives them, shapes
/// (empty when unknown).
struct TsInput {
  std::string name;
  std::vector<int64_t> shape;
  bool known = false;
  /// The traced example's dtype; float32 when the archive records none.
  kiln_dtype dtype = KILN_DTYPE_FLOAT32;
};
bool torchScriptInputs(const TorchScriptArchive &archive,
                       std::vector<TsInput> &inputs, std::string &error);

/// What `kiln inspect` prints about a TorchScript archive
/// (TorchScriptSummary.cpp): inputs, the op histogram of its code, the
/// torch.* calls Kiln has no importer for, its parameter count.
bool summarizeTorchScript(const ImportRequest &request, ModelSummary &summary,
                          std::string &error);
/// The inputs `kiln run` must take shapes for from its data (all of them,
/// matched by position, when the archive records no traced example).
InputNeeds torchScriptInputNeeds(const ImportRequest &request);

} // namespace kiln::torch_frontend

#endif // KILN_FRONTENDS_TORCH_TORCHSCRIPTIMPORTER_H
