//===- TfTensors.h - TensorFlow dtypes and tensors as MLIR -------*- C++ -*-===//

#ifndef KILN_FRONTENDS_TF_TFTENSORS_H
#define KILN_FRONTENDS_TF_TFTENSORS_H

#include "frontends/tf/proto/graph.pb.h"

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"

#include <string>

namespace kiln::tf_frontend {

/// The MLIR element type of a TensorFlow DataType (reference types count as
/// their value type), or null for types Kiln cannot compute with.
mlir::Type elementTypeFor(mlir::MLIRContext *ctx, tensorflow::DataType dtype);

/// "float32", "int32", ... for messages and `kiln inspect`.
std::string dtypeName(tensorflow::DataType dtype);

/// The dims of a shape (-1 where unknown); failure for an unknown rank.
mlir::FailureOr<llvm::SmallVector<int64_t>>
dimsOf(const tensorflow::TensorShapeProto &shape);

/// The declared dims of a Placeholder (its `shape` attribute); failure when
/// the rank is unknown. Graphs from TensorFlow before GraphDef version 21
/// wrote an unknown shape as zero dims, so those count as unknown there.
mlir::FailureOr<llvm::SmallVector<int64_t>>
placeholderDims(const tensorflow::NodeDef &node, int producer);

/// A Const node's tensor as a constant attribute: `tensor_content` bytes,
/// or the typed value fields with the last value repeated to fill the
/// shape, as TensorFlow writes splats. Null with `error` set otherwise.
mlir::ElementsAttr tensorToAttr(mlir::MLIRContext *ctx,
                                const tensorflow::TensorProto &tensor,
                                std::string &error);

} // namespace kiln::tf_frontend

#endif // KILN_FRONTENDS_TF_TFTENSORS_H
