//===- AtenLayoutImporters.cpp - ops that move or pick elements -----------===//
//
// Rearrangements and lookups: flip, roll, swapaxes, constant padding,
// slice_scatter, index_select/index.Tensor, as_strided. Static sizes; each
// becomes slices, concats, gathers or a pad.
//
//===----------------------------------------------------------------------===//

#include "frontends/torch/AtenNode.h"

#include "ir/ConstantData.h"
#include "ir/KilnDialect.h"

using namespace mlir;

namespace kiln::torch_frontend {
namespace {

using Out = SmallVectorImpl<Value>;

/// as_strided(self, size, stride, storage_offset=0): the elements of self's
/// row-major storage at offset + sum(index * stride). A view that reads the
/// storage in order (strides of size-1 dims do not matter) is a reshape;
/// any other is a gather by a constant index table (static shapes).
LogicalResult importAsStrided(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  auto type = n.inputTypeOf(x);
  std::vector<int64_t> size = n.intsArg("size", {}), stride = n.intsArg("stride", {});
  int64_t offset = n.intArg("storage_offset", 0);
  if (!type.hasStaticShape() || size.size() != stride.size() ||
      llvm::any_of(size, [](int64_t d) { return d < 0; }))
    return n.error() << "as_strided needs static sizes and one stride per dim";
  int64_t count = 1, expected = 1;
  bool inOrder = offset == 0;
  for (size_t d = size.size(); d-- > 0;) {
    if (size[d] != 1 && stride[d] != expected)
      inOrder = false;
    expected *= size[d];
    count *= size[d];
  }
  if (inOrder && count == type.getNumElements()) {
    out.push_back(n.reshape(x, SmallVector<int64_t>(size.begin(), size.end())));
    return success(bool(out.back()));
  }
  if (count > kMaxFoldElements)
    return n.error() << "as_strided view of " << count << " elements";
  std::vector<int64_t> index(size.size(), 0), table;
  for (int64_t i = 0; i < count; ++i) {
    int64_t at = offset;
    for (size_t d = 0; d < size.size(); ++d)
      at += index[d] * stride[d];
    if (at < 0 || at >= type.getNumElements())
      return n.error() << "as_strided reads past its input's storage";
    table.push_back(at);
    for (size_t d = size.size(); d-- > 0;) {
      if (++index[d] < size[d])
        break;
      index[d] = 0;
    }
  }
  Value flat = n.reshape(x, {type.getNumElements()});
  Value picked = n.create<GatherOp>(flat, n.i64Const(table),
                                    n.builder.getI64IntegerAttr(0));
  out.push_back(n.reshape(picked, SmallVector<int64_t>(size.begin(), size.end())));
  return success(bool(out.back()));
}

/// flip(self, dims): each listed dim read backwards (a gather by a
/// constant reversed index per dim; static dims).
LogicalResult importFlip(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  auto type = n.inputTypeOf(x);
  for (int64_t d : n.intsArg("dims", {})) {
    d = normalizeAxis(d, type.getRank());
    if (type.isDynamicDim(d))
      return n.error() << "flip of a dynamic dim is not supported";
    std::vector<int64_t> reversed;
    for (int64_t i = type.getDimSize(d); i-- > 0;)
      reversed.push_back(i);
    x = n.create<GatherOp>(x, n.i64Const(reversed),
                           n.builder.getI64IntegerAttr(d));
    if (!x)
      return failure();
  }
  out.push_back(x);
  return success();
}

/// constant_pad_nd(self, pad, value=0) and pad.default(self, pad,
/// mode="constant", value=None): `pad` lists (begin, end) pairs from the
/// last dim backwards; negative pads (crops) are not supported.
LogicalResult importConstantPad(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  const auto *mode = n.arg("mode");
  if (mode && mode->getString("as_string").value_or("constant") != "constant")
    return n.error() << n.target() << ": only constant padding is supported";
  int64_t rank = n.inputTypeOf(x).getRank();
  std::vector<int64_t> pad = n.intsArg("pad", {});
  if (pad.size() % 2 || int64_t(pad.size()) > 2 * rank)
    return n.error() << n.target() << ": " << pad.size() << " pads for rank "
                     << rank;
  SmallVector<int64_t> pads(2 * rank, 0);
  for (size_t i = 0; i < pad.size() / 2; ++i) {
    int64_t dim = rank - 1 - int64_t(i);
    if (pad[2 * i] < 0 || pad[2 * i + 1] < 0)
      return n.error() << n.target() << ": negative pads are not supported";
    pads[dim] = pad[2 * i];
    pads[rank + dim] = pad[2 * i + 1];
  }
  const auto *value = n.arg("value");
  double v = value && !value->get("as_none") ? n.floatArg("value", 0.0) : 0.0;
  out.push_back(n.create<PadOp>(x, n.builder.getDenseI64ArrayAttr(pads),
                                n.builder.getF64FloatAttr(v)));
  return success(bool(out.back()));
}

/// slice_scatter(self, src, dim=0, start=None, end=None, step=1): self
/// with src written over self[start:end] along dim (step 1): a concat of
/// the part before, src and the part after.
LogicalResult importSliceScatter(AtenNode &n, Out &out) {
  Value x = n.tensor("self"), src = n.tensor("src");
  if (!x || !src)
    return failure();
  auto type = n.inputTypeOf(x);
  int64_t dim = normalizeAxis(n.intArg("dim", 0), type.getRank());
  int64_t size = type.getDimSize(dim);
  if (ShapedType::isDynamic(size) || n.intArg("step", 1) != 1)
    return n.error() << "slice_scatter needs a static dim and step 1";
  auto [start, end] = sliceBounds(n, size);
  out.push_back(scatterSlice(n, x, src, dim, start, end));
  return success(bool(out.back()));
}

/// index_select(self, dim, index) and index.Tensor(self, indices) with one
/// index tensor on the first dim (a table lookup): kiln.gather.
LogicalResult importIndexSelect(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  Value index;
  int64_t dim = 0;
  if (auto list = n.tensors("indices")) {
    if (list->size() != 1)
      return n.error() << "index.Tensor with " << list->size()
                       << " index tensors is not supported (one, on dim 0)";
    index = (*list)[0];
  } else {
    index = n.tensor("index");
    dim = normalizeAxis(n.intArg("dim", 0), n.inputTypeOf(x).getRank());
  }
  if (!index)
    return n.error() << n.target() << ": an index tensor Kiln has no value for "
                        "(None entries are not supported)";
  out.push_back(n.create<GatherOp>(x, index, n.builder.getI64IntegerAttr(dim)));
  return success(bool(out.back()));
}

/// roll(self, shifts, dims): each listed static dim rotated by its shift
/// (a concat of two slices).
LogicalResult importRoll(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  auto type = n.inputTypeOf(x);
  std::vector<int64_t> shifts = n.intsArg("shifts", {}), dims = n.intsArg("dims", {});
  if (dims.empty() || dims.size() != shifts.size())
    return n.error() << "roll needs one dim per shift (a roll of the "
                        "flattened tensor is not supported)";
  for (auto [shift, d] : llvm::zip(shifts, dims)) {
    int64_t dim = normalizeAxis(d, type.getRank());
    int64_t size = type.getDimSize(dim);
    if (ShapedType::isDynamic(size))
      return n.error() << "roll along a dynamic dim is not supported";
    int64_t s = size ? ((shift % size) + size) % size : 0;
    if (s == 0)
      continue;
    Value tail = sliceDim(n, x, dim, size - s, size, 1);
    Value head = sliceDim(n, x, dim, 0, size - s, 1);
    x = n.create<ConcatOp>(ValueRange{tail, head}, n.builder.getI64IntegerAttr(dim));
    if (!x)
      return failure();
  }
  out.push_back(x);
  return success();
}

/// swapaxes/swapdims(self, axis0/dim0, axis1/dim1): a transpose of two dims.
LogicalResult importSwapAxes(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  int64_t rank = n.inputTypeOf(x).getRank();
  bool axes = n.arg("axis0") != nullptr;
  int64_t a = normalizeAxis(n.intArg(axes ? "axis0" : "dim0", 0), rank);
  int64_t b = normalizeAxis(n.intArg(axes ? "axis1" : "dim1", 0), rank);
  SmallVector<int64_t> perm;
  for (int64_t d = 0; d < rank; ++d)
    perm.push_back(d == a ? b : d == b ? a : d);
  out.push_back(n.create<TransposeOp>(x, n.builder.getDenseI64ArrayAttr(perm)));
  return success(bool(out.back()));
}

} // namespace

void addLayoutImporters(llvm::StringMap<AtenImporter> &table) {
  table["aten.as_strided.default"] = importAsStrided;
  table["aten.flip.default"] = importFlip;
  table["aten.roll.default"] = importRoll;
  table["aten.swapaxes.default"] = importSwapAxes;
  table["aten.swapdims.default"] = importSwapAxes;
  table["aten.constant_pad_nd.default"] = importConstantPad;
  table["aten.pad.default"] = importConstantPad;
  table["aten.slice_scatter.default"] = importSliceScatter;
  table["aten.index_select.default"] = importIndexSelect;
  table["aten.index.Tensor"] = importIndexSelect;
}

} // namespace kiln::torch_frontend
