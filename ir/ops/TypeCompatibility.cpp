//===- TypeCompatibility.cpp - when a written result type is acceptable ---===//
//
// Ops with inferred result types accept a written result type that is less
// static than the inferred one (same rank and element type, dims equal or
// dynamic): IR from frontends may not know every dim yet, and
// kiln-shape-inference refines such types afterwards.
//
//===----------------------------------------------------------------------===//

#include "ir/KilnDialect.h"

#include "mlir/IR/TypeUtilities.h"

using namespace mlir;

namespace kiln {

static bool compatible(TypeRange l, TypeRange r) {
  if (l.size() != r.size())
    return false;
  for (auto [a, b] : llvm::zip(l, r))
    if (getElementTypeOrSelf(a) != getElementTypeOrSelf(b) ||
        failed(verifyCompatibleShape(a, b)))
      return false;
  return true;
}

#define KILN_COMPATIBLE(OP)                                                    \
  bool OP::isCompatibleReturnTypes(TypeRange l, TypeRange r) {                 \
    return compatible(l, r);                                                   \
  }
KILN_COMPATIBLE(AddOp)
KILN_COMPATIBLE(SubOp)
KILN_COMPATIBLE(MulOp)
KILN_COMPATIBLE(DivOp)
KILN_COMPATIBLE(PowOp)
KILN_COMPATIBLE(MaxOp)
KILN_COMPATIBLE(MinOp)
KILN_COMPATIBLE(MatMulOp)
KILN_COMPATIBLE(ConvOp)
KILN_COMPATIBLE(MaxPoolOp)
KILN_COMPATIBLE(AvgPoolOp)
KILN_COMPATIBLE(ReduceSumOp)
KILN_COMPATIBLE(ReduceMeanOp)
KILN_COMPATIBLE(ReduceMaxOp)
KILN_COMPATIBLE(TransposeOp)
KILN_COMPATIBLE(ConcatOp)
KILN_COMPATIBLE(SliceOp)
KILN_COMPATIBLE(GatherOp)
KILN_COMPATIBLE(PadOp)
KILN_COMPATIBLE(DynamicSliceOp)
KILN_COMPATIBLE(RangeOp)
KILN_COMPATIBLE(ResizeOp)
KILN_COMPATIBLE(Atan2Op)
KILN_COMPATIBLE(FloorDivOp)
KILN_COMPATIBLE(FloorModOp)
KILN_COMPATIBLE(RemOp)
KILN_COMPATIBLE(BitAndOp)
KILN_COMPATIBLE(BitOrOp)
KILN_COMPATIBLE(BitXorOp)
KILN_COMPATIBLE(ShiftLeftOp)
KILN_COMPATIBLE(ShiftRightOp)
KILN_COMPATIBLE(ReduceMinOp)
KILN_COMPATIBLE(ReduceProdOp)
KILN_COMPATIBLE(EqualOp)
KILN_COMPATIBLE(NotEqualOp)
KILN_COMPATIBLE(LessOp)
KILN_COMPATIBLE(LessEqualOp)
KILN_COMPATIBLE(GreaterOp)
KILN_COMPATIBLE(GreaterEqualOp)
KILN_COMPATIBLE(AndOp)
KILN_COMPATIBLE(OrOp)
KILN_COMPATIBLE(XorOp)
KILN_COMPATIBLE(SelectOp)
KILN_COMPATIBLE(ArgMaxOp)
KILN_COMPATIBLE(ArgMinOp)
KILN_COMPATIBLE(GatherNdOp)
KILN_COMPATIBLE(TopKOp)
KILN_COMPATIBLE(NonZeroOp)
#undef KILN_COMPATIBLE

} // namespace kiln
