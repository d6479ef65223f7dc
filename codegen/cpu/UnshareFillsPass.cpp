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

/// Whether `v` is built only from empty tensors, fills and insert_slices
/// of such values: a destination whose contents are known constants (a
/// zero-filled tensor, a padded tensor's filled border). Cloning one is a
/// fresh buffer and some memsets.
bool isInitChain(Value v) {
  Operation *def = v.getDefiningOp();
  if (isa_and_nonnull<tensor::EmptyOp>(def))
    return true;
  if (auto fill = dyn_cast_or_null<linalg::FillOp>(def))
    return fill.hasPureTensorSemantics() && isInitChain(fill.getDpsInits()[0]);
  if (auto insert = dyn_cast_or_null<tensor::InsertSliceOp>(def))
    return isInitChain(insert.getSource()) && isInitChain(insert.getDest());
  return false;
}

/// A copy of the ops computing `v` (an init chain) at `b`.
Value cloneChain(OpBuilder &b, Value v) {
  Operation *def = v.getDefiningOp();
  IRMapping map;
  if (auto fill = dyn_cast<linalg::FillOp>(def))
    map.map(fill.getDpsInits()[0], cloneChain(b, fill.getDpsInits()[0]));
  if (auto insert = dyn_cast<tensor::InsertSliceOp>(def)) {
    map.map(insert.getSource(), cloneChain(b, insert.getSource()));
    map.map(insert.getDest(), cloneChain(b, insert.getDest()));
  }
  return b.clone(*def, map)->getResult(0);
}

struct UnshareFillsPass : impl::KilnCpuUnshareFillsBase<UnshareFillsPass> {
  void runOnOperation() override {
    SmallVector<Operation *> shared;
    getOperation().walk([&](Operation *op) {
      if (isa<tensor::EmptyOp, linalg::FillOp, tensor::InsertSliceOp>(op) &&
          op->getNumResults() == 1 && !op->getResult(0).hasOneUse() &&
          isInitChain(op->getResult(0)))
        shared.push_back(op);
    });
    for (Operation *op : shared)
      for (auto [use, at] : extraUses(op)) {
        OpBuilder b(at);
        use->set(cloneChain(b, op->getResult(0)));
      }
  }
};

} // namespace
} // namespace kiln
