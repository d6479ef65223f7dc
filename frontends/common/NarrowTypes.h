//===- NarrowTypes.h - Host-side view of the narrow element types -*- C++ -*-===//
//
// bfloat16, the 8-bit and 4-bit floats and the 4-bit and 2-bit integers, as
// the tools read, print and compare them. The library ABI holds sub-byte
// types one element per byte (value in the low bits, zero above); ONNX packs
// them, two (or four) to a byte, lowest element in the lowest bits.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_COMMON_NARROWTYPES_H
#define KILN_FRONTENDS_COMMON_NARROWTYPES_H

#include "kiln_runtime.h"

#include <cmath>
#include <cstdint>

namespace kiln {

/// Bit layout of a small float: sign, `exp` exponent bits, `mant` mantissa
/// bits, exponent `bias`, and which codes are special.
struct NarrowFloatFormat {
  enum Specials {
    Ieee,         // all-ones exponent: inf (mantissa 0) or NaN
    NanAllOnes,   // "FN": no inf; all-ones exponent and mantissa is NaN
    NanNegZero,   // "FNUZ": no inf, no -0; the -0 code is NaN
    None          // every code is a finite number
  };
  int exp = 0, mant = 0, bias = 0;
  Specials specials = Ieee;
};

/// The format of a narrow float dtype; false for other dtypes.
inline bool narrowFloatFormat(kiln_dtype dtype, NarrowFloatFormat &f) {
  using F = NarrowFloatFormat;
  switch (dtype) {
  case KILN_DTYPE_BFLOAT16: f = {8, 7, 127, F::Ieee}; return true;
  case KILN_DTYPE_FLOAT8E4M3FN: f = {4, 3, 7, F::NanAllOnes}; return true;
  case KILN_DTYPE_FLOAT8E4M3FNUZ: f = {4, 3, 8, F::NanNegZero}; return true;
  case KILN_DTYPE_FLOAT8E5M2: f = {5, 2, 15, F::Ieee}; return true;
  case KILN_DTYPE_FLOAT8E5M2FNUZ: f = {5, 2, 16, F::NanNegZero}; return true;
  case KILN_DTYPE_FLOAT4E2M1: f = {2, 1, 1, F::None}; return true;
  default: return false;
  }
}

/// The value of the narrow float `bits` in format `f` (exact as a double).
inline double narrowFloatValue(const NarrowFloatFormat &f, uint32_t bits) {
  uint32_t expMax = (1u << f.exp) - 1, mantMax = (1u << f.mant) - 1;
  bool negative = (bits >> (f.exp + f.mant)) & 1;
  uint32_t e = (bits >> f.mant) & expMax, m = bits & mantMax;
  if ((f.specials == NarrowFloatFormat::Ieee && e == expMax) ||
      (f.specials == NarrowFloatFormat::NanAllOnes && e == expMax &&
       m == mantMax))
    return m && f.specials == NarrowFloatFormat::Ieee ? NAN
           : f.specials == NarrowFloatFormat::Ieee
               ? (negative ? -INFINITY : INFINITY)
               : NAN;
  if (f.specials == NarrowFloatFormat::NanNegZero && negative && !e && !m)
    return NAN;
  double v = e ? std::ldexp(1.0 + std::ldexp(double(m), -f.mant), int(e) - f.bias)
               : std::ldexp(double(m), 1 - f.bias - f.mant);
  return negative ? -v : v;
}

/// Bits per element of a sub-byte integer or float dtype; 0 for others.
inline int subByteBits(kiln_dtype dtype) {
  switch (dtype) {
  case KILN_DTYPE_UINT4:
  case KILN_DTYPE_INT4:
  case KILN_DTYPE_FLOAT4E2M1: return 4;
  case KILN_DTYPE_UINT2:
  case KILN_DTYPE_INT2: return 2;
  default: return 0;
  }
}

/// The sub-byte integer held in the low bits of `byte`, sign-extended for
/// the signed dtypes.
inline int subByteInteger(kiln_dtype dtype, uint8_t byte) {
  int bits = subByteBits(dtype);
  int v = byte & ((1 << bits) - 1);
  bool isSigned = dtype == KILN_DTYPE_INT4 || dtype == KILN_DTYPE_INT2;
  return isSigned && (v >> (bits - 1)) ? v - (1 << bits) : v;
}

} // namespace kiln

#endif // KILN_FRONTENDS_COMMON_NARROWTYPES_H
