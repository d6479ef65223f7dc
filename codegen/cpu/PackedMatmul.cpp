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
#include "codegen/cpu/RowSource.h"
#include "codegen/linalg/LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace kiln {
namespace {

/// Whether `v` is an f32 zero fill's result.
bool isZeroFill(Value v) {
  auto fill = v.getDefiningOp<linalg::FillOp>();
  if (!fill)
    return false;
  FloatAttr f;
  return matchPattern(fill.getInputs()[0], m_Constant(&f)) &&
         f.getValue().isZero();
}

} // namespace

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

/// The left-hand side: the matrix `a`, whose elements the tiles read
/// from `rows`' image when set.
struct Lhs {
  Value a;
  std::optional<RowSource> rows;
  /// `rows`' image as one run of floats.
  Value flatImage;
};

/// The K steps one pass of the register tiles makes: [begin, end),
/// whether the tiles add to what earlier passes wrote (else start at 0),
/// and whether it is the last pass (which applies the epilogue).
struct KRange {
  Value begin, end;
  bool accumulate, last;
};

/// One register tile: rows [row0, row0 + rows) of `a` times the first
/// `width` columns (a multiple of 16, at most P) of panel `panel` of `src`
/// over the K steps of `kr`, `rows` accumulators of `width` floats,
/// written as rows [at, at + rows) of the tile `dst` (returned).
Value emitTile(OpBuilder &b, Location loc, const Lhs &lhs,
               const PanelSource &src,
               const MatmulEpilogue *epilogue, Value panel, Value row0,
               int64_t rows, int64_t width, const KRange &kr, Value dst,
               Value at) {
  int64_t p = src.p;
  auto vecType = VectorType::get({width}, b.getF32Type());
  // A tile of the last panel when N is not a whole number of panels: its
  // dst is narrower than P at run time, and the stores are masked.
  bool wholePanel = !cast<RankedTensorType>(dst.getType()).isDynamicDim(1);
  auto index = [&](OpBuilder &nb, int64_t v) -> Value {
    return arith::ConstantIndexOp::create(nb, loc, v);
  };
  Value c0 = index(b, 0);
  Value pad = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
  SmallVector<Value> rowIndex, outRow, init;
  Value zero = arith::ConstantOp::create(
      b, loc, vecType, DenseElementsAttr::get(vecType, 0.0f));
  for (int64_t r = 0; r < rows; ++r) {
    rowIndex.push_back(b.createOrFold<arith::AddIOp>(loc, row0, index(b, r)));
    outRow.push_back(b.createOrFold<arith::AddIOp>(loc, at, index(b, r)));
    init.push_back(kr.accumulate
                       ? vector::TransferReadOp::create(
                             b, loc, vecType, dst, ValueRange{outRow[r], c0},
                             pad, ArrayRef<bool>{wholePanel})
                             .getResult()
                       : zero);
  }
  // One K step: A[row r, k] (`x(r)`) broadcast against panel row w.
  auto fma = [&](OpBuilder &lb, Location ll, function_ref<Value(int64_t)> x,
                 Value w, ValueRange acc, SmallVectorImpl<Value> &next) {
    next.clear();
    for (int64_t r = 0; r < rows; ++r) {
      Value xs = vector::BroadcastOp::create(lb, ll, vecType, x(r));
      next.push_back(vector::FMAOp::create(lb, ll, xs, w, acc[r]));
    }
  };
  // ... with A read from the matrix at column kk.
  auto step = [&](OpBuilder &lb, Location ll, Value kk, Value w,
                  ValueRange acc, SmallVectorImpl<Value> &next) {
    fma(
        lb, ll,
        [&](int64_t r) -> Value {
          return tensor::ExtractOp::create(lb, ll, lhs.a,
                                           ValueRange{rowIndex[r], kk});
        },
        w, acc, next);
  };
  scf::ForOp kLoop;
  if (src.packed && lhs.rows) {
    // A loop over the window's taps (or, with few channels, its rows), each
    // a loop over one contiguous run of the image: the tap's channels (or
    // the window row's pixels' channels).
    const RowSource &rs = *lhs.rows;
    // The image float where each row's first run starts.
    SmallVector<Value> rowStart;
    Value width = index(b, rs.rowWidth);
    for (int64_t r = 0; r < rows; ++r) {
      Value y = b.createOrFold<arith::DivUIOp>(loc, rowIndex[r], width);
      Value x = b.createOrFold<arith::RemUIOp>(loc, rowIndex[r], width);
      Value down = b.createOrFold<arith::MulIOp>(loc, y, index(b, rs.rowStep));
      Value across =
          b.createOrFold<arith::MulIOp>(loc, x, index(b, rs.colStep));
      Value pixel = b.createOrFold<arith::AddIOp>(loc, down, across);
      rowStart.push_back(
          b.createOrFold<arith::MulIOp>(loc, pixel, index(b, rs.channels)));
    }
    Value run = index(b, rs.run());
    Value first = b.createOrFold<arith::DivUIOp>(loc, kr.begin, run);
    Value last = b.createOrFold<arith::DivUIOp>(loc, kr.end, run);
    kLoop = scf::ForOp::create(
        b, loc, first, last, index(b, 1), init,
        [&](OpBuilder &lb, Location ll, Value t, ValueRange acc) {
          Value perRow = index(lb, rs.runsPerRow());
          Value kh = lb.createOrFold<arith::DivUIOp>(ll, t, perRow);
          Value kwi = lb.createOrFold<arith::RemUIOp>(ll, t, perRow);
          Value down =
              lb.createOrFold<arith::MulIOp>(ll, kh, index(lb, rs.tapRowStep));
          Value across = lb.createOrFold<arith::MulIOp>(
              ll, kwi, index(lb, rs.tapColStep));
          Value tap = lb.createOrFold<arith::AddIOp>(ll, down, across);
          Value tapStart =
              lb.createOrFold<arith::MulIOp>(ll, tap, index(lb, rs.channels));
          SmallVector<Value> start;
          for (int64_t r = 0; r < rows; ++r)
            start.push_back(
                arith::AddIOp::create(lb, ll, rowStart[r], tapStart));
          Value k0 = arith::MulIOp::create(lb, ll, t, run);
          auto inner = scf::ForOp::create(
              lb, ll, index(lb, 0), run, index(lb, 1), acc,
              [&](OpBuilder &ib, Location il, Value j, ValueRange acc2) {
                Value kk = arith::AddIOp::create(ib, il, k0, j);
                Value w = vector::TransferReadOp::create(
                    ib, il, vecType, src.packed, ValueRange{panel, kk, c0},
                    pad, ArrayRef<bool>{true});
                SmallVector<Value> next;
                fma(
                    ib, il,
                    [&](int64_t r) -> Value {
                      Value at = arith::AddIOp::create(ib, il, start[r], j);
                      return tensor::ExtractOp::create(ib, il, lhs.flatImage,
                                                       ValueRange{at});
                    },
                    w, acc2, next);
                scf::YieldOp::create(ib, il, next);
              });
          scf::YieldOp::create(lb, ll, inner.getResults());
        });
  } else if (src.packed) {
    kLoop = scf::ForOp::create(
        b, loc, kr.begin, kr.end, index(b, 1), init,
        [&](OpBuilder &lb, Location ll, Value kk, ValueRange acc) {
          Value w = vector::TransferReadOp::create(
              lb, ll, vecType, src.packed, ValueRange{panel, kk, c0}, pad,
              ArrayRef<bool>{true});
          SmallVector<Value> next;
          step(lb, ll, kk, w, acc, next);
          scf::YieldOp::create(lb, ll, next);
        });
  } else {
    // A loop over image channels, each the group's KH x KW rows unrolled:
    // their offsets in the row are constants, so no K index is divided.
    Value group = index(b, src.group);
    Value first = b.createOrFold<arith::DivUIOp>(loc, kr.begin, group);
    Value last = b.createOrFold<arith::DivUIOp>(loc, kr.end, group);
    Value col = b.createOrFold<arith::MulIOp>(loc, panel, index(b, p));
    kLoop = scf::ForOp::create(
        b, loc, first, last, index(b, 1), init,
        [&](OpBuilder &lb, Location ll, Value c, ValueRange acc) {
          Value k0 = lb.createOrFold<arith::MulIOp>(ll, c, group);
          SmallVector<Value> cur(acc.begin(), acc.end()), next;
          for (int64_t j = 0; j < src.group; ++j) {
            Value at = lb.createOrFold<arith::AddIOp>(ll, col,
                                                      index(lb, src.taps[j]));
            Value w = vector::TransferReadOp::create(
                lb, ll, vecType, src.image, ValueRange{c, at}, pad,
                ArrayRef<bool>{!src.masked});
            Value kk = lb.createOrFold<arith::AddIOp>(ll, k0, index(lb, j));
            step(lb, ll, kk, w, cur, next);
            cur = next;
          }
          scf::YieldOp::create(lb, ll, cur);
        });
  }
  // Only the last pass over K applies the epilogue.
  bool applies = epilogue && kr.last;
  Value col = applies ? b.createOrFold<arith::MulIOp>(loc, panel, index(b, p))
                      : Value();
  for (int64_t r = 0; r < rows; ++r) {
    Value sums = kLoop.getResult(r);
    if (applies)
      sums = epilogue->apply(b, loc, rowIndex[r], col, sums);
    dst = vector::TransferWriteOp::create(b, loc, sums, dst,
                                          ValueRange{outRow[r], c0},
                                          ArrayRef<bool>{wholePanel})
              .getResult();
  }
  return dst;
}

/// `count` (an index value) full register tiles of `tileRows` rows, rows
/// [row0, ...) of `a`, written from row 0 of `dst` on (an scf.for over the
/// tiles).
Value emitTileLoop(OpBuilder &b, Location loc, const Lhs &lhs,
                   const PanelSource &src, const MatmulEpilogue *epilogue,
                   Value panel, Value row0, Value count, int64_t tileRows,
                   int64_t width, const KRange &kr, Value dst) {
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value end = b.createOrFold<arith::MulIOp>(loc, count, index(tileRows));
  return scf::ForOp::create(
             b, loc, index(0), end, index(tileRows), ValueRange{dst},
             [&](OpBuilder &lb, Location ll, Value r, ValueRange iter) {
               Value rows = lb.createOrFold<arith::AddIOp>(ll, row0, r);
               scf::YieldOp::create(
                   lb, ll,
                   emitTile(lb, ll, lhs, src, epilogue, panel, rows,
                            tileRows, width, kr, iter[0], r));
             })
      .getResult(0);
}

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
