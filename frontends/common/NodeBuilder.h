//===- NodeBuilder.h - building kiln ops for one framework node -*- C++ -*-===//
//
// What every frontend's op importers share: the node's already-imported
// inputs, a builder positioned in the function being built, the node's
// location, constant helpers, and `create<Op>`, which checks result-type
// inference before building so that a hostile model gets a diagnostic at
// its node instead of an abort inside an ODS builder. Each frontend derives
// its node context from this and adds its framework's attribute access.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_COMMON_NODEBUILDER_H
#define KILN_FRONTENDS_COMMON_NODEBUILDER_H

#include "ir/KilnDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"

#include <optional>
#include <vector>

namespace kiln {

class NodeBuilder {
public:
  NodeBuilder(mlir::Location loc, mlir::OpBuilder &builder,
              std::vector<mlir::Value> inputs)
      : loc(loc), builder(builder), inputs(std::move(inputs)) {}

  mlir::Location loc;
  mlir::OpBuilder &builder;
  /// Inputs in node order; a null Value for an omitted optional input.
  std::vector<mlir::Value> inputs;

  /// Input `i`, or null when absent.
  mlir::Value input(size_t i) const {
    return i < inputs.size() ? inputs[i] : mlir::Value();
  }
  mlir::RankedTensorType inputType(size_t i) const {
    return mlir::cast<mlir::RankedTensorType>(input(i).getType());
  }

  /// Integer values of input `i` when it is a constant.
  std::optional<std::vector<int64_t>> constInts(size_t i) const;
  /// Float values of input `i` when it is a constant.
  std::optional<std::vector<double>> constFloats(size_t i) const;

  /// A 1-D i64 or scalar-shaped constant.
  mlir::Value i64Const(llvm::ArrayRef<int64_t> values);
  /// A scalar (rank-0) constant of `elementType`.
  mlir::Value scalarConst(mlir::Type elementType, double value);

  /// Reshapes `v` to `shape` (no-op when equal), folding constants.
  mlir::Value reshape(mlir::Value v, llvm::ArrayRef<int64_t> shape);
  /// `v` with its dims permuted (result dim i is dim perm[i]); null for null.
  mlir::Value transpose(mlir::Value v, llvm::ArrayRef<int64_t> perm);
  /// The window of `v` at `offsets` of `sizes`, with `strides` (unit
  /// strides when empty); null for null.
  mlir::Value slice(mlir::Value v, llvm::ArrayRef<int64_t> offsets,
                    llvm::ArrayRef<int64_t> sizes,
                    llvm::ArrayRef<int64_t> strides = {});
  /// `v` converted to element type `et` (no-op when it has it); null for
  /// null.
  mlir::Value castTo(mlir::Value v, mlir::Type et);

  /// Reports an error at the node and returns failure.
  mlir::InFlightDiagnostic error() const { return mlir::emitError(loc); }

  /// Set once an op of this node failed type inference (already reported).
  bool failedOp = false;

  /// Creates `OpTy` and folds it when its operands are constants. Returns
  /// null, after reporting at the node, when the op's result type cannot be
  /// inferred (mismatched shapes from a hostile model): ODS's inferring
  /// builders would abort the process instead, so they are only called after
  /// a probe built with a placeholder type has passed inference. Once one op
  /// failed, every later create of the node returns null.
  template <typename OpTy, typename... Args>
  mlir::Value create(Args &&...args) {
    if (!inferenceSucceeds<OpTy>(args...))
      return {};
    return builder.createOrFold<OpTy>(loc, std::forward<Args>(args)...);
  }

  /// create() for ops with several results (top_k): the op, or null after
  /// the same check and report.
  template <typename OpTy, typename... Args>
  OpTy createOp(Args &&...args) {
    if (!inferenceSucceeds<OpTy>(args...))
      return {};
    return OpTy::create(builder, loc, std::forward<Args>(args)...);
  }

private:
  /// Whether `OpTy`'s result types can be inferred from `args` (reported at
  /// the node when not; later calls then fail at once).
  template <typename OpTy, typename... Args>
  bool inferenceSucceeds(const Args &...args) {
    if (failedOp)
      return false;
    if constexpr (OpTy::template hasTrait<mlir::InferTypeOpInterface::Trait>()) {
      OpTy probe = OpTy::create(builder, loc, builder.getNoneType(), args...);
      llvm::SmallVector<mlir::Type> types;
      mlir::Operation *op = probe.getOperation();
      bool ok = mlir::succeeded(mlir::cast<mlir::InferTypeOpInterface>(op)
                                    .inferReturnTypes(
                                        op->getContext(), loc,
                                        op->getOperands(),
                                        op->getRawDictionaryAttrs(),
                                        op->getPropertiesStorage(),
                                        op->getRegions(), types));
      op->erase();
      if (!ok) {
        failedOp = true;
        return false;
      }
    }
    return true;
  }
};

/// The ranked tensor type of `v` (every importer value has one).
inline mlir::RankedTensorType tensorTypeOf(mlir::Value v) {
  return mlir::cast<mlir::RankedTensorType>(v.getType());
}

/// Normalises a possibly negative axis; -1 when out of range.
int64_t normalizeAxis(int64_t axis, int64_t rank);

} // namespace kiln

#endif // KILN_FRONTENDS_COMMON_NODEBUILDER_H
