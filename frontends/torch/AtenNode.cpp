//===- AtenNode.cpp - arguments of one ATen call ---------------------------===//

#include "frontends/torch/AtenNode.h"

#include "ir/KilnDialect.h"

#include <algorithm>

#include <limits>

using namespace mlir;

namespace kiln::torch_frontend {

const llvm::json::Object *AtenNode::arg(llvm::StringRef name) const {
  if (const auto *inputs = node.getArray("inputs"))
    for (const auto &input : *inputs)
      if (const auto *obj = input.getAsObject())
        if (obj->getString("name") == name)
          return obj->getObject("arg");
  return nullptr;
}

std::string AtenNode::target() const {
  return atenName(node.getString("target").value_or(""));
}

std::string atenName(llvm::StringRef target) {
  target.consume_front("torch.ops.");
  return target.str();
}

/// The Value of a {"name": N} tensor reference.
static Value lookup(const std::map<std::string, Value> &values,
                    const llvm::json::Object *ref) {
  auto name = ref ? ref->getString("name") : std::nullopt;
  if (!name)
    return {};
  auto it = values.find(name->str());
  return it == values.end() ? Value() : it->second;
}

Value AtenNode::tensor(llvm::StringRef name, bool required) {
  const auto *a = arg(name);
  Value v = a ? lookup(values, a->getObject("as_tensor")) : Value();
  if (!v && required && !failedOp) {
    error() << target() << ": argument '" << name << "' is not a tensor "
            << "Kiln has a value for";
    failedOp = true;
  }
  return v;
}

std::optional<std::vector<Value>> AtenNode::tensors(llvm::StringRef name) {
  const auto *a = arg(name);
  const auto *list = a ? a->getArray("as_tensors") : nullptr;
  if (!list)
    return std::nullopt;
  std::vector<Value> out;
  for (const auto &ref : *list) {
    Value v = lookup(values, ref.getAsObject());
    if (!v)
      return std::nullopt;
    out.push_back(v);
  }
  return out;
}

int64_t AtenNode::intArg(llvm::StringRef name, int64_t dflt) const {
  const auto *a = arg(name);
  auto v = a ? a->getInteger("as_int") : std::nullopt;
  return v.value_or(dflt);
}

std::vector<int64_t> AtenNode::intsArg(llvm::StringRef name,
                                       std::vector<int64_t> dflt) const {
  const auto *a = arg(name);
  if (!a)
    return dflt;
  if (auto one = a->getInteger("as_int"))
    return std::vector<int64_t>(dflt.empty() ? 1 : dflt.size(), *one);
  const auto *list = a->getArray("as_ints");
  if (!list)
    return dflt;
  std::vector<int64_t> out;
  for (const auto &v : *list)
    out.push_back(v.getAsInteger().value_or(0));
  // int[2] given as one value means that value twice.
  if (out.size() == 1 && dflt.size() > 1)
    out.assign(dflt.size(), out[0]);
  return out;
}

std::vector<int64_t> AtenNode::symIntsArg(llvm::StringRef name) const {
  const auto *a = arg(name);
  const auto *list = a ? a->getArray("as_sym_ints") : nullptr;
  if (!list)
    return intsArg(name, {});
  std::vector<int64_t> out;
  for (const auto &v : *list) {
    const auto *obj = v.getAsObject();
    auto n = obj ? obj->getInteger("as_int") : std::nullopt;
    out.push_back(n ? *n : mlir::ShapedType::kDynamic);
  }
  return out;
}

double AtenNode::floatArg(llvm::StringRef name, double dflt) const {
  const auto *a = arg(name);
  if (!a)
    return dflt;
  if (auto f = a->getNumber("as_float"))
    return *f;
  // JSON has no infinities: torch.export writes them as strings.
  if (auto text = a->getString("as_float")) {
    if (*text == "Infinity" || *text == "-Infinity")
      return *text == "Infinity" ? std::numeric_limits<double>::infinity()
                                 : -std::numeric_limits<double>::infinity();
    if (*text == "NaN")
      return std::numeric_limits<double>::quiet_NaN();
  }
  if (auto i = a->getInteger("as_int"))
    return double(*i);
  return dflt;
}

bool AtenNode::boolArg(llvm::StringRef name, bool dflt) const {
  const auto *a = arg(name);
  auto v = a ? a->getBoolean("as_bool") : std::nullopt;
  return v.value_or(dflt);
}

Value sliceDim(AtenNode &n, Value x, int64_t dim, int64_t start, int64_t end,
               int64_t step) {
  auto type = n.inputTypeOf(x);
  auto &b = n.builder;
  if (!type.hasStaticShape()) {
    auto op = n.createOp<DynamicSliceOp>(
        x, n.i64Const({start}), n.i64Const({end}),
        b.getDenseI64ArrayAttr({dim}), b.getDenseI64ArrayAttr({step}));
    return op ? op.getResult() : Value();
  }
  SmallVector<int64_t> offsets(type.getRank(), 0), sizes(type.getShape()),
      strides(type.getRank(), 1);
  offsets[dim] = start;
  sizes[dim] = end > start ? (end - start + step - 1) / step : 0;
  strides[dim] = step;
  return n.create<SliceOp>(x, b.getDenseI64ArrayAttr(offsets),
                           b.getDenseI64ArrayAttr(sizes),
                           b.getDenseI64ArrayAttr(strides));
}

std::pair<int64_t, int64_t> sliceBounds(const AtenNode &n, int64_t size) {
  auto clampIndex = [&](int64_t i) {
    return std::clamp<int64_t>(i < 0 ? i + size : i, 0, size);
  };
  const auto *end = n.arg("end");
  return {clampIndex(n.intArg("start", 0)),
          end && !end->get("as_none") ? clampIndex(n.intArg("end", size))
                                      : size};
}

Value scatterSlice(AtenNode &n, Value base, Value value, int64_t dim,
                   int64_t start, int64_t end) {
  int64_t size = n.inputTypeOf(base).getDimSize(dim);
  SmallVector<Value> parts;
  if (start > 0)
    parts.push_back(sliceDim(n, base, dim, 0, start, 1));
  parts.push_back(value);
  if (end < size)
    parts.push_back(sliceDim(n, base, dim, end, size, 1));
  return parts.size() == 1
             ? value
             : n.create<ConcatOp>(parts, n.builder.getI64IntegerAttr(dim));
}

std::optional<SliceView> sliceViewOf(AtenNode &n, Value x, std::string base) {
  auto type = n.inputTypeOf(x);
  if (n.intArg("step", 1) != 1)
    return std::nullopt;
  int64_t dim = normalizeAxis(n.intArg("dim", 0), type.getRank());
  int64_t size = type.getDimSize(dim);
  if (ShapedType::isDynamic(size))
    return std::nullopt;
  auto [start, end] = sliceBounds(n, size);
  return SliceView{std::move(base), dim, start, end};
}

} // namespace kiln::torch_frontend
