//===- AtenNode.cpp - arguments of one ATen call ---------------------------===//

#include "frontends/torch/AtenNode.h"

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

double AtenNode::floatArg(llvm::StringRef name, double dflt) const {
  const auto *a = arg(name);
  if (!a)
    return dflt;
  if (auto f = a->getNumber("as_float"))
    return *f;
  if (auto i = a->getInteger("as_int"))
    return double(*i);
  return dflt;
}

bool AtenNode::boolArg(llvm::StringRef name, bool dflt) const {
  const auto *a = arg(name);
  auto v = a ? a->getBoolean("as_bool") : std::nullopt;
  return v.value_or(dflt);
}

} // namespace kiln::torch_frontend
