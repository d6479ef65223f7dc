//===- SuppressionToScf.cpp - non-maximum suppression to scf loops --------===//
//
// kiln.non_max_suppression is sequential by nature (each selection depends
// on the ones before), so it lowers to scalar scf loops over tensors: per
// (batch, class), a mask of dropped boxes; repeatedly an argmax over the
// boxes left, then one pass dropping those that overlap the selected box.
// Rows go into a buffer sized for the most boxes that can be selected, and
// the result is its first `count` rows.
//
//===----------------------------------------------------------------------===//

#include "codegen/linalg/KilnToLinalg.h"
#include "codegen/linalg/LoweringUtils.h"
#include "ir/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace kiln {
namespace {

/// A box as [y1, x1, y2, x2] with y1 <= y2 and x1 <= x2.
struct Corners {
  Value y1, x1, y2, x2;
};

Corners readBox(OpBuilder &b, Location loc, Value boxes, Value batch,
                Value box, bool centered) {
  Value c[4];
  for (int64_t k = 0; k < 4; ++k)
    c[k] = tensor::ExtractOp::create(
        b, loc, boxes,
        ValueRange{batch, box, arith::ConstantIndexOp::create(b, loc, k)});
  if (centered) {
    // [x_center, y_center, width, height].
    Value half = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.5f));
    Value hw = arith::MulFOp::create(b, loc, c[2], half);
    Value hh = arith::MulFOp::create(b, loc, c[3], half);
    return {arith::SubFOp::create(b, loc, c[1], hh),
            arith::SubFOp::create(b, loc, c[0], hw),
            arith::AddFOp::create(b, loc, c[1], hh),
            arith::AddFOp::create(b, loc, c[0], hw)};
  }
  return {arith::MinimumFOp::create(b, loc, c[0], c[2]),
          arith::MinimumFOp::create(b, loc, c[1], c[3]),
          arith::MaximumFOp::create(b, loc, c[0], c[2]),
          arith::MaximumFOp::create(b, loc, c[1], c[3])};
}

/// Intersection over union; 0 where the union is empty.
Value iou(OpBuilder &b, Location loc, const Corners &p, const Corners &q) {
  Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
  auto side = [&](Value lo1, Value hi1, Value lo2, Value hi2) {
    Value d = arith::SubFOp::create(b, loc,
                                    arith::MinimumFOp::create(b, loc, hi1, hi2),
                                    arith::MaximumFOp::create(b, loc, lo1, lo2));
    return arith::MaximumFOp::create(b, loc, d, zero).getResult();
  };
  Value inter = arith::MulFOp::create(b, loc, side(p.y1, p.y2, q.y1, q.y2),
                                      side(p.x1, p.x2, q.x1, q.x2));
  auto area = [&](const Corners &r) {
    return arith::MulFOp::create(b, loc,
                                 arith::SubFOp::create(b, loc, r.y2, r.y1),
                                 arith::SubFOp::create(b, loc, r.x2, r.x1))
        .getResult();
  };
  Value uni = arith::SubFOp::create(
      b, loc, arith::AddFOp::create(b, loc, area(p), area(q)), inter);
  Value positive =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, uni, zero);
  Value ratio = arith::DivFOp::create(b, loc, inter, uni);
  return arith::SelectOp::create(b, loc, positive, ratio, zero);
}

Value scalar(OpBuilder &b, Location loc, Value t) {
  return tensor::ExtractOp::create(b, loc, t, ValueRange{});
}

Value index(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

struct NonMaxSuppressionLowering : OpRewritePattern<NonMaxSuppressionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(NonMaxSuppressionOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value boxes = op.getBoxes(), scores = op.getScores();
    bool centered = op.getCenterPointBox();
    Value batches = tensor::DimOp::create(b, loc, scores, 0);
    Value classes = tensor::DimOp::create(b, loc, scores, 1);
    Value n = tensor::DimOp::create(b, loc, scores, 2);
    checkDimsAgree(b, loc, tensor::DimOp::create(b, loc, boxes, 0), batches);
    checkDimsAgree(b, loc, tensor::DimOp::create(b, loc, boxes, 1), n);
    // At most min(max(limit, 0), N) boxes per (batch, class).
    Value limit = arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                             scalar(b, loc, op.getMaxPerClass()));
    limit = arith::MaxSIOp::create(b, loc, limit, index(b, loc, 0));
    limit = arith::MinSIOp::create(b, loc, limit, n);
    Value iouLimit = scalar(b, loc, op.getIouThreshold());
    Value scoreLimit = scalar(b, loc, op.getScoreThreshold());
    Value capacity = arith::MulIOp::create(
        b, loc, arith::MulIOp::create(b, loc, batches, classes), limit);
    auto rowsType = RankedTensorType::get({ShapedType::kDynamic, 3},
                                          b.getI64Type());
    Value rows = tensor::EmptyOp::create(b, loc, rowsType, ValueRange{capacity});
    Value zero = index(b, loc, 0), one = index(b, loc, 1);
    Value f = arith::ConstantOp::create(b, loc, b.getBoolAttr(false));
    Value t = arith::ConstantOp::create(b, loc, b.getBoolAttr(true));
    auto maskType = RankedTensorType::get({ShapedType::kDynamic}, b.getI1Type());

    auto perClass = [&](OpBuilder &cb, Location cl, Value batch, Value cls,
                        Value rowsIn, Value countIn) -> std::pair<Value, Value> {
      // Dropped from the start: scores not above the threshold.
      Value mask = tensor::EmptyOp::create(cb, cl, maskType, ValueRange{n});
      mask = scf::ForOp::create(
                 cb, cl, zero, n, one, ValueRange{mask},
                 [&](OpBuilder &lb, Location ll, Value i, ValueRange it) {
                   Value s = tensor::ExtractOp::create(lb, ll, scores,
                                                       ValueRange{batch, cls, i});
                   Value keep = arith::CmpFOp::create(
                       lb, ll, arith::CmpFPredicate::OGT, s, scoreLimit);
                   Value drop = arith::XOrIOp::create(lb, ll, keep, t);
                   scf::YieldOp::create(lb, ll,
                                        Value(tensor::InsertOp::create(
                                            lb, ll, drop, it[0], ValueRange{i})));
                 })
                 .getResult(0);
      auto select = scf::ForOp::create(
          cb, cl, zero, limit, one, ValueRange{rowsIn, countIn, mask, f},
          [&](OpBuilder &kb, Location kl, Value, ValueRange it) {
            Value done = it[3];
            auto step = scf::IfOp::create(
                kb, kl, done,
                [&](OpBuilder &db, Location dl) {
                  scf::YieldOp::create(db, dl, it);
                },
                [&](OpBuilder &sb, Location sl) {
                  // The best box left: highest score, lowest index on ties.
                  Value lowest = arith::ConstantOp::create(
                      sb, sl, sb.getF32FloatAttr(-INFINITY));
                  auto best = scf::ForOp::create(
                      sb, sl, zero, n, one, ValueRange{zero, lowest, f},
                      [&](OpBuilder &ab, Location al, Value j, ValueRange bt) {
                        Value dropped = tensor::ExtractOp::create(ab, al, it[2],
                                                                  ValueRange{j});
                        Value s = tensor::ExtractOp::create(
                            ab, al, scores, ValueRange{batch, cls, j});
                        Value better = arith::OrIOp::create(
                            ab, al, arith::XOrIOp::create(ab, al, bt[2], t),
                            arith::CmpFOp::create(ab, al, arith::CmpFPredicate::OGT,
                                                  s, bt[1]));
                        Value take = arith::AndIOp::create(
                            ab, al, arith::XOrIOp::create(ab, al, dropped, t),
                            better);
                        scf::YieldOp::create(
                            ab, al,
                            ValueRange{arith::SelectOp::create(ab, al, take, j, bt[0]),
                                       arith::SelectOp::create(ab, al, take, s, bt[1]),
                                       arith::OrIOp::create(ab, al, take, bt[2])});
                      });
                  Value found = best.getResult(2);
                  auto record = scf::IfOp::create(
                      sb, sl, found,
                      [&](OpBuilder &rb, Location rl) {
                        Value pick = best.getResult(0);
                        Value out = it[0];
                        Value fields[3] = {batch, cls, pick};
                        for (int64_t k = 0; k < 3; ++k)
                          out = tensor::InsertOp::create(
                              rb, rl,
                              arith::IndexCastOp::create(rb, rl, rb.getI64Type(),
                                                         fields[k]),
                              out, ValueRange{it[1], index(rb, rl, k)});
                        // Drop the pick and every box left that overlaps it.
                        Corners p = readBox(rb, rl, boxes, batch, pick, centered);
                        Value mask2 =
                            scf::ForOp::create(
                                rb, rl, zero, n, one, ValueRange{it[2]},
                                [&](OpBuilder &ob, Location ol, Value j,
                                    ValueRange mt) {
                                  Corners q =
                                      readBox(ob, ol, boxes, batch, j, centered);
                                  Value over = arith::CmpFOp::create(
                                      ob, ol, arith::CmpFPredicate::OGT,
                                      iou(ob, ol, p, q), iouLimit);
                                  Value same = arith::CmpIOp::create(
                                      ob, ol, arith::CmpIPredicate::eq, j, pick);
                                  Value was = tensor::ExtractOp::create(
                                      ob, ol, mt[0], ValueRange{j});
                                  Value drop = arith::OrIOp::create(
                                      ob, ol, was,
                                      arith::OrIOp::create(ob, ol, over, same));
                                  scf::YieldOp::create(
                                      ob, ol,
                                      Value(tensor::InsertOp::create(
                                          ob, ol, drop, mt[0], ValueRange{j})));
                                })
                                .getResult(0);
                        Value next = arith::AddIOp::create(rb, rl, it[1], one);
                        scf::YieldOp::create(rb, rl,
                                             ValueRange{out, next, mask2, f});
                      },
                      [&](OpBuilder &eb, Location el) {
                        scf::YieldOp::create(eb, el,
                                             ValueRange{it[0], it[1], it[2], t});
                      });
                  scf::YieldOp::create(sb, sl, record.getResults());
                });
            scf::YieldOp::create(kb, kl, step.getResults());
          });
      return {select.getResult(0), select.getResult(1)};
    };

    auto outer = scf::ForOp::create(
        b, loc, zero, batches, one, ValueRange{rows, zero},
        [&](OpBuilder &bb, Location bl, Value batch, ValueRange bt) {
          auto inner = scf::ForOp::create(
              bb, bl, zero, classes, one, ValueRange{bt[0], bt[1]},
              [&](OpBuilder &cb, Location cl, Value cls, ValueRange ct) {
                auto [r, c] = perClass(cb, cl, batch, cls, ct[0], ct[1]);
                scf::YieldOp::create(cb, cl, ValueRange{r, c});
              });
          scf::YieldOp::create(bb, bl, inner.getResults());
        });
    Value count = outer.getResult(1);
    Value result = tensor::ExtractSliceOp::create(
        b, loc, rowsType, outer.getResult(0),
        SmallVector<OpFoldResult>{b.getIndexAttr(0), b.getIndexAttr(0)},
        SmallVector<OpFoldResult>{count, b.getIndexAttr(3)},
        SmallVector<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateSuppressionToScfPatterns(RewritePatternSet &patterns) {
  patterns.add<NonMaxSuppressionLowering>(patterns.getContext());
}

} // namespace kiln
