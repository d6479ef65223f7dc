//===- NarrowFloats.h - bfloat16 and 8/4-bit float conversions --*- C++ -*-===//
//
// Conversions between float32 and the narrow floats (bfloat16, float8
// E4M3FN/E4M3FNUZ/E5M2/E5M2FNUZ, float4 E2M1FN) built from integer and
// float32 arith ops, so they lower on every target: LLVM has no 8-bit or
// 4-bit float types, and its bfloat16 truncation needs a runtime helper.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_LINALG_NARROWFLOATS_H
#define KILN_CODEGEN_LINALG_NARROWFLOATS_H

#include "mlir/IR/Builders.h"

namespace kiln {

/// True for the narrow float types the conversions below handle.
bool isNarrowFloat(mlir::Type t);

/// The float32 value of the narrow float `x` (of type `from`); exact.
mlir::Value narrowFloatToF32(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::Value x, mlir::FloatType from);

/// The float32 `x` rounded to nearest-even in `to`: overflow gives inf
/// where `to` has one, NaN where it has none (float4, having neither,
/// saturates, and takes NaN to -0 as ml_dtypes does), as a plain
/// conversion does; Cast's saturation clamps first.
mlir::Value f32ToNarrowFloat(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::Value x, mlir::FloatType to);

} // namespace kiln

#endif // KILN_CODEGEN_LINALG_NARROWFLOATS_H
