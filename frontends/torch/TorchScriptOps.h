//===- TorchScriptOps.h - torch.* calls of traced code, as ATen ----*- C++ -*-===//
//
// Traced TorchScript calls ATen ops by their Python names with positional
// arguments (`torch.batch_norm(x, w, b, mean, var, False, 0.1, 1e-05,
// True)`). This table gives each the ATen overload Kiln imports it as
// (AtenImporters.cpp) and its arguments' schema names, so that one
// importer serves both .pt2 and .pt archives.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_TORCH_TORCHSCRIPTOPS_H
#define KILN_FRONTENDS_TORCH_TORCHSCRIPTOPS_H

#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace kiln::torch_frontend {

struct TsOpSchema {
  /// The ATen overload ("aten.conv2d.default").
  std::string target;
  /// Schema names of the positional arguments, in order.
  std::vector<std::string> args;
  /// The op returns a list of tensors (chunk, unbind).
  bool listResult = false;
};

/// The schema of `torch.NAME` called with `positional` arguments of which
/// `numbers` lead as plain numbers (arange's overloads), or null.
const TsOpSchema *torchScriptOp(llvm::StringRef name, size_t leadingNumbers);

/// The torch.export ScalarType number of c10's ScalarType `code` (a
/// TorchScript dtype argument), or -1.
int64_t exportScalarType(int64_t code);

} // namespace kiln::torch_frontend

#endif // KILN_FRONTENDS_TORCH_TORCHSCRIPTOPS_H
