//===- SliceImporters.cpp - TensorFlow slicing and splitting to kiln ------===//
//
// StridedSlice (all mask bits), Slice, Split/SplitV, Unpack, GatherV2 and
// Shape. Bounds, sizes and axes must be constants (Slice's may be computed
// at run time). On an
// input with dynamic dims, StridedSlice, Slice and Split become
// kiln.dynamic_slice (bounds clamped at run time); Split then needs its
// split dim static.
//
//===----------------------------------------------------------------------===//

#include "frontends/tf/TfNodeContext.h"

#include <limits>

using namespace mlir;

namespace kiln::tf_frontend {

/// A strided window per dim; negative strides read the window in reverse
/// (a gather of the reversed indices after a forward slice).
static Value strided(TfNodeContext &nc, Value x, ArrayRef<int64_t> begin,
                     ArrayRef<int64_t> size, ArrayRef<int64_t> stride) {
  auto t = cast<RankedTensorType>(x.getType());
  int64_t rank = t.getRank();
  SmallVector<int64_t> off(rank), sz(rank), st(rank);
  SmallVector<std::pair<int64_t, int64_t>> reversed; // (dim, size)
  for (int64_t d = 0; d < rank; ++d) {
    if (stride[d] > 0 || size[d] == 0) {
      off[d] = size[d] ? begin[d] : 0;
      sz[d] = size[d];
      st[d] = std::max<int64_t>(stride[d], 1);
    } else {
      // Elements begin, begin + stride, ...: the same set read forwards
      // from the last one, then reversed.
      int64_t last = begin[d] + (size[d] - 1) * stride[d];
      off[d] = last;
      sz[d] = size[d];
      st[d] = -stride[d];
      reversed.push_back({d, size[d]});
    }
  }
  auto &b = nc.builder;
  Value r = nc.create<SliceOp>(x, b.getDenseI64ArrayAttr(off),
                               b.getDenseI64ArrayAttr(sz),
                               b.getDenseI64ArrayAttr(st));
  for (auto [d, n] : reversed) {
    std::vector<int64_t> idx;
    for (int64_t i = n - 1; i >= 0; --i)
      idx.push_back(i);
    r = nc.create<GatherOp>(r, nc.i64Const(idx), b.getI64IntegerAttr(d));
  }
  return r;
}

static LogicalResult importDynamicStridedSlice(TfNodeContext &nc,
                                               SmallVectorImpl<Value> &out);

static LogicalResult importStridedSlice(TfNodeContext &nc,
                                        SmallVectorImpl<Value> &out) {
  auto begin = nc.constInts(1), end = nc.constInts(2), strides = nc.constInts(3);
  if (!begin || !end || !strides || begin->size() != end->size() ||
      begin->size() != strides->size())
    return nc.error() << "StridedSlice begin, end and strides must be "
                      << "constants of one length";
  auto in = nc.inputType(0);
  if (!in.hasStaticShape())
    return importDynamicStridedSlice(nc, out);
  int64_t rank = in.getRank(), n = int64_t(begin->size());
  int64_t beginMask = nc.intAttr("begin_mask", 0);
  int64_t endMask = nc.intAttr("end_mask", 0);
  int64_t ellipsisMask = nc.intAttr("ellipsis_mask", 0);
  int64_t newAxisMask = nc.intAttr("new_axis_mask", 0);
  int64_t shrinkMask = nc.intAttr("shrink_axis_mask", 0);
  // Expand the spec to one entry per input dim; new axes and shrunk dims
  // shape the result afterwards.
  SmallVector<int64_t> b(rank, 0), size(rank), st(rank, 1);
  for (int64_t d = 0; d < rank; ++d)
    size[d] = in.getDimSize(d);
  SmallVector<int64_t> resultShape;
  int64_t dim = 0;
  int64_t specDims = 0;
  for (int64_t i = 0; i < n; ++i)
    if (!(newAxisMask >> i & 1) && !(ellipsisMask >> i & 1))
      ++specDims;
  for (int64_t i = 0; i < n; ++i) {
    if (ellipsisMask >> i & 1) {
      int64_t covered = rank - specDims;
      for (int64_t k = 0; k < covered && dim < rank; ++k, ++dim)
        resultShape.push_back(in.getDimSize(dim));
      continue;
    }
    if (newAxisMask >> i & 1) {
      resultShape.push_back(1);
      continue;
    }
    if (dim >= rank)
      return nc.error() << "StridedSlice spec has more dims than the input";
    int64_t extent = in.getDimSize(dim), s = (*strides)[i];
    if (s == 0)
      return nc.error() << "StridedSlice stride must not be 0";
    int64_t lo = (*begin)[i], hi = (*end)[i];
    if (shrinkMask >> i & 1) {
      if (lo < 0)
        lo += extent;
      if (lo < 0 || lo >= extent)
        return nc.error() << "StridedSlice index " << (*begin)[i]
                          << " out of range for a dim of " << extent;
      b[dim] = lo;
      size[dim] = 1;
      st[dim] = 1;
      ++dim;
      continue;
    }
    // TensorFlow's clamping: negative bounds count from the end; masked
    // bounds take the whole dim in the stride's direction.
    auto clampBound = [&](int64_t v, bool masked, bool isBegin) {
      if (masked)
        return isBegin ? (s > 0 ? int64_t(0) : extent - 1)
                       : (s > 0 ? extent : int64_t(-1));
      if (v < 0)
        v += extent;
      return s > 0 ? std::clamp<int64_t>(v, 0, extent)
                   : std::clamp<int64_t>(v, -1, extent - 1);
    };
    lo = clampBound(lo, beginMask >> i & 1, true);
    hi = clampBound(hi, endMask >> i & 1, false);
    int64_t count = s > 0 ? (hi > lo ? (hi - lo + s - 1) / s : 0)
                          : (lo > hi ? (lo - hi - s - 1) / -s : 0);
    b[dim] = lo;
    size[dim] = count;
    st[dim] = s;
    resultShape.push_back(count);
    ++dim;
  }
  for (; dim < rank; ++dim)
    resultShape.push_back(in.getDimSize(dim));
  Value r = strided(nc, nc.input(0), b, size, st);
  out.push_back(nc.reshape(r, resultShape));
  return success(bool(out.back()));
}

/// StridedSlice of an input with dynamic dims: one kiln.dynamic_slice
/// over every sliced dim, whose bounds TensorFlow and
/// ONNX clamp alike (negative counts from the end, then into [0, dim]);
/// masked bounds are 0 and "to the end", and a shrunk dim keeps one
/// element. A reshape then drops shrunk dims and adds new axes.
static LogicalResult importDynamicStridedSlice(TfNodeContext &nc,
                                               SmallVectorImpl<Value> &out) {
  auto begin = *nc.constInts(1), end = *nc.constInts(2),
       strides = *nc.constInts(3);
  auto in = nc.inputType(0);
  int64_t rank = in.getRank(), n = int64_t(begin.size());
  int64_t beginMask = nc.intAttr("begin_mask", 0);
  int64_t endMask = nc.intAttr("end_mask", 0);
  int64_t ellipsisMask = nc.intAttr("ellipsis_mask", 0);
  int64_t newAxisMask = nc.intAttr("new_axis_mask", 0);
  int64_t shrinkMask = nc.intAttr("shrink_axis_mask", 0);
  constexpr int64_t kToTheEnd = std::numeric_limits<int64_t>::max();
  int64_t specDims = 0;
  for (int64_t i = 0; i < n; ++i)
    if (!(newAxisMask >> i & 1) && !(ellipsisMask >> i & 1))
      ++specDims;
  std::vector<int64_t> starts, ends;
  SmallVector<int64_t> axes, steps;
  // Where each result dim comes from: a kept input dim, or a new axis (-1).
  SmallVector<int64_t> resultFrom;
  int64_t dim = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (ellipsisMask >> i & 1) {
      for (int64_t k = 0; k < rank - specDims && dim < rank; ++k)
        resultFrom.push_back(dim++);
      continue;
    }
    if (newAxisMask >> i & 1) {
      resultFrom.push_back(-1);
      continue;
    }
    if (dim >= rank)
      return nc.error() << "StridedSlice spec has more dims than the input";
    if (strides[i] == 0)
      return nc.error() << "StridedSlice stride must not be 0";
    // A negative stride walks backwards: a masked begin is the last
    // element, a masked end lies before the first. (TensorFlow clamps an
    // explicit begin below -dim to -1, an empty window, where ONNX's rule
    // used below gives element 0; exporters do not write such begins.)
    bool back = strides[i] < 0;
    int64_t lo = beginMask >> i & 1 ? (back ? -1 : 0) : begin[i];
    int64_t hi = endMask >> i & 1
                     ? (back ? std::numeric_limits<int64_t>::min() : kToTheEnd)
                     : end[i];
    bool shrink = shrinkMask >> i & 1;
    if (shrink) {
      lo = begin[i];
      hi = lo == -1 ? kToTheEnd : lo + 1;
    }
    axes.push_back(dim);
    steps.push_back(shrink ? 1 : strides[i]);
    starts.push_back(lo);
    ends.push_back(hi);
    if (!shrink)
      resultFrom.push_back(dim);
    ++dim;
  }
  for (; dim < rank; ++dim)
    resultFrom.push_back(dim);
  auto &b = nc.builder;
  Value r = nc.create<DynamicSliceOp>(nc.input(0), nc.i64Const(starts),
                                      nc.i64Const(ends),
                                      b.getDenseI64ArrayAttr(axes),
                                      b.getDenseI64ArrayAttr(steps));
  if (!r)
    return failure();
  auto sliced = cast<RankedTensorType>(r.getType());
  SmallVector<int64_t> shape;
  for (int64_t from : resultFrom)
    shape.push_back(from < 0 ? 1 : sliced.getDimSize(from));
  out.push_back(nc.reshape(r, shape));
  return success(bool(out.back()));
}

/// Slice(input, begin, size): size -1 runs to the end of the dim.
/// A window [begin, begin + size) (size -1: to the end) of every dim of
/// an input with dynamic dims, as one kiln.dynamic_slice: its bounds are
/// clamped at run time, and a fixed size on a dynamic dim is checked to
/// fit (else the run fails with a shape error).
static Value dynamicWindow(TfNodeContext &nc, Value x, ArrayRef<int64_t> begin,
                           ArrayRef<int64_t> size) {
  std::vector<int64_t> starts, ends;
  SmallVector<int64_t> axes, steps;
  for (size_t d = 0; d < begin.size(); ++d) {
    axes.push_back(int64_t(d));
    steps.push_back(1);
    starts.push_back(begin[d]);
    ends.push_back(size[d] == -1 ? std::numeric_limits<int64_t>::max()
                                 : begin[d] + size[d]);
  }
  return nc.create<DynamicSliceOp>(x, nc.i64Const(starts), nc.i64Const(ends),
                                   nc.builder.getDenseI64ArrayAttr(axes),
                                   nc.builder.getDenseI64ArrayAttr(steps));
}

/// Slice whose begin or size is computed when the graph runs (clipping a
/// variable number of detections): one kiln.dynamic_slice over every dim
/// with ends = begin + size, or the dim's end where size is -1. Windows
/// reaching past a dim are clamped to it, as ONNX's Slice does.
static LogicalResult importRunTimeSlice(TfNodeContext &nc,
                                        SmallVectorImpl<Value> &out) {
  auto in = nc.inputType(0);
  int64_t rank = in.getRank();
  auto i64 = nc.builder.getI64Type();
  auto vec = RankedTensorType::get({rank}, i64);
  for (size_t i : {1, 2})
    if (nc.inputType(i).getRank() != 1 || nc.inputType(i).getDimSize(0) != rank)
      return nc.error() << "Slice begin and size need one value per dim of "
                        << in;
  auto asI64 = [&](Value v) {
    return cast<RankedTensorType>(v.getType()).getElementType() == i64
               ? v
               : nc.create<CastOp>(vec, v);
  };
  Value begin = asI64(nc.input(1)), size = asI64(nc.input(2));
  Value toEnd = nc.i64Const(
      SmallVector<int64_t>(rank, std::numeric_limits<int64_t>::max()));
  Value whole = nc.create<LessOp>(size, nc.i64Const(SmallVector<int64_t>(rank, 0)));
  Value ends = nc.create<SelectOp>(whole, toEnd, nc.create<AddOp>(begin, size));
  SmallVector<int64_t> axes, steps(rank, 1);
  for (int64_t d = 0; d < rank; ++d)
    axes.push_back(d);
  out.push_back(nc.create<DynamicSliceOp>(
      nc.input(0), begin, ends, nc.builder.getDenseI64ArrayAttr(axes),
      nc.builder.getDenseI64ArrayAttr(steps)));
  return success(bool(out.back()));
}

static LogicalResult importSlice(TfNodeContext &nc,
                                 SmallVectorImpl<Value> &out) {
  auto begin = nc.constInts(1), size = nc.constInts(2);
  auto in = nc.inputType(0);
  if (!begin || !size)
    return importRunTimeSlice(nc, out);
  if (!begin || !size || int64_t(begin->size()) != in.getRank() ||
      int64_t(size->size()) != in.getRank())
    return nc.error() << "Slice begin and size must be constants with one "
                      << "value per dim";
  if (!in.hasStaticShape()) {
    for (size_t d = 0; d < begin->size(); ++d)
      if ((*begin)[d] < 0 || (*size)[d] < -1)
        return nc.error() << "Slice window [" << (*begin)[d] << ", +"
                          << (*size)[d] << ") is invalid";
    out.push_back(dynamicWindow(nc, nc.input(0), *begin, *size));
    return success(bool(out.back()));
  }
  SmallVector<int64_t> b(begin->begin(), begin->end()),
      sz(size->begin(), size->end()), st(in.getRank(), 1);
  for (int64_t d = 0; d < in.getRank(); ++d) {
    int64_t extent = in.getDimSize(d);
    if (sz[d] == -1)
      sz[d] = extent - b[d];
    if (b[d] < 0 || sz[d] < 0 || b[d] + sz[d] > extent)
      return nc.error() << "Slice window [" << b[d] << ", +" << sz[d]
                        << ") leaves dim " << d << " of " << extent;
  }
  out.push_back(strided(nc, nc.input(0), b, sz, st));
  return success(bool(out.back()));
}

/// Pieces of `x` along `axis` with the given sizes.
static LogicalResult splitInto(TfNodeContext &nc, Value x, int64_t axis,
                               ArrayRef<int64_t> sizes,
                               SmallVectorImpl<Value> &out) {
  auto t = cast<RankedTensorType>(x.getType());
  int64_t offset = 0;
  for (int64_t n : sizes) {
    SmallVector<int64_t> b(t.getRank(), 0), sz(t.getShape()),
        st(t.getRank(), 1);
    b[axis] = offset;
    sz[axis] = n;
    if (t.hasStaticShape()) {
      out.push_back(strided(nc, x, b, sz, st));
    } else {
      // Other dims dynamic (the batch): whole, whatever their size.
      for (int64_t d = 0; d < t.getRank(); ++d)
        if (d != axis)
          sz[d] = -1;
      out.push_back(dynamicWindow(nc, x, b, sz));
    }
    offset += n;
  }
  return success(llvm::all_of(out, [](Value v) { return bool(v); }));
}

/// Split(axis, value) with num_split equal pieces; SplitV(value, sizes,
/// axis) with one -1 size at most.
static LogicalResult importSplit(TfNodeContext &nc,
                                 SmallVectorImpl<Value> &out) {
  bool v = nc.node.op() == "SplitV";
  size_t valueIdx = v ? 0 : 1, axisIdx = v ? 2 : 0;
  auto axisV = nc.constInts(axisIdx);
  auto t = nc.inputType(valueIdx);
  if (!axisV || axisV->size() != 1)
    return nc.error() << nc.node.op() << " axis must be a constant";
  int64_t axis = normalizeAxis((*axisV)[0], t.getRank());
  if (axis < 0)
    return nc.error() << nc.node.op() << " axis out of range";
  if (t.isDynamicDim(axis))
    return nc.error() << nc.node.op() << " along a dim known only at run "
                      << "time is not supported: " << t;
  int64_t extent = t.getDimSize(axis);
  std::vector<int64_t> sizes;
  if (v) {
    auto s = nc.constInts(1);
    if (!s)
      return nc.error() << "SplitV size_splits must be constant";
    sizes = *s;
    int64_t known = 0, unknown = -1;
    for (size_t i = 0; i < sizes.size(); ++i)
      if (sizes[i] < 0)
        unknown = int64_t(i);
      else
        known += sizes[i];
    if (unknown >= 0)
      sizes[unknown] = extent - known;
  } else {
    int64_t n = nc.intAttr("num_split", 1);
    if (n < 1 || extent % n != 0)
      return nc.error() << "Split of " << extent << " into " << n
                        << " equal pieces";
    sizes.assign(n, extent / n);
  }
  int64_t total = 0;
  for (int64_t s : sizes)
    total += s;
  if (total != extent || llvm::any_of(sizes, [](int64_t s) { return s < 0; }))
    return nc.error() << nc.node.op() << " sizes do not add up to " << extent;
  return splitInto(nc, nc.input(valueIdx), axis, sizes, out);
}

/// Unpack: num pieces of size 1 along `axis`, that dim dropped.
static LogicalResult importUnpack(TfNodeContext &nc,
                                  SmallVectorImpl<Value> &out) {
  auto t = nc.inputType(0);
  if (!t.hasStaticShape())
    return nc.error() << "Unpack of a dynamic shape is not supported yet";
  int64_t axis = normalizeAxis(nc.intAttr("axis", 0), t.getRank());
  if (axis < 0)
    return nc.error() << "Unpack axis out of range";
  SmallVector<Value> pieces;
  if (failed(splitInto(nc, nc.input(0), axis,
                       SmallVector<int64_t>(t.getDimSize(axis), 1), pieces)))
    return failure();
  SmallVector<int64_t> shape(t.getShape());
  shape.erase(shape.begin() + axis);
  for (Value p : pieces)
    out.push_back(nc.reshape(p, shape));
  return success();
}

/// GatherV2(params, indices, axis) with batch_dims 0.
static LogicalResult importGather(TfNodeContext &nc,
                                  SmallVectorImpl<Value> &out) {
  auto axis = nc.constInts(2);
  if (!axis || axis->size() != 1)
    return nc.error() << "GatherV2 axis must be a constant";
  if (nc.intAttr("batch_dims", 0) != 0)
    return nc.error() << "GatherV2 with batch_dims is not supported";
  int64_t a = normalizeAxis((*axis)[0], nc.inputType(0).getRank());
  if (a < 0)
    return nc.error() << "GatherV2 axis out of range";
  out.push_back(nc.create<GatherOp>(nc.input(0), nc.input(1),
                                    nc.builder.getI64IntegerAttr(a)));
  return success(bool(out.back()));
}

/// Shape: folds to a constant for static inputs.
static LogicalResult importShape(TfNodeContext &nc,
                                 SmallVectorImpl<Value> &out) {
  auto t = nc.inputType(0);
  const auto *type = nc.attr("out_type");
  bool i64 = type && type->type() == tensorflow::DT_INT64;
  Value s = nc.create<ShapeOfOp>(
      RankedTensorType::get({t.getRank()}, nc.builder.getI64Type()),
      nc.input(0));
  if (!i64 && s)
    s = nc.create<CastOp>(
        RankedTensorType::get({t.getRank()}, nc.builder.getI32Type()), s);
  out.push_back(s);
  return success(bool(s));
}

void registerTfSliceImporters(TfImporterRegistry &r) {
  r["StridedSlice"] = importStridedSlice;
  r["Slice"] = importSlice;
  r["Split"] = importSplit;
  r["SplitV"] = importSplit;
  r["Unpack"] = importUnpack;
  r["GatherV2"] = importGather;
  r["Shape"] = importShape;
}

} // namespace kiln::tf_frontend
