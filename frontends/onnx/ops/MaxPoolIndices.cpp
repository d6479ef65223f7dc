//===- MaxPoolIndices.cpp - ONNX MaxPool with its Indices output ----------===//
//
// When a MaxPool's second output (where each maximum was found) is used,
// the windows are gathered explicitly: the input's spatial dims flattened
// and padded with one -inf element, every output position's window read
// through a compile-time table of flat positions (-inf where the window
// leaves the input), the maximum and its first position taken, and the
// position turned into ONNX's index, flattened over the whole input (row-
// or, with storage_order = 1, column-major over the spatial dims).
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/ops/ConvWindow.h"

#include "ir/ConstantData.h"

#include <cmath>

using namespace mlir;

namespace kiln::onnx_frontend {

LogicalResult importMaxPoolWithIndices(NodeContext &nc,
                                       SmallVectorImpl<Value> &out) {
  RankedTensorType in = nc.inputType(0);
  int64_t n = in.getRank() - 2;
  auto kernel = nc.intsAttr("kernel_shape");
  if (!in.hasStaticShape() || n < 1 || n > 3 || !kernel ||
      int64_t(kernel->size()) != n)
    return nc.error() << "MaxPool with indices needs a static 1-D to 3-D "
                         "input and one kernel size per spatial dim; got "
                      << in;
  Window w;
  w.kernel.assign(kernel->begin(), kernel->end());
  w.strides = intsOr(nc, "strides", n);
  w.dilations = intsOr(nc, "dilations", n);
  ArrayRef<int64_t> spatial = in.getShape().drop_front(2);
  if (failed(resolvePads(nc, spatial, w, nc.intAttr("ceil_mode", 0))))
    return failure();
  SmallVector<int64_t> outDims;
  int64_t positions = 1, windowSize = 1, size = 1;
  for (int64_t d = 0; d < n; ++d) {
    int64_t span = (w.kernel[d] - 1) * w.dilations[d] + 1;
    outDims.push_back((spatial[d] + w.pads[d] + w.pads[n + d] - span) /
                          w.strides[d] + 1);
    if (outDims.back() < 1)
      return nc.error() << "MaxPool window larger than the padded input";
    positions *= outDims.back();
    windowSize *= w.kernel[d];
    size *= spatial[d];
  }
  if (positions * windowSize > (int64_t(1) << 26))
    return nc.error() << "MaxPool with indices over " << positions
                      << " windows of " << windowSize << " is too large";
  bool columnMajor = nc.intAttr("storage_order", 0);
  // read[p][k]: the flat (row-major) spatial position window p reads at
  // kernel offset k, or `size` (the -inf pad); where[p][k]: ONNX's index.
  std::vector<int64_t> read(positions * windowSize);
  std::vector<double> where(positions * windowSize);
  for (int64_t p = 0; p < positions; ++p)
    for (int64_t k = 0; k < windowSize; ++k) {
      int64_t rowMajor = 0, colMajor = 0, stride = 1;
      bool inside = true;
      SmallVector<int64_t> at(n);
      for (int64_t d = n - 1, rp = p, rk = k; d >= 0; --d) {
        int64_t o = rp % outDims[d], kk = rk % w.kernel[d];
        rp /= outDims[d];
        rk /= w.kernel[d];
        at[d] = o * w.strides[d] - w.pads[d] + kk * w.dilations[d];
        inside &= at[d] >= 0 && at[d] < spatial[d];
      }
      for (int64_t d = 0; d < n; ++d)
        rowMajor = rowMajor * spatial[d] + at[d];
      for (int64_t d = 0; d < n; ++d) {
        colMajor += at[d] * stride;
        stride *= spatial[d];
      }
      read[p * windowSize + k] = inside ? rowMajor : size;
      where[p * windowSize + k] = double(columnMajor ? colMajor : rowMajor);
    }
  int64_t batch = in.getDimSize(0), channels = in.getDimSize(1);
  Type i64 = nc.builder.getI64Type();
  Value flat = nc.reshape(nc.input(0), {batch, channels, size});
  Value padded = nc.create<PadOp>(
      flat, nc.builder.getDenseI64ArrayAttr({0, 0, 0, 0, 0, 1}),
      nc.builder.getF64FloatAttr(-INFINITY));
  Value table = nc.reshape(nc.i64Const(read), {positions, windowSize});
  Value windows = nc.create<GatherOp>(padded, table,
                                      nc.builder.getI64IntegerAttr(2));
  auto last = nc.builder.getDenseI64ArrayAttr({3});
  Value values = nc.create<ReduceMaxOp>(windows, last,
                                        nc.builder.getBoolAttr(false));
  Value first = nc.create<ArgMaxOp>(windows, nc.builder.getI64IntegerAttr(3),
                                    nc.builder.getBoolAttr(true),
                                    nc.builder.getBoolAttr(false));
  if (!values || !first)
    return failure();
  // ONNX's index of the chosen offset: where[p][first], picked by a mask.
  std::vector<int64_t> offsets(windowSize);
  for (int64_t k = 0; k < windowSize; ++k)
    offsets[k] = k;
  Value chosen = nc.create<EqualOp>(first, nc.i64Const(offsets));
  Value whereT = ConstantOp::create(
      nc.builder, nc.loc,
      writeConstant(RankedTensorType::get({positions, windowSize}, i64), where));
  Value picked = nc.create<ReduceSumOp>(
      nc.create<SelectOp>(chosen, whereT, nc.scalarConst(i64, 0)), last,
      nc.builder.getBoolAttr(false));
  std::vector<double> base(batch * channels);
  for (int64_t i = 0; i < batch * channels; ++i)
    base[i] = double(i * size);
  Value offset = ConstantOp::create(
      nc.builder, nc.loc,
      writeConstant(RankedTensorType::get({batch, channels, 1}, i64), base));
  SmallVector<int64_t> shape{batch, channels};
  shape.append(outDims.begin(), outDims.end());
  out.push_back(nc.reshape(values, shape));
  out.push_back(nc.reshape(nc.create<AddOp>(picked, offset), shape));
  return success(out[0] && out[1]);
}

} // namespace kiln::onnx_frontend
