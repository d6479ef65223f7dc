//===- ShapeToTensor.cpp - kiln shape ops to tensor/linalg ----------------===//
//
// reshape -> collapse/expand_shape, transpose -> linalg.transpose, concat ->
// insert_slice chain, slice -> extract_slice, pad -> tensor.pad, gather -> a
// generic that reads the data tensor at the (normalised, clamped) index.
//
//===----------------------------------------------------------------------===//

#include "codegen/linalg/KilnToLinalg.h"
#include "codegen/linalg/LoweringUtils.h"
#include "ir/ConstantData.h"
#include "ir/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Matchers.h"

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
    Location loc = op.getLoc();
    auto rt = op.getType();
    int64_t axis = op.getAxis();
    // The result takes the non-axis sizes of the first input; the axis
    // size is the sum of the inputs' (run-time where dynamic).
    SmallVector<OpFoldResult> sizes = dimSizes(rewriter, loc, op.getInputs()[0]);
    OpFoldResult offset = rewriter.getIndexAttr(0);
    SmallVector<std::pair<Value, OpFoldResult>> pieces;
    for (Value in : op.getInputs()) {
      pieces.push_back({in, offset});
      OpFoldResult extent = tensor::getMixedSize(rewriter, loc, in, axis);
      offset = addIndices(rewriter, loc, offset, extent);
    }
    sizes[axis] = offset;
    Value acc = buildEmpty(rewriter, loc, rt, sizes);
    for (auto [in, at] : pieces) {
      SmallVector<OpFoldResult> offsets(rt.getRank(), rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> strides(rt.getRank(), rewriter.getIndexAttr(1));
      offsets[axis] = at;
      acc = tensor::InsertSliceOp::create(rewriter, loc, in, acc, offsets,
                                          dimSizes(rewriter, loc, in), strides);
    }
    rewriter.replaceOp(op, acc);
    return success();
  }

  /// a + b, folded when both are constants.
  static OpFoldResult addIndices(OpBuilder &b, Location loc, OpFoldResult a,
                                 OpFoldResult c) {
    std::optional<int64_t> x = getConstantIntValue(a), y = getConstantIntValue(c);
    if (x && y)
      return b.getIndexAttr(*x + *y);
    return arith::AddIOp::create(b, loc,
                                 getValueOrCreateConstantIndexOp(b, loc, a),
                                 getValueOrCreateConstantIndexOp(b, loc, c))
        .getResult();
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

/// Shape arithmetic (Shape -> Gather with constant indices) as extracts
/// of the shape vector, so that tensor.dim of anything shaped by it
/// resolves to the input's dims: the library's output-shape function then
/// stays free of model computation. Null for other gathers.
Value pickShapeElements(PatternRewriter &rewriter, GatherOp op) {
  auto in = op.getInput().getType();
  Attribute attr;
  if (in.getRank() != 1 || !in.hasStaticShape() || in.getNumElements() > 8 ||
      !isa<IntegerType>(in.getElementType()) ||
      !matchPattern(op.getIndices(), m_Constant(&attr)))
    return {};
  auto indices = readIntConstant(attr);
  if (!indices)
    return {};
  Location loc = op.getLoc();
  int64_t extent = in.getDimSize(0);
  SmallVector<Value> elements;
  for (int64_t i : *indices) {
    i = std::clamp<int64_t>(i < 0 ? i + extent : i, 0, extent - 1);
    Value at = arith::ConstantIndexOp::create(rewriter, loc, i);
    elements.push_back(
        tensor::ExtractOp::create(rewriter, loc, op.getInput(), ValueRange{at}));
  }
  return tensor::FromElementsOp::create(rewriter, loc, op.getType(), elements);
}

struct GatherLowering : OpRewritePattern<GatherOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GatherOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto rt = op.getType();
    auto it = op.getIndices().getType();
    Value data = op.getInput();
    int64_t axis = op.getAxis(), idxRank = it.getRank();
    int64_t rank = rt.getRank();
    if (Value picked = pickShapeElements(rewriter, op)) {
      rewriter.replaceOp(op, picked);
      return success();
    }
    // Result dims: the data's dims before `axis`, the indices' dims, then
    // the data's dims after `axis`.
    SmallVector<OpFoldResult> in = dimSizes(rewriter, loc, data);
    SmallVector<OpFoldResult> sizes(in.begin(), in.begin() + axis);
    llvm::append_range(sizes, dimSizes(rewriter, loc, op.getIndices()));
    sizes.append(in.begin() + axis + 1, in.end());
    Value extent = getValueOrCreateConstantIndexOp(rewriter, loc, in[axis]);
    checkIndicesWithin(rewriter, loc, op.getIndices(), extent);
    SmallVector<AffineExpr> idxExprs;
    for (int64_t d = 0; d < idxRank; ++d)
      idxExprs.push_back(rewriter.getAffineDimExpr(axis + d));
    SmallVector<AffineMap> maps = {
        AffineMap::get(rank, 0, idxExprs, rewriter.getContext()),
        rewriter.getMultiDimIdentityMap(rank)};
    Value init = buildEmpty(rewriter, loc, rt, sizes);
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, rt, op.getIndices(), init, maps, iters,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value i = indexWithin(b, l, args[0], extent);
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

/// broadcast_to -> an elementwise copy with broadcasting maps; a dynamic
/// result dim is the input's dim where the input has it (a dynamic dim is
/// never broadcast), else the shape tensor's element.
struct BroadcastToLowering : OpRewritePattern<BroadcastToOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BroadcastToOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto rt = op.getType();
    auto in = op.getInput().getType();
    int64_t lead = rt.getRank() - in.getRank();
    SmallVector<OpFoldResult> sizes(rt.getRank());
    for (int64_t d = 0; d < rt.getRank(); ++d) {
      if (!rt.isDynamicDim(d))
        continue;
      int64_t id = d - lead;
      if (id >= 0 && in.getDimSize(id) != 1) {
        sizes[d] = tensor::getMixedSize(rewriter, loc, op.getInput(), id);
        continue;
      }
      Value at = arith::ConstantIndexOp::create(rewriter, loc, d);
      Value e = tensor::ExtractOp::create(rewriter, loc, op.getShape(),
                                          ValueRange{at});
      sizes[d] = arith::IndexCastOp::create(rewriter, loc,
                                            rewriter.getIndexType(), e)
                     .getResult();
    }
    rewriter.replaceOp(
        op, buildElementwise(
                rewriter, loc, rt, op.getInput(),
                [](OpBuilder &, Location, ValueRange a) { return a[0]; },
                sizes));
    return success();
  }
};

/// shape_of -> the input's dims (tensor.dim, cast to i64) as a 1-D tensor.
struct ShapeOfLowering : OpRewritePattern<ShapeOfOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ShapeOfOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    SmallVector<Value> dims;
    for (OpFoldResult d : dimSizes(rewriter, loc, op.getInput()))
      dims.push_back(arith::IndexCastOp::create(
          rewriter, loc, rewriter.getI64Type(),
          getValueOrCreateConstantIndexOp(rewriter, loc, d)));
    rewriter.replaceOpWithNewOp<tensor::FromElementsOp>(op, op.getType(), dims);
    return success();
  }
};

} // namespace

void populateShapeToTensorPatterns(RewritePatternSet &patterns) {
  patterns.add<ReshapeLowering, TransposeLowering, ConcatLowering,
               SliceLowering, PadLowering, GatherLowering, ShapeOfLowering,
               BroadcastToLowering>(
      patterns.getContext());
}

} // namespace kiln
