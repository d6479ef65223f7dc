//===- UnshareFillsPass.cpp - the kiln-cpu-unshare-fills pass -------------===//
//
// Clones a fill of an empty tensor for each of its uses but the first (see
// Passes.td for why).
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"

namespace kiln {
#define GEN_PASS_DEF_KILNCPUUNSHAREFILLS
#include "codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// The uses of `op`'s result but the first in program order, each with the point where a
/// clone of `op` for it goes: before the user, or before the op holding it
/// in `op`'s block (so a user inside a loop does not get a clone per trip).
SmallVector<std::pair<OpOperand *, Operation *>> extraUses(Operation *op) {
  SmallVector<std::pair<OpOperand *, Operation *>> uses;
  for (OpOperand &use : op->getResult(0).getUses())
    uses.push_back(
        {&use, op->getBlock()->findAncestorOpInBlock(*use.getOwner())});
  // The first user in program order keeps `op`.
  llvm::stable_sort(uses, [](const auto &x, const auto &y) {
    return x.second != y.second && x.second->isBeforeInBlock(y.second);
  });
  if (!uses.empty())
    uses.erase(uses.begin());
  return uses;
}

struct UnshareFillsPass : impl::KilnCpuUnshareFillsBase<UnshareFillsPass> {
  void runOnOperation() override {
    SmallVector<linalg::FillOp> fills;
    getOperation().walk([&](linalg::FillOp fill) {
      if (fill.hasPureTensorSemantics() &&
          fill.getDpsInits()[0].getDefiningOp<tensor::EmptyOp>())
        fills.push_back(fill);
    });
    for (linalg::FillOp fill : fills) {
      auto empty = fill.getDpsInits()[0].getDefiningOp<tensor::EmptyOp>();
      for (auto [use, at] : extraUses(fill)) {
        OpBuilder b(at);
        IRMapping map;
        map.map(empty.getResult(), b.clone(*empty)->getResult(0));
        use->set(b.clone(*fill, map)->getResult(0));
      }
    }
    // An empty tensor shared by several destinations (CSE merges them) is
    // split too: bufferization may otherwise copy one op's result out of
    // the way of the next (a whole im2col buffer per convolution).
    SmallVector<tensor::EmptyOp> empties;
    getOperation().walk([&](tensor::EmptyOp e) { empties.push_back(e); });
    for (tensor::EmptyOp e : empties)
      for (auto [use, at] : extraUses(e)) {
        OpBuilder b(at);
        use->set(b.clone(*e)->getResult(0));
      }
  }
};

} // namespace
} // namespace kiln
