//===- Pipeline.cpp - the stages every target shares ----------------------===//

#include "codegen/common/Pipeline.h"

#include "codegen/Passes.h"
#include "codegen/linalg/LoweringUtils.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace kiln {

void buildGraphPipeline(OpPassManager &pm, llvm::StringRef computeLayout) {
  OpPassManager &fpm = pm.nest<func::FuncOp>();
  fpm.addPass(createKilnPromoteNarrowTypes());
  fpm.addPass(createKilnDecompose());
  // The layout the target's kernels compute convolutions and pooling in.
  KilnConvertLayoutOptions layout;
  layout.data = computeLayout.str();
  layout.filter = computeLayout == "NHWC" ? "HWIO" : "OIHW";
  fpm.addPass(createKilnConvertLayout(layout));
  fpm.addPass(createKilnPropagateTransposes());
  fpm.addPass(createKilnFoldConstants());
  // Canonicalization drops the loop variables a kiln.while only passes
  // through; shape inference may then refine what read them.
  fpm.addPass(createCanonicalizerPass());
  fpm.addPass(createKilnShapeInference());
  fpm.addPass(createCSEPass());
}

/// Rewrites the run-time sizes of tensors (tensor.dim of op and loop
/// results) as arithmetic on the inputs' dims. Bufferization's analysis
/// compares slice offsets and sizes by walking back through their
/// definitions; through chains of ops and per-image loops that takes
/// minutes on a network with dynamic image sizes, and milliseconds after
/// this.
void buildDimResolution(OpPassManager &fpm) {
  memref::ResolveRankedShapeTypeResultDimsPassOptions options;
  options.errorOnPatternIterationLimit = false;
  fpm.addPass(memref::createResolveRankedShapeTypeResultDimsPass(options));
  fpm.addPass(createSCFForLoopCanonicalizationPass());
  fpm.addPass(createCanonicalizerPass());
  fpm.addPass(createCSEPass());
}

/// A while loop's body may yield a new buffer per iteration (a tensor that
/// grows), hence allow-return-allocs-from-loops; the deallocation pipeline
/// frees them.
static const char *kBufferizePipeline =
    "eliminate-empty-tensors,"
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map "
    "allow-return-allocs-from-loops},"
    "buffer-results-to-out-params{hoist-static-allocs=true "
    "modify-public-functions=true},"
    "buffer-deallocation-pipeline,"
    "convert-bufferization-to-memref,"
    "cse,canonicalize";

void buildBufferization(OpPassManager &pm) {
  if (failed(parsePassPipeline(kBufferizePipeline, pm)))
    llvm::report_fatal_error(
        "Kiln's built-in bufferization pipeline does not parse");
}

void buildLinalgPipeline(OpPassManager &pm, bool batchedConvolutions) {
  OpPassManager &fpm = pm.nest<func::FuncOp>();
  KilnConvertToLinalgOptions toLinalg;
  toLinalg.batchedConvolutions = batchedConvolutions;
  fpm.addPass(createKilnConvertToLinalg(toLinalg));
  fpm.addPass(createCanonicalizerPass());
  // Chains of elementwise generics (bias, normalization, activation,
  // residual add) become one pass over memory.
  fpm.addPass(createKilnFuseElementwise());
  fpm.addPass(createCanonicalizerPass());
  fpm.addPass(createCSEPass());
  buildDimResolution(fpm);
}

LogicalResult prepareEntryPoint(ModuleOp module, StringRef symbol,
                                bool hostIndexChecks) {
  auto func = module.lookupSymbol<func::FuncOp>("main");
  if (!func)
    return module.emitError() << "module has no @main function";
  func.setSymName(symbol);
  func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                UnitAttr::get(module.getContext()));
  // Names were read into the library signature; LLVM has no use for them.
  for (StringRef attr : {"kiln.name", "kiln.dim_names", "kiln.dim_ranges"}) {
    auto name = StringAttr::get(module.getContext(), attr);
    for (unsigned i = 0; i < func.getNumResults(); ++i)
      func.removeResultAttr(i, name);
    for (unsigned i = 0; i < func.getNumArguments(); ++i)
      func.removeArgAttr(i, name);
  }
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    func.setArgAttr(i, bufferization::BufferizationDialect::kWritableAttrName,
                    BoolAttr::get(module.getContext(), false));
  // The runtime functions that run-time dim checks call (LoweringUtils.h).
  SmallVector<StringRef> checks = {kDimsDisagreeSymbol, kDimTooSmallSymbol};
  if (hostIndexChecks)
    checks.push_back(kIndexOutOfRangeSymbol);
  for (StringRef symbol : checks) {
    if (module.lookupSymbol(symbol))
      continue;
    OpBuilder b(module.getBodyRegion());
    Type i64 = b.getI64Type();
    auto decl = func::FuncOp::create(b, module.getLoc(), symbol,
                                     b.getFunctionType({i64, i64}, {}));
    decl.setPrivate();
  }
  return success();
}

} // namespace kiln
