//===- ConfigLoader.cpp - tfcompile's tf2xla.Config as feeds/fetches ------===//

#include "frontends/tf/ConfigLoader.h"
#include "frontends/tf/proto/tf2xla.pb.h"

#include <google/protobuf/text_format.h>

#include "llvm/Support/MemoryBuffer.h"

namespace kiln::tf_frontend {

bool loadTf2XlaConfig(const std::string &path, GraphSignature &signature,
                      std::map<std::string, std::vector<int64_t>> &shapes,
                      std::string &error) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer) {
    error = "cannot read '" + path + "': " + buffer.getError().message();
    return false;
  }
  tensorflow::tf2xla::Config config;
  google::protobuf::TextFormat::Parser parser;
  parser.AllowUnknownField(true);
  if (!parser.ParseFromString((*buffer)->getBuffer().str(), &config)) {
    error = "'" + path + "' is not a tf2xla.Config in text format";
    return false;
  }
  auto ref = [](const tensorflow::tf2xla::TensorId &id) {
    return id.node_name() + ":" + std::to_string(id.output_index());
  };
  for (const auto &feed : config.feed()) {
    std::string name = feed.name().empty() ? feed.id().node_name() : feed.name();
    if (name.empty()) {
      error = "'" + path + "': a feed names no node";
      return false;
    }
    signature.inputs.push_back({name, ref(feed.id())});
    std::vector<int64_t> dims;
    for (const auto &d : feed.shape().dim())
      dims.push_back(d.size());
    shapes[name] = dims;
  }
  for (const auto &fetch : config.fetch()) {
    std::string name =
        fetch.name().empty() ? fetch.id().node_name() : fetch.name();
    if (name.empty()) {
      error = "'" + path + "': a fetch names no node";
      return false;
    }
    signature.outputs.push_back({name, ref(fetch.id())});
  }
  if (signature.outputs.empty()) {
    error = "'" + path + "' has no fetch";
    return false;
  }
  return true;
}

} // namespace kiln::tf_frontend
