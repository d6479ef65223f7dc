//===- Frontend.h - what every model frontend offers the driver -*- C++ -*-===//
//
// A frontend reads one framework's model files and imports them into the
// kiln dialect: one `func.func @main` whose arguments and results carry
// `kiln.name` (and `kiln.dim_names` for symbolic dims). The driver picks a
// frontend through the registry (Registry.h) by `--format` or file type and
// talks to it only through this interface, so adding a framework adds a
// folder under frontends/ and one line to the registry's list.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_COMMON_FRONTEND_H
#define KILN_FRONTENDS_COMMON_FRONTEND_H

#include "frontends/common/HostTensor.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace kiln {

/// What to import and how.
struct ImportRequest {
  /// The model file (or directory, for formats stored as one).
  std::string path;
  /// Inputs compiled in as constants (`--freeze NAME=FILE`).
  std::map<std::string, HostTensor> frozen;
  /// Dims for inputs (`--input-shape NAME=AxB`, -1 for a dynamic dim).
  std::map<std::string, std::vector<int64_t>> shapes;
  /// The tensors to return, in order (`--outputs`); empty: the model's own.
  std::vector<std::string> outputs;
  /// The SavedModel signature to compile (`--signature`); empty: default.
  std::string signature;
  /// A file naming feeds and fetches (`--config`, tfcompile's
  /// tf2xla.Config for TensorFlow graphs).
  std::string config;
};

/// What `kiln run` must specialise in a model before compiling it.
struct InputNeeds {
  /// Inputs that feed operands Kiln needs as compile-time constants.
  std::set<std::string> toFreeze;
  /// Inputs with a dynamic or unknown dim.
  std::set<std::string> dynamic;
  /// All inputs in order, where data files are matched by position rather
  /// than by name (a TorchScript forward's parameters).
  std::vector<std::string> positional;
};

/// One input or output as `kiln inspect` lists it.
struct TensorSummary {
  std::string name;
  std::string dtype; ///< "float32", "int64", ...
  std::string dims;  ///< "[batch, 3, 224, 224]"
};

/// A node with no importer.
struct UnsupportedNode {
  std::string name;
  std::string opType;
};

/// Everything `kiln inspect` prints about a model, read without importing.
struct ModelSummary {
  /// One line after "model: PATH", e.g. "(onnx, opset 17, producer pytorch)".
  std::string description;
  std::vector<TensorSummary> inputs, outputs;
  /// Op type -> node count.
  std::map<std::string, int> histogram;
  int64_t parameters = 0;
  std::vector<UnsupportedNode> unsupported;
};

class Frontend {
public:
  virtual ~Frontend() = default;
  /// The `--format` value and the descriptor's source format ("onnx").
  virtual llvm::StringRef name() const = 0;
  /// Whether this frontend reads `path` by its file type or layout.
  virtual bool claims(llvm::StringRef path) const = 0;
  /// Imports the model; on failure prints its diagnostics (through the
  /// context's handler) and returns null.
  virtual mlir::OwningOpRef<mlir::ModuleOp>
  import(mlir::MLIRContext &ctx, const ImportRequest &request) const = 0;
  /// What must be frozen or given shapes; empty when the model does not
  /// load (importing it then reports why).
  virtual InputNeeds inputNeeds(const ImportRequest &request) const = 0;
  /// Fills `summary`; false with `error` set when the model does not load.
  virtual bool summarize(const ImportRequest &request, ModelSummary &summary,
                         std::string &error) const = 0;
};

} // namespace kiln

#endif // KILN_FRONTENDS_COMMON_FRONTEND_H
