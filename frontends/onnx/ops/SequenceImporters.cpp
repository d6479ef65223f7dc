//===- SequenceImporters.cpp - ONNX sequences known at compile time -------===//
//
// SequenceEmpty, SequenceConstruct, SequenceInsert, SequenceErase,
// SequenceAt, SequenceLength, SplitToSequence and ConcatFromSequence, for
// sequences that live inside the graph: each sequence is a list of tensor
// values built while importing (NodeContext::sequences), so positions and
// split sizes must be constants. Sequences as graph inputs or outputs are
// not supported (the library ABI passes tensors).
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/ImportContext.h"

using namespace mlir;

namespace kiln::onnx_frontend {
namespace {

using Out = SmallVectorImpl<Value>;
using List = std::vector<Value>;

/// The sequence that input `i` names, or null (reported).
const List *sequenceInput(NodeContext &nc, int i) {
  if (i < nc.node.input_size()) {
    auto it = nc.sequences->find(nc.node.input(i));
    if (it != nc.sequences->end())
      return &it->second;
  }
  nc.error() << nc.node.op_type() << " input " << i << " must be a sequence";
  return nullptr;
}

LogicalResult setSequence(NodeContext &nc, List list) {
  (*nc.sequences)[nc.node.output(0)] = std::move(list);
  return success();
}

/// The constant position input `i` as an index into a sequence of `size`
/// (negative counts from the end; `insert` allows size itself); `dflt`
/// when the input is absent.
FailureOr<int64_t> position(NodeContext &nc, int i, int64_t size, bool insert,
                            int64_t dflt) {
  if (!nc.input(i))
    return dflt;
  auto v = nc.constInts(i);
  if (!v || v->size() != 1)
    return nc.error() << nc.node.op_type() << " position must be a constant "
                                              "scalar";
  int64_t p = (*v)[0] < 0 ? (*v)[0] + size : (*v)[0];
  if (p < 0 || p > size || (!insert && p == size))
    return nc.error() << "position " << (*v)[0] << " is outside a sequence of "
                      << size;
  return p;
}

LogicalResult importEmpty(NodeContext &nc, Out &) { return setSequence(nc, {}); }

LogicalResult importConstruct(NodeContext &nc, Out &) {
  for (Value v : nc.inputs)
    if (!v)
      return nc.error() << "SequenceConstruct takes tensors";
  return setSequence(nc, nc.inputs);
}

LogicalResult importInsert(NodeContext &nc, Out &) {
  const List *s = sequenceInput(nc, 0);
  if (!s || !nc.input(1))
    return failure();
  List list = *s;
  auto p = position(nc, 2, list.size(), true, list.size());
  if (failed(p))
    return failure();
  list.insert(list.begin() + *p, nc.input(1));
  return setSequence(nc, std::move(list));
}

LogicalResult importErase(NodeContext &nc, Out &) {
  const List *s = sequenceInput(nc, 0);
  if (!s)
    return failure();
  List list = *s;
  if (list.empty())
    return nc.error() << "SequenceErase on an empty sequence";
  auto p = position(nc, 1, list.size(), false, list.size() - 1);
  if (failed(p))
    return failure();
  list.erase(list.begin() + *p);
  return setSequence(nc, std::move(list));
}

LogicalResult importAt(NodeContext &nc, Out &out) {
  const List *s = sequenceInput(nc, 0);
  if (!s)
    return failure();
  auto p = position(nc, 1, s->size(), false, 0);
  if (failed(p))
    return failure();
  out.push_back((*s)[*p]);
  return success();
}

LogicalResult importLength(NodeContext &nc, Out &out) {
  const List *s = sequenceInput(nc, 0);
  if (!s)
    return failure();
  out.push_back(nc.reshape(nc.i64Const({int64_t(s->size())}), {}));
  return success();
}

/// SplitToSequence: pieces of the given sizes (a 1-D split), of one given
/// size with a shorter last piece (a scalar split), or of size 1 without a
/// split, the split dim then dropped when keepdims = 0.
LogicalResult importSplitToSequence(NodeContext &nc, Out &) {
  auto t = nc.inputType(0);
  int64_t axis = normalizeAxis(nc.intAttr("axis", 0), t.getRank());
  if (axis < 0 || t.isDynamicDim(axis))
    return nc.error() << "SplitToSequence needs a static dim at axis";
  int64_t n = t.getDimSize(axis);
  std::vector<int64_t> sizes;
  bool squeeze = false;
  if (!nc.input(1)) {
    sizes.assign(n, 1);
    squeeze = !nc.intAttr("keepdims", 1);
  } else {
    auto split = nc.constInts(1);
    if (!split)
      return nc.error() << "SplitToSequence split must be constant";
    if (nc.inputType(1).getRank() == 0) {
      int64_t chunk = (*split)[0];
      if (chunk < 1)
        return nc.error() << "SplitToSequence split must be positive";
      for (int64_t at = 0; at < n; at += chunk)
        sizes.push_back(std::min(chunk, n - at));
    } else {
      sizes = *split;
    }
  }
  int64_t total = 0;
  for (int64_t s : sizes)
    total += s < 0 ? n + 1 : s; // a negative size can never add up
  if (total != n)
    return nc.error() << "SplitToSequence sizes do not add up to " << n;
  List list;
  int64_t at = 0;
  auto &b = nc.builder;
  for (int64_t s : sizes) {
    SmallVector<int64_t> offsets(t.getRank(), 0), shape(t.getShape()),
        ones(t.getRank(), 1);
    offsets[axis] = at;
    shape[axis] = s;
    Value piece = nc.slice(nc.input(0), offsets, shape, ones);
    if (squeeze) {
      shape.erase(shape.begin() + axis);
      piece = nc.reshape(piece, shape);
    }
    list.push_back(piece);
    at += s;
  }
  return setSequence(nc, std::move(list));
}

/// ConcatFromSequence: the elements concatenated along axis, or stacked
/// along a new axis (new_axis = 1).
LogicalResult importConcatFromSequence(NodeContext &nc, Out &out) {
  const List *s = sequenceInput(nc, 0);
  if (!s)
    return failure();
  if (s->empty())
    return nc.error() << "ConcatFromSequence of an empty sequence";
  auto t = cast<RankedTensorType>(s->front().getType());
  bool stack = nc.intAttr("new_axis", 0);
  int64_t rank = t.getRank() + (stack ? 1 : 0);
  int64_t axis = normalizeAxis(nc.intAttr("axis", 0), rank);
  if (axis < 0)
    return nc.error() << "axis out of range";
  SmallVector<Value> parts;
  for (Value v : *s) {
    if (stack) {
      SmallVector<int64_t> shape(cast<RankedTensorType>(v.getType()).getShape());
      shape.insert(shape.begin() + axis, 1);
      v = nc.reshape(v, shape);
    }
    parts.push_back(v);
  }
  out.push_back(nc.create<ConcatOp>(parts, nc.builder.getI64IntegerAttr(axis)));
  return success(bool(out.back()));
}

} // namespace

void registerSequenceImporters(ImporterRegistry &r) {
  r["SequenceEmpty"] = importEmpty;
  r["SequenceConstruct"] = importConstruct;
  r["SequenceInsert"] = importInsert;
  r["SequenceErase"] = importErase;
  r["SequenceAt"] = importAt;
  r["SequenceLength"] = importLength;
  r["SplitToSequence"] = importSplitToSequence;
  r["ConcatFromSequence"] = importConcatFromSequence;
}

} // namespace kiln::onnx_frontend
