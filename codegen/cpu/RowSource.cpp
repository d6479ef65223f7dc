//===- RowSource.cpp - left-hand rows read from an NHWC image -------------===//

#include "codegen/cpu/RowSource.h"
#include "codegen/cpu/PanelSource.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"

using namespace mlir;

namespace kiln {

std::optional<RowSource> matchImageRows(Value lhs) {
  linalg::GenericOp copy = matchIm2colCopy(lhs);
  if (!copy)
    return std::nullopt;
  auto collapse = lhs.getDefiningOp<tensor::CollapseShapeOp>();
  Value image = copy.getDpsInputs()[0];
  auto it = cast<RankedTensorType>(image.getType());
  auto ct = cast<RankedTensorType>(copy.getResultTypes()[0]);
  if (ct.getDimSize(3) != it.getDimSize(1) ||
      collapse.getResultType().getDimSize(0) != ct.getDimSize(0))
    return std::nullopt;
  AffineMap in = copy.getIndexingMapsArray()[0];
  MLIRContext *ctx = lhs.getContext();
  if (in.getResult(1) != getAffineDimExpr(3, ctx))
    return std::nullopt;
  int64_t m = ct.getDimSize(0), kh = ct.getDimSize(1), kw = ct.getDimSize(2);
  auto row = [&](int64_t q, int64_t i, int64_t j) {
    return in.compose(ArrayRef<int64_t>{q, i, j, 0})[0];
  };
  if (m < 3)
    return std::nullopt;
  // The column step, then the output's width (the first row that does not
  // continue the first row's steps) and the row step (where that row
  // reads).
  int64_t colStep = row(1, 0, 0);
  int64_t ow = 1;
  while (ow < m && row(ow, 0, 0) == ow * colStep)
    ++ow;
  if (ow < 2 || ow == m)
    return std::nullopt;
  int64_t rowStep = row(ow, 0, 0);
  int64_t tapRowStep = kh > 1 ? row(0, 1, 0) : 0;
  int64_t tapColStep = kw > 1 ? row(0, 0, 1) : 0;
  AffineExpr d0 = getAffineDimExpr(0, ctx);
  AffineExpr expected = d0.floorDiv(ow) * rowStep + (d0 % ow) * colStep +
                        getAffineDimExpr(1, ctx) * tapRowStep +
                        getAffineDimExpr(2, ctx) * tapColStep;
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
  src.rowWidth = ow;
  src.rowStep = rowStep;
  src.colStep = colStep;
  src.tapRowStep = tapRowStep;
  src.tapColStep = tapColStep;
  return src;
}

} // namespace kiln
