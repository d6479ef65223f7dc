//===- ControlFlowImport.cpp - ONNX If and Scan ---------------------------===//
//
// The ops whose attributes hold subgraphs. A subgraph is imported in the
// scope of its node (outer values visible, its own names dropped after),
// into the same function: If selects between its branches, Scan is
// unrolled over its sequence.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/GraphImporter.h"

#include "ir/ConstantData.h"

#include "llvm/ADT/ScopeExit.h"

using namespace mlir;

namespace kiln::onnx_frontend {

LogicalResult GraphImporter::bindOutputs(const onnx::NodeProto &node,
                                         ArrayRef<Value> results, Location loc,
                                         StringRef source) {
  if (int(results.size()) < node.output_size())
    return emitError(loc) << node.op_type() << " has more outputs than "
                          << source;
  for (int i = 0; i < node.output_size(); ++i)
    if (!node.output(i).empty())
      values[node.output(i)] = results[i];
  return success();
}

FailureOr<SmallVector<Value>>
GraphImporter::importBranch(const onnx::GraphProto &branch, Location loc,
                            ArrayRef<std::pair<std::string, Value>> bindings) {
  auto savedValues = values;
  auto savedSequences = sequences;
  auto restore = llvm::make_scope_exit([&] {
    values = std::move(savedValues);
    sequences = std::move(savedSequences);
  });
  for (const auto &[name, v] : bindings)
    values[name] = v;
  if (failed(importInitializers(branch)))
    return failure();
  int index = 0;
  for (const auto &node : branch.node())
    if (failed(importNode(node, index++)))
      return failure();
  SmallVector<Value> outs;
  for (const auto &out : branch.output()) {
    if (sequences.count(out.name()))
      return emitError(loc) << "subgraph output '" << out.name()
                            << "' is a sequence; Kiln's control flow gives "
                               "tensors";
    auto it = values.find(out.name());
    if (it == values.end())
      return emitError(loc) << "subgraph output '" << out.name()
                            << "' is never produced";
    outs.push_back(it->second);
  }
  return outs;
}

/// If: a constant condition imports only the branch it picks; otherwise
/// both branches are computed (they have no side effects) and each output
/// is selected by the condition, so both must give the same shapes.
LogicalResult GraphImporter::importIf(const onnx::NodeProto &node,
                                      Location loc) {
  const onnx::GraphProto *branches[2] = {nullptr, nullptr};
  for (const auto &attr : node.attribute()) {
    if (attr.name() == "then_branch" && attr.has_g())
      branches[0] = &attr.g();
    if (attr.name() == "else_branch" && attr.has_g())
      branches[1] = &attr.g();
  }
  auto cond = node.input_size() == 1 ? values.find(node.input(0)) : values.end();
  if (!branches[0] || !branches[1] || cond == values.end())
    return emitError(loc) << "If needs a condition and two branches";
  auto ct = cast<RankedTensorType>(cond->second.getType());
  if (!ct.getElementType().isInteger(1) || ct.getNumElements() != 1)
    return emitError(loc) << "If needs a single bool condition, got " << ct;
  SmallVector<Value> outs[2];
  std::optional<std::vector<int64_t>> fixed;
  if (auto c = cond->second.getDefiningOp<ConstantOp>())
    fixed = readIntConstant(c.getValue());
  for (int b = 0; b < 2; ++b) {
    if (fixed && (*fixed)[0] != (b == 0))
      continue;
    auto r = importBranch(*branches[b], loc);
    if (failed(r))
      return failure();
    outs[b] = std::move(*r);
  }
  SmallVector<Value> results;
  if (fixed) {
    results = (*fixed)[0] ? outs[0] : outs[1];
  } else {
    if (outs[0].size() != outs[1].size())
      return emitError(loc) << "If branches give different numbers of outputs";
    Value scalar = ReshapeOp::create(builder, loc,
                                     RankedTensorType::get({}, ct.getElementType()),
                                     cond->second);
    for (auto [t, e] : llvm::zip(outs[0], outs[1])) {
      if (t.getType() != e.getType())
        return emitError(loc) << "If branches give " << t.getType() << " and "
                              << e.getType()
                              << "; Kiln selects between branches of one shape";
      results.push_back(SelectOp::create(builder, loc, scalar, t, e));
    }
  }
  return bindOutputs(node, results, loc, "its branches give");
}

/// Scan, unrolled over its (static) sequence: each step binds the body's
/// inputs to the current states and to this step's slice of every scan
/// input, and the body's scan outputs are stacked along their axes.
LogicalResult GraphImporter::importScan(const onnx::NodeProto &node,
                                        Location loc) {
  const onnx::GraphProto *body = nullptr;
  std::vector<int64_t> inAxes, inDirs, outAxes, outDirs;
  int64_t numScan = -1;
  for (const auto &attr : node.attribute()) {
    const std::string &a = attr.name();
    if (a == "body" && attr.has_g())
      body = &attr.g();
    else if (a == "num_scan_inputs")
      numScan = attr.i();
    else if (a == "scan_input_axes")
      inAxes.assign(attr.ints().begin(), attr.ints().end());
    else if (a == "scan_input_directions")
      inDirs.assign(attr.ints().begin(), attr.ints().end());
    else if (a == "scan_output_axes")
      outAxes.assign(attr.ints().begin(), attr.ints().end());
    else if (a == "scan_output_directions")
      outDirs.assign(attr.ints().begin(), attr.ints().end());
  }
  int64_t numStates = node.input_size() - numScan;
  if (!body || numScan < 1 || numStates < 0 ||
      body->input_size() != node.input_size())
    return emitError(loc) << "Scan needs a body taking its states and "
                             "num_scan_inputs scan inputs";
  SmallVector<Value> ins;
  for (const auto &name : node.input()) {
    auto it = values.find(name);
    if (it == values.end())
      return emitError(loc) << "Scan input '" << name << "' is not a tensor "
                               "defined before it";
    ins.push_back(it->second);
  }
  auto at = [](const std::vector<int64_t> &v, size_t i) {
    return i < v.size() ? v[i] : 0;
  };
  int64_t steps = -1;
  for (int64_t j = 0; j < numScan; ++j) {
    auto t = cast<RankedTensorType>(ins[numStates + j].getType());
    int64_t axis = normalizeAxis(at(inAxes, j), t.getRank());
    if (axis < 0 || t.isDynamicDim(axis) || !t.hasStaticShape() ||
        (steps >= 0 && t.getDimSize(axis) != steps))
      return emitError(loc) << "Scan inputs need static shapes and one "
                               "sequence length";
    steps = t.getDimSize(axis);
  }
  SmallVector<Value> states(ins.begin(), ins.begin() + numStates);
  std::vector<SmallVector<Value>> scanned;
  for (int64_t k = 0; k < steps; ++k) {
    std::vector<std::pair<std::string, Value>> bind;
    for (int64_t i = 0; i < numStates; ++i)
      bind.push_back({body->input(i).name(), states[i]});
    for (int64_t j = 0; j < numScan; ++j) {
      Value x = ins[numStates + j];
      auto t = cast<RankedTensorType>(x.getType());
      int64_t axis = normalizeAxis(at(inAxes, j), t.getRank());
      int64_t pos = at(inDirs, j) ? steps - 1 - k : k;
      SmallVector<int64_t> offsets(t.getRank(), 0), sizes(t.getShape()),
          ones(t.getRank(), 1), shape(t.getShape());
      offsets[axis] = pos;
      sizes[axis] = 1;
      shape.erase(shape.begin() + axis);
      Value slice = SliceOp::create(builder, loc, x,
                                    builder.getDenseI64ArrayAttr(offsets),
                                    builder.getDenseI64ArrayAttr(sizes),
                                    builder.getDenseI64ArrayAttr(ones));
      bind.push_back({body->input(numStates + j).name(),
                      ReshapeOp::create(builder, loc,
                                        RankedTensorType::get(shape, t.getElementType()),
                                        slice)});
    }
    auto outs = importBranch(*body, loc, bind);
    if (failed(outs))
      return failure();
    if (int64_t(outs->size()) < numStates)
      return emitError(loc) << "the Scan body gives fewer outputs than states";
    for (int64_t i = 0; i < numStates; ++i)
      states[i] = (*outs)[i];
    scanned.push_back(SmallVector<Value>(outs->begin() + numStates, outs->end()));
  }
  SmallVector<Value> results(states);
  size_t numOut = scanned.empty() ? 0 : scanned[0].size();
  for (size_t o = 0; o < numOut; ++o) {
    SmallVector<Value> parts;
    auto t = cast<RankedTensorType>(scanned[0][o].getType());
    int64_t axis = normalizeAxis(at(outAxes, o), t.getRank() + 1);
    if (axis < 0)
      return emitError(loc) << "scan_output_axes out of range";
    for (int64_t k = 0; k < steps; ++k) {
      Value v = scanned[at(outDirs, o) ? steps - 1 - k : k][o];
      SmallVector<int64_t> shape(cast<RankedTensorType>(v.getType()).getShape());
      shape.insert(shape.begin() + axis, 1);
      parts.push_back(ReshapeOp::create(builder, loc,
                                        RankedTensorType::get(shape, t.getElementType()),
                                        v));
    }
    results.push_back(ConcatOp::create(builder, loc, parts,
                                       builder.getI64IntegerAttr(axis)));
  }
  return bindOutputs(node, results, loc, "its body gives");
}

} // namespace kiln::onnx_frontend
