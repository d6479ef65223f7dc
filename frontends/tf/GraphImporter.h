//===- GraphImporter.h - TensorFlow GraphDef to kiln dialect -----*- C++ -*-===//
//
// Imports the part of a GraphDef that the fetches depend on into one
// `func.func @main`. Feeds are the Placeholder nodes (or the nodes named
// by --input-shape / frozen inputs, as tfcompile's feeds may name any
// node); fetches are --outputs, else the nodes no other node reads. Every
// op carries its node's name as location.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_TF_GRAPHIMPORTER_H
#define KILN_FRONTENDS_TF_GRAPHIMPORTER_H

#include "frontends/common/Frontend.h"
#include "frontends/tf/proto/graph.pb.h"

namespace kiln::tf_frontend {

/// Nodes of the graph whose op Kiln cannot import.
std::vector<UnsupportedNode> findUnsupportedNodes(const tensorflow::GraphDef &graph);

/// The default fetches: the nodes no other node reads.
std::vector<std::string> defaultFetches(const tensorflow::GraphDef &graph);

/// Public names of feeds and fetches where they differ from the graph's
/// (a SavedModel signature's keys): feed node -> name, fetch ref -> name.
struct PublicNames {
  std::map<std::string, std::string> feeds, fetches;
};

/// Imports `graph`; on failure emits diagnostics and returns null. The
/// request's shapes, frozen inputs and outputs name graph nodes and refs.
mlir::OwningOpRef<mlir::ModuleOp>
importGraphDef(mlir::MLIRContext *ctx, const tensorflow::GraphDef &graph,
               const ImportRequest &request, const PublicNames &names = {});

} // namespace kiln::tf_frontend

#endif // KILN_FRONTENDS_TF_GRAPHIMPORTER_H
