//===- UnrollWindowsPass.cpp - the kiln-cpu-unroll-windows pass -----------===//
//
// Rewrites reductions over a few statically sized dims (a depthwise
// convolution's or a pool's window) into all-parallel generics whose body
// holds every tap; see Passes.td for why.
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

namespace kiln {
#define GEN_PASS_DEF_KILNCPUUNROLLWINDOWS
#include "codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// At most this many taps: a 7x7 window (49) unrolls, a 9x9 one does not.
constexpr int64_t kMaxTaps = 64;
/// And at most this many ops in the unrolled body.
constexpr int64_t kMaxBodyOps = 640;

/// The reduction dims of `op` and their static extents when it qualifies:
/// one output, every reduction dim static, at least one parallel dim, a
/// small product of reduction extents, and a body free of ops with regions.
static bool qualifies(linalg::GenericOp op, SmallVectorImpl<unsigned> &red,
                      SmallVectorImpl<int64_t> &extents) {
  if (op.getNumDpsInits() != 1 || op.getNumReductionLoops() == 0 ||
      op.getNumParallelLoops() == 0 || !op.hasPureTensorSemantics())
    return false;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t taps = 1;
  for (auto [d, it] : llvm::enumerate(op.getIteratorTypesArray())) {
    if (it != utils::IteratorType::reduction)
      continue;
    if (ShapedType::isDynamic(ranges[d]))
      return false;
    red.push_back(d);
    extents.push_back(ranges[d]);
    taps *= ranges[d];
  }
  int64_t bodyOps = int64_t(op.getBody()->getOperations().size());
  if (taps > kMaxTaps || taps * bodyOps > kMaxBodyOps)
    return false;
  for (Operation &inner : op.getBody()->without_terminator())
    if (inner.getNumRegions() != 0)
      return false;
  return true;
}

/// The pad that `input` is, when the window can read its source instead:
/// static pads of a constant value, none along the innermost dim (so the
/// bounds checks depend on outer loops only and the reads along the
/// innermost dim stay contiguous: NHWC's channels).
static tensor::PadOp readablePad(Value input) {
  auto pad = input.getDefiningOp<tensor::PadOp>();
  if (!pad || !pad.getConstantPaddingValue() ||
      !pad.getSourceType().hasStaticShape() ||
      llvm::any_of(pad.getStaticLow(), ShapedType::isDynamic) ||
      llvm::any_of(pad.getStaticHigh(), ShapedType::isDynamic) ||
      pad.getStaticLow().back() != 0 || pad.getStaticHigh().back() != 0)
    return nullptr;
  return pad;
}

/// The element of `input` at `at`. A readable pad (`pad`, else null) is
/// not materialized: the tap reads its source at the index clamped into
/// bounds and selects the padding value where the index falls outside, so
/// the padded copy of the image (a pass over memory before every such
/// window) is not needed.
static Value readTap(OpBuilder &b, Location l, Value input, tensor::PadOp pad,
                     ArrayRef<Value> at) {
  if (!pad)
    return tensor::ExtractOp::create(b, l, input, at);
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, l, v);
  };
  ArrayRef<int64_t> low = pad.getStaticLow(), high = pad.getStaticHigh();
  ArrayRef<int64_t> dims = pad.getSourceType().getShape();
  SmallVector<Value> clamped;
  Value inside;
  for (auto [i, idx] : llvm::enumerate(at)) {
    if (low[i] == 0 && high[i] == 0) {
      clamped.push_back(idx);
      continue;
    }
    Value s = b.createOrFold<arith::SubIOp>(l, idx, index(low[i]));
    Value ok = b.createOrFold<arith::AndIOp>(
        l,
        b.createOrFold<arith::CmpIOp>(l, arith::CmpIPredicate::sge, s,
                                      index(0)),
        b.createOrFold<arith::CmpIOp>(l, arith::CmpIPredicate::slt, s,
                                      index(dims[i])));
    inside = inside ? b.createOrFold<arith::AndIOp>(l, inside, ok) : ok;
    clamped.push_back(b.createOrFold<arith::MaxSIOp>(
        l, b.createOrFold<arith::MinSIOp>(l, s, index(dims[i] - 1)),
        index(0)));
  }
  Value x = tensor::ExtractOp::create(b, l, pad.getSource(), clamped);
  if (!inside)
    return x;
  return b.createOrFold<arith::SelectOp>(l, inside, x,
                                         pad.getConstantPaddingValue());
}

/// Replaces `op` by the all-parallel generic whose body applies the old
/// body once per tap, in the loops' order (so sums round as before).
static void unrollWindow(RewriterBase &rewriter, linalg::GenericOp op,
                         ArrayRef<unsigned> red, ArrayRef<int64_t> extents) {
  MLIRContext *ctx = op.getContext();
  Location loc = op.getLoc();
  unsigned numLoops = op.getNumLoops();

  // Old loop dim -> new dim (parallel ones) or -1 (reduced).
  SmallVector<int> newDim(numLoops, -1);
  unsigned numNew = 0;
  for (unsigned d = 0; d < numLoops; ++d)
    if (!llvm::is_contained(red, d))
      newDim[d] = int(numNew++);

  // Inputs read without the reduced dims stay operands (maps over the
  // new dims); the others are read per tap inside the body.
  SmallVector<Value> keptInputs;
  SmallVector<AffineMap> keptMaps;
  SmallVector<int> keptIndex(op.getNumDpsInputs(), -1);
  auto usesReduced = [&](AffineMap m) {
    return llvm::any_of(red, [&](unsigned d) { return m.isFunctionOfDim(d); });
  };
  auto toNewDims = [&](AffineMap m) {
    SmallVector<AffineExpr> repl;
    for (unsigned d = 0; d < numLoops; ++d)
      repl.push_back(newDim[d] >= 0 ? getAffineDimExpr(newDim[d], ctx)
                                    : getAffineConstantExpr(0, ctx));
    return m.replaceDimsAndSymbols(repl, {}, numNew, 0);
  };
  // Inputs read per tap whose pad the taps read through (readablePad).
  SmallVector<tensor::PadOp> padOf(op.getNumDpsInputs());
  for (OpOperand *in : op.getDpsInputOperands()) {
    AffineMap m = op.getMatchingIndexingMap(in);
    if (usesReduced(m)) {
      padOf[in->getOperandNumber()] = readablePad(in->get());
      continue;
    }
    keptIndex[in->getOperandNumber()] = int(keptInputs.size());
    keptInputs.push_back(in->get());
    keptMaps.push_back(toNewDims(m));
  }

  // A fill of the output becomes the accumulator's first value, so the
  // result needs no filled buffer (and fuses as a plain pointwise op).
  OpOperand *init = op.getDpsInitOperand(0);
  Value dest = init->get();
  Value fillValue;
  auto fill = dest.getDefiningOp<linalg::FillOp>();
  if (fill) {
    fillValue = fill.getInputs()[0];
    dest = fill.getOutputs()[0];
  }
  AffineMap outMap = toNewDims(op.getMatchingIndexingMap(init));
  keptMaps.push_back(outMap);

  SmallVector<utils::IteratorType> iters(numNew, utils::IteratorType::parallel);
  Block *oldBody = op.getBody();
  auto unrolled = linalg::GenericOp::create(
      rewriter, loc, op.getResultTypes(), keptInputs, ValueRange{dest},
      keptMaps, iters, [&](OpBuilder &b, Location l, ValueRange args) {
        // Parallel dims' indices, for the reads of the reduced inputs.
        SmallVector<OpFoldResult> index(numLoops);
        for (unsigned d = 0; d < numLoops; ++d)
          if (newDim[d] >= 0)
            index[d] = linalg::IndexOp::create(b, l, newDim[d]).getResult();
        Value acc = fillValue ? fillValue : args.back();
        SmallVector<int64_t> tap(red.size(), 0);
        while (true) {
          IRMapping map;
          for (unsigned d = 0; d < red.size(); ++d)
            index[red[d]] = b.getIndexAttr(tap[d]);
          for (OpOperand *in : op.getDpsInputOperands()) {
            unsigned n = in->getOperandNumber();
            BlockArgument arg = oldBody->getArgument(n);
            if (keptIndex[n] >= 0) {
              map.map(arg, args[keptIndex[n]]);
              continue;
            }
            if (arg.use_empty())
              continue;
            // The tap's element: each index expression at this tap.
            AffineMap m = op.getMatchingIndexingMap(in);
            SmallVector<Value> at;
            for (AffineExpr e : m.getResults())
              at.push_back(getValueOrCreateConstantIndexOp(
                  b, l,
                  affine::makeComposedFoldedAffineApply(
                      b, l, AffineMap::get(numLoops, 0, e), index)));
            map.map(arg, readTap(b, l, in->get(), padOf[n], at));
          }
          map.map(oldBody->getArgument(op.getNumDpsInputs()), acc);
          for (Operation &inner : oldBody->without_terminator()) {
            if (auto idx = dyn_cast<linalg::IndexOp>(inner)) {
              map.map(idx.getResult(), getValueOrCreateConstantIndexOp(
                                           b, l, index[idx.getDim()]));
              continue;
            }
            b.clone(inner, map);
          }
          acc = map.lookup(oldBody->getTerminator()->getOperand(0));
          // Next tap, the last reduced dim fastest (the loops' order).
          int d = int(red.size()) - 1;
          for (; d >= 0; --d) {
            if (++tap[d] < extents[d])
              break;
            tap[d] = 0;
          }
          if (d < 0)
            break;
        }
        linalg::YieldOp::create(b, l, acc);
      });
  llvm::SetVector<Operation *> pads;
  for (tensor::PadOp pad : padOf)
    if (pad)
      pads.insert(pad);
  rewriter.replaceOp(op, unrolled.getResults());
  if (fill && fill->use_empty())
    rewriter.eraseOp(fill);
  for (Operation *pad : pads)
    if (pad->use_empty())
      rewriter.eraseOp(pad);
}

struct UnrollWindowsPass : impl::KilnCpuUnrollWindowsBase<UnrollWindowsPass> {
  void runOnOperation() override {
    // One walk, no greedy driver: the rewritten ops never qualify again.
    IRRewriter rewriter(&getContext());
    // linalg's named depthwise convolutions and pools (the NHWC lowering's)
    // become generics first.
    SmallVector<linalg::LinalgOp> named;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (isa<linalg::DepthwiseConv2DNhwcHwcmOp, linalg::PoolingNhwcMaxOp,
              linalg::PoolingNhwcSumOp>(op.getOperation()))
        named.push_back(op);
    });
    for (linalg::LinalgOp op : named) {
      rewriter.setInsertionPoint(op);
      (void)linalg::generalizeNamedOp(rewriter, op);
    }
    SmallVector<linalg::GenericOp> ops;
    getOperation().walk([&](linalg::GenericOp op) { ops.push_back(op); });
    for (linalg::GenericOp op : ops) {
      SmallVector<unsigned> red;
      SmallVector<int64_t> extents;
      if (!qualifies(op, red, extents))
        continue;
      rewriter.setInsertionPoint(op);
      unrollWindow(rewriter, op, red, extents);
    }
  }
};

} // namespace
} // namespace kiln
