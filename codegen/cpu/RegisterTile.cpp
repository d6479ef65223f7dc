//===- RegisterTile.cpp - the packed matmul kernel's register tiles -------===//
//
// See RegisterTile.h and, for the kernel around these tiles,
// PackedMatmul.cpp.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/RegisterTile.h"
#include "codegen/cpu/MatmulEpilogue.h"
#include "codegen/cpu/PanelSource.h"
#include "codegen/linalg/LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

namespace kiln::packed {

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

} // namespace kiln::packed
