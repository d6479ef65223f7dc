//===- GraphImporter.cpp - TensorFlow GraphDef to kiln dialect ------------===//
//
// See GraphImporter.h. Nodes are visited from the fetches back (an explicit
// stack, so deep graphs cannot overflow the C++ stack) and imported in that
// post-order; a node met again while still open is a cycle (a TF1 loop
// closes its cycle through NextIteration, which the ordering skips:
// LoopImporter.cpp).
//
//===----------------------------------------------------------------------===//

#include "frontends/tf/GraphImporter.h"
#include "frontends/tf/GraphImporterImpl.h"
#include "frontends/tf/TfNodeContext.h"
#include "frontends/tf/TfTensors.h"

#include "ir/ConstantData.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;

namespace kiln::tf_frontend {
namespace detail {

/// Ops that forward their inputs unchanged at inference time.
bool isPassThrough(llvm::StringRef op) {
  return op == "Identity" || op == "IdentityN" || op == "StopGradient" ||
         op == "Snapshot" || op == "PreventGradient" || op == "EnsureShape" ||
         op == "CheckNumerics";
}

/// Ops the importer handles itself (no registry entry).
bool isBuiltin(llvm::StringRef op) {
  return op == "Const" || op == "Placeholder" || op == "Switch" ||
         op == "Merge" ||
         op == "PlaceholderWithDefault" || op == "NoOp" || isPassThrough(op) ||
         isArrayOp(op);
}


LogicalResult GraphImporter::indexNodes() {
  for (const auto &n : graph.node()) {
    if (n.name().empty())
      return emitError(FileLineColLoc::get(ctx, request.path, 0, 0))
             << "a node of op '" << n.op() << "' has no name";
    if (!nodes.try_emplace(n.name(), &n).second)
      return emitError(nodeLoc(n.name()))
             << "two nodes are named '" << n.name() << "'";
  }
  return success();
}

LogicalResult GraphImporter::order(const std::vector<std::string> &fetches) {
  enum State { Open, Done };
  llvm::StringMap<State> state;
  for (const std::string &fetch : fetches) {
    Ref root = parseRef(fetch);
    if (!nodes.count(root.node))
      return emitError(nodeLoc(root.node))
             << "the graph has no node '" << root.node << "' to fetch";
    // (node, its inputs, next input to visit)
    struct Entry {
      const tensorflow::NodeDef *node;
      SmallVector<Ref> deps;
      size_t next = 0;
    };
    std::vector<Entry> stack;
    if (!state.count(root.node)) {
      stack.push_back({nodes[root.node], depsOf(*nodes[root.node])});
      state[root.node] = Open;
    }
    while (!stack.empty()) {
      Entry &top = stack.back();
      const tensorflow::NodeDef *node = top.node;
      // A fed node's inputs are not evaluated.
      bool fed = feeds.contains(node->name());
      if (fed || top.next == top.deps.size()) {
        state[node->name()] = Done;
        postOrder.push_back(node);
        stack.pop_back();
        continue;
      }
      Ref in = top.deps[top.next++];
      auto it = nodes.find(in.node);
      if (it == nodes.end())
        return emitError(nodeLoc(node->name()))
               << "input '" << in.node << "' of node '" << node->name()
               << "' names no node of the graph";
      if (in.control)
        continue; // ordering only; no value flows
      auto st = state.find(in.node);
      if (st == state.end()) {
        state[in.node] = Open;
        stack.push_back({it->second, depsOf(*it->second)});
      } else if (st->second == Open && cycleAt.empty()) {
        // Reported after the unsupported ops: a TF1 loop's Enter/Merge/
        // NextIteration nodes say more than the cycle they make.
        cycleAt = node->name();
        cycleThrough = in.node;
      }
    }
  }
  return success();
}

LogicalResult GraphImporter::declareFeeds(func::FuncOp &func) {
  for (const auto &[name, shape] : request.shapes)
    if (!nodes.count(name))
      return emitError(nodeLoc(name))
             << "the graph has no node '" << name << "' to feed";
  for (const auto &[name, tensor] : request.frozen)
    if (!nodes.count(name))
      return emitError(nodeLoc(name))
             << "the graph has no node '" << name << "' to freeze";
  SmallVector<Type> types;
  SmallVector<std::string> argNames;
  for (const tensorflow::NodeDef *node : postOrder) {
    if (!feeds.contains(node->name()) || request.frozen.count(node->name()))
      continue;
    TfNodeContext nc(*node, nodeLoc(node->name()), builder, {});
    const auto *dtype = nc.attr("dtype");
    if (!dtype)
      dtype = nc.attr("T");
    Type et = dtype ? elementTypeFor(ctx, dtype->type()) : Type();
    if (!et)
      return nc.error() << "feed '" << node->name() << "' has type "
                        << (dtype ? dtypeName(dtype->type()) : "unknown")
                        << ", which Kiln cannot take as an input";
    SmallVector<int64_t> dims;
    auto given = request.shapes.find(node->name());
    if (given != request.shapes.end()) {
      for (int64_t d : given->second)
        dims.push_back(d < 0 ? ShapedType::kDynamic : d);
    } else {
      auto declared = placeholderDims(*node, graph.versions().producer());
      if (failed(declared))
        return nc.error() << "feed '" << node->name() << "' has no known "
                          << "rank; give its shape with --input-shape "
                          << node->name() << "=AxBxC";
      dims = *declared;
    }
    types.push_back(RankedTensorType::get(dims, et));
    argNames.push_back(node->name());
  }
  builder.setInsertionPointToEnd(func->getParentOfType<ModuleOp>().getBody());
  func.setFunctionType(builder.getFunctionType(types, {}));
  Block *entry = func.addEntryBlock();
  builder.setInsertionPointToStart(entry);
  for (auto [i, name] : llvm::enumerate(argNames)) {
    scopes[0][name] = {entry->getArgument(i)};
    auto pub = names.feeds.find(name);
    func.setArgAttr(i, "kiln.name", builder.getStringAttr(
                                        pub != names.feeds.end() ? pub->second
                                                                 : name));
  }
  for (const auto &[name, tensor] : request.frozen) {
    Type et = Type();
    switch (tensor.dtype) {
    case KILN_DTYPE_FLOAT32: et = builder.getF32Type(); break;
    case KILN_DTYPE_INT32: et = builder.getI32Type(); break;
    case KILN_DTYPE_INT64: et = builder.getI64Type(); break;
    default: break;
    }
    if (!et)
      return emitError(nodeLoc(name)) << "frozen input '" << name << "' must "
                                      << "be float32, int32 or int64";
    auto type = RankedTensorType::get(tensor.shape, et);
    const char *data = reinterpret_cast<const char *>(tensor.bytes.data());
    scopes[0][name] = {ConstantOp::create(
        builder, nodeLoc(name),
        writeRawConstant(type, ArrayRef<char>(data, tensor.bytes.size())))};
  }
  return success();
}

FailureOr<Value> GraphImporter::valueOf(const Ref &ref, Location at) {
  SmallVector<Value> *outs = lookup(ref.node);
  if (!outs || ref.port >= int(outs->size()) || !(*outs)[ref.port])
    return emitError(at) << "output " << ref.port << " of node '" << ref.node
                         << "' is not available (an output Kiln does not "
                            "compute)";
  return (*outs)[ref.port];
}

LogicalResult GraphImporter::importNode(const tensorflow::NodeDef &node) {
  if (lookup(node.name()))
    return success(); // a feed, or imported already
  Location loc = nodeLoc(node.name());
  std::vector<Value> inputs;
  for (const std::string &in : node.input()) {
    Ref ref = parseRef(in);
    if (ref.control)
      continue;
    auto v = valueOf(ref, loc);
    if (failed(v))
      return failure();
    inputs.push_back(*v);
  }
  llvm::StringRef op = node.op();
  if (op == "NoOp") {
    scopes.back()[node.name()] = {};
    return success();
  }
  if (op == "Const") {
    auto it = node.attr().find("value");
    if (it == node.attr().end() || !it->second.has_tensor())
      return emitError(loc) << "Const node without a tensor value";
    std::string error;
    ElementsAttr attr = tensorToAttr(ctx, it->second.tensor(), error);
    if (!attr)
      return emitError(loc) << error;
    scopes.back()[node.name()] = {ConstantOp::create(builder, loc, attr)};
    return success();
  }
  if (op == "Placeholder")
    return emitError(loc) << "Placeholder '" << node.name()
                          << "' is read but not fed";
  if (op == "PlaceholderWithDefault" || isPassThrough(op)) {
    scopes.back()[node.name()] = SmallVector<Value>(inputs.begin(), inputs.end());
    return success();
  }
  if ((op == "Switch" || op == "Merge") && !loops.loopOf.count(node.name()))
    return importCondNode(node, inputs);
  if (isArrayOp(op))
    return importArrayNode(node, inputs);
  const auto &registry = tfImporterRegistry();
  auto it = registry.find(op);
  if (it == registry.end())
    return emitError(loc) << "op " << op << " is not supported by Kiln";
  TfNodeContext nc(node, loc, builder, std::move(inputs));
  SmallVector<Value> outs;
  if (failed(it->second(nc, outs)) || outs.empty() || !outs.front()) {
    if (nc.failedOp || outs.empty() || !outs.front())
      return emitError(loc) << "cannot import " << op << " node '"
                            << node.name() << "' with these operand types";
    return failure();
  }
  scopes.back()[node.name()] = outs;
  return success();
}

OwningOpRef<ModuleOp> GraphImporter::run() {
  if (failed(indexNodes()))
    return nullptr;
  std::string loopNode, loopError;
  if (!findLoops(graph, loops, loopNode, loopError)) {
    emitError(nodeLoc(loopNode)) << loopError;
    return nullptr;
  }
  std::vector<std::string> fetches =
      request.outputs.empty() ? defaultFetches(graph) : request.outputs;
  if (fetches.empty()) {
    emitError(FileLineColLoc::get(ctx, request.path, 0, 0))
        << "the graph computes nothing to fetch; name outputs with --outputs";
    return nullptr;
  }
  for (const auto &n : graph.node())
    if (n.op() == "Placeholder")
      feeds.insert(n.name());
  for (const auto &[name, shape] : request.shapes)
    feeds.insert(name);
  for (const auto &[name, tensor] : request.frozen)
    feeds.insert(name);
  for (const auto &[node, name] : names.feeds) {
    if (!nodes.count(node)) {
      emitError(nodeLoc(node)) << "the graph has no node '" << node
                               << "' to feed (as '" << name << "')";
      return nullptr;
    }
    feeds.insert(node);
  }
  if (failed(order(fetches)))
    return nullptr;
  // Every unsupported op the fetches need, reported at once.
  bool unsupported = false;
  for (const tensorflow::NodeDef *n : postOrder)
    if (!feeds.contains(n->name()) && !isBuiltin(n->op()) &&
        !tfImporterRegistry().count(n->op()) &&
        !loops.loopOf.count(n->name())) {
      if (n->op() == "VariableV2" || n->op() == "Variable" ||
          n->op() == "VarHandleOp")
        emitError(nodeLoc(n->name()))
            << "variable '" << n->name() << "' has no value: freeze the "
            << "graph, or compile the SavedModel whose checkpoint holds it";
      else if (isFrameOp(n->op()))
        emitError(nodeLoc(n->name()))
            << "op " << n->op() << " is not part of a while loop's frame";
      else
        emitError(nodeLoc(n->name())) << "op " << n->op()
                                      << " is not supported by Kiln";
      unsupported = true;
    }
  if (unsupported)
    return nullptr;
  if (!cycleAt.empty()) {
    emitError(nodeLoc(cycleAt)) << "the graph has a cycle through node '"
                                << cycleThrough << "'";
    return nullptr;
  }

  OwningOpRef<ModuleOp> module =
      ModuleOp::create(FileLineColLoc::get(ctx, request.path, 0, 0));
  builder.setInsertionPointToEnd(module->getBody());
  auto func = func::FuncOp::create(builder, module->getLoc(), "main",
                                   builder.getFunctionType({}, {}));
  if (failed(declareFeeds(func)))
    return nullptr;
  assignFrames();
  for (const tensorflow::NodeDef *node : postOrder) {
    auto loop = loops.loopOf.find(node->name());
    // Nodes in loops are imported into their loop's regions.
    if (frameOf.count(node->name()) || lookup(node->name()))
      continue;
    if (loop != loops.loopOf.end()
            ? failed(importLoop(loop->second))
            : failed(importNode(*node)))
      return nullptr;
  }
  SmallVector<Value> results;
  for (const std::string &fetch : fetches) {
    auto v = valueOf(parseRef(fetch), nodeLoc(parseRef(fetch).node));
    if (failed(v))
      return nullptr;
    results.push_back(*v);
  }
  func::ReturnOp::create(builder, module->getLoc(), results);
  func.setFunctionType(builder.getFunctionType(
      func.getArgumentTypes(), ValueRange(results).getTypes()));
  for (auto [i, fetch] : llvm::enumerate(fetches)) {
    auto pub = names.fetches.find(fetch);
    func.setResultAttr(i, "kiln.name",
                       builder.getStringAttr(pub != names.fetches.end()
                                                 ? pub->second
                                                 : fetch));
  }
  return module;
}

} // namespace detail

std::vector<std::string> defaultFetches(const tensorflow::GraphDef &graph) {
  llvm::StringSet<> read;
  for (const auto &n : graph.node())
    for (const std::string &in : n.input())
      read.insert(parseRef(in).node);
  std::vector<std::string> fetches;
  for (const auto &n : graph.node())
    if (!read.contains(n.name()) && n.op() != "NoOp" && n.op() != "Const" &&
        n.op() != "Placeholder")
      fetches.push_back(n.name());
  return fetches;
}

std::vector<UnsupportedNode> findUnsupportedNodes(const tensorflow::GraphDef &graph) {
  std::vector<UnsupportedNode> out;
  const auto &registry = tfImporterRegistry();
  // Frame ops are supported as parts of while loops; a graph whose frames
  // are not loops reports them (and the importer says why).
  TfLoops loops;
  std::string errorNode, error;
  if (!findLoops(graph, loops, errorNode, error))
    loops.loopOf.clear();
  for (const auto &n : graph.node())
    if (!detail::isBuiltin(n.op()) && !registry.count(n.op()) &&
        !loops.loopOf.count(n.name()))
      out.push_back({n.name(), n.op()});
  return out;
}

OwningOpRef<ModuleOp> importGraphDef(MLIRContext *ctx,
                                     const tensorflow::GraphDef &graph,
                                     const ImportRequest &request,
                                     const PublicNames &names) {
  return detail::GraphImporter(ctx, graph, request, names).run();
}

} // namespace kiln::tf_frontend
