//===- RunTimeShapeOps.cpp - dynamic_slice and range ----------------------===//
//
// Ops whose result length is computed from tensor values rather than from
// attributes: ONNX Slice with computed bounds and ONNX Range. Their types
// are static exactly when the bounds are constants, so that pinning the
// input shapes (--input-shape) folds the exporter's shape arithmetic and
// leaves a fully static graph.
//
//===----------------------------------------------------------------------===//

#include "ir/ConstantData.h"
#include "ir/KilnDialect.h"
#include "ir/ops/OpUtils.h"

#include "mlir/IR/Matchers.h"

#include <algorithm>
#include <cmath>

using namespace mlir;

namespace kiln {

/// The integer values of `v` when it is a constant.
static std::optional<std::vector<int64_t>> constantInts(Value v) {
  Attribute attr;
  if (!v || !matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  return readIntConstant(attr);
}

/// ONNX's clamping of a slice bound on a dim of `extent` elements.
static int64_t clampBound(int64_t bound, int64_t extent) {
  if (bound < 0)
    bound += extent;
  return std::clamp<int64_t>(bound, 0, extent);
}

//===----------------------------------------------------------------------===//
// dynamic_slice
//===----------------------------------------------------------------------===//

/// End bounds above this on a dynamic dim mean "to the end" (exporters
/// write INT64_MAX or INT32_MAX), not a fixed window.
constexpr int64_t kMaxFixedSliceEnd = int64_t(1) << 30;

LogicalResult DynamicSliceOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  auto in = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> axes = adaptor.getAxes(), steps = adaptor.getSteps();
  if (axes.size() != steps.size())
    return emitOptionalError(loc, "dynamic_slice needs one step per axis");
  auto starts = constantInts(adaptor.getStarts());
  auto ends = constantInts(adaptor.getEnds());
  SmallVector<int64_t> shape(in.getShape());
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t axis = axes[i];
    if (axis < 0 || axis >= in.getRank() || steps[i] == 0)
      return emitOptionalError(loc, "dynamic_slice axis ", axis,
                               " or step ", steps[i], " out of range");
    if (steps[i] < 0) {
      // ONNX's backward window: start in [0, dim - 1], end in [-1, dim - 1].
      int64_t extent = in.getDimSize(axis);
      if (!starts || !ends || starts->size() != axes.size() ||
          ends->size() != axes.size() || ShapedType::isDynamic(extent)) {
        shape[axis] = ShapedType::kDynamic;
        continue;
      }
      auto clampBack = [&](int64_t v, int64_t lo) {
        if (v < 0)
          v += extent;
        return std::clamp<int64_t>(v, lo, extent - 1);
      };
      if (extent == 0) {
        shape[axis] = 0;
        continue;
      }
      int64_t s = clampBack((*starts)[i], 0), e = clampBack((*ends)[i], -1);
      shape[axis] = s > e ? (s - e - steps[i] - 1) / -steps[i] : 0;
      continue;
    }
    int64_t extent = in.getDimSize(axis);
    if (!starts || !ends || starts->size() != axes.size() ||
        ends->size() != axes.size()) {
      shape[axis] = ShapedType::kDynamic;
      continue;
    }
    if (ShapedType::isDynamic(extent)) {
      // Constant bounds counted from the start (x[:, :1], x[:, 2:5]) give a
      // fixed length on any dim that reaches the end bound; the lowering
      // checks that at run time. Other windows follow the dim.
      int64_t s = (*starts)[i], e = (*ends)[i];
      bool fixed = s >= 0 && e >= 0 && e <= kMaxFixedSliceEnd;
      shape[axis] = !fixed ? ShapedType::kDynamic
                   : e > s ? (e - s + steps[i] - 1) / steps[i]
                           : 0;
      continue;
    }
    int64_t s = clampBound((*starts)[i], extent);
    int64_t e = clampBound((*ends)[i], extent);
    shape[axis] = e > s ? (e - s + steps[i] - 1) / steps[i] : 0;
  }
  inferred.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

LogicalResult DynamicSliceOp::verify() {
  int64_t n = int64_t(getAxes().size());
  for (Value bound : {getStarts(), getEnds()}) {
    auto t = cast<RankedTensorType>(bound.getType());
    if (t.getRank() != 1 || (!t.isDynamicDim(0) && t.getDimSize(0) != n))
      return emitOpError() << "starts and ends must be 1-D with one element "
                           << "per axis (" << n << "), got " << t;
  }
  SmallVector<int64_t> seen;
  for (int64_t axis : getAxes()) {
    if (llvm::is_contained(seen, axis))
      return emitOpError() << "axis " << axis << " is listed twice";
    seen.push_back(axis);
  }
  return success();
}

//===----------------------------------------------------------------------===//
// range
//===----------------------------------------------------------------------===//

/// The scalar of a 0-d constant operand.
static std::optional<double> constantScalar(Value v) {
  Attribute attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  auto values = readConstant(attr);
  if (!values || values->data.size() != 1)
    return std::nullopt;
  return values->data[0];
}

/// ONNX Range's element count; std::nullopt when delta is 0 or the count
/// does not fit a tensor.
static std::optional<int64_t> rangeLength(double start, double limit,
                                          double delta) {
  if (delta == 0)
    return std::nullopt;
  double n = std::ceil((limit - start) / delta);
  if (!(n < double(int64_t(1) << 53)))
    return std::nullopt;
  return n > 0 ? int64_t(n) : 0;
}

LogicalResult RangeOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  auto start = cast<RankedTensorType>(adaptor.getStart().getType());
  int64_t length = ShapedType::kDynamic;
  auto s = constantScalar(adaptor.getStart());
  auto l = constantScalar(adaptor.getLimit());
  auto d = constantScalar(adaptor.getDelta());
  if (s && l && d) {
    auto n = rangeLength(*s, *l, *d);
    if (!n)
      return emitOptionalError(loc, "range with delta ", *d, " from ", *s,
                               " to ", *l, " has no valid length");
    length = *n;
  }
  inferred.push_back(RankedTensorType::get({length}, start.getElementType()));
  return success();
}

LogicalResult RangeOp::verify() {
  Type element = getStart().getType().getElementType();
  for (Value v : {getStart(), getLimit(), getDelta()}) {
    auto t = cast<RankedTensorType>(v.getType());
    if (t.getRank() != 0 || t.getElementType() != element)
      return emitOpError() << "start, limit and delta must be 0-d tensors of "
                           << "one element type, got " << t;
  }
  if (!isa<IntegerType, FloatType>(element))
    return emitOpError() << "needs a numeric element type, got " << element;
  if (auto d = constantScalar(getDelta()); d && *d == 0)
    return emitOpError() << "delta must not be 0";
  return success();
}

OpFoldResult RangeOp::fold(FoldAdaptor) {
  auto s = constantScalar(getStart());
  auto l = constantScalar(getLimit());
  auto d = constantScalar(getDelta());
  if (!s || !l || !d || !getType().hasStaticShape() ||
      getType().getNumElements() > kMaxFoldElements)
    return {};
  std::vector<double> values;
  for (int64_t i = 0; i < getType().getNumElements(); ++i)
    values.push_back(*s + double(i) * *d);
  return writeConstant(getType(), values);
}

} // namespace kiln
