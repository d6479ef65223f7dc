//===- SplitBatchMatmul.cpp - batch matmuls as per-batch matmuls ----------===//
//
// The loop over the batch is sequential: each matmul's own register tiles
// are the thread-parallel loop, as for any other matmul, so the runtime's
// pool never sees nested parallel regions.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/SplitBatchMatmul.h"
#include "codegen/cpu/PackedMatmul.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace kiln {

bool splitBatchMatmul(linalg::BatchMatmulOp op, int64_t minRows,
                      int64_t minCols) {
  if (!isStaticF32ProductIntoZero(op) || op.hasUserDefinedMaps())
    return false;
  auto t = cast<RankedTensorType>(op.getResultTypes()[0]);
  auto at = cast<RankedTensorType>(op.getDpsInputs()[0].getType());
  auto fill = op.getDpsInits()[0].getDefiningOp<linalg::FillOp>();
  int64_t batch = t.getDimSize(0), m = t.getDimSize(1), n = t.getDimSize(2);
  int64_t k = at.getDimSize(2);
  if (m < minRows || n < minCols)
    return false;

  OpBuilder b(op);
  Location loc = op.getLoc();
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value a = op.getDpsInputs()[0], bm = op.getDpsInputs()[1];
  Value zeroValue = fill.getInputs()[0];
  auto loop = scf::ForOp::create(
      b, loc, index(0), index(batch), index(1),
      ValueRange{fill.getOutputs()[0]},
      [&](OpBuilder &lb, Location ll, Value i, ValueRange iter) {
        SmallVector<OpFoldResult> ones(3, lb.getIndexAttr(1));
        SmallVector<OpFoldResult> at = {i, lb.getIndexAttr(0),
                                        lb.getIndexAttr(0)};
        // Batch i of `src` as a rows x cols matrix.
        auto sizes = [&](int64_t rows, int64_t cols) {
          return SmallVector<OpFoldResult>{lb.getIndexAttr(1),
                                           lb.getIndexAttr(rows),
                                           lb.getIndexAttr(cols)};
        };
        auto matrix = [&](Value src, int64_t rows, int64_t cols) -> Value {
          return tensor::ExtractSliceOp::create(
              lb, ll, RankedTensorType::get({rows, cols}, lb.getF32Type()),
              src, at, sizes(rows, cols), ones);
        };
        Value dst = matrix(iter[0], m, n);
        Value filled =
            linalg::FillOp::create(lb, ll, zeroValue, dst).getResult(0);
        Value product =
            linalg::MatmulOp::create(lb, ll, TypeRange{dst.getType()},
                                     ValueRange{matrix(a, m, k),
                                                matrix(bm, k, n)},
                                     ValueRange{filled})
                .getResult(0);
        scf::YieldOp::create(
            lb, ll,
            tensor::InsertSliceOp::create(lb, ll, product, iter[0], at,
                                          sizes(m, n), ones)
                .getResult());
      });
  op.getResult(0).replaceAllUsesWith(loop.getResult(0));
  op.erase();
  if (fill->use_empty())
    fill.erase();
  return true;
}

} // namespace kiln
