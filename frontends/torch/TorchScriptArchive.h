//===- TorchScriptArchive.h - a TorchScript .pt archive, read -----*- C++ -*-===//
//
// `torch.jit.trace(...).save()` (and torch.jit.script) write a zip archive,
// all entries under one folder:
//   data.pkl        the module tree: module objects, their attributes and
//                   parameters (tensors over storages data/KEY)
//   constants.pkl   a tuple of the tensors the code names CONSTANTS.cN
//                   (storages constants/KEY)
//   code/__torch__/.../MOD.py   the classes' code (TorchScriptCode.h)
//   version (or .data/version), byteorder, traced_inputs.pkl (newer torch:
//                   the example inputs of the trace)
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_TORCH_TORCHSCRIPTARCHIVE_H
#define KILN_FRONTENDS_TORCH_TORCHSCRIPTARCHIVE_H

#include "frontends/common/HostTensor.h"
#include "frontends/torch/Pickle.h"
#include "frontends/torch/TorchScriptCode.h"
#include "frontends/torch/ZipReader.h"

#include <map>
#include <string>

namespace kiln::torch_frontend {

struct TorchScriptArchive {
  ZipReader zip;
  int64_t version = 0;
  /// data.pkl's root: the top module object.
  PickleRef root;
  /// constants.pkl: a tuple of tensors (CONSTANTS.cN is item N).
  PickleRef constants;
  /// traced_inputs.pkl's forward inputs, when the archive has them.
  PickleRef tracedInputs;
  /// Code files by module ("__torch__.torch.nn.modules.conv").
  std::map<std::string, TsSource> sources;

  /// The class `qualified` ("__torch__.torch.nn.modules.conv.Conv2d") and
  /// its file, or null.
  const TsClass *findClass(const std::string &qualified,
                           const TsSource **source) const;
  /// The bytes of a tensor of data.pkl (`constant`: of constants.pkl),
  /// dense and row-major; false with `error`.
  bool tensorData(const PickledTensor &t, bool constant, HostTensor &out,
                  std::string &error) const;
};

/// The newest file-format version Kiln reads (torch writes 3; torch 1.x
/// wrote up to 10 in .data/version).
constexpr int64_t kTorchScriptMaxVersion = 10;

/// Reads the archive at `path`; false with `error` naming it.
bool readTorchScriptArchive(const std::string &path,
                            TorchScriptArchive &archive, std::string &error);

} // namespace kiln::torch_frontend

#endif // KILN_FRONTENDS_TORCH_TORCHSCRIPTARCHIVE_H
