//===- ParallelizeLoopsPass.cpp - the kiln-cpu-parallelize-loops pass -----===//
//
// Chunks large linalg ops (elementwise chains, im2col copies, depthwise
// convolutions, pooling, reductions, transposes) into scf.forall loops with
// upstream's scf::tileUsingSCF; see Passes.td. Matmuls are parallelized by
// kiln-cpu-tile-contractions, and ops already inside a parallel loop are left
// alone, so regions never nest. Ops in a sequential loop (a dynamic batch's
// per-entry convolution) are split like any other.
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"

#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"


namespace kiln {
#define GEN_PASS_DEF_KILNCPUPARALLELIZELOOPS
#include "codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

struct ParallelizeLoopsPass
    : impl::KilnCpuParallelizeLoopsBase<ParallelizeLoopsPass> {
  using Base::Base;

  /// How one op is split: tile sizes, or thread counts per dim
  /// (scf::tileUsingSCF's numThreads, for dynamic dims whose extent is
  /// known only at run time).
  struct Chunking {
    SmallVector<int64_t> values;
    bool numThreads = false;
    /// The dynamic dim split one entry per iteration, if any.
    std::optional<size_t> perEntry;
  };

  /// Wraps `op` in `scf.if (entries >= 2)` whose else branch keeps a copy
  /// of it whole; returns the copy in the then branch, the one to split.
  /// Parallel regions start every worker before the trip count is known,
  /// so a batch of 1 would pay a hand-off per op for nothing.
  linalg::LinalgOp guardByEntries(linalg::LinalgOp op, const Chunking &c) {
    OpBuilder b(op);
    Location loc = op.getLoc();
    SmallVector<Range> ranges = op.createLoopRanges(b, loc);
    Value entries =
        getValueOrCreateConstantIndexOp(b, loc, ranges[*c.perEntry].size);
    Value two = arith::ConstantIndexOp::create(b, loc, 2);
    Value many = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge,
                                       entries, two);
    auto branch = scf::IfOp::create(b, loc, op->getResultTypes(), many,
                                    /*withElseRegion=*/true);
    b.setInsertionPointToStart(branch.thenBlock());
    Operation *split = b.clone(*op);
    scf::YieldOp::create(b, loc, split->getResults());
    b.setInsertionPointToStart(branch.elseBlock());
    Operation *whole = b.clone(*op);
    scf::YieldOp::create(b, loc, whole->getResults());
    op->replaceAllUsesWith(branch.getResults());
    op->erase();
    return cast<linalg::LinalgOp>(split);
  }

  /// Splits `op` into about `chunks` pieces: along a static parallel dim
  /// when the static dims alone make a large op; otherwise, when it has two
  /// dynamic parallel dims (a batch and a sequence) and rows of at least 64
  /// points, into sqrt(chunks) x sqrt(chunks) pieces of them, so batch 1
  /// with a long sequence splits too; or, with one dynamic dim and a
  /// quarter of min-elements static points, into one piece per entry of it.
  /// Empty when the op stays whole.
  Chunking chunking(linalg::LinalgOp op) {
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    auto iters = op.getIteratorTypesArray();
    int64_t points = 1;
    SmallVector<size_t> dynamicDims;
    for (size_t d = 0; d < ranges.size(); ++d) {
      if (!ShapedType::isDynamic(ranges[d]))
        points *= ranges[d];
      else if (iters[d] == utils::IteratorType::parallel)
        dynamicDims.push_back(d);
    }
    Chunking c;
    c.values.assign(ranges.size(), 0);
    if (points >= minElements) {
      for (size_t d = 0; d < ranges.size(); ++d)
        if (iters[d] == utils::IteratorType::parallel &&
            !ShapedType::isDynamic(ranges[d]) && ranges[d] >= 2) {
          // Prefer a size dividing the extent: every chunk then keeps
          // static shapes, which the vectorizer likes better than a ragged
          // last one.
          int64_t e = ranges[d];
          int64_t least = std::max<int64_t>(1, (e + chunks - 1) / chunks);
          int64_t t = least;
          while (e % t != 0)
            ++t;
          c.values[d] = e / t >= 2 ? t : least;
          return c;
        }
    }
    // Batch x sequence activations are large at any useful shape; an op
    // with one dynamic dim (a batch) is split only when one batch entry is
    // a fair part of a large op, so batch 1 pays little for the split.
    constexpr int64_t kMinDynamicRow = 64;
    if (dynamicDims.empty() || points < kMinDynamicRow ||
        (dynamicDims.size() == 1 && points < minElements / 4))
      return {};
    if (dynamicDims.size() == 1) {
      // One batch entry per iteration: each chunk keeps the static shapes
      // a library compiled for that batch would have (the thread pool hands
      // each worker a range of iterations, so many do not cost hand-offs).
      c.values[dynamicDims[0]] = 1;
      c.perEntry = dynamicDims[0];
      return c;
    }
    c.numThreads = true;
    int64_t first = 1;
    while ((first + 1) * (first + 1) <= chunks)
      ++first;
    c.values[dynamicDims[0]] = first;
    c.values[dynamicDims[1]] = std::max<int64_t>(1, chunks / first);
    return c;
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<linalg::LinalgOp> candidates;
    module.walk([&](linalg::LinalgOp op) {
      if (!isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op) &&
          !op->getParentOfType<scf::ForallOp>() && op.hasPureTensorSemantics())
        candidates.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : candidates) {
      Chunking c = chunking(op);
      if (c.values.empty())
        continue;
      if (c.perEntry)
        op = guardByEntries(op, c);
      // Upstream's tiling into an scf.forall, as the transform dialect's
      // tile_using_forall does it.
      scf::SCFTilingOptions options;
      options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
      SmallVector<OpFoldResult> values =
          getAsIndexOpFoldResult(&getContext(), c.values);
      if (c.numThreads)
        options.setNumThreads(values);
      else
        options.setTileSizes(values);
      rewriter.setInsertionPoint(op);
      auto tiled = scf::tileUsingSCF(
          rewriter, cast<TilingInterface>(op.getOperation()), options);
      if (failed(tiled)) {
        op.emitError() << "internal error: this op cannot be split for threads";
        return signalPassFailure();
      }
      rewriter.replaceOp(op, tiled->replacements);
    }
  }
};

} // namespace
} // namespace kiln
