//===- TileContractionsPass.cpp - the kiln-cpu-tile-contractions pass -----===//
//
// Makes matmuls fast on the CPU:
//  -  a static matmul whose right-hand side is a constant (fully connected
//     layers, convolution filters) gets the packed-panel kernel of
//     PackedMatmul.cpp, whose weights are re-laid out at compile time;
// the rest with upstream MLIR transforms only:
//  0. a matmul with a dynamic M (a dynamic batch or sequence) becomes a
//     loop over static blocks of 16 register tiles of rows, then static
//     matmuls for what remains (splitDynamicRows);
//  1. each static f32 linalg.matmul is cut (tensor slices) into a part whose
//     M and N are multiples of the register tile and remainder parts, so
//     every part tiles exactly;
//  2. each part is tiled with upstream's TilingInterface functions (tile +
//     fuse the fill into an scf.forall over register tiles, which later
//     runs on the thread pool; tile K) and vectorized;
//  3. shared cleanups (upstream's vector pattern sets) turn the vectorized
//     tiles into broadcast + FMA outer products with the accumulator
//     hoisted out of the K loop (../shared/notes/cpu-codegen.md).
// Matmuls it cannot schedule (K without a small divisor) are left for the
// loop fallback, which is correct but slow.
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"
#include "codegen/cpu/LoopFallback.h"
#include "codegen/cpu/PackedMatmul.h"
#include "codegen/cpu/SplitBatchMatmul.h"
#include "codegen/linalg/LoweringUtils.h"
#include "ir/ConstantData.h"

#include "mlir/IR/Matchers.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/Dominance.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace kiln {
#define GEN_PASS_DEF_KILNCPUTILECONTRACTIONS
#include "codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

constexpr llvm::StringLiteral kTileIdAttr = "kiln.tile_id";

/// Register tile of one matmul part: rows x cols, K step.
struct TileShape {
  int64_t rows, cols, kStep;
};

/// A K step in [2, 8] dividing k with at least two steps, preferring 4;
/// 0 if none.
int64_t chooseKStep(int64_t k) {
  for (int64_t s : {4, 8, 6, 2, 7, 5, 3})
    if (k % s == 0 && k / s >= 2)
      return s;
  return 0;
}

/// The largest tile in [lo, hi] dividing `extent` into at least two tiles
/// (every loop keeps >= 2 iterations, so the schedule's loop handles stay
/// valid); 0 if none.
int64_t chooseTile(int64_t extent, int64_t lo, int64_t hi) {
  for (int64_t t = std::min(hi, extent / 2); t >= lo; --t)
    if (extent % t == 0)
      return t;
  return 0;
}

/// A matmul on rows [r0, r0+m) of A and columns [c0, c0+n) of B, inserted
/// into `acc` at the same place.
Value emitPart(OpBuilder &b, Location loc, Value a, Value bm, Value acc,
               int64_t r0, int64_t m, int64_t c0, int64_t n, int64_t k,
               linalg::MatmulOp &created) {
  Type et = cast<RankedTensorType>(a.getType()).getElementType();
  Value as = tensor::ExtractSliceOp::create(
      b, loc, RankedTensorType::get({m, k}, et), a, ValueRange{}, ValueRange{}, ValueRange{},
      ArrayRef<int64_t>{r0, 0}, ArrayRef<int64_t>{m, k}, ArrayRef<int64_t>{1, 1});
  Value bs = tensor::ExtractSliceOp::create(
      b, loc, RankedTensorType::get({k, n}, et), bm, ValueRange{}, ValueRange{}, ValueRange{},
      ArrayRef<int64_t>{0, c0}, ArrayRef<int64_t>{k, n}, ArrayRef<int64_t>{1, 1});
  auto type = RankedTensorType::get({m, n}, et);
  created = linalg::MatmulOp::create(b, loc, TypeRange{type}, ValueRange{as, bs},
                                     ValueRange{buildFilled(b, loc, type, 0.0)});
  return tensor::InsertSliceOp::create(
      b, loc, created.getResult(0), acc, ValueRange{}, ValueRange{}, ValueRange{},
      ArrayRef<int64_t>{r0, c0}, ArrayRef<int64_t>{m, n}, ArrayRef<int64_t>{1, 1});
}

/// A constant K x N right-hand side whose rows are a multiple of 1 KiB
/// apart is re-laid out with 16 extra floats per row: with power-of-two row
/// strides, the rows a register tile walks through map to the same cache
/// sets and evict each other. Returns a K x (N+16) constant (callers slice
/// columns [0, N) of it), or `b` itself when it is not such a constant.
Value padConstantRows(OpBuilder &builder, Location loc, Value b) {
  auto type = cast<RankedTensorType>(b.getType());
  int64_t k = type.getDimSize(0), n = type.getDimSize(1);
  Attribute attr;
  if ((n * 4) % 1024 != 0 || !matchPattern(b, m_Constant(&attr)))
    return b;
  auto values = readConstant(attr);
  if (!values)
    return b;
  int64_t padded = n + 16;
  std::vector<double> data(size_t(k * padded), 0.0);
  for (int64_t r = 0; r < k; ++r)
    std::copy_n(values->data.begin() + r * n, n, data.begin() + r * padded);
  auto paddedType = RankedTensorType::get({k, padded}, type.getElementType());
  return arith::ConstantOp::create(builder, loc,
                                   writeConstant(paddedType, data));
}

/// Whether `op` is a static f32 matmul accumulating into a zero fill.
bool isCandidate(linalg::MatmulOp op) {
  auto t = dyn_cast<RankedTensorType>(op.getResultTypes()[0]);
  if (!t || !t.hasStaticShape() || !t.getElementType().isF32())
    return false;
  for (Value v : op.getDpsInputs())
    if (!cast<ShapedType>(v.getType()).hasStaticShape())
      return false;
  auto fill = op.getDpsInits()[0].getDefiningOp<linalg::FillOp>();
  if (!fill)
    return false;
  auto c = fill.getInputs()[0].getDefiningOp<arith::ConstantOp>();
  auto f = c ? dyn_cast<FloatAttr>(c.getValue()) : FloatAttr();
  return f && f.getValue().isZero() && !op->hasAttr(kTileIdAttr);
}

/// Whether `op` is an f32 matmul with a dynamic M (rows), static K and N,
/// accumulating into a zero fill: the form a dynamic batch or sequence
/// gives after its leading dims collapse into M.
bool isDynamicRowsCandidate(linalg::MatmulOp op) {
  auto t = dyn_cast<RankedTensorType>(op.getResultTypes()[0]);
  auto a = dyn_cast<RankedTensorType>(op.getDpsInputs()[0].getType());
  auto b = dyn_cast<RankedTensorType>(op.getDpsInputs()[1].getType());
  if (!t || !a || !b || !t.getElementType().isF32() || !t.isDynamicDim(0) ||
      t.isDynamicDim(1) || a.isDynamicDim(1) || !b.hasStaticShape())
    return false;
  auto fill = op.getDpsInits()[0].getDefiningOp<linalg::FillOp>();
  auto c = fill ? fill.getInputs()[0].getDefiningOp<arith::ConstantOp>()
                : arith::ConstantOp();
  auto f = c ? dyn_cast<FloatAttr>(c.getValue()) : FloatAttr();
  return f && f.getValue().isZero();
}

/// A static [r, K] x [K, N] matmul on rows [at, at + r) of `a`, inserted
/// into `into` at the same rows.
Value rowsMatmul(OpBuilder &b, Location loc, Value a, Value bm, Value into,
                 OpFoldResult at, int64_t r) {
  auto bt = cast<RankedTensorType>(bm.getType());
  int64_t k = bt.getDimSize(0), n = bt.getDimSize(1);
  Type et = bt.getElementType();
  SmallVector<OpFoldResult> offsets = {at, b.getIndexAttr(0)};
  SmallVector<OpFoldResult> ones(2, b.getIndexAttr(1));
  Value rowsOfA = tensor::ExtractSliceOp::create(
      b, loc, RankedTensorType::get({r, k}, et), a, offsets,
      SmallVector<OpFoldResult>{b.getIndexAttr(r), b.getIndexAttr(k)}, ones);
  auto type = RankedTensorType::get({r, n}, et);
  Value mm = linalg::MatmulOp::create(b, loc, TypeRange{type},
                                      ValueRange{rowsOfA, bm},
                                      ValueRange{buildFilled(b, loc, type, 0.0)})
                 .getResult(0);
  return tensor::InsertSliceOp::create(
      b, loc, mm, into, offsets,
      SmallVector<OpFoldResult>{b.getIndexAttr(r), b.getIndexAttr(n)}, ones);
}

/// A dynamic-M matmul becomes static matmuls that get register tiles:
///  - a loop over blocks of 16 register tiles of rows (96 rows): one
///    thread-parallel kernel per block, few enough calls that their set-up
///    does not show;
///  - for the M mod 96 rows left, one block each of 48, 24, 12 and 6 rows
///    where that many remain;
///  - for the last 0 .. rows-1 rows, one static matmul per count, of which
///    the one matching the count runs.
void splitDynamicRows(linalg::MatmulOp op, int64_t rows) {
  constexpr int64_t kBlockTiles = 16;
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value a = op.getDpsInputs()[0];
  auto t = cast<RankedTensorType>(op.getResultTypes()[0]);
  int64_t block = rows * kBlockTiles;
  // The same cache-set padding a static matmul's constant weights get,
  // done once here so every block reads the padded copy.
  Value bm = op.getDpsInputs()[1];
  Value padded = padConstantRows(b, loc, bm);
  if (padded != bm) {
    auto bt = cast<RankedTensorType>(bm.getType());
    bm = tensor::ExtractSliceOp::create(
        b, loc, bt, padded, ValueRange{}, ValueRange{}, ValueRange{},
        ArrayRef<int64_t>{0, 0}, bt.getShape(), ArrayRef<int64_t>{1, 1});
  }
  auto index = [&](OpBuilder &nb, int64_t v) -> Value {
    return arith::ConstantIndexOp::create(nb, loc, v);
  };
  Value m = tensor::DimOp::create(b, loc, a, 0);
  Value step = index(b, block);
  Value main = arith::MulIOp::create(
      b, loc, arith::DivUIOp::create(b, loc, m, step), step);
  Value acc = tensor::EmptyOp::create(b, loc, t, ValueRange{m});
  acc = scf::ForOp::create(
            b, loc, index(b, 0), main, step, ValueRange{acc},
            [&](OpBuilder &nb, Location nl, Value i, ValueRange iter) {
              scf::YieldOp::create(
                  nb, nl, rowsMatmul(nb, nl, a, bm, iter[0], i, block));
            })
            .getResult(0);
  // A block of r rows at `from` when `run`, returning where the rows after
  // it start: an scf.for of zero or one iteration. (An scf.if would do, but
  // bufferization's analysis of a chain of scf.if results visits both
  // branches of each one, which is exponential in the chain's length.)
  auto maybeBlock = [&](Value from, Value run, int64_t r) -> Value {
    Value end = arith::AddIOp::create(
        b, loc, from,
        arith::SelectOp::create(b, loc, run, index(b, r), index(b, 0)));
    acc = scf::ForOp::create(
              b, loc, from, end, index(b, r), ValueRange{acc},
              [&](OpBuilder &nb, Location nl, Value i, ValueRange iter) {
                scf::YieldOp::create(nb, nl,
                                     rowsMatmul(nb, nl, a, bm, iter[0], i, r));
              })
              .getResult(0);
    return end;
  };
  Value at = main;
  for (int64_t r = block / 2; r >= rows; r /= 2)
    at = maybeBlock(at,
                    arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge,
                                          arith::SubIOp::create(b, loc, m, at),
                                          index(b, r)),
                    r);
  // The last 1 .. rows-1 rows: the one count that remains runs.
  Value rest = arith::SubIOp::create(b, loc, m, at);
  for (int64_t r = 1; r < rows; ++r)
    maybeBlock(at,
               arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, rest,
                                     index(b, r)),
               r);
  op.getResult(0).replaceAllUsesWith(acc);
  op.erase();
}

/// The packed kernel's panel width for N columns: half of `maxCols` when
/// that computes at most 85 % of the columns the full width does (a 1x1
/// convolution to 24 channels: 32 columns per row instead of 64), else
/// `maxCols`. Half panels hold half the accumulators, so they only pay
/// where the full ones compute mostly junk: at 16 columns, or saving 4 %
/// (840 columns), they measured slower.
static int64_t panelColsFor(int64_t n, int64_t maxCols) {
  int64_t half = maxCols / 2;
  auto computed = [n](int64_t p) { return (n + p - 1) / p * p; };
  if (half >= 16 && half % 16 == 0 &&
      computed(half) * 100 <= computed(maxCols) * 85)
    return half;
  return maxCols;
}

struct TileContractionsPass
    : impl::KilnCpuTileContractionsBase<TileContractionsPass> {
  using Base::Base;

  /// A matmul part and its register tile.
  using Part = std::pair<linalg::MatmulOp, TileShape>;

  /// Splits `op` into exactly-tiling parts, tagging each; appends them.
  void splitAndTag(linalg::MatmulOp op, std::vector<Part> &parts) {
    auto t = cast<RankedTensorType>(op.getResultTypes()[0]);
    int64_t m = t.getDimSize(0), n = t.getDimSize(1);
    int64_t k = cast<ShapedType>(op.getDpsInputs()[0].getType()).getDimSize(1);
    int64_t kStep = chooseKStep(k);
    if (kStep == 0 || m < 2 || n < 4)
      return;
    // Always the full row tile (6 x 64 = 24 accumulators): leftover rows
    // go to a split-off part, which beats a smaller tile everywhere.
    int64_t rows = tileRows;
    int64_t mMain = m - m % rows, nMain = n - n % tileCols;
    SmallVector<std::pair<int64_t, int64_t>> rowParts, colParts;
    if (mMain > 0)
      rowParts.push_back({0, mMain});
    if (m % rows)
      rowParts.push_back({mMain, m % rows});
    if (nMain > 0)
      colParts.push_back({0, nMain});
    if (n % tileCols)
      colParts.push_back({nMain, n % tileCols});
    OpBuilder b(op);
    Location loc = op.getLoc();
    Value bMatrix = padConstantRows(b, loc, op.getDpsInputs()[1]);
    // The parts are inserted into the zero fill's destination, not a new
    // tensor: when that destination is a slice of a larger result (one
    // image of a batch), the parts are then computed in place there.
    Value acc = op.getDpsInits()[0].getDefiningOp<linalg::FillOp>().getDpsInits()[0];
    for (auto [r0, rm] : rowParts)
      for (auto [c0, cn] : colParts) {
        linalg::MatmulOp part;
        acc = emitPart(b, loc, op.getDpsInputs()[0], bMatrix, acc,
                       r0, rm, c0, cn, k, part);
        // Unit-row or very narrow tiles trip MLIR's unit-dim folding into
        // huge pattern rewrites; those parts stay on the loop fallback.
        int64_t tr = rm % rows == 0 && rm / rows >= 2 ? rows
                                                      : chooseTile(rm, 2, rows);
        int64_t tc = cn % tileCols == 0 && cn / tileCols >= 2
                         ? int64_t(tileCols)
                         : chooseTile(cn, 4, tileCols);
        if (!tr || !tc)
          continue;
        part->setAttr(kTileIdAttr, b.getUnitAttr());
        parts.push_back({part, {tr, tc, kStep}});
      }
    op.getResult(0).replaceAllUsesWith(acc);
    op.erase();
  }

  /// Tiles one part into an scf.forall over rows x cols register tiles
  /// (the zero fill fused in, columns outermost), tiles K by `kStep` in an
  /// scf.for and vectorizes the fill and the K step: upstream's
  /// tile-consumer-and-fuse-producers, tiling and vectorizer, called
  /// directly.
  LogicalResult schedulePart(IRRewriter &rewriter, linalg::MatmulOp part,
                             const TileShape &t) {
    rewriter.setInsertionPoint(part);
    FailureOr<linalg::GenericOp> generic =
        linalg::generalizeNamedOp(rewriter, part);
    if (failed(generic))
      return failure();
    scf::SCFTilingOptions tiling;
    tiling.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
    tiling.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(),
                                               {t.rows, t.cols, 0}));
    tiling.setInterchange({1, 0, 2});
    scf::SCFTileAndFuseOptions fuse;
    fuse.setTilingOptions(tiling);
    auto consumer = cast<TilingInterface>(generic->getOperation());
    FailureOr<scf::SCFTileAndFuseResult> fused =
        scf::tileConsumerAndFuseProducersUsingSCF(rewriter, consumer, fuse);
    if (failed(fused))
      return failure();
    for (OpResult r : generic->getOperation()->getResults())
      rewriter.replaceAllUsesWith(r, fused->replacements.lookup(r));
    auto tile = cast<linalg::LinalgOp>(fused->tiledAndFusedOps.front());
    // The fused fill of this tile's accumulator.
    if (Operation *fill = tile.getDpsInits()[0].getDefiningOp())
      if (failed(vectorizeInPlace(rewriter, fill)))
        return failure();
    scf::SCFTilingOptions kTiling;
    kTiling.setTileSizes(
        getAsIndexOpFoldResult(rewriter.getContext(), {0, 0, t.kStep}));
    rewriter.setInsertionPoint(tile);
    FailureOr<scf::SCFTilingResult> kLoop = scf::tileUsingSCF(
        rewriter, cast<TilingInterface>(tile.getOperation()), kTiling);
    if (failed(kLoop))
      return failure();
    rewriter.replaceOp(tile, kLoop->replacements);
    return vectorizeInPlace(rewriter, kLoop->tiledOps.front());
  }

  static LogicalResult vectorizeInPlace(IRRewriter &rewriter, Operation *op) {
    rewriter.setInsertionPoint(op);
    FailureOr<linalg::VectorizationResult> v = linalg::vectorize(rewriter, op);
    if (failed(v))
      return failure();
    rewriter.replaceOp(op, v->replacements);
    return success();
  }

  /// Upstream pattern sets applied to every function, then CSE.
  static void applyPatterns(ModuleOp module,
                            function_ref<void(RewritePatternSet &)> populate) {
    MLIRContext *ctx = module.getContext();
    RewritePatternSet patterns(ctx);
    populate(patterns);
    FrozenRewritePatternSet frozen(std::move(patterns));
    IRRewriter rewriter(ctx);
    DominanceInfo dominance;
    module.walk([&](func::FuncOp fn) {
      (void)applyPatternsGreedily(fn, frozen);
      eliminateCommonSubExpressions(rewriter, dominance, fn);
    });
  }

  static void addCanonicalization(RewritePatternSet &patterns) {
    MLIRContext *ctx = patterns.getContext();
    for (Dialect *d : ctx->getLoadedDialects())
      d->getCanonicalizationPatterns(patterns);
    for (RegisteredOperationName op : ctx->getRegisteredOperations())
      op.getCanonicalizationPatterns(patterns, ctx);
  }

  /// The shared cleanups after every part is vectorized: the tiles'
  /// reductions become vector.contract, the accumulator's read and write
  /// move out of each K loop, and contractions lower to broadcast + FMA
  /// outer products on 1-D vectors.
  static void lowerTiles(ModuleOp module) {
    applyPatterns(module, [](RewritePatternSet &p) {
      vector::populateVectorReductionToContractPatterns(p);
    });
    applyPatterns(module, [](RewritePatternSet &p) {
      vector::populateVectorReductionToContractPatterns(p);
      vector::populateVectorTransferPermutationMapLoweringPatterns(p);
      addCanonicalization(p);
    });
    // The K loops are the loops holding a contraction.
    SmallVector<scf::ForOp> kLoops;
    module.walk([&](scf::ForOp loop) {
      if (llvm::any_of(loop.getBody()->getOperations(), [](Operation &op) {
            return isa<vector::ContractionOp>(op);
          }))
        kLoops.push_back(loop);
    });
    IRRewriter rewriter(module.getContext());
    for (scf::ForOp loop : kLoops)
      hoistLoopInvariantSubsets(rewriter, loop);
    applyPatterns(module, [](RewritePatternSet &p) {
      vector::populateVectorContractLoweringPatterns(
          p, vector::VectorContractLowering::OuterProduct);
      vector::populateVectorOuterProductLoweringPatterns(p);
      vector::populateVectorTransferPermutationMapLoweringPatterns(p);
      vector::populateVectorBroadcastLoweringPatterns(p);
      vector::populateVectorTransferLoweringPatterns(p, /*maxTransferRank=*/1);
      vector::populateVectorShapeCastLoweringPatterns(p);
      addCanonicalization(p);
    });
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Static matmuls on constant weights get their own kernel on weights
    // packed at compile time. Done first, so the blocks a dynamic M is
    // split into below (which share one weight) keep the generic register
    // tiles rather than each packing a copy.
    // Batch matmuls large enough per batch become a loop of matmuls,
    // which the walk below gives the packed kernel.
    SmallVector<linalg::BatchMatmulOp> batched;
    module.walk([&](linalg::BatchMatmulOp op) { batched.push_back(op); });
    if (packedKernel)
      for (linalg::BatchMatmulOp op : batched)
        (void)splitBatchMatmul(op, 2 * tileRows, tileCols);
    SmallVector<linalg::MatmulOp> packed;
    module.walk([&](linalg::MatmulOp op) {
      if (packedKernel && isPackedMatmulCandidate(op, tileRows, tileCols))
        packed.push_back(op);
    });
    // A weight whose data is not at hand (--elide-weights) is not packed;
    // such a matmul takes the generic register tiles below.
    for (linalg::MatmulOp op : packed) {
      int64_t n = cast<ShapedType>(op.getResultTypes()[0]).getDimSize(1);
      (void)buildPackedMatmul(op, tileRows, panelColsFor(n, tileCols),
                              epilogues);
    }
    SmallVector<linalg::MatmulOp> dynamicRows;
    module.walk([&](linalg::MatmulOp op) {
      if (isDynamicRowsCandidate(op))
        dynamicRows.push_back(op);
    });
    for (linalg::MatmulOp op : dynamicRows)
      splitDynamicRows(op, tileRows);
    SmallVector<linalg::MatmulOp> candidates;
    module.walk([&](linalg::MatmulOp op) {
      if (isCandidate(op))
        candidates.push_back(op);
    });
    std::vector<Part> parts;
    for (linalg::MatmulOp op : candidates)
      splitAndTag(op, parts);
    SmallVector<linalg::LinalgOp> untiled;
    module.walk([&](linalg::LinalgOp op) {
      bool floatMatmul =
          isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op) &&
          isa<FloatType>(getElementTypeOrSelf(op->getResultTypes()[0]));
      if (floatMatmul && !op->hasAttr(kTileIdAttr))
        untiled.push_back(op);
    });
    for (linalg::LinalgOp op : untiled)
      reorderForLoops(op);
    if (parts.empty())
      return;
    IRRewriter rewriter(&getContext());
    for (auto &[part, tile] : parts)
      if (failed(schedulePart(rewriter, part, tile))) {
        part.emitError() << "internal error: this matmul cannot be register-tiled";
        return signalPassFailure();
      }
    lowerTiles(module);
  }
};

} // namespace
} // namespace kiln
