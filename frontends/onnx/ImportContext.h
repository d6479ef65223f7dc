//===- ImportContext.h - what an ONNX op importer works with -----*- C++ -*-===//
//
// Each ONNX op is imported by a small function (frontends/onnx/ops/) that gets
// a NodeContext: the node, its already-imported inputs, a builder positioned
// in the function being built and helpers for attributes and constants. The
// registry maps op types to those functions.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_ONNX_IMPORTCONTEXT_H
#define KILN_FRONTENDS_ONNX_IMPORTCONTEXT_H

#include "ir/KilnDialect.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringMap.h"

#include <onnx/onnx_pb.h>

#include <functional>
#include <optional>

namespace kiln::onnx_frontend {

/// One node being imported.
class NodeContext {
public:
  NodeContext(const onnx::NodeProto &node, mlir::Location loc,
              mlir::OpBuilder &builder, std::vector<mlir::Value> inputs,
              int opset)
      : node(node), loc(loc), builder(builder), inputs(std::move(inputs)),
        opset(opset) {}

  const onnx::NodeProto &node;
  mlir::Location loc;
  mlir::OpBuilder &builder;
  /// Inputs in node order; a null Value for an omitted optional input.
  std::vector<mlir::Value> inputs;
  int opset;

  /// Input `i`, or null when absent.
  mlir::Value input(size_t i) const {
    return i < inputs.size() ? inputs[i] : mlir::Value();
  }
  mlir::RankedTensorType inputType(size_t i) const {
    return mlir::cast<mlir::RankedTensorType>(input(i).getType());
  }

  const onnx::AttributeProto *attr(llvm::StringRef name) const;
  int64_t intAttr(llvm::StringRef name, int64_t dflt) const;
  float floatAttr(llvm::StringRef name, float dflt) const;
  std::string stringAttr(llvm::StringRef name, llvm::StringRef dflt) const;
  std::optional<std::vector<int64_t>> intsAttr(llvm::StringRef name) const;

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
    if (failedOp)
      return {};
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
        return {};
      }
    }
    return builder.createOrFold<OpTy>(loc, std::forward<Args>(args)...);
  }
};

/// Imports one node, appending its results (in ONNX output order).
using OpImporter = std::function<mlir::LogicalResult(
    NodeContext &, llvm::SmallVectorImpl<mlir::Value> &)>;
using ImporterRegistry = llvm::StringMap<OpImporter>;

void registerElementwiseImporters(ImporterRegistry &registry);
void registerNNImporters(ImporterRegistry &registry);
void registerShapeImporters(ImporterRegistry &registry);
void registerReshapeImporters(ImporterRegistry &registry);

/// The registry of every op the ONNX frontend imports.
const ImporterRegistry &importerRegistry();

/// The MLIR element type of an ONNX TensorProto data type, or null.
mlir::Type elementTypeFor(mlir::MLIRContext *ctx, int onnxType);

/// Normalises a possibly negative axis; -1 when out of range.
int64_t normalizeAxis(int64_t axis, int64_t rank);

} // namespace kiln::onnx_frontend

#endif // KILN_FRONTENDS_ONNX_IMPORTCONTEXT_H

namespace kiln::onnx_frontend {
/// Converts an ONNX TensorProto (initializer or Constant value) into a
/// constant attribute; on failure returns null and sets `error`.
mlir::ElementsAttr tensorProtoToAttr(mlir::MLIRContext *ctx,
                                     const onnx::TensorProto &tensor,
                                     std::string &error);
} // namespace kiln::onnx_frontend
