//===- PanelSource.cpp - where the packed kernel reads its panels ---------===//
//
// See PanelSource.h.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/PanelSource.h"
#include "codegen/linalg/LoweringUtils.h"

#include "ir/ConstantData.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Matchers.h"

#include <cstring>

using namespace mlir;

namespace kiln {
namespace {

/// The constant K x N matrix `attr` as [ceil(N/P)][K][P] panels: a weight's
/// rows can be a power of two apart, where reading it in K x N order a
/// 6 x 64 tile on a 4608 x 512 weight ran at a third of the FMA peak.
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

} // namespace

linalg::GenericOp matchIm2colCopy(Value v) {
  // Any collapse to a matrix: canonicalization may move a unit dim (KW = 1)
  // into another group.
  auto collapse = v.getDefiningOp<tensor::CollapseShapeOp>();
  if (!collapse || collapse.getResultType().getRank() != 2)
    return {};
  auto copy = collapse.getSrc().getDefiningOp<linalg::GenericOp>();
  if (!copy || copy.getNumDpsInputs() != 1 || copy.getNumDpsInits() != 1 ||
      copy.getNumLoops() != 4 || copy.getNumReductionLoops() != 0)
    return {};
  Block &body = copy.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (body.getOperations().size() != 1 ||
      yield.getOperand(0) != body.getArgument(0))
    return {};
  auto it = dyn_cast<RankedTensorType>(copy.getDpsInputs()[0].getType());
  auto ct = dyn_cast<RankedTensorType>(copy.getResultTypes()[0]);
  if (!it || !ct || it.getRank() != 2 || !it.hasStaticShape() ||
      !ct.hasStaticShape() || ct.getRank() != 4 ||
      !copy.getIndexingMapsArray()[1].isIdentity() ||
      copy.getIndexingMapsArray()[0].getNumResults() != 2)
    return {};
  return copy;
}

namespace {

/// The image and tap offsets when `rhs` is the K x N padded-width im2col
/// matrix kiln-cpu-conv-to-matmul builds for a convolution: the collapse
/// of a copy generic [C][KH][KW][N] reading image[c][tap(kh, kw) + q] of a
/// [C][L] image long enough for every P-wide read of `panels` panels
/// (tap(kh, kw) = kh * wp + kw for stride 1; with phase images, the phase's
/// start plus the offset in it); std::nullopt otherwise.
std::optional<PanelSource> matchPaddedWidthIm2col(Value rhs, int64_t p,
                                                  int64_t panels) {
  linalg::GenericOp copy = matchIm2colCopy(rhs);
  if (!copy)
    return std::nullopt;
  auto collapse = rhs.getDefiningOp<tensor::CollapseShapeOp>();
  Value image = copy.getDpsInputs()[0];
  auto it = cast<RankedTensorType>(image.getType());
  auto ct = cast<RankedTensorType>(copy.getResultTypes()[0]);
  AffineMap in = copy.getIndexingMapsArray()[0];
  if (collapse.getResultType().getDimSize(1) != ct.getDimSize(3))
    return std::nullopt;
  // The read is (d0, tap(d1, d2) + d3).
  MLIRContext *ctx = rhs.getContext();
  AffineExpr d0 = getAffineDimExpr(0, ctx), d3 = getAffineDimExpr(3, ctx);
  AffineExpr tap = simplifyAffineExpr(in.getResult(1) - d3, 4, 0);
  if (in.getResult(0) != d0 || tap.isFunctionOfDim(0) ||
      tap.isFunctionOfDim(3))
    return std::nullopt;
  int64_t kh = ct.getDimSize(1), kw = ct.getDimSize(2);
  SmallVector<int64_t> taps;
  for (int64_t i = 0; i < kh; ++i)
    for (int64_t j = 0; j < kw; ++j) {
      int64_t offset = in.compose(ArrayRef<int64_t>{0, i, j, 0})[1];
      // Every read, junk columns of the last panel included, stays in its
      // row.
      if (offset < 0 || offset + panels * p > it.getDimSize(1))
        return std::nullopt;
      taps.push_back(offset);
    }
  PanelSource src;
  src.image = image;
  src.group = kh * kw;
  src.taps = std::move(taps);
  src.p = p;
  return src;
}

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

FailureOr<PanelSource> choosePanelSource(OpBuilder &b, Location loc,
                                         Value rhs, int64_t p) {
  auto t = cast<RankedTensorType>(rhs.getType());
  int64_t k = t.getDimSize(0), n = t.getDimSize(1);
  int64_t panels = (n + p - 1) / p;
  // A constant weight, possibly reshaped (an NHWC filter as a matrix).
  if (ElementsAttr attr = matchReshapedConstant(rhs)) {
    ElementsAttr packed = packPanels(attr, k, n, p);
    if (!packed)
      return failure();
    PanelSource src;
    src.packed = arith::ConstantOp::create(b, loc, packed);
    src.p = p;
    return src;
  }
  // A convolution's image is its own panel source: no im2col copy and no
  // packing.
  if (std::optional<PanelSource> image = matchPaddedWidthIm2col(rhs, p, panels))
    return *image;
  if (std::optional<PanelSource> rows = matchPlainRows(rhs, p))
    return *rows;
  PanelSource src;
  src.packed = packAtRunTime(b, loc, rhs, p);
  src.p = p;
  return src;
}

} // namespace kiln
