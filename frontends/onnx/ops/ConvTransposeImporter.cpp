//===- ConvTransposeImporter.cpp - ONNX ConvTranspose and Col2Im ----------===//
//
// A transposed convolution with stride s equals a stride-1 convolution
// over the input with s - 1 zeros inserted between samples, padded by
// dilation * (kernel - 1) minus the transposed conv's own pads (plus
// output_padding at the end), with the filter's in/out channels swapped per
// group and its taps reversed. A negative pad of that convolution crops
// the input instead. 1-D to 3-D, through the same N-D conv as Conv.
// Col2Im, the other adjoint of a convolution's window, gathers blocks back
// into an image.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/ops/ConvWindow.h"

#include <numeric>

using namespace mlir;

namespace kiln::onnx_frontend {
namespace {

using Out = SmallVectorImpl<Value>;

/// floor(a / 2) for negative a too (ONNX's reference uses Python's //).
int64_t halfDown(int64_t a) { return a >= 0 ? a / 2 : -((-a + 1) / 2); }

/// `x` [N, C, S...] with s_i - 1 zeros between neighbours along each
/// spatial dim i: viewed as [N, C, S1, 1, S2, 1, ...], padded at the end of
/// the size-1 dims to s_i, merged, and the trailing zeros sliced off.
Value insertZeros(NodeContext &nc, Value x, ArrayRef<int64_t> strides) {
  if (llvm::all_of(strides, [](int64_t s) { return s == 1; }))
    return x;
  ArrayRef<int64_t> shape = tensorTypeOf(x).getShape();
  size_t n = strides.size();
  SmallVector<int64_t> split(shape.take_front(2)), merged(shape.take_front(2)),
      kept(shape.take_front(2));
  SmallVector<int64_t> pads(2 * (2 + 2 * n), 0);
  for (size_t i = 0; i < n; ++i) {
    int64_t len = shape[2 + i];
    split.append({len, 1});
    pads[(2 + 2 * n) + 2 + 2 * i + 1] = strides[i] - 1;
    merged.push_back(len * strides[i]);
    kept.push_back((len - 1) * strides[i] + 1);
  }
  auto &b = nc.builder;
  Value spread = nc.create<PadOp>(nc.reshape(x, split),
                                  b.getDenseI64ArrayAttr(pads),
                                  b.getF64FloatAttr(0.0));
  if (!spread)
    return {};
  return nc.slice(nc.reshape(spread, merged), SmallVector<int64_t>(kept.size(), 0), kept, SmallVector<int64_t>(kept.size(), 1));
}

/// The ConvTranspose filter [C, M/g, K...] as a conv filter [M, C/g, K...]
/// with every tap reversed.
Value convFilter(NodeContext &nc, Value w, int64_t group) {
  ArrayRef<int64_t> s = tensorTypeOf(w).getShape();
  int64_t c = s[0], mg = s[1];
  SmallVector<int64_t> grouped = {group, c / group, mg};
  grouped.append(s.begin() + 2, s.end());
  SmallVector<int64_t> perm = {0, 2, 1};
  for (size_t d = 3; d < grouped.size(); ++d)
    perm.push_back(d);
  w = nc.transpose(nc.reshape(w, grouped), perm);
  SmallVector<int64_t> filterShape = {group * mg, c / group};
  filterShape.append(s.begin() + 2, s.end());
  w = nc.reshape(w, filterShape);
  for (size_t d = 2; d < s.size() && w; ++d) {
    std::vector<int64_t> reversed(s[d]);
    std::iota(reversed.rbegin(), reversed.rend(), 0);
    w = nc.create<GatherOp>(w, nc.i64Const(reversed),
                            nc.builder.getI64IntegerAttr(d));
  }
  return w;
}

LogicalResult importConvTranspose(NodeContext &nc, Out &out) {
  RankedTensorType xt = nc.inputType(0), wt = nc.inputType(1);
  int64_t n = xt.getRank() - 2;
  if (n < 1 || n > 3 || wt.getRank() != xt.getRank())
    return nc.error() << "only 1-D, 2-D and 3-D ConvTranspose is supported, "
                         "got input " << xt << " and filter " << wt;
  if (!xt.hasStaticShape() || !wt.hasStaticShape())
    return nc.error() << "ConvTranspose needs static shapes, got " << xt;
  int64_t group = nc.intAttr("group", 1);
  if (group < 1 || wt.getDimSize(0) != xt.getDimSize(1) ||
      wt.getDimSize(0) % group)
    return nc.error() << "the filter's first dim must be the input channels, "
                         "a multiple of group";
  Window w;
  w.kernel.assign(wt.getShape().begin() + 2, wt.getShape().end());
  w.strides = intsOr(nc, "strides", n);
  w.dilations = intsOr(nc, "dilations", n);
  SmallVector<int64_t> outPad(n, 0);
  if (auto p = nc.intsAttr("output_padding"))
    outPad.assign(p->begin(), p->end());
  SmallVector<int64_t> pads(2 * n, 0);
  if (auto p = nc.intsAttr("pads"))
    pads.assign(p->begin(), p->end());
  if (w.strides.size() != size_t(n) || w.dilations.size() != size_t(n) ||
      outPad.size() != size_t(n) || pads.size() != size_t(2 * n))
    return nc.error() << "strides, dilations and output_padding need " << n
                      << " values and pads " << 2 * n;
  std::string autoPad = nc.stringAttr("auto_pad", "NOTSET");
  auto outputShape = nc.intsAttr("output_shape");
  if (outputShape && outputShape->size() != size_t(n))
    return nc.error() << "output_shape needs " << n << " values";
  for (int64_t i = 0; i < n; ++i) {
    int64_t in = xt.getDimSize(2 + i), s = w.strides[i];
    int64_t full = s * (in - 1) + outPad[i] + (w.kernel[i] - 1) * w.dilations[i] + 1;
    bool same = autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER";
    if (outputShape || same) {
      int64_t total = full - (outputShape ? (*outputShape)[i] : in * s);
      bool upper = autoPad == "SAME_UPPER";
      pads[i] = upper ? halfDown(total) : total - halfDown(total);
      pads[i + n] = total - pads[i];
    } else if (autoPad == "VALID") {
      pads[i] = pads[i + n] = 0;
    } else if (autoPad != "NOTSET") {
      return nc.error() << "unknown auto_pad '" << autoPad << "'";
    }
  }
  // The equivalent convolution's pads; where negative, crop the input.
  Value x = insertZeros(nc, nc.input(0), w.strides);
  if (!x)
    return failure();
  ArrayRef<int64_t> spread = tensorTypeOf(x).getShape();
  SmallVector<int64_t> offsets(2 + n, 0), sizes(spread), ones(2 + n, 1);
  w.pads.assign(2 * n, 0);
  bool crop = false;
  for (int64_t i = 0; i < n; ++i) {
    int64_t reach = w.dilations[i] * (w.kernel[i] - 1);
    int64_t begin = reach - pads[i], end = reach - pads[i + n] + outPad[i];
    if (begin < 0) {
      offsets[2 + i] = -begin;
      sizes[2 + i] += begin;
      crop = true;
    }
    if (end < 0) {
      sizes[2 + i] += end;
      crop = true;
    }
    if (sizes[2 + i] < 1)
      return nc.error() << "ConvTranspose pads remove the whole output";
    w.pads[i] = std::max<int64_t>(begin, 0);
    w.pads[i + n] = std::max<int64_t>(end, 0);
  }
  auto &b = nc.builder;
  if (crop)
    x = nc.slice(x, offsets, sizes, ones);
  w.strides.assign(n, 1);
  Value filter = convFilter(nc, nc.input(1), group);
  if (!x || !filter)
    return failure();
  out.push_back(buildConv(nc, x, filter, nc.input(2), w, group));
  return success(bool(out.back()));
}

/// Col2Im(input [N, C * prod(block), L], image_shape, block_shape): the
/// blocks (columns) summed back into an image, im2col's adjoint. Each
/// padded-image pixel is covered by at most one block per kernel offset,
/// so it gathers prod(block) entries of the flattened input (a zero where
/// no block covers it), sums them, and the pads are cut off.
LogicalResult importCol2Im(NodeContext &nc, Out &out) {
  RankedTensorType t = nc.inputType(0);
  auto image = nc.constInts(1), block = nc.constInts(2);
  if (!t.hasStaticShape() || t.getRank() != 3 || !image || !block ||
      image->size() != block->size() || image->empty())
    return nc.error() << "Col2Im needs a static [N, C*K, L] input and "
                         "constant image and block shapes of one length";
  size_t n = image->size();
  auto attr = [&](StringRef name, int64_t dflt, size_t len) {
    auto v = nc.intsAttr(name);
    return v ? SmallVector<int64_t>(v->begin(), v->end())
             : SmallVector<int64_t>(len, dflt);
  };
  SmallVector<int64_t> dil = attr("dilations", 1, n), str = attr("strides", 1, n),
                       pads = attr("pads", 0, 2 * n);
  if (dil.size() != n || str.size() != n || pads.size() != 2 * n)
    return nc.error() << "Col2Im attributes need one value per image dim";
  int64_t k = 1, blocks = 1, pixels = 1;
  SmallVector<int64_t> count(n), padded(n);
  for (size_t d = 0; d < n; ++d) {
    padded[d] = (*image)[d] + pads[d] + pads[n + d];
    count[d] = (padded[d] - dil[d] * ((*block)[d] - 1) - 1) / str[d] + 1;
    if (count[d] < 1 || (*block)[d] < 1)
      return nc.error() << "Col2Im blocks do not fit the image";
    k *= (*block)[d];
    blocks *= count[d];
    pixels *= padded[d];
  }
  int64_t batch = t.getDimSize(0), rows = t.getDimSize(1);
  if (rows % k || t.getDimSize(2) != blocks || pixels * k > (int64_t(1) << 26))
    return nc.error() << "Col2Im input " << t << " does not hold " << blocks
                      << " blocks of " << k << " elements per channel";
  int64_t channels = rows / k, sentinel = k * blocks;
  // source[pixel][offset]: the flat input (offset * blocks + block index)
  // landing on the pixel from that kernel offset, or the zero sentinel.
  std::vector<int64_t> source(pixels * k, sentinel);
  for (int64_t off = 0; off < k; ++off)
    for (int64_t b = 0; b < blocks; ++b) {
      int64_t pixel = 0;
      for (size_t d = 0, ro = off, rb = b; d < n; ++d) {
        // Row-major: the first dim varies slowest.
        int64_t innerK = 1, innerB = 1;
        for (size_t e = d + 1; e < n; ++e) {
          innerK *= (*block)[e];
          innerB *= count[e];
        }
        int64_t ko = ro / innerK, bo = rb / innerB;
        ro %= innerK;
        rb %= innerB;
        pixel = pixel * padded[d] + bo * str[d] + ko * dil[d];
      }
      source[pixel * k + off] = off * blocks + b;
    }
  Value flat = nc.create<PadOp>(
      nc.reshape(nc.input(0), {batch, channels, k * blocks}),
      nc.builder.getDenseI64ArrayAttr({0, 0, 0, 0, 0, 1}),
      nc.builder.getF64FloatAttr(0.0));
  Value picked = nc.create<GatherOp>(
      flat, nc.reshape(nc.i64Const(source), {pixels, k}),
      nc.builder.getI64IntegerAttr(2));
  Value sum = nc.create<ReduceSumOp>(picked, nc.builder.getDenseI64ArrayAttr({3}),
                                     nc.builder.getBoolAttr(false));
  SmallVector<int64_t> shape{batch, channels}, offsets(n + 2, 0),
      sizes{batch, channels};
  shape.append(padded.begin(), padded.end());
  for (size_t d = 0; d < n; ++d) {
    offsets[2 + d] = pads[d];
    sizes.push_back((*image)[d]);
  }
  out.push_back(nc.slice(nc.reshape(sum, shape), offsets, sizes));
  return success(bool(out.back()));
}

} // namespace

void registerConvTransposeImporters(ImporterRegistry &r) {
  r["ConvTranspose"] = importConvTranspose;
  r["Col2Im"] = importCol2Im;
}

} // namespace kiln::onnx_frontend
