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

  /// `kiln_rt_tensors_on_device() != 0`, declaring the runtime function.
  static Value callOnDevice(OpBuilder &b, Location loc, func::FuncOp fn) {
    constexpr llvm::StringLiteral name = "kiln_rt_tensors_on_device";
    auto module = fn->getParentOfType<ModuleOp>();
    auto type = b.getFunctionType({}, {b.getI32Type()});
    if (!module.lookupSymbol<func::FuncOp>(name)) {
      OpBuilder mb(module.getBodyRegion());
      mb.setInsertionPointToStart(module.getBody());
      func::FuncOp::create(mb, loc, name, type).setPrivate();
    }
    Value flag = func::CallOp::create(b, loc, name, TypeRange{b.getI32Type()},
                                      ValueRange{})
                     .getResult(0);
    Value zero = arith::ConstantIntOp::create(b, loc, 0, 32);
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, flag, zero);
  }

  static void copy(OpBuilder &b, Location loc, Value to, Value from) {
    gpu::MemcpyOp::create(b, loc, TypeRange{}, ValueRange{}, to, from);
  }

  void runOnOperation() override {
    auto fn = getOperation().lookupSymbol<func::FuncOp>(entry);
    if (!fn || fn.isExternal())
      return;
    // The mirrors are plain dense buffers: an argument with another layout
    // (not made by Kiln's bufferization) has no device twin of its type.
    for (BlockArgument arg : fn.getArguments())
      if (auto type = dyn_cast<MemRefType>(arg.getType());
          type && (!type.getLayout().isIdentity() || type.getMemorySpace())) {
        fn.emitError() << "the GPU entry's argument #" << arg.getArgNumber()
                       << " is not a dense host buffer: " << type;
        return signalPassFailure();
      }
    Location loc = fn.getLoc();
    Block &body = fn.getBody().front();
    OpBuilder b(&body, body.begin());
    SmallVector<func::ReturnOp> returns;
    fn.walk([&](func::ReturnOp r) { returns.push_back(r); });
    // Device copies of the arguments and of constant globals, freed (and,
    // for outputs, copied back) before every return.
    // Whether the caller passes device pointers (kiln_options.
    // tensors_on_device): then arguments are used in place.
    Value onDevice = callOnDevice(b, loc, fn);
    // Device copies: {host value, device value, copy only when not on
    // device (arguments) or always (constants)}.
    struct Mirror {
      Value host, device;
      bool argument;
    };
    SmallVector<Mirror> mirrored;
    auto mirror = [&](Value host, bool copyIn, bool argument) {
      Operation *scope = nullptr;
      Value device;
      if (argument) {
        // scf.if (on device) { host } else { device copy }
        auto branch = scf::IfOp::create(
            b, loc, onDevice,
            [&](OpBuilder &tb, Location tl) {
              scf::YieldOp::create(tb, tl, host);
            },
            [&](OpBuilder &eb, Location el) {
              Value d = deviceLike(eb, el, host);
              if (copyIn)
                copy(eb, el, d, host);
              scf::YieldOp::create(eb, el, d);
            });
        scope = branch;
        device = branch.getResult(0);
      } else {
        device = deviceLike(b, loc, host);
        if (copyIn)
          copy(b, loc, device, host);
      }
      // Every use but the copy and size reads just made before the
      // insertion point.
      Operation *firstOriginal = &*b.getInsertionPoint();
      host.replaceUsesWithIf(device, [&](OpOperand &use) {
        Operation *user = use.getOwner();
        if (scope && scope->isAncestor(user))
          return false;
        return user->getBlock() != &body || user == firstOriginal ||
               firstOriginal->isBeforeInBlock(user);
      });
      mirrored.push_back({host, device, argument});
    };
    int64_t argIndex = 0;
    for (BlockArgument arg : body.getArguments()) {
      if (isa<MemRefType>(arg.getType()))
        mirror(arg, /*copyIn=*/argIndex < numInputs, /*argument=*/true);
      ++argIndex;
    }
    SmallVector<memref::GetGlobalOp> globals;
    fn.walk([&](memref::GetGlobalOp g) { globals.push_back(g); });
    for (memref::GetGlobalOp g : globals) {
      // Up to the start (it may sit in a loop), before its device copy.
      if (&*b.getInsertionPoint() != g.getOperation())
        g->moveBefore(&body, b.getInsertionPoint());
      b.setInsertionPointAfter(g);
      mirror(g.getResult(), /*copyIn=*/true, /*argument=*/false);
    }
    for (func::ReturnOp r : returns) {
      OpBuilder rb(r);
      for (const Mirror &m : mirrored)
        if (!m.argument)
          gpu::DeallocOp::create(rb, loc, Type(), ValueRange{}, m.device);
      // Arguments' copies exist only when the tensors are host memory.
      scf::IfOp::create(
          rb, loc, onDevice, [&](OpBuilder &tb, Location tl) {
            scf::YieldOp::create(tb, tl);
          },
          [&](OpBuilder &eb, Location el) {
            for (const Mirror &m : mirrored) {
              auto arg = dyn_cast<BlockArgument>(m.host);
              if (m.argument && arg.getArgNumber() >= numInputs)
                copy(eb, el, m.host, m.device);
            }
            for (const Mirror &m : mirrored)
              if (m.argument)
                gpu::DeallocOp::create(eb, el, Type(), ValueRange{}, m.device);
            scf::YieldOp::create(eb, el);
          });
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
