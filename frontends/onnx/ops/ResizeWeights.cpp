//===- ResizeWeights.cpp - ONNX Resize along one axis as a matrix ---------===//
//
// For output sample o: map o to an input coordinate x (the coordinate
// transformation mode), take the n input samples around x (indices clamped
// to the edge, as ONNX pads with edge values), and weight them by the
// mode's kernel at their distance from x.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/ops/ResizeWeights.h"

#include <algorithm>
#include <cmath>

namespace kiln::onnx_frontend {
namespace {

/// Keys' cubic convolution kernel with parameter a at distance d.
double cubicKernel(double d, double a) {
  d = std::fabs(d);
  if (d <= 1)
    return ((a + 2) * d - (a + 3)) * d * d + 1;
  if (d < 2)
    return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a;
  return 0.0;
}

/// The input coordinate of output sample o; nullopt outside the input for
/// tf_crop_and_resize (which then extrapolates).
std::optional<double> inputCoordinate(const std::string &mode,
                                      const ResizeAxis &a, int64_t o,
                                      std::string &error) {
  // ONNX's reference uses the real-valued output length scale * in here.
  double in = double(a.in), outLen = a.scale * double(a.in), x = double(o);
  if (mode == "half_pixel")
    return (x + 0.5) / a.scale - 0.5;
  if (mode == "pytorch_half_pixel")
    return outLen == 1.0 ? -0.5 : (x + 0.5) / a.scale - 0.5;
  if (mode == "align_corners")
    return outLen == 1.0 ? 0.0 : x * (in - 1) / (outLen - 1);
  if (mode == "asymmetric")
    return x / a.scale;
  if (mode == "tf_half_pixel_for_nn")
    return (x + 0.5) / a.scale;
  if (mode == "half_pixel_symmetric") {
    double adjustment = double(a.out) / outLen;
    double offset = in / 2 * (1 - adjustment);
    return offset + (x + 0.5) / a.scale - 0.5;
  }
  if (mode == "tf_crop_and_resize") {
    double span = a.roiEnd - a.roiStart;
    double c = outLen == 1.0 ? span * (in - 1) / 2
                             : x * span * (in - 1) / (outLen - 1);
    c += a.roiStart * (in - 1);
    if (c < 0 || c > in - 1)
      return std::nullopt;
    return c;
  }
  error = "unknown coordinate_transformation_mode '" + mode + "'";
  return std::nullopt;
}

/// The kernel weights of the samples left - (n/2 - 1) ... left + n/2 for
/// a coordinate at `ratio` (in (0, 1]) right of sample `left`.
std::vector<double> kernelWeights(const ResizeMode &m, double ratio,
                                  double scale, std::string &error) {
  if (m.mode == "nearest") {
    bool right;
    if (ratio == 1.0)
      right = true; // exactly on a sample
    else if (m.nearest == "round_prefer_floor")
      right = ratio > 0.5;
    else if (m.nearest == "round_prefer_ceil")
      right = ratio >= 0.5;
    else if (m.nearest == "floor")
      right = false;
    else if (m.nearest == "ceil")
      right = true;
    else {
      error = "unknown nearest_mode '" + m.nearest + "'";
      return {};
    }
    return {right ? 0.0 : 1.0, right ? 1.0 : 0.0};
  }
  if (m.mode != "linear" && m.mode != "cubic") {
    error = "unknown Resize mode '" + m.mode + "'";
    return {};
  }
  // Antialiasing widens the kernel by 1 / scale when downsampling.
  double s = m.antialias ? std::min(scale, 1.0) : 1.0;
  double reach = m.mode == "linear" ? 1.0 : 2.0;
  int64_t start = int64_t(std::floor(-reach / s)) + 1;
  std::vector<double> w;
  double sum = 0;
  for (int64_t i = start; i <= 1 - start; ++i) {
    double d = (double(i) - ratio) * s;
    w.push_back(m.mode == "linear" ? std::max(0.0, 1.0 - std::fabs(d))
                                   : cubicKernel(d, m.cubicA));
    sum += w.back();
  }
  if (m.antialias && sum != 0)
    for (double &v : w)
      v /= sum;
  return w;
}

} // namespace

ResizeWeights resizeWeights(const ResizeMode &mode, const ResizeAxis &axis) {
  ResizeWeights r;
  r.weights.assign(axis.out * axis.in, 0.0);
  r.outside.assign(axis.out, false);
  for (int64_t o = 0; o < axis.out; ++o) {
    auto x = inputCoordinate(mode.coordinates, axis, o, r.error);
    if (!r.error.empty())
      return {{}, {}, r.error};
    if (!x) {
      r.outside[o] = true;
      continue;
    }
    // The sample left of x; on a sample, the one before it (ratio 1).
    double left = std::ceil(*x) - 1;
    std::vector<double> w = kernelWeights(mode, *x - left, axis.scale, r.error);
    if (!r.error.empty())
      return {{}, {}, r.error};
    int64_t first = int64_t(left) - (int64_t(w.size()) / 2 - 1);
    double kept = 0;
    for (size_t k = 0; k < w.size(); ++k) {
      int64_t i = first + int64_t(k);
      if (mode.excludeOutside && (i < 0 || i >= axis.in))
        w[k] = 0;
      kept += w[k];
    }
    for (size_t k = 0; k < w.size(); ++k) {
      int64_t i = std::clamp<int64_t>(first + int64_t(k), 0, axis.in - 1);
      double v = mode.excludeOutside && kept != 0 ? w[k] / kept : w[k];
      r.weights[o * axis.in + i] += v;
    }
  }
  return r;
}

std::optional<std::vector<int64_t>>
ResizeWeights::gatherIndices(int64_t in) const {
  std::vector<int64_t> indices;
  int64_t rows = int64_t(outside.size());
  for (int64_t o = 0; o < rows; ++o) {
    int64_t hit = -1;
    for (int64_t i = 0; i < in; ++i) {
      double w = weights[o * in + i];
      if (w == 0.0)
        continue;
      if (w != 1.0 || hit >= 0)
        return std::nullopt;
      hit = i;
    }
    if (hit < 0)
      return std::nullopt;
    indices.push_back(hit);
  }
  return indices;
}

} // namespace kiln::onnx_frontend
