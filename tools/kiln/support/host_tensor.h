//===- host_tensor.h - A tensor held in host memory -------------*- C++ -*-===//
//
// HostTensor is the CLI's in-memory tensor: a name, a kiln_dtype, a shape and
// the dense row-major bytes. The .npy and TensorProto readers produce it,
// `kiln run`/`kiln bench` hand it to a compiled model as a kiln_tensor, and
// the comparison code reads it back. Helpers give element sizes, counts and
// printable names for dtypes and shapes.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLS_KILN_SUPPORT_HOST_TENSOR_H
#define KILN_TOOLS_KILN_SUPPORT_HOST_TENSOR_H

#include "kiln_runtime.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace kiln {

/// A dense, row-major tensor in host memory that owns its bytes.
struct HostTensor {
  std::string name;
  kiln_dtype dtype = KILN_DTYPE_FLOAT32;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;
};

/// Bytes per element of `dtype`, or 0 for a code Kiln does not know.
inline size_t dtypeSize(kiln_dtype dtype) {
  switch (dtype) {
  case KILN_DTYPE_UINT8:
  case KILN_DTYPE_INT8:
  case KILN_DTYPE_BOOL:
    return 1;
  case KILN_DTYPE_FLOAT32:
  case KILN_DTYPE_INT32:
    return 4;
  case KILN_DTYPE_INT64:
  case KILN_DTYPE_FLOAT64:
    return 8;
  }
  return 0;
}

/// Lower-case name of `dtype` ("float32"), or "dtype(N)" for unknown codes.
inline std::string dtypeName(kiln_dtype dtype) {
  switch (dtype) {
  case KILN_DTYPE_FLOAT32:
    return "float32";
  case KILN_DTYPE_UINT8:
    return "uint8";
  case KILN_DTYPE_INT8:
    return "int8";
  case KILN_DTYPE_INT32:
    return "int32";
  case KILN_DTYPE_INT64:
    return "int64";
  case KILN_DTYPE_BOOL:
    return "bool";
  case KILN_DTYPE_FLOAT64:
    return "float64";
  }
  return "dtype(" + std::to_string(static_cast<int>(dtype)) + ")";
}

/// True for the floating-point dtypes.
inline bool isFloatDtype(kiln_dtype dtype) {
  return dtype == KILN_DTYPE_FLOAT32 || dtype == KILN_DTYPE_FLOAT64;
}

/// Number of elements of `shape` (1 for a scalar); -1 if a dim is negative
/// or the count overflows.
inline int64_t elementCount(const std::vector<int64_t> &shape) {
  int64_t count = 1;
  for (int64_t dim : shape) {
    if (dim < 0 || (dim != 0 && count > INT64_MAX / dim))
      return -1;
    count *= dim;
  }
  return count;
}

/// Number of elements of `t`.
inline int64_t elementCount(const HostTensor &t) {
  return elementCount(t.shape);
}

/// Prints a shape as "[1,3,224,224]"; negative dims print as "?".
inline std::string shapeString(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ",";
    s += shape[i] < 0 ? "?" : std::to_string(shape[i]);
  }
  return s + "]";
}

/// A kiln_tensor that views `t`'s bytes and shape (valid while `t` lives and
/// is not resized).
/// An empty tensor gets a non-null data pointer (the runtime rejects NULL).
inline kiln_tensor asKilnTensor(HostTensor &t) {
  if (t.bytes.empty())
    t.bytes.reserve(1);
  kiln_tensor view;
  view.data = t.bytes.data();
  view.dtype = t.dtype;
  view.rank = static_cast<int32_t>(t.shape.size());
  view.shape = t.shape.data();
  return view;
}

} // namespace kiln

#endif // KILN_TOOLS_KILN_SUPPORT_HOST_TENSOR_H
