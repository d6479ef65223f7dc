//===- Importer.h - ONNX graph to kiln dialect -------------------*- C++ -*-===//
//
// Turns a loaded, normalised ONNX ModelProto (see ModelLoader.h) into a
// module holding one `func.func @main` of kiln ops. Graph inputs and outputs
// keep their ONNX names in `kiln.name` argument/result attributes; every op
// carries its node's name as location.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_ONNX_IMPORTER_H
#define KILN_FRONTENDS_ONNX_IMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <onnx/onnx_pb.h>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace kiln::onnx_frontend {

/// A node the frontend cannot import.
struct UnsupportedNode {
  std::string name;
  std::string opType;
};

/// How to import a model.
struct ImportOptions {
  /// Graph inputs to compile in as constants (shape specialisation).
  std::map<std::string, onnx::TensorProto> frozenInputs;
};

/// Graph inputs that feed operands Kiln needs as compile-time constants
/// (Reshape shapes, Slice bounds, axes, pads): these must be frozen.
std::set<std::string> inputsNeededAsConstants(const onnx::ModelProto &model);

/// Every node of `model` whose op type has no importer.
std::vector<UnsupportedNode> findUnsupportedNodes(const onnx::ModelProto &model);

/// Imports `model`; on failure emits diagnostics (one per unsupported node,
/// or at the failing node) and returns null.
mlir::OwningOpRef<mlir::ModuleOp>
importOnnxModel(mlir::MLIRContext *ctx, const onnx::ModelProto &model,
                llvm::StringRef fileName, const ImportOptions &options = {});

} // namespace kiln::onnx_frontend

#endif // KILN_FRONTENDS_ONNX_IMPORTER_H
