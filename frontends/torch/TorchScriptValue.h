//===- TorchScriptValue.h - values of a traced forward, at import -*- C++ -*-===//
//
// What a name of traced code holds while Kiln imports it: a tensor (by
// its name in the importer's value table), a number known at import (a
// size, a traced Python scalar), a list or tuple, a module object of the
// archive, a device, or poison (the result of an op Kiln reported as
// unsupported, so that the import goes on to report every such op).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_TORCH_TORCHSCRIPTVALUE_H
#define KILN_FRONTENDS_TORCH_TORCHSCRIPTVALUE_H

#include "frontends/common/HostTensor.h"
#include "frontends/torch/Pickle.h"

#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>
#include <vector>

namespace kiln::torch_frontend {

struct TsValue {
  enum class Kind {
    None, Bool, Int, Float, String, Tensor, List, Tuple, Module, Device,
    Poison,
  };
  Kind kind = Kind::None;
  bool flag = false;
  int64_t integer = 0;
  double realValue = 0;
  /// String, device type, or a tensor's name.
  std::string text;
  std::vector<TsValue> items;
  /// Module: the archive's object and its path from the root.
  PickleRef object;
  std::string path;

  static TsValue ofBool(bool b) {
    TsValue v;
    v.kind = Kind::Bool;
    v.flag = b;
    return v;
  }
  static TsValue ofInt(int64_t i) {
    TsValue v;
    v.kind = Kind::Int;
    v.integer = i;
    return v;
  }
  static TsValue ofReal(double x) {
    TsValue v;
    v.kind = Kind::Float;
    v.realValue = x;
    return v;
  }
  static TsValue ofString(std::string s) {
    TsValue v;
    v.kind = Kind::String;
    v.text = std::move(s);
    return v;
  }
  static TsValue ofTensor(std::string name) {
    TsValue v;
    v.kind = Kind::Tensor;
    v.text = std::move(name);
    return v;
  }
  static TsValue ofDevice(std::string type) {
    TsValue v;
    v.kind = Kind::Device;
    v.text = std::move(type);
    return v;
  }
  static TsValue ofModule(PickleRef object, std::string path) {
    TsValue v;
    v.kind = Kind::Module;
    v.object = std::move(object);
    v.path = std::move(path);
    return v;
  }
  static TsValue poison() {
    TsValue v;
    v.kind = Kind::Poison;
    return v;
  }

  bool isNumber() const {
    return kind == Kind::Int || kind == Kind::Float || kind == Kind::Bool;
  }
  double number() const {
    return kind == Kind::Int ? double(integer)
           : kind == Kind::Bool ? double(flag)
                                : realValue;
  }
  bool poisoned() const { return kind == Kind::Poison; }
  /// "tensor", "int", "list", ... for messages.
  const char *kindName() const;
};

/// `a.b` module paths; the root's attributes have no leading dot.
inline std::string joinPath(const std::string &base, const std::string &attr) {
  return base.empty() ? attr : base + "." + attr;
}

/// The number a one-element tensor holds (a traced Python scalar), or None
/// when its dtype is not a number Kiln reads.
TsValue scalarOf(const HostTensor &t);

/// torch.NAME over numbers known at import (the arithmetic tracing
/// records on sizes: floor_divide, mul, add, sub, div, pow, remainder, neg),
/// or nullopt when an operand is not a number.
std::optional<TsValue> foldNumbers(llvm::StringRef name,
                                   const std::vector<TsValue> &args);

} // namespace kiln::torch_frontend

#endif // KILN_FRONTENDS_TORCH_TORCHSCRIPTVALUE_H
