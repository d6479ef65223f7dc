//===- ControlFlowOps.cpp - kiln.while and kiln.yield ---------------------===//
//
// The verifier of kiln.while (KilnControlFlowOps.td).
//
//===----------------------------------------------------------------------===//

#include "ir/KilnDialect.h"

#include "mlir/IR/TypeUtilities.h"

using namespace mlir;

namespace kiln {

/// Same element type and rank, and no static dim that differs.
static bool compatible(Type a, Type b) {
  auto ta = cast<RankedTensorType>(a), tb = cast<RankedTensorType>(b);
  return ta.getElementType() == tb.getElementType() &&
         succeeded(verifyCompatibleShape(ta, tb));
}

LogicalResult WhileOp::verify() {
  TypeRange vars = getResultTypes();
  if (getInits().size() != vars.size())
    return emitOpError() << "has " << getInits().size()
                         << " initial values for " << vars.size()
                         << " loop variables";
  for (auto [i, pair] : llvm::enumerate(llvm::zip(getInits().getTypes(), vars)))
    if (!compatible(std::get<0>(pair), std::get<1>(pair)))
      return emitOpError() << "initial value " << i << " of type "
                           << std::get<0>(pair)
                           << " does not fit its loop variable's type "
                           << std::get<1>(pair);
  for (Region *region : {&getCond(), &getBody()}) {
    StringRef name = region == &getCond() ? "cond" : "body";
    Block &block = region->front();
    if (block.getArgumentTypes() != vars)
      return emitOpError() << "the " << name << " region takes "
                           << block.getArgumentTypes()
                           << ", not the loop variables' " << vars;
    auto yield = dyn_cast<YieldOp>(block.getTerminator());
    if (!yield)
      return emitOpError() << "the " << name << " region must end in kiln.yield";
  }
  auto condYield = cast<YieldOp>(getCond().front().getTerminator());
  auto bool0d = RankedTensorType::get({}, IntegerType::get(getContext(), 1));
  if (condYield.getValues().size() != 1 ||
      condYield.getValues()[0].getType() != bool0d)
    return emitOpError() << "the cond region must yield one tensor<i1>, not "
                         << condYield.getValues().getTypes();
  auto bodyYield = cast<YieldOp>(getBody().front().getTerminator());
  if (bodyYield.getValues().size() != vars.size())
    return emitOpError() << "the body yields " << bodyYield.getValues().size()
                         << " values for " << vars.size()
                         << " loop variables";
  for (auto [i, pair] :
       llvm::enumerate(llvm::zip(bodyYield.getValues().getTypes(), vars)))
    if (!compatible(std::get<0>(pair), std::get<1>(pair)))
      return emitOpError() << "the body yields " << std::get<0>(pair)
                           << " for loop variable " << i << " of type "
                           << std::get<1>(pair);
  return success();
}

} // namespace kiln
