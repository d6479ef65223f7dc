//===- SavedModelLoader.h - a SavedModel signature as a GraphDef -*- C++ -*-===//

#ifndef KILN_FRONTENDS_TF_SAVEDMODELLOADER_H
#define KILN_FRONTENDS_TF_SAVEDMODELLOADER_H

#include "frontends/tf/proto/graph.pb.h"

#include <string>
#include <utility>
#include <vector>

namespace kiln::tf_frontend {

/// A signature's feeds and fetches: (public name, "node:port").
struct GraphSignature {
  std::vector<std::pair<std::string, std::string>> inputs, outputs;
};

/// Reads the SavedModel directory `dir` (saved_model.pb + variables/):
/// the meta graph tagged "serve" (else the only one), the signature
/// `signatureKey` (default "serving_default"), its graph with function
/// calls inlined and variables (TF1 VariableV2, TF2 VarHandleOp) frozen
/// from the checkpoint bundle as constants. False with a one-line `error`.
bool loadSavedModel(const std::string &dir, const std::string &signatureKey,
                    tensorflow::GraphDef &graph, GraphSignature &signature,
                    std::string &error);

/// Whether `path` is a SavedModel directory.
bool isSavedModelDir(const std::string &path);

/// Inlines StatefulPartitionedCall/PartitionedCall nodes of `graph` that
/// call functions of its library; false with `error` on a missing function
/// or too deep a nesting.
bool inlineFunctionCalls(tensorflow::GraphDef &graph, std::string &error);

} // namespace kiln::tf_frontend

#endif // KILN_FRONTENDS_TF_SAVEDMODELLOADER_H
