//===- MmaTiles.cpp - tensor-core steps of the tiled contraction kernel ---===//
//
// See MmaTiles.h. Operand fragments of mma.sync m16n8k8 (PTX ISA, "Matrix
// Fragments for mma.m16n8k8"), with g = lane / 4 and t = lane % 4:
//   TF32  A (16 x 8, row): rows g, g + 8 at columns t and t + 4
//                          (a0 (g, t), a1 (g + 8, t), a2 (g, t + 4),
//                           a3 (g + 8, t + 4));
//         B (8 x 8, col):  b0 (k = t, n = g), b1 (k = t + 4, n = g);
//   FP16  A: a0 = (g, 2t .. 2t + 1), a1 = (g + 8, 2t .. 2t + 1), pairs of
//         halves; B: b0 = (k = 2t .. 2t + 1, n = g);
//   C/D (both): c0 (g, 2t), c1 (g, 2t + 1), c2 (g + 8, 2t), c3 (g + 8, 2t + 1).
// The staged tiles are K-major ([k][m] and [k][n]), so each TF32 fragment
// element is one 32-bit shared-memory read; fp16 tiles keep the halves of
// K rows 2i and 2i + 1 side by side ([k / 2][m][2]), so each f16x2
// register is one 32-bit read too, converted once when it was staged.
//
//===----------------------------------------------------------------------===//

#include "codegen/gpu/MmaTiles.h"
#include "codegen/gpu/ContractionRoles.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

namespace kiln {

std::optional<GpuPrecision> parseGpuPrecision(llvm::StringRef text) {
  if (text == "fp32")
    return GpuPrecision::F32;
  if (text == "tf32")
    return GpuPrecision::TF32;
  if (text == "fp16")
    return GpuPrecision::F16;
  return std::nullopt;
}

namespace {
constexpr int64_t kWarpRows = 2, kWarpCols = 4; // 8 warps of 32 lanes
constexpr int64_t kMmaM = 16, kMmaN = 8, kMmaK = 8;

Value add(OpBuilder &b, Location loc, Value x, int64_t c) {
  if (c == 0)
    return x;
  return arith::AddIOp::create(b, loc, x, constantIndex(b, loc, c));
}
Value mul(OpBuilder &b, Location loc, Value x, int64_t c) {
  return arith::MulIOp::create(b, loc, x, constantIndex(b, loc, c));
}
} // namespace

MmaLanes mmaLanes(OpBuilder &b, Location loc, Value tid, int64_t bm,
                  int64_t bn) {
  Value warp = arith::DivUIOp::create(b, loc, tid, constantIndex(b, loc, 32));
  Value lane = arith::RemUIOp::create(b, loc, tid, constantIndex(b, loc, 32));
  MmaLanes lanes;
  assert(bm % (kWarpRows * kMmaM) == 0 && bn % (kWarpCols * kMmaN) == 0 &&
         "the warps' tiles must be whole mma tiles");
  int64_t warpM = bm / kWarpRows, warpN = bn / kWarpCols;
  lanes.warpRow = mul(
      b, loc,
      arith::DivUIOp::create(b, loc, warp, constantIndex(b, loc, kWarpCols)),
      warpM);
  lanes.warpCol = mul(
      b, loc,
      arith::RemUIOp::create(b, loc, warp, constantIndex(b, loc, kWarpCols)),
      warpN);
  lanes.group = arith::DivUIOp::create(b, loc, lane, constantIndex(b, loc, 4));
  lanes.thread = arith::RemUIOp::create(b, loc, lane, constantIndex(b, loc, 4));
  lanes.tilesM = warpM / kMmaM;
  lanes.tilesN = warpN / kMmaN;
  return lanes;
}

MemRefType mmaF16TileType(MLIRContext *ctx, int64_t bk, int64_t cols) {
  return MemRefType::get(
      {bk / 2, cols, 2}, Float16Type::get(ctx), nullptr,
      gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup));
}

void stageElement(OpBuilder &b, Location loc, Value v, Value tile, Value k,
                  Value other, GpuPrecision precision) {
  if (precision == GpuPrecision::F16) {
    Value two = constantIndex(b, loc, 2);
    Value half = arith::TruncFOp::create(b, loc, b.getF16Type(), v);
    memref::StoreOp::create(b, loc, half, tile,
                            ValueRange{arith::DivUIOp::create(b, loc, k, two),
                                       other,
                                       arith::RemUIOp::create(b, loc, k, two)});
    return;
  }
  if (precision == GpuPrecision::TF32) {
    Value bits = NVVM::ConvertFloatToTF32Op::create(
        b, loc, b.getI32Type(), v, NVVM::FPRoundingMode::RNA,
        NVVM::SaturationMode::NONE, /*relu=*/false);
    v = arith::BitcastOp::create(b, loc, b.getF32Type(), bits);
  }
  memref::StoreOp::create(b, loc, v, tile, ValueRange{k, other});
}

SmallVector<Value> mmaStep(OpBuilder &b, Location loc, const MmaLanes &lanes,
                           Value aTile, Value bTile, int64_t bk,
                           ValueRange accs, GpuPrecision precision) {
  assert(bk % kMmaK == 0 && "K steps must hold whole mma sub-steps");
  assert(int64_t(accs.size()) == lanes.tilesM * lanes.tilesN * 4 &&
         "four sums per mma tile");
  Type f32 = b.getF32Type(), i32 = b.getI32Type(), f16 = b.getF16Type();
  bool tf32 = precision == GpuPrecision::TF32;
  auto read = [&](Value tile, Value k, Value other) {
    Value v = memref::LoadOp::create(b, loc, tile, ValueRange{k, other});
    return tf32 ? arith::BitcastOp::create(b, loc, i32, v).getResult() : v;
  };
  // The halves at K rows 2i and 2i + 1 of one column: one f16x2 register.
  auto halves = [&](Value tile, Value pair, Value other) {
    return vector::LoadOp::create(b, loc, VectorType::get({2}, f16), tile,
                                  ValueRange{pair, other,
                                             constantIndex(b, loc, 0)})
        .getResult();
  };
  auto sumsType = LLVM::LLVMStructType::getLiteral(b.getContext(),
                                                   {f32, f32, f32, f32});
  NVVM::MMATypes type = tf32 ? NVVM::MMATypes::tf32 : NVVM::MMATypes::f16;
  SmallVector<Value> sums(accs.begin(), accs.end());
  Value g = lanes.group, t = lanes.thread;
  for (int64_t k0 = 0; k0 < bk; k0 += kMmaK) {
    // tf32 reads K rows t and t + 4; fp16 the pair of rows 2t, 2t + 1
    // (pair t of the sub-step).
    Value k = add(b, loc, t, tf32 ? k0 : k0 / 2);
    SmallVector<SmallVector<Value>> as, bs;
    for (int64_t i = 0; i < lanes.tilesM; ++i) {
      Value r0 = arith::AddIOp::create(
          b, loc, add(b, loc, lanes.warpRow, i * kMmaM), g);
      Value r1 = add(b, loc, r0, 8);
      if (tf32)
        as.push_back({read(aTile, k, r0), read(aTile, k, r1),
                      read(aTile, add(b, loc, k, 4), r0),
                      read(aTile, add(b, loc, k, 4), r1)});
      else
        as.push_back({halves(aTile, k, r0), halves(aTile, k, r1)});
    }
    for (int64_t j = 0; j < lanes.tilesN; ++j) {
      Value col = arith::AddIOp::create(
          b, loc, add(b, loc, lanes.warpCol, j * kMmaN), g);
      if (tf32)
        bs.push_back({read(bTile, k, col), read(bTile, add(b, loc, k, 4), col)});
      else
        bs.push_back({halves(bTile, k, col)});
    }
    for (int64_t i = 0; i < lanes.tilesM; ++i)
      for (int64_t j = 0; j < lanes.tilesN; ++j) {
        int64_t at = (i * lanes.tilesN + j) * 4;
        auto mma = NVVM::MmaOp::create(
            b, loc, sumsType, as[i], bs[j],
            ArrayRef<Value>(sums).slice(at, 4),
            ArrayRef<int64_t>{kMmaM, kMmaN, kMmaK}, std::nullopt, std::nullopt,
            std::array<NVVM::MMATypes, 2>{type, type},
            std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                           NVVM::MMALayout::col});
        for (int64_t c = 0; c < 4; ++c)
          sums[at + c] = LLVM::ExtractValueOp::create(b, loc, mma, c);
      }
  }
  return sums;
}

std::pair<Value, Value> mmaSumPosition(OpBuilder &b, Location loc,
                                       const MmaLanes &lanes, int64_t index) {
  int64_t tile = index / 4, c = index % 4;
  int64_t i = tile / lanes.tilesN, j = tile % lanes.tilesN;
  Value row = arith::AddIOp::create(
      b, loc, add(b, loc, lanes.warpRow, i * kMmaM + (c >= 2 ? 8 : 0)),
      lanes.group);
  Value col = arith::AddIOp::create(
      b, loc, add(b, loc, lanes.warpCol, j * kMmaN + (c & 1)),
      mul(b, loc, lanes.thread, 2));
  return {row, col};
}

} // namespace kiln
