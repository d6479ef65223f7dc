//===- PackedMatmul.cpp - matmuls on compile-time packed weights ----------===//
//
// The constant K x N right-hand side of a matmul is packed at compile time
// into panels of P columns, [ceil(N/P)][K][P] (zero columns pad the last
// panel). A register tile of R rows x P columns then walks K reading one
// contiguous P-float row of its panel per step (broadcast A[m, k], FMA into
// the row's P-wide accumulator), so every panel is one stream that the
// hardware prefetcher follows; in K x N order consecutive k would be N
// floats apart, and a 6 x 64 tile on a 4608 x 512 weight ran at a third of
// the FMA peak.
//
// Work is an scf.forall (the runtime's thread pool splits it) over
// (panel, chunk of 16 row tiles): a chunk's tiles reuse the panel while it
// is in cache. Rows left over from whole chunks form one more forall over
// panels, whose last tile has the M mod R rows left. With one to R-1 rows
// in all (a batch-1 fully connected layer) the product is memory bound and
// this is its GEMV kernel: each thread streams its panels at bandwidth.
// With K of 2048 or more, the tiles of a chunk make one pass per block of
// 512 K steps (adding to what the previous pass wrote), so the block of the
// panel they share stays in L2.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/PackedMatmul.h"

#include "ir/ConstantData.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace kiln {
namespace {

/// The constant K x N matrix `attr` as [ceil(N/P)][K][P] panels.
ElementsAttr packPanels(ElementsAttr attr, int64_t k, int64_t n,
                        int64_t p) {
  auto raw = readRawConstant(attr);
  if (!raw)
    return {};
  int64_t panels = (n + p - 1) / p;
  std::vector<char> out(size_t(panels * k * p) * 4, 0);
  const char *src = raw->data();
  for (int64_t pi = 0; pi < panels; ++pi) {
    int64_t cols = std::min(p, n - pi * p);
    for (int64_t r = 0; r < k; ++r)
      std::memcpy(&out[size_t((pi * k + r) * p) * 4],
                  src + size_t(r * n + pi * p) * 4, size_t(cols) * 4);
  }
  auto type = RankedTensorType::get({panels, k, p},
                                    Float32Type::get(attr.getContext()));
  return writeRawConstant(type, out);
}

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

bool isPackedMatmulCandidate(linalg::MatmulOp op, int64_t tileRows,
                             int64_t panelCols) {
  auto t = dyn_cast<RankedTensorType>(op.getResultTypes()[0]);
  auto a = dyn_cast<RankedTensorType>(op.getDpsInputs()[0].getType());
  auto b = dyn_cast<RankedTensorType>(op.getDpsInputs()[1].getType());
  if (!t || !a || !b || !t.hasStaticShape() || !a.hasStaticShape() ||
      !b.hasStaticShape() || !t.getElementType().isF32() ||
      !a.getElementType().isF32() || !b.getElementType().isF32() ||
      !isZeroFill(op.getDpsInits()[0]))
    return false;
  int64_t m = t.getDimSize(0), k = a.getDimSize(1), n = t.getDimSize(1);
  if (m < 1 || k < 2)
    return false;
  Attribute attr;
  if (matchPattern(op.getDpsInputs()[1], m_Constant(&attr)))
    // Below a few KiB of weights the loop fallback is as fast.
    return isa<ElementsAttr>(attr) && k * n >= 4096;
  // Packing at run time costs a copy of B, repaid over M / tileRows reads
  // of each panel; a matmul without a whole panel keeps the generic tiles.
  return m >= 2 * tileRows && n >= panelCols;
}

namespace {

/// The K steps one pass of the register tiles makes: [begin, end), and
/// whether the tiles add to what earlier passes wrote (else start at 0).
struct KRange {
  Value begin, end;
  bool accumulate;
};

/// Where a register tile reads row k of its panel (P floats): `packed`
/// [panels][K][P] panels, or, for the padded-width im2col of a stride-1
/// convolution, `image` [C][L] itself: row k = (c, j) of the im2col matrix,
/// j = kh * kw + x, is the run image[c][(j / kw) * wp + j % kw + column].
struct PanelSource {
  Value packed;
  Value image;
  int64_t group = 1, kw = 1, wp = 0;
  int64_t p = 0;
  /// Reads of the last panel are masked at the image's row end.
  bool masked = false;
};

/// A run-time K x N right-hand side read in place, row k at column
/// panel * P (a pointwise convolution's input, an attention product's
/// operand): unless its rows are a multiple of 4 KiB apart, where the K
/// rows of a panel would share a few L1 sets.
std::optional<PanelSource> matchPlainRows(Value rhs, int64_t p) {
  auto t = cast<RankedTensorType>(rhs.getType());
  int64_t n = t.getDimSize(1);
  if ((n * 4) % 4096 == 0)
    return std::nullopt;
  PanelSource src;
  src.image = rhs;
  src.p = p;
  src.masked = n % p != 0;
  return src;
}

/// The image and geometry when `rhs` is the K x N padded-width im2col
/// matrix kiln-cpu-conv-to-matmul builds for a stride-1 convolution: the
/// collapse of a copy generic [C][KH][KW][N] reading image[c][kh * wp + kw
/// + q] of a [C][L] image long enough for every P-wide read of `panels`
/// panels; std::nullopt otherwise.
std::optional<PanelSource> matchPaddedWidthIm2col(Value rhs, int64_t p,
                                                  int64_t panels) {
  // Any collapse to K x N: canonicalization may move a unit dim (KW = 1)
  // into the last group.
  auto collapse = rhs.getDefiningOp<tensor::CollapseShapeOp>();
  if (!collapse || collapse.getResultType().getRank() != 2)
    return std::nullopt;
  auto copy = collapse.getSrc().getDefiningOp<linalg::GenericOp>();
  if (!copy || copy.getNumDpsInputs() != 1 || copy.getNumDpsInits() != 1 ||
      copy.getNumLoops() != 4 || copy.getNumReductionLoops() != 0)
    return std::nullopt;
  Block &body = copy.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (body.getOperations().size() != 1 ||
      yield.getOperand(0) != body.getArgument(0))
    return std::nullopt;
  Value image = copy.getDpsInputs()[0];
  auto it = dyn_cast<RankedTensorType>(image.getType());
  auto ct = dyn_cast<RankedTensorType>(copy.getResultTypes()[0]);
  if (!it || !ct || it.getRank() != 2 || !it.hasStaticShape() ||
      !ct.hasStaticShape())
    return std::nullopt;
  AffineMap in = copy.getIndexingMapsArray()[0];
  AffineMap out = copy.getIndexingMapsArray()[1];
  if (!out.isIdentity() || in.getNumResults() != 2 || ct.getRank() != 4 ||
      collapse.getResultType().getDimSize(1) != ct.getDimSize(3))
    return std::nullopt;
  // The read is (d0, d1 * wp + d2 + d3): wp is its step along d1.
  int64_t wp = in.compose(ArrayRef<int64_t>{0, 1, 0, 0})[1];
  MLIRContext *ctx = rhs.getContext();
  AffineExpr d0 = getAffineDimExpr(0, ctx), d1 = getAffineDimExpr(1, ctx);
  AffineExpr d2 = getAffineDimExpr(2, ctx), d3 = getAffineDimExpr(3, ctx);
  AffineMap want = AffineMap::get(4, 0, {d0, d1 * wp + d2 + d3}, ctx);
  if (wp < 1 || simplifyAffineMap(in) != simplifyAffineMap(want))
    return std::nullopt;
  int64_t kh = ct.getDimSize(1), kw = ct.getDimSize(2);
  // Every read, junk columns of the last panel included, stays in its row.
  if ((kh - 1) * wp + (kw - 1) + panels * p > it.getDimSize(1))
    return std::nullopt;
  PanelSource src;
  src.image = image;
  src.group = kh * kw;
  src.kw = kw;
  src.wp = wp;
  src.p = p;
  return src;
}

/// One register tile: rows [row0, row0 + rows) of `a` times panel `panel`
/// of `src` over the K steps of `kr`, `rows` P-wide accumulators,
/// written as rows [at, at + rows) of the tile `dst` (returned).
Value emitTile(OpBuilder &b, Location loc, Value a, const PanelSource &src,
               Value panel, Value row0, int64_t rows, const KRange &kr,
               Value dst, Value at) {
  int64_t p = src.p;
  auto vecType = VectorType::get({p}, b.getF32Type());
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
                             pad, ArrayRef<bool>{true})
                             .getResult()
                       : zero);
  }
  // One K step: row kk of A broadcast against panel row w.
  auto step = [&](OpBuilder &lb, Location ll, Value kk, Value w,
                  ValueRange acc, SmallVectorImpl<Value> &next) {
    next.clear();
    for (int64_t r = 0; r < rows; ++r) {
      Value x =
          tensor::ExtractOp::create(lb, ll, a, ValueRange{rowIndex[r], kk});
      Value xs = vector::BroadcastOp::create(lb, ll, vecType, x);
      next.push_back(vector::FMAOp::create(lb, ll, xs, w, acc[r]));
    }
  };
  scf::ForOp kLoop;
  if (src.packed) {
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
            int64_t offset = (j / src.kw) * src.wp + j % src.kw;
            Value at = lb.createOrFold<arith::AddIOp>(ll, col,
                                                      index(lb, offset));
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
  for (int64_t r = 0; r < rows; ++r)
    dst = vector::TransferWriteOp::create(b, loc, kLoop.getResult(r), dst,
                                          ValueRange{outRow[r], c0},
                                          ArrayRef<bool>{true})
              .getResult();
  return dst;
}

/// `count` full register tiles of `tileRows` rows, rows [row0, ...) of
/// `a`, written from row 0 of `dst` on (an scf.for over the tiles).
Value emitTileLoop(OpBuilder &b, Location loc, Value a,
                   const PanelSource &src, Value panel, Value row0,
                   int64_t count, int64_t tileRows, const KRange &kr,
                   Value dst) {
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  return scf::ForOp::create(
             b, loc, index(0), index(count * tileRows), index(tileRows),
             ValueRange{dst},
             [&](OpBuilder &lb, Location ll, Value r, ValueRange iter) {
               Value rows = lb.createOrFold<arith::AddIOp>(ll, row0, r);
               scf::YieldOp::create(
                   lb, ll,
                   emitTile(lb, ll, a, src, panel, rows, tileRows, kr,
                            iter[0], r));
             })
      .getResult(0);
}

/// Runs `pass` over all of K: once when K is under 4 blocks, else once
/// per block of `block` steps (the first starting from zero, the others adding to
/// it), so that the panel rows a block reads stay in L2 while every tile
/// of the chunk reads them; with K = 4608 a whole panel (1.2 MB) did not.
Value overKBlocks(OpBuilder &b, Location loc, int64_t k, int64_t block,
                  Value dst,
                  function_ref<Value(OpBuilder &, Location, const KRange &,
                                     Value)>
                      pass) {
  auto index = [&](OpBuilder &nb, int64_t v) -> Value {
    return arith::ConstantIndexOp::create(nb, loc, v);
  };
  if (k < 4 * block)
    return pass(b, loc, KRange{index(b, 0), index(b, k), false}, dst);
  dst = pass(b, loc, KRange{index(b, 0), index(b, block), false}, dst);
  return scf::ForOp::create(
             b, loc, index(b, block), index(b, k), index(b, block),
             ValueRange{dst},
             [&](OpBuilder &lb, Location ll, Value kb, ValueRange iter) {
               Value end = arith::MinUIOp::create(
                   lb, ll,
                   arith::AddIOp::create(lb, ll, kb, index(lb, block)),
                   index(lb, k));
               scf::YieldOp::create(
                   lb, ll, pass(lb, ll, KRange{kb, end, true}, iter[0]));
             })
      .getResult(0);
}

/// An scf.forall over `panels` x `chunks` whose body computes the `rows` x
/// P block at (row0 + chunk * rows, panel * P) of `out` with `body`.
Value emitForall(OpBuilder &b, Location loc, Value out, int64_t panels,
                 int64_t chunks, int64_t row0, int64_t rows, int64_t p,
                 function_ref<Value(OpBuilder &, Location, Value panel,
                                    Value firstRow, Value dst)>
                     body) {
  SmallVector<OpFoldResult> ubs = {b.getIndexAttr(panels)};
  if (chunks > 1)
    ubs.push_back(b.getIndexAttr(chunks));
  auto forall = scf::ForallOp::create(
      b, loc, ubs, ValueRange{out}, std::nullopt,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value panel = args[0], shared = args.back();
        Value first = arith::ConstantIndexOp::create(nb, nl, row0);
        if (chunks > 1)
          first = nb.createOrFold<arith::AddIOp>(nl, first,
              nb.createOrFold<arith::MulIOp>(nl, args[1],
                  arith::ConstantIndexOp::create(nb, nl, rows)));
        Value col = nb.createOrFold<arith::MulIOp>(nl, panel, arith::ConstantIndexOp::create(nb, nl, p));
        SmallVector<OpFoldResult> offsets = {first, col};
        SmallVector<OpFoldResult> sizes = {nb.getIndexAttr(rows),
                                           nb.getIndexAttr(p)};
        SmallVector<OpFoldResult> ones(2, nb.getIndexAttr(1));
        Value dst = tensor::ExtractSliceOp::create(
            nb, nl, RankedTensorType::get({rows, p}, nb.getF32Type()), shared,
            offsets, sizes, ones);
        Value tile = body(nb, nl, panel, first, dst);
        auto inParallel = scf::InParallelOp::create(nb, nl);
        OpBuilder ib = OpBuilder::atBlockBegin(inParallel.getBody());
        tensor::ParallelInsertSliceOp::create(ib, nl, tile, shared, offsets,
                                              sizes, ones);
      });
  return forall.getResult(0);
}

} // namespace

namespace {

/// `b` (K x N, computed at run time) copied into [ceil(N/P)][K][P] panels,
/// zero-padded: an scf.forall over panels copying one P-wide vector per
/// row k (a masked read in a partial last panel).
Value packAtRunTime(OpBuilder &builder, Location loc, Value b, int64_t p) {
  auto bt = cast<RankedTensorType>(b.getType());
  int64_t k = bt.getDimSize(0), n = bt.getDimSize(1);
  int64_t panels = (n + p - 1) / p;
  bool partial = n % p != 0;
  Type f32 = builder.getF32Type();
  auto vecType = VectorType::get({p}, f32);
  auto panelType = RankedTensorType::get({k, p}, f32);
  Value init = tensor::EmptyOp::create(
      builder, loc, ArrayRef<int64_t>{panels, k, p}, f32);
  auto forall = scf::ForallOp::create(
      builder, loc, ArrayRef<OpFoldResult>{builder.getIndexAttr(panels)},
      ValueRange{init}, std::nullopt,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value panel = args[0], shared = args[1];
        auto index = [&](int64_t v) -> Value {
          return arith::ConstantIndexOp::create(nb, nl, v);
        };
        Value c0 = index(0);
        SmallVector<OpFoldResult> offsets = {panel, nb.getIndexAttr(0),
                                             nb.getIndexAttr(0)};
        SmallVector<OpFoldResult> sizes = {
            nb.getIndexAttr(1), nb.getIndexAttr(k), nb.getIndexAttr(p)};
        SmallVector<OpFoldResult> strides(3, nb.getIndexAttr(1));
        Value dst = tensor::ExtractSliceOp::create(nb, nl, panelType, shared,
                                                   offsets, sizes, strides);
        Value col = nb.createOrFold<arith::MulIOp>(nl, panel, index(p));
        Value zero = arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(0));
        Value copied =
            scf::ForOp::create(
                nb, nl, c0, index(k), index(1), ValueRange{dst},
                [&](OpBuilder &lb, Location ll, Value row, ValueRange iter) {
                  Value v = vector::TransferReadOp::create(
                      lb, ll, vecType, b, ValueRange{row, col}, zero,
                      ArrayRef<bool>{!partial});
                  scf::YieldOp::create(
                      lb, ll,
                      vector::TransferWriteOp::create(
                          lb, ll, v, iter[0], ValueRange{row, c0},
                          ArrayRef<bool>{true})
                          .getResult());
                })
                .getResult(0);
        auto inParallel = scf::InParallelOp::create(nb, nl);
        OpBuilder ib = OpBuilder::atBlockBegin(inParallel.getBody());
        tensor::ParallelInsertSliceOp::create(ib, nl, copied, shared, offsets,
                                              sizes, strides);
      });
  return forall.getResult(0);
}

} // namespace

LogicalResult buildPackedMatmul(linalg::MatmulOp op, int64_t tileRows,
                                int64_t panelCols) {
  constexpr int64_t kChunkTiles = 16;
  // K steps per pass over a chunk's tiles: 512 rows of a panel, 128 KiB.
  constexpr int64_t kKBlock = 512;
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value a = op.getDpsInputs()[0];
  auto resultType = cast<RankedTensorType>(op.getResultTypes()[0]);
  int64_t m = resultType.getDimSize(0), n = resultType.getDimSize(1);
  int64_t k = cast<RankedTensorType>(a.getType()).getDimSize(1);
  int64_t p = panelCols, panels = (n + p - 1) / p;
  PanelSource src;
  src.p = p;
  int64_t kBlock = kKBlock;
  Attribute attr;
  if (matchPattern(op.getDpsInputs()[1], m_Constant(&attr))) {
    ElementsAttr packed = packPanels(cast<ElementsAttr>(attr), k, n, p);
    if (!packed)
      return failure();
    src.packed = arith::ConstantOp::create(b, loc, packed);
  } else if (std::optional<PanelSource> image =
                 matchPaddedWidthIm2col(op.getDpsInputs()[1], p, panels)) {
    // The convolution's image is its own panel source: no im2col copy and
    // no packing. K blocks hold whole channels.
    src = *image;
    kBlock = std::max<int64_t>(1, kKBlock / src.group) * src.group;
  } else if (std::optional<PanelSource> rows =
                 matchPlainRows(op.getDpsInputs()[1], p)) {
    src = *rows;
  } else {
    src.packed = packAtRunTime(b, loc, op.getDpsInputs()[1], p);
  }
  // Without padded columns the tiles are written straight into the fill's
  // destination (in place, when that is a slice of a larger result).
  Value out =
      panels * p == n
          ? op.getDpsInits()[0].getDefiningOp<linalg::FillOp>().getDpsInits()[0]
          : tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{m, panels * p},
                                    b.getF32Type())
                .getResult();
  int64_t chunk = tileRows * kChunkTiles;
  int64_t chunks = m / chunk, tail = m % chunk;
  if (chunks > 0)
    out = emitForall(
        b, loc, out, panels, chunks, 0, chunk, p,
        [&](OpBuilder &nb, Location nl, Value panel, Value first, Value dst) {
          return overKBlocks(
              nb, nl, k, kBlock, dst,
              [&](OpBuilder &kb, Location kl, const KRange &kr, Value d) {
                return emitTileLoop(kb, kl, a, src, panel, first,
                                    kChunkTiles, tileRows, kr, d);
              });
        });
  if (tail > 0)
    out = emitForall(
        b, loc, out, panels, 1, chunks * chunk, tail, p,
        [&](OpBuilder &nb, Location nl, Value panel, Value first, Value dst) {
          int64_t full = tail / tileRows, rest = tail % tileRows;
          return overKBlocks(
              nb, nl, k, kBlock, dst,
              [&](OpBuilder &kb, Location kl, const KRange &kr, Value d) {
                if (full > 0)
                  d = emitTileLoop(kb, kl, a, src, panel, first, full,
                                   tileRows, kr, d);
                if (rest > 0) {
                  Value at = arith::ConstantIndexOp::create(kb, kl,
                                                            full * tileRows);
                  Value rows = kb.createOrFold<arith::AddIOp>(kl, first, at);
                  d = emitTile(kb, kl, a, src, panel, rows, rest, kr, d,
                               at);
                }
                return d;
              });
        });
  if (panels * p != n)
    out = tensor::ExtractSliceOp::create(
        b, loc, resultType, out, ValueRange{}, ValueRange{}, ValueRange{},
        ArrayRef<int64_t>{0, 0}, ArrayRef<int64_t>{m, n},
        ArrayRef<int64_t>{1, 1});
  auto fill = op.getDpsInits()[0].getDefiningOp<linalg::FillOp>();
  Operation *im2col = src.image && src.image != op.getDpsInputs()[1]
                          ? op.getDpsInputs()[1].getDefiningOp()
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
  return success();
}

} // namespace kiln
