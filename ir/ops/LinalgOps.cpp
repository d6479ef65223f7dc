//===- LinalgOps.cpp - matmul, convolution and pooling kiln ops -----------===//
//
// Type inference and verifiers of kiln.matmul, kiln.conv, kiln.max_pool and
// kiln.avg_pool. Spatial ops are 2-D; `layout` (#kiln.layout) says which
// dim is which.
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
                                      ArrayRef<int64_t> pads) {
  if (input.getRank() != 4)
    return emitOptionalError(loc, "expects a rank-4 input, got ", input);
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

/// Result type of a windowed op with `channels` result channels and a
/// kh x kw window, its dims in the layout's output order.
static RankedTensorType windowResultType(RankedTensorType input,
                                         LayoutAttr layout, int64_t channels,
                                         int64_t kh, int64_t kw,
                                         ArrayRef<int64_t> strides,
                                         ArrayRef<int64_t> dilations,
                                         ArrayRef<int64_t> pads) {
  ArrayRef<int64_t> s = input.getShape();
  int64_t h = s[layout.inputDim('H')], w = s[layout.inputDim('W')];
  int64_t sizes[4] = {
      s[layout.inputDim('N')], channels,
      windowOutputSize(h, kh, strides[0], dilations[0], pads[0], pads[2]),
      windowOutputSize(w, kw, strides[1], dilations[1], pads[1], pads[3])};
  SmallVector<int64_t> shape;
  for (char c : layout.outputLetters())
    shape.push_back(sizes[StringRef("NCHW").find(c)]);
  return RankedTensorType::get(shape, input.getElementType());
}

LogicalResult ConvOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &inferred) {
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  auto filter = cast<RankedTensorType>(adaptor.getFilter().getType());
  LayoutAttr layout = adaptor.getLayout();
  if (failed(checkWindowAttrs(loc, input, adaptor.getStrides(),
                              adaptor.getDilations(), adaptor.getPads())))
    return failure();
  if (filter.getRank() != 4)
    return emitOptionalError(loc, "expects a rank-4 filter, got ", filter);
  if (layout.getFilter().empty())
    return emitOptionalError(loc, "the layout names no filter dims");
  ArrayRef<int64_t> f = filter.getShape();
  inferred.push_back(windowResultType(
      input, layout, f[layout.filterDim('O')], f[layout.filterDim('H')],
      f[layout.filterDim('W')], adaptor.getStrides(), adaptor.getDilations(),
      adaptor.getPads()));
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
  LayoutAttr layout = getLayout();
  if (layout.getFilter().empty())
    return emitOpError() << "the layout names no filter dims";
  ArrayRef<int64_t> in = getInput().getType().getShape();
  ArrayRef<int64_t> f = getFilter().getType().getShape();
  int64_t g = getGroup();
  int64_t cin = in[layout.inputDim('C')];
  int64_t fin = f[layout.filterDim('I')], fout = f[layout.filterDim('O')];
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
                                adaptor.getDilations(), adaptor.getPads())))   \
      return failure();                                                        \
    if (adaptor.getKernel().size() != 2)                                       \
      return emitOptionalError(loc, "expects a 2-D kernel");                   \
    LayoutAttr layout = adaptor.getLayout();                                   \
    int64_t c = input.getShape()[layout.inputDim('C')];                        \
    inferred.push_back(windowResultType(                                       \
        input, layout, c, adaptor.getKernel()[0], adaptor.getKernel()[1],      \
        adaptor.getStrides(), adaptor.getDilations(), adaptor.getPads()));     \
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
