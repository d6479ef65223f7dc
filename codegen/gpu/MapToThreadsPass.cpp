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

/// Whether `op` reads or writes buffer contents.
bool accessesMemory(Operation *op) {
  return isa<memref::LoadOp, memref::StoreOp, memref::AtomicRMWOp,
             memref::GenericAtomicRMWOp>(op);
}

/// Whether `op` or an op nested in it satisfies `pred`.
bool containsOp(Operation *op, function_ref<bool(Operation *)> pred) {
  return op->walk([&](Operation *o) {
             return pred(o) ? WalkResult::interrupt() : WalkResult::advance();
           })
      .wasInterrupted();
}

/// Mapping of a loop's dims to `processors`, identity maps.
void setMapping(scf::ParallelOp loop, ArrayRef<gpu::Processor> processors) {
  MLIRContext *ctx = loop.getContext();
  AffineMap id = AffineMap::getMultiDimIdentityMap(1, ctx);
  SmallVector<gpu::ParallelLoopDimMappingAttr> dims;
  for (gpu::Processor p : processors)
    dims.push_back(gpu::ParallelLoopDimMappingAttr::get(ctx, p, id, id));
  (void)gpu::setMappingAttr(loop, dims);
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

  /// Host ops that touch buffer contents outside any kernel run as one
  /// thread of a kernel of their own; those whose results the host needs
  /// are reported.
  LogicalResult wrapHostAccesses(Region &region, IRRewriter &rewriter) {
    bool ok = true;
    for (Block &block : region)
      for (Operation &op : llvm::make_early_inc_range(block)) {
        if (isa<scf::ParallelOp>(op) || !containsOp(&op, accessesMemory))
          continue;
        if (containsOp(&op, [](Operation *o) { return isa<scf::ParallelOp>(o); })) {
          for (Region &inner : op.getRegions())
            ok &= succeeded(wrapHostAccesses(inner, rewriter));
          continue;
        }
        if (op.getNumResults() != 0) {
          op.emitError() << "the GPU target cannot use tensor values on the "
                            "host (a size or branch that depends on data); "
                            "compile this model for the CPU";
          ok = false;
          continue;
        }
        rewriter.setInsertionPoint(&op);
        Location loc = op.getLoc();
        Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
        Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
        auto single = scf::ParallelOp::create(rewriter, loc, ValueRange{zero},
                                              ValueRange{one}, ValueRange{one});
        op.moveBefore(single.getBody()->getTerminator());
        setMapping(single, {gpu::Processor::BlockX});
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
    if (failed(lowerToLoops(fn, rewriter)) ||
        failed(wrapHostAccesses(fn.getBody(), rewriter)))
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
