//===- ShapeToTensor.cpp - kiln shape ops to tensor/linalg ----------------===//
//
// reshape -> collapse/expand_shape, transpose -> linalg.transpose, concat ->
// insert_slice chain, slice -> extract_slice, pad -> tensor.pad, gather -> a
// generic that reads the data tensor at the (normalised, clamped) index.
//
//===----------------------------------------------------------------------===//

#include "codegen/linalg/KilnToLinalg.h"
#include "codegen/linalg/LoweringUtils.h"
#include "ir/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;

namespace kiln {
namespace {

LogicalResult needStatic(PatternRewriter &rewriter, Operation *op) {
  for (Type t : llvm::concat<Type>(op->getOperandTypes(), op->getResultTypes()))
    if (!cast<RankedTensorType>(t).hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes not supported");
  return success();
}

struct ReshapeLowering : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    Value r = buildReshape(rewriter, op.getLoc(), op.getInput(),
                           llvm::to_vector(op.getType().getShape()));
    if (!r)
      return op.emitOpError()
             << "cannot lower the reshape of " << op.getInput().getType()
             << " to " << op.getType()
             << ": its dynamic dims do not map through a collapse/expand";
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct TransposeLowering : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    SmallVector<OpFoldResult> in = dimSizes(rewriter, op.getLoc(), op.getInput());
    SmallVector<OpFoldResult> sizes;
    for (int64_t p : op.getPerm())
      sizes.push_back(in[p]);
    Value init = buildEmpty(rewriter, op.getLoc(), op.getType(), sizes);
    rewriter.replaceOp(op, linalg::TransposeOp::create(rewriter, op.getLoc(),
                                                       op.getInput(), init,
                                                       op.getPerm())
                               .getResult());
    return success();
  }
};

struct ConcatLowering : OpRewritePattern<ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConcatOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(needStatic(rewriter, op)))
      return failure();
    auto rt = op.getType();
    Value acc = tensor::EmptyOp::create(rewriter, op.getLoc(), rt.getShape(),
                                        rt.getElementType());
    int64_t offset = 0, axis = op.getAxis();
    for (Value in : op.getInputs()) {
      auto t = cast<RankedTensorType>(in.getType());
      SmallVector<int64_t> offsets(rt.getRank(), 0), strides(rt.getRank(), 1);
      offsets[axis] = offset;
      acc = tensor::InsertSliceOp::create(rewriter, op.getLoc(), in, acc,
                                          ValueRange{}, ValueRange{}, ValueRange{},
                                          offsets, t.getShape(), strides);
      offset += t.getDimSize(axis);
    }
    rewriter.replaceOp(op, acc);
    return success();
  }
};

struct SliceLowering : OpRewritePattern<SliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SliceOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(needStatic(rewriter, op)))
      return failure();
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, op.getType(), op.getInput(), ValueRange{}, ValueRange{}, ValueRange{},
        op.getOffsets(), op.getSizes(), op.getStrides());
    return success();
  }
};

struct PadLowering : OpRewritePattern<PadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PadOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(needStatic(rewriter, op)))
      return failure();
    int64_t rank = op.getInput().getType().getRank();
    ArrayRef<int64_t> pads = op.getPads();
    Value v = scalarConstant(rewriter, op.getLoc(),
                             op.getType().getElementType(),
                             op.getValue().convertToDouble());
    rewriter.replaceOpWithNewOp<tensor::PadOp>(
        op, op.getType(), op.getInput(),
        getAsIndexOpFoldResult(getContext(), pads.take_front(rank)),
        getAsIndexOpFoldResult(getContext(), pads.drop_front(rank)), v);
    return success();
  }
};

struct GatherLowering : OpRewritePattern<GatherOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GatherOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(needStatic(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    auto rt = op.getType();
    auto it = op.getIndices().getType();
    Value data = op.getInput();
    int64_t axis = op.getAxis(), idxRank = it.getRank();
    int64_t extent = op.getInput().getType().getDimSize(axis);
    int64_t rank = rt.getRank();
    SmallVector<AffineExpr> idxExprs;
    for (int64_t d = 0; d < idxRank; ++d)
      idxExprs.push_back(rewriter.getAffineDimExpr(axis + d));
    SmallVector<AffineMap> maps = {
        AffineMap::get(rank, 0, idxExprs, rewriter.getContext()),
        rewriter.getMultiDimIdentityMap(rank)};
    Value init = tensor::EmptyOp::create(rewriter, loc, rt.getShape(),
                                         rt.getElementType());
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, rt, op.getIndices(), init, maps, iters,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value i = arith::IndexCastOp::create(b, l, b.getIndexType(), args[0]);
          Value zero = arith::ConstantIndexOp::create(b, l, 0);
          Value dim = arith::ConstantIndexOp::create(b, l, extent);
          Value neg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, i, zero);
          i = arith::SelectOp::create(b, l, neg, arith::AddIOp::create(b, l, i, dim), i);
          // Out-of-range indices are clamped so that no read leaves the data.
          i = arith::MaxSIOp::create(b, l, i, zero);
          i = arith::MinSIOp::create(
              b, l, i, arith::ConstantIndexOp::create(b, l, extent - 1));
          SmallVector<Value> coords;
          for (int64_t d = 0; d < axis; ++d)
            coords.push_back(linalg::IndexOp::create(b, l, d));
          coords.push_back(i);
          for (int64_t d = axis + idxRank; d < rank; ++d)
            coords.push_back(linalg::IndexOp::create(b, l, d));
          Value v = tensor::ExtractOp::create(b, l, data, coords);
          linalg::YieldOp::create(b, l, v);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

} // namespace

void populateShapeToTensorPatterns(RewritePatternSet &patterns) {
  patterns.add<ReshapeLowering, TransposeLowering, ConcatLowering,
               SliceLowering, PadLowering, GatherLowering>(
      patterns.getContext());
}

} // namespace kiln
