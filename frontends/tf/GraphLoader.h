//===- GraphLoader.h - reading TensorFlow GraphDef files ---------*- C++ -*-===//

#ifndef KILN_FRONTENDS_TF_GRAPHLOADER_H
#define KILN_FRONTENDS_TF_GRAPHLOADER_H

#include "frontends/tf/proto/graph.pb.h"

#include <string>

namespace kiln::tf_frontend {

/// Reads a GraphDef: protobuf text format for `.pbtxt`, binary otherwise.
/// False with a one-line `error` naming the file when it cannot be read or
/// is not a GraphDef.
bool loadGraphDef(const std::string &path, tensorflow::GraphDef &graph,
                  std::string &error);

} // namespace kiln::tf_frontend

#endif // KILN_FRONTENDS_TF_GRAPHLOADER_H
