//===- GraphImporterImpl.h - the GraphDef importer's state ----*- C++ -*-===//
//
// The importer behind importGraphDef (GraphImporter.h), shared by its two
// files: GraphImporter.cpp (ordering, feeds, nodes, the function) and
// LoopImporter.cpp (TF1 while loops into kiln.while). Not a public API.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_TF_GRAPHIMPORTERIMPL_H
#define KILN_FRONTENDS_TF_GRAPHIMPORTERIMPL_H

#include "frontends/tf/GraphImporter.h"
#include "frontends/tf/TfLoops.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

namespace kiln::tf_frontend::detail {

using namespace mlir;

/// Ops that forward their inputs unchanged at inference time.
bool isPassThrough(llvm::StringRef op);
/// Ops the importer handles itself (no registry entry).
bool isBuiltin(llvm::StringRef op);
/// TensorArray and TensorList ops (ArrayImporter.cpp).
bool isArrayOp(llvm::StringRef op);

class GraphImporter {
public:
  GraphImporter(MLIRContext *ctx, const tensorflow::GraphDef &graph,
                const ImportRequest &request, const PublicNames &names)
      : ctx(ctx), graph(graph), request(request), names(names), builder(ctx) {}

  OwningOpRef<ModuleOp> run();

private:
  Location nodeLoc(llvm::StringRef name) {
    return NameLoc::get(StringAttr::get(ctx, name),
                        FileLineColLoc::get(ctx, request.path, 0, 0));
  }
  LogicalResult indexNodes();
  SmallVector<Ref> depsOf(const tensorflow::NodeDef &node);
  LogicalResult order(const std::vector<std::string> &fetches);
  void assignFrames();
  LogicalResult declareFeeds(func::FuncOp &func);
  LogicalResult importNode(const tensorflow::NodeDef &node);
  FailureOr<Value> valueOf(const Ref &ref, Location at);
  SmallVector<Value> *lookup(llvm::StringRef name);
  LogicalResult importLoop(size_t index);
  /// A tf.cond's Switch or Merge (CondImporter.cpp).
  LogicalResult importCondNode(const tensorflow::NodeDef &node,
                               ArrayRef<Value> inputs);
  /// The stack of tf.cond branches (predicate ref, branch: 0 false, 1 true)
  /// that the value `ref` is computed in.
  struct Branch {
    std::string pred;
    int port;
    bool operator==(const Branch &o) const {
      return pred == o.pred && port == o.port;
    }
  };
  const SmallVector<Branch> &branchesOf(const Ref &ref, int depth = 0);
  llvm::StringMap<SmallVector<Branch>> branches;
  FailureOr<SmallVector<Value>> importRegion(const TfLoop &loop, Region &region,
                                             ValueRange inits, TypeRange types,
                                             bool body);

  /// A TensorArray or TensorList (ArrayImporter.cpp): its element count (a
  /// 0-d integer tensor), element type and the node that made it.
  struct ArrayInfo {
    Value size;
    Type elementType;
    std::string node;
  };
  LogicalResult importArrayNode(const tensorflow::NodeDef &node,
                                ArrayRef<Value> inputs);
  const tensorflow::NodeDef *arrayNodeOf(Ref ref);
  std::optional<SmallVector<int64_t>>
  declaredElementDims(const tensorflow::NodeDef &array);
  Value arrayZeros(const ArrayInfo &info, ArrayRef<int64_t> dims, Location loc);
  Value arrayPlaceholder(const ArrayInfo &info, Location loc);
  FailureOr<Value> arrayFor(Value contents, RankedTensorType element,
                            Location loc);
  /// TensorArray handles, and the 0-d placeholders (and loop variables and
  /// results carrying them) of arrays whose element shape is not known yet.
  llvm::DenseMap<Value, ArrayInfo> arrays;

  MLIRContext *ctx;
  const tensorflow::GraphDef &graph;
  const ImportRequest &request;
  const PublicNames &names;
  OpBuilder builder;
  llvm::StringMap<const tensorflow::NodeDef *> nodes;
  std::vector<const tensorflow::NodeDef *> postOrder;
  /// Node values by scope: the function body, then one scope per loop
  /// region being imported (inner scopes see the outer ones).
  std::vector<llvm::StringMap<SmallVector<Value>>> scopes{1};
  TfLoops loops;
  /// 1 + the index of the innermost loop each ordered node belongs to; 0
  /// (absent) for nodes outside every loop.
  llvm::StringMap<size_t> frameOf;
  llvm::StringSet<> feeds;
  /// The first edge found closing a cycle (node, the input it reads).
  std::string cycleAt, cycleThrough;
};

} // namespace kiln::tf_frontend::detail

#endif // KILN_FRONTENDS_TF_GRAPHIMPORTERIMPL_H
