//===- TfNodeContext.h - what a TensorFlow op importer works with -*- C++ -*-===//
//
// Each TensorFlow op is imported by a small function (frontends/tf/ops/)
// that gets a TfNodeContext: the NodeDef and its attributes on top of the
// NodeBuilder every frontend shares. The registry maps op names to them.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_TF_TFNODECONTEXT_H
#define KILN_FRONTENDS_TF_TFNODECONTEXT_H

#include "frontends/common/NodeBuilder.h"
#include "frontends/tf/proto/graph.pb.h"

#include "llvm/ADT/StringMap.h"

#include <functional>

namespace kiln::tf_frontend {

/// The attribute `name` of `node`, or null.
const tensorflow::AttrValue *findAttr(const tensorflow::NodeDef &node,
                                      llvm::StringRef name);

class TfNodeContext : public NodeBuilder {
public:
  TfNodeContext(const tensorflow::NodeDef &node, mlir::Location loc,
                mlir::OpBuilder &builder, std::vector<mlir::Value> inputs)
      : NodeBuilder(loc, builder, std::move(inputs)), node(node) {}

  const tensorflow::NodeDef &node;

  const tensorflow::AttrValue *attr(llvm::StringRef name) const;
  int64_t intAttr(llvm::StringRef name, int64_t dflt) const;
  float floatAttr(llvm::StringRef name, float dflt) const;
  bool boolAttr(llvm::StringRef name, bool dflt) const;
  std::string stringAttr(llvm::StringRef name, llvm::StringRef dflt) const;
  /// A list(int) attribute; std::nullopt when absent.
  std::optional<std::vector<int64_t>> intsAttr(llvm::StringRef name) const;
  /// Integer values of input `i`, which must be a constant after freezing
  /// (as tfcompile also requires); otherwise an error naming `what`.
  mlir::FailureOr<std::vector<int64_t>> constOperand(size_t i,
                                                     const char *what);
  /// `data_format` is NCHW (TensorFlow's default is NHWC).
  bool channelsFirst() const {
    return llvm::StringRef(stringAttr("data_format", "NHWC")).starts_with("NC");
  }
  /// The node's data_format as a kiln layout, with TensorFlow's HWIO filter
  /// when `withFilter`.
  LayoutAttr layout(bool withFilter) const;
  /// A 1-D per-channel tensor shaped to broadcast along the channel dim of
  /// a rank-`rank` tensor in the node's data_format: unchanged for NHWC
  /// (channels last), C x 1 x ... x 1 for NCHW.
  mlir::Value alongChannels(mlir::Value v, int64_t rank);
};

/// Imports one node, appending its outputs in TensorFlow's order.
using TfOpImporter = std::function<mlir::LogicalResult(
    TfNodeContext &, llvm::SmallVectorImpl<mlir::Value> &)>;
using TfImporterRegistry = llvm::StringMap<TfOpImporter>;

void registerTfElementwiseImporters(TfImporterRegistry &registry);
void registerTfNNImporters(TfImporterRegistry &registry);
void registerTfShapeImporters(TfImporterRegistry &registry);
void registerTfSliceImporters(TfImporterRegistry &registry);
void registerTfFillImporters(TfImporterRegistry &registry);
void registerTfLogicIndexImporters(TfImporterRegistry &registry);
void registerTfSpaceImporters(TfImporterRegistry &registry);

/// Every op the TensorFlow frontend imports (Placeholder, Const and
/// Identity-like nodes are handled by the graph importer itself).
const TfImporterRegistry &tfImporterRegistry();

} // namespace kiln::tf_frontend

#endif // KILN_FRONTENDS_TF_TFNODECONTEXT_H
