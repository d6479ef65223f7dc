//===- RunTimeShapeToTensor.cpp - dynamic_slice and range to tensor/linalg ===//
//
// dynamic_slice -> tensor.extract_slice whose offsets and sizes are computed
// from the bound tensors with ONNX's clamping; range -> a linalg.generic
// over a tensor.empty of the computed length, element i = start + i*delta.
//
//===----------------------------------------------------------------------===//

#include "codegen/linalg/KilnToLinalg.h"
#include "codegen/linalg/LoweringUtils.h"
#include "ir/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;

namespace kiln {
namespace {

/// Element `i` of a 1-D integer tensor as an index.
Value elementAsIndex(OpBuilder &b, Location loc, Value tensor, int64_t i) {
  Value at = arith::ConstantIndexOp::create(b, loc, i);
  Value e = tensor::ExtractOp::create(b, loc, tensor, ValueRange{at});
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), e);
}

/// ONNX's slice bound: negative counts from the end, then clamped to
/// [0, extent].
Value clampBound(OpBuilder &b, Location loc, Value bound, Value extent) {
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value negative =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, bound, zero);
  Value shifted = arith::AddIOp::create(b, loc, bound, extent);
  bound = arith::SelectOp::create(b, loc, negative, shifted, bound);
  bound = arith::MaxSIOp::create(b, loc, bound, zero);
  return arith::MinSIOp::create(b, loc, bound, extent);
}

/// The first index and the element count of one axis of a dynamic slice.
/// A positive step: bounds clamped to [0, extent], an empty window starting
/// at 0 (so a slice of it never leaves the tensor). A negative step (ONNX):
/// the start clamped to [0, extent - 1], the end to [-1, extent - 1].
std::pair<Value, Value> axisWindow(OpBuilder &b, Location loc, Value start,
                                   Value end, Value extent, int64_t step) {
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value s, e;
  if (step > 0) {
    s = clampBound(b, loc, start, extent);
    e = clampBound(b, loc, end, extent);
  } else {
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Value last = arith::SubIOp::create(b, loc, extent, one);
    auto clamp = [&](Value bound, Value lo) {
      Value negative =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, bound, zero);
      Value shifted = arith::AddIOp::create(b, loc, bound, extent);
      bound = arith::SelectOp::create(b, loc, negative, shifted, bound);
      bound = arith::MaxSIOp::create(b, loc, bound, lo);
      return arith::MinSIOp::create(b, loc, bound, last).getResult();
    };
    s = clamp(start, zero);
    e = clamp(end, arith::ConstantIndexOp::create(b, loc, -1));
  }
  // max(ceil((e - s) / step), 0) elements.
  Value count = arith::CeilDivSIOp::create(
      b, loc, arith::SubIOp::create(b, loc, e, s),
      arith::ConstantIndexOp::create(b, loc, step));
  count = arith::MaxSIOp::create(b, loc, count, zero);
  if (step > 0) {
    Value empty =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, count, zero);
    s = arith::SelectOp::create(b, loc, empty, zero, s);
  }
  return {s, count};
}

/// Every element of `rt` read from `input` at index start + i * step on
/// the sliced axes (i on the others): what a slice with a negative step
/// is, since tensor.extract_slice strides are positive.
Value gatherSlice(OpBuilder &b, Location loc, Value input, RankedTensorType rt,
                  ArrayRef<OpFoldResult> sizes, ArrayRef<int64_t> axes,
                  ArrayRef<int64_t> steps, ArrayRef<Value> starts) {
  int64_t rank = rt.getRank();
  Value init = buildEmpty(b, loc, rt, sizes);
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(rank)};
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, rt, ValueRange{}, init, maps, iters,
      [&](OpBuilder &nb, Location nl, ValueRange) {
        SmallVector<Value> at;
        for (int64_t d = 0; d < rank; ++d)
          at.push_back(linalg::IndexOp::create(nb, nl, d));
        for (auto [i, axis] : llvm::enumerate(axes)) {
          Value offset = arith::MulIOp::create(
              nb, nl, at[axis], arith::ConstantIndexOp::create(nb, nl, steps[i]));
          at[axis] = arith::AddIOp::create(nb, nl, starts[i], offset);
        }
        linalg::YieldOp::create(nb, nl,
                                tensor::ExtractOp::create(nb, nl, input, at)
                                    .getResult());
      });
  return generic.getResult(0);
}

struct DynamicSliceLowering : OpRewritePattern<DynamicSliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DynamicSliceOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto rt = op.getType();
    int64_t rank = rt.getRank();
    SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
    SmallVector<OpFoldResult> sizes = dimSizes(rewriter, loc, op.getInput());
    SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
    SmallVector<Value> starts;
    for (auto [i, axis] : llvm::enumerate(op.getAxes())) {
      int64_t step = op.getSteps()[i];
      Value extent = getValueOrCreateConstantIndexOp(rewriter, loc, sizes[axis]);
      auto [s, count] = axisWindow(
          rewriter, loc, elementAsIndex(rewriter, loc, op.getStarts(), i),
          elementAsIndex(rewriter, loc, op.getEnds(), i), extent, step);
      starts.push_back(s);
      offsets[axis] = s;
      // A static result dim keeps its constant size. On a dynamic input
      // dim it holds only when the dim reaches the window's end: checked.
      if (rt.isDynamicDim(axis)) {
        sizes[axis] = count;
      } else {
        if (op.getInput().getType().isDynamicDim(axis))
          checkDimsAgree(rewriter, loc, count,
                         arith::ConstantIndexOp::create(rewriter, loc,
                                                        rt.getDimSize(axis)));
        sizes[axis] = rewriter.getIndexAttr(rt.getDimSize(axis));
      }
      strides[axis] = rewriter.getIndexAttr(step);
    }
    if (llvm::any_of(op.getSteps(), [](int64_t s) { return s < 0; })) {
      rewriter.replaceOp(op, gatherSlice(rewriter, loc, op.getInput(), rt, sizes,
                                         op.getAxes(), op.getSteps(), starts));
      return success();
    }
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, rt, op.getInput(), offsets, sizes, strides);
    return success();
  }
};

struct RangeLowering : OpRewritePattern<RangeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RangeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto rt = op.getType();
    Type et = rt.getElementType();
    auto scalar = [&](Value v) {
      return tensor::ExtractOp::create(rewriter, loc, v, ValueRange{})
          .getResult();
    };
    Value start = scalar(op.getStart()), limit = scalar(op.getLimit()),
          delta = scalar(op.getDelta());
    SmallVector<OpFoldResult> sizes(1);
    if (rt.isDynamicDim(0)) {
      Value count;
      if (isa<FloatType>(et)) {
        Value n = arith::DivFOp::create(
            rewriter, loc, arith::SubFOp::create(rewriter, loc, limit, start),
            delta);
        n = math::CeilOp::create(rewriter, loc, n);
        count = arith::FPToSIOp::create(rewriter, loc, rewriter.getI64Type(), n);
        count = arith::IndexCastOp::create(rewriter, loc,
                                           rewriter.getIndexType(), count);
      } else {
        auto index = [&](Value v) {
          return arith::IndexCastOp::create(rewriter, loc,
                                            rewriter.getIndexType(), v)
              .getResult();
        };
        // A zero delta would divide by zero: it counts as one, and the
        // verifier rejects a constant zero delta before this runs.
        Value d = index(delta);
        Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
        Value isZero = arith::CmpIOp::create(rewriter, loc,
                                             arith::CmpIPredicate::eq, d, zero);
        d = arith::SelectOp::create(
            rewriter, loc, isZero,
            arith::ConstantIndexOp::create(rewriter, loc, 1), d);
        count = arith::CeilDivSIOp::create(
            rewriter, loc,
            arith::SubIOp::create(rewriter, loc, index(limit), index(start)), d);
      }
      count = arith::MaxSIOp::create(
          rewriter, loc, count, arith::ConstantIndexOp::create(rewriter, loc, 0));
      sizes[0] = count;
    }
    Value init = buildEmpty(rewriter, loc, rt, sizes);
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(1)};
    auto generic = linalg::GenericOp::create(
        rewriter, loc, rt, ValueRange{}, init, maps,
        SmallVector<utils::IteratorType>{utils::IteratorType::parallel},
        [&](OpBuilder &b, Location l, ValueRange) {
          Value i = linalg::IndexOp::create(b, l, 0);
          Value v;
          if (isa<FloatType>(et)) {
            Value i64 = arith::IndexCastOp::create(b, l, b.getI64Type(), i);
            Value f = arith::SIToFPOp::create(b, l, et, i64);
            v = arith::AddFOp::create(b, l, start,
                                      arith::MulFOp::create(b, l, f, delta));
          } else {
            Value n = arith::IndexCastOp::create(b, l, et, i);
            v = arith::AddIOp::create(b, l, start,
                                      arith::MulIOp::create(b, l, n, delta));
          }
          linalg::YieldOp::create(b, l, v);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

} // namespace

void populateRunTimeShapeToTensorPatterns(RewritePatternSet &patterns) {
  patterns.add<DynamicSliceLowering, RangeLowering>(patterns.getContext());
}

} // namespace kiln
