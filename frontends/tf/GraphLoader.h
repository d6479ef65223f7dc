//===- GraphLoader.h - reading TensorFlow GraphDef files ---------*- C++ -*-===//

#ifndef KILN_FRONTENDS_TF_GRAPHLOADER_H
#define KILN_FRONTENDS_TF_GRAPHLOADER_H

#include "frontends/tf/proto/graph.pb.h"

#include <string>

namespace kiln::tf_frontend {

/// Reads the binary protobuf file `path` into `message`, within protobuf's
/// 2 GiB limit; false with `error` set, ending in `notWhat` when the bytes
/// do not parse (e.g. "not a binary GraphDef").
bool readBinaryProto(const std::string &path, google::protobuf::Message &message,
                     const std::string &notWhat, std::string &error);

/// Reads a GraphDef: protobuf text format for `.pbtxt`, binary otherwise.
/// False with a one-line `error` naming the file when it cannot be read or
/// is not a GraphDef.
bool loadGraphDef(const std::string &path, tensorflow::GraphDef &graph,
                  std::string &error);

} // namespace kiln::tf_frontend

#endif // KILN_FRONTENDS_TF_GRAPHLOADER_H
