//===- Importer.cpp - ONNX graph to kiln dialect --------------------------===//
//
// Builds `func.func @main` from the graph: initializers become constants,
// graph inputs become arguments, nodes are dispatched to the op importers in
// topological (file) order, graph outputs become the return values.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/Importer.h"

#include "frontends/onnx/ImportContext.h"
#include "frontends/onnx/ModelLoader.h"

#include "ir/ConstantData.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/ScopeExit.h"

#include <set>
#include <unordered_map>
#include <unordered_set>

using namespace mlir;

namespace kiln::onnx_frontend {

static bool isDefaultDomain(const std::string &domain) {
  return domain.empty() || domain == "ai.onnx";
}

static std::string nodeName(const onnx::NodeProto &node, int index) {
  return node.name().empty() ? node.op_type() + "_" + std::to_string(index)
                             : node.name();
}

/// The unsupported nodes of `graph` and of the branches of its If nodes.
static void collectUnsupported(const onnx::GraphProto &graph,
                               std::vector<UnsupportedNode> &result) {
  const ImporterRegistry &registry = importerRegistry();
  int index = 0;
  for (const auto &node : graph.node()) {
    bool isIf = isDefaultDomain(node.domain()) &&
                (node.op_type() == "If" || node.op_type() == "Scan");
    bool known = isDefaultDomain(node.domain()) &&
                 (isIf || registry.count(node.op_type()));
    if (!known)
      result.push_back({nodeName(node, index),
                        isDefaultDomain(node.domain())
                            ? node.op_type()
                            : node.domain() + "." + node.op_type()});
    if (isIf)
      for (const auto &attr : node.attribute())
        if (attr.has_g())
          collectUnsupported(attr.g(), result);
    ++index;
  }
}

std::vector<UnsupportedNode>
findUnsupportedNodes(const onnx::ModelProto &model) {
  std::vector<UnsupportedNode> result;
  collectUnsupported(model.graph(), result);
  return result;
}

std::set<std::string> inputsNeededAsConstants(const onnx::ModelProto &model) {
  // Operand positions that the importers read as constants.
  static const std::map<std::string, std::vector<int>> shapeOperands = {
      {"Reshape", {1}},   {"Slice", {1, 2, 3, 4}}, {"Unsqueeze", {1}},
      {"Squeeze", {1}},   {"ReduceSum", {1}},      {"ReduceMean", {1}},
      {"ReduceMax", {1}}, {"Pad", {1, 2, 3}},         {"Expand", {1}},
      {"Dropout", {1, 2}},   {"ConstantOfShape", {0}}, {"Trilu", {1}},
      {"ReduceMin", {1}}, {"ReduceProd", {1}},     {"ReduceL1", {1}},
      {"ReduceL2", {1}},  {"ReduceSumSquare", {1}}, {"ReduceLogSum", {1}},
      {"ReduceLogSumExp", {1}}, {"TopK", {1}}, {"Split", {1}},
      {"Resize", {1, 2, 3}}, {"Tile", {1}}, {"CumSum", {1}},
      {"OneHot", {1, 2}}, {"Range", {2}}, {"SequenceInsert", {2}},
      {"SequenceErase", {1}}, {"SequenceAt", {1}}, {"SplitToSequence", {1}},
      {"RNN", {4}}, {"GRU", {4}}, {"LSTM", {4}}, {"HannWindow", {0}},
      {"HammingWindow", {0}}, {"BlackmanWindow", {0}}, {"MaxUnpool", {2}}};
  std::set<std::string> graphInputs, needed;
  for (const auto &in : model.graph().input())
    graphInputs.insert(in.name());
  for (const auto &init : model.graph().initializer())
    graphInputs.erase(init.name());
  for (const auto &node : model.graph().node()) {
    auto it = shapeOperands.find(node.op_type());
    if (it == shapeOperands.end())
      continue;
    for (int i : it->second)
      if (i < node.input_size() && graphInputs.count(node.input(i)))
        needed.insert(node.input(i));
  }
  return needed;
}

namespace {

/// Imports one graph into one function.
class GraphImporter {
public:
  GraphImporter(MLIRContext *ctx, const onnx::ModelProto &model,
                StringRef fileName, const ImportOptions &options)
      : ctx(ctx), model(model), fileName(fileName), options(options),
        builder(ctx) {}

  OwningOpRef<ModuleOp> run();

private:
  Location nodeLoc(StringRef name) {
    return NameLoc::get(StringAttr::get(ctx, name),
                        FileLineColLoc::get(ctx, fileName, 0, 0));
  }
  FailureOr<RankedTensorType> typeOf(const onnx::ValueInfoProto &info);
  LogicalResult importInitializers();
  LogicalResult importNode(const onnx::NodeProto &node, int index);
  LogicalResult importIf(const onnx::NodeProto &node, Location loc);
  /// The outputs of `branch` imported in the current scope (outer values
  /// visible, its own names dropped afterwards).
  FailureOr<SmallVector<Value>>
  importBranch(const onnx::GraphProto &branch, Location loc,
               ArrayRef<std::pair<std::string, Value>> bindings = {});
  LogicalResult importScan(const onnx::NodeProto &node, Location loc);

  MLIRContext *ctx;
  const onnx::ModelProto &model;
  std::string fileName;
  const ImportOptions &options;
  OpBuilder builder;
  std::unordered_map<std::string, Value> values;
  SequenceMap sequences;
};

} // namespace

/// The ONNX dim_param of each dim of a graph input or output ("" where the
/// dim is static or unnamed): inputs whose dims share a name must agree at
/// run time. Null when every dim is static.
static ArrayAttr dimNamesOf(Builder &b, const onnx::ValueInfoProto &info) {
  SmallVector<Attribute> names;
  bool dynamic = false;
  for (const auto &d : info.type().tensor_type().shape().dim()) {
    dynamic |= !d.has_dim_value();
    names.push_back(b.getStringAttr(d.has_dim_value() ? "" : d.dim_param()));
  }
  return dynamic ? b.getArrayAttr(names) : ArrayAttr();
}

FailureOr<RankedTensorType>
GraphImporter::typeOf(const onnx::ValueInfoProto &info) {
  Location loc = nodeLoc(info.name());
  if (!info.type().has_tensor_type())
    return emitError(loc) << "graph value '" << info.name()
                          << "' is not a tensor";
  const auto &tt = info.type().tensor_type();
  Type et = elementTypeFor(ctx, tt.elem_type());
  if (!et)
    return emitError(loc) << "graph value '" << info.name()
                          << "' has unsupported element type "
                          << tt.elem_type();
  if (!tt.has_shape())
    return emitError(loc) << "graph value '" << info.name()
                          << "' has no shape (unknown rank)";
  SmallVector<int64_t> shape;
  for (const auto &d : tt.shape().dim())
    shape.push_back(d.has_dim_value() ? d.dim_value() : ShapedType::kDynamic);
  return RankedTensorType::get(shape, et);
}

LogicalResult GraphImporter::importInitializers() {
  for (const auto &init : model.graph().initializer()) {
    std::string error;
    ElementsAttr attr = tensorProtoToAttr(ctx, init, error);
    if (!attr)
      return emitError(nodeLoc(init.name())) << error;
    values[init.name()] = ConstantOp::create(builder, nodeLoc(init.name()), attr);
  }
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
  for (const auto &init : branch.initializer()) {
    std::string error;
    ElementsAttr attr = tensorProtoToAttr(ctx, init, error);
    if (!attr)
      return emitError(nodeLoc(init.name())) << error;
    values[init.name()] = ConstantOp::create(builder, nodeLoc(init.name()), attr);
  }
  int index = 0;
  for (const auto &node : branch.node())
    if (failed(importNode(node, index++)))
      return failure();
  SmallVector<Value> outs;
  for (const auto &out : branch.output()) {
    if (sequences.count(out.name()))
      return emitError(loc) << "If branch output '" << out.name()
                            << "' is a sequence; Kiln's If gives tensors";
    auto it = values.find(out.name());
    if (it == values.end())
      return emitError(loc) << "If branch output '" << out.name()
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
  if (int(results.size()) < node.output_size())
    return emitError(loc) << "If has more outputs than its branches give";
  for (int i = 0; i < node.output_size(); ++i)
    if (!node.output(i).empty())
      values[node.output(i)] = results[i];
  return success();
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
  if (int(results.size()) < node.output_size())
    return emitError(loc) << "Scan has more outputs than its body gives";
  for (int i = 0; i < node.output_size(); ++i)
    if (!node.output(i).empty())
      values[node.output(i)] = results[i];
  return success();
}

LogicalResult GraphImporter::importNode(const onnx::NodeProto &node,
                                        int index) {
  std::string name = nodeName(node, index);
  Location loc = nodeLoc(name);
  if (isDefaultDomain(node.domain()) && node.op_type() == "If")
    return importIf(node, loc);
  if (isDefaultDomain(node.domain()) && node.op_type() == "Scan")
    return importScan(node, loc);
  std::vector<Value> inputs;
  for (const auto &in : node.input()) {
    if (in.empty()) {
      inputs.push_back(Value());
      continue;
    }
    if (sequences.count(in)) {
      static const std::set<std::string> takeSequences = {
          "SequenceInsert", "SequenceErase", "SequenceAt", "SequenceLength",
          "ConcatFromSequence", "Identity"};
      if (!takeSequences.count(node.op_type()))
        return emitError(loc) << node.op_type() << " cannot take the sequence '"
                              << in << "'";
      inputs.push_back(Value());
      continue;
    }
    auto it = values.find(in);
    if (it == values.end())
      return emitError(loc) << "input '" << in
                            << "' is not defined before this node";
    inputs.push_back(it->second);
  }
  NodeContext nc(node, loc, builder, std::move(inputs), defaultOpset(model),
                 sourceOpset(model));
  nc.sequences = &sequences;
  SmallVector<Value> results;
  const OpImporter &importer = importerRegistry().find(node.op_type())->second;
  if (failed(importer(nc, results)) || nc.failedOp)
    return failure();
  for (int i = 0; i < node.output_size(); ++i) {
    if (node.output(i).empty() || sequences.count(node.output(i)))
      continue;
    if (i >= int(results.size()) || !results[i])
      return emitError(loc) << node.op_type() << " output " << i << " ('"
                            << node.output(i) << "') is not supported";
    values[node.output(i)] = results[i];
  }
  return success();
}

OwningOpRef<ModuleOp> GraphImporter::run() {
  ctx->loadDialect<KilnDialect, func::FuncDialect>();
  std::vector<UnsupportedNode> unsupported = findUnsupportedNodes(model);
  if (!unsupported.empty()) {
    for (const auto &u : unsupported)
      emitError(nodeLoc(u.name)) << "op " << u.opType
                                 << " is not supported by Kiln";
    return nullptr;
  }
  const onnx::GraphProto &graph = model.graph();
  OwningOpRef<ModuleOp> module = ModuleOp::create(FileLineColLoc::get(ctx, fileName, 0, 0));
  std::unordered_set<std::string> initNames;
  for (const auto &init : graph.initializer())
    initNames.insert(init.name());

  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  SmallVector<ArrayAttr> argDimNames;
  for (const auto &in : graph.input()) {
    if (initNames.count(in.name()) || options.frozenInputs.count(in.name()))
      continue;
    auto type = typeOf(in);
    if (failed(type))
      return nullptr;
    argTypes.push_back(*type);
    argNames.push_back(in.name());
    argDimNames.push_back(dimNamesOf(builder, in));
  }
  builder.setInsertionPointToEnd(module->getBody());
  auto func = func::FuncOp::create(builder, module->getLoc(), "main",
                                   builder.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  builder.setInsertionPointToStart(entry);
  for (auto [i, name] : llvm::enumerate(argNames)) {
    values[name] = entry->getArgument(i);
    func.setArgAttr(i, "kiln.name", builder.getStringAttr(name));
    if (argDimNames[i])
      func.setArgAttr(i, "kiln.dim_names", argDimNames[i]);
  }
  if (failed(importInitializers()))
    return nullptr;
  for (const auto &[name, tensor] : options.frozenInputs) {
    bool isInput = llvm::any_of(graph.input(), [&](const auto &in) {
      return in.name() == name && !initNames.count(name);
    });
    if (!isInput) {
      emitError(nodeLoc(name)) << "the model has no input '" << name
                               << "' to freeze";
      return nullptr;
    }
    std::string error;
    ElementsAttr attr = tensorProtoToAttr(ctx, tensor, error);
    if (!attr) {
      emitError(nodeLoc(name)) << "frozen input '" << name << "': " << error;
      return nullptr;
    }
    for (const auto &in : graph.input()) {
      if (in.name() != name)
        continue;
      auto declared = typeOf(in);
      auto given = cast<RankedTensorType>(attr.getType());
      if (failed(declared))
        return nullptr;
      if (declared->getElementType() != given.getElementType() ||
          failed(verifyCompatibleShape(*declared, given))) {
        emitError(nodeLoc(name)) << "frozen input '" << name << "' is "
                                 << given << " but the model declares "
                                 << *declared;
        return nullptr;
      }
    }
    values[name] = ConstantOp::create(builder, nodeLoc(name), attr);
  }
  int index = 0;
  for (const auto &node : graph.node())
    if (failed(importNode(node, index++)))
      return nullptr;

  SmallVector<Value> results;
  for (const auto &out : graph.output()) {
    auto it = values.find(out.name());
    if (it == values.end()) {
      emitError(nodeLoc(out.name())) << "graph output '" << out.name()
                                     << "' is never produced";
      return nullptr;
    }
    results.push_back(it->second);
  }
  func::ReturnOp::create(builder, module->getLoc(), results);
  func.setFunctionType(builder.getFunctionType(argTypes,
                                               ValueRange(results).getTypes()));
  for (auto [i, out] : llvm::enumerate(graph.output())) {
    func.setResultAttr(i, "kiln.name", builder.getStringAttr(out.name()));
    if (ArrayAttr names = dimNamesOf(builder, out))
      func.setResultAttr(i, "kiln.dim_names", names);
  }
  return module;
}

OwningOpRef<ModuleOp> importOnnxModel(MLIRContext *ctx,
                                      const onnx::ModelProto &model,
                                      StringRef fileName,
                                      const ImportOptions &options) {
  return GraphImporter(ctx, model, fileName, options).run();
}

} // namespace kiln::onnx_frontend
