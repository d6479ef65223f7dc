//===- PackedGemv.cpp - few-row matmuls on compile-time packed weights ----===//
//
// A matmul with one to a few rows (a batch-1 fully connected layer, a
// decoder step) reads each weight once and does two flops per weight
// element: it runs at memory bandwidth, not at the FMA peak. What matters is
// that every thread streams its share of the weights contiguously. So the
// constant K x N right-hand side is packed at compile time into panels of
// P columns, [ceil(N/P)][K][P] (zero columns pad the last panel), and the
// product becomes an scf.forall over panels (the runtime's thread pool
// splits them) whose body walks K with one P-wide vector accumulator per
// row: a broadcast of A[m, k] and an FMA with the panel's row k. The panel
// is one contiguous stream, which the hardware prefetcher follows; K x N
// row-major order would jump N floats between consecutive k.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/PackedGemv.h"

#include "ir/ConstantData.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
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

bool isPackedGemvCandidate(linalg::MatmulOp op, int64_t maxRows) {
  auto t = dyn_cast<RankedTensorType>(op.getResultTypes()[0]);
  auto a = dyn_cast<RankedTensorType>(op.getDpsInputs()[0].getType());
  auto b = dyn_cast<RankedTensorType>(op.getDpsInputs()[1].getType());
  if (!t || !a || !b || !t.hasStaticShape() || !a.hasStaticShape() ||
      !b.hasStaticShape() || !t.getElementType().isF32() ||
      !a.getElementType().isF32() || !b.getElementType().isF32())
    return false;
  int64_t m = t.getDimSize(0), k = a.getDimSize(1), n = t.getDimSize(1);
  // Below a few KiB of weights the loop fallback is as fast.
  if (m < 1 || m > maxRows || k < 2 || k * n < 4096)
    return false;
  Attribute attr;
  return matchPattern(op.getDpsInputs()[1], m_Constant(&attr)) &&
         isa<ElementsAttr>(attr) && isZeroFill(op.getDpsInits()[0]);
}

LogicalResult buildPackedGemv(linalg::MatmulOp op, int64_t panelCols) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value a = op.getDpsInputs()[0];
  auto resultType = cast<RankedTensorType>(op.getResultTypes()[0]);
  int64_t m = resultType.getDimSize(0), n = resultType.getDimSize(1);
  int64_t k = cast<RankedTensorType>(a.getType()).getDimSize(1);
  int64_t p = panelCols, panels = (n + p - 1) / p;
  Attribute attr;
  matchPattern(op.getDpsInputs()[1], m_Constant(&attr));
  ElementsAttr packed = packPanels(cast<ElementsAttr>(attr), k, n, p);
  if (!packed)
    return failure();
  Value weights = arith::ConstantOp::create(b, loc, packed);
  Type f32 = b.getF32Type();
  auto vecType = VectorType::get({p}, f32);
  auto tileType = RankedTensorType::get({m, p}, f32);
  auto paddedType = RankedTensorType::get({m, panels * p}, f32);
  auto index = [&](OpBuilder &nb, int64_t v) -> Value {
    return arith::ConstantIndexOp::create(nb, loc, v);
  };
  Value init = tensor::EmptyOp::create(b, loc, paddedType.getShape(), f32);
  auto forall = scf::ForallOp::create(
      b, loc, ArrayRef<OpFoldResult>{b.getIndexAttr(panels)},
      ValueRange{init}, std::nullopt,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value panel = args[0], out = args[1];
        Value zero = arith::ConstantOp::create(
            nb, nl, vecType, DenseElementsAttr::get(vecType, 0.0f));
        SmallVector<Value> accs(m, zero);
        Value c0 = index(nb, 0);
        Value fpad = arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(0));
        auto kLoop = scf::ForOp::create(
            nb, nl, c0, index(nb, k), index(nb, 1), accs,
            [&](OpBuilder &lb, Location ll, Value kk, ValueRange iter) {
              Value w = vector::TransferReadOp::create(
                  lb, ll, vecType, weights, ValueRange{panel, kk, c0}, fpad,
                  ArrayRef<bool>{true});
              SmallVector<Value> next;
              for (int64_t r = 0; r < m; ++r) {
                Value x = tensor::ExtractOp::create(
                    lb, ll, a, ValueRange{index(lb, r), kk});
                Value xs = vector::BroadcastOp::create(lb, ll, vecType, x);
                next.push_back(
                    vector::FMAOp::create(lb, ll, xs, w, iter[r]));
              }
              scf::YieldOp::create(lb, ll, next);
            });
        Value tile = tensor::EmptyOp::create(nb, nl, tileType.getShape(), f32);
        for (int64_t r = 0; r < m; ++r)
          tile = vector::TransferWriteOp::create(
                     nb, nl, kLoop.getResult(r), tile,
                     ValueRange{index(nb, r), c0}, ArrayRef<bool>{true})
                     .getResult();
        Value col = arith::MulIOp::create(nb, nl, panel, index(nb, p));
        auto inParallel = scf::InParallelOp::create(nb, nl);
        OpBuilder ib = OpBuilder::atBlockBegin(inParallel.getBody());
        tensor::ParallelInsertSliceOp::create(
            ib, nl, tile, out,
            ArrayRef<OpFoldResult>{ib.getIndexAttr(0), col},
            ArrayRef<OpFoldResult>{ib.getIndexAttr(m), ib.getIndexAttr(p)},
            ArrayRef<OpFoldResult>{ib.getIndexAttr(1), ib.getIndexAttr(1)});
      });
  Value result = forall.getResult(0);
  if (panels * p != n)
    result = tensor::ExtractSliceOp::create(
        b, loc, resultType, result, ValueRange{}, ValueRange{}, ValueRange{},
        ArrayRef<int64_t>{0, 0}, ArrayRef<int64_t>{m, n},
        ArrayRef<int64_t>{1, 1});
  op.getResult(0).replaceAllUsesWith(result);
  op.erase();
  return success();
}

} // namespace kiln
