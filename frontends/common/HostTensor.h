//===- HostTensor.h - A tensor held in host memory --------------*- C++ -*-===//
//
// HostTensor is Kiln's framework-neutral tensor: a name, a kiln_dtype (the
// library ABI's dtype), a shape and the dense row-major bytes. Frontends
// take frozen inputs as HostTensors; the .npy and TensorProto readers
// produce them, `kiln run`/`kiln bench` hand them to a compiled model as
// kiln_tensors, and the comparison code reads them back. Helpers give element sizes, counts and
// printable names for dtypes and shapes.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_COMMON_HOSTTENSOR_H
#define KILN_FRONTENDS_COMMON_HOSTTENSOR_H

#include "kiln_runtime.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include <unistd.h>

namespace kiln {

/// A dense, row-major tensor in host memory that owns its bytes.
struct HostTensor {
  std::string name;
  kiln_dtype dtype = KILN_DTYPE_FLOAT32;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;
};

/// Bytes per element of `dtype`, or 0 for a code Kiln does not know.
inline size_t dtypeSize(kiln_dtype dtype) { return kiln_dtype_size(dtype); }

/// Lower-case name of `dtype` ("float32"), or "dtype(N)" for unknown codes.
inline std::string dtypeName(kiln_dtype dtype) {
  if (const char *name = kiln_dtype_name(dtype))
    return name;
  return "dtype(" + std::to_string(static_cast<int>(dtype)) + ")";
}

/// True for the floating-point dtypes.
inline bool isFloatDtype(kiln_dtype dtype) {
  switch (dtype) {
  case KILN_DTYPE_FLOAT32:
  case KILN_DTYPE_FLOAT64:
  case KILN_DTYPE_FLOAT16:
  case KILN_DTYPE_BFLOAT16:
  case KILN_DTYPE_FLOAT8E4M3FN:
  case KILN_DTYPE_FLOAT8E4M3FNUZ:
  case KILN_DTYPE_FLOAT8E5M2:
  case KILN_DTYPE_FLOAT8E5M2FNUZ:
  case KILN_DTYPE_FLOAT4E2M1: return true;
  default: return false;
  }
}

/// IEEE half bits to float (exact: every half is a float).
inline float halfToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h >> 15) << 31, exp = (h >> 10) & 0x1f,
           mant = h & 0x3ff, bits;
  if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (mant << 13); // inf / NaN
  } else if (exp != 0) {
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  } else if (mant == 0) {
    bits = sign; // zero
  } else { // subnormal: normalise
    int shift = 0;
    while (!(mant & 0x400)) {
      mant <<= 1;
      ++shift;
    }
    bits = sign | (uint32_t(113 - shift) << 23) | ((mant & 0x3ff) << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

/// Float to IEEE half bits, rounding to nearest even.
inline uint16_t floatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, sizeof x);
  uint32_t sign = (x >> 16) & 0x8000u;
  int32_t exp = int32_t((x >> 23) & 0xff) - 127 + 15;
  uint32_t mant = x & 0x7fffffu;
  if (((x >> 23) & 0xff) == 0xff) // inf / NaN
    return uint16_t(sign | 0x7c00u | (mant ? 0x200u : 0u));
  if (exp >= 0x1f)
    return uint16_t(sign | 0x7c00u); // overflow to inf
  if (exp <= 0) { // subnormal or zero
    if (exp < -10)
      return uint16_t(sign);
    mant |= 0x800000u;
    uint32_t shift = uint32_t(14 - exp);
    uint32_t half = mant >> shift, rest = mant & ((1u << shift) - 1);
    uint32_t mid = 1u << (shift - 1);
    if (rest > mid || (rest == mid && (half & 1)))
      ++half;
    return uint16_t(sign | half);
  }
  uint32_t half = sign | (uint32_t(exp) << 10) | (mant >> 13);
  uint32_t rest = mant & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (half & 1)))
    ++half; // may carry into the exponent, which is still correct
  return uint16_t(half);
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

/// Sizes t.bytes for its shape and dtype, zero-filled; false with `err`
/// when the tensor cannot be held: its size overflows, exceeds the
/// machine's physical memory, or the allocation fails.
inline bool allocateBytes(HostTensor &t, std::string &err) {
  int64_t count = elementCount(t.shape);
  size_t width = dtypeSize(t.dtype);
  long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGESIZE);
  double physical = pages > 0 && pageSize > 0 ? double(pages) * double(pageSize)
                                              : 1e300;
  double bytes = double(count) * double(width);
  if (count < 0 || bytes > physical) {
    err = "out of memory: tensor '" + t.name + "' (" +
          std::to_string(count < 0 ? -1 : count) +
          " elements) needs more memory than this machine has";
    return false;
  }
  try {
    t.bytes.assign(size_t(count) * width, 0);
  } catch (const std::bad_alloc &) {
    err = "out of memory: cannot allocate tensor '" + t.name + "'";
    return false;
  }
  return true;
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

#endif // KILN_FRONTENDS_COMMON_HOSTTENSOR_H
