//===- IndexToLinalg.cpp - arg_max/arg_min, gather_nd and top_k to linalg -===//
//
// arg_max/arg_min are one reducing generic carrying the best value and its
// index. gather_nd is a generic over the result that reads the index tuple
// and the input with tensor.extract. top_k runs k rounds of a masked
// arg-best (scf.for over tensors): each round takes the best element not
// yet taken, so equal values come out in input order; O(k * n) per row,
// which suits the small k that models ask for.
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

using namespace mlir;

namespace kiln {
namespace {

/// `sizes` without entry `axis`.
SmallVector<OpFoldResult> dropDim(ArrayRef<OpFoldResult> sizes, int64_t axis) {
  SmallVector<OpFoldResult> out(sizes);
  out.erase(out.begin() + axis);
  return out;
}

/// The i64 index of the best element along `axis` of `input` (the dim
/// dropped): the largest (or smallest), the first of equals unless
/// `lastIndex`. With `taken` (i1, the input's shape), marked elements are
/// skipped.
Value buildArgBest(OpBuilder &b, Location loc, Value input, int64_t axis,
                   bool largest, bool lastIndex, Value taken = {}) {
  auto in = cast<RankedTensorType>(input.getType());
  Type et = in.getElementType();
  int64_t rank = in.getRank();
  SmallVector<int64_t> shape(in.getShape());
  shape.erase(shape.begin() + axis);
  SmallVector<OpFoldResult> sizes = dropDim(dimSizes(b, loc, input), axis);
  auto valueType = RankedTensorType::get(shape, et);
  auto indexType = RankedTensorType::get(shape, b.getI64Type());
  Value bestValue = buildFilled(b, loc, valueType, 0.0, sizes);
  Value bestIndex = buildFilled(b, loc, indexType, -1.0, sizes);
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iters;
  for (int64_t d = 0; d < rank; ++d) {
    iters.push_back(d == axis ? utils::IteratorType::reduction
                              : utils::IteratorType::parallel);
    if (d != axis)
      outExprs.push_back(b.getAffineDimExpr(d));
  }
  AffineMap id = b.getMultiDimIdentityMap(rank);
  AffineMap out = AffineMap::get(rank, 0, outExprs, b.getContext());
  SmallVector<Value> inputs = {input};
  SmallVector<AffineMap> maps = {id};
  if (taken) {
    inputs.push_back(taken);
    maps.push_back(id);
  }
  maps.append({out, out});
  bool isFloat = isa<FloatType>(et);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{valueType, indexType}, inputs,
      ValueRange{bestValue, bestIndex}, maps, iters,
      [&](OpBuilder &nb, Location nl, ValueRange a) {
        Value x = a[0], accV = a[a.size() - 2], accI = a[a.size() - 1];
        Value better;
        if (isFloat) {
          using P = arith::CmpFPredicate;
          P p = largest ? (lastIndex ? P::OGE : P::OGT)
                        : (lastIndex ? P::OLE : P::OLT);
          better = arith::CmpFOp::create(nb, nl, p, x, accV);
        } else {
          using P = arith::CmpIPredicate;
          P p = largest ? (lastIndex ? P::sge : P::sgt)
                        : (lastIndex ? P::sle : P::slt);
          better = arith::CmpIOp::create(nb, nl, p, x, accV);
        }
        Value none = arith::CmpIOp::create(
            nb, nl, arith::CmpIPredicate::slt, accI,
            arith::ConstantIntOp::create(nb, nl, 0, 64));
        Value take = arith::OrIOp::create(nb, nl, none, better);
        if (taken)
          take = arith::AndIOp::create(
              nb, nl, take,
              arith::XOrIOp::create(nb, nl, a[1],
                                    arith::ConstantIntOp::create(nb, nl, 1, 1)));
        Value i = arith::IndexCastOp::create(nb, nl, nb.getI64Type(),
                                             linalg::IndexOp::create(nb, nl, axis));
        linalg::YieldOp::create(
            nb, nl,
            ValueRange{arith::SelectOp::create(nb, nl, take, x, accV),
                       arith::SelectOp::create(nb, nl, take, i, accI)});
      });
  return generic.getResult(1);
}

template <typename OpTy, bool Largest>
struct ArgReduceLowering : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Type et = op.getInput().getType().getElementType();
    if (et.isUnsignedInteger())
      return rewriter.notifyMatchFailure(op, "unsigned input not supported");
    Value r = buildArgBest(rewriter, op.getLoc(), op.getInput(), op.getAxis(),
                           Largest, op.getSelectLastIndex());
    r = buildReshape(rewriter, op.getLoc(), r,
                     llvm::to_vector(op.getType().getShape()));
    if (!r)
      return rewriter.notifyMatchFailure(op, "keepdims reshape not expressible");
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct GatherNdLowering : OpRewritePattern<GatherNdOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GatherNdOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value data = op.getInput(), indices = op.getIndices();
    auto it = op.getIndices().getType();
    int64_t bd = op.getBatchDims(), q = it.getShape().back();
    int64_t lead = it.getRank() - 1, rank = op.getType().getRank();
    SmallVector<OpFoldResult> in = dimSizes(rewriter, loc, data);
    SmallVector<OpFoldResult> sizes = dimSizes(rewriter, loc, indices);
    sizes.pop_back();
    sizes.append(in.begin() + bd + q, in.end());
    for (int64_t d = 0; d < bd; ++d)
      if (it.isDynamicDim(d) || op.getInput().getType().isDynamicDim(d))
        checkDimsAgree(rewriter, loc,
                       tensor::DimOp::create(rewriter, loc, data, d),
                       tensor::DimOp::create(rewriter, loc, indices, d));
    SmallVector<Value> extents;
    for (int64_t j = 0; j < q; ++j)
      extents.push_back(
          getValueOrCreateConstantIndexOp(rewriter, loc, in[bd + j]));
    checkIndicesWithin(rewriter, loc, indices, extents);
    Value init = buildEmpty(rewriter, loc, op.getType(), sizes);
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, op.getType(), ValueRange{}, init,
        rewriter.getMultiDimIdentityMap(rank), iters,
        [&](OpBuilder &b, Location l, ValueRange) {
          SmallVector<Value> tuple, coords;
          for (int64_t d = 0; d < lead; ++d)
            tuple.push_back(linalg::IndexOp::create(b, l, d));
          for (int64_t d = 0; d < bd; ++d)
            coords.push_back(tuple[d]);
          tuple.push_back(Value());
          for (int64_t j = 0; j < q; ++j) {
            tuple.back() = arith::ConstantIndexOp::create(b, l, j);
            Value raw = tensor::ExtractOp::create(b, l, indices, tuple);
            coords.push_back(indexWithin(b, l, raw, extents[j]));
          }
          for (int64_t d = lead; d < rank; ++d)
            coords.push_back(linalg::IndexOp::create(b, l, d));
          linalg::YieldOp::create(b, l,
                                  Value(tensor::ExtractOp::create(b, l, data, coords)));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct TopKLowering : OpRewritePattern<TopKOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TopKOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getInput();
    auto in = op.getInput().getType();
    if (in.getElementType().isUnsignedInteger())
      return rewriter.notifyMatchFailure(op, "unsigned input not supported");
    int64_t axis = op.getAxis(), rank = in.getRank();
    SmallVector<OpFoldResult> inSizes = dimSizes(rewriter, loc, x);
    SmallVector<OpFoldResult> outSizes(inSizes);
    bool whole = op.getK() == -1;
    if (!whole)
      outSizes[axis] = rewriter.getIndexAttr(op.getK());
    Value taken = buildFilled(rewriter, loc, in.clone(rewriter.getI1Type()),
                              0.0, inSizes);
    Value values = buildEmpty(rewriter, loc, op.getValues().getType(), outSizes);
    Value indices = buildEmpty(rewriter, loc, op.getIndices().getType(), outSizes);
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value k = whole ? getValueOrCreateConstantIndexOp(rewriter, loc,
                                                      inSizes[axis])
                    : arith::ConstantIndexOp::create(rewriter, loc, op.getK())
                          .getResult();
    if (Value given = op.getRunTimeK()) {
      // k read when the model runs: negative counts as 0, and more than the
      // dim holds is a shape error.
      Value raw = tensor::ExtractOp::create(rewriter, loc, given, ValueRange{});
      k = arith::MaxSIOp::create(
          rewriter, loc,
          arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(), raw),
          arith::ConstantIndexOp::create(rewriter, loc, 0));
      outSizes[axis] = k;
      whole = false;
    }
    // A dim shorter than k at run time is a shape error, not a read past
    // its end.
    if ((in.isDynamicDim(axis) || op.getRunTimeK()) && !whole)
      checkDimAtLeast(rewriter, loc,
                      getValueOrCreateConstantIndexOp(rewriter, loc, inSizes[axis]),
                      k);
    auto loop = scf::ForOp::create(
        rewriter, loc, zero, k, one, ValueRange{taken, values, indices},
        [&](OpBuilder &b, Location l, Value j, ValueRange iter) {
          Value best = buildArgBest(b, l, x, axis, op.getLargest(), false, iter[0]);
          auto rowType = cast<RankedTensorType>(best.getType());
          SmallVector<OpFoldResult> rowSizes = dropDim(inSizes, axis);
          // The best element's value, read at its index.
          auto valueRowType = rowType.clone(in.getElementType());
          SmallVector<utils::IteratorType> rowIters(rank - 1,
                                                    utils::IteratorType::parallel);
          Value value = linalg::GenericOp::create(
              b, l, valueRowType, best, buildEmpty(b, l, valueRowType, rowSizes),
              SmallVector<AffineMap>(2, b.getMultiDimIdentityMap(rank - 1)),
              rowIters,
              [&](OpBuilder &nb, Location nl, ValueRange a) {
                SmallVector<Value> coords;
                for (int64_t d = 0; d < rank - 1; ++d)
                  coords.push_back(linalg::IndexOp::create(nb, nl, d));
                coords.insert(coords.begin() + axis,
                              arith::IndexCastOp::create(nb, nl, nb.getIndexType(), a[0]));
                linalg::YieldOp::create(nb, nl,
                                        Value(tensor::ExtractOp::create(nb, nl, x, coords)));
              }).getResult(0);
          // Mark it taken, in place (bufferization wants each loop-carried
          // tensor updated in its own buffer).
          SmallVector<AffineExpr> rowExprs;
          for (int64_t d = 0; d < rank; ++d)
            if (d != axis)
              rowExprs.push_back(b.getAffineDimExpr(d));
          SmallVector<AffineMap> markMaps = {
              AffineMap::get(rank, 0, rowExprs, b.getContext()),
              b.getMultiDimIdentityMap(rank)};
          Value marked = linalg::GenericOp::create(
              b, l, iter[0].getType(), best, iter[0], markMaps,
              SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
              [&](OpBuilder &nb, Location nl, ValueRange a) {
                Value i = arith::IndexCastOp::create(
                    nb, nl, nb.getI64Type(), linalg::IndexOp::create(nb, nl, axis));
                Value hit = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq,
                                                  i, a[0]);
                linalg::YieldOp::create(nb, nl,
                                        Value(arith::OrIOp::create(nb, nl, a[1], hit)));
              }).getResult(0);
          // Rank-reducing inserts at position j along the axis.
          SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
          offsets[axis] = j;
          SmallVector<OpFoldResult> sizes(inSizes);
          sizes[axis] = b.getIndexAttr(1);
          SmallVector<OpFoldResult> strides(rank, b.getIndexAttr(1));
          Value nv = tensor::InsertSliceOp::create(b, l, value, iter[1], offsets,
                                                   sizes, strides);
          Value ni = tensor::InsertSliceOp::create(b, l, best, iter[2], offsets,
                                                   sizes, strides);
          scf::YieldOp::create(b, l, ValueRange{marked, nv, ni});
        });
    rewriter.replaceOp(op, {loop.getResult(1), loop.getResult(2)});
    return success();
  }
};

/// non_zero: the count first (a reduction), then one sequential pass over
/// the elements in row-major order writing each non-zero one's coordinates
/// into the next row.
struct NonZeroLowering : OpRewritePattern<NonZeroOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(NonZeroOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getInput();
    auto in = op.getInput().getType();
    int64_t rank = in.getRank();
    Type et = in.getElementType();
    auto isNonZero = [&](OpBuilder &b, Location l, Value v) -> Value {
      Value zero = scalarConstant(b, l, et, 0.0);
      if (isa<FloatType>(et))
        return arith::CmpFOp::create(b, l, arith::CmpFPredicate::UNE, v, zero);
      return arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne, v, zero);
    };
    // Row-major flat view, and the number of non-zero elements.
    SmallVector<OpFoldResult> sizes = dimSizes(rewriter, loc, x);
    int64_t n = in.hasStaticShape() ? in.getNumElements() : ShapedType::kDynamic;
    Value flat = buildReshape(rewriter, loc, x, {n});
    auto i64 = rewriter.getI64Type();
    Value counts = buildElementwise(
        rewriter, loc, RankedTensorType::get({n}, i64), flat,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          return arith::ExtUIOp::create(b, l, b.getI64Type(),
                                        isNonZero(b, l, a[0]));
        });
    Value total = buildReduction(rewriter, loc, counts, {0}, ReduceKind::Sum);
    Value count = arith::IndexCastOp::create(
        rewriter, loc, rewriter.getIndexType(),
        tensor::ExtractOp::create(rewriter, loc, total, ValueRange{}));
    Value result = buildEmpty(rewriter, loc, op.getType(),
                              {count, rewriter.getIndexAttr(rank)});
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value length = tensor::DimOp::create(rewriter, loc, flat, 0);
    auto loop = scf::ForOp::create(
        rewriter, loc, zero, length, one, ValueRange{result, zero},
        [&](OpBuilder &b, Location l, Value i, ValueRange iter) {
          Value v = tensor::ExtractOp::create(b, l, flat, ValueRange{i});
          auto write = scf::IfOp::create(
              b, l, isNonZero(b, l, v),
              [&](OpBuilder &tb, Location tl) {
                // Coordinates from the flat index, last dim first.
                Value acc = iter[0], rest = i;
                for (int64_t d = rank - 1; d >= 0; --d) {
                  Value size = getValueOrCreateConstantIndexOp(tb, tl, sizes[d]);
                  Value coord = d == 0 ? rest
                                       : arith::RemUIOp::create(tb, tl, rest, size)
                                             .getResult();
                  if (d > 0)
                    rest = arith::DivUIOp::create(tb, tl, rest, size);
                  Value at = arith::ConstantIndexOp::create(tb, tl, d);
                  acc = tensor::InsertOp::create(
                      tb, tl, arith::IndexCastOp::create(tb, tl, tb.getI64Type(), coord),
                      acc, ValueRange{iter[1], at});
                }
                Value next = arith::AddIOp::create(
                    tb, tl, iter[1], arith::ConstantIndexOp::create(tb, tl, 1));
                scf::YieldOp::create(tb, tl, ValueRange{acc, next});
              },
              [&](OpBuilder &eb, Location el) {
                scf::YieldOp::create(eb, el, ValueRange{iter[0], iter[1]});
              });
          scf::YieldOp::create(b, l, write.getResults());
        });
    rewriter.replaceOp(op, loop.getResult(0));
    return success();
  }
};

} // namespace

void populateIndexToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ArgReduceLowering<ArgMaxOp, true>,
               ArgReduceLowering<ArgMinOp, false>, GatherNdLowering,
               TopKLowering, NonZeroLowering>(patterns.getContext());
}

} // namespace kiln
