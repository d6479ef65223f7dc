//===- GraphImporter.cpp - TensorFlow GraphDef to kiln dialect ------------===//
//
// See GraphImporter.h. Nodes are visited from the fetches back (an explicit
// stack, so deep graphs cannot overflow the C++ stack) and imported in that
// post-order; a node met again while still open is a cycle (TF1 loops).
//
//===----------------------------------------------------------------------===//

#include "frontends/tf/GraphImporter.h"
#include "frontends/tf/TfLoops.h"
#include "frontends/tf/TfNodeContext.h"
#include "frontends/tf/TfTensors.h"

#include "ir/ConstantData.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;

namespace kiln::tf_frontend {
namespace {

/// Ops that forward their inputs unchanged at inference time.
bool isPassThrough(llvm::StringRef op) {
  return op == "Identity" || op == "IdentityN" || op == "StopGradient" ||
         op == "Snapshot" || op == "PreventGradient" || op == "EnsureShape" ||
         op == "CheckNumerics";
}

/// Ops the importer handles itself (no registry entry).
bool isBuiltin(llvm::StringRef op) {
  return op == "Const" || op == "Placeholder" ||
         op == "PlaceholderWithDefault" || op == "NoOp" || isPassThrough(op);
}

class GraphImporter {
public:
  GraphImporter(MLIRContext *ctx, const tensorflow::GraphDef &graph,
                const ImportRequest &request, const PublicNames &names)
      : ctx(ctx), graph(graph), request(request), names(names), builder(ctx) {}

  OwningOpRef<ModuleOp> run();

private:
  Location nodeLoc(llvm::StringRef name) {
    return NameLoc::get(StringAttr::get(ctx, name),
                        FileLineColLoc::get(ctx, request.path, 0, 0));
  }
  LogicalResult indexNodes();
  SmallVector<Ref> depsOf(const tensorflow::NodeDef &node);
  LogicalResult order(const std::vector<std::string> &fetches);
  void assignFrames();
  LogicalResult declareFeeds(func::FuncOp &func);
  LogicalResult importNode(const tensorflow::NodeDef &node);
  FailureOr<Value> valueOf(const Ref &ref, Location at);
  SmallVector<Value> *lookup(llvm::StringRef name);
  LogicalResult importLoop(size_t index);
  FailureOr<SmallVector<Value>> importRegion(const TfLoop &loop, Region &region,
                                             TypeRange types, bool body);

  MLIRContext *ctx;
  const tensorflow::GraphDef &graph;
  const ImportRequest &request;
  const PublicNames &names;
  OpBuilder builder;
  llvm::StringMap<const tensorflow::NodeDef *> nodes;
  std::vector<const tensorflow::NodeDef *> postOrder;
  /// Node values by scope: the function body, then one scope per loop
  /// region being imported (inner scopes see the outer ones).
  std::vector<llvm::StringMap<SmallVector<Value>>> scopes{1};
  TfLoops loops;
  /// 1 + the index of the innermost loop each ordered node belongs to; 0
  /// (absent) for nodes outside every loop.
  llvm::StringMap<size_t> frameOf;
  llvm::StringSet<> feeds;
  /// The first edge found closing a cycle (node, the input it reads).
  std::string cycleAt, cycleThrough;
};

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

/// A node's inputs, for ordering. A loop's Merge is ordered after its Enter
/// only (its NextIteration input closes the loop's cycle), and an Exit after
/// the whole loop (every NextIteration and the LoopCond), so a loop's nodes
/// all come before the first Exit that reads the loop's results.
SmallVector<Ref> GraphImporter::depsOf(const tensorflow::NodeDef &node) {
  SmallVector<Ref> deps;
  auto loop = loops.loopOf.find(node.name());
  for (const std::string &in : node.input()) {
    Ref r = parseRef(in);
    if (loop != loops.loopOf.end() && node.op() == "Merge") {
      auto src = nodes.find(r.node);
      if (src != nodes.end() && src->second->op() == "NextIteration")
        continue;
    }
    deps.push_back(r);
  }
  if (loop != loops.loopOf.end() && node.op() == "Exit") {
    const TfLoop &l = loops.loops[loop->second];
    for (const TfLoopVar &var : l.vars)
      deps.push_back(Ref{var.next->name()});
    deps.push_back(Ref{l.loopCond->name()});
  }
  return deps;
}

/// frameOf for every ordered node: a loop's own nodes are in it (an Exit
/// is in the loop's parent), and any other node is in the frame of its
/// first data input, or of its first control input when it has none (a
/// constant in a loop body); a node with neither is outside every loop.
void GraphImporter::assignFrames() {
  auto frame = [&](const Ref &r) { return frameOf.lookup(r.node); };
  for (const tensorflow::NodeDef *node : postOrder) {
    auto loop = loops.loopOf.find(node->name());
    size_t f = 0;
    if (loop != loops.loopOf.end()) {
      const TfLoop &l = loops.loops[loop->second];
      const tensorflow::NodeDef *enter =
          l.vars.empty() ? l.invariants.front() : l.vars.front().enter;
      f = node->op() == "Exit" ? frame(parseRef(enter->input(0)))
                               : loop->second + 1;
    } else {
      std::optional<size_t> data, control;
      for (const std::string &in : node->input()) {
        Ref r = parseRef(in);
        auto &slot = r.control ? control : data;
        if (!slot)
          slot = frame(r);
      }
      f = data ? *data : control.value_or(0);
    }
    if (f)
      frameOf[node->name()] = f;
  }
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

SmallVector<Value> *GraphImporter::lookup(llvm::StringRef name) {
  for (auto scope = scopes.rbegin(); scope != scopes.rend(); ++scope) {
    auto it = scope->find(name);
    if (it != scope->end())
      return &it->second;
  }
  return nullptr;
}

/// Imports the nodes of `loop` that `region` needs into it: the cond region
/// computes the LoopCond's input, the body each NextIteration's input. Its
/// block takes the loop variables (of `types`), which stand for the Merge
/// nodes (and, in the body, the Switch nodes' true outputs); invariants
/// are the values their Enter nodes read from outside. Returns what the
/// region yields.
FailureOr<SmallVector<Value>>
GraphImporter::importRegion(const TfLoop &loop, Region &region, TypeRange types,
                            bool body) {
  SmallVector<Location> locs;
  for (const TfLoopVar &var : loop.vars)
    locs.push_back(nodeLoc(var.merge->name()));
  Block *block = builder.createBlock(&region, {}, types, locs);
  llvm::StringMap<SmallVector<Value>> scope;
  for (const tensorflow::NodeDef *inv : loop.invariants) {
    auto v = valueOf(parseRef(inv->input(0)), nodeLoc(inv->name()));
    if (failed(v))
      return failure();
    scope[inv->name()] = {*v};
  }
  for (auto [i, var] : llvm::enumerate(loop.vars)) {
    scope[var.merge->name()] = {block->getArgument(i), Value()};
    if (body)
      scope[var.sw->name()] = {Value(), block->getArgument(i)};
  }
  scopes.push_back(std::move(scope));
  auto popScope = llvm::make_scope_exit([&] { scopes.pop_back(); });
  SmallVector<Ref> targets;
  if (body)
    for (const TfLoopVar &var : loop.vars)
      targets.push_back(parseRef(var.next->input(0)));
  else
    targets.push_back(parseRef(loop.loopCond->input(0)));
  // The region's nodes in the global order: everything of this frame (and
  // of loops nested in it) the targets need that no scope holds yet.
  llvm::StringSet<> needed;
  SmallVector<std::string> work;
  for (const Ref &t : targets)
    work.push_back(t.node);
  while (!work.empty()) {
    std::string name = work.pop_back_val();
    if (lookup(name) || !needed.insert(name).second)
      continue;
    const tensorflow::NodeDef &node = *nodes[name];
    auto inner = loops.loopOf.find(name);
    if (inner != loops.loopOf.end() && node.op() == "Exit") {
      // A nested loop needs only what enters it.
      const TfLoop &l = loops.loops[inner->second];
      for (const TfLoopVar &var : l.vars)
        work.push_back(parseRef(var.enter->input(0)).node);
      for (const tensorflow::NodeDef *inv : l.invariants)
        work.push_back(parseRef(inv->input(0)).node);
      continue;
    }
    for (const Ref &r : depsOf(node))
      if (!r.control)
        work.push_back(r.node);
  }
  for (const tensorflow::NodeDef *node : postOrder) {
    if (!needed.contains(node->name()) || lookup(node->name()))
      continue;
    auto inner = loops.loopOf.find(node->name());
    if (inner != loops.loopOf.end() && node->op() == "Exit") {
      if (failed(importLoop(inner->second)))
        return failure();
    } else if (inner != loops.loopOf.end()) {
      continue; // an inner loop's node: imported with that loop
    } else if (failed(importNode(*node))) {
      return failure();
    }
  }
  SmallVector<Value> yields;
  for (const Ref &t : targets) {
    auto v = valueOf(t, nodeLoc(t.node));
    if (failed(v))
      return failure();
    yields.push_back(*v);
  }
  YieldOp::create(builder, nodeLoc(body ? loop.frame : loop.loopCond->name()),
                  yields);
  return yields;
}

/// One kiln.while for `loop`, its results bound to the loop's Exit nodes
/// in the current scope. A variable whose value changes shape across
/// iterations (a growing tensor) becomes dynamic in the dims that change.
LogicalResult GraphImporter::importLoop(size_t index) {
  const TfLoop &loop = loops.loops[index];
  Location loc = nodeLoc(loop.frame);
  SmallVector<Value> inits;
  for (const TfLoopVar &var : loop.vars) {
    auto v = valueOf(parseRef(var.enter->input(0)), nodeLoc(var.enter->name()));
    if (failed(v))
      return failure();
    inits.push_back(*v);
  }
  SmallVector<Type> types(ValueRange(inits).getTypes());
  OpBuilder::InsertionGuard guard(builder);
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto op = WhileOp::create(builder, loc, types, inits);
    auto cond = importRegion(loop, op.getCond(), types, false);
    if (failed(cond))
      return failure();
    if (auto t = dyn_cast<RankedTensorType>((*cond)[0].getType());
        !t || t.getRank() != 0 || !t.getElementType().isInteger(1))
      return emitError(nodeLoc(loop.loopCond->name()))
             << "the condition of loop '" << loop.frame
             << "' must be a scalar bool, not " << (*cond)[0].getType();
    auto next = importRegion(loop, op.getBody(), types, true);
    if (failed(next))
      return failure();
    // Dims where an iteration's value differs from the variable's type.
    bool changed = false;
    for (auto [i, v] : llvm::enumerate(*next)) {
      auto want = cast<RankedTensorType>(types[i]);
      auto got = cast<RankedTensorType>(v.getType());
      if (got.getElementType() != want.getElementType() ||
          got.getRank() != want.getRank())
        return emitError(nodeLoc(loop.vars[i].next->name()))
               << "loop variable '" << loop.vars[i].enter->name() << "' of '"
               << loop.frame << "' enters as " << want
               << " and comes back as " << got;
      SmallVector<int64_t> dims(want.getShape());
      for (auto [d, g] : llvm::zip(dims, got.getShape()))
        if (!ShapedType::isDynamic(d) && d != g) {
          d = ShapedType::kDynamic;
          changed = true;
        }
      types[i] = RankedTensorType::get(dims, want.getElementType());
    }
    builder.setInsertionPointAfter(op);
    if (!changed) {
      for (auto [i, var] : llvm::enumerate(loop.vars))
        if (var.exit)
          scopes.back()[var.exit->name()] = {op.getResult(i)};
      return success();
    }
    // Again with the changing dims dynamic (kiln.while takes initial
    // values more static than its variables).
    Block *block = op->getBlock();
    Block::iterator after = std::next(op->getIterator());
    op.erase();
    builder.setInsertionPoint(block, after);
  }
  return emitError(loc) << "the loop variables of '" << loop.frame
                        << "' do not settle on a type";
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
            << "op " << n->op() << " outside a while loop (a TF1 tf.cond) "
            << "is not supported by Kiln";
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

} // namespace

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
    if (!isBuiltin(n.op()) && !registry.count(n.op()) &&
        !loops.loopOf.count(n.name()))
      out.push_back({n.name(), n.op()});
  return out;
}

OwningOpRef<ModuleOp> importGraphDef(MLIRContext *ctx,
                                     const tensorflow::GraphDef &graph,
                                     const ImportRequest &request,
                                     const PublicNames &names) {
  return GraphImporter(ctx, graph, request, names).run();
}

} // namespace kiln::tf_frontend
