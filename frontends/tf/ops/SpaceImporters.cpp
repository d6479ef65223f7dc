//===- SpaceImporters.cpp - TensorFlow ops that rearrange space -----------===//
//
// DepthToSpace/SpaceToDepth and SpaceToBatchND/BatchToSpaceND (the
// dilated-convolution pattern) as reshapes and transposes; MirrorPad and
// ResizeNearestNeighbor as gathers of constant indices along each dim.
// Shapes, block sizes and paddings must be static.
//
//===----------------------------------------------------------------------===//

#include "frontends/tf/TfNodeContext.h"

#include <cmath>

using namespace mlir;

namespace kiln::tf_frontend {

static Value transpose(TfNodeContext &nc, Value x, ArrayRef<int64_t> perm) {
  return nc.create<TransposeOp>(x, nc.builder.getDenseI64ArrayAttr(perm));
}

/// DepthToSpace (NHWC, DCR order): [N,H,W,b*b*C] -> [N,H*b,W*b,C], and
/// SpaceToDepth, its inverse: a reshape, a transpose and a reshape.
static LogicalResult importDepthSpace(TfNodeContext &nc,
                                      SmallVectorImpl<Value> &out) {
  bool toSpace = nc.node.op() == "DepthToSpace";
  auto t = nc.inputType(0);
  int64_t bs = nc.intAttr("block_size", 0);
  if (nc.channelsFirst() || t.getRank() != 4 || !t.hasStaticShape() || bs < 1)
    return nc.error() << nc.node.op() << " needs a static NHWC input and a "
                      << "block_size of 1 or more";
  int64_t n = t.getDimSize(0), h = t.getDimSize(1), w = t.getDimSize(2),
          c = t.getDimSize(3);
  if (toSpace ? c % (bs * bs) != 0 : (h % bs != 0 || w % bs != 0))
    return nc.error() << nc.node.op() << " block_size " << bs
                      << " does not divide " << t;
  Value x;
  if (toSpace) {
    x = nc.reshape(nc.input(0), {n, h, w, bs, bs, c / (bs * bs)});
    x = transpose(nc, x, {0, 1, 3, 2, 4, 5});
    out.push_back(nc.reshape(x, {n, h * bs, w * bs, c / (bs * bs)}));
  } else {
    x = nc.reshape(nc.input(0), {n, h / bs, bs, w / bs, bs, c});
    x = transpose(nc, x, {0, 1, 3, 2, 4, 5});
    out.push_back(nc.reshape(x, {n, h / bs, w / bs, bs * bs * c}));
  }
  return success(bool(out.back()));
}

/// SpaceToBatchND (pad the M spatial dims, then move each block offset to
/// the batch) and BatchToSpaceND (the inverse, then crop), with constant
/// block_shape [M] and paddings/crops [M, 2]: batch index = offset *
/// batch + image, as TensorFlow orders it.
static LogicalResult importSpaceBatch(TfNodeContext &nc,
                                      SmallVectorImpl<Value> &out) {
  bool toBatch = nc.node.op() == "SpaceToBatchND";
  auto t = nc.inputType(0);
  auto block = nc.constInts(1), edges = nc.constInts(2);
  int64_t m = block ? int64_t(block->size()) : 0, rank = t.getRank();
  if (!block || !edges || int64_t(edges->size()) != 2 * m || m < 1 ||
      rank < m + 1 || !t.hasStaticShape())
    return nc.error() << nc.node.op() << " needs a static input and constant "
                      << "block_shape and " << (toBatch ? "paddings" : "crops");
  int64_t blocks = 1;
  for (int64_t b : *block) {
    if (b < 1)
      return nc.error() << nc.node.op() << " block size " << b << " < 1";
    blocks *= b;
  }
  for (int64_t e : *edges)
    if (e < 0)
      return nc.error() << nc.node.op() << " with negative edges";
  Value x = nc.input(0);
  SmallVector<int64_t> dims(t.getShape());
  int64_t rest = rank - 1 - m;
  if (toBatch) {
    SmallVector<int64_t> pads(2 * rank, 0);
    for (int64_t i = 0; i < m; ++i) {
      pads[1 + i] = (*edges)[2 * i];
      pads[rank + 1 + i] = (*edges)[2 * i + 1];
      dims[1 + i] += (*edges)[2 * i] + (*edges)[2 * i + 1];
      if (dims[1 + i] % (*block)[i] != 0)
        return nc.error() << "SpaceToBatchND: padded dim " << dims[1 + i]
                          << " does not divide by block " << (*block)[i];
    }
    if (llvm::any_of(pads, [](int64_t p) { return p != 0; }))
      x = nc.create<PadOp>(x, nc.builder.getDenseI64ArrayAttr(pads),
                           nc.builder.getF64FloatAttr(0.0));
    // [B, s1/b1, b1, ..., rest] -> [b1, ..., B, s1/b1, ..., rest].
    SmallVector<int64_t> split{dims[0]}, perm, result{dims[0] * blocks};
    for (int64_t i = 0; i < m; ++i) {
      split.append({dims[1 + i] / (*block)[i], (*block)[i]});
      result.push_back(dims[1 + i] / (*block)[i]);
    }
    for (int64_t r = 0; r < rest; ++r) {
      split.push_back(dims[1 + m + r]);
      result.push_back(dims[1 + m + r]);
    }
    for (int64_t i = 0; i < m; ++i)
      perm.push_back(2 + 2 * i);
    perm.push_back(0);
    for (int64_t i = 0; i < m; ++i)
      perm.push_back(1 + 2 * i);
    for (int64_t r = 0; r < rest; ++r)
      perm.push_back(1 + 2 * m + r);
    x = transpose(nc, nc.reshape(x, split), perm);
    out.push_back(nc.reshape(x, result));
    return success(bool(out.back()));
  }
  if (dims[0] % blocks != 0)
    return nc.error() << "BatchToSpaceND: batch " << dims[0]
                      << " does not divide by the " << blocks << " blocks";
  // [b1, ..., B, s1, ..., rest] -> [B, s1, b1, ..., rest], then crop.
  int64_t batch = dims[0] / blocks;
  SmallVector<int64_t> split(block->begin(), block->end()), perm{m}, merged{batch};
  split.push_back(batch);
  for (int64_t i = 0; i < m; ++i) {
    split.push_back(dims[1 + i]);
    perm.append({m + 1 + i, i});
    merged.push_back(dims[1 + i] * (*block)[i]);
  }
  for (int64_t r = 0; r < rest; ++r) {
    split.push_back(dims[1 + m + r]);
    perm.push_back(1 + 2 * m + r);
    merged.push_back(dims[1 + m + r]);
  }
  x = nc.reshape(transpose(nc, nc.reshape(x, split), perm), merged);
  SmallVector<int64_t> offsets(rank, 0), sizes(merged), strides(rank, 1);
  for (int64_t i = 0; i < m; ++i) {
    offsets[1 + i] = (*edges)[2 * i];
    sizes[1 + i] -= (*edges)[2 * i] + (*edges)[2 * i + 1];
    if (sizes[1 + i] < 0)
      return nc.error() << "BatchToSpaceND crops more than dim " << 1 + i
                        << " holds";
  }
  if (sizes != merged)
    x = nc.create<SliceOp>(x, nc.builder.getDenseI64ArrayAttr(offsets),
                           nc.builder.getDenseI64ArrayAttr(sizes),
                           nc.builder.getDenseI64ArrayAttr(strides));
  out.push_back(x);
  return success(bool(out.back()));
}

/// x gathered along `axis` at the constant `indices`.
static Value gatherAt(TfNodeContext &nc, Value x, int64_t axis,
                      ArrayRef<int64_t> indices) {
  return nc.create<GatherOp>(x, nc.i64Const(indices),
                             nc.builder.getI64IntegerAttr(axis));
}

/// MirrorPad, REFLECT (the edge not repeated) or SYMMETRIC (repeated): per
/// padded dim, one gather whose indices walk back from the edges.
static LogicalResult importMirrorPad(TfNodeContext &nc,
                                     SmallVectorImpl<Value> &out) {
  auto t = nc.inputType(0);
  auto pads = nc.constInts(1);
  std::string mode = nc.stringAttr("mode", "REFLECT");
  int64_t rank = t.getRank();
  if (!pads || int64_t(pads->size()) != 2 * rank ||
      (mode != "REFLECT" && mode != "SYMMETRIC"))
    return nc.error() << "MirrorPad needs constant " << rank << "x2 paddings "
                      << "and mode REFLECT or SYMMETRIC";
  int64_t skip = mode == "REFLECT" ? 1 : 0;
  Value x = nc.input(0);
  for (int64_t d = 0; d < rank && x; ++d) {
    int64_t before = (*pads)[2 * d], after = (*pads)[2 * d + 1];
    if (!before && !after)
      continue;
    int64_t n = t.getDimSize(d);
    if (ShapedType::isDynamic(n) || before < 0 || after < 0 ||
        before > n - skip || after > n - skip)
      return nc.error() << "MirrorPad " << mode << " of " << before << ", "
                        << after << " needs dim " << d << " static and longer";
    SmallVector<int64_t> idx;
    for (int64_t i = before; i >= 1; --i)
      idx.push_back(i - 1 + skip);
    for (int64_t i = 0; i < n; ++i)
      idx.push_back(i);
    for (int64_t i = 1; i <= after; ++i)
      idx.push_back(n - i - skip);
    x = gatherAt(nc, x, d, idx);
  }
  out.push_back(x);
  return success(bool(x));
}

/// ResizeNearestNeighbor on NHWC images to a constant size: per spatial
/// dim, a gather of the source index of each output index, computed in
/// float32 as TensorFlow's kernel does (align_corners rounds, half-pixel
/// centers sample at (i + 0.5) * scale, the legacy mode floors i * scale).
static LogicalResult importResizeNearest(TfNodeContext &nc,
                                         SmallVectorImpl<Value> &out) {
  auto t = nc.inputType(0);
  auto size = nc.constInts(1);
  if (!size || size->size() != 2 || t.getRank() != 4)
    return nc.error() << "ResizeNearestNeighbor needs an NHWC input and a "
                      << "constant size of 2 values";
  bool corners = nc.boolAttr("align_corners", false);
  bool halfPixel = nc.boolAttr("half_pixel_centers", false);
  Value x = nc.input(0);
  for (int64_t k = 0; k < 2 && x; ++k) {
    int64_t in = t.getDimSize(1 + k), o = (*size)[k];
    if (ShapedType::isDynamic(in) || o < 1)
      return nc.error() << "ResizeNearestNeighbor needs static image dims";
    float scale = corners && o > 1 ? float(in - 1) / float(o - 1)
                                   : float(in) / float(o);
    SmallVector<int64_t> idx;
    for (int64_t i = 0; i < o; ++i) {
      float at = halfPixel ? (float(i) + 0.5f) * scale : float(i) * scale;
      int64_t s = corners ? int64_t(std::round(at)) : int64_t(std::floor(at));
      idx.push_back(std::min<int64_t>(std::max<int64_t>(s, 0), in - 1));
    }
    x = gatherAt(nc, x, 1 + k, idx);
  }
  out.push_back(x);
  return success(bool(x));
}

void registerTfSpaceImporters(TfImporterRegistry &r) {
  r["DepthToSpace"] = importDepthSpace;
  r["SpaceToDepth"] = importDepthSpace;
  r["SpaceToBatchND"] = importSpaceBatch;
  r["BatchToSpaceND"] = importSpaceBatch;
  r["MirrorPad"] = importMirrorPad;
  r["ResizeNearestNeighbor"] = importResizeNearest;
}

} // namespace kiln::tf_frontend
