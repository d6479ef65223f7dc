//===- ImportContext.h - what an ONNX op importer works with -----*- C++ -*-===//
//
// Each ONNX op is imported by a small function (frontends/onnx/ops/) that gets
// a NodeContext: the node and its attributes on top of the NodeBuilder that
// every frontend shares (inputs, builder, constants, checked op creation). The
// registry maps op types to those functions.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_ONNX_IMPORTCONTEXT_H
#define KILN_FRONTENDS_ONNX_IMPORTCONTEXT_H

#include "frontends/common/NodeBuilder.h"
#include "ir/KilnDialect.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringMap.h"

#include <onnx/onnx_pb.h>

#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace kiln::onnx_frontend {

/// ONNX sequences whose length and element positions are known when the
/// model is compiled: each is a list of tensor values, by value name.
using SequenceMap = std::unordered_map<std::string, std::vector<mlir::Value>>;

/// One ONNX node being imported: the shared NodeBuilder plus the node's
/// attributes and the model's opset.
class NodeContext : public NodeBuilder {
public:
  NodeContext(const onnx::NodeProto &node, mlir::Location loc,
              mlir::OpBuilder &builder, std::vector<mlir::Value> inputs,
              int opset, int sourceOpset)
      : NodeBuilder(loc, builder, std::move(inputs)), node(node),
        opset(opset), sourceOpset(sourceOpset) {}

  const onnx::NodeProto &node;
  /// The opset the node is in (after version conversion), and the one the
  /// model was written for, where the converter drops meaning.
  int opset, sourceOpset;
  /// The graph's sequences: a sequence input is a null entry of `inputs`,
  /// and a node that makes a sequence stores it here under its output name.
  SequenceMap *sequences = nullptr;

  const onnx::AttributeProto *attr(llvm::StringRef name) const;
  int64_t intAttr(llvm::StringRef name, int64_t dflt) const;
  float floatAttr(llvm::StringRef name, float dflt) const;
  std::string stringAttr(llvm::StringRef name, llvm::StringRef dflt) const;
  std::optional<std::vector<int64_t>> intsAttr(llvm::StringRef name) const;
};

/// Imports one node, appending its results (in ONNX output order).
using OpImporter = std::function<mlir::LogicalResult(
    NodeContext &, llvm::SmallVectorImpl<mlir::Value> &)>;
using ImporterRegistry = llvm::StringMap<OpImporter>;

void registerElementwiseImporters(ImporterRegistry &registry);
void registerNNImporters(ImporterRegistry &registry);
void registerShapeImporters(ImporterRegistry &registry);
void registerReshapeImporters(ImporterRegistry &registry);
void registerLogicIndexImporters(ImporterRegistry &registry);
void registerActivationImporters(ImporterRegistry &registry);
void registerElementIndexImporters(ImporterRegistry &registry);
void registerConvPoolImporters(ImporterRegistry &registry);
void registerRearrangeImporters(ImporterRegistry &registry);
void registerNormalizationImporters(ImporterRegistry &registry);
void registerResizeImporters(ImporterRegistry &registry);
void registerConvTransposeImporters(ImporterRegistry &registry);
void registerSequenceImporters(ImporterRegistry &registry);
void registerRecurrentImporters(ImporterRegistry &registry);
void registerQuantizationImporters(ImporterRegistry &registry);
void registerWindowImporters(ImporterRegistry &registry);
void registerAttentionImporters(ImporterRegistry &registry);
void registerGridSampleImporters(ImporterRegistry &registry);
void registerBitwiseImporters(ImporterRegistry &registry);
void registerUniqueImporters(ImporterRegistry &registry);
void registerTransformerImporters(ImporterRegistry &registry);
void registerSpectralImporters(ImporterRegistry &registry);
void registerTfIdfImporters(ImporterRegistry &registry);

/// The registry of every op the ONNX frontend imports.
const ImporterRegistry &importerRegistry();

/// The MLIR element type of an ONNX TensorProto data type, or null.
mlir::Type elementTypeFor(mlir::MLIRContext *ctx, int onnxType);

/// `x` cast to `et` as Cast and CastLike do, honouring their `saturate`
/// attribute for 8-bit float results; null after an error at the node.
mlir::Value castWithSaturate(NodeContext &nc, mlir::Value x, mlir::Type et);

} // namespace kiln::onnx_frontend

#endif // KILN_FRONTENDS_ONNX_IMPORTCONTEXT_H

namespace kiln::onnx_frontend {
/// Converts an ONNX TensorProto (initializer or Constant value) into a
/// constant attribute; on failure returns null and sets `error`.
mlir::ElementsAttr tensorProtoToAttr(mlir::MLIRContext *ctx,
                                     const onnx::TensorProto &tensor,
                                     std::string &error);
} // namespace kiln::onnx_frontend
