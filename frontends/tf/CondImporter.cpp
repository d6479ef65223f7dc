//===- CondImporter.cpp - TF1 tf.cond into kiln.select --------------------===//
//
// A TF1 conditional (tf.compat.v1.cond, and TF2's If once a frozen graph
// has its control flow lowered) is a Switch per value entering the
// branches, whose output 1 feeds the true branch and output 0 the false
// one, and a Merge per result of the two branches. Kiln computes both
// branches and picks with kiln.select on the predicate: every kiln op is
// defined on any input, so the branch not taken only costs time. Which
// Merge input comes from which branch is found by tracing each value back
// to the Switch outputs it depends on (data or control edges): its branch
// stack. Nested conds give longer stacks; a Merge pops one level.
//
//===----------------------------------------------------------------------===//

#include "frontends/tf/GraphImporterImpl.h"
#include "frontends/tf/TfNodeContext.h"
#include "ir/KilnDialect.h"

namespace kiln::tf_frontend::detail {

const SmallVector<GraphImporter::Branch> &
GraphImporter::branchesOf(const Ref &ref, int depth) {
  static const SmallVector<Branch> none;
  auto nodeIt = nodes.find(ref.node);
  if (nodeIt == nodes.end() || depth > 256)
    return none;
  const tensorflow::NodeDef &node = *nodeIt->second;
  bool condSwitch = node.op() == "Switch" && !loops.loopOf.count(node.name());
  // A Switch's outputs differ (one per branch); other nodes' do not.
  std::string key = condSwitch ? ref.node + ":" + std::to_string(ref.port)
                               : ref.node;
  if (auto it = branches.find(key); it != branches.end())
    return it->second;
  SmallVector<Branch> result;
  if (condSwitch && node.input_size() >= 2) {
    result = branchesOf(parseRef(node.input(0)), depth + 1);
    Ref pred = parseRef(node.input(1));
    result.push_back({pred.node + ":" + std::to_string(pred.port), ref.port});
  } else if (node.op() == "Merge" && !loops.loopOf.count(node.name())) {
    // Inside the branches of the cond this Merge ends: one level less.
    for (const std::string &in : node.input()) {
      const auto &b = branchesOf(parseRef(in), depth + 1);
      if (b.size() > result.size() + 1 || result.empty())
        result.assign(b.begin(), b.end() - (b.empty() ? 0 : 1));
    }
  } else if (!loops.loopOf.count(node.name())) {
    // The innermost branch any input (data or control) is in.
    for (const std::string &in : node.input()) {
      const auto &b = branchesOf(parseRef(in), depth + 1);
      if (b.size() > result.size())
        result.assign(b.begin(), b.end());
    }
  }
  return branches[key] = result;
}

LogicalResult GraphImporter::importCondNode(const tensorflow::NodeDef &node,
                                            ArrayRef<Value> inputs) {
  Location loc = nodeLoc(node.name());
  if (node.op() == "Switch") {
    if (inputs.size() != 2)
      return emitError(loc) << "Switch takes a value and a predicate";
    // Both branches see the value; which one counts is the Merge's choice.
    scopes.back()[node.name()] = {inputs[0], inputs[0]};
    return success();
  }
  // Merge: one data input per branch, each in the branch its stack ends in.
  SmallVector<Ref> refs;
  for (const std::string &in : node.input())
    if (Ref r = parseRef(in); !r.control)
      refs.push_back(r);
  if (refs.size() != 2)
    return emitError(loc) << "Merge of " << refs.size()
                          << " values: Kiln takes a tf.cond's Merge of two";
  const auto &a = branchesOf(refs[0]), &b = branchesOf(refs[1]);
  if (a.empty() || b.empty() || a.size() != b.size() ||
      a.back().pred != b.back().pred || a.back().port == b.back().port ||
      !std::equal(a.begin(), a.end() - 1, b.begin()))
    return emitError(loc) << "Merge '" << node.name()
                          << "' does not join the two branches of one tf.cond";
  int trueInput = a.back().port == 1 ? 0 : 1;
  auto pred = valueOf(parseRef(a.back().pred), loc);
  if (failed(pred))
    return failure();
  TfNodeContext nc(node, loc, builder, {});
  Value picked = nc.create<SelectOp>(*pred, inputs[trueInput],
                                     inputs[1 - trueInput]);
  if (!picked)
    return emitError(loc) << "the branches of the tf.cond merged by '"
                          << node.name() << "' give " << inputs[trueInput].getType()
                          << " and " << inputs[1 - trueInput].getType()
                          << ", which Kiln cannot pick between";
  // Output 1 is the index of the input taken.
  Type i32 = builder.getI32Type();
  Value index = nc.create<SelectOp>(*pred, nc.scalarConst(i32, trueInput),
                                    nc.scalarConst(i32, 1 - trueInput));
  scopes.back()[node.name()] = {picked, index};
  return success();
}

} // namespace kiln::tf_frontend::detail
