//===- DecomposePadsPass.cpp - the kiln-cpu-decompose-pads pass -----------===//
//
// A static constant pad whose innermost dim is not padded (NHWC) fills
// only its border; other pads take upstream's DecomposePadOpPattern (a
// fill of the whole tensor). See Passes.td.
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_KILNCPUDECOMPOSEPADS
#include "codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// Fills only the border of a statically shaped constant pad: per padded
/// dim d, a strip before and one after the source, spanning the source's
/// extent in the dims before d (their strips cover the rest) and the whole
/// padded extent in the dims after it; the source is then inserted into
/// the middle. Only when the innermost dim is not padded, so that each
/// strip is made of whole contiguous rows (NHWC: a border pixel is C
/// floats). In NCHW the left and right columns touch every row's cache
/// line anyway, and filling the whole tensor measured as fast.
struct FillPadBorder : OpRewritePattern<tensor::PadOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tensor::PadOp pad,
                                PatternRewriter &rewriter) const override {
    Value value = pad.getConstantPaddingValue();
    RankedTensorType st = pad.getSourceType(), pt = pad.getResultType();
    if (!value || !st.hasStaticShape() || !pt.hasStaticShape() ||
        !pad.getLow().empty() || !pad.getHigh().empty() || st.getRank() < 2 ||
        pad.getStaticLow().back() != 0 || pad.getStaticHigh().back() != 0)
      return rewriter.notifyMatchFailure(pad, "not a static row-wise pad");
    ArrayRef<int64_t> low = pad.getStaticLow(), high = pad.getStaticHigh();
    ArrayRef<int64_t> src = st.getShape(), full = pt.getShape();
    Location loc = pad.getLoc();
    int64_t rank = st.getRank();
    auto ofr = [&](ArrayRef<int64_t> v) {
      return getAsIndexOpFoldResult(rewriter.getContext(), v);
    };
    SmallVector<int64_t> ones(rank, 1);
    Value dest =
        tensor::EmptyOp::create(rewriter, loc, full, pt.getElementType());
    auto strip = [&](int64_t d, int64_t at, int64_t size) {
      if (size == 0)
        return;
      SmallVector<int64_t> offsets(rank, 0), sizes(full);
      for (int64_t i = 0; i < d; ++i) {
        offsets[i] = low[i];
        sizes[i] = src[i];
      }
      offsets[d] = at;
      sizes[d] = size;
      Value empty =
          tensor::EmptyOp::create(rewriter, loc, sizes, pt.getElementType());
      Value filled =
          linalg::FillOp::create(rewriter, loc, value, empty).getResult(0);
      dest = tensor::InsertSliceOp::create(rewriter, loc, filled, dest,
                                           ofr(offsets), ofr(sizes), ofr(ones));
    };
    for (int64_t d = 0; d < rank; ++d) {
      strip(d, 0, low[d]);
      strip(d, low[d] + src[d], high[d]);
    }
    rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(
        pad, pad.getSource(), dest, ofr(low), ofr(src), ofr(ones));
    return success();
  }
};

struct DecomposePadsPass : impl::KilnCpuDecomposePadsBase<DecomposePadsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FillPadBorder>(&getContext(), /*benefit=*/2);
    linalg::populateDecomposePadPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace kiln
