//===- MmaTiles.h - tensor-core steps of the tiled contraction kernel -*- C++ -*-===//
//
// With `--gpu-precision=tf32|fp16` the tiled contraction kernel
// (TileContractionsPass.cpp) computes its block tile with warp-wide
// mma.sync instructions (16 x 8 x 8, f32 sums) instead of each thread's
// fp32 FMAs. The staging of the operands' tiles in shared memory, split-K
// and the epilogue stay as they are; these helpers give the warps' part.
//
// The block's 8 warps form a 2 x 4 grid over its BM x BN tile: each warp
// computes a (BM/2) x (BN/4) tile as (BM/32) x (BN/32) mma tiles of
// 16 x 8. Lane l holds, of each mma tile, the sums at rows g and g + 8 and
// columns 2t and 2t + 1, where g = l / 4 and t = l % 4 (PTX's fragment
// layout for m16n8k8 with f32 accumulators).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_GPU_MMATILES_H
#define KILN_CODEGEN_GPU_MMATILES_H

#include "mlir/IR/Builders.h"

#include <optional>

namespace kiln {

/// What the contraction kernels multiply in: fp32 FMAs, or tensor cores
/// with operands rounded to TF32 (10-bit mantissa) or to fp16. Sums are
/// f32 in every case.
enum class GpuPrecision { F32, TF32, F16 };

/// "fp32", "tf32" or "fp16"; nullopt for anything else.
std::optional<GpuPrecision> parseGpuPrecision(llvm::StringRef text);

/// One lane's place in the block's warp grid.
struct MmaLanes {
  mlir::Value warpRow, warpCol; ///< first row and column of its warp's tile
  mlir::Value group, thread;    ///< g = lane / 4 and t = lane % 4
  int64_t tilesM, tilesN;       ///< mma tiles per warp along M and N
};

/// The lanes of a block of 256 threads numbered `tid`, for a BM x BN tile.
MmaLanes mmaLanes(mlir::OpBuilder &b, mlir::Location loc, mlir::Value tid,
                  int64_t bm, int64_t bn);

/// The workgroup tile of fp16 elements for `bk` K rows and `cols` columns:
/// [bk / 2][cols][2], the halves of K rows 2i and 2i + 1 of a column side
/// by side, so that each is one f16x2 fragment register.
mlir::MemRefType mmaF16TileType(mlir::MLIRContext *ctx, int64_t bk,
                                int64_t cols);

/// Stores element (k, other) of an operand's tile: fp32 as it is, TF32
/// rounded to nearest (ties away from zero: cvt.rna) and kept in an f32,
/// fp16 converted into its pair (mmaF16TileType).
void stageElement(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                  mlir::Value tile, mlir::Value k, mlir::Value other,
                  GpuPrecision precision);

/// Adds one K step of the staged tiles (aTile over [bk][>= BM], bTile
/// over [bk][>= BN], bk a multiple of 8) to the lane's sums `accs` (tilesM *
/// tilesN * 4 of them, mma tile (i, j)'s four at (i * tilesN + j) * 4) and
/// returns the new sums.
llvm::SmallVector<mlir::Value> mmaStep(mlir::OpBuilder &b, mlir::Location loc,
                                       const MmaLanes &lanes, mlir::Value aTile,
                                       mlir::Value bTile, int64_t bk,
                                       mlir::ValueRange accs,
                                       GpuPrecision precision);

/// The row and column within the block tile of the lane's sum `index`.
std::pair<mlir::Value, mlir::Value> mmaSumPosition(mlir::OpBuilder &b,
                                                   mlir::Location loc,
                                                   const MmaLanes &lanes,
                                                   int64_t index);

} // namespace kiln

#endif // KILN_CODEGEN_GPU_MMATILES_H
