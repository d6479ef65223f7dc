//===- PropagateTransposes.cpp - the kiln-propagate-transposes pass -------===//
//
// Transposes only move down (towards their users) and compose when they
// meet, so the rewrite terminates: each pattern either removes a transpose
// or pushes one past an op. An op fed by a transpose T(x, p) is rebuilt on
// x, with its attributes (pads, axes) and its other operands mapped through
// p, and T re-applied to its result.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_KILNPROPAGATETRANSPOSES
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// inv with inv[p[i]] = i.
SmallVector<int64_t> inverse(ArrayRef<int64_t> p) {
  SmallVector<int64_t> inv(p.size());
  for (size_t i = 0; i < p.size(); ++i)
    inv[p[i]] = int64_t(i);
  return inv;
}

/// The type of x where T(x, p) has type `t`.
RankedTensorType untransposed(RankedTensorType t, ArrayRef<int64_t> p) {
  SmallVector<int64_t> shape(t.getRank());
  for (size_t i = 0; i < p.size(); ++i)
    shape[p[i]] = t.getDimSize(i);
  return t.clone(shape);
}

Value transpose(PatternRewriter &rewriter, Location loc, Value v,
                ArrayRef<int64_t> perm) {
  return rewriter.createOrFold<TransposeOp>(
      loc, v, rewriter.getDenseI64ArrayAttr(perm));
}

/// T(T(x, p1), p2) = T(x, q) with q[i] = p1[p2[i]].
struct ComposeTransposes : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<TransposeOp>();
    if (!inner)
      return failure();
    SmallVector<int64_t> q;
    for (int64_t i : op.getPerm())
      q.push_back(inner.getPerm()[i]);
    rewriter.replaceOp(op, transpose(rewriter, op.getLoc(), inner.getInput(), q));
    return success();
  }
};

/// The transpose feeding operand `i` of `op` with the result's rank, or null.
TransposeOp transposedOperand(Operation *op, unsigned i) {
  auto t = op->getOperand(i).getDefiningOp<TransposeOp>();
  if (!t || op->getNumResults() != 1 ||
      cast<RankedTensorType>(t.getType()).getRank() !=
          cast<RankedTensorType>(op->getResult(0).getType()).getRank())
    return {};
  return t;
}

bool isUnaryElementwise(Operation *op) {
  return isa<ReluOp, SigmoidOp, TanhOp, ErfOp, SqrtOp, ExpOp, LogOp, NegOp,
             AbsOp, ReciprocalOp, ClipOp, CastOp>(op);
}

bool isBinaryElementwise(Operation *op) {
  return isa<AddOp, SubOp, MulOp, DivOp, PowOp, MaxOp, MinOp>(op);
}

/// op(T(x, p)) -> T(op(x), p) for unary elementwise ops.
struct SinkThroughUnary : RewritePattern {
  explicit SinkThroughUnary(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), 1, ctx) {}
  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (!isUnaryElementwise(op))
      return failure();
    TransposeOp t = transposedOperand(op, 0);
    if (!t)
      return failure();
    auto rt = cast<RankedTensorType>(op->getResult(0).getType());
    Operation *moved = rewriter.clone(*op);
    moved->setOperand(0, t.getInput());
    moved->getResult(0).setType(untransposed(rt, t.getPerm()));
    rewriter.replaceOp(op, transpose(rewriter, op->getLoc(),
                                     moved->getResult(0), t.getPerm()));
    return success();
  }
};

/// `v` (broadcastable to rank `rank`) as seen before T(., p): reshaped to
/// full rank, then transposed by the inverse permutation. Constants fold.
Value untransposeOperand(PatternRewriter &rewriter, Location loc, Value v,
                         int64_t rank, ArrayRef<int64_t> p) {
  auto t = cast<RankedTensorType>(v.getType());
  if (t.getRank() < rank) {
    SmallVector<int64_t> shape(rank - t.getRank(), 1);
    llvm::append_range(shape, t.getShape());
    v = rewriter.createOrFold<ReshapeOp>(loc, t.clone(shape), v);
  }
  return transpose(rewriter, loc, v, inverse(p));
}

/// op(T(x, p), y) -> T(op(x, T^-1(y)), p) for binary elementwise ops when
/// the other operand is a transpose by the same p (a residual branch), a
/// constant, or a value of lower rank (a broadcast bias).
struct SinkThroughBinary : RewritePattern {
  explicit SinkThroughBinary(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), 1, ctx) {}
  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (!isBinaryElementwise(op))
      return failure();
    auto rt = cast<RankedTensorType>(op->getResult(0).getType());
    for (unsigned i = 0; i < 2; ++i) {
      TransposeOp t = transposedOperand(op, i);
      if (!t)
        continue;
      Value other = op->getOperand(1 - i);
      auto ot = cast<RankedTensorType>(other.getType());
      auto otherT = other.getDefiningOp<TransposeOp>();
      bool samePerm = otherT && otherT.getPerm() == t.getPerm();
      if (!samePerm && !matchPattern(other, m_Constant()) &&
          ot.getRank() >= rt.getRank())
        continue;
      Location loc = op->getLoc();
      Value moved = samePerm ? otherT.getInput()
                             : untransposeOperand(rewriter, loc, other,
                                                  rt.getRank(), t.getPerm());
      Operation *clone = rewriter.clone(*op);
      clone->setOperand(i, t.getInput());
      clone->setOperand(1 - i, moved);
      clone->getResult(0).setType(untransposed(rt, t.getPerm()));
      rewriter.replaceOp(op, transpose(rewriter, loc, clone->getResult(0),
                                       t.getPerm()));
      return success();
    }
    return failure();
  }
};

/// pad(T(x, p)) -> T(pad(x, pads through p), p).
struct SinkThroughPad : OpRewritePattern<PadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PadOp op,
                                PatternRewriter &rewriter) const override {
    TransposeOp t = transposedOperand(op, 0);
    if (!t)
      return failure();
    ArrayRef<int64_t> p = t.getPerm(), pads = op.getPads();
    int64_t rank = int64_t(p.size());
    SmallVector<int64_t> moved(2 * rank);
    for (int64_t i = 0; i < rank; ++i) {
      moved[p[i]] = pads[i];
      moved[p[i] + rank] = pads[i + rank];
    }
    Value padded = PadOp::create(rewriter, op.getLoc(),
                                 untransposed(op.getType(), p), t.getInput(),
                                 rewriter.getDenseI64ArrayAttr(moved),
                                 op.getValueAttr());
    rewriter.replaceOp(op, transpose(rewriter, op.getLoc(), padded, p));
    return success();
  }
};

/// reduce(T(x, p), axes) -> reduce(x, p[axes]), then the remaining dims
/// put back in the order the original result had.
template <typename ReduceOp>
struct SinkThroughReduce : OpRewritePattern<ReduceOp> {
  using OpRewritePattern<ReduceOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(ReduceOp op,
                                PatternRewriter &rewriter) const override {
    auto t = op.getInput().template getDefiningOp<TransposeOp>();
    if (!t)
      return failure();
    ArrayRef<int64_t> p = t.getPerm();
    SmallVector<int64_t> axes;
    for (int64_t a : op.getAxes())
      axes.push_back(p[a]);
    llvm::sort(axes);
    Location loc = op.getLoc();
    auto xt = cast<RankedTensorType>(t.getInput().getType());
    bool keep = op.getKeepdims();
    SmallVector<int64_t> shape;
    for (int64_t d = 0; d < xt.getRank(); ++d)
      if (!llvm::is_contained(axes, d) || keep)
        shape.push_back(llvm::is_contained(axes, d) ? 1 : xt.getDimSize(d));
    Value reduced = ReduceOp::create(rewriter, loc, op.getType().clone(shape),
                                     t.getInput(),
                                     rewriter.getDenseI64ArrayAttr(axes),
                                     op.getKeepdimsAttr());
    SmallVector<int64_t> perm;
    if (keep) {
      perm.assign(p.begin(), p.end());
    } else {
      // The result's dims are the x dims p[i] (i not reduced), in i order;
      // `reduced` has them in increasing x order.
      SmallVector<int64_t> remaining;
      for (int64_t i = 0; i < int64_t(p.size()); ++i)
        if (!llvm::is_contained(op.getAxes(), i))
          remaining.push_back(p[i]);
      SmallVector<int64_t> sorted(remaining);
      llvm::sort(sorted);
      for (int64_t d : remaining)
        perm.push_back(llvm::find(sorted, d) - sorted.begin());
    }
    rewriter.replaceOp(op, transpose(rewriter, loc, reduced, perm));
    return success();
  }
};

/// concat(T(a, p), T(b, p), axis) -> T(concat(a, b, p[axis]), p).
struct SinkThroughConcat : OpRewritePattern<ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConcatOp op,
                                PatternRewriter &rewriter) const override {
    SmallVector<Value> inputs;
    ArrayRef<int64_t> p;
    for (Value v : op.getInputs()) {
      auto t = v.getDefiningOp<TransposeOp>();
      if (!t || (!p.empty() && t.getPerm() != p))
        return failure();
      p = t.getPerm();
      inputs.push_back(t.getInput());
    }
    if (p.empty())
      return failure();
    int64_t axis = p[op.getAxis()];
    Value joined = ConcatOp::create(rewriter, op.getLoc(),
                                    untransposed(op.getType(), p), inputs,
                                    rewriter.getI64IntegerAttr(axis));
    rewriter.replaceOp(op, transpose(rewriter, op.getLoc(), joined, p));
    return success();
  }
};

struct PropagateTransposesPass
    : impl::KilnPropagateTransposesBase<PropagateTransposesPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    patterns.add<ComposeTransposes, SinkThroughUnary, SinkThroughBinary,
                 SinkThroughPad, SinkThroughReduce<ReduceSumOp>,
                 SinkThroughReduce<ReduceMeanOp>,
                 SinkThroughReduce<ReduceMaxOp>, SinkThroughConcat>(ctx);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
} // namespace kiln
