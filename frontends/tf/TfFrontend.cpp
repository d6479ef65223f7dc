//===- TfFrontend.cpp - TensorFlow behind the frontend interface ----------===//

#include "frontends/tf/TfFrontend.h"
#include "frontends/tf/GraphImporter.h"
#include "frontends/tf/GraphLoader.h"
#include "frontends/tf/TfTensors.h"
#include "frontends/tf/TfjsLoader.h"

#include "mlir/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace kiln {
namespace {

/// A GraphDef from any of the TensorFlow formats Kiln reads.
bool loadGraph(const std::string &path, tensorflow::GraphDef &graph,
               std::string &error) {
  if (llvm::StringRef(path).ends_with(".json"))
    return tf_frontend::loadTfjsModel(path, graph, error);
  return tf_frontend::loadGraphDef(path, graph, error);
}

class TfFrontend final : public Frontend {
public:
  llvm::StringRef name() const override { return "tf"; }

  bool claims(llvm::StringRef path) const override {
    return path.ends_with(".pb") || path.ends_with(".pbtxt") ||
           path.ends_with(".json");
  }

  OwningOpRef<ModuleOp> import(MLIRContext &ctx,
                               const ImportRequest &request) const override {
    tensorflow::GraphDef graph;
    std::string error;
    if (!loadGraph(request.path, graph, error)) {
      llvm::errs() << "kiln: error: " << error << "\n";
      return nullptr;
    }
    OwningOpRef<ModuleOp> module =
        tf_frontend::importGraphDef(&ctx, graph, request);
    if (module && failed(verify(*module)))
      return nullptr;
    return module;
  }

  InputNeeds inputNeeds(const ImportRequest &request) const override {
    tensorflow::GraphDef graph;
    std::string error;
    InputNeeds needs;
    if (!loadGraph(request.path, graph, error))
      return needs;
    for (const auto &n : graph.node()) {
      if (n.op() != "Placeholder")
        continue;
      auto dims = tf_frontend::placeholderDims(n, graph.versions().producer());
      if (failed(dims) || llvm::any_of(*dims, ShapedType::isDynamic))
        needs.dynamic.insert(n.name());
    }
    return needs;
  }

  bool summarize(const ImportRequest &request, ModelSummary &summary,
                 std::string &error) const override {
    tensorflow::GraphDef graph;
    if (!loadGraph(request.path, graph, error))
      return false;
    summary.description = "tensorflow GraphDef, producer version " +
                          std::to_string(graph.versions().producer());
    auto dimsText = [&](const tensorflow::NodeDef &n) {
      auto dims = tf_frontend::placeholderDims(n, graph.versions().producer());
      if (failed(dims))
        return std::string("(unknown rank)");
      std::string s = "[";
      for (int64_t d : *dims)
        s += (s.size() > 1 ? ", " : "") +
             (ShapedType::isDynamic(d) ? std::string("?") : std::to_string(d));
      return s + "]";
    };
    for (const auto &n : graph.node()) {
      summary.histogram[n.op()]++;
      if (n.op() == "Placeholder") {
        auto it = n.attr().find("dtype");
        summary.inputs.push_back(
            {n.name(),
             it == n.attr().end() ? "?" : tf_frontend::dtypeName(it->second.type()),
             dimsText(n)});
      }
      if (n.op() == "Const") {
        auto it = n.attr().find("value");
        if (it != n.attr().end()) {
          int64_t count = 1;
          for (const auto &d : it->second.tensor().tensor_shape().dim())
            count *= std::max<int64_t>(d.size(), 0);
          summary.parameters += count;
        }
      }
    }
    for (const std::string &f : request.outputs.empty()
                                    ? tf_frontend::defaultFetches(graph)
                                    : request.outputs)
      summary.outputs.push_back({f, "", ""});
    for (const auto &u : tf_frontend::findUnsupportedNodes(graph))
      summary.unsupported.push_back(u);
    return true;
  }
};

} // namespace

const Frontend &tfFrontend() {
  static const TfFrontend frontend;
  return frontend;
}

} // namespace kiln
