//===- ShapeInference.cpp - the kiln-shape-inference pass -----------------===//
//
// Walks ops in order and replaces each result type by its inferred type when
// the inferred one is compatible and more static; the function signature is
// updated to match its return.
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
      for (auto [result, type] : llvm::zip(op->getResults(), inferred))
        if (result.getType() != type)
          result.setType(type);
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
