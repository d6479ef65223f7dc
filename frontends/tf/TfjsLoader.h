//===- TfjsLoader.h - TensorFlow.js graph models as GraphDefs ----*- C++ -*-===//

#ifndef KILN_FRONTENDS_TF_TFJSLOADER_H
#define KILN_FRONTENDS_TF_TFJSLOADER_H

#include "frontends/tf/proto/graph.pb.h"

#include <string>

namespace kiln::tf_frontend {

/// Reads a TensorFlow.js graph model: `model.json`'s `modelTopology` (a
/// GraphDef in protobuf's JSON mapping) and the weight shards its
/// `weightsManifest` lists beside it, whose tensors become the values of
/// the Const nodes they name (float16 and uint8/uint16-quantized weights
/// are turned back into their original float32). False with a one-line
/// `error` naming the file otherwise.
bool loadTfjsModel(const std::string &path, tensorflow::GraphDef &graph,
                   std::string &error);

} // namespace kiln::tf_frontend

#endif // KILN_FRONTENDS_TF_TFJSLOADER_H
