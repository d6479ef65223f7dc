//===- GraphImporter.h - one ONNX graph into one function -------*- C++ -*-===//
//
// The state of importing a model's graph: the builder, the values by name
// and the sequences. Importer.cpp walks the graph's nodes; the control-flow
// ops that import subgraphs in the same scope (If, Scan) are in
// ControlFlowImport.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_ONNX_GRAPHIMPORTER_H
#define KILN_FRONTENDS_ONNX_GRAPHIMPORTER_H

#include "frontends/onnx/ImportContext.h"
#include "frontends/onnx/Importer.h"

#include "mlir/IR/BuiltinOps.h"

#include <string>
#include <unordered_map>

namespace kiln::onnx_frontend {

inline bool isDefaultDomain(const std::string &domain) {
  return domain.empty() || domain == "ai.onnx";
}

/// The node's name, or OPTYPE_INDEX for an unnamed one.
inline std::string nodeName(const onnx::NodeProto &node, int index) {
  return node.name().empty() ? node.op_type() + "_" + std::to_string(index)
                             : node.name();
}

/// Imports one graph into one function.
class GraphImporter {
public:
  GraphImporter(mlir::MLIRContext *ctx, const onnx::ModelProto &model,
                llvm::StringRef fileName, const ImportOptions &options)
      : ctx(ctx), model(model), fileName(fileName), options(options),
        builder(ctx) {}

  mlir::OwningOpRef<mlir::ModuleOp> run();

private:
  mlir::Location nodeLoc(llvm::StringRef name) {
    return mlir::NameLoc::get(mlir::StringAttr::get(ctx, name),
                              mlir::FileLineColLoc::get(ctx, fileName, 0, 0));
  }
  mlir::FailureOr<mlir::RankedTensorType> typeOf(const onnx::ValueInfoProto &info);
  /// Constants for the initializers of `graph`.
  mlir::LogicalResult importInitializers(const onnx::GraphProto &graph);
  mlir::LogicalResult importNode(const onnx::NodeProto &node, int index);
  mlir::LogicalResult importIf(const onnx::NodeProto &node, mlir::Location loc);
  /// The outputs of `branch` imported in the current scope (outer values
  /// visible, its own names dropped afterwards).
  mlir::FailureOr<llvm::SmallVector<mlir::Value>>
  importBranch(const onnx::GraphProto &branch, mlir::Location loc,
               llvm::ArrayRef<std::pair<std::string, mlir::Value>> bindings = {});
  mlir::LogicalResult importScan(const onnx::NodeProto &node, mlir::Location loc);
  /// Loop as one kiln.while (LoopImport.cpp).
  mlir::LogicalResult importLoop(const onnx::NodeProto &node, mlir::Location loc);
  /// Names the node's outputs after `results` (what `source` gave).
  mlir::LogicalResult bindOutputs(const onnx::NodeProto &node,
                                  llvm::ArrayRef<mlir::Value> results,
                                  mlir::Location loc, llvm::StringRef source);

  mlir::MLIRContext *ctx;
  const onnx::ModelProto &model;
  std::string fileName;
  const ImportOptions &options;
  mlir::OpBuilder builder;
  std::unordered_map<std::string, mlir::Value> values;
  SequenceMap sequences;
};


} // namespace kiln::onnx_frontend

#endif // KILN_FRONTENDS_ONNX_GRAPHIMPORTER_H
