//===- ParallelizeLoopsPass.cpp - the kiln-cpu-parallelize-loops pass -----===//
//
// Chunks large linalg ops (elementwise chains, im2col copies, depthwise
// convolutions, pooling, reductions, transposes) into scf.forall loops; see
// Passes.td. Matmuls are parallelized by kiln-cpu-tile-contractions, and
// ops already inside a loop are left alone, so regions never nest.
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"

#include "mlir/Dialect/Transform/IR/TransformOps.h"
#include "mlir/Dialect/Transform/Transforms/TransformInterpreterUtils.h"
#include "mlir/Parser/Parser.h"

#include <sstream>

namespace kiln {
#define GEN_PASS_DEF_KILNCPUPARALLELIZELOOPS
#include "codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

constexpr llvm::StringLiteral kChunkIdAttr = "kiln.chunk_id";

struct ParallelizeLoopsPass
    : impl::KilnCpuParallelizeLoopsBase<ParallelizeLoopsPass> {
  using Base::Base;

  /// Tile sizes splitting `op` into about `chunks` pieces along a static
  /// dim (a dynamic dim such as the batch stays whole), or empty.
  SmallVector<int64_t> chunkSizes(linalg::LinalgOp op) {
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    int64_t points = 1;
    for (int64_t r : ranges)
      if (!ShapedType::isDynamic(r))
        points *= r;
    if (points < minElements)
      return {};
    auto iters = op.getIteratorTypesArray();
    SmallVector<int64_t> sizes(ranges.size(), 0);
    for (size_t d = 0; d < ranges.size(); ++d)
      if (iters[d] == utils::IteratorType::parallel &&
          !ShapedType::isDynamic(ranges[d]) && ranges[d] >= 2) {
        // Prefer a size dividing the extent: every chunk then keeps static
        // shapes, which the vectorizer likes better than a ragged last one.
        int64_t e = ranges[d], least = std::max<int64_t>(1, (e + chunks - 1) / chunks);
        int64_t t = least;
        while (e % t != 0)
          ++t;
        sizes[d] = e / t >= 2 ? t : least;
        return sizes;
      }
    return {};
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::ostringstream s;
    s << "module attributes {transform.with_named_sequence} {\n"
         "transform.named_sequence @__transform_main(%root: !transform.any_op "
         "{transform.readonly}) {\n";
    int64_t id = 0;
    module.walk([&](linalg::LinalgOp op) {
      if (isa<linalg::MatmulOp, linalg::BatchMatmulOp>(op) ||
          op->getParentOfType<scf::ForallOp>() ||
          op->getParentOfType<scf::ForOp>() || !op.hasPureTensorSemantics())
        return;
      SmallVector<int64_t> sizes = chunkSizes(op);
      if (sizes.empty())
        return;
      op->setAttr(kChunkIdAttr, IntegerAttr::get(IntegerType::get(op->getContext(), 64), id));
      s << "%m" << id << " = transform.structured.match attributes{"
        << kChunkIdAttr.str() << " = " << id << " : i64} in %root "
        << ": (!transform.any_op) -> !transform.any_op\n"
        << "%t" << id << ", %f" << id
        << " = transform.structured.tile_using_forall %m" << id
        << " tile_sizes [";
      for (size_t i = 0; i < sizes.size(); ++i)
        s << (i ? ", " : "") << sizes[i];
      s << "] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)\n";
      ++id;
    });
    if (id == 0)
      return;
    s << "transform.yield\n}\n}\n";
    OwningOpRef<ModuleOp> schedule =
        parseSourceString<ModuleOp>(s.str(), ParserConfig(&getContext()));
    Operation *entry = nullptr;
    if (schedule)
      schedule->walk([&](transform::NamedSequenceOp seq) { entry = seq; });
    if (!entry) {
      module.emitError() << "internal error: the loop schedule does not parse";
      return signalPassFailure();
    }
    if (failed(transform::applyTransformNamedSequence(
            module, entry, *schedule, transform::TransformOptions())))
      return signalPassFailure();
    module.walk([](Operation *op) { op->removeAttr(kChunkIdAttr); });
  }
};

} // namespace
} // namespace kiln
