//===- FuseElementwisePass.cpp - the kiln-fuse-elementwise pass -----------===//
//
// Upstream's elementwise fusion patterns under a control function that only
// admits plain elementwise producers (see Passes.td for why).
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_KILNFUSEELEMENTWISE
#include "codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// An all-parallel generic reading and writing through permutation or
/// broadcast maps: a pointwise computation.
bool isPointwise(Operation *op) {
  auto generic = dyn_cast_or_null<linalg::GenericOp>(op);
  if (!generic || generic.getNumReductionLoops() != 0)
    return false;
  return llvm::all_of(generic.getIndexingMapsArray(), [](AffineMap m) {
    return m.isProjectedPermutation(/*allowZeroInResults=*/true);
  });
}

/// Ops in a generic's body.
size_t bodySize(Operation *op) {
  return cast<linalg::GenericOp>(op).getBody()->getOperations().size();
}

/// A producer with several uses is copied into each consumer it fuses
/// into; in a graph that reuses values at every level (a mirrored
/// coordinate feeding several selects, each feeding several more) the
/// copies grow exponentially. Multi-use producers fuse only while both
/// bodies stay small, and only when every use is pointwise, so that the
/// producer goes away: when a matmul or a reduction reads it anyway, the
/// consumer reads its one materialized result instead of recomputing it
/// from all of its inputs. (A transformer's residual stream fused that
/// way: each layer norm recomputed the previous three or four, reading
/// some twenty buffers, and no two layers' kernels were alike.)
constexpr size_t kMaxSharedProducerOps = 16, kMaxFusedOps = 96;

struct FuseElementwisePass
    : impl::KilnFuseElementwiseBase<FuseElementwisePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    linalg::populateElementwiseOpsFusionPatterns(
        patterns, [](OpOperand *operand) {
          Operation *producer = operand->get().getDefiningOp();
          Operation *consumer = operand->getOwner();
          if (!isPointwise(producer) || !isPointwise(consumer))
            return false;
          if (producer->hasOneUse())
            return true;
          if (!llvm::all_of(producer->getUsers(), isPointwise))
            return false;
          return bodySize(producer) <= kMaxSharedProducerOps &&
                 bodySize(producer) + bodySize(consumer) <= kMaxFusedOps;
        });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace kiln
