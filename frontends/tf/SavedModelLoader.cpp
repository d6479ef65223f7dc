//===- SavedModelLoader.cpp - a SavedModel signature as a GraphDef --------===//
//
// TF1 SavedModels hold the signature's graph directly, variables as
// VariableV2 nodes whose checkpoint key is their name. TF2 SavedModels call
// a function (StatefulPartitionedCall) with the variables' resource
// handles (VarHandleOp) as captured inputs; the function body reads them
// (ReadVariableOp). Calls are inlined, each variable becomes a Const of its
// checkpoint value, and reads become Identity nodes.
//
//===----------------------------------------------------------------------===//

#include "frontends/tf/SavedModelLoader.h"
#include "frontends/tf/GraphLoader.h"
#include "frontends/tf/TensorBundle.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

namespace kiln::tf_frontend {
namespace {

bool isCall(llvm::StringRef op) {
  return op == "StatefulPartitionedCall" || op == "PartitionedCall";
}

/// A reference inside a function body ("arg", "node:out_arg:2") as a graph
/// reference ("prefix/node:2"), or the call input an argument stands for.
std::string mapFunctionRef(llvm::StringRef ref, const std::string &prefix,
                           const llvm::StringMap<std::string> &args) {
  llvm::SmallVector<llvm::StringRef, 3> parts;
  ref.split(parts, ':');
  if (parts.size() == 1) {
    auto it = args.find(parts[0]);
    return it != args.end() ? it->second : prefix + parts[0].str();
  }
  // node:output_arg:index -- the index within the op's output list, which
  // is the output port for every op with one output list.
  return prefix + parts[0].str() + ":" + parts.back().str();
}

} // namespace

bool inlineFunctionCalls(tensorflow::GraphDef &graph, std::string &error) {
  // A copy: the graph is rebuilt every round, the functions stay.
  const tensorflow::FunctionDefLibrary library = graph.library();
  llvm::StringMap<const tensorflow::FunctionDef *> functions;
  for (const auto &f : library.function())
    functions[f.signature().name()] = &f;
  for (int round = 0; round < 32; ++round) {
    tensorflow::GraphDef next;
    *next.mutable_versions() = graph.versions();
    bool inlined = false;
    for (const auto &node : graph.node()) {
      if (!isCall(node.op())) {
        *next.add_node() = node;
        continue;
      }
      auto f = node.attr().find("f");
      std::string name = f == node.attr().end() ? "" : f->second.func().name();
      auto it = functions.find(name);
      if (it == functions.end()) {
        error = "node '" + node.name() + "' calls function '" + name +
                "', which the graph's library lacks";
        return false;
      }
      const tensorflow::FunctionDef &fn = *it->second;
      std::string prefix = node.name() + "/";
      llvm::StringMap<std::string> args;
      int data = 0;
      for (const std::string &in : node.input()) {
        if (llvm::StringRef(in).starts_with("^"))
          continue;
        if (data < fn.signature().input_arg_size())
          args[fn.signature().input_arg(data).name()] = in;
        ++data;
      }
      for (const auto &body : fn.node_def()) {
        tensorflow::NodeDef *copy = next.add_node();
        *copy = body;
        copy->set_name(prefix + body.name());
        copy->clear_input();
        for (const std::string &in : body.input())
          if (!llvm::StringRef(in).starts_with("^"))
            copy->add_input(mapFunctionRef(in, prefix, args));
      }
      // The call's outputs, in output_arg order, through an IdentityN.
      tensorflow::NodeDef *outputs = next.add_node();
      outputs->set_name(node.name());
      outputs->set_op("IdentityN");
      for (const auto &arg : fn.signature().output_arg()) {
        auto r = fn.ret().find(arg.name());
        if (r == fn.ret().end()) {
          error = "function '" + name + "' does not return '" + arg.name() + "'";
          return false;
        }
        outputs->add_input(mapFunctionRef(r->second, prefix, args));
      }
      inlined = true;
    }
    *next.mutable_library() = library;
    graph.Swap(&next);
    if (!inlined)
      return true;
  }
  error = "function calls nest deeper than 32 levels";
  return false;
}

bool isSavedModelDir(const std::string &path) {
  llvm::SmallString<256> pb(path);
  llvm::sys::path::append(pb, "saved_model.pb");
  return llvm::sys::fs::is_directory(path) && llvm::sys::fs::exists(pb);
}

/// Replaces variables with Const nodes of their checkpoint values.
static bool freezeVariables(tensorflow::GraphDef &graph,
                            const std::string &dir, std::string &error) {
  bool any = false;
  for (const auto &n : graph.node())
    any |= n.op() == "VariableV2" || n.op() == "Variable" ||
           n.op() == "VarHandleOp";
  if (!any)
    return true;
  llvm::SmallString<256> prefix(dir);
  llvm::sys::path::append(prefix, "variables", "variables");
  TensorBundle bundle;
  if (!bundle.open(prefix.str().str(), error))
    return false;
  // TF2: a variable's checkpoint key comes from the object graph.
  std::map<std::string, std::string> keyOf;
  tensorflow::TensorProto objects;
  std::string ignored;
  if (bundle.read("_CHECKPOINTABLE_OBJECT_GRAPH", objects, ignored)) {
    tensorflow::TrackableObjectGraph og;
    // A scalar string tensor in a bundle: the varint length, a 4-byte
    // checksum of the lengths, then the bytes.
    const std::string &c = objects.tensor_content();
    google::protobuf::io::CodedInputStream in(
        reinterpret_cast<const uint8_t *>(c.data()), int(c.size()));
    uint64_t len = 0;
    uint32_t lengthsCrc = 0;
    std::string bytes;
    if (in.ReadVarint64(&len) && in.ReadLittleEndian32(&lengthsCrc) &&
        len < c.size() && in.ReadString(&bytes, int(len)) &&
        og.ParseFromString(bytes))
      for (const auto &obj : og.nodes())
        for (const auto &a : obj.attributes())
          if (a.name() == "VARIABLE_VALUE")
            keyOf[a.full_name()] = a.checkpoint_key();
  }
  for (auto &n : *graph.mutable_node()) {
    if (n.op() == "ReadVariableOp") {
      n.set_op("Identity");
      continue;
    }
    if (n.op() != "VariableV2" && n.op() != "Variable" &&
        n.op() != "VarHandleOp")
      continue;
    std::string key = n.name();
    if (n.op() == "VarHandleOp") {
      auto shared = n.attr().find("shared_name");
      std::string name =
          shared != n.attr().end() ? shared->second.s() : n.name();
      auto it = keyOf.find(name);
      // Without an object graph, Keras' naming of a top-level variable.
      key = it != keyOf.end() ? it->second
                              : name + "/.ATTRIBUTES/VARIABLE_VALUE";
    }
    tensorflow::TensorProto value;
    std::string why;
    if (!bundle.entries().count(key))
      continue; // not a saved variable; reported if a fetch needs it
    if (!bundle.read(key, value, why)) {
      error = "variable '" + n.name() + "': " + why;
      return false;
    }
    n.set_op("Const");
    n.clear_input();
    n.mutable_attr()->clear();
    (*n.mutable_attr())["dtype"].set_type(value.dtype());
    (*n.mutable_attr())["value"].mutable_tensor()->Swap(&value);
  }
  return true;
}

bool loadSavedModel(const std::string &dir, const std::string &signatureKey,
                    tensorflow::GraphDef &graph, GraphSignature &signature,
                    std::string &error) {
  llvm::SmallString<256> path(dir);
  llvm::sys::path::append(path, "saved_model.pb");
  tensorflow::SavedModel model;
  const std::string notSavedModel = "not a SavedModel (truncated?)";
  if (!readBinaryProto(path.str().str(), model, notSavedModel, error))
    return false;
  if (model.meta_graphs_size() == 0) {
    error = "'" + path.str().str() + "' is " + notSavedModel;
    return false;
  }
  const tensorflow::MetaGraphDef *meta = &model.meta_graphs(0);
  for (const auto &m : model.meta_graphs())
    for (const std::string &tag : m.meta_info_def().tags())
      if (tag == "serve")
        meta = &m;
  std::string key = signatureKey.empty() ? "serving_default" : signatureKey;
  auto sig = meta->signature_def().find(key);
  if (sig == meta->signature_def().end()) {
    std::string known;
    for (const auto &[k, v] : meta->signature_def())
      if (k != "__saved_model_init_op")
        known += (known.empty() ? "" : ", ") + k;
    error = "'" + dir + "' has no signature '" + key + "' (it has: " +
            (known.empty() ? "none" : known) + "); choose one with --signature";
    return false;
  }
  for (const auto &[name, info] : sig->second.inputs())
    signature.inputs.push_back({name, info.name()});
  for (const auto &[name, info] : sig->second.outputs())
    signature.outputs.push_back({name, info.name()});
  // Protobuf maps have no order: sort by name so the ABI is stable.
  llvm::sort(signature.inputs);
  llvm::sort(signature.outputs);
  graph = meta->graph_def();
  return inlineFunctionCalls(graph, error) &&
         freezeVariables(graph, dir, error);
}

} // namespace kiln::tf_frontend
