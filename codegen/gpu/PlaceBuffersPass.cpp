//===- PlaceBuffersPass.cpp - the kiln-gpu-place-buffers pass -------------===//
//
// Puts every buffer the kernels of a GPU entry function touch in device
// memory; see Passes.td. The caller's tensors stay host memory (the ABI's
// default): inputs and constant weights are copied to the device when the
// function starts, outputs back before it returns.
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"
#include "codegen/gpu/HostBuffers.h"

namespace kiln {
#define GEN_PASS_DEF_KILNGPUPLACEBUFFERS
#include "codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

struct PlaceBuffersPass : impl::KilnGpuPlaceBuffersBase<PlaceBuffersPass> {
  using Base::Base;

  /// A device buffer shaped like `host` (its dynamic dims read from it).
  static Value deviceLike(OpBuilder &b, Location loc, Value host) {
    auto type = cast<MemRefType>(host.getType());
    SmallVector<Value> sizes;
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (type.isDynamicDim(d))
        sizes.push_back(memref::DimOp::create(b, loc, host, d));
    auto deviceType = MemRefType::get(type.getShape(), type.getElementType());
    return gpu::AllocOp::create(b, loc, deviceType, Type(), ValueRange{},
                                sizes, ValueRange{}, false)
        .getResult(0);
  }

  static void copy(OpBuilder &b, Location loc, Value to, Value from) {
    gpu::MemcpyOp::create(b, loc, TypeRange{}, ValueRange{}, to, from);
  }

  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    if (fn.getSymName() != entry || fn.isExternal())
      return;
    Location loc = fn.getLoc();
    Block &body = fn.getBody().front();
    OpBuilder b(&body, body.begin());
    SmallVector<func::ReturnOp> returns;
    fn.walk([&](func::ReturnOp r) { returns.push_back(r); });
    // Device copies of the arguments and of constant globals, freed (and,
    // for outputs, copied back) before every return.
    SmallVector<std::pair<Value, Value>> mirrored; // host, device
    auto mirror = [&](Value host, bool copyIn) {
      Value device = deviceLike(b, loc, host);
      if (copyIn)
        copy(b, loc, device, host);
      // Every use but the copy and size reads just made before the
      // insertion point.
      Operation *firstOriginal = &*b.getInsertionPoint();
      host.replaceUsesWithIf(device, [&](OpOperand &use) {
        Operation *user = use.getOwner();
        return user->getBlock() != &body || user == firstOriginal ||
               firstOriginal->isBeforeInBlock(user);
      });
      mirrored.push_back({host, device});
    };
    int64_t argIndex = 0;
    for (BlockArgument arg : body.getArguments()) {
      if (isa<MemRefType>(arg.getType()))
        mirror(arg, /*copyIn=*/argIndex < numInputs);
      ++argIndex;
    }
    SmallVector<memref::GetGlobalOp> globals;
    fn.walk([&](memref::GetGlobalOp g) { globals.push_back(g); });
    for (memref::GetGlobalOp g : globals) {
      // Up to the start (it may sit in a loop), before its device copy.
      if (&*b.getInsertionPoint() != g.getOperation())
        g->moveBefore(&body, b.getInsertionPoint());
      b.setInsertionPointAfter(g);
      mirror(g.getResult(), /*copyIn=*/true);
    }
    for (func::ReturnOp r : returns) {
      OpBuilder rb(r);
      for (auto [host, device] : mirrored) {
        auto arg = dyn_cast<BlockArgument>(host);
        if (arg && arg.getOwner() == &body && arg.getArgNumber() >= numInputs)
          copy(rb, loc, host, device);
      }
      for (auto [host, device] : mirrored)
        gpu::DeallocOp::create(rb, loc, Type(), ValueRange{}, device);
    }
    // The function's own buffers.
    SmallVector<Operation *> allocs;
    fn.walk([&](Operation *op) {
      if (isa<memref::AllocOp, memref::AllocaOp>(op) &&
          !op->hasAttr(kHostBufferAttr))
        allocs.push_back(op);
      if (auto dealloc = dyn_cast<memref::DeallocOp>(op))
        if (!isHostBuffer(dealloc.getMemref()))
          allocs.push_back(op);
    });
    for (Operation *op : allocs) {
      OpBuilder ob(op);
      if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
        gpu::DeallocOp::create(ob, op->getLoc(), Type(), ValueRange{},
                               dealloc.getMemref());
        op->erase();
        continue;
      }
      auto type = cast<MemRefType>(op->getResult(0).getType());
      Value device = gpu::AllocOp::create(ob, op->getLoc(), type, Type(),
                                          ValueRange{}, op->getOperands(),
                                          ValueRange{}, false)
                         .getResult(0);
      op->getResult(0).replaceAllUsesWith(device);
      // A stack buffer dies with its block; a device one must be freed.
      if (isa<memref::AllocaOp>(op)) {
        OpBuilder end(op->getBlock()->getTerminator());
        gpu::DeallocOp::create(end, op->getLoc(), Type(), ValueRange{}, device);
      }
      op->erase();
    }
  }
};

} // namespace
} // namespace kiln
