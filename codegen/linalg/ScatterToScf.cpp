//===- ScatterToScf.cpp - kiln.scatter_nd to scf loops ---------------------===//
//
// Index tuples may repeat, and with no reduction the last write must win, so
// kiln.scatter_nd lowers to a loop nest over the tuples (the leading dims of
// `indices`) carrying the result: each step reads one tuple, extracts the
// matching slice of `updates`, combines it with what is there when there is
// a reduction, and inserts it. Bufferization turns the carried tensor into
// one buffer written in place (a copy of the input first, when the input
// cannot be written).
//
//===----------------------------------------------------------------------===//

#include "codegen/linalg/KilnToLinalg.h"
#include "codegen/linalg/LoweringUtils.h"
#include "ir/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include "llvm/ADT/StringSwitch.h"

using namespace mlir;

namespace kiln {
namespace {

/// The scalar op of a reduction ("add", "mul", "max", "min").
BinKind reductionKind(StringRef reduction) {
  return llvm::StringSwitch<BinKind>(reduction)
      .Case("add", BinKind::Add)
      .Case("mul", BinKind::Mul)
      .Case("max", BinKind::Max)
      .Default(BinKind::Min);
}

struct ScatterNdLowering : OpRewritePattern<ScatterNdOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ScatterNdOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value data = op.getInput(), indices = op.getIndices();
    Value updates = op.getUpdates();
    auto dt = op.getInput().getType(), it = op.getIndices().getType();
    auto ut = op.getUpdates().getType();
    StringRef reduction = op.getReduction();
    if (!isa<FloatType, IntegerType>(dt.getElementType()) ||
        (reduction != "none" && dt.getElementType().isInteger(1)))
      return rewriter.notifyMatchFailure(op, "element type not supported");
    int64_t q = it.getShape().back(), lead = it.getRank() - 1;
    int64_t rest = dt.getRank() - q;

    SmallVector<OpFoldResult> dataSizes = dimSizes(rewriter, loc, data);
    SmallVector<OpFoldResult> idxSizes = dimSizes(rewriter, loc, indices);
    // Updates must be indices.shape[:-1] + input.shape[q:] at run time too.
    auto agree = [&](OpFoldResult want, int64_t updDim) {
      if (!ut.isDynamicDim(updDim) && getConstantIntValue(want))
        return;
      checkDimsAgree(rewriter, loc,
                     getValueOrCreateConstantIndexOp(rewriter, loc, want),
                     tensor::DimOp::create(rewriter, loc, updates, updDim));
    };
    for (int64_t d = 0; d < lead; ++d)
      agree(idxSizes[d], d);
    for (int64_t j = 0; j < rest; ++j)
      agree(dataSizes[q + j], lead + j);

    SmallVector<Value> extents, lbs, ubs, steps;
    for (int64_t j = 0; j < q; ++j)
      extents.push_back(
          getValueOrCreateConstantIndexOp(rewriter, loc, dataSizes[j]));
    checkIndicesWithin(rewriter, loc, indices, extents);
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    for (int64_t d = 0; d < lead; ++d) {
      lbs.push_back(zero);
      ubs.push_back(getValueOrCreateConstantIndexOp(rewriter, loc, idxSizes[d]));
      steps.push_back(one);
    }
    auto sliceType = RankedTensorType::get(dt.getShape().drop_front(q),
                                           dt.getElementType());
    SmallVector<OpFoldResult> restSizes(dataSizes.begin() + q,
                                        dataSizes.end());

    auto body = [&](OpBuilder &b, Location l, ValueRange ivs,
                    ValueRange carried) -> scf::ValueVector {
      Value acc = carried[0];
      SmallVector<OpFoldResult> at, sizes, strides;
      SmallVector<Value> tuple(ivs.begin(), ivs.end());
      tuple.push_back(Value());
      for (int64_t j = 0; j < q; ++j) {
        tuple.back() = arith::ConstantIndexOp::create(b, l, j);
        Value raw = tensor::ExtractOp::create(b, l, indices, tuple);
        at.push_back(indexWithin(b, l, raw, extents[j]));
        sizes.push_back(b.getIndexAttr(1));
      }
      for (int64_t j = 0; j < rest; ++j) {
        at.push_back(b.getIndexAttr(0));
        sizes.push_back(restSizes[j]);
      }
      strides.assign(dt.getRank(), b.getIndexAttr(1));
      SmallVector<OpFoldResult> updAt(ivs.begin(), ivs.end()), updSizes;
      updSizes.assign(lead, b.getIndexAttr(1));
      for (int64_t j = 0; j < rest; ++j) {
        updAt.push_back(b.getIndexAttr(0));
        updSizes.push_back(restSizes[j]);
      }
      SmallVector<OpFoldResult> updStrides(ut.getRank(), b.getIndexAttr(1));
      Value slice = tensor::ExtractSliceOp::create(b, l, sliceType, updates,
                                                   updAt, updSizes, updStrides);
      if (reduction != "none") {
        Value old = tensor::ExtractSliceOp::create(b, l, sliceType, acc, at,
                                                   sizes, strides);
        auto map = b.getMultiDimIdentityMap(rest);
        SmallVector<utils::IteratorType> iters(rest,
                                               utils::IteratorType::parallel);
        slice = linalg::GenericOp::create(
                    b, l, sliceType, ValueRange{slice}, ValueRange{old},
                    SmallVector<AffineMap>{map, map}, iters,
                    [&](OpBuilder &gb, Location gl, ValueRange a) {
                      linalg::YieldOp::create(
                          gb, gl,
                          binaryScalar(gb, gl, reductionKind(reduction), a[1],
                                       a[0], dt.getElementType()));
                    })
                    .getResult(0);
      }
      return {tensor::InsertSliceOp::create(b, l, slice, acc, at, sizes,
                                            strides)
                  .getResult()};
    };
    scf::LoopNest nest = scf::buildLoopNest(rewriter, loc, lbs, ubs, steps,
                                            ValueRange{data}, body);
    rewriter.replaceOp(op, nest.results.empty() ? data : nest.results[0]);
    return success();
  }
};

} // namespace

void populateScatterToScfPatterns(RewritePatternSet &patterns) {
  patterns.add<ScatterNdLowering>(patterns.getContext());
}

} // namespace kiln
