//===- TileContractionsPass.cpp - the kiln-gpu-tile-contractions pass -----===//
//
// Matmuls, batched matmuls and convolutions (any linalg op whose body is
// out + a * b over f32) become one shared-memory tiled kernel each, written
// as scf.parallel loops mapped to blocks and threads. See Passes.td.
//
// The op's loop dims are sorted into four groups: batch (read by both
// operands), M (read by the first only), N (by the second only, or by
// neither) and K (the reductions). Each group is walked as one linear
// index, so a convolution is an implicit GEMM: M the filters, N the images
// and pixels, K the input channels and the window; the element of an
// operand at (m, k) or (k, n) is found by splitting the linear indices back
// into loop indices and applying the operand's indexing map. Nothing is
// copied to an im2col buffer.
//
// One block of 16 x 16 threads computes a BM x BN tile of the output; each
// thread TM x TN elements of it (rows ty + 16 i, columns tx + 16 j, so
// neighbouring threads write neighbouring elements), accumulated in
// registers over K in steps of BK, with the operands' BM x BK and BK x BN
// tiles staged in workgroup (shared) memory by all threads together.
// Elements past M, N or K load as zero and are never stored, so any size,
// static or not, is handled by the same kernel.
//
// With precision tf32 or fp16 the staging and the epilogue are the same,
// but the block's 8 warps compute its tile with tensor-core mma.sync from
// the staged tiles (MmaTiles.h), each lane holding the sums of its
// fragments instead of a TM x TN block.
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"
#include "codegen/gpu/ContractionRoles.h"
#include "codegen/gpu/GatherTable.h"
#include "codegen/gpu/LoopMapping.h"
#include "codegen/gpu/MmaTiles.h"

#include "mlir/Dialect/Affine/Utils.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace kiln {
#define GEN_PASS_DEF_KILNGPUTILECONTRACTIONS
#include "codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// Threads along each side of a block; a block has kSide * kSide threads.
constexpr int64_t kSide = 16;
constexpr int64_t kThreads = kSide * kSide;
/// Blocks a kernel should have to keep a large GPU busy: about two per
/// multiprocessor of an H100/H200 (132). An output of fewer tiles splits
/// its K range among blocks (split-K), each split at least
/// kMinStepsPerSplit K steps long, and the splits add their sums to the
/// output atomically.
constexpr int64_t kTargetBlocks = 264;
constexpr int64_t kMinStepsPerSplit = 8;
/// The longest static K whose offset table (GatherTable.h) is kept in
/// shared memory: 24 KiB, beside the 8 KiB tiles, under the 48 KiB a
/// block may have.
constexpr int64_t kMaxTable = 6144;

/// The tile sizes of one kernel. Each thread loads kLoads elements of each
/// operand's tile per K step: BM * BK = BK * BN = kThreads * kLoads.
struct Tiles {
  int64_t tm, tn, bm, bn, bk;
};
/// (The tensor cores finish a step's products several times faster than
/// FMAs, yet K steps twice as long, 8 loads a thread, ran the 4096^3 TF32
/// GEMM 1.9x slower on an H200: 3.10 against 1.67 ms.)
constexpr int64_t kLoads = 4;

/// Tiles of t x t output elements per thread (for the tensor cores, the
/// same block tile).
Tiles tilesOf(int64_t t) {
  int64_t side = t * kSide;
  return {t, t, side, side, kThreads * kLoads / side};
}

// 8 x 8 per thread (128 x 128 a block) reuses each loaded element twice as
// often as 4 x 4, but wastes work on a side shorter than 128 and needs a
// large output to fill the GPU: it is taken when both sides reach 128 and
// the output has at least 256 such tiles (about two blocks for each
// multiprocessor of a large GPU). Dynamic sizes decide at run time.
constexpr int64_t kLargeSide = 128, kLargeTiles = 256;

bool wantsLargeTiles(int64_t m, int64_t n, int64_t batches) {
  return m >= kLargeSide && n >= kLargeSide &&
         batches * llvm::divideCeil(m, kLargeSide) *
                 llvm::divideCeil(n, kLargeSide) >=
             kLargeTiles;
}

Value wantsLargeTiles(OpBuilder &b, Location loc, Value m, Value n,
                      Value batches) {
  Value side = constantIndex(b, loc, kLargeSide);
  auto atLeast = [&](Value x, Value bound) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, x, bound)
        .getResult();
  };
  Value tiles = arith::MulIOp::create(
      b, loc, batches,
      arith::MulIOp::create(b, loc,
                            arith::CeilDivUIOp::create(b, loc, m, side),
                            arith::CeilDivUIOp::create(b, loc, n, side)));
  Value sides = arith::AndIOp::create(b, loc, atLeast(m, side), atLeast(n, side));
  return arith::AndIOp::create(b, loc, sides,
                               atLeast(tiles, constantIndex(b, loc, kLargeTiles)));
}

struct GemmShape {
  SmallVector<Value> sizes; // every loop dim's size
  Value m, n, k;
};

/// One element a thread stages per K step: its place in the tile ([k][m]
/// or [k][n]), whether its row or column is inside the output, and the
/// loop indices of its M or N dims (clamped to a valid element).
struct StagedElement {
  Value kk, other, inside;
  SmallVector<Value> iv;
  Value base; // with an offset table: the element's offset from the M/N dims
};

/// Builds the tiled kernel that replaces `op`, before it. With `enabled`,
/// the kernel has no blocks (the runtime launches nothing) unless it holds.
void buildKernel(OpBuilder &b, linalg::LinalgOp op, const Roles &roles,
                 const Tiles &tiles, GpuPrecision precision,
                 Value enabled = {}) {
  Location loc = op.getLoc();
  MLIRContext *ctx = b.getContext();
  GemmShape shape;
  for (Range r : op.createLoopRanges(b, loc))
    shape.sizes.push_back(getValueOrCreateConstantIndexOp(b, loc, r.size));
  shape.m = product(b, loc, shape.sizes, roles.m);
  shape.n = product(b, loc, shape.sizes, roles.n);
  shape.k = product(b, loc, shape.sizes, roles.k);
  Value batches = product(b, loc, shape.sizes, roles.batch);
  Value zero = constantIndex(b, loc, 0), one = constantIndex(b, loc, 1);
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  Value flat[2];
  std::optional<GatherTable> gather[2];
  int64_t staticK = staticSize(op, roles.k);
  for (unsigned i = 0; i < 2; ++i) {
    Value operand = op.getDpsInputOperand(i)->get();
    flat[i] = collapseTrailingK(b, loc, operand, maps[i], roles);
    if (flat[i] || ShapedType::isDynamic(staticK) || staticK > kMaxTable)
      continue;
    FailureOr<GatherTable> table =
        planGatherTable(b, loc, operand, maps[i], roles.k);
    if (succeeded(table))
      gather[i] = *table;
  }
  Value bm = constantIndex(b, loc, tiles.bm), bn = constantIndex(b, loc, tiles.bn);
  auto ceilDiv = [&](Value x, Value d) {
    return arith::CeilDivUIOp::create(b, loc, x, d).getResult();
  };
  auto lessThan = [&](Value x, Value bound) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, x, bound)
        .getResult();
  };
  Value bk = constantIndex(b, loc, tiles.bk);
  Value blocksM = ceilDiv(shape.m, bm), blocksN = ceilDiv(shape.n, bn);
  Value kSteps = ceilDiv(shape.k, bk);
  // Split-K, chosen at run time (sizes may be dynamic): enough splits to
  // reach kTargetBlocks blocks, none shorter than kMinStepsPerSplit steps.
  Value outputTiles = arith::MulIOp::create(
      b, loc, batches, arith::MulIOp::create(b, loc, blocksM, blocksN));
  Value wanted = ceilDiv(constantIndex(b, loc, kTargetBlocks), outputTiles);
  Value most = arith::MaxUIOp::create(
      b, loc, one,
      arith::DivUIOp::create(b, loc, kSteps,
                             constantIndex(b, loc, kMinStepsPerSplit)));
  Value splits = arith::MinUIOp::create(b, loc, wanted, most);
  Value stepsPerSplit = ceilDiv(kSteps, splits);
  splits = ceilDiv(kSteps, stepsPerSplit); // no empty split
  Value outer = arith::MulIOp::create(b, loc, batches, splits);
  if (enabled)
    outer = arith::SelectOp::create(b, loc, enabled, outer, zero);
  auto blocks = scf::ParallelOp::create(
      b, loc, ValueRange{zero, zero, zero},
      ValueRange{outer, blocksM, blocksN}, ValueRange{one, one, one});
  setMapping(blocks, {gpu::Processor::BlockZ, gpu::Processor::BlockY,
                      gpu::Processor::BlockX});
  b.setInsertionPoint(blocks.getBody()->getTerminator());
  Value side = constantIndex(b, loc, kSide);
  auto threads = scf::ParallelOp::create(b, loc, ValueRange{zero, zero},
                                         ValueRange{side, side},
                                         ValueRange{one, one});
  setMapping(threads, {gpu::Processor::ThreadY, gpu::Processor::ThreadX});
  b.setInsertionPoint(threads.getBody()->getTerminator());

  Value bz = arith::DivUIOp::create(b, loc, blocks.getInductionVars()[0], splits);
  Value split = arith::RemUIOp::create(b, loc, blocks.getInductionVars()[0], splits);
  Value firstStep = arith::MulIOp::create(b, loc, split, stepsPerSplit);
  Value endStep = arith::MinUIOp::create(
      b, loc, kSteps, arith::AddIOp::create(b, loc, firstStep, stepsPerSplit));
  Value m0 = arith::MulIOp::create(b, loc, blocks.getInductionVars()[1], bm);
  Value n0 = arith::MulIOp::create(b, loc, blocks.getInductionVars()[2], bn);
  Value ty = threads.getInductionVars()[0], tx = threads.getInductionVars()[1];
  Value tid = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, ty, side), tx);

  auto workgroup = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
  Type f32 = b.getF32Type();
  // Four padding columns keep a tile's stores with k fastest (consecutive
  // threads a row apart) on different memory banks, and its rows 16-byte
  // aligned for the vector reads. The tensor cores' fragment reads (K rows
  // t and t + 4, columns g: MmaTiles.cpp) are on 32 different banks with
  // eight; the stores of an operand staged with k fastest then conflict
  // more (4-way on a 64-wide tile), but they are a third as many.
  bool mma = precision != GpuPrecision::F32;
  int64_t pad = mma ? 8 : 4;
  auto tileType = [&](int64_t cols) {
    if (precision == GpuPrecision::F16)
      return mmaF16TileType(ctx, tiles.bk, cols + pad);
    return MemRefType::get({tiles.bk, cols + pad}, f32, nullptr, workgroup);
  };
  Value aTile = memref::AllocaOp::create(b, loc, tileType(tiles.bm));
  Value bTile = memref::AllocaOp::create(b, loc, tileType(tiles.bn));
  std::optional<MmaLanes> lanes;
  if (mma)
    lanes = mmaLanes(b, loc, tid, tiles.bm, tiles.bn);

  unsigned numLoops = op.getNumLoops();
  // (k runs up to one K step past the end: leave a margin)
  bool narrowK = !ShapedType::isDynamic(staticK) && staticK < (int64_t(1) << 30);
  // Loop indices of the batch dims; other dims are filled per access.
  SmallVector<Value> batchIv(numLoops, zero);
  delinearize(b, loc, bz, shape.sizes, roles.batch, batchIv);

  // Offset tables: offset(k) for every k, by all threads, once per block.
  Value tables[2];
  for (unsigned i = 0; i < 2; ++i) {
    if (!gather[i])
      continue;
    tables[i] = memref::AllocaOp::create(
        b, loc, MemRefType::get({staticK}, b.getI32Type(), nullptr, workgroup));
    auto fill = scf::ForOp::create(b, loc, tid, shape.k,
                                   constantIndex(b, loc, kThreads));
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(fill.getBody());
    SmallVector<Value> iv(numLoops, zero);
    delinearize(b, loc, fill.getInductionVar(), shape.sizes, roles.k, iv,
                /*narrow=*/true);
    Value offset = affine::expandAffineExpr(b, loc, gather[i]->offset, iv, {});
    memref::StoreOp::create(
        b, loc, arith::IndexCastOp::create(b, loc, b.getI32Type(), offset),
        tables[i], ValueRange{fill.getInductionVar()});
  }
  if (gather[0] || gather[1])
    gpu::BarrierOp::create(b, loc);

  // The elements each thread stages: element e of the [BK][BM] (or BN)
  // tile, with k or the other index fastest among threads as the operand
  // is laid out (contiguousAlongK). Their M and N indices do not change
  // along K.
  auto staged = [&](unsigned operand, int64_t rows, int64_t cols) {
    bool kFastest = contiguousAlongK(maps[operand], roles);
    Value stride = constantIndex(b, loc, kFastest ? rows : cols);
    SmallVector<StagedElement> elements;
    for (int64_t r = 0; r < kLoads; ++r) {
      Value e = arith::AddIOp::create(b, loc, tid,
                                      constantIndex(b, loc, r * kThreads));
      Value fast = arith::RemUIOp::create(b, loc, e, stride);
      Value slow = arith::DivUIOp::create(b, loc, e, stride);
      StagedElement el{kFastest ? fast : slow, kFastest ? slow : fast, {}, {}};
      Value g = arith::AddIOp::create(b, loc, operand == 0 ? m0 : n0, el.other);
      el.inside = lessThan(g, operand == 0 ? shape.m : shape.n);
      el.iv = batchIv;
      delinearize(b, loc, arith::SelectOp::create(b, loc, el.inside, g, zero),
                  shape.sizes, operand == 0 ? roles.m : roles.n, el.iv);
      if (gather[operand])
        el.base = affine::expandAffineExpr(b, loc, gather[operand]->base,
                                           el.iv, {});
      elements.push_back(std::move(el));
    }
    return elements;
  };
  SmallVector<StagedElement> aElements = staged(0, tiles.bk, tiles.bm);
  SmallVector<StagedElement> bElements = staged(1, tiles.bk, tiles.bn);

  Value fzero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
  // Loads the staged elements of the K step starting at k0; elements out
  // of range read as zero from a clamped (always valid) address, so the
  // step after the last may be loaded too.
  auto loadStep = [&](Value k0) {
    SmallVector<Value> values;
    for (unsigned operand = 0; operand < 2; ++operand)
      for (StagedElement &el : operand == 0 ? aElements : bElements) {
        Value gk = arith::AddIOp::create(b, loc, k0, el.kk);
        Value inK = lessThan(gk, shape.k);
        Value k = arith::SelectOp::create(b, loc, inK, gk, zero);
        Value v;
        if (gather[operand]) {
          Value offset = memref::LoadOp::create(b, loc, tables[operand],
                                                ValueRange{k});
          Value index = arith::AddIOp::create(
              b, loc, el.base,
              arith::IndexCastOp::create(b, loc, b.getIndexType(), offset));
          v = memref::LoadOp::create(b, loc, gather[operand]->view,
                                     ValueRange{index});
        } else if (Value view = flat[operand]) {
          AffineMap map = maps[operand];
          SmallVector<Value> indices;
          for (unsigned i = 0; i + roles.k.size() < map.getNumResults(); ++i)
            indices.push_back(
                affine::expandAffineExpr(b, loc, map.getResult(i), el.iv, {}));
          indices.push_back(k);
          v = memref::LoadOp::create(b, loc, view, indices);
        } else {
          SmallVector<Value> iv = el.iv;
          delinearize(b, loc, k, shape.sizes, roles.k, iv, narrowK);
          v = memref::LoadOp::create(b, loc,
                                     op.getDpsInputOperand(operand)->get(),
                                     applyMap(b, loc, maps[operand], iv));
        }
        Value in = arith::AndIOp::create(b, loc, inK, el.inside);
        values.push_back(arith::SelectOp::create(b, loc, in, v, fzero));
      }
    return values;
  };

  // Accumulators, then the next step's staged elements: loading step s+1
  // while step s is computed keeps the global loads in flight.
  int64_t accs = tiles.tm * tiles.tn;
  SmallVector<Value> init(accs, fzero);
  llvm::append_range(init,
                     loadStep(arith::MulIOp::create(b, loc, firstStep, bk)));
  auto kLoop = scf::ForOp::create(b, loc, firstStep, endStep, one, init);
  b.setInsertionPointToStart(kLoop.getBody());
  ValueRange carried = kLoop.getRegionIterArgs();
  for (int64_t r = 0; r < 2 * kLoads; ++r) {
    StagedElement &el = r < kLoads ? aElements[r] : bElements[r - kLoads];
    stageElement(b, loc, carried[accs + r], r < kLoads ? aTile : bTile,
                 el.kk, el.other, precision);
  }
  gpu::BarrierOp::create(b, loc);
  Value next = arith::MulIOp::create(
      b, loc, arith::AddIOp::create(b, loc, kLoop.getInductionVar(), one), bk);
  SmallVector<Value> prefetched = loadStep(next);

  // Thread (ty, tx) owns rows ty * 4 + {0..3} of each 64-row group of the
  // tile, and the same columns of tx: four neighbouring elements, one
  // 16-byte shared-memory read.
  auto owned = [&](Value t, int64_t idx) {
    int64_t group = idx / 4, lane = idx % 4;
    return arith::AddIOp::create(
        b, loc, arith::MulIOp::create(b, loc, t, constantIndex(b, loc, 4)),
        constantIndex(b, loc, lane + group * 4 * kSide)).getResult();
  };
  // One K step in fp32 FMAs: per k, each thread's TM + TN tile elements
  // (four at a time) and TM x TN products.
  auto fmaStep = [&](ValueRange sums) {
    auto contract =
        arith::FastMathFlagsAttr::get(ctx, arith::FastMathFlags::contract);
    auto inner = scf::ForOp::create(b, loc, zero, bk, one, sums);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(inner.getBody());
    Value kk = inner.getInductionVar();
    auto fragment = [&](Value tile, Value t, int64_t count) {
      SmallVector<Value> values;
      auto quad = VectorType::get({4}, f32);
      for (int64_t g = 0; g < count; g += 4) {
        Value v = vector::LoadOp::create(b, loc, quad, tile,
                                         ValueRange{kk, owned(t, g)},
                                         /*nontemporal=*/false, llvm::Align(16));
        for (int64_t i = 0; i < 4; ++i)
          values.push_back(vector::ExtractOp::create(b, loc, v, i));
      }
      return values;
    };
    SmallVector<Value> as = fragment(aTile, ty, tiles.tm);
    SmallVector<Value> bs = fragment(bTile, tx, tiles.tn);
    SmallVector<Value> next;
    for (int64_t i = 0; i < tiles.tm; ++i)
      for (int64_t j = 0; j < tiles.tn; ++j) {
        Value p = arith::MulFOp::create(b, loc, as[i], bs[j], contract);
        next.push_back(arith::AddFOp::create(
            b, loc, inner.getRegionIterArgs()[i * tiles.tn + j], p, contract));
      }
    scf::YieldOp::create(b, loc, next);
    return SmallVector<Value>(inner.getResults());
  };
  SmallVector<Value> stepSums;
  if (mma) {
    stepSums = mmaStep(b, loc, *lanes, aTile, bTile, tiles.bk,
                       carried.take_front(accs), precision);
  } else {
    stepSums = fmaStep(carried.take_front(accs));
  }
  gpu::BarrierOp::create(b, loc);
  SmallVector<Value> yielded = stepSums;
  llvm::append_range(yielded, prefetched);
  scf::YieldOp::create(b, loc, yielded);

  // The output keeps its initial value (a fill, a bias): add the sums,
  // atomically when several splits add to the same element.
  auto position = [&](int64_t index) -> std::pair<Value, Value> {
    if (mma)
      return mmaSumPosition(b, loc, *lanes, index);
    return {owned(ty, index / tiles.tn), owned(tx, index % tiles.tn)};
  };
  b.setInsertionPointAfter(kLoop);
  Value out = op.getDpsInitOperand(0)->get();
  Value unsplit = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                        splits, one);
  for (int64_t index = 0; index < accs; ++index) {
    auto [row, col] = position(index);
    Value gm = arith::AddIOp::create(b, loc, m0, row);
    Value gn = arith::AddIOp::create(b, loc, n0, col);
    Value in = arith::AndIOp::create(b, loc, lessThan(gm, shape.m),
                                     lessThan(gn, shape.n));
    // (Outside the guard, so that elements of one row or column share
    // their index computations.)
    SmallVector<Value> iv = batchIv;
    delinearize(b, loc, gm, shape.sizes, roles.m, iv);
    delinearize(b, loc, gn, shape.sizes, roles.n, iv);
    auto guard = scf::IfOp::create(b, loc, in, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(guard.thenBlock());
    SmallVector<Value> indices = applyMap(b, loc, maps[2], iv);
    Value partial = kLoop.getResult(index);
    auto alone = scf::IfOp::create(b, loc, unsplit, /*withElseRegion=*/true);
    b.setInsertionPointToStart(alone.thenBlock());
    Value old = memref::LoadOp::create(b, loc, out, indices);
    Value sum = arith::AddFOp::create(b, loc, old, partial);
    memref::StoreOp::create(b, loc, sum, out, indices);
    b.setInsertionPointToStart(alone.elseBlock());
    memref::AtomicRMWOp::create(b, loc, arith::AtomicRMWKind::addf, partial,
                                out, indices);
  }
}

struct TileContractionsPass
    : impl::KilnGpuTileContractionsBase<TileContractionsPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    if (fn.getSymName() != entry || fn.isExternal())
      return;
    std::optional<GpuPrecision> precision = parseGpuPrecision(this->precision);
    if (!precision) {
      fn.emitError() << "kiln-gpu-tile-contractions: precision takes fp32, "
                        "tf32 or fp16, not '" << this->precision << "'";
      return signalPassFailure();
    }
    SmallVector<linalg::LinalgOp> ops;
    fn.walk([&](linalg::LinalgOp op) { ops.push_back(op); });
    OpBuilder b(&getContext());
    for (linalg::LinalgOp op : ops) {
      FailureOr<Roles> roles = classify(op);
      if (failed(roles))
        continue;
      b.setInsertionPoint(op);
      int64_t m = staticSize(op, roles->m), n = staticSize(op, roles->n);
      int64_t batches = staticSize(op, roles->batch);
      auto shortSide = [](int64_t s) {
        return !ShapedType::isDynamic(s) && s < kLargeSide;
      };
      if (shortSide(m) || shortSide(n)) {
        buildKernel(b, op, *roles, tilesOf(4), *precision);
      } else if (!ShapedType::isDynamic(m) && !ShapedType::isDynamic(n) &&
                 !ShapedType::isDynamic(batches)) {
        buildKernel(b, op, *roles,
                    tilesOf(wantsLargeTiles(m, n, batches) ? 8 : 4),
                    *precision);
      } else {
        // Both kernels, the run's sizes giving one of them no blocks (a
        // branch would make the host wait for the GPU before and after).
        Location loc = op.getLoc();
        SmallVector<Value> sizes;
        for (Range r : op.createLoopRanges(b, loc))
          sizes.push_back(getValueOrCreateConstantIndexOp(b, loc, r.size));
        Value large = wantsLargeTiles(
            b, loc, product(b, loc, sizes, roles->m),
            product(b, loc, sizes, roles->n),
            product(b, loc, sizes, roles->batch));
        Value small = arith::XOrIOp::create(
            b, loc, large, arith::ConstantIntOp::create(b, loc, 1, 1));
        buildKernel(b, op, *roles, tilesOf(8), *precision, large);
        b.setInsertionPoint(op);
        buildKernel(b, op, *roles, tilesOf(4), *precision, small);
      }
      op->erase();
    }
  }
};

} // namespace
} // namespace kiln
