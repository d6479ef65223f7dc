//===- ReduceNormOps.cpp - reductions, softmax and normalizations ---------===//
//
// Type inference and verifiers of kiln.reduce_*, kiln.softmax,
// kiln.batch_norm and kiln.layer_norm.
//
//===----------------------------------------------------------------------===//

#include "ir/KilnDialect.h"
#include "ir/ops/OpUtils.h"

using namespace mlir;

namespace kiln {

/// Checks that `axes` is sorted, unique and within `rank`.
static LogicalResult checkAxes(std::optional<Location> loc,
                               ArrayRef<int64_t> axes, int64_t rank) {
  for (size_t i = 0; i < axes.size(); ++i) {
    if (axes[i] < 0 || axes[i] >= rank)
      return emitOptionalError(loc, "axis ", axes[i], " out of range for rank ",
                               rank);
    if (i > 0 && axes[i] <= axes[i - 1])
      return emitOptionalError(loc, "axes must be sorted and unique");
  }
  return success();
}

#define KILN_REDUCE(OP)                                                        \
  LogicalResult OP::inferReturnTypes(MLIRContext *,                            \
                                     std::optional<Location> loc,              \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &inferred) {        \
    auto input = cast<RankedTensorType>(adaptor.getInput().getType());         \
    ArrayRef<int64_t> axes = adaptor.getAxes();                                \
    if (failed(checkAxes(loc, axes, input.getRank())))                         \
      return failure();                                                        \
    SmallVector<int64_t> shape;                                                \
    for (int64_t d = 0; d < input.getRank(); ++d) {                            \
      bool reduced = llvm::is_contained(axes, d);                              \
      if (!reduced)                                                            \
        shape.push_back(input.getDimSize(d));                                  \
      else if (adaptor.getKeepdims())                                          \
        shape.push_back(1);                                                    \
    }                                                                          \
    inferred.push_back(RankedTensorType::get(shape, input.getElementType()));  \
    return success();                                                          \
  }                                                                            \
  LogicalResult OP::verify() {                                                 \
    return checkAxes(getLoc(), getAxes(), getInput().getType().getRank());     \
  }
KILN_REDUCE(ReduceSumOp)
KILN_REDUCE(ReduceMeanOp)
KILN_REDUCE(ReduceMaxOp)
KILN_REDUCE(ReduceMinOp)
KILN_REDUCE(ReduceProdOp)
#undef KILN_REDUCE

LogicalResult SoftmaxOp::verify() {
  int64_t rank = getInput().getType().getRank();
  if (getAxis() < 0 || getAxis() >= rank)
    return emitOpError() << "axis " << getAxis() << " out of range for rank "
                         << rank;
  return success();
}

LogicalResult BatchNormOp::verify() {
  auto type = getInput().getType();
  if (type.getRank() < 2)
    return emitOpError() << "expects rank >= 2";
  // Ranks other than 4 (ONNX's N x C x L...) keep C where the layout puts it.
  int64_t channel = getLayout().inputDim('C');
  if (channel >= type.getRank())
    return emitOpError() << "layout " << getLayout() << " has no C dim in a "
                         << "rank-" << type.getRank() << " input";
  int64_t c = type.getDimSize(channel);
  for (Value p : {getScale(), getBias(), getMean(), getVariance()}) {
    auto pt = cast<RankedTensorType>(p.getType());
    if (pt.getRank() != 1 || (!ShapedType::isDynamic(c) && pt.getDimSize(0) != c))
      return emitOpError() << "parameters must be 1-D of size " << c
                           << ", got " << pt;
  }
  return success();
}

LogicalResult LayerNormOp::verify() {
  auto type = getInput().getType();
  int64_t axis = getAxis();
  if (axis < 0 || axis >= type.getRank())
    return emitOpError() << "axis " << axis << " out of range";
  ArrayRef<int64_t> normShape = type.getShape().drop_front(axis);
  for (Value p : {getScale(), getBias()}) {
    auto pt = cast<RankedTensorType>(p.getType());
    if (failed(broadcastShapes(normShape, pt.getShape())) ||
        pt.getRank() > int64_t(normShape.size()))
      return emitOpError() << "scale/bias " << pt
                           << " do not broadcast to the normalized dims";
  }
  return success();
}

} // namespace kiln
