//===- PromoteNarrowTypes.cpp - the kiln-promote-narrow-types pass --------===//
//
// Kiln computes on bfloat16, the 8- and 4-bit floats and the 4- and 2-bit
// integers by widening them: every op other than a cast or a constant that
// reads or yields such a tensor is rewritten to read and yield float32 (or
// int8/uint8), with casts at its edges. What is left for codegen is storing
// these types and converting them, which kiln.cast's lowering does in
// integer arithmetic on any target. ONNX Runtime computes bfloat16 ops in
// float32 the same way; a chain of such ops rounds once per op, as the
// frameworks do.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

namespace kiln {
#define GEN_PASS_DEF_KILNPROMOTENARROWTYPES
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// The type `et` is computed in, or null when it is computed as it is.
Type widerType(Type et) {
  if (auto ft = dyn_cast<FloatType>(et))
    return ft.getWidth() < 16 || ft.isBF16() ? Float32Type::get(et.getContext())
                                             : Type();
  if (auto it = dyn_cast<IntegerType>(et))
    if (it.getWidth() > 1 && it.getWidth() < 8)
      return IntegerType::get(et.getContext(), 8, it.getSignedness());
  return {};
}

/// The tensor type `t` is computed in, or null.
Type widerTensor(Type t) {
  auto rt = dyn_cast<RankedTensorType>(t);
  if (!rt)
    return {};
  Type wide = widerType(rt.getElementType());
  return wide ? rt.clone(wide) : Type();
}

void promote(Operation *op) {
  OpBuilder b(op);
  for (OpOperand &operand : op->getOpOperands())
    if (Type wide = widerTensor(operand.get().getType()))
      operand.set(CastOp::create(b, op->getLoc(), wide, operand.get()));
  b.setInsertionPointAfter(op);
  for (OpResult r : op->getResults()) {
    Type narrow = r.getType(), wide = widerTensor(narrow);
    if (!wide)
      continue;
    r.setType(wide);
    auto back = CastOp::create(b, op->getLoc(), narrow, r);
    r.replaceAllUsesExcept(back, back);
  }
}

struct PromoteNarrowTypesPass
    : impl::KilnPromoteNarrowTypesBase<PromoteNarrowTypesPass> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      // Casts convert, constants only hold values; region ops and
      // terminators must keep the types their regions agree on.
      if (!isa<KilnDialect>(op->getDialect()) || isa<CastOp, ConstantOp>(op) ||
          op->getNumRegions() || op->hasTrait<OpTrait::IsTerminator>())
        return;
      auto narrow = [](Value v) { return bool(widerTensor(v.getType())); };
      if (llvm::any_of(op->getOperands(), narrow) ||
          llvm::any_of(op->getResults(), narrow))
        ops.push_back(op);
    });
    for (Operation *op : ops)
      promote(op);
  }
};

} // namespace
} // namespace kiln
