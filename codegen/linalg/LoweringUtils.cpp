//===- LoweringUtils.cpp - builders shared by kiln-to-linalg patterns -----===//
//
// See LoweringUtils.h.
//
//===----------------------------------------------------------------------===//

#include "codegen/linalg/LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Matchers.h"

#include <limits>

using namespace mlir;

namespace kiln {

Value retype(OpBuilder &b, Location loc, Value v, Type t) {
  if (v.getType() == t)
    return v;
  return UnrealizedConversionCastOp::create(b, loc, t, v).getResult(0);
}

Value scalarConstant(OpBuilder &b, Location loc, Type type, double value) {
  if (auto ft = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(ft, value));
  return arith::ConstantOp::create(b, loc,
                                   b.getIntegerAttr(type, int64_t(value)));
}

SmallVector<OpFoldResult> dimSizes(OpBuilder &b, Location loc, Value v) {
  return tensor::getMixedSizes(b, loc, v);
}

Value buildEmpty(OpBuilder &b, Location loc, RankedTensorType type,
                 ArrayRef<OpFoldResult> sizes) {
  SmallVector<Value> dynamic;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d)) {
      assert(size_t(d) < sizes.size() && "a dynamic dim needs its size");
      dynamic.push_back(getValueOrCreateConstantIndexOp(b, loc, sizes[d]));
    }
  return tensor::EmptyOp::create(b, loc, type, dynamic);
}

Value buildFilled(OpBuilder &b, Location loc, RankedTensorType type,
                  double value, ArrayRef<OpFoldResult> sizes) {
  Value empty = buildEmpty(b, loc, type, sizes);
  Value scalar = scalarConstant(b, loc, type.getElementType(), value);
  return linalg::FillOp::create(b, loc, scalar, empty).getResult(0);
}

/// The runtime function `symbol` when the module being built declares it.
static func::FuncOp runtimeFunction(OpBuilder &b, StringRef symbol) {
  Block *block = b.getInsertionBlock();
  Operation *anchor = block ? block->getParentOp() : nullptr;
  return anchor ? SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
                      anchor, b.getStringAttr(symbol))
                : func::FuncOp();
}

/// Emits `if (pred(a, c)) symbol(a, c)` when the module declares the
/// runtime function `symbol`; nothing otherwise.
static void reportDimsIf(OpBuilder &b, Location loc, StringRef symbol,
                         arith::CmpIPredicate pred, Value a, Value c) {
  func::FuncOp callee = runtimeFunction(b, symbol);
  if (!callee)
    return; // no runtime to report to (IR tests of the lowering alone)
  Value bad = arith::CmpIOp::create(b, loc, pred, a, c);
  scf::IfOp::create(b, loc, bad, [&](OpBuilder &tb, Location tl) {
    Value x = arith::IndexCastOp::create(tb, tl, tb.getI64Type(), a);
    Value y = arith::IndexCastOp::create(tb, tl, tb.getI64Type(), c);
    func::CallOp::create(tb, tl, callee, ValueRange{x, y});
    scf::YieldOp::create(tb, tl);
  });
}

void checkDimsAgree(OpBuilder &b, Location loc, Value a, Value c) {
  reportDimsIf(b, loc, kDimsDisagreeSymbol, arith::CmpIPredicate::ne, a, c);
}

void checkDimAtLeast(OpBuilder &b, Location loc, Value dim, Value least) {
  reportDimsIf(b, loc, kDimTooSmallSymbol, arith::CmpIPredicate::slt, dim,
               least);
}

void checkIndicesWithin(OpBuilder &b, Location loc, Value indices,
                        ArrayRef<Value> extents) {
  func::FuncOp callee = runtimeFunction(b, kIndexOutOfRangeSymbol);
  if (!callee || extents.empty())
    return; // no runtime to report to (the GPU target, IR tests)
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  SmallVector<Value> lbs, ubs, steps;
  for (OpFoldResult size : dimSizes(b, loc, indices)) {
    lbs.push_back(zero);
    ubs.push_back(getValueOrCreateConstantIndexOp(b, loc, size));
    steps.push_back(one);
  }
  Type i64 = b.getI64Type();
  scf::buildLoopNest(b, loc, lbs, ubs, steps,
                     [&](OpBuilder &lb, Location l, ValueRange ivs) {
    Value raw = tensor::ExtractOp::create(lb, l, indices, ivs);
    Value v = raw.getType() == i64
                  ? raw
                  : arith::ExtSIOp::create(lb, l, i64, raw).getResult();
    Value extent = extents.front();
    for (size_t j = 1; j < extents.size(); ++j) {
      Value here = arith::CmpIOp::create(
          lb, l, arith::CmpIPredicate::eq, ivs.back(),
          arith::ConstantIndexOp::create(lb, l, int64_t(j)));
      extent = arith::SelectOp::create(lb, l, here, extents[j], extent);
    }
    Value ext = arith::IndexCastOp::create(lb, l, i64, extent);
    Value lowest = arith::SubIOp::create(
        lb, l, arith::ConstantIntOp::create(lb, l, i64, 0), ext);
    Value below = arith::CmpIOp::create(lb, l, arith::CmpIPredicate::slt, v,
                                        lowest);
    Value above = arith::CmpIOp::create(lb, l, arith::CmpIPredicate::sge, v,
                                        ext);
    Value bad = arith::OrIOp::create(lb, l, below, above);
    scf::IfOp::create(lb, l, bad, [&](OpBuilder &tb, Location tl) {
      func::CallOp::create(tb, tl, callee, ValueRange{v, ext});
      scf::YieldOp::create(tb, tl);
    });
  });
}

Value buildElementwise(OpBuilder &b, Location loc, RankedTensorType resultType,
                       ValueRange operands, ScalarFn body,
                       ArrayRef<OpFoldResult> givenSizes) {
  int64_t rank = resultType.getRank();
  SmallVector<AffineMap> maps;
  for (Value v : operands) {
    auto t = cast<RankedTensorType>(v.getType());
    SmallVector<AffineExpr> exprs;
    int64_t lead = rank - t.getRank();
    for (int64_t d = 0; d < t.getRank(); ++d)
      exprs.push_back(t.getDimSize(d) == 1 && resultType.getDimSize(lead + d) != 1
                          ? b.getAffineConstantExpr(0)
                          : b.getAffineDimExpr(lead + d));
    maps.push_back(AffineMap::get(rank, 0, exprs, b.getContext()));
  }
  maps.push_back(b.getMultiDimIdentityMap(rank));
  // A dynamic result dim takes its size from an operand that is not
  // broadcast along it; other operands with a dynamic dim there must match
  // it at run time (a dynamic dim is never broadcast).
  SmallVector<OpFoldResult> sizes(givenSizes);
  sizes.resize(rank);
  for (int64_t d = 0; d < rank; ++d) {
    if (!resultType.isDynamicDim(d) || sizes[d])
      continue;
    for (Value v : operands) {
      auto t = cast<RankedTensorType>(v.getType());
      int64_t od = d - (rank - t.getRank());
      if (od < 0 || t.getDimSize(od) == 1)
        continue;
      Value dim = tensor::DimOp::create(b, loc, v, od);
      if (!sizes[d])
        sizes[d] = dim;
      else if (t.isDynamicDim(od))
        checkDimsAgree(b, loc, cast<Value>(sizes[d]), dim);
    }
  }
  Value init = buildEmpty(b, loc, resultType, sizes);
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, operands, init, maps, iters,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value r = body(nb, nl, args.drop_back());
        linalg::YieldOp::create(nb, nl, r);
      });
  return generic.getResult(0);
}

Value indexWithin(OpBuilder &b, Location l, Value raw, Value extent) {
  Value i = arith::IndexCastOp::create(b, l, b.getIndexType(), raw);
  Value zero = arith::ConstantIndexOp::create(b, l, 0);
  Value one = arith::ConstantIndexOp::create(b, l, 1);
  Value neg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, i, zero);
  i = arith::SelectOp::create(b, l, neg, arith::AddIOp::create(b, l, i, extent), i);
  i = arith::MaxSIOp::create(b, l, i, zero);
  return arith::MinSIOp::create(b, l, i, arith::SubIOp::create(b, l, extent, one));
}

Value buildReduction(OpBuilder &b, Location loc, Value input,
                     ArrayRef<int64_t> axes, ReduceKind kind) {
  auto in = cast<RankedTensorType>(input.getType());
  Type et = in.getElementType();
  SmallVector<int64_t> outShape;
  SmallVector<OpFoldResult> outSizes;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iters;
  SmallVector<OpFoldResult> inSizes = dimSizes(b, loc, input);
  for (int64_t d = 0; d < in.getRank(); ++d) {
    bool reduced = llvm::is_contained(axes, d);
    iters.push_back(reduced ? utils::IteratorType::reduction
                            : utils::IteratorType::parallel);
    if (!reduced) {
      outShape.push_back(in.getDimSize(d));
      outSizes.push_back(inSizes[d]);
      outExprs.push_back(b.getAffineDimExpr(d));
    }
  }
  auto outType = RankedTensorType::get(outShape, et);
  bool isFloat = isa<FloatType>(et);
  double inf = std::numeric_limits<double>::infinity();
  double init = 0.0;
  switch (kind) {
  case ReduceKind::Sum: init = 0.0; break;
  case ReduceKind::Prod: init = 1.0; break;
  case ReduceKind::Max:
    init = isFloat ? -inf : -std::ldexp(1.0, int(et.getIntOrFloatBitWidth()) - 1);
    break;
  case ReduceKind::Min:
    init = isFloat ? inf : std::ldexp(1.0, int(et.getIntOrFloatBitWidth()) - 1) - 1;
    break;
  }
  Value acc = buildFilled(b, loc, outType, init, outSizes);
  SmallVector<AffineMap> maps = {
      b.getMultiDimIdentityMap(in.getRank()),
      AffineMap::get(in.getRank(), 0, outExprs, b.getContext())};
  auto generic = linalg::GenericOp::create(
      b, loc, outType, input, acc, maps, iters,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value x = args[0], acc = args[1], r;
        switch (kind) {
        case ReduceKind::Sum:
          r = isFloat ? arith::AddFOp::create(nb, nl, x, acc).getResult()
                      : arith::AddIOp::create(nb, nl, x, acc).getResult();
          break;
        case ReduceKind::Prod:
          r = isFloat ? arith::MulFOp::create(nb, nl, x, acc).getResult()
                      : arith::MulIOp::create(nb, nl, x, acc).getResult();
          break;
        case ReduceKind::Max:
          r = isFloat ? arith::MaximumFOp::create(nb, nl, x, acc).getResult()
                      : arith::MaxSIOp::create(nb, nl, x, acc).getResult();
          break;
        case ReduceKind::Min:
          r = isFloat ? arith::MinimumFOp::create(nb, nl, x, acc).getResult()
                      : arith::MinSIOp::create(nb, nl, x, acc).getResult();
          break;
        }
        linalg::YieldOp::create(nb, nl, r);
      });
  return generic.getResult(0);
}

/// Dims of `shape` as OpFoldResults: static ones as attributes, dynamic
/// ones from `sizes`.
static SmallVector<OpFoldResult> mixedShape(OpBuilder &b,
                                            ArrayRef<int64_t> shape,
                                            ArrayRef<OpFoldResult> sizes) {
  SmallVector<OpFoldResult> out;
  for (auto [d, n] : llvm::enumerate(shape))
    out.push_back(ShapedType::isDynamic(n) ? sizes[d]
                                           : OpFoldResult(b.getIndexAttr(n)));
  return out;
}

/// Expands `input` to `outType` along `groups`, with explicit sizes when
/// given, else inferred.
static Value expandTo(OpBuilder &b, Location loc, RankedTensorType outType,
                      Value input, ArrayRef<ReassociationIndices> groups,
                      ArrayRef<OpFoldResult> sizes) {
  if (!sizes.empty())
    return tensor::ExpandShapeOp::create(
        b, loc, outType, input, groups,
        mixedShape(b, outType.getShape(), sizes));
  FailureOr<SmallVector<OpFoldResult>> inferred =
      tensor::ExpandShapeOp::inferOutputShape(b, loc, outType, groups,
                                              dimSizes(b, loc, input));
  if (failed(inferred))
    return {};
  return tensor::ExpandShapeOp::create(b, loc, outType, input, groups,
                                       *inferred);
}

Value buildReshape(OpBuilder &b, Location loc, Value input,
                   ArrayRef<int64_t> shape, ArrayRef<OpFoldResult> sizes) {
  auto in = cast<RankedTensorType>(input.getType());
  if (in.getShape() == shape)
    return input;
  auto outType = RankedTensorType::get(shape, in.getElementType());
  if (in.getRank() == 0 || shape.empty()) {
    // rank-0 <-> all-ones shapes: a single empty reassociation.
    if (in.getRank() == 0)
      return tensor::ExpandShapeOp::create(b, loc, outType, input,
                                           ArrayRef<ReassociationIndices>{});
    return tensor::CollapseShapeOp::create(b, loc, outType, input,
                                           ArrayRef<ReassociationIndices>{});
  }
  // Dims kept through a reassociation stay dims (a dynamic batch survives
  // a flatten of the others).
  if (shape.size() < size_t(in.getRank()))
    if (auto groups = getReassociationIndicesForReshape(in, outType))
      return tensor::CollapseShapeOp::create(b, loc, outType, input, *groups);
  if (shape.size() > size_t(in.getRank()))
    if (auto groups = getReassociationIndicesForReshape(outType, in))
      if (Value v = expandTo(b, loc, outType, input, *groups, sizes))
        return v;
  Value flat = input;
  if (in.getRank() > 1) {
    ReassociationIndices all;
    for (int64_t d = 0; d < in.getRank(); ++d)
      all.push_back(d);
    int64_t n = in.hasStaticShape() ? in.getNumElements() : ShapedType::kDynamic;
    flat = tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get({n}, in.getElementType()), input,
        ArrayRef<ReassociationIndices>{all});
  }
  if (shape.size() == 1) {
    if (flat.getType() == outType)
      return flat;
    return tensor::CastOp::create(b, loc, outType, flat);
  }
  // One group with several dynamic dims is valid IR, but MLIR 22's
  // expand-strided-metadata crashes on it: report the reshape instead.
  if (llvm::count(shape, ShapedType::kDynamic) > 1)
    return {};
  ReassociationIndices all;
  for (size_t d = 0; d < shape.size(); ++d)
    all.push_back(d);
  return expandTo(b, loc, outType, flat, ArrayRef<ReassociationIndices>{all},
                  sizes);
}

ElementsAttr matchReshapedConstant(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (!isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(def))
      break;
    v = def->getOperand(0);
  }
  ElementsAttr attr;
  if (matchPattern(v, m_Constant(&attr)))
    return attr;
  return {};
}

} // namespace kiln
