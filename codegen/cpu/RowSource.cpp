//===- RowSource.cpp - left-hand rows read from an NHWC image -------------===//

#include "codegen/cpu/RowSource.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"

using namespace mlir;

namespace kiln {

std::optional<RowSource> matchPaddedWidthRows(Value lhs) {
  auto collapse = lhs.getDefiningOp<tensor::CollapseShapeOp>();
  if (!collapse || collapse.getResultType().getRank() != 2)
    return std::nullopt;
  auto copy = collapse.getSrc().getDefiningOp<linalg::GenericOp>();
  if (!copy || copy.getNumDpsInputs() != 1 || copy.getNumDpsInits() != 1 ||
      copy.getNumLoops() != 4 || copy.getNumReductionLoops() != 0)
    return std::nullopt;
  Block &body = copy.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (body.getOperations().size() != 1 ||
      yield.getOperand(0) != body.getArgument(0))
    return std::nullopt;
  Value image = copy.getDpsInputs()[0];
  auto it = dyn_cast<RankedTensorType>(image.getType());
  auto ct = dyn_cast<RankedTensorType>(copy.getResultTypes()[0]);
  if (!it || !ct || it.getRank() != 2 || !it.hasStaticShape() ||
      !ct.hasStaticShape() || ct.getRank() != 4 ||
      ct.getDimSize(3) != it.getDimSize(1) ||
      collapse.getResultType().getDimSize(0) != ct.getDimSize(0))
    return std::nullopt;
  AffineMap in = copy.getIndexingMapsArray()[0];
  AffineMap out = copy.getIndexingMapsArray()[1];
  if (!out.isIdentity() || in.getNumResults() != 2)
    return std::nullopt;
  // The read is (d0 + kh * pitch + kw, d3): check it at the corners.
  MLIRContext *ctx = lhs.getContext();
  if (in.getResult(1) != getAffineDimExpr(3, ctx))
    return std::nullopt;
  int64_t m = ct.getDimSize(0), kh = ct.getDimSize(1), kw = ct.getDimSize(2);
  auto row = [&](int64_t q, int64_t i, int64_t j) {
    return in.compose(ArrayRef<int64_t>{q, i, j, 0})[0];
  };
  int64_t pitch = kh > 1 ? row(0, 1, 0) : kw;
  AffineExpr expected = getAffineDimExpr(0, ctx) +
                        getAffineDimExpr(1, ctx) * pitch +
                        getAffineDimExpr(2, ctx);
  if (simplifyAffineExpr(in.getResult(0) - expected, 4, 0) !=
      getAffineConstantExpr(0, ctx))
    return std::nullopt;
  // Every row read lies inside the image.
  if (row(m - 1, kh - 1, kw - 1) >= it.getDimSize(0))
    return std::nullopt;
  RowSource src;
  src.image = image;
  src.channels = it.getDimSize(1);
  src.windowWidth = kw;
  src.rowPitch = pitch;
  return src;
}

} // namespace kiln
