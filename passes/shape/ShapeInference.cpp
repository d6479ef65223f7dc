//===- ShapeInference.cpp - the kiln-shape-inference pass -----------------===//
//
// Walks ops in order and refines each result type with its inferred type:
// a `?` dim becomes static where inference knows it, and a dim that is
// already static is never made dynamic again (a static dim that contradicts
// inference is an error). The function's result types follow its return.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

namespace kiln {
#define GEN_PASS_DEF_KILNSHAPEINFERENCE
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// `current` with each `?` dim replaced by `inferred`'s where that is static;
/// failure when a static dim of `current` contradicts `inferred`.
FailureOr<Type> refine(Type current, Type inferred) {
  auto cur = dyn_cast<RankedTensorType>(current);
  auto inf = dyn_cast<RankedTensorType>(inferred);
  if (!cur || !inf || cur.getRank() != inf.getRank())
    return inferred;
  SmallVector<int64_t> dims(cur.getShape());
  for (auto [d, i] : llvm::zip(dims, inf.getShape())) {
    if (ShapedType::isDynamic(d))
      d = i;
    else if (!ShapedType::isDynamic(i) && d != i)
      return failure();
  }
  return Type(RankedTensorType::get(dims, inf.getElementType()));
}

struct ShapeInferencePass
    : impl::KilnShapeInferenceBase<ShapeInferencePass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    bool failedAny = false;
    func.walk([&](InferTypeOpInterface op) {
      SmallVector<Type> inferred;
      if (failed(op.inferReturnTypes(op->getContext(), op->getLoc(),
                                     op->getOperands(),
                                     op->getRawDictionaryAttrs(),
                                     op->getPropertiesStorage(),
                                     op->getRegions(), inferred))) {
        failedAny = true;
        return;
      }
      for (auto [result, type] : llvm::zip(op->getResults(), inferred)) {
        FailureOr<Type> refined = refine(result.getType(), type);
        if (failed(refined)) {
          op->emitOpError() << "result type " << result.getType()
                            << " contradicts the inferred type " << type;
          failedAny = true;
          return;
        }
        if (result.getType() != *refined)
          result.setType(*refined);
      }
    });
    if (failedAny)
      return signalPassFailure();
    auto ret = cast<func::ReturnOp>(func.getBody().back().getTerminator());
    func.setFunctionType(FunctionType::get(&getContext(),
                                           func.getArgumentTypes(),
                                           ret.getOperandTypes()));
  }
};

} // namespace
} // namespace kiln
