//===- GatherTable.cpp - convolution operands read through offset tables -===//

#include "codegen/gpu/GatherTable.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinTypes.h"

#include <optional>

using namespace mlir;

namespace kiln {
namespace {

/// `e` as (the terms reading only `kDims`, the other terms), when it is a
/// sum of terms that each read one group only.
std::optional<std::pair<AffineExpr, AffineExpr>>
splitSum(AffineExpr e, ArrayRef<unsigned> kDims, unsigned numDims) {
  MLIRContext *ctx = e.getContext();
  AffineExpr zero = getAffineConstantExpr(0, ctx);
  if (e.getKind() == AffineExprKind::Add) {
    auto sum = cast<AffineBinaryOpExpr>(e);
    auto lhs = splitSum(sum.getLHS(), kDims, numDims);
    auto rhs = splitSum(sum.getRHS(), kDims, numDims);
    if (!lhs || !rhs)
      return std::nullopt;
    return std::make_pair(lhs->first + rhs->first, lhs->second + rhs->second);
  }
  bool readsK = false, readsOther = false;
  for (unsigned d = 0; d < numDims; ++d)
    if (e.isFunctionOfDim(d))
      (llvm::is_contained(kDims, d) ? readsK : readsOther) = true;
  if (readsK && readsOther)
    return std::nullopt;
  return readsK ? std::make_pair(e, zero) : std::make_pair(zero, e);
}

} // namespace

FailureOr<GatherTable> planGatherTable(OpBuilder &b, Location loc,
                                       Value operand, AffineMap map,
                                       ArrayRef<unsigned> kDims) {
  auto type = dyn_cast<MemRefType>(operand.getType());
  if (!type || type.getRank() == 0)
    return failure();
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)) ||
      llvm::any_of(strides, ShapedType::isDynamic))
    return failure();
  MLIRContext *ctx = b.getContext();
  GatherTable table;
  table.base = getAffineConstantExpr(0, ctx);
  table.offset = getAffineConstantExpr(0, ctx);
  bool mixed = false;
  for (auto [i, result] : llvm::enumerate(map.getResults())) {
    auto parts = splitSum(result, kDims, map.getNumDims());
    if (!parts)
      return failure();
    mixed |= !parts->first.isSymbolicOrConstant() &&
             !parts->second.isSymbolicOrConstant();
    table.offset = table.offset + parts->first * strides[i];
    table.base = table.base + parts->second * strides[i];
  }
  if (!mixed)
    return failure();
  // The view: the operand's underlying buffer from its own offset on, as
  // far as its last element.
  auto meta = memref::ExtractStridedMetadataOp::create(b, loc, operand);
  Value extent = arith::ConstantIndexOp::create(b, loc, 1);
  for (unsigned i = 0; i < strides.size(); ++i) {
    Value last = arith::SubIOp::create(
        b, loc, meta.getSizes()[i], arith::ConstantIndexOp::create(b, loc, 1));
    extent = arith::AddIOp::create(
        b, loc, extent,
        arith::MulIOp::create(
            b, loc, last, arith::ConstantIndexOp::create(b, loc, strides[i])));
  }
  auto viewType = MemRefType::get(
      {ShapedType::kDynamic}, type.getElementType(),
      StridedLayoutAttr::get(ctx, ShapedType::kDynamic, {1}),
      type.getMemorySpace());
  table.view = memref::ReinterpretCastOp::create(
      b, loc, viewType, meta.getBaseBuffer(), OpFoldResult(meta.getOffset()),
      ArrayRef<OpFoldResult>{extent}, ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
  return table;
}

} // namespace kiln
