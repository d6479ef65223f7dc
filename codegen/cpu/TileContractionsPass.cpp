//===- TileContractionsPass.cpp - the kiln-cpu-tile-contractions pass -----===//
//
// Makes matmuls fast on the CPU with upstream MLIR transforms only:
//  0. a matmul with a dynamic M (a dynamic batch or sequence) becomes a
//     loop over static blocks of 16 register tiles of rows, then static
//     matmuls for what remains (splitDynamicRows);
//  1. each static f32 linalg.matmul is cut (tensor slices) into a part whose
//     M and N are multiples of the register tile and remainder parts, so
//     every part tiles exactly;
//  2. each part gets a schedule in transform IR (tile + fuse the fill into
//     an scf.forall over register tiles, which later runs on the thread
//     pool; tile K; vectorize), and shared cleanups turn the vectorized tiles
//     into broadcast + FMA outer products with the accumulator hoisted out
//     of the K loop (../shared/notes/cpu-codegen.md);
//  3. the schedule runs through the transform interpreter.
// Matmuls it cannot schedule (K without a small divisor) are left for the
// loop fallback, which is correct but slow.
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"
#include "codegen/linalg/LoweringUtils.h"
#include "ir/ConstantData.h"

#include "mlir/IR/Matchers.h"

#include "mlir/Dialect/Transform/IR/TransformOps.h"
#include "mlir/Dialect/Transform/Transforms/TransformInterpreterUtils.h"
#include "mlir/Parser/Parser.h"

#include <sstream>

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

/// Rewrites a matmul / batch_matmul that gets no register tile into a
/// generic whose loops run (batch, m, k, n): the innermost loop then walks
/// rows of B and C contiguously, which LLVM vectorizes, instead of reducing
/// over k with strided loads.
void reorderForLoops(linalg::LinalgOp op) {
  OpBuilder b(op);
  MLIRContext *ctx = b.getContext();
  bool batched = isa<linalg::BatchMatmulOp>(op);
  unsigned n = batched ? 4 : 3, base = batched ? 1 : 0;
  auto d = [&](unsigned i) { return b.getAffineDimExpr(i); };
  SmallVector<AffineExpr> lead;
  if (batched)
    lead.push_back(d(0));
  auto with = [&](std::initializer_list<AffineExpr> tail) {
    SmallVector<AffineExpr> e(lead);
    e.append(tail);
    return AffineMap::get(n, 0, e, ctx);
  };
  // dims: [batch,] m, k, n
  SmallVector<AffineMap> maps = {with({d(base), d(base + 1)}),
                                 with({d(base + 1), d(base + 2)}),
                                 with({d(base), d(base + 2)})};
  using IT = utils::IteratorType;
  SmallVector<IT> iters(n, IT::parallel);
  iters[base + 1] = IT::reduction;
  auto generic = linalg::GenericOp::create(
      b, op.getLoc(), op->getResultTypes(), op.getDpsInputs(), op.getDpsInits(),
      maps, iters, [](OpBuilder &nb, Location nl, ValueRange a) {
        Value p = arith::MulFOp::create(nb, nl, a[0], a[1]);
        linalg::YieldOp::create(nb, nl,
                                Value(arith::AddFOp::create(nb, nl, a[2], p)));
      });
  op->replaceAllUsesWith(generic->getResults());
  op->erase();
}

struct TileContractionsPass
    : impl::KilnCpuTileContractionsBase<TileContractionsPass> {
  using Base::Base;

  /// Splits `op` into exactly-tiling parts, tagging each; returns their tiles.
  void splitAndTag(linalg::MatmulOp op, std::vector<TileShape> &tiles) {
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
        part->setAttr(kTileIdAttr, b.getI64IntegerAttr(tiles.size()));
        tiles.push_back({tr, tc, kStep});
      }
    op.getResult(0).replaceAllUsesWith(acc);
    op.erase();
  }

  /// The transform IR scheduling every tagged part.
  std::string buildSchedule(const std::vector<TileShape> &tiles) {
    std::ostringstream s;
    s << "module attributes {transform.with_named_sequence} {\n"
         "transform.named_sequence @__transform_main(%root: !transform.any_op "
         "{transform.readonly}) {\n";
    const char *h = ": (!transform.any_op) -> ";
    for (size_t i = 0; i < tiles.size(); ++i) {
      const TileShape &t = tiles[i];
      s << "%m" << i << " = transform.structured.match ops{[\"linalg.matmul\"]} "
        << "attributes{" << kTileIdAttr.str() << " = " << i << " : i64} in %root "
        << h << "!transform.any_op\n"
        << "%g" << i << " = transform.structured.generalize %m" << i << " "
        << h << "!transform.any_op\n"
        << "%t" << i << ", %a" << i
        << " = transform.structured.fuse %g" << i << " tile_sizes [" << t.rows
        << ", " << t.cols << ", 0] interchange [1, 0, 2] {use_forall} " << h
        << "(!transform.any_op, !transform.any_op)\n"
        << "%f" << i << " = transform.get_producer_of_operand %t" << i
        << "[2] " << h << "!transform.any_op\n"
        << "transform.structured.vectorize %f" << i << " : !transform.any_op\n"
        << "%k" << i << ", %l" << i << " = transform.structured.tile_using_for %t"
        << i << " tile_sizes [0, 0, " << t.kStep << "] " << h
        << "(!transform.any_op, !transform.any_op)\n"
        << "transform.structured.vectorize %k" << i << " : !transform.any_op\n";
    }
    s << "%fn = transform.structured.match ops{[\"func.func\"]} in %root " << h
      << "!transform.any_op\n"
      << "transform.apply_patterns to %fn {\n"
         "  transform.apply_patterns.vector.reduction_to_contract\n"
         "} : !transform.any_op\n"
         "transform.apply_patterns to %fn {\n"
         "  transform.apply_patterns.vector.reduction_to_contract\n"
         "  transform.apply_patterns.vector.transfer_permutation_patterns\n"
         "  transform.apply_patterns.canonicalization\n"
         "} : !transform.any_op\n"
         "transform.apply_cse to %fn : !transform.any_op\n";
    for (size_t i = 0; i < tiles.size(); ++i)
      s << "transform.loop.hoist_loop_invariant_subsets %l" << i
        << " : !transform.any_op\n";
    s << "transform.apply_patterns to %fn {\n"
         "  transform.apply_patterns.vector.lower_contraction "
         "lowering_strategy = \"outerproduct\"\n"
         "  transform.apply_patterns.vector.lower_outerproduct\n"
         "  transform.apply_patterns.vector.transfer_permutation_patterns\n"
         "  transform.apply_patterns.vector.lower_broadcast\n"
         "  transform.apply_patterns.vector.lower_transfer max_transfer_rank = 1\n"
         "  transform.apply_patterns.vector.lower_shape_cast\n"
         "  transform.apply_patterns.canonicalization\n"
         "} : !transform.any_op\n"
         "transform.apply_cse to %fn : !transform.any_op\n"
         "transform.yield\n}\n}\n";
    return s.str();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
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
    std::vector<TileShape> tiles;
    for (linalg::MatmulOp op : candidates)
      splitAndTag(op, tiles);
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
    if (tiles.empty())
      return;
    std::string text = buildSchedule(tiles);
    OwningOpRef<ModuleOp> schedule =
        parseSourceString<ModuleOp>(text, ParserConfig(&getContext()));
    if (!schedule) {
      module.emitError() << "internal error: the matmul schedule does not parse";
      return signalPassFailure();
    }
    Operation *entry = nullptr;
    schedule->walk([&](transform::NamedSequenceOp seq) {
      if (seq.getSymName() == "__transform_main")
        entry = seq;
    });
    if (failed(transform::applyTransformNamedSequence(
            module, entry, *schedule, transform::TransformOptions())))
      return signalPassFailure();
    module.walk([](linalg::GenericOp op) { op->removeAttr(kTileIdAttr); });
  }
};

} // namespace
} // namespace kiln
