//===- compare.h - Comparing a model output with a reference ----*- C++ -*-===//
//
// The numeric check behind `kiln run --expect`. For floating-point tensors it
// computes
//   max_abs_err = max_i |a_i - b_i|
//   max_rel_err = max_i |a_i - b_i| / max(|b_i|, tiny)     (tiny = 1e-12)
//   max_ref     = max_i |b_i|
// and passes when max_abs_err <= atol + rtol * max_ref, i.e. the tolerance
// scales with the reference's overall magnitude, not element by element
// (small elements next to large ones do not fail on relative noise). A NaN
// in the result where the reference is not NaN fails; NaN matching NaN and
// equal infinities count as exact. Integer and bool tensors must match
// exactly. A dtype or shape difference always fails.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLS_KILN_SUPPORT_COMPARE_H
#define KILN_TOOLS_KILN_SUPPORT_COMPARE_H

#include "frontends/common/HostTensor.h"

#include <string>

namespace kiln {

/// Tolerances for compareTensors.
struct Tolerance {
  double rtol = 1e-4;
  double atol = 1e-5;
};

/// What compareTensors found.
struct CompareResult {
  bool pass = false;
  double maxAbsErr = 0;
  double maxRelErr = 0;
  double maxAbsRef = 0;
  int64_t nanMismatches = 0; ///< result NaN where the reference is not
  int64_t mismatches = 0;    ///< integer/bool elements that differ
  std::string problem;       ///< non-empty for dtype/shape/size differences
};

/// Compares `actual` with the reference `expected` (see the file comment).
CompareResult compareTensors(const HostTensor &actual,
                             const HostTensor &expected, const Tolerance &tol);

/// One report line: "output 'NAME': max_abs_err=... max_rel_err=...
/// (max|ref|=...) PASS" (or FAIL, with the reason for structural failures).
std::string formatCompareLine(const std::string &name,
                              const CompareResult &result);

} // namespace kiln

#endif // KILN_TOOLS_KILN_SUPPORT_COMPARE_H
