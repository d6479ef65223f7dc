//===- TorchScriptImporter.cpp - traced TorchScript into kiln -------------===//
//
// The top module's forward is run symbolically: each statement of the
// traced code is evaluated over values that are tensors (kiln SSA values),
// numbers known at import (a traced graph's sizes), lists, tuples or
// module objects. A submodule's forward is inlined with its module path
// ("layer1.0.conv1"), which names the ops it makes; torch.* calls go
// through the ATen table shared with the .pt2 importer (TorchScriptOps.h
// names their arguments). In-place ops (relu_, add_) rebind every name of
// the tensor they overwrite to their result.
//
//===----------------------------------------------------------------------===//

#include "frontends/torch/TorchScriptImporter.h"

#include "frontends/torch/AtenNode.h"
#include "frontends/torch/Pt2Archive.h"
#include "frontends/torch/TorchScriptOps.h"
#include "frontends/torch/TorchScriptValue.h"

#include "ir/ConstantData.h"
#include "ir/KilnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include "llvm/ADT/StringExtras.h"

#include <cmath>

using namespace mlir;

namespace kiln::torch_frontend {
namespace {

using VK = TsValue::Kind;

/// Inlined submodule calls deeper than this are a cycle, not a model.
constexpr int kMaxCallDepth = 256;

struct Frame {
  const TsSource *source = nullptr;
  /// The module's path from the root ("" for the root).
  std::string path;
  std::map<std::string, TsValue> locals;
};

class Interpreter {
public:
  Interpreter(MLIRContext &ctx, const ImportRequest &request,
              const TorchScriptArchive &archive)
      : ctx(ctx), request(request), archive(archive), builder(&ctx),
        fileLoc(FileLineColLoc::get(&ctx, request.path, 0, 0)) {}

  OwningOpRef<ModuleOp> run();

private:
  MLIRContext &ctx;
  const ImportRequest &request;
  const TorchScriptArchive &archive;
  OpBuilder builder;
  Location fileLoc;
  /// Tensor name -> value; the names ATen nodes refer to.
  std::map<std::string, Value> values;
  /// A tensor an in-place op overwrote -> the tensor that holds its value.
  std::map<std::string, std::string> replacedBy;
  /// Module attributes and constants already made kiln constants.
  std::map<const PickleValue *, std::string> materialized;
  int counter = 0;
  int depth = 0;
  /// Some op had no importer (reported; the import goes on to list all).
  bool unsupported = false;
  /// Step-1 slices of other tensors, by the slice's tensor name: where a
  /// fill_ into one writes back (Swin's window mask).
  std::map<std::string, SliceView> views;
  /// After fill_/zero_ of `name`: its new value written into the tensors it
  /// is a slice of (as concatenations), rebinding their names.
  LogicalResult writeBack(AtenNode &n, std::string name);

  /// `op` at module path `f.path`, located at the model's Python line that
  /// traced it where the archive's debug data says, else at the line of
  /// the archive's code.
  Location locOf(const Frame &f, const TsExpr &e, llvm::StringRef op) {
    std::string name = f.path.empty() ? op.str() : f.path + ":" + op.str();
    const auto *py = f.source ? f.source->sourceLineAt(e.offset) : nullptr;
    return NameLoc::get(StringAttr::get(&ctx, name),
                        py ? FileLineColLoc::get(&ctx, py->first, py->second, 0)
                           : lineLoc(f, e.line));
  }
  Location lineLoc(const Frame &f, int line) {
    return FileLineColLoc::get(&ctx, f.source ? f.source->path : request.path,
                               line, 0);
  }
  std::string resolve(std::string name) const {
    for (auto it = replacedBy.find(name); it != replacedBy.end();
         it = replacedBy.find(name))
      name = it->second;
    return name;
  }
  TsValue tensor(Value v) {
    std::string name = "t" + std::to_string(counter++);
    values[name] = v;
    return TsValue::ofTensor(name);
  }
  RankedTensorType typeOf(const TsValue &t) {
    return cast<RankedTensorType>(values.at(resolve(t.text)).getType());
  }

  FailureOr<TsValue> invoke(const TsValue &module, const std::string &method,
                            std::vector<TsValue> args, const Frame &caller,
                            int line);
  FailureOr<TsValue> eval(const TsExpr &e, Frame &f);
  FailureOr<TsValue> evalCall(const TsExpr &e, Frame &f);
  FailureOr<TsValue> callTorch(llvm::StringRef name,
                               std::vector<TsValue> &args,
                               std::vector<std::pair<std::string, TsValue>> &kw,
                               const TsExpr &e, Frame &f);
  FailureOr<TsValue> fromPickle(const PickleRef &v, const std::string &path,
                                bool constant, Location loc);
  std::optional<llvm::json::Value> encode(const TsValue &v,
                                          llvm::StringRef argName);
};

FailureOr<TsValue> Interpreter::fromPickle(const PickleRef &v,
                                           const std::string &path,
                                           bool constant, Location loc) {
  using PK = PickleValue::Kind;
  switch (v->kind) {
  case PK::None:
    return TsValue();
  case PK::Bool:
    return TsValue::ofBool(v->boolean);
  case PK::Int:
    return TsValue::ofInt(v->integer);
  case PK::Float:
    return TsValue::ofReal(v->real);
  case PK::String:
    return TsValue::ofString(v->text);
  case PK::Tuple:
  case PK::List: {
    TsValue out;
    out.kind = v->kind == PK::Tuple ? VK::Tuple : VK::List;
    for (auto [i, item] : llvm::enumerate(v->items)) {
      auto x = fromPickle(item, path + "." + std::to_string(i), constant, loc);
      if (failed(x))
        return failure();
      out.items.push_back(*x);
    }
    return out;
  }
  case PK::Object:
    return TsValue::ofModule(v, path);
  case PK::Tensor:
    break;
  default:
    return emitError(loc) << "'" << path << "' is a pickled "
                          << (v->kind == PK::Dict ? "dict" : "value")
                          << ", which Kiln does not read";
  }
  auto known = materialized.find(v.get());
  if (known != materialized.end())
    return TsValue::ofTensor(known->second);
  HostTensor t;
  std::string error;
  if (!archive.tensorData(v->tensor, constant, t, error))
    return emitError(loc) << "'" << path << "': " << error;
  // A traced Python number (CONSTANTS.cN of one element, no dims) is a
  // scalar operand.
  if (constant && t.shape.empty()) {
    TsValue s = scalarOf(t);
    if (s.kind != VK::None)
      return s;
  }
  Type et = elementTypeOf(builder, t.dtype);
  if (!et)
    return emitError(loc) << "'" << path << "' has dtype " << dtypeName(t.dtype)
                          << ", which is not supported yet";
  auto type = RankedTensorType::get(t.shape, et);
  Value c = ConstantOp::create(
      builder, NameLoc::get(StringAttr::get(&ctx, path), fileLoc),
      writeRawConstant(type,
                       ArrayRef<char>(reinterpret_cast<const char *>(
                                          t.bytes.data()),
                                      t.bytes.size())));
  TsValue out = tensor(c);
  materialized[v.get()] = out.text;
  return out;
}

std::optional<llvm::json::Value> Interpreter::encode(const TsValue &v,
                                                     llvm::StringRef argName) {
  using llvm::json::Object;
  switch (v.kind) {
  case VK::None:
    return Object{{"as_none", true}};
  case VK::Bool:
    return Object{{"as_bool", v.flag}};
  case VK::Int:
    if (argName == "dtype")
      return Object{{"as_scalar_type", exportScalarType(v.integer)}};
    return Object{{"as_int", v.integer}};
  case VK::Float:
    return Object{{"as_float", v.realValue}};
  case VK::String:
    return Object{{"as_string", v.text}};
  case VK::Device:
    return Object{{"as_device", Object{{"type", v.text}}}};
  case VK::Tensor:
    return Object{{"as_tensor", Object{{"name", resolve(v.text)}}}};
  case VK::List:
  case VK::Tuple: {
    llvm::json::Array tensors, ints, reals;
    bool allTensors = true, allInts = true, allNumbers = true;
    for (const TsValue &i : v.items) {
      allTensors &= i.kind == VK::Tensor;
      allInts &= i.kind == VK::Int;
      allNumbers &= i.isNumber();
      if (i.kind == VK::Tensor)
        tensors.push_back(Object{{"name", resolve(i.text)}});
      if (i.isNumber()) {
        ints.push_back(int64_t(i.number()));
        reals.push_back(i.number());
      }
    }
    if (v.items.empty() || allInts)
      return Object{{"as_ints", std::move(ints)}};
    if (allTensors)
      return Object{{"as_tensors", std::move(tensors)}};
    if (allNumbers)
      return Object{{"as_floats", std::move(reals)}};
    return std::nullopt;
  }
  default:
    return std::nullopt;
  }
}

FailureOr<TsValue>
Interpreter::callTorch(llvm::StringRef name, std::vector<TsValue> &args,
                       std::vector<std::pair<std::string, TsValue>> &kw,
                       const TsExpr &e, Frame &f) {
  Location loc = locOf(f, e, name);
  // Sizes and the arithmetic tracing records on them are known here.
  if (name == "size" || name == "dim" || name == "numel") {
    if (!args.empty() && args[0].poisoned())
      return args[0];
    if (args.empty() || args[0].kind != VK::Tensor)
      return emitError(loc) << "torch." << name << " of something that is "
                            << "not a tensor";
    auto type = typeOf(args[0]);
    if (name == "dim")
      return TsValue::ofInt(type.getRank());
    if (name == "size" && args.size() == 2 && args[1].kind == VK::Int) {
      int64_t d = args[1].integer < 0 ? args[1].integer + type.getRank()
                                      : args[1].integer;
      if (d < 0 || d >= type.getRank())
        return emitError(loc) << "torch.size: dim " << args[1].integer
                              << " of a rank-" << type.getRank() << " tensor";
      if (type.isDynamicDim(d))
        return emitError(loc)
               << "the traced code reads the size of dim " << d
               << ", which is dynamic here: a traced graph is specialised to "
                  "its example's shapes; give every dim in --input-shape";
      return TsValue::ofInt(type.getDimSize(d));
    }
    if (!type.hasStaticShape())
      return emitError(loc) << "torch." << name << " of a dynamic shape";
    if (name == "numel")
      return TsValue::ofInt(type.getNumElements());
    TsValue sizes;
    sizes.kind = VK::List;
    for (int64_t d : type.getShape())
      sizes.items.push_back(TsValue::ofInt(d));
    return sizes;
  }
  if (auto folded = foldNumbers(name, args))
    return *folded;
  size_t leadingNumbers = 0;
  while (leadingNumbers < args.size() && args[leadingNumbers].isNumber())
    ++leadingNumbers;
  const TsOpSchema *schema = torchScriptOp(name, leadingNumbers);
  const auto &table = atenImporters();
  if (!schema || !table.count(schema->target)) {
    emitError(loc) << "torch." << name << " is not supported by Kiln";
    unsupported = true;
    return TsValue::poison();
  }
  // After an unsupported op, the ops that read its result are only
  // checked for support: the import goes on to list every missing op.
  if (llvm::any_of(args, [](const TsValue &a) { return a.poisoned(); }) ||
      llvm::any_of(kw, [](const auto &a) { return a.second.poisoned(); }))
    return TsValue::poison();
  if (args.size() > schema->args.size())
    return emitError(loc) << "torch." << name << " with " << args.size()
                          << " arguments; its schema has "
                          << schema->args.size();
  // A transposed or non-2-D convolution is not conv2d.
  if (name == "_convolution") {
    bool transposed = args.size() > 6 && args[6].kind == VK::Bool &&
                      args[6].flag;
    bool rank4 = !args.empty() && args[0].kind == VK::Tensor &&
                 typeOf(args[0]).getRank() == 4;
    if (transposed || !rank4) {
      emitError(loc) << "torch._convolution ("
                     << (transposed ? "transposed" : "not 2-D")
                     << ") is not supported by Kiln";
      unsupported = true;
      return TsValue::poison();
    }
  }
  llvm::json::Array inputs;
  auto add = [&](llvm::StringRef argName, const TsValue &v) -> LogicalResult {
    auto json = encode(v, argName);
    if (!json)
      return emitError(loc) << "torch." << name << ": argument '" << argName
                            << "' is a " << v.kindName()
                            << ", which Kiln cannot pass to ATen";
    inputs.push_back(llvm::json::Object{{"name", argName}, {"arg", *json}});
    return success();
  };
  for (auto [i, a] : llvm::enumerate(args))
    if (failed(add(schema->args[i], a)))
      return failure();
  for (auto &[key, a] : kw)
    if (failed(add(key, a)))
      return failure();
  llvm::json::Object node{{"name", name.str()},
                          {"target", "torch.ops." + schema->target},
                          {"inputs", std::move(inputs)}};
  AtenNode n(loc, builder, node, values);
  SmallVector<Value> outs;
  if (failed(table.find(schema->target)->second(n, outs)) || n.failedOp ||
      outs.empty() || llvm::any_of(outs, [](Value v) { return !v; }))
    return failure();
  TsValue result;
  if (schema->listResult) {
    result.kind = VK::List;
    for (Value v : outs)
      result.items.push_back(tensor(v));
  } else {
    result = tensor(outs.front());
  }
  // A step-1 slice is a view a later fill_ writes back through.
  if (name == "slice" && args.size() >= 1 && args[0].kind == VK::Tensor &&
      result.kind == VK::Tensor)
    if (auto view = sliceViewOf(n, values.at(resolve(args[0].text)),
                                resolve(args[0].text)))
      views[result.text] = *view;
  // An in-place op's result is the tensor it overwrote, from now on.
  if (name.ends_with("_") && !args.empty() && args[0].kind == VK::Tensor) {
    std::string self = resolve(args[0].text);
    replacedBy[self] = result.text;
    if ((name == "fill_" || name == "zero_") && failed(writeBack(n, self)))
      return failure();
  }
  return result;
}

LogicalResult Interpreter::writeBack(AtenNode &n, std::string name) {
  for (auto it = views.find(name); it != views.end(); it = views.find(name)) {
    SliceView view = it->second;
    Value value = values.at(resolve(name));
    Value base = values.at(resolve(view.base));
    Value merged = scatterSlice(n, base, value, view.dim, view.start, view.end);
    if (!merged)
      return failure();
    std::string next = resolve(view.base);
    replacedBy[next] = tensor(merged).text;
    name = view.base;
  }
  return success();
}

FailureOr<TsValue> Interpreter::evalCall(const TsExpr &e, Frame &f) {
  std::string callee = e.callee->dotted();
  // annotate(TYPE, value): the type is not an expression to evaluate.
  if (callee == "annotate") {
    if (e.operands.size() != 2)
      return emitError(lineLoc(f, e.line)) << "annotate with "
                                           << e.operands.size() << " arguments";
    return eval(*e.operands[1], f);
  }
  if (llvm::StringRef(callee).starts_with("__torch__."))
    return emitError(lineLoc(f, e.line))
           << "a scripted class (" << callee
           << ") is outside what a traced graph holds: Kiln imports "
              "torch.jit.trace archives and torch.export (.pt2) archives";
  std::vector<TsValue> args;
  std::vector<std::pair<std::string, TsValue>> kw;
  for (const auto &a : e.operands) {
    auto v = eval(*a, f);
    if (failed(v))
      return failure();
    args.push_back(*v);
  }
  for (const auto &[key, a] : e.keywords) {
    auto v = eval(*a, f);
    if (failed(v))
      return failure();
    kw.push_back({key, *v});
  }
  if (callee == "torch.device" || callee == "ops.prim.device")
    return TsValue::ofDevice(args.empty() ? "cpu" : args[0].text);
  llvm::StringRef name(callee);
  if (name.consume_front("torch.") || name.consume_front("ops.aten."))
    return callTorch(name, args, kw, e, f);
  if (callee == "ops.prim.NumToTensor" && args.size() == 1)
    return args[0];
  if ((callee == "int" || callee == "float" || callee == "bool") &&
      args.size() == 1 && (args[0].isNumber() || args[0].poisoned())) {
    if (args[0].poisoned())
      return args[0];
    double x = args[0].number();
    return callee == "int"     ? TsValue::ofInt(int64_t(x))
           : callee == "float" ? TsValue::ofReal(x)
                               : TsValue::ofBool(x != 0);
  }
  if (callee == "getattr" && args.size() == 2 && args[0].kind == VK::Module &&
      args[1].kind == VK::String) {
    PickleRef attr = args[0].object->attr(args[1].text);
    if (!attr)
      return emitError(lineLoc(f, e.line))
             << "module '" << args[0].path << "' has no attribute '"
             << args[1].text << "'";
    return fromPickle(attr, joinPath(args[0].path, args[1].text), false,
                      lineLoc(f, e.line));
  }
  // (module).method(args): inline the submodule's method.
  if (e.callee->kind == TsExpr::Kind::Attr && callee.rfind("ops.", 0) != 0) {
    auto self = eval(*e.callee->operands[0], f);
    if (failed(self))
      return failure();
    if (self->kind == VK::Module) {
      if (!kw.empty())
        return emitError(lineLoc(f, e.line))
               << "a method call with keyword arguments";
      return invoke(*self, e.callee->text, args, f, e.line);
    }
  }
  emitError(lineLoc(f, e.line)) << "'" << (callee.empty() ? "a call" : callee)
                                << "' is not supported by Kiln";
  unsupported = true;
  return TsValue::poison();
}

FailureOr<TsValue> Interpreter::eval(const TsExpr &e, Frame &f) {
  using EK = TsExpr::Kind;
  switch (e.kind) {
  case EK::None:
    return TsValue();
  case EK::Bool:
    return TsValue::ofBool(e.boolean);
  case EK::Int:
    return TsValue::ofInt(e.integer);
  case EK::Float:
    return TsValue::ofReal(e.real);
  case EK::String:
    return TsValue::ofString(e.text);
  case EK::Name: {
    auto it = f.locals.find(e.text);
    if (it == f.locals.end())
      return emitError(lineLoc(f, e.line))
             << "'" << e.text << "' is not defined here";
    return it->second;
  }
  case EK::List:
  case EK::Tuple: {
    TsValue out;
    out.kind = e.kind == EK::List ? VK::List : VK::Tuple;
    for (const auto &item : e.operands) {
      auto v = eval(*item, f);
      if (failed(v))
        return failure();
      out.items.push_back(*v);
    }
    return out;
  }
  case EK::Index: {
    auto base = eval(*e.operands[0], f);
    if (failed(base))
      return failure();
    auto index = eval(*e.operands[1], f);
    if (failed(index))
      return failure();
    if (base->poisoned())
      return *base;
    if ((base->kind != VK::List && base->kind != VK::Tuple) ||
        index->kind != VK::Int)
      return emitError(lineLoc(f, e.line))
             << "indexing a " << base->kindName() << " by a "
             << index->kindName() << " is not supported";
    int64_t i = index->integer < 0 ? index->integer + base->items.size()
                                   : index->integer;
    if (i < 0 || i >= int64_t(base->items.size()))
      return emitError(lineLoc(f, e.line))
             << "index " << index->integer << " of " << base->items.size()
             << " items";
    return base->items[i];
  }
  case EK::Attr: {
    std::string dotted = e.dotted();
    llvm::StringRef c(dotted);
    if (c.consume_front("CONSTANTS.c")) {
      size_t i;
      if (c.getAsInteger(10, i) || !archive.constants ||
          i >= archive.constants->items.size())
        return emitError(lineLoc(f, e.line))
               << "'" << dotted << "' is not a constant of the archive";
      return fromPickle(archive.constants->items[i], dotted, true,
                        lineLoc(f, e.line));
    }
    auto base = eval(*e.operands[0], f);
    if (failed(base))
      return failure();
    if (base->kind != VK::Module)
      return emitError(lineLoc(f, e.line))
             << "attribute '" << e.text << "' of a " << base->kindName()
             << " is not supported";
    PickleRef attr = base->object->attr(e.text);
    if (!attr)
      return emitError(lineLoc(f, e.line))
             << "module '" << base->path << "' has no attribute '" << e.text
             << "'";
    return fromPickle(attr, joinPath(base->path, e.text), false,
                      lineLoc(f, e.line));
  }
  case EK::Call:
    return evalCall(e, f);
  }
  return failure();
}

FailureOr<TsValue> Interpreter::invoke(const TsValue &module,
                                       const std::string &methodName,
                                       std::vector<TsValue> args,
                                       const Frame &caller, int line) {
  const TsSource *source = nullptr;
  const TsClass *cls = archive.findClass(module.object->text, &source);
  auto it = cls ? cls->methods.find(methodName) : decltype(cls->methods.end())();
  if (!cls || it == cls->methods.end())
    return emitError(lineLoc(caller, line))
           << "class " << module.object->text << " has no method '"
           << methodName << "' in the archive's code";
  const TsMethod &method = it->second;
  if (method.params.size() != args.size() + 1)
    return emitError(lineLoc(caller, line))
           << module.object->text << "." << methodName << " takes "
           << method.params.size() - 1 << " arguments, called with "
           << args.size();
  if (++depth > kMaxCallDepth)
    return emitError(lineLoc(caller, line))
           << "submodule calls nest deeper than " << kMaxCallDepth;
  Frame f{source, module.path, {}};
  f.locals[method.params[0]] = module;
  for (auto [i, a] : llvm::enumerate(args))
    f.locals[method.params[i + 1]] = a;
  TsValue result;
  for (const TsStmt &stmt : method.body) {
    if (stmt.kind == TsStmt::Kind::Unsupported && !stmt.text.empty())
      return emitError(lineLoc(f, stmt.line))
             << "scripted control flow ('" << stmt.text
             << "') is outside what a traced graph holds: Kiln imports "
                "torch.jit.trace archives and torch.export (.pt2) archives";
    if (stmt.kind == TsStmt::Kind::Unsupported)
      return emitError(lineLoc(f, stmt.line))
             << "a statement outside the traced code Kiln reads ("
             << stmt.why << ")";
    auto v = eval(*stmt.value, f);
    if (failed(v))
      return failure();
    if (stmt.kind == TsStmt::Kind::Return) {
      result = *v;
      break;
    }
    if (stmt.kind != TsStmt::Kind::Assign)
      continue;
    if (stmt.targets.size() == 1) {
      f.locals[stmt.targets[0]] = *v;
      continue;
    }
    if (v->poisoned()) {
      for (const std::string &t : stmt.targets)
        f.locals[t] = *v;
      continue;
    }
    // An op's results that inference never reads (a pool's indices) have
    // no value: their names are bound to None.
    if ((v->kind != VK::Tuple && v->kind != VK::List) ||
        v->items.size() > stmt.targets.size())
      return emitError(lineLoc(f, stmt.line))
             << "unpacking a " << v->kindName() << " into "
             << stmt.targets.size() << " names";
    for (auto [i, t] : llvm::enumerate(stmt.targets))
      f.locals[t] = i < v->items.size() ? v->items[i] : TsValue();
  }
  --depth;
  return result;
}

/// The tensors of a forward's result (a tensor, or tuples/lists of them).
static bool flattenTensors(const TsValue &v, std::vector<TsValue> &out) {
  if (v.kind == VK::Tensor) {
    out.push_back(v);
    return true;
  }
  if (v.kind != VK::Tuple && v.kind != VK::List)
    return false;
  for (const TsValue &i : v.items)
    if (!flattenTensors(i, out))
      return false;
  return true;
}

OwningOpRef<ModuleOp> Interpreter::run() {
  std::vector<TsInput> inputs;
  std::string error;
  if (!torchScriptInputs(archive, inputs, error)) {
    emitError(fileLoc) << error;
    return nullptr;
  }
  SmallVector<Type> argTypes;
  std::vector<std::string> missing;
  for (TsInput &in : inputs) {
    auto pinned = request.shapes.find(in.name);
    if (pinned != request.shapes.end()) {
      in.shape = pinned->second;
      in.known = true;
    }
    if (!in.known) {
      missing.push_back(in.name);
      continue;
    }
    SmallVector<int64_t> shape;
    for (int64_t d : in.shape)
      shape.push_back(d < 0 ? ShapedType::kDynamic : d);
    argTypes.push_back(
        RankedTensorType::get(shape, elementTypeOf(builder, in.dtype)));
  }
  if (!missing.empty()) {
    emitError(fileLoc) << "the TorchScript archive records no shape for "
                       << "input(s) " << llvm::join(missing, ", ")
                       << ": give each with --input-shape NAME=DIMS (the "
                          "traced example's shape)";
    return nullptr;
  }
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  builder.setInsertionPointToEnd(module->getBody());
  auto func = func::FuncOp::create(builder, fileLoc, "main",
                                   builder.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  builder.setInsertionPointToStart(entry);
  std::vector<TsValue> args;
  for (auto [i, in] : llvm::enumerate(inputs)) {
    func.setArgAttr(i, "kiln.name", builder.getStringAttr(in.name));
    args.push_back(tensor(entry->getArgument(i)));
  }
  Frame top;
  auto result = invoke(TsValue::ofModule(archive.root, ""), "forward", args,
                       top, 0);
  if (failed(result) || unsupported)
    return nullptr;
  std::vector<TsValue> outs;
  if (!flattenTensors(*result, outs) || outs.empty()) {
    emitError(fileLoc) << "forward returns a " << result->kindName()
                       << "; Kiln's libraries return tensors";
    return nullptr;
  }
  SmallVector<Value> results;
  for (const TsValue &o : outs)
    results.push_back(values.at(resolve(o.text)));
  func::ReturnOp::create(builder, fileLoc, results);
  func.setFunctionType(builder.getFunctionType(
      argTypes, ValueRange(results).getTypes()));
  for (size_t i = 0; i < results.size(); ++i)
    func.setResultAttr(i, "kiln.name",
                       builder.getStringAttr("output_" + std::to_string(i)));
  return module;
}

} // namespace

bool torchScriptInputs(const TorchScriptArchive &archive,
                       std::vector<TsInput> &inputs, std::string &error) {
  const TsSource *source = nullptr;
  const TsClass *cls = archive.findClass(archive.root->text, &source);
  auto it = cls ? cls->methods.find("forward") : decltype(cls->methods.end())();
  if (!cls || it == cls->methods.end()) {
    error = "the archive has no code for " + archive.root->text +
            ".forward (Kiln compiles a module's forward)";
    return false;
  }
  const TsMethod &forward = it->second;
  // The example the model was traced with (torch 2.1 and later).
  std::vector<PickleRef> traced;
  if (archive.tracedInputs)
    if (PickleRef f = archive.tracedInputs->attr("forward"))
      traced = f->items;
  for (size_t i = 1; i < forward.params.size(); ++i) {
    const std::string &type = forward.paramTypes[i];
    if (!type.empty() && type != "Tensor") {
      error = "forward's parameter '" + forward.params[i] + "' is a " + type +
              "; Kiln's libraries take tensors";
      return false;
    }
    TsInput in{forward.params[i], {}, false};
    if (i - 1 < traced.size() &&
        traced[i - 1]->kind == PickleValue::Kind::Tensor) {
      in.shape = traced[i - 1]->tensor.sizes;
      in.known = true;
      kiln_dtype d = traced[i - 1]->tensor.dtype;
      in.dtype = d == KILN_DTYPE_FLOAT16 ? KILN_DTYPE_FLOAT32 : d;
    }
    inputs.push_back(in);
  }
  return true;
}

OwningOpRef<ModuleOp> importTorchScript(MLIRContext &ctx,
                                        const ImportRequest &request) {
  TorchScriptArchive archive;
  std::string error;
  if (!readTorchScriptArchive(request.path, archive, error)) {
    llvm::errs() << "kiln: error: " << error << "\n";
    return nullptr;
  }
  return Interpreter(ctx, request, archive).run();
}

} // namespace kiln::torch_frontend
