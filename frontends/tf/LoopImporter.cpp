//===- LoopImporter.cpp - TF1 while loops into kiln.while -----------------===//
//
// The GraphImporter's loop half: ordering loop nodes (depsOf), the frame
// each node is in (assignFrames), and one kiln.while per frame
// (importLoop, importRegion), with scoped node values (lookup).
//
//===----------------------------------------------------------------------===//

#include "frontends/tf/GraphImporterImpl.h"
#include "ir/KilnDialect.h"

#include "llvm/ADT/ScopeExit.h"

namespace kiln::tf_frontend::detail {

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
/// is in the loop's parent), and any other node is in the innermost frame
/// of its data inputs, or of its first control input when it has none (a
/// constant in a loop body); a node with neither is outside every loop.
/// (A constant whose only input is a control edge from the body may be
/// ordered before that edge's source and so stay outside: its value is the
/// same everywhere, and regions see the values outside them.)
void GraphImporter::assignFrames() {
  auto frame = [&](const Ref &r) { return frameOf.lookup(r.node); };
  // The frame loop `index` sits in: that of what its first Enter reads.
  auto parentFrame = [&](size_t index) {
    const TfLoop &l = loops.loops[index];
    const tensorflow::NodeDef *enter =
        l.vars.empty() ? l.invariants.front() : l.vars.front().enter;
    return frame(parseRef(enter->input(0)));
  };
  // How many loops frame f is nested in, itself included.
  auto depth = [&](size_t f) {
    int d = 0;
    for (; f && d < 256; ++d)
      f = parentFrame(f - 1);
    return d;
  };
  for (const tensorflow::NodeDef *node : postOrder) {
    auto loop = loops.loopOf.find(node->name());
    size_t f = 0;
    if (loop != loops.loopOf.end()) {
      f = node->op() == "Exit" ? parentFrame(loop->second) : loop->second + 1;
    } else {
      std::optional<size_t> data, control;
      for (const std::string &in : node->input()) {
        Ref r = parseRef(in);
        if (r.control) {
          if (!control)
            control = frame(r);
        } else if (size_t f = frame(r); !data || depth(f) > depth(*data)) {
          data = f;
        }
      }
      f = data ? *data : control.value_or(0);
    }
    if (f)
      frameOf[node->name()] = f;
  }
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
GraphImporter::importRegion(const TfLoop &loop, Region &region,
                            ValueRange inits, TypeRange types, bool body) {
  SmallVector<Location> locs;
  for (const TfLoopVar &var : loop.vars)
    locs.push_back(nodeLoc(var.merge->name()));
  Block *block = builder.createBlock(&region, {}, types, locs);
  // A variable starting as an array placeholder is one in the region too.
  for (auto [i, init] : llvm::enumerate(inits))
    if (auto it = arrays.find(init);
        it != arrays.end() && cast<RankedTensorType>(types[i]).getRank() == 0)
      arrays[block->getArgument(i)] = it->second;
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
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto op = WhileOp::create(builder, loc, types, inits);
    auto cond = importRegion(loop, op.getCond(), inits, types, false);
    if (failed(cond))
      return failure();
    if (auto t = dyn_cast<RankedTensorType>((*cond)[0].getType());
        !t || t.getRank() != 0 || !t.getElementType().isInteger(1))
      return emitError(nodeLoc(loop.loopCond->name()))
             << "the condition of loop '" << loop.frame
             << "' must be a scalar bool, not " << (*cond)[0].getType();
    auto next = importRegion(loop, op.getBody(), inits, types, true);
    if (failed(next))
      return failure();
    // Dims where an iteration's value differs from the variable's type.
    bool changed = false;
    for (auto [i, v] : llvm::enumerate(*next)) {
      auto want = cast<RankedTensorType>(types[i]);
      auto got = cast<RankedTensorType>(v.getType());
      if (auto array = arrays.find(inits[i]);
          array != arrays.end() && want.getRank() == 0 && got.getRank() > 0) {
        // An array the body writes first: it now starts as zeros of the
        // shape the body gives it.
        if (!RankedTensorType::get(got.getShape().drop_front(),
                                   got.getElementType())
                 .hasStaticShape())
          return emitError(nodeLoc(loop.vars[i].next->name()))
                 << "the elements of the array made by '" << array->second.node
                 << "' have the shape " << got
                 << " after a row, known only at run time; Kiln needs it at "
                 << "compile time";
        builder.setInsertionPoint(op);
        inits[i] = arrayZeros(array->second, got.getShape().drop_front(),
                              nodeLoc(loop.vars[i].enter->name()));
        types[i] = inits[i].getType();
        changed = true;
        continue;
      }
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
      for (auto [i, var] : llvm::enumerate(loop.vars)) {
        if (var.exit)
          scopes.back()[var.exit->name()] = {op.getResult(i)};
        if (auto array = arrays.find(inits[i]);
            array != arrays.end() &&
            cast<RankedTensorType>(types[i]).getRank() == 0)
          arrays[op.getResult(i)] = array->second;
      }
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

} // namespace kiln::tf_frontend::detail
