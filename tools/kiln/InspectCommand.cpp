//===- InspectCommand.cpp - `kiln inspect` --------------------------------===//
//
// Reads the normalised ModelProto directly: no MLIR is built, so it also
// works on models that Kiln cannot import.
//
//===----------------------------------------------------------------------===//

#include "InspectCommand.h"

#include "frontends/onnx/Importer.h"
#include "frontends/onnx/ModelLoader.h"

#include <cstdio>
#include <map>
#include <set>

namespace kiln {

static std::string dtypeName(int t) {
  switch (t) {
  case 1: return "float32";
  case 2: return "uint8";
  case 3: return "int8";
  case 6: return "int32";
  case 7: return "int64";
  case 9: return "bool";
  case 10: return "float16";
  case 11: return "float64";
  default: return "type" + std::to_string(t);
  }
}

static std::string shapeOf(const onnx::ValueInfoProto &v) {
  if (!v.type().tensor_type().has_shape())
    return "[?]";
  std::string s = "[";
  for (const auto &d : v.type().tensor_type().shape().dim()) {
    if (s.size() > 1)
      s += ", ";
    s += d.has_dim_value() ? std::to_string(d.dim_value())
                           : (d.dim_param().empty() ? "?" : d.dim_param());
  }
  return s + "]";
}

int inspectCommand(const std::string &modelPath) {
  onnx::ModelProto model;
  std::string error;
  if (!onnx_frontend::loadOnnxModel(modelPath, model, error)) {
    std::fprintf(stderr, "kiln: error: %s\n", error.c_str());
    return 2;
  }
  const auto &g = model.graph();
  std::set<std::string> inits;
  int64_t params = 0;
  for (const auto &t : g.initializer()) {
    inits.insert(t.name());
    int64_t n = 1;
    for (int64_t d : t.dims())
      n *= d;
    params += n;
  }
  std::printf("model: %s (opset %d after conversion, producer %s)\n",
              modelPath.c_str(), onnx_frontend::defaultOpset(model),
              model.producer_name().c_str());
  std::printf("inputs:\n");
  for (const auto &in : g.input())
    if (!inits.count(in.name()))
      std::printf("  %s: %s %s\n", in.name().c_str(),
                  dtypeName(in.type().tensor_type().elem_type()).c_str(),
                  shapeOf(in).c_str());
  std::printf("outputs:\n");
  for (const auto &out : g.output())
    std::printf("  %s: %s %s\n", out.name().c_str(),
                dtypeName(out.type().tensor_type().elem_type()).c_str(),
                shapeOf(out).c_str());
  std::map<std::string, int> histogram;
  for (const auto &n : g.node())
    histogram[n.op_type()]++;
  std::printf("ops (%d nodes):\n", g.node_size());
  for (const auto &[op, count] : histogram)
    std::printf("  %-24s %d\n", op.c_str(), count);
  std::printf("parameters: %lld\n", (long long)params);
  auto unsupported = onnx_frontend::findUnsupportedNodes(model);
  if (unsupported.empty()) {
    std::printf("unsupported ops: none\n");
  } else {
    std::printf("unsupported ops (%zu nodes):\n", unsupported.size());
    for (const auto &u : unsupported)
      std::printf("  %s (node '%s')\n", u.opType.c_str(), u.name.c_str());
  }
  return 0;
}

} // namespace kiln
