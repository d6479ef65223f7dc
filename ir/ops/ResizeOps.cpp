//===- ResizeOps.cpp - resize type inference and verifier -----------------===//

#include "ir/KilnDialect.h"

using namespace mlir;

namespace kiln {

LogicalResult ResizeOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto in = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> axes = adaptor.getAxes(), sizes = adaptor.getSizes();
  if (axes.size() != 2 || sizes.size() != 2)
    return emitOptionalError(loc, "resize needs two axes and two sizes");
  SmallVector<int64_t> shape(in.getShape());
  for (int i = 0; i < 2; ++i) {
    if (axes[i] < 0 || axes[i] >= in.getRank() || sizes[i] < 1)
      return emitOptionalError(loc, "resize axis ", axes[i], " or size ",
                               sizes[i], " out of range");
    shape[axes[i]] = sizes[i];
  }
  inferred.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

LogicalResult ResizeOp::verify() {
  StringRef mode = getCoordinateMode();
  if (mode != "half_pixel" && mode != "align_corners" && mode != "asymmetric")
    return emitOpError() << "unknown coordinate_mode '" << mode << "'";
  if (getAxes()[0] == getAxes()[1])
    return emitOpError() << "resizes axis " << getAxes()[0] << " twice";
  for (int64_t axis : getAxes())
    if (getInput().getType().isDynamicDim(axis))
      return emitOpError() << "resized dim " << axis << " must be static";
  return success();
}

} // namespace kiln
