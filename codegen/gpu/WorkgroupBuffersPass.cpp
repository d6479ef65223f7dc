//===- WorkgroupBuffersPass.cpp - the kiln-gpu-workgroup-buffers pass -----===//
//
// Stack buffers in workgroup (shared) memory inside a kernel become its
// workgroup attributions, which the NVVM lowering turns into 16-byte
// aligned shared-memory arrays. See Passes.td.
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace kiln {
#define GEN_PASS_DEF_KILNGPUWORKGROUPBUFFERS
#include "codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

bool inWorkgroupMemory(MemRefType type) {
  auto space = dyn_cast_or_null<gpu::AddressSpaceAttr>(type.getMemorySpace());
  return space && space.getValue() == gpu::AddressSpace::Workgroup;
}

struct WorkgroupBuffersPass
    : impl::KilnGpuWorkgroupBuffersBase<WorkgroupBuffersPass> {
  void runOnOperation() override {
    bool ok = true;
    SmallVector<memref::AllocaOp> allocas;
    getOperation().walk([&](memref::AllocaOp alloca) {
      if (inWorkgroupMemory(alloca.getType()))
        allocas.push_back(alloca);
    });
    auto align = IntegerAttr::get(IntegerType::get(&getContext(), 64), 16);
    for (memref::AllocaOp alloca : allocas) {
      auto kernel = alloca->getParentOfType<gpu::GPUFuncOp>();
      if (!kernel || !alloca.getType().hasStaticShape()) {
        alloca.emitError() << "a workgroup buffer must have a static shape "
                              "and be inside a kernel";
        ok = false;
        continue;
      }
      BlockArgument buffer =
          kernel.addWorkgroupAttribution(alloca.getType(), alloca.getLoc());
      // Vector reads of four floats need the array 16-byte aligned.
      kernel.setWorkgroupAttributionAttr(
          kernel.getNumWorkgroupAttributions() - 1,
          LLVM::LLVMDialect::getAlignAttrName(), align);
      alloca.replaceAllUsesWith(buffer);
      alloca.erase();
    }
    if (!ok)
      signalPassFailure();
  }
};

} // namespace
} // namespace kiln
