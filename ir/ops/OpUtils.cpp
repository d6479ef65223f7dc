//===- OpUtils.cpp - helpers shared by the kiln op implementations --------===//
//
// Broadcasting, window arithmetic and constant evaluation; see OpUtils.h.
//
//===----------------------------------------------------------------------===//

#include "ir/ops/OpUtils.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/Operation.h"

#include <algorithm>

using namespace mlir;

namespace kiln {

FailureOr<SmallVector<int64_t>> broadcastShapes(ArrayRef<int64_t> a,
                                                ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  SmallVector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da == 1)
      out[i] = db;
    else if (db == 1)
      out[i] = da;
    else if (ShapedType::isDynamic(da))
      out[i] = db;
    else if (ShapedType::isDynamic(db) || da == db)
      out[i] = da;
    else
      return failure();
  }
  return out;
}

LogicalResult inferBroadcastType(std::optional<Location> loc, Value lhs,
                                 Value rhs, Type elementType,
                                 SmallVectorImpl<Type> &inferred) {
  auto a = cast<RankedTensorType>(lhs.getType());
  auto b = cast<RankedTensorType>(rhs.getType());
  auto shape = broadcastShapes(a.getShape(), b.getShape());
  if (failed(shape))
    return emitOptionalError(loc, "operand shapes ", a, " and ", b,
                             " do not broadcast");
  inferred.push_back(RankedTensorType::get(*shape, elementType));
  return success();
}

SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int i = int(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

void forEachIndex(ArrayRef<int64_t> shape,
                  function_ref<void(ArrayRef<int64_t>)> fn) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  SmallVector<int64_t> idx(shape.size(), 0);
  for (int64_t linear = 0; linear < n; ++linear) {
    fn(idx);
    for (int d = int(shape.size()) - 1; d >= 0; --d) {
      if (++idx[d] < shape[d])
        break;
      idx[d] = 0;
    }
  }
}

std::vector<int64_t> broadcastIndices(ArrayRef<int64_t> outShape,
                                      ArrayRef<int64_t> inShape) {
  size_t lead = outShape.size() - inShape.size();
  SmallVector<int64_t> inStrides = stridesOf(inShape);
  std::vector<int64_t> result;
  forEachIndex(outShape, [&](ArrayRef<int64_t> idx) {
    int64_t src = 0;
    for (size_t d = 0; d < inShape.size(); ++d)
      if (inShape[d] != 1)
        src += idx[lead + d] * inStrides[d];
    result.push_back(src);
  });
  return result;
}

int64_t windowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                         int64_t dilation, int64_t padBegin, int64_t padEnd) {
  if (ShapedType::isDynamic(in))
    return ShapedType::kDynamic;
  int64_t span = dilation * (kernel - 1) + 1;
  return (in + padBegin + padEnd - span) / stride + 1;
}

int64_t samePaddingTotal(int64_t in, int64_t span, int64_t stride) {
  if (stride == 1)
    return span - 1;
  int64_t out = (in + stride - 1) / stride;
  return std::max<int64_t>((out - 1) * stride + span - in, 0);
}

Attribute foldUnaryFloat(Attribute operand, Type resultType,
                         const std::function<double(double)> &fn) {
  auto type = dyn_cast<RankedTensorType>(resultType);
  if (!operand || !type || !isa<FloatType>(type.getElementType()))
    return {};
  auto hv = readConstant(operand);
  if (!hv)
    return {};
  for (double &v : hv->data)
    v = fn(v);
  return writeConstant(type, hv->data);
}

Attribute foldBinary(Attribute lhs, Attribute rhs, Type resultType,
                     const std::function<double(double, double)> &fn) {
  auto type = dyn_cast<RankedTensorType>(resultType);
  if (!lhs || !rhs || !type || !type.hasStaticShape() ||
      type.getNumElements() > kMaxFoldElements)
    return {};
  auto a = readConstant(lhs);
  auto b = readConstant(rhs);
  if (!a || !b)
    return {};
  std::vector<int64_t> ia = broadcastIndices(type.getShape(), a->type.getShape());
  std::vector<int64_t> ib = broadcastIndices(type.getShape(), b->type.getShape());
  std::vector<double> out(ia.size());
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = fn(a->data[ia[i]], b->data[ib[i]]);
  return writeConstant(type, out);
}

LogicalResult verifyConstantIndices(Operation *op, Value indices,
                                    ArrayRef<int64_t> extents) {
  Attribute attr;
  if (extents.empty() || !matchPattern(indices, m_Constant(&attr)))
    return success();
  std::optional<std::vector<int64_t>> values = readIntConstant(attr);
  if (!values)
    return success();
  for (size_t k = 0; k < values->size(); ++k) {
    int64_t extent = extents[k % extents.size()], i = (*values)[k];
    if (!ShapedType::isDynamic(extent) && (i < -extent || i >= extent))
      return op->emitOpError() << "index " << i << " is out of range for a "
                               << "dim of " << extent << " (valid: " << -extent
                               << " to " << extent - 1 << ")";
  }
  return success();
}

} // namespace kiln
