//===- EntryPoint.h - the compiled model's callable functions ----*- C++ -*-===//
//
// What the library stub calls: the model function in destination-passing
// form when its outputs have dynamic dims, and a shape function that
// computes those dims from the inputs without running the model.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_COMMON_ENTRYPOINT_H
#define KILN_CODEGEN_COMMON_ENTRYPOINT_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace kiln {

/// Adds `symbol`, a copy of `entry` (linalg on tensors) that stores every
/// dynamic dim of its results, in order, into a memref<Nxi64> argument
/// appended to the inputs and computes nothing else: tensor.dim ops are
/// resolved back to the inputs' dims and the dead computation is dropped.
/// The function emits a C interface.
mlir::LogicalResult addShapeFunction(mlir::func::FuncOp entry,
                                     llvm::StringRef symbol);

/// Gives every result of `entry` (at the tensor level) its own value: a
/// result that repeats an earlier one, or is an argument, becomes a copy,
/// since each result is written to a buffer of its own.
void copyRepeatedResults(mlir::func::FuncOp entry);

/// Turns the results of `entry` into memref arguments appended to its
/// inputs, which the function writes through
/// bufferization.materialize_in_destination (the caller allocates them with
/// the sizes the shape function gives).
void passResultsAsDestinations(mlir::func::FuncOp entry);

} // namespace kiln

#endif // KILN_CODEGEN_COMMON_ENTRYPOINT_H
