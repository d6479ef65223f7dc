//===- ControlFlowOps.cpp - kiln.while and kiln.yield ---------------------===//
//
// The verifier of kiln.while (KilnControlFlowOps.td) and its
// canonicalization: a loop variable the body passes through unchanged is a
// loop invariant, read from above instead of carried.
//
//===----------------------------------------------------------------------===//

#include "ir/KilnDialect.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/BitVector.h"

using namespace mlir;

namespace kiln {

/// Same element type and rank, and no static dim that differs.
static bool compatible(Type a, Type b) {
  auto ta = cast<RankedTensorType>(a), tb = cast<RankedTensorType>(b);
  return ta.getElementType() == tb.getElementType() &&
         succeeded(verifyCompatibleShape(ta, tb));
}

LogicalResult WhileOp::verify() {
  TypeRange vars = getResultTypes();
  if (getInits().size() != vars.size())
    return emitOpError() << "has " << getInits().size()
                         << " initial values for " << vars.size()
                         << " loop variables";
  for (auto [i, pair] : llvm::enumerate(llvm::zip(getInits().getTypes(), vars)))
    if (!compatible(std::get<0>(pair), std::get<1>(pair)))
      return emitOpError() << "initial value " << i << " of type "
                           << std::get<0>(pair)
                           << " does not fit its loop variable's type "
                           << std::get<1>(pair);
  for (Region *region : {&getCond(), &getBody()}) {
    StringRef name = region == &getCond() ? "cond" : "body";
    Block &block = region->front();
    if (block.getArgumentTypes() != vars)
      return emitOpError() << "the " << name << " region takes "
                           << block.getArgumentTypes()
                           << ", not the loop variables' " << vars;
    auto yield = dyn_cast<YieldOp>(block.getTerminator());
    if (!yield)
      return emitOpError() << "the " << name << " region must end in kiln.yield";
  }
  auto condYield = cast<YieldOp>(getCond().front().getTerminator());
  auto bool0d = RankedTensorType::get({}, IntegerType::get(getContext(), 1));
  if (condYield.getValues().size() != 1 ||
      condYield.getValues()[0].getType() != bool0d)
    return emitOpError() << "the cond region must yield one tensor<i1>, not "
                         << condYield.getValues().getTypes();
  auto bodyYield = cast<YieldOp>(getBody().front().getTerminator());
  if (bodyYield.getValues().size() != vars.size())
    return emitOpError() << "the body yields " << bodyYield.getValues().size()
                         << " values for " << vars.size()
                         << " loop variables";
  for (auto [i, pair] :
       llvm::enumerate(llvm::zip(bodyYield.getValues().getTypes(), vars)))
    if (!compatible(std::get<0>(pair), std::get<1>(pair)))
      return emitOpError() << "the body yields " << std::get<0>(pair)
                           << " for loop variable " << i << " of type "
                           << std::get<1>(pair);
  return success();
}

namespace {

/// Loop variables whose body yields them unchanged (TF2's lowered While
/// carries every value its body reads from outside that way) become the
/// values they start as, and are dropped from the loop.
struct DropPassThroughVariables : OpRewritePattern<WhileOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(WhileOp op,
                                PatternRewriter &rewriter) const override {
    Block &cond = op.getCond().front(), &body = op.getBody().front();
    auto yield = cast<YieldOp>(body.getTerminator());
    unsigned n = op.getInits().size();
    llvm::BitVector drop(n);
    for (unsigned i = 0; i < n; ++i)
      drop[i] = yield.getValues()[i] == body.getArgument(i) &&
                op.getInits()[i].getType() == op.getResultTypes()[i];
    if (drop.none())
      return rewriter.notifyMatchFailure(op, "every variable changes");
    SmallVector<Value> inits, nextValues;
    SmallVector<Type> types;
    for (unsigned i = 0; i < n; ++i) {
      Value init = op.getInits()[i];
      if (drop[i]) {
        rewriter.replaceAllUsesWith(cond.getArgument(i), init);
        rewriter.replaceAllUsesWith(body.getArgument(i), init);
        continue;
      }
      inits.push_back(init);
      types.push_back(op.getResultTypes()[i]);
      nextValues.push_back(yield.getValues()[i]);
    }
    rewriter.setInsertionPoint(yield);
    YieldOp::create(rewriter, yield.getLoc(), nextValues);
    rewriter.eraseOp(yield);
    rewriter.modifyOpInPlace(op, [&] {
      cond.eraseArguments(drop);
      body.eraseArguments(drop);
    });
    rewriter.setInsertionPoint(op);
    auto loop = WhileOp::create(rewriter, op.getLoc(), types, inits);
    rewriter.inlineRegionBefore(op.getCond(), loop.getCond(),
                                loop.getCond().end());
    rewriter.inlineRegionBefore(op.getBody(), loop.getBody(),
                                loop.getBody().end());
    SmallVector<Value> results;
    for (unsigned i = 0, kept = 0; i < n; ++i)
      results.push_back(drop[i] ? op.getInits()[i] : loop.getResult(kept++));
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void WhileOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                          MLIRContext *context) {
  results.add<DropPassThroughVariables>(context);
}

} // namespace kiln
