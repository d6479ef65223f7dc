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
  // The output's width: the first row that does not read pixel m (the
  // first of the next image row), and the image's width: where that row
  // reads.
  int64_t ow = 1;
  while (ow < m && row(ow, 0, 0) == ow)
    ++ow;
  int64_t pitch = ow < m ? row(ow, 0, 0) : kh > 1 ? row(0, 1, 0) : ow;
  // The read is ((d0 floordiv OW) * Wp + d0 mod OW + d1 * Wp + d2, d3).
  AffineExpr d0 = getAffineDimExpr(0, ctx);
  AffineExpr expected = d0.floorDiv(ow) * pitch + d0 % ow +
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
  src.rowWidth = ow;
  return src;
}

} // namespace kiln
