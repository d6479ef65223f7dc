//===- LoweringUtils.h - builders shared by kiln-to-linalg patterns -*- C++ -*-===//
//
// Broadcasting elementwise generics, reductions, fills and reshapes on
// static-shaped tensors: the vocabulary every kiln lowering pattern uses.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_LINALG_LOWERINGUTILS_H
#define KILN_CODEGEN_LINALG_LOWERINGUTILS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace kiln {

/// Body of an elementwise generic: scalar operands in, scalar result out.
using ScalarFn = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

/// A linalg.generic computing `body` for every element of `resultType`, each
/// operand broadcast numpy-style (right-aligned, size-1 dims repeated).
mlir::Value buildElementwise(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::RankedTensorType resultType,
                             mlir::ValueRange operands, ScalarFn body);

/// A tensor of `type` filled with `value`.
mlir::Value buildFilled(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::RankedTensorType type, double value);

/// A scalar arith constant of `type` (float or integer).
mlir::Value scalarConstant(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Type type, double value);

enum class ReduceKind { Sum, Max };

/// Reduces `input` over `axes` (sorted); the result drops those dims.
mlir::Value buildReduction(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value input, llvm::ArrayRef<int64_t> axes,
                           ReduceKind kind);

/// Reshapes a static tensor (row-major) to `shape` with collapse/expand.
mlir::Value buildReshape(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Value input, llvm::ArrayRef<int64_t> shape);

} // namespace kiln

#endif // KILN_CODEGEN_LINALG_LOWERINGUTILS_H
