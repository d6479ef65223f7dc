//===- ShapeTracing.h - shapes computed from shapes, followed back -*- C++ -*-===//
//
// Exporters write a dynamic reshape's target as arithmetic on tensor shapes
// (ONNX: Shape -> Gather -> Unsqueeze -> Concat; TensorFlow: Shape ->
// StridedSlice -> Pack). Imported, those are kiln.shape_of, slices,
// gathers, reshapes, casts and concats of small i64 tensors; following
// them back tells which target elements are constants and which are dims
// of which tensor, so a reshape keeps the dims it copies (a dynamic batch
// stays the batch) instead of becoming fully dynamic.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_COMMON_SHAPETRACING_H
#define KILN_FRONTENDS_COMMON_SHAPETRACING_H

#include "frontends/common/NodeBuilder.h"

#include <optional>

namespace kiln {

/// One element of a computed shape: a constant `value`, or dim `dim` of
/// `source`.
struct ShapeElement {
  int64_t value = 0;
  mlir::Value source;
  int64_t dim = 0;
};

/// The elements of a 1-D (or scalar) integer value computed from constants
/// and kiln.shape_of through gather, slice, reshape, cast and concat;
/// std::nullopt when `v` is computed any other way.
std::optional<llvm::SmallVector<ShapeElement>> shapeElements(mlir::Value v);

/// The result dims of reshaping `input` to the shape `target` holds (a
/// constant, or computed as shapeElements follows): -1 is inferred where
/// the static dims fix it; 0 copies the input's dim unless `allowZero`
/// (ONNX's rule; TensorFlow's 0 is a 0, pass true); elements computed from
/// something other than the input's own dims are dynamic. Errors name the
/// node through `nb`.
mlir::FailureOr<llvm::SmallVector<int64_t>>
reshapeResultShape(NodeBuilder &nb, mlir::Value input, mlir::Value target,
                   bool allowZero);

} // namespace kiln

#endif // KILN_FRONTENDS_COMMON_SHAPETRACING_H
