//===- ContractionRoles.h - a linalg contraction seen as a GEMM -*- C++ -*-===//
//
// kiln-gpu-tile-contractions computes any linalg op whose body is
// out + a * b as one GEMM kernel. These helpers sort the op's loop dims
// into batch, M, N and K, and turn linear indices over those groups back
// into loop indices and operand addresses.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_GPU_CONTRACTIONROLES_H
#define KILN_CODEGEN_GPU_CONTRACTIONROLES_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace kiln {

/// A contraction's loop dims, by the role they play in the GEMM: batch
/// (read by both operands), M (by the first only), N (by the second only,
/// or by neither) and K (the reductions).
struct Roles {
  llvm::SmallVector<unsigned> batch, m, n, k;
};

/// The roles of `op`'s loop dims, or failure when `op` is no f32
/// `out + a * b` contraction with a reduction of 16 or more (or unknown).
mlir::FailureOr<Roles> classify(mlir::linalg::LinalgOp op);

/// Whether an operand's innermost (contiguous) dim moves with K dims alone.
bool contiguousAlongK(mlir::AffineMap map, const Roles &roles);

mlir::Value constantIndex(mlir::OpBuilder &b, mlir::Location loc, int64_t v);

/// The product of the loop sizes of `dims` (1 when there are none).
mlir::Value product(mlir::OpBuilder &b, mlir::Location loc,
                    llvm::ArrayRef<mlir::Value> sizes,
                    llvm::ArrayRef<unsigned> dims);

/// Writes into `iv` the loop indices of `dims` that the row-major linear
/// index `linear` over their sizes stands for (in i32 when `narrow`).
void delinearize(mlir::OpBuilder &b, mlir::Location loc, mlir::Value linear,
                 llvm::ArrayRef<mlir::Value> sizes,
                 llvm::ArrayRef<unsigned> dims,
                 llvm::SmallVectorImpl<mlir::Value> &iv, bool narrow = false);

/// The indices into an operand for loop indices `iv`.
llvm::SmallVector<mlir::Value> applyMap(mlir::OpBuilder &b, mlir::Location loc,
                                        mlir::AffineMap map,
                                        llvm::ArrayRef<mlir::Value> iv);

/// `operand` with its trailing K dims collapsed into one, or null.
mlir::Value collapseTrailingK(mlir::OpBuilder &b, mlir::Location loc,
                              mlir::Value operand, mlir::AffineMap map,
                              const Roles &roles);

/// The static size of the product of `dims`' loop ranges, or kDynamic.
int64_t staticSize(mlir::linalg::LinalgOp op, llvm::ArrayRef<unsigned> dims);

} // namespace kiln

#endif // KILN_CODEGEN_GPU_CONTRACTIONROLES_H
