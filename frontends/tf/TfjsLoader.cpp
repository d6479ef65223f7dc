//===- TfjsLoader.cpp - TensorFlow.js graph models as GraphDefs -----------===//
//
// model.json holds {"format": "graph-model", "modelTopology": GraphDef as
// JSON, "weightsManifest": [{"paths": [shard files], "weights": [{"name",
// "shape", "dtype", "quantization"?}]}]}. Each group's shards are read in
// order as one byte stream and cut into its weights in manifest order.
//
//===----------------------------------------------------------------------===//

#include "frontends/tf/TfjsLoader.h"

#include "frontends/common/HostTensor.h"

#include <google/protobuf/util/json_util.h>

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cstring>

namespace kiln::tf_frontend {
namespace {

constexpr size_t kMaxWeightBytes = size_t(4) << 30;

/// TensorFlow.js has no float64: its converter stores float64 constants as
/// float32 and its kernels compute float64 ops in float32. The graph keeps
/// TensorFlow's types, so they are rewritten here to what TF.js computes.
void computeDoublesAsFloats(tensorflow::GraphDef &graph) {
  for (auto &n : *graph.mutable_node())
    for (auto &[name, attr] : *n.mutable_attr()) {
      if (attr.has_type() && attr.type() == tensorflow::DT_DOUBLE)
        attr.set_type(tensorflow::DT_FLOAT);
      if (attr.has_list())
        for (int i = 0; i < attr.list().type_size(); ++i)
          if (attr.list().type(i) == tensorflow::DT_DOUBLE)
            attr.mutable_list()->set_type(i, tensorflow::DT_FLOAT);
    }
}

/// Bytes per element of a stored weight dtype; 0 if unknown.
size_t storedSize(llvm::StringRef dtype) {
  if (dtype == "float32" || dtype == "int32")
    return 4;
  if (dtype == "float16" || dtype == "uint16")
    return 2;
  if (dtype == "uint8" || dtype == "bool")
    return 1;
  return 0;
}

/// One weight's elements, decoded to the dtype the graph uses.
bool decodeWeight(const llvm::json::Object &w, const char *data, size_t count,
                  tensorflow::TensorProto &t, std::string &error) {
  llvm::StringRef dtype = w.getString("dtype").value_or("");
  const llvm::json::Object *q = w.getObject("quantization");
  llvm::StringRef stored = q ? q->getString("dtype").value_or("") : dtype;
  std::string out;
  if (dtype == "float32") {
    t.set_dtype(tensorflow::DT_FLOAT);
    std::vector<float> v(count);
    if (stored == "float32") {
      std::memcpy(v.data(), data, count * 4);
    } else if (stored == "float16") {
      for (size_t i = 0; i < count; ++i) {
        uint16_t h;
        std::memcpy(&h, data + 2 * i, 2);
        v[i] = halfToFloat(h);
      }
    } else if (stored == "uint8" || stored == "uint16") {
      double scale = q->getNumber("scale").value_or(0);
      double min = q->getNumber("min").value_or(0);
      for (size_t i = 0; i < count; ++i) {
        uint32_t x = 0;
        std::memcpy(&x, data + storedSize(stored) * i, storedSize(stored));
        v[i] = float(double(x) * scale + min);
      }
    } else {
      error = "weights stored as " + stored.str() + " are not supported";
      return false;
    }
    out.assign(reinterpret_cast<const char *>(v.data()), count * 4);
  } else if (dtype == "int32" && stored == "int32") {
    t.set_dtype(tensorflow::DT_INT32);
    out.assign(data, count * 4);
  } else if (dtype == "bool" && stored == "bool") {
    t.set_dtype(tensorflow::DT_BOOL);
    out.assign(data, count);
  } else {
    error = "weights of type " + dtype.str() + " (stored as " + stored.str() +
            ") are not supported";
    return false;
  }
  t.set_tensor_content(out);
  return true;
}

} // namespace

bool loadTfjsModel(const std::string &path, tensorflow::GraphDef &graph,
                   std::string &error) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer) {
    error = "cannot read '" + path + "': " + buffer.getError().message();
    return false;
  }
  auto json = llvm::json::parse((*buffer)->getBuffer());
  if (!json) {
    error = "'" + path + "' is not JSON: " + llvm::toString(json.takeError());
    return false;
  }
  const llvm::json::Object *root = json->getAsObject();
  const llvm::json::Object *topology =
      root ? root->getObject("modelTopology") : nullptr;
  if (!topology) {
    error = "'" + path + "' is not a TensorFlow.js graph model (no "
            "modelTopology)";
    return false;
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::json::Value(llvm::json::Object(*topology));
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  auto status =
      google::protobuf::util::JsonStringToMessage(os.str(), &graph, options);
  if (!status.ok()) {
    error = "'" + path + "': modelTopology is not a GraphDef: " +
            std::string(status.message());
    return false;
  }
  llvm::StringMap<tensorflow::NodeDef *> consts;
  for (auto &n : *graph.mutable_node())
    if (n.op() == "Const")
      consts[n.name()] = &n;

  llvm::SmallString<256> dir(llvm::sys::path::parent_path(path));
  const llvm::json::Array *manifest = root->getArray("weightsManifest");
  for (const llvm::json::Value &groupValue : manifest ? *manifest
                                                      : llvm::json::Array()) {
    const llvm::json::Object *group = groupValue.getAsObject();
    const llvm::json::Array *paths = group ? group->getArray("paths") : nullptr;
    const llvm::json::Array *weights =
        group ? group->getArray("weights") : nullptr;
    if (!paths || !weights) {
      error = "'" + path + "': a weightsManifest entry lacks paths or weights";
      return false;
    }
    std::string bytes;
    for (const llvm::json::Value &p : *paths) {
      auto name = p.getAsString();
      llvm::SmallString<256> file(dir);
      llvm::sys::path::append(file, name.value_or(""));
      auto shard = llvm::MemoryBuffer::getFile(file, /*IsText=*/false,
                                               /*RequiresNullTerminator=*/false);
      if (!name || !shard) {
        error = "cannot read weight shard '" + file.str().str() + "'";
        return false;
      }
      if (bytes.size() + (*shard)->getBufferSize() > kMaxWeightBytes) {
        error = "'" + path + "': weights larger than 4 GiB";
        return false;
      }
      bytes += (*shard)->getBuffer().str();
    }
    size_t offset = 0;
    for (const llvm::json::Value &wv : *weights) {
      const llvm::json::Object *w = wv.getAsObject();
      const llvm::json::Array *shape = w ? w->getArray("shape") : nullptr;
      auto name = w ? w->getString("name") : std::nullopt;
      if (!name || !shape) {
        error = "'" + path + "': a weight lacks a name or shape";
        return false;
      }
      tensorflow::TensorProto t;
      size_t count = 1;
      for (const llvm::json::Value &d : *shape) {
        auto n = d.getAsInteger();
        if (!n || *n < 0 || (*n > 0 && count > kMaxWeightBytes / size_t(*n))) {
          error = "weight '" + name->str() + "' has an invalid shape";
          return false;
        }
        count *= size_t(*n);
        t.mutable_tensor_shape()->add_dim()->set_size(*n);
      }
      const llvm::json::Object *q = w->getObject("quantization");
      llvm::StringRef stored =
          (q ? q->getString("dtype") : w->getString("dtype")).value_or("");
      size_t size = storedSize(stored);
      if (size == 0) {
        error = "weight '" + name->str() + "' has unsupported dtype '" +
                stored.str() + "'";
        return false;
      }
      if (offset + count * size > bytes.size()) {
        error = "the weight shards of '" + path + "' end inside weight '" +
                name->str() + "' (" + std::to_string(bytes.size()) +
                " bytes, " + std::to_string(offset + count * size) + " needed)";
        return false;
      }
      if (!decodeWeight(*w, bytes.data() + offset, count, t, error)) {
        error = "weight '" + name->str() + "': " + error;
        return false;
      }
      offset += count * size;
      auto it = consts.find(*name);
      if (it == consts.end())
        continue; // a weight no node uses
      (*it->second->mutable_attr())["value"].mutable_tensor()->Swap(&t);
    }
  }
  if (graph.node_size() == 0) {
    error = "'" + path + "' holds no graph nodes";
    return false;
  }
  computeDoublesAsFloats(graph);
  return true;
}

} // namespace kiln::tf_frontend
