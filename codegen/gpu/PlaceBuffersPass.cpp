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

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

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

  /// Declares the runtime function `name` in `fn`'s module.
  static void declareRuntime(func::FuncOp fn, StringRef name,
                             FunctionType type) {
    auto module = fn->getParentOfType<ModuleOp>();
    if (module.lookupSymbol<func::FuncOp>(name))
      return;
    OpBuilder mb(module.getBodyRegion());
    mb.setInsertionPointToStart(module.getBody());
    func::FuncOp::create(mb, fn.getLoc(), name, type).setPrivate();
  }

  /// `kiln_rt_tensors_on_device() != 0`, declaring the runtime function.
  static Value callOnDevice(OpBuilder &b, Location loc, func::FuncOp fn) {
    constexpr llvm::StringLiteral name = "kiln_rt_tensors_on_device";
    declareRuntime(fn, name, b.getFunctionType({}, {b.getI32Type()}));
    Value flag = func::CallOp::create(b, loc, name, TypeRange{b.getI32Type()},
                                      ValueRange{})
                     .getResult(0);
    Value zero = arith::ConstantIntOp::create(b, loc, 0, 32);
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, flag, zero);
  }

  /// The device copy of a constant global (static shape, identity layout):
  /// kiln_rt_cuda_constant(host address, bytes) gives its address, made
  /// once per library, which becomes a memref descriptor here (memref has
  /// no op that views a raw pointer; the LLVM lowering folds the cast).
  static Value deviceConstant(OpBuilder &b, Location loc, func::FuncOp fn,
                              Value global) {
    constexpr llvm::StringLiteral name = "kiln_rt_cuda_constant";
    MLIRContext *ctx = b.getContext();
    Type i64 = b.getI64Type();
    declareRuntime(fn, name, b.getFunctionType({i64, i64}, {i64}));
    auto type = cast<MemRefType>(global.getType());
    Value address =
        memref::ExtractAlignedPointerAsIndexOp::create(b, loc, global);
    Value host = arith::IndexCastOp::create(b, loc, i64, address);
    Type et = type.getElementType();
    int64_t elementBytes =
        et.isIndex() ? 8 : (int64_t(et.getIntOrFloatBitWidth()) + 7) / 8;
    Value bytes = arith::ConstantIntOp::create(
        b, loc, type.getNumElements() * elementBytes, 64);
    Value device = func::CallOp::create(b, loc, name, TypeRange{i64},
                                        ValueRange{host, bytes})
                       .getResult(0);
    auto ptrType = LLVM::LLVMPointerType::get(ctx);
    Value ptr = LLVM::IntToPtrOp::create(b, loc, ptrType, device);
    SmallVector<Type> fields = {ptrType, ptrType, i64};
    int64_t rank = type.getRank();
    if (rank > 0) {
      auto dims = LLVM::LLVMArrayType::get(i64, rank);
      fields.append({dims, dims});
    }
    auto descriptorType = LLVM::LLVMStructType::getLiteral(ctx, fields);
    auto constant = [&](int64_t v) -> Value {
      return LLVM::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(v));
    };
    Value d = LLVM::PoisonOp::create(b, loc, descriptorType);
    d = LLVM::InsertValueOp::create(b, loc, d, ptr, ArrayRef<int64_t>{0});
    d = LLVM::InsertValueOp::create(b, loc, d, ptr, ArrayRef<int64_t>{1});
    d = LLVM::InsertValueOp::create(b, loc, d, constant(0),
                                    ArrayRef<int64_t>{2});
    auto [strides, offset] = type.getStridesAndOffset();
    for (int64_t i = 0; i < rank; ++i) {
      d = LLVM::InsertValueOp::create(b, loc, d, constant(type.getDimSize(i)),
                                      ArrayRef<int64_t>{3, i});
      d = LLVM::InsertValueOp::create(b, loc, d, constant(strides[i]),
                                      ArrayRef<int64_t>{4, i});
    }
    return UnrealizedConversionCastOp::create(b, loc, TypeRange{type},
                                              ValueRange{d})
        .getResult(0);
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
        device = deviceConstant(b, loc, fn, host);
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
      mirror(g.getResult(), /*copyIn=*/false, /*argument=*/false);
    }
    for (func::ReturnOp r : returns) {
      OpBuilder rb(r);
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
