//===- HostBuffers.h - buffers of a GPU entry that stay on the host -*- C++ -*-===//
//
// Most buffers of a GPU entry function live in device memory. A few must
// stay in host memory: the arrays the entry hands to host functions
// (upstream's deallocation helper fills and reads arrays of buffer
// addresses) and the one-element buffers through which the host reads a
// device element. Their allocation carries kHostBufferAttr; these helpers
// find it through casts and views.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_GPU_HOSTBUFFERS_H
#define KILN_CODEGEN_GPU_HOSTBUFFERS_H

#include "codegen/Passes.h"

#include "mlir/Interfaces/ViewLikeInterface.h"

namespace kiln {

/// The allocation (or argument) a memref value views, through casts and
/// view-like ops.
inline mlir::Value bufferRoot(mlir::Value v) {
  while (mlir::Operation *def = v.getDefiningOp()) {
    if (auto cast = llvm::dyn_cast<mlir::memref::CastOp>(def))
      v = cast.getSource();
    else if (auto view = llvm::dyn_cast<mlir::ViewLikeOpInterface>(def))
      v = view.getViewSource();
    else
      break;
  }
  return v;
}

/// Whether `v` views a buffer that stays in host memory.
inline bool isHostBuffer(mlir::Value v) {
  mlir::Operation *def = bufferRoot(v).getDefiningOp();
  return def && def->hasAttr(kHostBufferAttr);
}

} // namespace kiln

#endif // KILN_CODEGEN_GPU_HOSTBUFFERS_H
