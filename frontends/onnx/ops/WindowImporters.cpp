//===- WindowImporters.cpp - ONNX signal windows as constants -------------===//
//
// HannWindow, HammingWindow and BlackmanWindow: a cosine sum over
// n = 0 .. size-1 with period size (periodic = 1) or size - 1; and
// MelWeightMatrix, a bank of triangular filters. Their inputs must be
// constants, so the results are.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/ImportContext.h"

#include "ir/ConstantData.h"

#include <cmath>

using namespace mlir;

namespace kiln::onnx_frontend {
namespace {

using Out = SmallVectorImpl<Value>;

/// w[n] = a0 - a1 cos(2 pi n / N) + a2 cos(4 pi n / N).
template <int Kind> LogicalResult importWindow(NodeContext &nc, Out &out) {
  static const double coeffs[3][3] = {
      {0.5, 0.5, 0.0}, {25.0 / 46.0, 21.0 / 46.0, 0.0}, {0.42, 0.5, 0.08}};
  auto size = nc.constInts(0);
  if (!size || size->size() != 1 || (*size)[0] < 0 || (*size)[0] > (1 << 26))
    return nc.error() << "the window size must be a constant scalar";
  int64_t n = (*size)[0];
  Type et = elementTypeFor(nc.builder.getContext(),
                           int(nc.intAttr("output_datatype", 1)));
  if (!et)
    return nc.error() << "unsupported output_datatype";
  double period = nc.intAttr("periodic", 1) ? double(n) : double(n - 1);
  const double *a = coeffs[Kind];
  std::vector<double> w(n);
  for (int64_t i = 0; i < n; ++i) {
    double phase = period > 0 ? 2 * M_PI * double(i) / period : 0.0;
    w[i] = a[0] - a[1] * std::cos(phase) + a[2] * std::cos(2 * phase);
  }
  auto type = RankedTensorType::get({n}, et);
  out.push_back(ConstantOp::create(nc.builder, nc.loc, writeConstant(type, w)));
  return success();
}

/// MelWeightMatrix(num_mel_bins, dft_length, sample_rate, lower_edge_hertz,
/// upper_edge_hertz): the [dft_length / 2 + 1, num_mel_bins] matrix of
/// triangular filters, evenly spaced on the mel scale (mel = 2595
/// log10(1 + f / 700)), each rising from its left edge to its centre bin
/// and falling to its right edge. The inputs must be constants.
LogicalResult importMelWeightMatrix(NodeContext &nc, Out &out) {
  auto bins = nc.constInts(0), length = nc.constInts(1), rate = nc.constInts(2);
  auto low = nc.constFloats(3), high = nc.constFloats(4);
  if (!bins || !length || !rate || !low || !high || bins->size() != 1 ||
      length->size() != 1 || rate->size() != 1 || low->size() != 1 ||
      high->size() != 1)
    return nc.error() << "MelWeightMatrix needs constant scalar inputs";
  int64_t mels = (*bins)[0], dft = (*length)[0], sr = (*rate)[0];
  if (mels < 1 || mels > 4096 || dft < 1 || dft > (1 << 20) || sr < 1)
    return nc.error() << "MelWeightMatrix inputs out of range";
  Type et = elementTypeFor(nc.builder.getContext(),
                           int(nc.intAttr("output_datatype", 1)));
  if (!et)
    return nc.error() << "unsupported output_datatype";
  int64_t spectrum = dft / 2 + 1;
  auto toMel = [](double f) { return 2595.0 * std::log10(1.0 + f / 700.0); };
  double lowMel = toMel((*low)[0]), step = (toMel((*high)[0]) - lowMel) /
                                           double(mels + 2);
  std::vector<int64_t> edge(mels + 2);
  for (int64_t i = 0; i < mels + 2; ++i) {
    double hz = 700.0 * (std::pow(10.0, (double(i) * step + lowMel) / 2595.0) - 1);
    edge[i] = int64_t(std::floor(double(dft + 1) * hz / double(sr)));
    if (edge[i] < 0 || edge[i] >= spectrum)
      return nc.error() << "MelWeightMatrix's filter edge " << edge[i]
                        << " lies outside the " << spectrum << " DFT bins";
  }
  std::vector<double> w(spectrum * mels, 0.0);
  for (int64_t i = 0; i < mels; ++i) {
    int64_t left = edge[i], centre = edge[i + 1], right = edge[i + 2];
    if (centre == left)
      w[centre * mels + i] = 1.0;
    for (int64_t j = left; centre > left && j <= centre; ++j)
      w[j * mels + i] = double(j - left) / double(centre - left);
    for (int64_t j = centre; j < right; ++j)
      w[j * mels + i] = double(right - j) / double(right - centre);
  }
  out.push_back(ConstantOp::create(
      nc.builder, nc.loc,
      writeConstant(RankedTensorType::get({spectrum, mels}, et), w)));
  return success();
}

} // namespace

void registerWindowImporters(ImporterRegistry &r) {
  r["HannWindow"] = importWindow<0>;
  r["HammingWindow"] = importWindow<1>;
  r["BlackmanWindow"] = importWindow<2>;
  r["MelWeightMatrix"] = importMelWeightMatrix;
}

} // namespace kiln::onnx_frontend
