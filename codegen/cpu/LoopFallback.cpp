//===- LoopFallback.cpp - loop order for matmuls without register tiles ---===//

#include "codegen/cpu/LoopFallback.h"

using namespace mlir;

namespace kiln {

/// Rewrites a matmul / batch_matmul that gets no register tile into a
/// generic whose loops run (batch, m, k, n): the innermost loop then walks
/// rows of B and C contiguously, which LLVM vectorizes, instead of reducing
/// over k with strided loads.
void reorderForLoops(linalg::LinalgOp op) {
  OpBuilder b(op);
  MLIRContext *ctx = b.getContext();
  bool batched = isa<linalg::BatchMatmulOp>(op);
  unsigned n = batched ? 4 : 3, base = batched ? 1 : 0;
  auto d = [&](unsigned i) { return b.getAffineDimExpr(i); };
  SmallVector<AffineExpr> lead;
  if (batched)
    lead.push_back(d(0));
  auto with = [&](std::initializer_list<AffineExpr> tail) {
    SmallVector<AffineExpr> e(lead);
    e.append(tail);
    return AffineMap::get(n, 0, e, ctx);
  };
  // dims: [batch,] m, k, n
  SmallVector<AffineMap> maps = {with({d(base), d(base + 1)}),
                                 with({d(base + 1), d(base + 2)}),
                                 with({d(base), d(base + 2)})};
  using IT = utils::IteratorType;
  SmallVector<IT> iters(n, IT::parallel);
  iters[base + 1] = IT::reduction;
  auto generic = linalg::GenericOp::create(
      b, op.getLoc(), op->getResultTypes(), op.getDpsInputs(), op.getDpsInits(),
      maps, iters, [](OpBuilder &nb, Location nl, ValueRange a) {
        Value p = arith::MulFOp::create(nb, nl, a[0], a[1]);
        linalg::YieldOp::create(nb, nl,
                                Value(arith::AddFOp::create(nb, nl, a[2], p)));
      });
  op->replaceAllUsesWith(generic->getResults());
  op->erase();
}

} // namespace kiln
