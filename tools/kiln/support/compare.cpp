//===- compare.cpp - Comparing a model output with a reference ------------===//
//
// Elements are widened to double before comparison so one loop serves every
// dtype; integer dtypes (int64 included, whose large values would lose
// precision as doubles) are compared bitwise-exactly element by element.
//
//===----------------------------------------------------------------------===//

#include "compare.h"

#include "frontends/common/NarrowTypes.h"

#include <cmath>
#include <cstdio>
#include <cstring>

using namespace kiln;

namespace {

constexpr double kTiny = 1e-12;

/// The element of type T at `p`, as a double.
template <typename T> double load(const uint8_t *p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return static_cast<double>(v);
}

/// Element `i` of `t` widened to double.
double elementAsDouble(const HostTensor &t, int64_t i) {
  const uint8_t *p = t.bytes.data() + size_t(i) * dtypeSize(t.dtype);
  switch (t.dtype) {
  case KILN_DTYPE_FLOAT32: return load<float>(p);
  case KILN_DTYPE_FLOAT16: return halfToFloat(uint16_t(load<uint16_t>(p)));
  case KILN_DTYPE_FLOAT64: return load<double>(p);
  case KILN_DTYPE_INT32: return load<int32_t>(p);
  case KILN_DTYPE_INT64: return load<int64_t>(p);
  case KILN_DTYPE_INT16: return load<int16_t>(p);
  case KILN_DTYPE_UINT16: return load<uint16_t>(p);
  case KILN_DTYPE_UINT32: return load<uint32_t>(p);
  case KILN_DTYPE_UINT64: return load<uint64_t>(p);
  case KILN_DTYPE_INT8: return load<int8_t>(p);
  case KILN_DTYPE_UINT8:
  case KILN_DTYPE_BOOL: return load<uint8_t>(p);
  case KILN_DTYPE_UINT4:
  case KILN_DTYPE_INT4:
  case KILN_DTYPE_UINT2:
  case KILN_DTYPE_INT2: return subByteInteger(t.dtype, load<uint8_t>(p));
  default: break;
  }
  NarrowFloatFormat f;
  if (narrowFloatFormat(t.dtype, f))
    return narrowFloatValue(f, dtypeSize(t.dtype) == 2
                                   ? uint32_t(load<uint16_t>(p))
                                   : uint32_t(load<uint8_t>(p)));
  return 0;
}

/// Error of one float element pair; false when it is a NaN mismatch.
bool floatError(double a, double b, double &absErr) {
  if (std::isnan(b)) {
    absErr = std::isnan(a) ? 0 : INFINITY;
    return true;
  }
  if (std::isnan(a))
    return false;
  absErr = (a == b) ? 0 : std::fabs(a - b);
  return true;
}

/// Fills the float statistics of `r`.
void compareFloat(const HostTensor &a, const HostTensor &b, int64_t n,
                  const Tolerance &tol, CompareResult &r) {
  for (int64_t i = 0; i < n; ++i) {
    double x = elementAsDouble(a, i), y = elementAsDouble(b, i);
    if (std::isfinite(y)) // an infinite reference must not widen the bound
      r.maxAbsRef = std::fmax(r.maxAbsRef, std::fabs(y));
    double absErr = 0;
    if (!floatError(x, y, absErr)) {
      ++r.nanMismatches;
      continue;
    }
    r.maxAbsErr = std::fmax(r.maxAbsErr, absErr);
    r.maxRelErr =
        std::fmax(r.maxRelErr, absErr / std::fmax(std::fabs(y), kTiny));
  }
  r.pass =
      r.nanMismatches == 0 && r.maxAbsErr <= tol.atol + tol.rtol * r.maxAbsRef;
}

/// Fills the exact statistics of `r` for integer/bool tensors.
void compareExact(const HostTensor &a, const HostTensor &b, int64_t n,
                  CompareResult &r) {
  size_t size = dtypeSize(a.dtype);
  for (int64_t i = 0; i < n; ++i) {
    double x = elementAsDouble(a, i), y = elementAsDouble(b, i);
    r.maxAbsRef = std::fmax(r.maxAbsRef, std::fabs(y));
    bool same = subByteBits(a.dtype)
                    ? x == y // only the low bits of each byte hold the value
                    : std::memcmp(a.bytes.data() + i * size,
                                  b.bytes.data() + i * size, size) == 0;
    if (same)
      continue;
    ++r.mismatches;
    double absErr = std::fabs(x - y);
    r.maxAbsErr = std::fmax(r.maxAbsErr, absErr);
    r.maxRelErr =
        std::fmax(r.maxRelErr, absErr / std::fmax(std::fabs(y), kTiny));
  }
  r.pass = r.mismatches == 0;
}

/// Describes a structural difference, or returns "" when there is none.
std::string structuralProblem(const HostTensor &a, const HostTensor &b) {
  if (a.dtype != b.dtype)
    return "dtype " + dtypeName(a.dtype) + " differs from reference dtype " +
           dtypeName(b.dtype);
  if (a.shape != b.shape)
    return "shape " + shapeString(a.shape) + " differs from reference shape " +
           shapeString(b.shape);
  int64_t n = elementCount(a);
  size_t bytes = size_t(n) * dtypeSize(a.dtype);
  if (n < 0 || a.bytes.size() != bytes || b.bytes.size() != bytes)
    return "data size does not match shape " + shapeString(a.shape);
  return "";
}

} // namespace

CompareResult kiln::compareTensors(const HostTensor &actual,
                                   const HostTensor &expected,
                                   const Tolerance &tol) {
  CompareResult r;
  r.problem = structuralProblem(actual, expected);
  if (!r.problem.empty())
    return r;
  int64_t n = elementCount(actual);
  if (isFloatDtype(actual.dtype))
    compareFloat(actual, expected, n, tol, r);
  else
    compareExact(actual, expected, n, r);
  return r;
}

std::string kiln::formatCompareLine(const std::string &name,
                                    const CompareResult &r) {
  std::string line = "output '" + name + "': ";
  if (!r.problem.empty())
    return line + r.problem + " FAIL";
  char buf[160];
  std::snprintf(buf, sizeof buf,
                "max_abs_err=%.3g max_rel_err=%.3g (max|ref|=%.3g)",
                r.maxAbsErr, r.maxRelErr, r.maxAbsRef);
  line += buf;
  if (r.nanMismatches)
    line += " nan_mismatches=" + std::to_string(r.nanMismatches);
  if (r.mismatches)
    line += " mismatches=" + std::to_string(r.mismatches);
  return line + (r.pass ? " PASS" : " FAIL");
}
