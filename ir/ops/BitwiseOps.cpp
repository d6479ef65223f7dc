//===- BitwiseOps.cpp - bitwise logic, shifts and bitcast -----------------===//
//
// Type inference and verifiers of the ops declared in KilnBitwiseOps.td.
//
//===----------------------------------------------------------------------===//

#include "ir/KilnDialect.h"
#include "ir/ops/OpUtils.h"

using namespace mlir;

namespace kiln {

#define KILN_BITWISE_INFER(OP)                                                 \
  LogicalResult OP::inferReturnTypes(MLIRContext *, std::optional<Location> l, \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &inferred) {        \
    return inferBroadcastType(                                                 \
        l, adaptor.getLhs(), adaptor.getRhs(),                                 \
        cast<RankedTensorType>(adaptor.getLhs().getType()).getElementType(),   \
        inferred);                                                             \
  }
KILN_BITWISE_INFER(BitAndOp)
KILN_BITWISE_INFER(BitOrOp)
KILN_BITWISE_INFER(BitXorOp)
KILN_BITWISE_INFER(ShiftLeftOp)
KILN_BITWISE_INFER(ShiftRightOp)
#undef KILN_BITWISE_INFER

LogicalResult BitcastOp::verify() {
  auto in = cast<RankedTensorType>(getInput().getType());
  auto out = cast<RankedTensorType>(getType());
  if (in.getShape() != out.getShape())
    return emitOpError() << "changes the shape";
  if (in.getElementTypeBitWidth() != out.getElementTypeBitWidth())
    return emitOpError() << "element types of different widths: "
                         << in.getElementType() << " and "
                         << out.getElementType();
  return success();
}

} // namespace kiln
