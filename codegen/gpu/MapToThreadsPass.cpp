//===- MapToThreadsPass.cpp - the kiln-gpu-map-to-threads pass ------------===//
//
// linalg on buffers -> scf.parallel loops carrying GPU block/thread mapping
// attributes; upstream's convert-parallel-loops-to-gpu then makes each
// outermost loop a gpu.launch. See Passes.td.
//
// Each linalg op's parallel dims become one loop collapsed to one dim, cut
// into blocks of `block-size` threads: one output element per thread, its
// reduction dims a sequential loop inside. That is the simple, always
// correct mapping every op shares; shared-memory tiling of the contractions
// is a separate step.
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"
#include "codegen/gpu/LoopMapping.h"
#include "codegen/gpu/HostBuffers.h"

#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"

#include <numeric>

namespace kiln {
#define GEN_PASS_DEF_KILNGPUMAPTOTHREADS
#include "codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// Whether `op` reads or writes the contents of a device buffer.
bool accessesMemory(Operation *op) {
  Value buffer;
  if (auto load = dyn_cast<memref::LoadOp>(op))
    buffer = load.getMemRef();
  else if (auto store = dyn_cast<memref::StoreOp>(op))
    buffer = store.getMemRef();
  else if (auto rmw = dyn_cast<memref::AtomicRMWOp>(op))
    buffer = rmw.getMemref();
  else if (auto rmw = dyn_cast<memref::GenericAtomicRMWOp>(op))
    buffer = rmw.getMemref();
  return buffer && !isHostBuffer(buffer);
}

/// Buffers the entry passes to host functions (upstream's deallocation
/// helper reads and writes arrays of buffer addresses) stay host memory,
/// and so do the accesses that fill them.
void markHostBuffers(func::FuncOp fn) {
  fn.walk([&](func::CallOp call) {
    for (Value arg : call.getOperands()) {
      if (!isa<MemRefType>(arg.getType()))
        continue;
      Operation *def = bufferRoot(arg).getDefiningOp();
      if (def && isa<memref::AllocOp, memref::AllocaOp>(def))
        def->setAttr(kHostBufferAttr, UnitAttr::get(fn.getContext()));
    }
  });
}

/// Whether `op` or an op nested in it satisfies `pred`.
bool containsOp(Operation *op, function_ref<bool(Operation *)> pred) {
  return op->walk([&](Operation *o) {
             return pred(o) ? WalkResult::interrupt() : WalkResult::advance();
           })
      .wasInterrupted();
}

/// An empty scf.parallel of one iteration at the insertion point, mapped
/// to one block: a kernel of one thread for host work on device buffers.
scf::ParallelOp singleThread(OpBuilder &b, Location loc) {
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  auto single = scf::ParallelOp::create(b, loc, ValueRange{zero},
                                        ValueRange{one}, ValueRange{one});
  setMapping(single, {gpu::Processor::BlockX});
  return single;
}

struct MapToThreadsPass : impl::KilnGpuMapToThreadsBase<MapToThreadsPass> {
  using Base::Base;

  /// Every linalg op (and memref.copy) becomes loops, parallel dims first.
  LogicalResult lowerToLoops(func::FuncOp fn, IRRewriter &rewriter) {
    SmallVector<memref::CopyOp> copies;
    fn.walk([&](memref::CopyOp op) { copies.push_back(op); });
    for (memref::CopyOp copy : copies) {
      rewriter.setInsertionPoint(copy);
      linalg::CopyOp::create(rewriter, copy.getLoc(), copy.getSource(),
                             copy.getTarget());
      rewriter.eraseOp(copy);
    }
    SmallVector<linalg::LinalgOp> ops;
    fn.walk([&](linalg::LinalgOp op) { ops.push_back(op); });
    for (linalg::LinalgOp op : ops) {
      rewriter.setInsertionPoint(op);
      // A reduction dim before a parallel one (pooling windows) would nest
      // a parallel loop inside a sequential one: move parallel dims first.
      if (auto generic = dyn_cast<linalg::GenericOp>(op.getOperation())) {
        SmallVector<unsigned> order;
        auto iters = generic.getIteratorTypesArray();
        for (unsigned d = 0; d < iters.size(); ++d)
          if (iters[d] == utils::IteratorType::parallel)
            order.push_back(d);
        for (unsigned d = 0; d < iters.size(); ++d)
          if (iters[d] != utils::IteratorType::parallel)
            order.push_back(d);
        if (!llvm::equal(order, llvm::seq<unsigned>(0, iters.size()))) {
          FailureOr<linalg::GenericOp> moved =
              linalg::interchangeGenericOp(rewriter, generic, order);
          if (succeeded(moved))
            op = *moved;
        }
      }
      if (failed(linalg::linalgOpToParallelLoops(rewriter, op)))
        return op->emitError() << "the GPU target cannot lower this op to loops";
      rewriter.eraseOp(op);
    }
    return success();
  }

  /// A host read of a buffer element (a loop bound, a branch condition):
  /// a one-thread kernel copies the element into a one-element device
  /// buffer, which is copied to a host one and read there.
  void readToHost(memref::LoadOp load, func::FuncOp fn, IRRewriter &rewriter) {
    Location loc = load.getLoc();
    auto one = MemRefType::get({1}, load.getType());
    rewriter.setInsertionPointToStart(&fn.getBody().front());
    auto host = memref::AllocaOp::create(rewriter, loc, one);
    host->setAttr(kHostBufferAttr, rewriter.getUnitAttr());
    rewriter.setInsertionPoint(load);
    scf::ParallelOp single = singleThread(rewriter, loc);
    Value zero = single.getLowerBound()[0];
    rewriter.setInsertionPoint(single);
    Value element = memref::AllocOp::create(rewriter, loc, one);
    rewriter.setInsertionPoint(single.getBody()->getTerminator());
    Value v = memref::LoadOp::create(rewriter, loc, load.getMemRef(),
                                     load.getIndices());
    memref::StoreOp::create(rewriter, loc, v, element, ValueRange{zero});
    rewriter.setInsertionPoint(load);
    gpu::MemcpyOp::create(rewriter, loc, TypeRange{}, ValueRange{}, host,
                          element);
    Value read = memref::LoadOp::create(rewriter, loc, host, ValueRange{zero});
    memref::DeallocOp::create(rewriter, loc, element);
    rewriter.replaceOp(load, read);
  }

  /// Host ops that touch buffer contents outside any kernel: those with no
  /// results (stores, loops that only write) run as one thread of a kernel
  /// of their own; loads whose values the host needs go through
  /// readToHost; loops and branches with results are handled op by op
  /// inside. Anything else is reported.
  LogicalResult wrapHostAccesses(Region &region, func::FuncOp fn,
                                 IRRewriter &rewriter) {
    bool ok = true;
    for (Block &block : region)
      for (Operation &op : llvm::make_early_inc_range(block)) {
        if (isa<scf::ParallelOp>(op) || !containsOp(&op, accessesMemory))
          continue;
        bool hasKernels = containsOp(
            &op, [](Operation *o) { return isa<scf::ParallelOp>(o); });
        if (auto load = dyn_cast<memref::LoadOp>(op)) {
          // (a load of a host buffer is no access: containsOp skipped it)
          readToHost(load, fn, rewriter);
          continue;
        }
        if (op.getNumResults() == 0 && !hasKernels) {
          rewriter.setInsertionPoint(&op);
          op.moveBefore(singleThread(rewriter, op.getLoc())
                            .getBody()
                            ->getTerminator());
          continue;
        }
        if (op.getNumRegions() == 0) {
          op.emitError() << "the GPU target cannot run this op on the host";
          ok = false;
          continue;
        }
        for (Region &inner : op.getRegions())
          ok &= succeeded(wrapHostAccesses(inner, fn, rewriter));
      }
    return success(ok);
  }

  /// Collapses an outermost parallel loop to one dim and splits it into
  /// blocks of threads.
  void mapLoop(scf::ParallelOp loop, IRRewriter &rewriter) {
    unsigned dims = loop.getNumLoops();
    if (dims > 1) {
      Operation *before = loop->getPrevNode();
      Block *block = loop->getBlock();
      std::vector<unsigned> all(dims);
      std::iota(all.begin(), all.end(), 0);
      rewriter.setInsertionPoint(loop);
      collapseParallelLoops(rewriter, loop, {all});
      Operation *next = before ? before->getNextNode() : &block->front();
      while (!isa<scf::ParallelOp>(next))
        next = next->getNextNode();
      loop = cast<scf::ParallelOp>(next);
    }
    auto [blocks, threads] =
        scf::tileParallelLoop(loop, {blockSize}, /*noMinMaxBounds=*/true);
    setMapping(blocks, {gpu::Processor::BlockX});
    setMapping(threads, {gpu::Processor::ThreadX});
  }

  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    if (fn.getSymName() != entry || fn.isExternal())
      return;
    IRRewriter rewriter(&getContext());
    markHostBuffers(fn);
    if (failed(lowerToLoops(fn, rewriter)) ||
        failed(wrapHostAccesses(fn.getBody(), fn, rewriter)))
      return signalPassFailure();
    SmallVector<scf::ParallelOp> outermost;
    fn.walk([&](scf::ParallelOp loop) {
      if (!loop->getParentOfType<scf::ParallelOp>() &&
          !loop->hasAttr(gpu::getMappingAttrName()))
        outermost.push_back(loop);
    });
    for (scf::ParallelOp loop : outermost)
      mapLoop(loop, rewriter);
  }
};

} // namespace
} // namespace kiln
