//===- Importer.cpp - ONNX graph to kiln dialect --------------------------===//
//
// Builds `func.func @main` from the graph: initializers become constants,
// graph inputs become arguments, nodes are dispatched to the op importers in
// topological (file) order, graph outputs become the return values.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/Importer.h"
#include "frontends/onnx/GraphImporter.h"

#include "frontends/onnx/ImportContext.h"
#include "frontends/onnx/ModelLoader.h"

#include "ir/ConstantData.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/TypeUtilities.h"

#include <set>
#include <unordered_map>
#include <unordered_set>

using namespace mlir;

namespace kiln::onnx_frontend {


/// The unsupported nodes of `graph` and of the branches of its If nodes.
static void collectUnsupported(const onnx::GraphProto &graph,
                               std::vector<UnsupportedNode> &result) {
  const ImporterRegistry &registry = importerRegistry();
  int index = 0;
  for (const auto &node : graph.node()) {
    bool isIf = isDefaultDomain(node.domain()) &&
                (node.op_type() == "If" || node.op_type() == "Scan" ||
                  node.op_type() == "Loop");
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
      {"Resize", {1, 2, 3}}, {"Tile", {1}}, {"CumSum", {1}}, {"CumProd", {1}},
      {"CenterCropPad", {1}}, {"AffineGrid", {1}}, {"DFT", {1, 2}},
      {"STFT", {1, 3}}, {"Col2Im", {1, 2}}, {"MelWeightMatrix", {0, 1, 2, 3, 4}},
      {"OneHot", {1, 2}}, {"Range", {2}}, {"SequenceInsert", {2}},
      {"SequenceErase", {1}}, {"SequenceAt", {1}}, {"SplitToSequence", {1}},
      {"RNN", {4}}, {"GRU", {4}}, {"LSTM", {4}}, {"HannWindow", {0}},
      {"HammingWindow", {0}}, {"BlackmanWindow", {0}}, {"MaxUnpool", {2}}};
  std::set<std::string> graphInputs, needed;
  for (const auto &in : model.graph().input())
    graphInputs.insert(in.name());
  for (const auto &init : model.graph().initializer())
    graphInputs.erase(init.name());
  // A shape operand computed from graph inputs (a function's expansion
  // does that) needs those inputs too: walk back through the producers,
  // stopping at Shape and Size, which read only their input's shape.
  std::map<std::string, const onnx::NodeProto *> producer;
  for (const auto &node : model.graph().node())
    for (const auto &out : node.output())
      producer[out] = &node;
  std::vector<std::string> work;
  for (const auto &node : model.graph().node()) {
    auto it = shapeOperands.find(node.op_type());
    if (it == shapeOperands.end())
      continue;
    for (int i : it->second)
      if (i < node.input_size() && !node.input(i).empty())
        work.push_back(node.input(i));
  }
  std::set<std::string> seen;
  while (!work.empty()) {
    std::string name = work.back();
    work.pop_back();
    if (!seen.insert(name).second)
      continue;
    if (graphInputs.count(name)) {
      needed.insert(name);
      continue;
    }
    auto p = producer.find(name);
    if (p == producer.end() || p->second->op_type() == "Shape" ||
        p->second->op_type() == "Size")
      continue;
    for (const auto &in : p->second->input())
      if (!in.empty())
        work.push_back(in);
    // If/Loop/Scan bodies read outer values by name.
    for (const auto &attr : p->second->attribute())
      if (attr.has_g())
        for (const auto &inner : attr.g().node())
          for (const auto &in : inner.input())
            if (!in.empty())
              work.push_back(in);
  }
  return needed;
}


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
  // The element count and byte size of the static dims must fit in 64 bits
  // (2^31 x 2^31 x 4 does not), or every size computed from them is wrong.
  int64_t bytes =
      et.isIntOrFloat() ? std::max<int64_t>(1, et.getIntOrFloatBitWidth() / 8)
                        : 16;
  for (const auto &d : tt.shape().dim()) {
    if (d.has_dim_value() && d.dim_value() < 0)
      return emitError(loc) << "graph value '" << info.name()
                            << "' has a negative dim " << d.dim_value();
    if (d.has_dim_value() &&
        __builtin_mul_overflow(bytes, d.dim_value(), &bytes))
      return emitError(loc) << "graph value '" << info.name()
                            << "' is too large: its byte size does not fit "
                               "in 64 bits";
    shape.push_back(d.has_dim_value() ? d.dim_value() : ShapedType::kDynamic);
  }
  return RankedTensorType::get(shape, et);
}

LogicalResult GraphImporter::importInitializers(const onnx::GraphProto &graph) {
  for (const auto &init : graph.initializer()) {
    std::string error;
    ElementsAttr attr = tensorProtoToAttr(ctx, init, error);
    if (!attr)
      return emitError(nodeLoc(init.name())) << error;
    values[init.name()] = ConstantOp::create(builder, nodeLoc(init.name()), attr);
  }
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
  if (isDefaultDomain(node.domain()) && node.op_type() == "Loop")
    return importLoop(node, loc);
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
  if (failed(importInitializers(graph)))
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
