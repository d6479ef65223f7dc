//===- ModelLoader.cpp - reading and normalising ONNX models --------------===//
//
// File reading with size checks, ONNX checker, version conversion and shape
// inference; see ModelLoader.h.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/ModelLoader.h"

#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>
#include <onnx/version_converter/convert.h>

#include <google/protobuf/io/coded_stream.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace kiln::onnx_frontend {

int defaultOpset(const onnx::ModelProto &model) {
  for (const auto &op : model.opset_import())
    if (op.domain().empty() || op.domain() == "ai.onnx")
      return int(op.version());
  return 1;
}

int sourceOpset(const onnx::ModelProto &model) {
  for (const auto &prop : model.metadata_props())
    if (prop.key() == kSourceOpsetKey)
      return std::atoi(prop.value().c_str());
  return defaultOpset(model);
}

static bool readFile(const std::string &path, std::string &bytes,
                     std::string &error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open '" + path + "'";
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  bytes = ss.str();
  if (bytes.empty()) {
    error = "'" + path + "' is empty";
    return false;
  }
  return true;
}

/// Attribute values that break ONNX's own shape inference or Kiln's
/// lowering before any importer sees them: window sizes must be positive
/// (inference divides by strides), windows and pads at most 2^24 (beyond
/// that, output sizes and loop bounds overflow; no real model comes near),
/// and axes within the ranks a tensor can have.
/// Graph inputs, outputs and annotated values with a dim of 2^31 or more:
/// ONNX's version converter (opsets before kTargetOpset) keeps dims in 32
/// bits, so such a dim would come out negative and be reported as such.
/// No converted model can hold one correctly: say what it is instead.
static bool checkConvertibleDims(const onnx::ModelProto &model,
                                 std::string &error) {
  auto check = [&](const onnx::ValueInfoProto &info) {
    if (!info.type().has_tensor_type() ||
        !info.type().tensor_type().has_shape())
      return true;
    for (const auto &d : info.type().tensor_type().shape().dim())
      if (d.has_dim_value() && d.dim_value() > INT32_MAX) {
        error = "graph value '" + info.name() + "' has a dim of " +
                std::to_string(d.dim_value()) +
                ", which ONNX's opset converter cannot carry (it keeps dims "
                "in 32 bits); export the model with opset " +
                std::to_string(kTargetOpset) + " or newer";
        return false;
      }
    return true;
  };
  const auto &g = model.graph();
  for (const auto *list : {&g.input(), &g.output(), &g.value_info()})
    for (const auto &info : *list)
      if (!check(info))
        return false;
  return true;
}

static bool checkAttributeRanges(const onnx::ModelProto &model,
                                 std::string &error) {
  static const std::set<std::string> windowed = {
      "Conv", "ConvTranspose", "MaxPool", "AveragePool", "LpPool",
      "ConvInteger", "QLinearConv", "MaxUnpool"};
  constexpr int64_t kWindowLimit = int64_t(1) << 24, kAxisLimit = 1024;
  int index = 0;
  for (const auto &node : model.graph().node()) {
    ++index;
    std::string name = node.name().empty()
                           ? node.op_type() + "_" + std::to_string(index - 1)
                           : node.name();
    auto fail = [&](const std::string &what) {
      error = "node '" + name + "': " + what;
      return false;
    };
    for (const auto &attr : node.attribute()) {
      const std::string &a = attr.name();
      std::vector<int64_t> values(attr.ints().begin(), attr.ints().end());
      if (attr.has_i())
        values.push_back(attr.i());
      if (a == "axis" || a == "axes") {
        for (int64_t v : values)
          if (v < -kAxisLimit || v > kAxisLimit)
            return fail(a + " " + std::to_string(v) + " is out of range");
        continue;
      }
      if (!windowed.count(node.op_type()))
        continue;
      bool positive = a == "strides" || a == "dilations" || a == "kernel_shape";
      if (!positive && a != "pads" && a != "output_padding")
        continue;
      for (int64_t v : values) {
        if (positive && v < 1)
          return fail(a + " must be >= 1, got " + std::to_string(v));
        if (v > kWindowLimit || v < -kWindowLimit)
          return fail(a + " " + std::to_string(v) +
                      " is beyond Kiln's limit of " +
                      std::to_string(kWindowLimit));
      }
    }
  }
  return true;
}

/// Reads the external data of `t` (location, offset, length, relative to
/// the model's folder `dir`) into its raw_data.
static bool loadExternalTensor(onnx::TensorProto &t, const std::string &dir,
                               std::string &error) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto &entry : t.external_data()) {
    if (entry.key() == "location")
      location = entry.value();
    else if (entry.key() == "offset")
      offset = std::atoll(entry.value().c_str());
    else if (entry.key() == "length")
      length = std::atoll(entry.value().c_str());
  }
  std::string what = "tensor '" + t.name() + "': external data '" + location + "'";
  // Like ONNX, only files in the model's folder: a model from a stranger
  // must not read /etc/passwd into its weights.
  if (location.empty() || location[0] == '/' ||
      ("/" + location + "/").find("/../") != std::string::npos) {
    error = what + " must be a relative path inside the model's folder";
    return false;
  }
  std::string path = dir + location;
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) {
    error = what + " does not exist (looked for '" + path +
            "'; keep the data file beside the model)";
    return false;
  }
  int64_t size = int64_t(in.tellg());
  if (length < 0)
    length = size - offset;
  if (offset < 0 || length < 0 || offset > size || length > size - offset) {
    error = what + " is too short: offset " + std::to_string(offset) +
            " and length " + std::to_string(length) + " in a file of " +
            std::to_string(size) + " bytes";
    return false;
  }
  std::string bytes(size_t(length), '\0');
  in.seekg(offset);
  in.read(bytes.data(), length);
  t.set_raw_data(std::move(bytes));
  t.clear_external_data();
  t.set_data_location(onnx::TensorProto::DEFAULT);
  return true;
}

/// Brings every initializer's and Constant's external data inline.
static bool loadExternalData(onnx::ModelProto &model, const std::string &path,
                             std::string &error) {
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  auto *graph = model.mutable_graph();
  for (auto &init : *graph->mutable_initializer())
    if (init.data_location() == onnx::TensorProto::EXTERNAL &&
        !loadExternalTensor(init, dir, error))
      return false;
  for (auto &node : *graph->mutable_node())
    for (auto &attr : *node.mutable_attribute())
      if (attr.has_t() &&
          attr.t().data_location() == onnx::TensorProto::EXTERNAL &&
          !loadExternalTensor(*attr.mutable_t(), dir, error))
        return false;
  return true;
}

/// Every graph output must be a graph input, an initializer or a node
/// output (ONNX's version converter crashes on one that is none).
static bool checkOutputsDefined(const onnx::ModelProto &model,
                                std::string &error) {
  std::set<std::string> defined;
  for (const auto &in : model.graph().input())
    defined.insert(in.name());
  for (const auto &init : model.graph().initializer())
    defined.insert(init.name());
  for (const auto &node : model.graph().node())
    defined.insert(node.output().begin(), node.output().end());
  for (const auto &out : model.graph().output())
    if (!defined.count(out.name())) {
      error = "graph output '" + out.name() + "' is never produced";
      return false;
    }
  return true;
}

/// What ONNX's checker would catch and the importers rely on, for models
/// newer than libonnx 1.12's schemas: every node of the default domain has
/// at least its op's required inputs (later opsets only append optional
/// ones) and outputs, and no required input is left empty.
static bool checkNewerOpsetNodes(const onnx::ModelProto &model,
                                 std::string &error) {
  int index = 0;
  for (const auto &node : model.graph().node()) {
    ++index;
    if (!node.domain().empty() && node.domain() != "ai.onnx")
      continue;
    // The ops Kiln imports that opsets after 17 added, with their required
    // input counts (libonnx 1.12 has no schema for them).
    static const std::map<std::string, int> newOps = {
        {"GroupNormalization", 3}, {"RMSNormalization", 2}, {"Gelu", 1},
        {"Mish", 1}, {"Swish", 1}, {"Attention", 3}, {"BitwiseAnd", 2},
        {"BitwiseOr", 2}, {"BitwiseXor", 2}, {"BitwiseNot", 1},
        {"BitCast", 1}, {"CumProd", 2}, {"RotaryEmbedding", 3},
        {"SwiGLU", 2}, {"AffineGrid", 2}, {"CenterCropPad", 2},
        {"Col2Im", 3}, {"TensorScatter", 2}};
    const auto *schema = onnx::OpSchemaRegistry::Schema(node.op_type(),
                                                        kTargetOpset, "");
    auto added = newOps.find(node.op_type());
    if (!schema && added == newOps.end())
      continue; // not imported: reported as unsupported
    std::string name = node.name().empty()
                           ? node.op_type() + "_" + std::to_string(index - 1)
                           : node.name();
    int required = schema ? schema->min_input() : added->second;
    if (node.input_size() < required) {
      error = "node '" + name + "': " + node.op_type() + " needs " +
              std::to_string(required) + " inputs, got " +
              std::to_string(node.input_size());
      return false;
    }
    for (int i = 0; i < required; ++i)
      if (node.input(i).empty()) {
        error = "node '" + name + "': required input " + std::to_string(i) +
                " of " + node.op_type() + " is empty";
        return false;
      }
    int outputs = schema ? schema->min_output() : 1;
    if (node.output_size() < std::max(outputs, 1)) {
      error = "node '" + name + "': " + node.op_type() + " needs " +
              std::to_string(outputs) + " outputs";
      return false;
    }
  }
  return true;
}

/// Applies `shapes` to the graph inputs; false with `error` on a mismatch.
static bool applyInputShapes(onnx::ModelProto &model, const InputShapes &shapes,
                             std::string &error) {
  for (const auto &[name, dims] : shapes) {
    onnx::ValueInfoProto *input = nullptr;
    for (auto &in : *model.mutable_graph()->mutable_input())
      if (in.name() == name)
        input = &in;
    if (!input || !input->type().has_tensor_type()) {
      error = "the model has no tensor input '" + name + "'";
      return false;
    }
    auto *shape = input->mutable_type()->mutable_tensor_type()->mutable_shape();
    if (shape->dim_size() != 0 && shape->dim_size() != int(dims.size())) {
      error = "input '" + name + "' has rank " +
              std::to_string(shape->dim_size()) + ", the given shape has rank " +
              std::to_string(dims.size());
      return false;
    }
    for (size_t i = 0; i < dims.size(); ++i) {
      if (int(i) < shape->dim_size() && shape->dim(int(i)).has_dim_value() &&
          dims[i] >= 0 && shape->dim(int(i)).dim_value() != dims[i]) {
        error = "input '" + name + "' has static dim " + std::to_string(i) +
                " = " + std::to_string(shape->dim(int(i)).dim_value()) +
                ", not " + std::to_string(dims[i]);
        return false;
      }
    }
    // '?' (-1) keeps a dim symbolic: its name if it has one, else
    // NAME_dimI.
    std::vector<std::string> names(dims.size());
    for (size_t i = 0; i < dims.size(); ++i)
      names[i] = int(i) < shape->dim_size() && shape->dim(int(i)).has_dim_param()
                     ? shape->dim(int(i)).dim_param()
                     : name + "_dim" + std::to_string(i);
    shape->clear_dim();
    for (size_t i = 0; i < dims.size(); ++i) {
      if (dims[i] >= 0)
        shape->add_dim()->set_dim_value(dims[i]);
      else
        shape->add_dim()->set_dim_param(names[i]);
    }
  }
  return true;
}

bool loadOnnxModel(const std::string &path, onnx::ModelProto &model,
                   std::string &error, const InputShapes &shapes) {
  std::string bytes;
  if (!readFile(path, bytes, error))
    return false;
  google::protobuf::io::CodedInputStream stream(
      reinterpret_cast<const uint8_t *>(bytes.data()), int(bytes.size()));
  stream.SetTotalBytesLimit(INT32_MAX);
  if (!model.ParseFromCodedStream(&stream) || !stream.ConsumedEntireMessage()) {
    error = "'" + path + "' is not a valid ONNX model (protobuf parse failed: "
            "truncated or not a ModelProto)";
    return false;
  }
  if (!model.has_graph() || model.graph().node_size() == 0) {
    error = "'" + path + "' holds no graph nodes: not an ONNX model";
    return false;
  }
  if (!checkAttributeRanges(model, error) || !checkOutputsDefined(model, error) ||
      !loadExternalData(model, path, error) ||
      !applyInputShapes(model, shapes, error)) {
    error = "'" + path + "': " + error;
    return false;
  }
  try {
    int opset = defaultOpset(model);
    if (opset < 1 || opset > kNewestOpset) {
      error = "'" + path + "' uses opset " + std::to_string(opset) +
              "; Kiln supports opsets up to " + std::to_string(kNewestOpset);
      return false;
    }
    if (opset > kTargetOpset) {
      if (!checkNewerOpsetNodes(model, error)) {
        error = "'" + path + "': " + error;
        return false;
      }
      return true;
    }
    onnx::checker::check_model(model);
    onnx::ShapeInferenceOptions options{/*check_type=*/true,
                                        /*error_mode=*/0,
                                        /*enable_data_propagation=*/true};
    if (opset != kTargetOpset) {
      if (!checkConvertibleDims(model, error)) {
        error = "'" + path + "': " + error;
        return false;
      }
      // The converter's adapters for old broadcasting and Softmax need the
      // shapes of their inputs: infer them in the model's own opset first,
      // as far as old models allow (they break their opset's type rules,
      // an int64 Constant in opset 6 say, so types are not checked here).
      try {
        onnx::ShapeInferenceOptions lenient{/*check_type=*/false,
                                            /*error_mode=*/0,
                                            /*enable_data_propagation=*/true};
        onnx::shape_inference::InferShapes(
            model, onnx::OpSchemaRegistry::Instance(), lenient);
      } catch (const std::exception &) {
        // Best effort: the converter reports what it still cannot adapt.
      }
      model = onnx::version_conversion::ConvertVersion(model, kTargetOpset);
      auto *prop = model.add_metadata_props();
      prop->set_key(kSourceOpsetKey);
      prop->set_value(std::to_string(opset));
    }
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(),
                                       options);
  } catch (const std::exception &e) {
    std::string msg = e.what();
    if (auto nl = msg.find('\n'); nl != std::string::npos)
      msg.resize(nl);
    error = "'" + path + "' failed ONNX validation: " + msg;
    return false;
  }
  return true;
}

} // namespace kiln::onnx_frontend
