//===- ConvertToLinalgPass.cpp - the kiln-convert-to-linalg pass ----------===//
//
// A partial conversion with the kiln dialect illegal: every kiln op must be
// rewritten by one of the populate*ToLinalg pattern sets, or the pass fails
// with the op (whose location names the model node) in the diagnostic.
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"
#include "codegen/linalg/KilnToLinalg.h"
#include "ir/KilnDialect.h"

#include "mlir/Transforms/DialectConversion.h"

namespace kiln {
#define GEN_PASS_DEF_KILNCONVERTTOLINALG
#include "codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

struct ConvertToLinalgPass
    : impl::KilnConvertToLinalgBase<ConvertToLinalgPass> {
  using Base::Base;
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<KilnDialect>();
    target.addLegalDialect<linalg::LinalgDialect, tensor::TensorDialect,
                           arith::ArithDialect, math::MathDialect,
                           scf::SCFDialect>();
    // Run-time dim checks call the runtime (LoweringUtils.h).
    target.addLegalOp<func::CallOp>();
    // Unsigned elements read as signless ones (CastLowering).
    target.addLegalOp<UnrealizedConversionCastOp>();
    RewritePatternSet patterns(ctx);
    populateElementwiseToLinalgPatterns(patterns);
    populateContractionToLinalgPatterns(patterns, batchedConvolutions);
    populateReduceToLinalgPatterns(patterns);
    populateShapeToTensorPatterns(patterns);
    populateRunTimeShapeToTensorPatterns(patterns);
    populateResizeToLinalgPatterns(patterns);
    populateLogicToLinalgPatterns(patterns);
    populateBitwiseToLinalgPatterns(patterns);
    populateIndexToLinalgPatterns(patterns);
    populateNhwcToLinalgPatterns(patterns);
    populateLoopToScfPatterns(patterns);
    populateSuppressionToScfPatterns(patterns);
    populateScatterToScfPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace kiln
