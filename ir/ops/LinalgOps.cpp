//===- LinalgOps.cpp - matmul, convolution and pooling kiln ops -----------===//
//
// Type inference and verifiers of kiln.matmul, kiln.conv, kiln.max_pool and
// kiln.avg_pool. Spatial ops are 2-D; `layout` says where the channel dim is.
//
//===----------------------------------------------------------------------===//

#include "ir/KilnDialect.h"
#include "ir/ops/OpUtils.h"

using namespace mlir;

namespace kiln {

LogicalResult MatMulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto a = cast<RankedTensorType>(adaptor.getLhs().getType());
  auto b = cast<RankedTensorType>(adaptor.getRhs().getType());
  if (a.getRank() < 2 || b.getRank() < 2)
    return emitOptionalError(loc, "matmul operands need rank >= 2");
  int64_t k1 = a.getShape().back(), k2 = b.getShape()[b.getRank() - 2];
  if (!ShapedType::isDynamic(k1) && !ShapedType::isDynamic(k2) && k1 != k2)
    return emitOptionalError(loc, "contraction dims differ: ", k1, " vs ", k2);
  auto batch = broadcastShapes(a.getShape().drop_back(2),
                               b.getShape().drop_back(2));
  if (failed(batch))
    return emitOptionalError(loc, "batch dims do not broadcast");
  SmallVector<int64_t> shape = *batch;
  shape.push_back(a.getShape()[a.getRank() - 2]);
  shape.push_back(b.getShape().back());
  inferred.push_back(RankedTensorType::get(shape, a.getElementType()));
  return success();
}

/// Checks the attributes shared by convolution and pooling.
static LogicalResult checkWindowAttrs(std::optional<Location> loc,
                                      RankedTensorType input,
                                      ArrayRef<int64_t> strides,
                                      ArrayRef<int64_t> dilations,
                                      ArrayRef<int64_t> pads, StringRef layout) {
  if (input.getRank() != 4)
    return emitOptionalError(loc, "expects a rank-4 input, got ", input);
  if (layout != "NCHW" && layout != "NHWC")
    return emitOptionalError(loc, "unknown layout '", layout, "'");
  if (strides.size() != 2 || dilations.size() != 2 || pads.size() != 4)
    return emitOptionalError(loc, "expects 2 strides, 2 dilations, 4 pads");
  for (int64_t v : llvm::concat<const int64_t>(strides, dilations))
    if (v < 1)
      return emitOptionalError(loc, "strides and dilations must be >= 1");
  for (int64_t p : pads)
    if (p < 0)
      return emitOptionalError(loc, "pads must be >= 0");
  return success();
}

/// Result shape of a windowed op given its channel count.
static RankedTensorType windowResultType(RankedTensorType input,
                                         int64_t channels, int64_t kh,
                                         int64_t kw, ArrayRef<int64_t> strides,
                                         ArrayRef<int64_t> dilations,
                                         ArrayRef<int64_t> pads, bool nhwc) {
  ArrayRef<int64_t> s = input.getShape();
  int64_t h = nhwc ? s[1] : s[2], w = nhwc ? s[2] : s[3];
  int64_t oh = windowOutputSize(h, kh, strides[0], dilations[0], pads[0], pads[2]);
  int64_t ow = windowOutputSize(w, kw, strides[1], dilations[1], pads[1], pads[3]);
  SmallVector<int64_t> shape =
      nhwc ? SmallVector<int64_t>{s[0], oh, ow, channels}
           : SmallVector<int64_t>{s[0], channels, oh, ow};
  return RankedTensorType::get(shape, input.getElementType());
}

LogicalResult ConvOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &inferred) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  auto filter = cast<RankedTensorType>(adaptor.getFilter().getType());
  if (failed(checkWindowAttrs(loc, input, adaptor.getStrides(),
                              adaptor.getDilations(), adaptor.getPads(),
                              adaptor.getLayout())))
    return failure();
  if (filter.getRank() != 4)
    return emitOptionalError(loc, "expects a rank-4 filter, got ", filter);
  bool nhwc = adaptor.getLayout() == "NHWC";
  ArrayRef<int64_t> f = filter.getShape();
  int64_t out = nhwc ? f[3] : f[0];
  int64_t kh = nhwc ? f[0] : f[2], kw = nhwc ? f[1] : f[3];
  inferred.push_back(windowResultType(input, out, kh, kw, adaptor.getStrides(),
                                      adaptor.getDilations(), adaptor.getPads(),
                                      nhwc));
  return success();
}

LogicalResult ConvOp::verify() {
  // Ranks first: this runs before the type-inference check.
  if (getInput().getType().getRank() != 4)
    return emitOpError() << "expects a rank-4 input, got "
                         << getInput().getType();
  if (getFilter().getType().getRank() != 4)
    return emitOpError() << "expects a rank-4 filter, got "
                         << getFilter().getType();
  if (getLayout() != "NCHW" && getLayout() != "NHWC")
    return emitOpError() << "unknown layout '" << getLayout() << "'";
  bool nhwc = getLayout() == "NHWC";
  ArrayRef<int64_t> in = getInput().getType().getShape();
  ArrayRef<int64_t> f = getFilter().getType().getShape();
  int64_t g = getGroup();
  int64_t cin = nhwc ? in[3] : in[1];
  int64_t fin = nhwc ? f[2] : f[1], fout = nhwc ? f[3] : f[0];
  if (g < 1)
    return emitOpError() << "group must be >= 1, got " << g;
  if (!ShapedType::isDynamic(cin) && cin != fin * g)
    return emitOpError() << "input has " << cin << " channels but the filter "
                         << "expects " << fin << " x group " << g;
  if (fout % g != 0)
    return emitOpError() << "output channels " << fout
                         << " not divisible by group " << g;
  if (getBias() && (getBias().getType().getRank() != 1 ||
                    getBias().getType().getDimSize(0) != fout))
    return emitOpError() << "bias must be 1-D of size " << fout;
  return success();
}

#define KILN_POOL(OP)                                                          \
  LogicalResult OP::inferReturnTypes(MLIRContext *,                            \
                                     std::optional<Location> loc,              \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &inferred) {        \
    auto input = cast<RankedTensorType>(adaptor.getInput().getType());         \
    if (failed(checkWindowAttrs(loc, input, adaptor.getStrides(),              \
                                adaptor.getDilations(), adaptor.getPads(),     \
                                adaptor.getLayout())))                         \
      return failure();                                                        \
    if (adaptor.getKernel().size() != 2)                                       \
      return emitOptionalError(loc, "expects a 2-D kernel");                   \
    bool nhwc = adaptor.getLayout() == "NHWC";                                 \
    int64_t c = input.getShape()[nhwc ? 3 : 1];                                \
    inferred.push_back(windowResultType(                                       \
        input, c, adaptor.getKernel()[0], adaptor.getKernel()[1],              \
        adaptor.getStrides(), adaptor.getDilations(), adaptor.getPads(),       \
        nhwc));                                                                \
    return success();                                                          \
  }                                                                            \
  LogicalResult OP::verify() {                                                 \
    for (int64_t k : getKernel())                                              \
      if (k < 1)                                                               \
        return emitOpError() << "kernel dims must be >= 1";                    \
    return success();                                                          \
  }
KILN_POOL(MaxPoolOp)
KILN_POOL(AvgPoolOp)
#undef KILN_POOL

} // namespace kiln
