//===- TfFrontend.cpp - TensorFlow behind the frontend interface ----------===//

#include "frontends/tf/TfFrontend.h"
#include "frontends/tf/GraphImporter.h"
#include "frontends/tf/GraphLoader.h"
#include "frontends/tf/TfTensors.h"
#include "frontends/tf/ConfigLoader.h"
#include "frontends/tf/SavedModelLoader.h"
#include "frontends/tf/TfjsLoader.h"

#include "mlir/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace kiln {
namespace {

/// A GraphDef from any of the TensorFlow formats Kiln reads; for a
/// SavedModel also its signature.
bool loadGraph(const ImportRequest &request, tensorflow::GraphDef &graph,
               tf_frontend::GraphSignature *signature, std::string &error) {
  const std::string &path = request.path;
  if (tf_frontend::isSavedModelDir(path)) {
    tf_frontend::GraphSignature local;
    return tf_frontend::loadSavedModel(path, request.signature, graph,
                                       signature ? *signature : local, error);
  }
  if (!request.signature.empty()) {
    error = "--signature is for SavedModel directories";
    return false;
  }
  bool loaded = llvm::StringRef(path).ends_with(".json")
                    ? tf_frontend::loadTfjsModel(path, graph, error)
                    : tf_frontend::loadGraphDef(path, graph, error);
  // Frozen TF2 graphs may still call functions of their library.
  return loaded && tf_frontend::inlineFunctionCalls(graph, error);
}

/// The node of a feed ref "x:0".
std::string nodeOf(const std::string &ref) {
  return llvm::StringRef(ref).rsplit(':').first.str();
}

/// Restates a request in a signature's public names as one in graph names.
bool toGraphNames(const ImportRequest &request,
                  const tf_frontend::GraphSignature &sig,
                  ImportRequest &graphRequest, tf_frontend::PublicNames &names,
                  std::string &error) {
  graphRequest = request;
  graphRequest.shapes.clear();
  graphRequest.frozen.clear();
  graphRequest.outputs.clear();
  std::map<std::string, std::string> nodeOfInput;
  for (const auto &[name, ref] : sig.inputs) {
    if (!llvm::StringRef(ref).ends_with(":0")) {
      error = "input '" + name + "' is output " + ref +
              ", not a node's first output";
      return false;
    }
    nodeOfInput[name] = nodeOf(ref);
    names.feeds[nodeOf(ref)] = name;
  }
  for (const auto &[name, dims] : request.shapes) {
    auto it = nodeOfInput.find(name);
    if (it == nodeOfInput.end()) {
      error = "the signature (or --config) has no input '" + name + "'";
      return false;
    }
    graphRequest.shapes[it->second] = dims;
  }
  for (const auto &[name, t] : request.frozen) {
    auto it = nodeOfInput.find(name);
    if (it == nodeOfInput.end()) {
      error = "the signature (or --config) has no input '" + name + "' to freeze";
      return false;
    }
    graphRequest.frozen[it->second] = t;
  }
  for (const auto &[name, ref] : sig.outputs) {
    bool wanted = request.outputs.empty() ||
                  llvm::is_contained(request.outputs, name);
    if (!wanted)
      continue;
    std::string graphRef = llvm::StringRef(ref).ends_with(":0") ? nodeOf(ref)
                                                                : ref;
    graphRequest.outputs.push_back(graphRef);
    names.fetches[graphRef] = name;
  }
  for (const std::string &want : request.outputs)
    if (!llvm::any_of(sig.outputs, [&](auto &o) { return o.first == want; })) {
      error = "the signature (or --config) has no output '" + want + "'";
      return false;
    }
  return true;
}

class TfFrontend final : public Frontend {
public:
  llvm::StringRef name() const override { return "tf"; }

  bool claims(llvm::StringRef path) const override {
    return path.ends_with(".pb") || path.ends_with(".pbtxt") ||
           path.ends_with(".json") ||
           tf_frontend::isSavedModelDir(path.str());
  }

  OwningOpRef<ModuleOp> import(MLIRContext &ctx,
                               const ImportRequest &request) const override {
    tensorflow::GraphDef graph;
    tf_frontend::GraphSignature signature;
    std::string error;
    if (!loadGraph(request, graph, &signature, error)) {
      llvm::errs() << "kiln: error: " << error << "\n";
      return nullptr;
    }
    ImportRequest graphRequest = request;
    tf_frontend::PublicNames names;
    ImportRequest withConfig = request;
    bool named = tf_frontend::isSavedModelDir(request.path);
    if (!request.config.empty()) {
      // The config's feeds and fetches replace the graph's or signature's;
      // --input-shape still wins over a feed's shape.
      signature = {};
      std::map<std::string, std::vector<int64_t>> shapes;
      if (!tf_frontend::loadTf2XlaConfig(request.config, signature, shapes,
                                         error)) {
        llvm::errs() << "kiln: error: " << error << "\n";
        return nullptr;
      }
      for (auto &[name, dims] : shapes)
        withConfig.shapes.insert({name, dims});
      named = true;
    }
    if (named &&
        !toGraphNames(withConfig, signature, graphRequest, names, error)) {
      llvm::errs() << "kiln: error: " << error << "\n";
      return nullptr;
    }
    OwningOpRef<ModuleOp> module =
        tf_frontend::importGraphDef(&ctx, graph, graphRequest, names);
    if (module && failed(verify(*module)))
      return nullptr;
    return module;
  }

  InputNeeds inputNeeds(const ImportRequest &request) const override {
    tensorflow::GraphDef graph;
    std::string error;
    InputNeeds needs;
    if (!loadGraph(request, graph, nullptr, error))
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
    tf_frontend::GraphSignature signature;
    if (!loadGraph(request, graph, &signature, error))
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
    if (tf_frontend::isSavedModelDir(request.path)) {
      // A SavedModel is used through its signature's names.
      summary.description = "tensorflow SavedModel, signature " +
                            (request.signature.empty() ? std::string("serving_default")
                                                       : request.signature);
      summary.inputs.clear();
      for (const auto &[name, ref] : signature.inputs)
        summary.inputs.push_back({name, "", "(" + ref + ")"});
      for (const auto &[name, ref] : signature.outputs)
        summary.outputs.push_back({name, "", "(" + ref + ")"});
    } else {
      for (const std::string &f : request.outputs.empty()
                                      ? tf_frontend::defaultFetches(graph)
                                      : request.outputs)
        summary.outputs.push_back({f, "", ""});
    }
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
