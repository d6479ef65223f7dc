//===- Pipeline.cpp - the CUDA compilation pipeline -----------------------===//
//
// Kiln's two GPU passes between upstream MLIR's bufferization, parallel
// loop to GPU conversion, kernel outlining, NVVM lowering and
// gpu-module-to-binary, in the order of upstream's gpu-lower-to-nvvm
// pipeline. Host-side gpu ops are made asynchronous on one stream
// (gpu-async-region): gpu-to-llvm lowers only that form.
//
//===----------------------------------------------------------------------===//

#include "codegen/gpu/Pipeline.h"

#include "codegen/Passes.h"
#include "codegen/common/Pipeline.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

#include <cstdlib>

using namespace mlir;

namespace kiln {

bool isKnownCudaArch(llvm::StringRef chip) {
  static const llvm::StringSet<> known = {
      "sm_70", "sm_72", "sm_75", "sm_80", "sm_86", "sm_87", "sm_89",
      "sm_90", "sm_90a", "sm_100", "sm_100a", "sm_120", "sm_120a"};
  return known.contains(chip);
}

std::string findCudaToolkit() {
  SmallVector<std::string> candidates;
  for (const char *var : {"CUDA_HOME", "CUDA_PATH", "CUDA_ROOT"})
    if (const char *v = std::getenv(var); v && *v)
      candidates.push_back(v);
  if (auto ptxas = llvm::sys::findProgramByName("ptxas"))
    candidates.push_back(llvm::sys::path::parent_path(
                             llvm::sys::path::parent_path(*ptxas))
                             .str());
  candidates.push_back("/usr/local/cuda");
  for (const std::string &dir : candidates)
    if (llvm::sys::fs::exists(dir + "/nvvm/libdevice/libdevice.10.bc"))
      return dir;
  return "";
}

std::string defaultGpuBinaryFormat(const std::string &toolkit) {
  auto found = [&](llvm::StringRef tool) {
    return !toolkit.empty() &&
           llvm::sys::fs::can_execute(toolkit + "/bin/" + tool.str());
  };
  return found("ptxas") && found("fatbinary") ? "fatbin" : "isa";
}

static void addPipeline(OpPassManager &pm, const std::string &text) {
  if (failed(parsePassPipeline(text, pm)))
    llvm::report_fatal_error(
        llvm::Twine("Kiln's built-in GPU pipeline does not parse: ") + text);
}

void buildGpuLoweringPipeline(OpPassManager &pm,
                              const GpuPipelineOptions &options,
                              GpuStage last) {
  buildDimResolution(pm.nest<func::FuncOp>());
  buildBufferization(pm);
  KilnGpuTileContractionsOptions tile;
  tile.entry = options.entry;
  tile.precision = options.precision;
  pm.nest<func::FuncOp>().addPass(createKilnGpuTileContractions(tile));
  KilnGpuMapToThreadsOptions map;
  map.entry = options.entry;
  pm.nest<func::FuncOp>().addPass(createKilnGpuMapToThreads(map));
  // Other functions (a shape function) are host code: plain loops.
  addPipeline(pm, "func.func(convert-parallel-loops-to-gpu)");
  // Constants and index computations move into the kernels (a division by
  // a constant is then a multiply, not a 64-bit division by an argument).
  addPipeline(pm, "func.func(convert-linalg-to-loops,"
                  "gpu-launch-sink-index-computations),gpu-kernel-outlining");
  pm.addPass(createKilnGpuMergeKernelModules());
  pm.addPass(createKilnGpuWorkgroupBuffers());
  KilnGpuPlaceBuffersOptions place;
  place.entry = options.entry;
  place.numInputs = options.numInputs;
  pm.addPass(createKilnGpuPlaceBuffers(place));
  // Works around expand-strided-metadata's crash on expand_shape groups
  // with several dynamic dims (see the pass). Collapses stay: the kernels
  // are outlined by now, and the host only passes the buffers on.
  KilnReshapesToCastsOptions reshapes;
  reshapes.collapseShapes = false;
  pm.nest<func::FuncOp>().addPass(createKilnReshapesToCasts(reshapes));
  addPipeline(pm, "func.func(gpu-async-region),canonicalize,cse");
  if (last == GpuStage::Gpu)
    return;
  addPipeline(pm, "lower-affine,convert-scf-to-cf,"
                  "nvvm-attach-target{chip=" + options.chip + " O=3},"
                  "gpu.module(convert-gpu-to-nvvm),canonicalize,cse");
  if (last == GpuStage::Nvvm)
    return;
  addPipeline(pm, "expand-strided-metadata,lower-affine,"
                  "finalize-memref-to-llvm,convert-math-to-llvm,"
                  "convert-arith-to-llvm,convert-index-to-llvm,"
                  "convert-cf-to-llvm,convert-func-to-llvm,gpu-to-llvm,"
                  "reconcile-unrealized-casts,"
                  "gpu-module-to-binary{format=" + options.format +
                  (options.toolkit.empty() ? std::string()
                                           : " toolkit=" + options.toolkit) +
                  "}");
}

LogicalResult checkKernelsLinked(ModuleOp module) {
  bool ok = true;
  module.walk([&](gpu::BinaryOp binary) {
    for (Attribute a : binary.getObjects()) {
      auto object = dyn_cast<gpu::ObjectAttr>(a);
      if (!object || object.getFormat() != gpu::CompilationTarget::Assembly)
        continue;
      // An unresolved math function of CUDA's libdevice would only fail
      // when the driver loads the library.
      llvm::StringRef ptx = object.getObject().getValue();
      size_t at = ptx.find(".extern .func");
      if (at == llvm::StringRef::npos)
        continue;
      size_t name = ptx.find("__nv_", at);
      binary.emitError()
          << "the kernels call CUDA's libdevice ("
          << ptx.substr(name, ptx.find_first_of("( \n", name) - name)
          << ") and no CUDA toolkit with nvvm/libdevice was found: set "
             "CUDA_HOME to the toolkit's folder";
      ok = false;
    }
  });
  return success(ok);
}

FailureOr<std::string> collectPtx(ModuleOp module) {
  std::string ptx;
  bool ok = true;
  module.walk([&](gpu::BinaryOp binary) {
    for (Attribute a : binary.getObjects()) {
      auto object = dyn_cast<gpu::ObjectAttr>(a);
      if (!object || object.getFormat() != gpu::CompilationTarget::Assembly) {
        binary.emitError() << "internal error: a kernel module holds no PTX";
        ok = false;
        continue;
      }
      ptx += object.getObject().getValue();
    }
  });
  if (!ok)
    return failure();
  return ptx;
}

} // namespace kiln
