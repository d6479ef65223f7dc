//===- Pipeline.cpp - the CPU compilation pipeline ------------------------===//
//
// Kiln's own passes plus upstream MLIR's bufferization and LLVM lowering,
// in the order measured in ../shared/notes/cpu-codegen.md (cse before
// canonicalize after bufferization; full unrolling in vector-to-scf).
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Pipeline.h"

#include "codegen/Passes.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace kiln {

/// Upstream passes, as a textual pipeline so that each step reads like the
/// mlir-opt flags one would use to reproduce it. The register-tile loops
/// (scf.forall) become OpenMP worksharing loops, served at run time by the
/// runtime's thread pool (runtime/omp_shim.c). memref lowering precedes
/// scf-to-cf because the OpenMP regions hold memref.alloca_scope ops, which
/// must still have a single block when they are lowered.
static const char *kLoweringPipeline =
    "func.func(fold-memref-alias-ops),"
    "func.func(convert-linalg-to-loops),"
    "func.func(convert-vector-to-scf{full-unroll=true}),"
    "scf-forall-to-parallel,convert-scf-to-openmp,"
    "lower-affine,expand-strided-metadata,lower-affine,"
    "finalize-memref-to-llvm{use-generic-functions=true},"
    "convert-scf-to-cf,convert-vector-to-llvm,"
    "convert-math-to-funcs,convert-math-to-llvm,convert-math-to-libm,"
    "convert-arith-to-llvm,"
    "convert-cf-to-llvm,convert-func-to-llvm,convert-openmp-to-llvm,"
    "convert-ub-to-llvm,reconcile-unrealized-casts";

int64_t cpuTileColumns(const std::vector<std::string> &features) {
  // 6 rows x 64 columns are 24 AVX-512 accumulators of 32 registers; with
  // AVX2's 16 registers of 8 floats the same tile spilled (ResNet-18 ran
  // 4x slower than with 6 x 16: 12 accumulators, 2 panel loads and a
  // broadcast).
  return llvm::is_contained(features, "avx512f") ? 64 : 16;
}

void buildCpuLoweringPipeline(OpPassManager &pm,
                              const CpuPipelineOptions &options) {
  // Convolutions become im2col + matmul, then the matmuls get register
  // tiles; canonicalization folds the constant filter's reshapes first.
  pm.nest<func::FuncOp>().addPass(createKilnCpuConvToMatmul());
  pm.nest<func::FuncOp>().addPass(createCanonicalizerPass());
  // Windows become pointwise generics that take in their epilogues.
  pm.nest<func::FuncOp>().addPass(createKilnCpuUnrollWindows());
  pm.nest<func::FuncOp>().addPass(createKilnFuseElementwise());
  if (options.tileContractions) {
    KilnCpuTileContractionsOptions tile;
    tile.tileCols = options.tileCols;
    pm.addPass(createKilnCpuTileContractions(tile));
  }
  if (options.parallelizeLoops)
    pm.addPass(createKilnCpuParallelizeLoops());
  pm.nest<func::FuncOp>().addPass(createKilnCpuApproximateMath());
  pm.nest<func::FuncOp>().addPass(createKilnCpuDecomposePads());
  buildDimResolution(pm.nest<func::FuncOp>());
  pm.nest<func::FuncOp>().addPass(createKilnCpuUnshareFills());
  buildBufferization(pm);
  // Reshaped buffers become casts, so that fold-memref-alias-ops leaves
  // loads through them linear (see the pass).
  pm.nest<func::FuncOp>().addPass(createKilnReshapesToCasts());
  // 1-D weights: their LLVM IR is one flat array each (see the pass).
  pm.addPass(createKilnFlattenConstantGlobals());
  // Repeated layers share one copy of their kernel (see the pass).
  pm.addPass(createKilnShareKernels());
  if (failed(parsePassPipeline(kLoweringPipeline, pm)))
    llvm::report_fatal_error("Kiln's built-in lowering pipeline does not parse");
}

LogicalResult runPipeline(ModuleOp module, Stage last,
                          const CpuPipelineOptions &options) {
  PassManager pm(module.getContext());
  if (options.timing)
    pm.enableTiming();
  buildGraphPipeline(pm, options.computeLayout);
  if (last >= Stage::Linalg)
    buildLinalgPipeline(pm);
  if (last >= Stage::LLVMDialect)
    buildCpuLoweringPipeline(pm, options);
  return pm.run(module);
}

} // namespace kiln
