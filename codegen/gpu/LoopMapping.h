//===- LoopMapping.h - GPU mapping attributes on scf.parallel ---*- C++ -*-===//
//
// The GPU passes write scf.parallel loops for upstream's
// convert-parallel-loops-to-gpu, which reads which block or thread dim each
// loop dim runs on from a mapping attribute.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_GPU_LOOPMAPPING_H
#define KILN_CODEGEN_GPU_LOOPMAPPING_H

#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace kiln {

/// Maps dim i of `loop` to `processors[i]`, with identity maps.
inline void setMapping(mlir::scf::ParallelOp loop,
                       llvm::ArrayRef<mlir::gpu::Processor> processors) {
  mlir::MLIRContext *ctx = loop.getContext();
  mlir::AffineMap id = mlir::AffineMap::getMultiDimIdentityMap(1, ctx);
  llvm::SmallVector<mlir::gpu::ParallelLoopDimMappingAttr> dims;
  for (mlir::gpu::Processor p : processors)
    dims.push_back(mlir::gpu::ParallelLoopDimMappingAttr::get(ctx, p, id, id));
  (void)mlir::gpu::setMappingAttr(loop, dims);
}

} // namespace kiln

#endif // KILN_CODEGEN_GPU_LOOPMAPPING_H
