//===- MergeKernelModulesPass.cpp - the kiln-gpu-merge-kernel-modules pass ===//
//
// Gathers the outlined kernels into the first gpu.module; see Passes.td.
// Outlining names every kernel after the host function, so a moved kernel
// takes its old module's name, a unique symbol of the host module.
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"

namespace kiln {
#define GEN_PASS_DEF_KILNGPUMERGEKERNELMODULES
#include "codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

struct MergeKernelModulesPass
    : impl::KilnGpuMergeKernelModulesBase<MergeKernelModulesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> kernels(module.getOps<gpu::GPUModuleOp>());
    if (kernels.size() < 2)
      return;
    gpu::GPUModuleOp into = kernels.front();
    Block &body = into.getBodyRegion().front();
    // The kernel each launch calls, as (module, kernel) -> new kernel name.
    llvm::StringMap<StringAttr> renamed;
    for (gpu::GPUModuleOp from : llvm::drop_begin(kernels)) {
      for (Operation &op : llvm::make_early_inc_range(
               from.getBodyRegion().front().without_terminator())) {
        auto kernel = dyn_cast<gpu::GPUFuncOp>(op);
        if (!kernel || !kernel.isKernel()) {
          op.emitError() << "internal error: a kernel module holds more "
                            "than its kernel";
          return signalPassFailure();
        }
        std::string key = (from.getName() + "::" + kernel.getName()).str();
        kernel.setName(from.getName());
        renamed[key] = from.getSymNameAttr();
        op.moveBefore(&body, body.end());
      }
      from.erase();
    }
    StringAttr target = into.getSymNameAttr();
    module.walk([&](gpu::LaunchFuncOp launch) {
      std::string key =
          (launch.getKernelModuleName().getValue() + "::" +
           launch.getKernelName().getValue())
              .str();
      auto it = renamed.find(key);
      if (it == renamed.end())
        return;
      launch.setKernelAttr(SymbolRefAttr::get(
          target, {FlatSymbolRefAttr::get(it->second)}));
    });
  }
};

} // namespace
} // namespace kiln
