//===- GatherTable.h - convolution operands read through offset tables ---===//
//
// An implicit-GEMM convolution reads its image at (n, c, oh + kh, ow + kw):
// finding that element from the linear K index k = (c, kh, kw) takes
// divisions on every K step. But the element's address is a sum of a part
// that depends only on the output pixel (fixed for a thread) and a part
// that depends only on k (the same for every pixel): base(m) + offset(k).
// The tiled kernel computes offset(k) for every k once per block into a
// shared-memory table, and each staged element is then one table read and
// one add away from its address.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_GPU_GATHERTABLE_H
#define KILN_CODEGEN_GPU_GATHERTABLE_H

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/Builders.h"

namespace kiln {

/// How an operand is read through an offset table.
struct GatherTable {
  mlir::Value view;         // the operand as a 1-D memref (host side)
  mlir::AffineExpr base;    // its element offset from the non-K loop dims
  mlir::AffineExpr offset;  // its element offset from the K loop dims
};

/// Plans the table for `operand`, read through `map` with reduction dims
/// `kDims`, and builds its 1-D view at the builder's point: failure unless
/// every result of `map` is a sum of terms that read only K dims or only
/// other dims, some result reads both (else plain indexing costs no
/// division), and the operand's strides are static.
mlir::FailureOr<GatherTable> planGatherTable(mlir::OpBuilder &b,
                                             mlir::Location loc,
                                             mlir::Value operand,
                                             mlir::AffineMap map,
                                             llvm::ArrayRef<unsigned> kDims);

} // namespace kiln

#endif // KILN_CODEGEN_GPU_GATHERTABLE_H
