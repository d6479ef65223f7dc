//===- WindowImporters.cpp - ONNX signal windows as constants -------------===//
//
// HannWindow, HammingWindow and BlackmanWindow: a cosine sum over
// n = 0 .. size-1 with period size (periodic = 1) or size - 1. The size
// must be a constant, so the window is one.
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

} // namespace

void registerWindowImporters(ImporterRegistry &r) {
  r["HannWindow"] = importWindow<0>;
  r["HammingWindow"] = importWindow<1>;
  r["BlackmanWindow"] = importWindow<2>;
}

} // namespace kiln::onnx_frontend
