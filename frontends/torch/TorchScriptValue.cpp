//===- TorchScriptValue.cpp - values of a traced forward, at import -------===//

#include "frontends/torch/TorchScriptValue.h"

#include "llvm/ADT/STLExtras.h"

#include <cmath>
#include <cstring>

namespace kiln::torch_frontend {

const char *TsValue::kindName() const {
  switch (kind) {
  case Kind::None: return "None";
  case Kind::Bool: return "bool";
  case Kind::Int: return "int";
  case Kind::Float: return "float";
  case Kind::String: return "string";
  case Kind::Tensor: return "tensor";
  case Kind::List: return "list";
  case Kind::Tuple: return "tuple";
  case Kind::Module: return "module";
  case Kind::Device: return "device";
  case Kind::Poison: return "value of an unsupported op";
  }
  return "value";
}

template <typename T> static T load(const HostTensor &t) {
  T x;
  std::memcpy(&x, t.bytes.data(), sizeof(T));
  return x;
}

TsValue scalarOf(const HostTensor &t) {
  if (t.bytes.size() != dtypeSize(t.dtype))
    return TsValue();
  switch (t.dtype) {
  case KILN_DTYPE_FLOAT32: return TsValue::ofReal(load<float>(t));
  case KILN_DTYPE_FLOAT64: return TsValue::ofReal(load<double>(t));
  case KILN_DTYPE_INT64: return TsValue::ofInt(load<int64_t>(t));
  case KILN_DTYPE_INT32: return TsValue::ofInt(load<int32_t>(t));
  case KILN_DTYPE_BOOL: return TsValue::ofBool(load<uint8_t>(t) != 0);
  default: return TsValue();
  }
}

std::optional<TsValue> foldNumbers(llvm::StringRef name,
                                   const std::vector<TsValue> &args) {
  if (args.empty() || !llvm::all_of(args, [](const TsValue &a) {
        return a.isNumber();
      }))
    return std::nullopt;
  using K = TsValue::Kind;
  if (name == "neg" && args.size() == 1)
    return args[0].kind == K::Float ? TsValue::ofReal(-args[0].realValue)
                                    : TsValue::ofInt(-int64_t(args[0].number()));
  if (args.size() != 2)
    return std::nullopt;
  bool ints = args[0].kind != K::Float && args[1].kind != K::Float;
  double a = args[0].number(), b = args[1].number();
  auto result = [&](double x) {
    return ints ? TsValue::ofInt(int64_t(x)) : TsValue::ofReal(x);
  };
  if (name == "add")
    return result(a + b);
  if (name == "sub" || name == "rsub")
    return result(name == "sub" ? a - b : b - a);
  if (name == "mul")
    return result(a * b);
  if (name == "div")
    return TsValue::ofReal(a / b); // true division, as Python's /
  if (name == "pow")
    return ints && b >= 0 ? TsValue::ofInt(int64_t(std::pow(a, b)))
                          : TsValue::ofReal(std::pow(a, b));
  if ((name == "floor_divide" || name == "remainder") && b != 0) {
    double q = std::floor(a / b);
    return result(name == "floor_divide" ? q : a - q * b);
  }
  return std::nullopt;
}

} // namespace kiln::torch_frontend
