//===- ResizeWeights.h - ONNX Resize along one axis as a matrix -*- C++ -*-===//
//
// Every ONNX Resize mode is separable: along each resized axis, output
// sample o is a fixed weighted sum of input samples. These functions compute
// that out x in weight matrix (nearest: one 1 per row) at import time, so
// the importer can apply it as a gather or a matmul.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_ONNX_OPS_RESIZEWEIGHTS_H
#define KILN_FRONTENDS_ONNX_OPS_RESIZEWEIGHTS_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kiln::onnx_frontend {

/// The Resize attributes that shape the weights of one axis.
struct ResizeMode {
  std::string mode = "nearest";                 // nearest, linear, cubic
  std::string coordinates = "half_pixel";       // coordinate_transformation_mode
  std::string nearest = "round_prefer_floor";   // nearest_mode
  double cubicA = -0.75;
  bool excludeOutside = false;
  bool antialias = false;
};

/// One axis: `in` samples resized to `out` with `scale` (the given scale,
/// or out / in when sizes were given); `roiStart`/`roiEnd` for
/// tf_crop_and_resize.
struct ResizeAxis {
  int64_t in = 0, out = 0;
  double scale = 1.0, roiStart = 0.0, roiEnd = 1.0;
};

/// Row-major out x in weights, and for each output sample whether it lies
/// outside the input (tf_crop_and_resize's extrapolation). Empty `weights`
/// and an `error` for an unknown mode.
struct ResizeWeights {
  std::vector<double> weights;
  std::vector<bool> outside;
  std::string error;

  /// For each output row, its single input index when every row is one-hot
  /// (nearest); nullopt otherwise.
  std::optional<std::vector<int64_t>> gatherIndices(int64_t in) const;
};

ResizeWeights resizeWeights(const ResizeMode &mode, const ResizeAxis &axis);

} // namespace kiln::onnx_frontend

#endif // KILN_FRONTENDS_ONNX_OPS_RESIZEWEIGHTS_H
