//===- Composites.cpp - framework ops built from several kiln ops ---------===//

#include "frontends/common/Composites.h"

using namespace mlir;

namespace kiln {

static Type elementTypeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getElementType();
}

Value buildElu(NodeBuilder &nb, Value x, double alpha, double scale) {
  if (!x)
    return {};
  Type et = elementTypeOf(x);
  Value zero = nb.scalarConst(et, 0.0);
  Value negative = nb.create<MulOp>(
      nb.create<SubOp>(nb.create<ExpOp>(nb.create<MinOp>(x, zero)),
                       nb.scalarConst(et, 1.0)),
      nb.scalarConst(et, alpha));
  Value r = nb.create<SelectOp>(nb.create<GreaterOp>(x, zero), x, negative);
  return scale == 1.0 ? r : nb.create<MulOp>(r, nb.scalarConst(et, scale));
}

Value buildSoftplus(NodeBuilder &nb, Value x) {
  if (!x)
    return {};
  Type et = elementTypeOf(x);
  Value tail = nb.create<LogOp>(nb.create<AddOp>(
      nb.scalarConst(et, 1.0),
      nb.create<ExpOp>(nb.create<NegOp>(nb.create<AbsOp>(x)))));
  return nb.create<AddOp>(nb.create<MaxOp>(x, nb.scalarConst(et, 0.0)), tail);
}

Value buildLogSoftmax(NodeBuilder &nb, Value x, int64_t axis) {
  if (!x)
    return {};
  auto axes = nb.builder.getDenseI64ArrayAttr({axis});
  auto keep = nb.builder.getBoolAttr(true);
  Value shifted = nb.create<SubOp>(x, nb.create<ReduceMaxOp>(x, axes, keep));
  Value sum = nb.create<ReduceSumOp>(nb.create<ExpOp>(shifted), axes, keep);
  return nb.create<SubOp>(shifted, nb.create<LogOp>(sum));
}

Value buildAllAny(NodeBuilder &nb, Value x, ArrayRef<int64_t> axes,
                  bool keepdims, bool all) {
  if (!x)
    return {};
  auto t = cast<RankedTensorType>(x.getType());
  auto &b = nb.builder;
  // As 0/1 integers: any is a non-zero sum, all a zero sum of misses (so an
  // empty reduction gives false and true, as ONNX and numpy say).
  Value ints = nb.create<CastOp>(t.clone(b.getI32Type()), x);
  if (all && ints)
    ints = nb.create<SubOp>(nb.scalarConst(b.getI32Type(), 1.0), ints);
  Value r = nb.create<ReduceSumOp>(ints, b.getDenseI64ArrayAttr(axes),
                                   b.getBoolAttr(keepdims));
  if (!r)
    return {};
  r = nb.create<CastOp>(cast<RankedTensorType>(r.getType()).clone(b.getI1Type()),
                        r);
  return all ? nb.create<NotOp>(r) : r;
}

Value buildNumpyMatMul(NodeBuilder &nb, Value a, Value b) {
  auto at = cast<RankedTensorType>(a.getType());
  auto bt = cast<RankedTensorType>(b.getType());
  if (at.getRank() == 0 || bt.getRank() == 0) {
    nb.error() << "matmul operands must not be scalars";
    return {};
  }
  if (at.getRank() == 1)
    a = nb.reshape(a, {1, at.getDimSize(0)});
  if (bt.getRank() == 1)
    b = nb.reshape(b, {bt.getDimSize(0), 1});
  Value r = nb.create<MatMulOp>(a, b);
  if (!r)
    return {};
  SmallVector<int64_t> shape(cast<RankedTensorType>(r.getType()).getShape());
  if (bt.getRank() == 1)
    shape.pop_back();
  if (at.getRank() == 1)
    shape.erase(shape.end() - (bt.getRank() == 1 ? 1 : 2));
  return nb.reshape(r, shape);
}

Value buildMatMulAlong(NodeBuilder &nb, Value x, int64_t axis, Value m) {
  if (!x || !m)
    return {};
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  SmallVector<int64_t> perm, inverse(rank);
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis)
      perm.push_back(d);
  perm.push_back(axis);
  for (int64_t d = 0; d < rank; ++d)
    inverse[perm[d]] = d;
  auto &b = nb.builder;
  Value moved = nb.create<TransposeOp>(x, b.getDenseI64ArrayAttr(perm));
  Value y = moved ? buildNumpyMatMul(nb, moved, m) : Value();
  return y ? nb.create<TransposeOp>(y, b.getDenseI64ArrayAttr(inverse))
           : Value();
}

} // namespace kiln
