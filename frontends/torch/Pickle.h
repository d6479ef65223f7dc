//===- Pickle.h - the pickles TorchScript archives hold, read safely -*- C++ -*-===//
//
// A TorchScript archive keeps its module tree in data.pkl and its traced
// constants in constants.pkl: Python pickles (protocol 2) of module
// objects (a class name and a dict of attributes), tensors
// (torch._utils._rebuild_tensor_v2 over a storage named by a persistent
// id), lists, tuples, dicts and scalars. This reader understands exactly
// those opcodes and globals and builds a value tree; it never runs
// anything, and any other global or opcode is an error naming it.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_TORCH_PICKLE_H
#define KILN_FRONTENDS_TORCH_PICKLE_H

#include "kiln_runtime.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace kiln::torch_frontend {

struct PickleValue;
using PickleRef = std::shared_ptr<PickleValue>;

/// A tensor of an archive: a view (offset, sizes, strides, in elements)
/// of storage `storageKey`, the archive's data/KEY (or constants/KEY).
struct PickledTensor {
  std::string storageKey;
  kiln_dtype dtype = KILN_DTYPE_FLOAT32;
  int64_t storageElements = 0;
  int64_t offset = 0;
  std::vector<int64_t> sizes, strides;
};

struct PickleValue {
  enum class Kind {
    None, Bool, Int, Float, String, Tuple, List, Dict,
    /// A module object: `text` is its class ("__torch__.Net"), `dict`
    /// its attributes once BUILD set them.
    Object,
    /// An allowed global not yet applied ("collections.OrderedDict").
    Global,
    /// A persistent id naming a storage (before _rebuild_tensor_v2).
    Storage,
    Tensor,
  };
  Kind kind = Kind::None;
  bool boolean = false;
  int64_t integer = 0;
  double real = 0;
  /// String, a global's or object's qualified name.
  std::string text;
  std::vector<PickleRef> items;
  std::vector<std::pair<PickleRef, PickleRef>> dict;
  PickledTensor tensor;

  /// The value of attribute `key` of an Object or string-keyed Dict, or
  /// null.
  PickleRef attr(const std::string &key) const;
};

/// Unpickles `bytes`; null with `error` set when they are not a pickle of
/// the kind TorchScript writes.
PickleRef readPickle(const std::string &bytes, std::string &error);

} // namespace kiln::torch_frontend

#endif // KILN_FRONTENDS_TORCH_PICKLE_H
