//===- LogicIndexOps.cpp - comparisons, logic, select and index ops -------===//
//
// Type inference, verifiers and constant folders of the ops declared in
// KilnLogicIndexOps.td.
//
//===----------------------------------------------------------------------===//

#include "ir/KilnDialect.h"
#include "ir/ops/OpUtils.h"

using namespace mlir;

namespace kiln {

#define KILN_COMPARE(OP, EXPR)                                                 \
  LogicalResult OP::inferReturnTypes(MLIRContext *ctx,                         \
                                     std::optional<Location> l,                \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &inferred) {        \
    return inferBroadcastType(l, adaptor.getLhs(), adaptor.getRhs(),           \
                              IntegerType::get(ctx, 1), inferred);             \
  }                                                                            \
  OpFoldResult OP::fold(FoldAdaptor adaptor) {                                 \
    return foldBinary(adaptor.getLhs(), adaptor.getRhs(), getType(),          \
                      [](double a, double b) { return double(EXPR); });        \
  }
KILN_COMPARE(EqualOp, a == b)
KILN_COMPARE(NotEqualOp, a != b)
KILN_COMPARE(LessOp, a < b)
KILN_COMPARE(LessEqualOp, a <= b)
KILN_COMPARE(GreaterOp, a > b)
KILN_COMPARE(GreaterEqualOp, a >= b)
KILN_COMPARE(AndOp, a != 0 && b != 0)
KILN_COMPARE(OrOp, a != 0 || b != 0)
KILN_COMPARE(XorOp, (a != 0) != (b != 0))
#undef KILN_COMPARE

OpFoldResult NotOp::fold(FoldAdaptor adaptor) {
  auto hv = readConstant(adaptor.getInput());
  if (!hv)
    return {};
  for (double &v : hv->data)
    v = v == 0 ? 1.0 : 0.0;
  return writeConstant(getType(), hv->data);
}

//===----------------------------------------------------------------------===//
// select
//===----------------------------------------------------------------------===//

LogicalResult SelectOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto c = cast<RankedTensorType>(adaptor.getCond().getType());
  auto a = cast<RankedTensorType>(adaptor.getLhs().getType());
  auto b = cast<RankedTensorType>(adaptor.getRhs().getType());
  auto ab = broadcastShapes(a.getShape(), b.getShape());
  auto all = succeeded(ab) ? broadcastShapes(c.getShape(), *ab) : ab;
  if (failed(all))
    return emitOptionalError(loc, "operand shapes ", c, ", ", a, " and ", b,
                             " do not broadcast");
  inferred.push_back(RankedTensorType::get(*all, a.getElementType()));
  return success();
}

LogicalResult SelectOp::verify() {
  if (getLhs().getType().getElementType() != getRhs().getType().getElementType())
    return emitOpError() << "branches differ in element type";
  return success();
}

OpFoldResult SelectOp::fold(FoldAdaptor adaptor) {
  if (getLhs() == getRhs() && getLhs().getType() == getType())
    return getLhs();
  auto type = getType();
  if (!adaptor.getCond() || !adaptor.getLhs() || !adaptor.getRhs() ||
      !type.hasStaticShape() || type.getNumElements() > kMaxFoldElements)
    return {};
  auto c = readConstant(adaptor.getCond());
  auto a = readConstant(adaptor.getLhs());
  auto b = readConstant(adaptor.getRhs());
  if (!c || !a || !b)
    return {};
  std::vector<int64_t> ic = broadcastIndices(type.getShape(), c->type.getShape());
  std::vector<int64_t> ia = broadcastIndices(type.getShape(), a->type.getShape());
  std::vector<int64_t> ib = broadcastIndices(type.getShape(), b->type.getShape());
  std::vector<double> out(ic.size());
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = c->data[ic[i]] != 0 ? a->data[ia[i]] : b->data[ib[i]];
  return writeConstant(type, out);
}

//===----------------------------------------------------------------------===//
// arg_max / arg_min
//===----------------------------------------------------------------------===//

static LogicalResult inferArgReduce(MLIRContext *ctx,
                                    std::optional<Location> loc, Value input,
                                    int64_t axis, bool keepdims,
                                    SmallVectorImpl<Type> &inferred) {
  auto in = cast<RankedTensorType>(input.getType());
  if (axis < 0 || axis >= in.getRank())
    return emitOptionalError(loc, "axis ", axis, " out of range for rank ",
                             in.getRank());
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < in.getRank(); ++d)
    if (d != axis)
      shape.push_back(in.getDimSize(d));
    else if (keepdims)
      shape.push_back(1);
  inferred.push_back(RankedTensorType::get(shape, IntegerType::get(ctx, 64)));
  return success();
}

#define KILN_ARG_REDUCE(OP)                                                    \
  LogicalResult OP::inferReturnTypes(MLIRContext *ctx,                         \
                                     std::optional<Location> loc,              \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &inferred) {        \
    return inferArgReduce(ctx, loc, adaptor.getInput(), adaptor.getAxis(),     \
                          adaptor.getKeepdims(), inferred);                    \
  }                                                                            \
  LogicalResult OP::verify() {                                                 \
    auto in = getInput().getType();                                            \
    if (in.getRank() > 0 && in.getDimSize(getAxis()) == 0)                     \
      return emitOpError() << "reduces an empty dim";                          \
    return success();                                                          \
  }
KILN_ARG_REDUCE(ArgMaxOp)
KILN_ARG_REDUCE(ArgMinOp)
#undef KILN_ARG_REDUCE

//===----------------------------------------------------------------------===//
// gather_nd
//===----------------------------------------------------------------------===//

LogicalResult GatherNdOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &inferred) {
  auto in = cast<RankedTensorType>(adaptor.getInput().getType());
  auto idx = cast<RankedTensorType>(adaptor.getIndices().getType());
  int64_t b = adaptor.getBatchDims();
  if (idx.getRank() < 1 || idx.isDynamicDim(idx.getRank() - 1))
    return emitOptionalError(loc, "indices need a static last dim");
  int64_t q = idx.getShape().back();
  if (b < 0 || b >= idx.getRank() || b + q > in.getRank())
    return emitOptionalError(loc, "index tuples of ", q, " after ", b,
                             " batch dims do not fit an input of rank ",
                             in.getRank());
  SmallVector<int64_t> shape(idx.getShape().drop_back());
  llvm::append_range(shape, in.getShape().drop_front(b + q));
  inferred.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

LogicalResult GatherNdOp::verify() {
  auto in = getInput().getType(), idx = getIndices().getType();
  for (int64_t d = 0; d < int64_t(getBatchDims()); ++d) {
    int64_t a = in.getDimSize(d), c = idx.getDimSize(d);
    if (!ShapedType::isDynamic(a) && !ShapedType::isDynamic(c) && a != c)
      return emitOpError() << "batch dim " << d << " differs: " << a
                           << " in the input, " << c << " in the indices";
  }
  if (idx.getRank() < 1 || idx.isDynamicDim(idx.getRank() - 1))
    return success(); // reported by inferReturnTypes
  int64_t b = getBatchDims(), q = idx.getShape().back();
  if (b + q > in.getRank())
    return success(); // reported by inferReturnTypes
  return verifyConstantIndices(*this, getIndices(),
                               in.getShape().slice(b, q));
}

//===----------------------------------------------------------------------===//
// scatter_nd
//===----------------------------------------------------------------------===//

LogicalResult ScatterNdOp::verify() {
  auto in = getInput().getType(), idx = getIndices().getType();
  auto upd = getUpdates().getType();
  StringRef r = getReduction();
  if (r != "none" && r != "add" && r != "mul" && r != "max" && r != "min")
    return emitOpError() << "unknown reduction '" << r << "'";
  if (upd.getElementType() != in.getElementType())
    return emitOpError() << "updates " << upd << " differ in element type "
                         << "from the input " << in;
  if (idx.getRank() < 1 || idx.isDynamicDim(idx.getRank() - 1))
    return emitOpError() << "indices need a static last dim, got " << idx;
  int64_t q = idx.getShape().back();
  if (q > in.getRank())
    return emitOpError() << "index tuples of " << q
                         << " entries for an input of rank " << in.getRank();
  SmallVector<int64_t> want(idx.getShape().drop_back());
  llvm::append_range(want, in.getShape().drop_front(q));
  if (upd.getRank() != int64_t(want.size()))
    return emitOpError() << "updates " << upd << " must have rank "
                         << want.size();
  for (auto [d, u, w] : llvm::enumerate(upd.getShape(), want))
    if (!ShapedType::isDynamic(u) && !ShapedType::isDynamic(w) && u != w)
      return emitOpError() << "updates dim " << d << " is " << u
                           << " where the input and indices make it " << w;
  return verifyConstantIndices(*this, getIndices(),
                               in.getShape().take_front(q));
}

//===----------------------------------------------------------------------===//
// top_k
//===----------------------------------------------------------------------===//

LogicalResult TopKOp::inferReturnTypes(MLIRContext *ctx,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &inferred) {
  auto in = cast<RankedTensorType>(adaptor.getInput().getType());
  int64_t axis = adaptor.getAxis(), k = adaptor.getK();
  if (axis < 0 || axis >= in.getRank())
    return emitOptionalError(loc, "axis ", axis, " out of range for rank ",
                             in.getRank());
  int64_t n = in.getDimSize(axis);
  if (k < -1 || (!ShapedType::isDynamic(n) && k > n))
    return emitOptionalError(loc, "k = ", k, " for a dim of ", n);
  if (adaptor.getRunTimeK() && k != -1)
    return emitOptionalError(loc, "k must be -1 when given at run time");
  SmallVector<int64_t> shape(in.getShape());
  shape[axis] = adaptor.getRunTimeK() ? ShapedType::kDynamic
                                      : (k == -1 ? n : k);
  inferred.push_back(RankedTensorType::get(shape, in.getElementType()));
  inferred.push_back(RankedTensorType::get(shape, IntegerType::get(ctx, 64)));
  return success();
}

LogicalResult TopKOp::verify() {
  if (getRunTimeK() && getRunTimeK().getType().getRank() != 0)
    return emitOpError() << "run-time k must be a 0-d tensor";
  return success();
}

//===----------------------------------------------------------------------===//
// non_zero
//===----------------------------------------------------------------------===//

LogicalResult NonZeroOp::inferReturnTypes(MLIRContext *ctx,
                                          std::optional<Location>,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  auto in = cast<RankedTensorType>(adaptor.getInput().getType());
  inferred.push_back(RankedTensorType::get({ShapedType::kDynamic, in.getRank()},
                                           IntegerType::get(ctx, 64)));
  return success();
}

//===----------------------------------------------------------------------===//
// non_max_suppression
//===----------------------------------------------------------------------===//

LogicalResult NonMaxSuppressionOp::verify() {
  auto boxes = getBoxes().getType(), scores = getScores().getType();
  if (boxes.getRank() != 3 || boxes.getDimSize(2) != 4 ||
      !boxes.getElementType().isF32())
    return emitOpError() << "boxes must be f32 [batch, boxes, 4], got "
                         << boxes;
  if (scores.getRank() != 3 || !scores.getElementType().isF32())
    return emitOpError() << "scores must be f32 [batch, classes, boxes], got "
                         << scores;
  for (int d : {0, 1})
    if (!boxes.isDynamicDim(d) && !scores.isDynamicDim(d * 2) &&
        boxes.getDimSize(d) != scores.getDimSize(d * 2))
      return emitOpError() << "boxes " << boxes << " and scores " << scores
                           << " disagree on the batch or box count";
  for (Value v : {getMaxPerClass(), getIouThreshold(), getScoreThreshold()})
    if (cast<RankedTensorType>(v.getType()).getRank() != 0)
      return emitOpError() << "the limit and thresholds must be 0-d tensors";
  if (!getIouThreshold().getType().getElementType().isF32() ||
      !getScoreThreshold().getType().getElementType().isF32())
    return emitOpError() << "the thresholds must be f32";
  auto rt = getType();
  if (rt.getRank() != 2 || rt.getDimSize(1) != 3)
    return emitOpError() << "the result must be i64 [count, 3], got " << rt;
  return success();
}

} // namespace kiln
