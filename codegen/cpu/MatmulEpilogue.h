//===- MatmulEpilogue.h - consumers fused into matmul tiles -----*- C++ -*-===//
//
// A packed matmul (PackedMatmul.cpp) whose result feeds one elementwise
// linalg.generic (a bias add, an activation, a residual add), directly or
// through views (a slice, a 2-D transpose, an expand_shape), applies that
// generic to each register tile's accumulators before storing them: the
// result is written once, instead of being read back and written again by
// a separate pass over memory.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_MATMULEPILOGUE_H
#define KILN_CODEGEN_CPU_MATMULEPILOGUE_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include <optional>

namespace kiln {

/// The consumer of a matmul's result that its tiles can apply, and how the
/// consumer's other inputs are read at a matmul element (row, col).
class MatmulEpilogue {
public:
  /// The epilogue of `op`: its result's only use is a chain of views ending
  /// in an all-parallel elementwise generic whose other inputs are scalars,
  /// vectors along the matmul's rows or columns (a bias), or whole tensors
  /// in the matmul's own layout (a residual), all defined before `op`.
  static std::optional<MatmulEpilogue> match(mlir::linalg::MatmulOp op);

  /// Creates the inputs' views in matmul coordinates (1-D along a row or a
  /// column, 2-D for whole tensors) at `b`'s insertion point.
  void prepare(mlir::OpBuilder &b, mlir::Location loc);

  /// The consumer's values at matmul row `row`, columns [col, col + P),
  /// from the products `acc` (a vector of P floats).
  mlir::Value apply(mlir::OpBuilder &b, mlir::Location loc, mlir::Value row,
                    mlir::Value col, mlir::Value acc) const;

  /// Once the matmul's uses read the fused kernel's result: the consumer's
  /// result is what the views give now, and the consumer is erased.
  void finish();

private:
  /// How the consumer reads one of its other inputs.
  struct Input {
    enum Kind { Scalar, PerRow, PerCol, Whole } kind;
    mlir::Value value;
    unsigned arg;     // the payload argument it feeds
    mlir::Value view; // made by prepare()
  };

  mlir::linalg::GenericOp consumer;
  unsigned viewedOperand = 0; // the consumer's operand the views give
  llvm::SmallVector<unsigned> resultArgs;    // arguments reading it
  llvm::SmallVector<mlir::ReassociationIndices> groups; // of the expand
  int64_t matmulRows = 0, matmulCols = 0;
  int64_t rows = 0, cols = 0;                // left by the slices
  llvm::SmallVector<Input> inputs;
};

} // namespace kiln

#endif // KILN_CODEGEN_CPU_MATMULEPILOGUE_H
