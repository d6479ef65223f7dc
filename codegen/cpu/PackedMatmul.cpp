//===- PackedMatmul.cpp - the packed-panel matmul kernel ------------------===//
//
// A register tile of R rows x P columns walks K reading one contiguous
// P-float row of a panel of the right-hand side per step (broadcast
// A[m, k], FMA into the row's P-wide accumulator), so every panel is one
// stream that the hardware prefetcher follows. Where the rows come from
// (panels packed at compile time, the matrix or a convolution's image read
// in place, panels packed at run time) is PanelSource.cpp's choice.
//
// Work is an scf.forall (the runtime's thread pool splits it) over
// (panel, chunk of 16 row tiles): a chunk's tiles reuse the panel while it
// is in cache. The last chunk also takes the rows left over from whole
// chunks (its last tile the M mod R rows), so the chunks of a panel run
// back to back and a panel of weights is read from memory once. With one
// to R-1 rows in all (a batch-1 fully connected layer) the product is
// memory bound and this is its GEMV kernel: each thread streams its
// panels at bandwidth. With K of 2048 or more, the tiles of a chunk make
// one pass per block of 512 K steps (adding to what the previous pass
// wrote; the last applies the epilogue), so the block of the panel they
// share stays in L2; a right-hand side read in place, whose panel rows lie
// a whole matrix row apart, takes blocks of 64 steps from K = 256, which
// stay in L1. The tiles store into the result itself, those of a partial
// last panel masked.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/PackedMatmul.h"
#include "codegen/cpu/MatmulEpilogue.h"
#include "codegen/cpu/PanelSource.h"
#include "codegen/cpu/RegisterTile.h"
#include "codegen/cpu/RowSource.h"
#include "codegen/linalg/LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace kiln::packed;

namespace kiln {

bool isZeroFill(Value v) {
  auto fill = v.getDefiningOp<linalg::FillOp>();
  if (!fill)
    return false;
  FloatAttr f;
  return matchPattern(fill.getInputs()[0], m_Constant(&f)) &&
         f.getValue().isZero();
}

bool isStaticF32ProductIntoZero(linalg::LinalgOp op) {
  auto staticF32 = [](Type type) {
    auto t = dyn_cast<RankedTensorType>(type);
    return t && t.hasStaticShape() && t.getElementType().isF32();
  };
  return op->getNumResults() == 1 && staticF32(op->getResultTypes()[0]) &&
         op.getNumDpsInputs() == 2 &&
         llvm::all_of(op.getDpsInputs(),
                      [&](Value v) { return staticF32(v.getType()); }) &&
         isZeroFill(op.getDpsInits()[0]);
}

bool isPackedMatmulCandidate(linalg::MatmulOp op, int64_t tileRows,
                             int64_t panelCols) {
  if (!isStaticF32ProductIntoZero(op))
    return false;
  auto t = cast<RankedTensorType>(op.getResultTypes()[0]);
  auto a = cast<RankedTensorType>(op.getDpsInputs()[0].getType());
  int64_t m = t.getDimSize(0), k = a.getDimSize(1), n = t.getDimSize(1);
  if (m < 1 || k < 2)
    return false;
  // A small constant with many rows (an NHWC 1x1 convolution from 16-32
  // channels) still gets the packed kernel.
  if (matchReshapedConstant(op.getDpsInputs()[1]))
    return packsConstantWeights(k, n) || (m >= 2 * tileRows && n >= panelCols);
  // Packing at run time costs a copy of B, repaid over M / tileRows reads
  // of each panel; a matmul without a whole panel keeps the generic tiles.
  return m >= 2 * tileRows && n >= panelCols;
}

namespace {

/// Whether K takes one pass of the tiles: under 4 blocks of `block` steps.
bool singleKPass(int64_t k, int64_t block) { return k < 4 * block; }

/// Runs `pass` over all of K: once when K is under 4 blocks, else once
/// per block of `block` steps (the first starting from zero, the others
/// adding to it, the last applying the epilogue), so that the panel rows a
/// block reads stay in cache while every tile of the chunk reads them; with
/// K = 4608 a whole panel (1.2 MB) did not stay in L2.
Value overKBlocks(OpBuilder &b, Location loc, int64_t k, int64_t block,
                  Value dst,
                  function_ref<Value(OpBuilder &, Location, const KRange &,
                                     Value)>
                      pass) {
  auto index = [&](OpBuilder &nb, int64_t v) -> Value {
    return arith::ConstantIndexOp::create(nb, loc, v);
  };
  if (singleKPass(k, block))
    return pass(b, loc, KRange{index(b, 0), index(b, k), false, true}, dst);
  int64_t lastBegin = (k - 1) / block * block;
  dst = pass(b, loc, KRange{index(b, 0), index(b, block), false, false}, dst);
  if (lastBegin > block)
    dst = scf::ForOp::create(
              b, loc, index(b, block), index(b, lastBegin), index(b, block),
              ValueRange{dst},
              [&](OpBuilder &lb, Location ll, Value kb, ValueRange iter) {
                Value end =
                    arith::AddIOp::create(lb, ll, kb, index(lb, block));
                scf::YieldOp::create(
                    lb, ll,
                    pass(lb, ll, KRange{kb, end, true, false}, iter[0]));
              })
              .getResult(0);
  return pass(b, loc, KRange{index(b, lastBegin), index(b, k), true, true},
              dst);
}

/// An scf.forall over `panels` x `chunks` whose body computes the block of
/// rows [chunk * rows, ...) x P of `out` with `body`: `rows` rows, or
/// `lastRows` in the last chunk (equal to `rows` when there is one chunk),
/// and P columns, or `lastCols` in the last panel (the block is then of
/// dynamic width). The body gets whether it is in the last chunk (a null
/// value where every chunk has `rows` rows).
Value emitForall(OpBuilder &b, Location loc, Value out, int64_t panels,
                 int64_t chunks, int64_t rows, int64_t lastRows, int64_t p,
                 int64_t lastCols,
                 function_ref<Value(OpBuilder &, Location, Value panel,
                                    Value firstRow, Value isLast, Value dst)>
                     body) {
  SmallVector<OpFoldResult> ubs = {b.getIndexAttr(panels)};
  if (chunks > 1)
    ubs.push_back(b.getIndexAttr(chunks));
  bool ragged = chunks > 1 && lastRows != rows;
  auto forall = scf::ForallOp::create(
      b, loc, ubs, ValueRange{out}, std::nullopt,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        auto index = [&](int64_t v) -> Value {
          return arith::ConstantIndexOp::create(nb, nl, v);
        };
        Value panel = args[0], shared = args.back();
        Value first = index(0), isLast;
        if (chunks > 1)
          first = nb.createOrFold<arith::MulIOp>(nl, args[1], index(rows));
        OpFoldResult size = nb.getIndexAttr(rows);
        if (ragged) {
          isLast = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq,
                                         args[1], index(chunks - 1));
          size = arith::SelectOp::create(nb, nl, isLast, index(lastRows),
                                         index(rows))
                     .getResult();
        }
        Value col = nb.createOrFold<arith::MulIOp>(nl, panel, index(p));
        OpFoldResult width = nb.getIndexAttr(p);
        if (lastCols != p) {
          Value isLastPanel = arith::CmpIOp::create(
              nb, nl, arith::CmpIPredicate::eq, panel, index(panels - 1));
          width = arith::SelectOp::create(nb, nl, isLastPanel,
                                          index(lastCols), index(p))
                      .getResult();
        }
        SmallVector<OpFoldResult> offsets = {first, col};
        SmallVector<OpFoldResult> sizes = {size, width};
        SmallVector<OpFoldResult> ones(2, nb.getIndexAttr(1));
        Value dst = tensor::ExtractSliceOp::create(
            nb, nl,
            RankedTensorType::get({ragged ? ShapedType::kDynamic : rows,
                                   lastCols != p ? ShapedType::kDynamic : p},
                                  nb.getF32Type()),
            shared, offsets, sizes, ones);
        Value tile = body(nb, nl, panel, first, isLast, dst);
        auto inParallel = scf::InParallelOp::create(nb, nl);
        OpBuilder ib = OpBuilder::atBlockBegin(inParallel.getBody());
        tensor::ParallelInsertSliceOp::create(ib, nl, tile, shared, offsets,
                                              sizes, ones);
      });
  return forall.getResult(0);
}

} // namespace

LogicalResult buildPackedMatmul(linalg::MatmulOp op, int64_t tileRows,
                                int64_t panelCols, bool fuseEpilogue) {
  std::optional<MatmulEpilogue> fused;
  if (fuseEpilogue)
    fused = MatmulEpilogue::match(op);
  constexpr int64_t kChunkTiles = 16;
  // K steps per pass over a chunk's tiles: 512 rows of a panel, 128 KiB.
  constexpr int64_t kKBlock = 512, kStridedKBlock = 64;
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value a = op.getDpsInputs()[0];
  auto resultType = cast<RankedTensorType>(op.getResultTypes()[0]);
  int64_t m = resultType.getDimSize(0), n = resultType.getDimSize(1);
  int64_t k = cast<RankedTensorType>(a.getType()).getDimSize(1);
  int64_t p = panelCols, panels = (n + p - 1) / p;
  FailureOr<PanelSource> src =
      choosePanelSource(b, loc, op.getDpsInputs()[1], p);
  if (failed(src))
    return failure();
  // K blocks hold whole groups (an image's channels). A right-hand side
  // read in place (a pointwise convolution's image) walks its panel rows a
  // whole image row apart, which the prefetchers do not stream: blocks of
  // 64 rows (16 KiB of panel) stay in L1 for all the tiles of a chunk.
  // 512 to 128 -> 64 channels on 28 x 28 and 56 x 56 pixels took 0.72x the
  // time; blocks of 128 (32 KiB) did not help.
  bool strided = src->image && src->group == 1;
  int64_t kBlock =
      strided ? kStridedKBlock
              : std::max<int64_t>(1, kKBlock / src->group) * src->group;
  // A convolution's NHWC image as the left-hand side: K blocks hold whole
  // taps (all of an image row's channels).
  Lhs lhs{a, std::nullopt, Value()};
  if (src->packed)
    lhs.rows = matchImageRows(a);
  if (lhs.rows) {
    int64_t run = lhs.rows->run();
    kBlock = std::max<int64_t>(1, kKBlock / run) * run;
    lhs.flatImage = tensor::CollapseShapeOp::create(
        b, loc, lhs.rows->image, ArrayRef<ReassociationIndices>{{0, 1}});
  }
  // The last pass over K applies the consumer as it stores.
  MatmulEpilogue *epilogue = fused ? &*fused : nullptr;
  if (epilogue)
    epilogue->prepare(b, loc);
  // The tiles are written straight into the fill's destination (in place,
  // when that is a slice of a larger result); those of a partial last panel
  // with masked stores. (A padded [M, panels * P] result cost a strided copy
  // of all of it afterwards: a 1x1 convolution to 512 channels on 28 x 28
  // pixels took 1.6x ONNX Runtime's time that way.)
  Value out =
      op.getDpsInits()[0].getDefiningOp<linalg::FillOp>().getDpsInits()[0];
  int64_t lastCols = n - (panels - 1) * p;
  // Rows split into chunks of 16 register tiles; the last chunk also takes
  // the rows left over, so that each panel is read from memory once (with
  // M = 128 a second pass over the leftover rows streamed BERT-base's
  // weights twice).
  int64_t chunk = tileRows * kChunkTiles;
  int64_t chunks = std::max<int64_t>(1, (m + chunk - 1) / chunk);
  if (chunks > 1 && m % chunk != 0 && m % chunk < 2 * tileRows)
    --chunks; // a sliver of rows joins the previous chunk instead
  int64_t rows = chunks > 1 ? chunk : m, lastRows = m - (chunks - 1) * rows;
  int64_t lastFull = lastRows / tileRows, rest = lastRows % tileRows;
  // The register tiles of one panel, `width` columns wide.
  auto panelTiles = [&](OpBuilder &nb, Location nl, Value panel, Value first,
                        Value isLast, Value dst, int64_t width) {
    auto index = [&](int64_t v) -> Value {
      return arith::ConstantIndexOp::create(nb, nl, v);
    };
    Value count = index(rows / tileRows);
    if (isLast)
      count =
          arith::SelectOp::create(nb, nl, isLast, index(lastFull), count);
    return overKBlocks(
        nb, nl, k, kBlock, dst,
        [&](OpBuilder &kb, Location kl, const KRange &kr, Value d) {
          if (rows >= tileRows)
            d = emitTileLoop(kb, kl, lhs, *src, epilogue, panel, first, count,
                             tileRows, width, kr, d);
          if (rest == 0)
            return d;
          auto partial = [&](OpBuilder &pb, Location pl, Value pd) {
            Value at =
                arith::ConstantIndexOp::create(pb, pl, lastFull * tileRows);
            Value row = pb.createOrFold<arith::AddIOp>(pl, first, at);
            return emitTile(pb, pl, lhs, *src, epilogue, panel, row, rest,
                            width, kr, pd, at);
          };
          if (!isLast)
            return partial(kb, kl, d);
          return scf::IfOp::create(
                     kb, kl, isLast,
                     [&](OpBuilder &tb, Location tl) {
                       scf::YieldOp::create(tb, tl, partial(tb, tl, d));
                     },
                     [&](OpBuilder &eb, Location el) {
                       scf::YieldOp::create(eb, el, d);
                     })
              .getResult(0);
        });
  };
  // A partial last panel takes tiles of 16 or 32 columns when those cover
  // it: 14 x 14 pixels in padded-width rows are 224 columns, three panels
  // and a half, whose last tiles computed 32 columns of nothing. (Tiles 48
  // wide, three vectors, ran SqueezeNet 1.9x slower: LLVM handles a
  // 48-float vector badly.)
  int64_t lastWidth = lastCols <= 16 ? 16 : lastCols <= 32 ? 32 : p;
  lastWidth = std::min(lastWidth, p);
  out = emitForall(
      b, loc, out, panels, chunks, rows, lastRows, p, lastCols,
      [&](OpBuilder &nb, Location nl, Value panel, Value first, Value isLast,
          Value dst) {
        if (lastWidth == p)
          return panelTiles(nb, nl, panel, first, isLast, dst, p);
        if (panels == 1)
          return panelTiles(nb, nl, panel, first, isLast, dst, lastWidth);
        Value isLastPanel = arith::CmpIOp::create(
            nb, nl, arith::CmpIPredicate::eq, panel,
            arith::ConstantIndexOp::create(nb, nl, panels - 1));
        return scf::IfOp::create(
                   nb, nl, isLastPanel,
                   [&](OpBuilder &tb, Location tl) {
                     scf::YieldOp::create(tb, tl,
                                          panelTiles(tb, tl, panel, first,
                                                     isLast, dst, lastWidth));
                   },
                   [&](OpBuilder &eb, Location el) {
                     scf::YieldOp::create(
                         eb, el,
                         panelTiles(eb, el, panel, first, isLast, dst, p));
                   })
            .getResult(0);
      });
  auto fill = op.getDpsInits()[0].getDefiningOp<linalg::FillOp>();
  Operation *im2col = src->image && src->image != op.getDpsInputs()[1]
                          ? op.getDpsInputs()[1].getDefiningOp()
                      : lhs.rows ? a.getDefiningOp()
                                 : nullptr;
  op.getResult(0).replaceAllUsesWith(out);
  op.erase();
  // The tiles read the image itself: drop the im2col matrix (its collapse
  // and copy), which bufferization would otherwise still fill.
  if (im2col && im2col->use_empty()) {
    Operation *copy = im2col->getOperand(0).getDefiningOp();
    im2col->erase();
    if (copy && copy->use_empty())
      copy->erase();
  }
  // The zero fill is dead now; left in place, it would still claim its
  // destination, and bufferization would give the tiles a copy instead.
  if (fill->use_empty())
    fill.erase();
  if (epilogue)
    epilogue->finish();
  return success();
}

} // namespace kiln
