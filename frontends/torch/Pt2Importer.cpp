//===- Pt2Importer.cpp - an ExportedProgram's graph to kiln ---------------===//
//
// models/model.json holds the graph: placeholders (parameters, buffers,
// constants and user inputs, in the signature's order), ATen calls in
// order, and the outputs. Parameters, buffers and constants become kiln
// constants from the archive's weights; user inputs become @main's
// arguments; each call goes through the ATen table (AtenImporters.cpp).
//
//===----------------------------------------------------------------------===//

#include "frontends/torch/Pt2Importer.h"

#include "frontends/torch/AtenNode.h"
#include "frontends/torch/Pt2Archive.h"

#include "ir/ConstantData.h"
#include "ir/KilnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include "llvm/ADT/StringExtras.h"

using namespace mlir;

namespace kiln::torch_frontend {
namespace {

/// The newest ExportedProgram schema major version this importer was
/// written against (torch.export's SCHEMA_VERSION).
constexpr int64_t kSchemaMajor = 8;

/// The module path that made `node` ("layer1.0.conv1"): the last entry of
/// its nn_module_stack ("key,path,type;..."), empty for the root.
std::string modulePath(const llvm::json::Object &node) {
  const auto *meta = node.getObject("metadata");
  auto stack = meta ? meta->getString("nn_module_stack") : std::nullopt;
  if (!stack || stack->empty())
    return "";
  llvm::StringRef last = stack->rsplit(';').second;
  if (last.empty())
    last = *stack;
  return last.split(',').second.split(',').first.str();
}

class Importer {
public:
  Importer(MLIRContext &ctx, const ImportRequest &request,
           const Pt2Archive &archive)
      : ctx(ctx), request(request), archive(archive), builder(&ctx),
        fileLoc(FileLineColLoc::get(&ctx, request.path, 0, 0)) {}

  OwningOpRef<ModuleOp> run();

private:
  MLIRContext &ctx;
  const ImportRequest &request;
  const Pt2Archive &archive;
  OpBuilder builder;
  Location fileLoc;
  std::map<std::string, Value> values;
  /// Tensors an in-place op overwrote -> that op's node name.
  std::map<std::string, std::string> overwritten;
  /// Step-1 slices of other tensors, by name: where a fill into one
  /// writes back.
  std::map<std::string, SliceView> views;
  /// Writes `value`, the new contents of slice view `name`, back into its
  /// base (and the base's base...), rebinding their names.
  LogicalResult writeBack(AtenNode &n, std::string name, Value value);
  const llvm::json::Object *tensorValues = nullptr;

  InFlightDiagnostic error() { return emitError(fileLoc); }
  Location nodeLoc(const llvm::json::Object &node) {
    std::string name = node.getString("name").value_or("").str();
    std::string path = modulePath(node);
    return NameLoc::get(
        StringAttr::get(&ctx, path.empty() ? name : path + ":" + name),
        sourceLoc(node));
  }
  /// The model's Python line that made `node`: the first frame of its
  /// stack_trace ("File \"net.py\", line 70, in forward") outside
  /// PyTorch's own code, else the archive.
  Location sourceLoc(const llvm::json::Object &node) {
    const auto *meta = node.getObject("metadata");
    auto trace = meta ? meta->getString("stack_trace") : std::nullopt;
    llvm::StringRef rest = trace ? *trace : "";
    for (size_t at = rest.find("File \""); at != llvm::StringRef::npos;
         at = rest.find("File \"")) {
      rest = rest.drop_front(at + 6);
      auto [file, after] = rest.split('"');
      unsigned line = 0;
      if (!after.consume_front(", line ") ||
          after.take_while(llvm::isDigit).getAsInteger(10, line) ||
          line == 0 || file.contains("-packages/torch/"))
        continue;
      return FileLineColLoc::get(&ctx, file, line, 0);
    }
    return fileLoc;
  }
  FailureOr<RankedTensorType> typeOf(const std::string &name);
  /// Names of `name`'s symbolic dims ("" for fixed ones), or null when it
  /// has none: the library's dim names.
  ArrayAttr dimNamesOf(const std::string &name);
  /// Each dim's [min, max] (-1: no bound) from the program's
  /// range_constraints, or null when no symbolic dim of `name` has one:
  /// the library checks them at run time.
  DenseI64ArrayAttr dimRangesOf(const std::string &name);
  LogicalResult checkOps(const llvm::json::Array &nodes);
  LogicalResult declareInputs(const llvm::json::Array &specs,
                              func::FuncOp func);
  LogicalResult importNode(const llvm::json::Object &node);
};

FailureOr<RankedTensorType> Importer::typeOf(const std::string &name) {
  const auto *meta = tensorValues ? tensorValues->getObject(name) : nullptr;
  if (!meta) {
    error() << "tensor '" << name << "' has no tensor_values entry";
    return failure();
  }
  kiln_dtype dtype;
  auto scalarType = meta->getInteger("dtype");
  Type et;
  if (scalarType && dtypeFromScalarType(*scalarType, dtype))
    et = elementTypeOf(builder, dtype);
  if (!et) {
    error() << "input '" << name << "': dtype " << scalarType.value_or(-1)
            << " is not supported (float32/64, int32/64 and bool are)";
    return failure();
  }
  SmallVector<int64_t> shape;
  if (const auto *sizes = meta->getArray("sizes"))
    for (const auto &s : *sizes) {
      const auto *obj = s.getAsObject();
      auto n = obj ? obj->getInteger("as_int") : std::nullopt;
      shape.push_back(n ? *n : ShapedType::kDynamic);
    }
  auto pinned = request.shapes.find(name);
  if (pinned != request.shapes.end()) {
    if (pinned->second.size() != shape.size()) {
      error() << "--input-shape " << name << " has " << pinned->second.size()
              << " dims; the input has " << shape.size();
      return failure();
    }
    for (auto [i, d] : llvm::enumerate(pinned->second))
      shape[i] = d < 0 ? ShapedType::kDynamic : d;
  }
  return RankedTensorType::get(shape, et);
}

/// The symbol of a symbolic size: "s77" from torch's
/// "Symbol('s77', positive=True, integer=True)" or "s77"; "" for an
/// expression of symbols ("2*s77").
static std::string symbolName(llvm::StringRef expr) {
  if (expr.consume_front("Symbol('"))
    return expr.split('\'').first.str();
  bool identifier = !expr.empty() && llvm::all_of(expr, [](char c) {
    return llvm::isAlnum(c) || c == '_';
  });
  return identifier ? expr.str() : "";
}

ArrayAttr Importer::dimNamesOf(const std::string &name) {
  const auto *meta = tensorValues ? tensorValues->getObject(name) : nullptr;
  const auto *sizes = meta ? meta->getArray("sizes") : nullptr;
  if (!sizes)
    return {};
  SmallVector<Attribute> names;
  bool symbolic = false;
  for (const auto &s : *sizes) {
    const auto *obj = s.getAsObject();
    const auto *expr = obj ? obj->getObject("as_expr") : nullptr;
    symbolic |= expr != nullptr;
    names.push_back(builder.getStringAttr(
        expr ? symbolName(expr->getString("expr_str").value_or("")) : ""));
  }
  return symbolic ? builder.getArrayAttr(names) : ArrayAttr();
}

DenseI64ArrayAttr Importer::dimRangesOf(const std::string &name) {
  ArrayAttr names = dimNamesOf(name);
  const auto *program = archive.program.getAsObject();
  const auto *ranges = program ? program->getObject("range_constraints")
                               : nullptr;
  if (!names || !ranges)
    return {};
  SmallVector<int64_t> bounds;
  bool any = false;
  for (Attribute a : names) {
    const auto *range = ranges->getObject(cast<StringAttr>(a).getValue());
    // An unbounded end is null or torch's int_oo (a huge integer).
    auto bound = [&](llvm::StringRef key) -> int64_t {
      auto v = range ? range->getInteger(key) : std::nullopt;
      return v && *v >= 0 && *v < (int64_t(1) << 62) ? *v : -1;
    };
    bounds.push_back(bound("min_val"));
    bounds.push_back(bound("max_val"));
    any |= bounds.back() >= 0 || bounds[bounds.size() - 2] > 1;
  }
  return any ? builder.getDenseI64ArrayAttr(bounds) : DenseI64ArrayAttr();
}

LogicalResult Importer::checkOps(const llvm::json::Array &nodes) {
  const auto &table = atenImporters();
  bool ok = true;
  for (const auto &n : nodes) {
    const auto *node = n.getAsObject();
    if (!node) {
      error() << "a graph node is not an object";
      return failure();
    }
    llvm::StringRef target = node->getString("target").value_or("");
    if (!table.count(atenName(target))) {
      emitError(nodeLoc(*node)) << "ATen op " << target
                                << " is not supported by Kiln";
      ok = false;
    }
  }
  return success(ok);
}

LogicalResult Importer::declareInputs(const llvm::json::Array &specs,
                                      func::FuncOp func) {
  Block *entry = func.addEntryBlock();
  builder.setInsertionPointToStart(entry);
  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  // Weights first, as constants; the arguments are added after.
  for (const auto &s : specs) {
    const auto *spec = s.getAsObject();
    if (!spec || spec->size() != 1) {
      error() << "an input spec is not a one-key object";
      return failure();
    }
    llvm::StringRef kind = spec->begin()->first;
    const auto *body = spec->begin()->second.getAsObject();
    const auto *argObj = body ? body->getObject("arg") : nullptr;
    if (kind == "user_input") {
      const auto *t = argObj ? argObj->getObject("as_tensor") : nullptr;
      auto name = t ? t->getString("name") : std::nullopt;
      if (!name) {
        error() << "a user input that is not a tensor is not supported";
        return failure();
      }
      auto type = typeOf(name->str());
      if (failed(type))
        return failure();
      argNames.push_back(name->str());
      argTypes.push_back(*type);
      continue;
    }
    const char *key = kind == "parameter"         ? "parameter_name"
                      : kind == "buffer"          ? "buffer_name"
                      : kind == "tensor_constant" ? "tensor_constant_name"
                                                  : nullptr;
    auto placeholder = argObj ? argObj->getString("name") : std::nullopt;
    auto fqn = key && body ? body->getString(key) : std::nullopt;
    if (!key || !placeholder || !fqn) {
      error() << "input spec '" << kind << "' is not supported";
      return failure();
    }
    auto found = archive.tensors.find(fqn->str());
    if (found == archive.tensors.end()) {
      error() << "the archive has no weights for " << kind << " '" << *fqn
              << "'";
      return failure();
    }
    const HostTensor &t = found->second;
    Type et = elementTypeOf(builder, t.dtype);
    if (!et) {
      error() << kind << " '" << *fqn << "' has dtype " << dtypeName(t.dtype)
              << ", which is not supported yet";
      return failure();
    }
    auto type = RankedTensorType::get(t.shape, et);
    values[placeholder->str()] = ConstantOp::create(
        builder, NameLoc::get(StringAttr::get(&ctx, *fqn), fileLoc),
        writeRawConstant(type, ArrayRef<char>(
                                   reinterpret_cast<const char *>(t.bytes.data()),
                                   t.bytes.size())));
  }
  for (auto [i, name] : llvm::enumerate(argNames)) {
    values[name] = entry->addArgument(argTypes[i], fileLoc);
  }
  func.setFunctionType(builder.getFunctionType(argTypes, {}));
  for (auto [i, name] : llvm::enumerate(argNames)) {
    func.setArgAttr(i, "kiln.name", builder.getStringAttr(name));
    auto type = cast<RankedTensorType>(argTypes[i]);
    if (ArrayAttr names = dimNamesOf(name); names && !type.hasStaticShape())
      func.setArgAttr(i, "kiln.dim_names", names);
    if (auto ranges = dimRangesOf(name); ranges && !type.hasStaticShape())
      func.setArgAttr(i, "kiln.dim_ranges", ranges);
  }
  return success();
}

/// Whether `target` ("torch.ops.aten.relu_.default") overwrites its first
/// argument: ATen names in-place ops with a trailing underscore.
static bool isInPlace(llvm::StringRef target) {
  std::string name = atenName(target); // "aten.relu_.default"
  llvm::StringRef op = llvm::StringRef(name).split('.').second.split('.').first;
  return op.ends_with("_") && !op.starts_with("_");
}

/// The tensor names `node` reads.
static std::vector<std::string> tensorsRead(const llvm::json::Object &node) {
  std::vector<std::string> names;
  if (const auto *inputs = node.getArray("inputs"))
    for (const auto &in : *inputs) {
      const auto *obj = in.getAsObject();
      const auto *arg = obj ? obj->getObject("arg") : nullptr;
      if (!arg)
        continue;
      if (const auto *t = arg->getObject("as_tensor"))
        names.push_back(t->getString("name").value_or("").str());
      if (const auto *list = arg->getArray("as_tensors"))
        for (const auto &t : *list)
          if (const auto *o = t.getAsObject())
            names.push_back(o->getString("name").value_or("").str());
    }
  return names;
}

LogicalResult Importer::writeBack(AtenNode &n, std::string name, Value value) {
  values[name] = value;
  for (auto it = views.find(name); it != views.end(); it = views.find(name)) {
    const SliceView &view = it->second;
    Value base = values.count(view.base) ? values[view.base] : Value();
    if (!base)
      return emitError(n.loc) << "writes into a slice of '" << view.base
                              << "', which Kiln has no value for";
    value = scatterSlice(n, base, value, view.dim, view.start, view.end);
    if (!value)
      return failure();
    name = view.base;
    values[name] = value;
  }
  return success();
}

LogicalResult Importer::importNode(const llvm::json::Object &node) {
  AtenNode n(nodeLoc(node), builder, node, values);
  // sym_size.int names a dynamic dim's size for later shape arguments;
  // those read it as a dynamic size (AtenNode::symIntsArg): no value. So
  // does arithmetic on such sizes (the core form's batch * 16).
  if (n.target() == "aten.sym_size.int")
    return success(bool(n.tensor("self")));
  if (llvm::StringRef(n.target()).starts_with("_operator."))
    return success();
  // An in-place op is imported as its functional form, which is only right
  // when nothing reads the tensor it overwrote afterwards.
  for (const std::string &read : tensorsRead(node)) {
    auto it = overwritten.find(read);
    if (it != overwritten.end())
      return emitError(n.loc)
             << "reads '" << read << "' after in-place op '" << it->second
             << "' overwrote it, which Kiln does not model: export with "
                "torch.export.export(...).run_decompositions()";
  }
  // fill_ and zero_ are written back into the tensor they fill (and the
  // tensors it is a slice of): swin's window mask is built so.
  bool fill = n.target() == "aten.fill_.Scalar" ||
              n.target() == "aten.zero_.default";
  if (isInPlace(node.getString("target").value_or("")) && !fill)
    if (const auto *self = n.arg("self"))
      if (const auto *t = self->getObject("as_tensor"))
        overwritten[t->getString("name").value_or("").str()] =
            node.getString("name").value_or("").str();
  SmallVector<Value> outs;
  const AtenImporter &import = atenImporters().find(n.target())->second;
  if (failed(import(n, outs)) || n.failedOp ||
      llvm::any_of(outs, [](Value v) { return !v; }))
    return failure();
  // The results' names: one per tensor, several for a list (chunk).
  std::vector<std::string> names;
  if (const auto *outputs = node.getArray("outputs"))
    for (const auto &o : *outputs) {
      const auto *obj = o.getAsObject();
      if (const auto *t = obj ? obj->getObject("as_tensor") : nullptr)
        names.push_back(t->getString("name").value_or("").str());
      else if (const auto *list = obj ? obj->getArray("as_tensors") : nullptr)
        for (const auto &t : *list)
          names.push_back(t.getAsObject()
                              ? t.getAsObject()->getString("name").value_or("").str()
                              : "");
      else
        return emitError(n.loc) << n.target()
                                << ": a result that is not a tensor";
    }
  // The core ATen form names results inference never reads (a batch
  // norm's saved statistics, a pool's indices); importers give only the
  // leading ones, and a node that read another would be reported.
  if (names.size() < outs.size())
    return emitError(n.loc) << n.target() << ": " << outs.size()
                            << " results, the graph names " << names.size();
  for (size_t i = 0; i < outs.size(); ++i)
    values[names[i]] = outs[i];
  if (n.target() == "aten.slice.Tensor" && names.size() == 1)
    if (const auto *self = n.arg("self")->getObject("as_tensor"))
      if (auto view = sliceViewOf(n, n.tensor("self"),
                                  self->getString("name").value_or("").str()))
        views[names[0]] = *view;
  if (fill)
    if (const auto *t = n.arg("self")->getObject("as_tensor"))
      return writeBack(n, t->getString("name").value_or("").str(), outs[0]);
  return success();
}

OwningOpRef<ModuleOp> Importer::run() {
  const auto *program = archive.program.getAsObject();
  const auto *version = program ? program->getObject("schema_version") : nullptr;
  auto major = version ? version->getInteger("major") : std::nullopt;
  if (!major) {
    error() << "models/model.json has no schema_version";
    return nullptr;
  }
  if (*major > kSchemaMajor) {
    error() << "the archive's ExportedProgram schema is version " << *major
            << "." << version->getInteger("minor").value_or(0)
            << ", newer than Kiln knows (" << kSchemaMajor << ".x)";
    return nullptr;
  }
  const auto *gm = program->getObject("graph_module");
  const auto *graph = gm ? gm->getObject("graph") : nullptr;
  const auto *signature = gm ? gm->getObject("signature") : nullptr;
  const auto *nodes = graph ? graph->getArray("nodes") : nullptr;
  const auto *inputs = signature ? signature->getArray("input_specs") : nullptr;
  const auto *outputs = signature ? signature->getArray("output_specs") : nullptr;
  tensorValues = graph ? graph->getObject("tensor_values") : nullptr;
  if (!nodes || !inputs || !outputs || !tensorValues) {
    error() << "models/model.json lacks the graph, its signature or its "
               "tensor_values";
    return nullptr;
  }
  if (failed(checkOps(*nodes)))
    return nullptr;
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  builder.setInsertionPointToEnd(module->getBody());
  auto func = func::FuncOp::create(builder, fileLoc, "main",
                                   builder.getFunctionType({}, {}));
  if (failed(declareInputs(*inputs, func)))
    return nullptr;
  for (const auto &node : *nodes)
    if (failed(importNode(*node.getAsObject())))
      return nullptr;
  SmallVector<Value> results;
  SmallVector<std::string> resultNames;
  for (const auto &s : *outputs) {
    const auto *spec = s.getAsObject();
    const auto *body = spec && spec->size() == 1
                           ? spec->begin()->second.getAsObject()
                           : nullptr;
    if (!body || spec->begin()->first != "user_output") {
      error() << "output spec '"
              << (spec && spec->size() == 1 ? spec->begin()->first.str() : "?")
              << "' (a buffer or input update) is not supported";
      return nullptr;
    }
    const auto *argObj = body->getObject("arg");
    const auto *t = argObj ? argObj->getObject("as_tensor") : nullptr;
    auto name = t ? t->getString("name") : std::nullopt;
    auto found = name ? values.find(name->str()) : values.end();
    if (found == values.end()) {
      error() << "an output is not a tensor the graph computes";
      return nullptr;
    }
    results.push_back(found->second);
    resultNames.push_back(name->str());
  }
  func::ReturnOp::create(builder, fileLoc, results);
  func.setFunctionType(builder.getFunctionType(
      func.getArgumentTypes(), ValueRange(results).getTypes()));
  for (auto [i, name] : llvm::enumerate(resultNames)) {
    func.setResultAttr(i, "kiln.name", builder.getStringAttr(name));
    auto type = cast<RankedTensorType>(results[i].getType());
    if (ArrayAttr names = dimNamesOf(name); names && !type.hasStaticShape())
      func.setResultAttr(i, "kiln.dim_names", names);
  }
  return module;
}

} // namespace

OwningOpRef<ModuleOp> importPt2(MLIRContext &ctx, const ImportRequest &request) {
  Pt2Archive archive;
  std::string error;
  if (!readPt2Archive(request.path, archive, error)) {
    // (the message names the file)
    llvm::errs() << "kiln: error: " << error << "\n";
    return nullptr;
  }
  return Importer(ctx, request, archive).run();
}

} // namespace kiln::torch_frontend
