//===- ResizeToLinalg.cpp - kiln.resize to a gathering linalg.generic -----===//
//
// The source positions depend only on the output index of each resized
// dim, so they are computed here, at compile time, into constant tables
// (lower index, upper index, weight of the upper sample) that the generic
// reads through indexing maps; its body gathers the four neighbours with
// tensor.extract and blends them.
//
//===----------------------------------------------------------------------===//

#include "codegen/linalg/KilnToLinalg.h"
#include "codegen/linalg/LoweringUtils.h"
#include "ir/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;

namespace kiln {
namespace {

/// Per output index of one dim: the two input samples and the upper one's
/// weight.
struct AxisTable {
  std::vector<int64_t> lo, hi;
  std::vector<double> weight;
};

AxisTable axisTable(int64_t in, int64_t out, StringRef mode) {
  AxisTable t;
  for (int64_t o = 0; o < out; ++o) {
    double x;
    if (mode == "align_corners")
      x = out > 1 ? double(o) * double(in - 1) / double(out - 1) : 0.0;
    else if (mode == "half_pixel")
      x = (double(o) + 0.5) * double(in) / double(out) - 0.5;
    else
      x = double(o) * double(in) / double(out);
    double x0 = std::floor(x);
    t.lo.push_back(std::clamp<int64_t>(int64_t(x0), 0, in - 1));
    t.hi.push_back(std::clamp<int64_t>(int64_t(x0) + 1, 0, in - 1));
    t.weight.push_back(x - x0);
  }
  return t;
}

struct ResizeLowering : OpRewritePattern<ResizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ResizeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto rt = op.getType();
    auto in = op.getInput().getType();
    Type et = rt.getElementType();
    int64_t rank = rt.getRank();
    SmallVector<Value> tables;
    SmallVector<AffineMap> maps;
    for (int i = 0; i < 2; ++i) {
      int64_t axis = op.getAxes()[i];
      AxisTable t = axisTable(in.getDimSize(axis), rt.getDimSize(axis),
                              op.getCoordinateMode());
      int64_t n = int64_t(t.lo.size());
      auto it = RankedTensorType::get({n}, rewriter.getI64Type());
      auto ft = RankedTensorType::get({n}, et);
      tables.push_back(arith::ConstantOp::create(
          rewriter, loc, DenseElementsAttr::get(it, ArrayRef(t.lo))));
      tables.push_back(arith::ConstantOp::create(
          rewriter, loc, DenseElementsAttr::get(it, ArrayRef(t.hi))));
      SmallVector<Attribute> w;
      for (double v : t.weight)
        w.push_back(FloatAttr::get(et, v));
      tables.push_back(arith::ConstantOp::create(
          rewriter, loc, DenseElementsAttr::get(ft, w)));
      AffineMap m = AffineMap::get(rank, 0, rewriter.getAffineDimExpr(axis));
      maps.append(3, m);
    }
    maps.push_back(rewriter.getMultiDimIdentityMap(rank));
    SmallVector<OpFoldResult> sizes = dimSizes(rewriter, loc, op.getInput());
    Value init = buildEmpty(rewriter, loc, rt, sizes);
    Value data = op.getInput();
    int64_t a0 = op.getAxes()[0], a1 = op.getAxes()[1];
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, rt, tables, init, maps, iters,
        [&](OpBuilder &b, Location l, ValueRange args) {
          auto index = [&](Value v) {
            return arith::IndexCastOp::create(b, l, b.getIndexType(), v)
                .getResult();
          };
          SmallVector<Value> coords;
          for (int64_t d = 0; d < rank; ++d)
            coords.push_back(linalg::IndexOp::create(b, l, d));
          Value lo0 = index(args[0]), hi0 = index(args[1]), w0 = args[2];
          Value lo1 = index(args[3]), hi1 = index(args[4]), w1 = args[5];
          auto at = [&](Value i0, Value i1) {
            coords[a0] = i0;
            coords[a1] = i1;
            return tensor::ExtractOp::create(b, l, data, coords).getResult();
          };
          // a + (c - a) * w, first along the second axis, then the first.
          auto lerp = [&](Value a, Value c, Value w) {
            Value d = arith::SubFOp::create(b, l, c, a);
            return arith::AddFOp::create(b, l, a,
                                         arith::MulFOp::create(b, l, d, w))
                .getResult();
          };
          Value top = lerp(at(lo0, lo1), at(lo0, hi1), w1);
          Value bottom = lerp(at(hi0, lo1), at(hi0, hi1), w1);
          linalg::YieldOp::create(b, l, lerp(top, bottom, w0));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

} // namespace

void populateResizeToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ResizeLowering>(patterns.getContext());
}

} // namespace kiln
