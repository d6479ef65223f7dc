//===- LoweringUtils.h - builders shared by kiln-to-linalg patterns -*- C++ -*-===//
//
// Broadcasting elementwise generics, reductions, fills and reshapes: the
// vocabulary every kiln lowering pattern uses. Dynamic (`?`) dims are
// supported: result sizes are read from the operands with tensor.dim.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_LINALG_LOWERINGUTILS_H
#define KILN_CODEGEN_LINALG_LOWERINGUTILS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace kiln {

/// The runtime function compiled code calls when two run-time dims that
/// must be equal differ: `(i64, i64) -> ()`, declared in the module by the
/// driver (see prepareEntryPoint); the run then fails with a shape error.
inline constexpr llvm::StringLiteral kDimsDisagreeSymbol =
    "kiln_rt_dims_disagree";

/// The runtime function compiled code calls when a run-time dim is shorter
/// than the model needs: `(i64 dim, i64 least) -> ()`, declared likewise.
inline constexpr llvm::StringLiteral kDimTooSmallSymbol = "kiln_rt_dim_too_small";

/// The runtime function compiled code calls when an index read at run time
/// (Gather, GatherND, ScatterND and the element forms built on them) lies
/// outside [-extent, extent): `(i64 index, i64 extent) -> ()`. The CPU
/// driver declares it; the run then fails with an invalid-argument error.
inline constexpr llvm::StringLiteral kIndexOutOfRangeSymbol =
    "kiln_rt_index_out_of_range";

/// Emits `if (a != c) kiln_rt_dims_disagree(a, c)` for two index values
/// when the module declares the function; nothing otherwise.
void checkDimsAgree(mlir::OpBuilder &b, mlir::Location loc, mlir::Value a,
                    mlir::Value c);

/// Emits `if (dim < least) kiln_rt_dim_too_small(dim, least)` likewise:
/// a run-time dim too short for the model (top_k's k) is a shape error.
void checkDimAtLeast(mlir::OpBuilder &b, mlir::Location loc, mlir::Value dim,
                     mlir::Value least);

/// Emits a loop over every element of `indices` that calls
/// kiln_rt_index_out_of_range for the first one outside [-extent, extent),
/// when the module declares that function; nothing otherwise. With one
/// extent it bounds every element; with several, element j of the last dim
/// is bounded by extents[j] (GatherND's index tuples).
void checkIndicesWithin(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Value indices, llvm::ArrayRef<mlir::Value> extents);

/// Body of an elementwise generic: scalar operands in, scalar result out.
using ScalarFn = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

/// A linalg.generic computing `body` for every element of `resultType`, each
/// operand broadcast numpy-style (right-aligned, size-1 dims repeated). A
/// dynamic result dim takes its size from `sizes` when given, else from an
/// operand that is not broadcast along it.
mlir::Value buildElementwise(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::RankedTensorType resultType,
                             mlir::ValueRange operands, ScalarFn body,
                             llvm::ArrayRef<mlir::OpFoldResult> sizes = {});

/// An integer index `raw` as an index value in [0, extent): negative ones
/// count from the end, the rest are clamped so that no read leaves the
/// tensor. checkIndicesWithin makes the run fail before any clamped index
/// is used where the runtime can report it (the CPU target).
mlir::Value indexWithin(mlir::OpBuilder &b, mlir::Location loc, mlir::Value raw,
                        mlir::Value extent);

/// The run-time size of every dim of `v` (constants for static dims).
llvm::SmallVector<mlir::OpFoldResult> dimSizes(mlir::OpBuilder &b,
                                               mlir::Location loc,
                                               mlir::Value v);

/// A tensor.empty of `type`; its dynamic dims take their sizes from
/// `sizes` (one entry per dim of `type`; static entries are ignored).
mlir::Value buildEmpty(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::RankedTensorType type,
                       llvm::ArrayRef<mlir::OpFoldResult> sizes = {});

/// A tensor of `type` filled with `value`; dynamic dims as in buildEmpty.
mlir::Value buildFilled(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::RankedTensorType type, double value,
                        llvm::ArrayRef<mlir::OpFoldResult> sizes = {});

/// `v`'s bits read as `t` (ui8 as i8, f8E4M3FN as i8, and back): arith is
/// signless and has no 8-bit floats, so such elements are cast as they are
/// read and written. The unrealized cast vanishes once element types are
/// lowered to LLVM's, which map both sides to one type. `v` when it already
/// has type `t`.
mlir::Value retype(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                   mlir::Type t);

/// A scalar arith constant of `type` (float or integer).
mlir::Value scalarConstant(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Type type, double value);

enum class BinKind { Add, Sub, Mul, Div, Pow, Max, Min, Atan2, FloorDiv,
                     FloorMod, Rem };

/// `x k y` on scalars of element type `et` (signed for integers; integer
/// division by zero yields 0). Null for Atan2 on integers.
mlir::Value binaryScalar(mlir::OpBuilder &b, mlir::Location loc, BinKind k,
                         mlir::Value x, mlir::Value y, mlir::Type et);

enum class ReduceKind { Sum, Max, Min, Prod };

/// Reduces `input` over `axes` (sorted); the result drops those dims.
mlir::Value buildReduction(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value input, llvm::ArrayRef<int64_t> axes,
                           ReduceKind kind);

/// Reshapes a tensor (row-major) to `shape` with collapse/expand_shape,
/// keeping the dims a reassociation maps through. A `?` in `shape` takes
/// its size from `sizes` when given (one entry per dim of `shape`), else it
/// is inferred (at most one `?` per expanded group). Null when the reshape
/// cannot be expressed that way.
mlir::Value buildReshape(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Value input, llvm::ArrayRef<int64_t> shape,
                         llvm::ArrayRef<mlir::OpFoldResult> sizes = {});

/// The constant behind `v`: `v`'s own, or that of the constant a chain of
/// collapse_shape / expand_shape reshapes `v` from. Reshapes keep row-major
/// order, so its raw elements are `v`'s in order. Null when there is none.
mlir::ElementsAttr matchReshapedConstant(mlir::Value v);

} // namespace kiln

#endif // KILN_CODEGEN_LINALG_LOWERINGUTILS_H
