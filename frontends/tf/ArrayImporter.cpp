//===- ArrayImporter.cpp - TensorArray and TensorList ops -----------------===//
//
// tf.map_fn and tf.while_loop collect per-iteration values in a TensorArray
// (TF1: a resource handle plus a "flow" scalar that orders reads after
// writes) or a TensorList (TF2: a variant value). Kiln holds the array's
// contents as one tensor [size, element dims...] in the place of the flow
// or the list: a write is a kiln.scatter_nd of one element, a read a
// kiln.gather, an unstack a scatter of all rows and a stack the tensor
// itself. The handle stands for the array's size and element type.
//
// An array made before its elements' shape is known (TensorFlow writes
// `unknownRank` there) starts as a 0-d placeholder; the first write gives
// the shape. When that write is in a loop body, the loop importer sees the
// variable come back with more dims and imports the loop again with the
// variable starting as zeros of that shape (placeholderGrown).
//
//===----------------------------------------------------------------------===//

#include "frontends/tf/GraphImporterImpl.h"
#include "frontends/tf/TfNodeContext.h"
#include "frontends/tf/TfTensors.h"
#include "ir/ConstantData.h"
#include "ir/KilnDialect.h"

namespace kiln::tf_frontend::detail {

bool isArrayOp(llvm::StringRef op) {
  return llvm::is_contained(
      {"TensorArrayV3", "TensorArrayReadV3", "TensorArrayWriteV3",
       "TensorArrayScatterV3", "TensorArrayGatherV3", "TensorArraySizeV3",
       "TensorArrayCloseV3", "TensorListReserve", "TensorListFromTensor",
       "TensorListGetItem", "TensorListSetItem", "TensorListStack",
       "TensorListLength"},
      op);
}

/// The TensorArrayV3 node a handle input comes from, through the Enter and
/// Identity nodes that carry it into loops.
const tensorflow::NodeDef *GraphImporter::arrayNodeOf(Ref ref) {
  for (int hops = 0; hops < 64; ++hops) {
    auto it = nodes.find(ref.node);
    if (it == nodes.end())
      return nullptr;
    const tensorflow::NodeDef *n = it->second;
    if (n->op() == "TensorArrayV3")
      return n;
    if ((n->op() != "Enter" && n->op() != "Identity") || n->input_size() == 0)
      return nullptr;
    ref = parseRef(n->input(0));
  }
  return nullptr;
}

/// Element dims a TensorArray's readers declare (TensorArrayGatherV3's
/// `element_shape`), for an array made with an unknown element shape.
std::optional<SmallVector<int64_t>>
GraphImporter::declaredElementDims(const tensorflow::NodeDef &array) {
  for (const auto &n : graph.node()) {
    if (n.op() != "TensorArrayGatherV3" || n.input_size() == 0 ||
        arrayNodeOf(parseRef(n.input(0))) != &array)
      continue;
    const tensorflow::AttrValue *shape = findAttr(n, "element_shape");
    if (!shape || !shape->has_shape())
      continue;
    auto dims = dimsOf(shape->shape());
    if (succeeded(dims))
      return *dims;
  }
  return std::nullopt;
}

/// Zeros [size, dims...] for `info`; every dim in `dims` must be known.
Value GraphImporter::arrayZeros(const ArrayInfo &info, ArrayRef<int64_t> dims,
                                Location loc) {
  SmallVector<int64_t> shape{ShapedType::kDynamic};
  llvm::append_range(shape, dims);
  TfNodeContext nc(*nodes[info.node], loc, builder, {info.size});
  if (auto size = nc.constInts(0); size && size->size() == 1)
    shape[0] = (*size)[0];
  auto type = RankedTensorType::get(shape, info.elementType);
  if (type.hasStaticShape() && type.getNumElements() <= kMaxFoldElements) {
    std::vector<double> zeros(type.getNumElements(), 0.0);
    return ConstantOp::create(builder, loc, writeConstant(type, zeros));
  }
  Value n = CastOp::create(
      builder, loc, RankedTensorType::get({}, builder.getI64Type()), info.size);
  n = nc.reshape(n, {1});
  Value shapeValue = ConcatOp::create(
      builder, loc, ValueRange{n, nc.i64Const(dims)}, builder.getI64IntegerAttr(0));
  return BroadcastToOp::create(builder, loc, type,
                               nc.scalarConst(info.elementType, 0.0),
                               shapeValue);
}

/// A 0-d stand-in for an array whose elements' shape is not known yet.
Value GraphImporter::arrayPlaceholder(const ArrayInfo &info, Location loc) {
  auto type = RankedTensorType::get({}, info.elementType);
  Value v = ConstantOp::create(builder, loc, writeConstant(type, {0.0}));
  arrays[v] = info;
  return v;
}

/// `contents` ready for writes of elements of type `et`: a placeholder
/// becomes zeros of that shape.
FailureOr<Value> GraphImporter::arrayFor(Value contents, RankedTensorType et,
                                         Location loc) {
  if (cast<RankedTensorType>(contents.getType()).getRank() > 0)
    return contents;
  auto it = arrays.find(contents);
  if (it == arrays.end())
    return emitError(loc) << "this value is not a TensorArray or TensorList";
  if (!et.hasStaticShape())
    return emitError(loc) << "the elements of the array made by '"
                          << it->second.node << "' have the shape "
                          << et << ", known only at run time; Kiln needs it "
                          << "at compile time";
  return arrayZeros(it->second, et.getShape(), loc);
}

LogicalResult GraphImporter::importArrayNode(const tensorflow::NodeDef &node,
                                             ArrayRef<Value> inputs) {
  Location loc = nodeLoc(node.name());
  llvm::StringRef op = node.op();
  TfNodeContext nc(node, loc, builder,
                   std::vector<Value>(inputs.begin(), inputs.end()));
  auto done = [&](SmallVector<Value> outs) {
    scopes.back()[node.name()] = std::move(outs);
    return success();
  };
  auto arity = [&](size_t n) -> LogicalResult {
    if (inputs.size() != n)
      return emitError(loc) << op << " node '" << node.name() << "' needs "
                            << n << " inputs, has " << inputs.size();
    return success();
  };
  auto readBeforeWrite = [&]() {
    return emitError(loc) << op << " node '" << node.name()
                          << "' reads an array before anything is written "
                          << "to it";
  };

  if (op == "TensorArrayV3" || op == "TensorListReserve") {
    bool list = op == "TensorListReserve";
    if (failed(arity(list ? 2 : 1)))
      return failure();
    Value size = inputs[list ? 1 : 0];
    auto st = cast<RankedTensorType>(size.getType());
    if (st.getRank() != 0 || !st.getElementType().isInteger())
      return emitError(loc) << op << " needs a scalar integer size, got " << st;
    const tensorflow::AttrValue *dtype =
        nc.attr(list ? "element_dtype" : "dtype");
    Type et = dtype ? elementTypeFor(ctx, dtype->type()) : Type();
    if (!et)
      return emitError(loc) << op << " node '" << node.name()
                            << "' has an element type Kiln cannot hold";
    if (!list && nc.boolAttr("dynamic_size", false))
      return emitError(loc) << "TensorArray '" << node.name()
                            << "' grows as it is written (dynamic_size), "
                            << "which Kiln does not support";
    ArrayInfo info{size, et, node.name()};
    std::optional<SmallVector<int64_t>> dims;
    if (list) {
      if (auto given = nc.constInts(0);
          given && cast<RankedTensorType>(inputs[0].getType()).getRank() == 1)
        dims = SmallVector<int64_t>(given->begin(), given->end());
    } else if (const tensorflow::AttrValue *shape = nc.attr("element_shape");
               shape && shape->has_shape() &&
               succeeded(dimsOf(shape->shape()))) {
      dims = *dimsOf(shape->shape());
    }
    if (!list && (!dims || llvm::is_contained(*dims, -1)))
      if (auto declared = declaredElementDims(node))
        dims = declared;
    Value contents = dims && !llvm::is_contained(*dims, -1)
                         ? arrayZeros(info, *dims, loc)
                         : arrayPlaceholder(info, loc);
    if (list)
      return done({contents});
    // The handle: a value of its own, standing for the array.
    Value handle = ConstantOp::create(
        builder, loc,
        writeConstant(RankedTensorType::get({}, builder.getI32Type()), {0.0}));
    arrays[handle] = info;
    return done({handle, contents});
  }
  if (op == "TensorListFromTensor") {
    if (failed(arity(2)))
      return failure();
    if (cast<RankedTensorType>(inputs[0].getType()).getRank() == 0)
      return emitError(loc) << "TensorListFromTensor needs a tensor of rank "
                            << "1 or more";
    return done({inputs[0]});
  }
  if (op == "TensorArrayCloseV3")
    return done({});

  // Writes: (contents, index, element), one element or a scatter of rows.
  if (op == "TensorArrayWriteV3" || op == "TensorListSetItem" ||
      op == "TensorArrayScatterV3") {
    bool list = op == "TensorListSetItem";
    if (failed(arity(list ? 3 : 4)))
      return failure();
    // (list, index, item) or (handle, index, value, flow).
    Value contents = list ? inputs[0] : inputs[3];
    Value index = inputs[1], value = inputs[2];
    auto element = cast<RankedTensorType>(value.getType());
    if (op == "TensorArrayScatterV3") {
      if (element.getRank() == 0)
        return emitError(loc) << "TensorArrayScatterV3 needs rows to scatter";
      // A placeholder takes the shape of one row.
      element = RankedTensorType::get(element.getShape().drop_front(),
                                      element.getElementType());
    }
    auto array = arrayFor(contents, element, loc);
    if (failed(array))
      return failure();
    Value indices;
    auto it = cast<RankedTensorType>(index.getType());
    if (op == "TensorArrayScatterV3") {
      if (it.getRank() != 1)
        return emitError(loc) << "TensorArrayScatterV3 needs 1-D indices";
      indices = nc.reshape(index, {it.getDimSize(0), 1});
    } else {
      if (it.getRank() != 0)
        return emitError(loc) << op << " needs a scalar index, got " << it;
      indices = nc.reshape(index, {1});
    }
    Value result =
        nc.create<ScatterNdOp>(*array, indices, value, builder.getStringAttr("none"));
    if (!result)
      return failure();
    return done({result});
  }

  if (op == "TensorArrayReadV3" || op == "TensorListGetItem" ||
      op == "TensorArrayGatherV3") {
    if (failed(arity(3)))
      return failure();
    // (list, index, shape) or (handle, index or indices, flow).
    Value contents = op == "TensorListGetItem" ? inputs[0] : inputs[2];
    if (cast<RankedTensorType>(contents.getType()).getRank() == 0)
      return readBeforeWrite();
    Value r = nc.create<GatherOp>(contents, inputs[1],
                                  builder.getI64IntegerAttr(0));
    if (!r)
      return failure();
    return done({r});
  }
  if (op == "TensorListStack") {
    if (failed(arity(2)))
      return failure();
    Value contents = inputs[0];
    if (cast<RankedTensorType>(contents.getType()).getRank() > 0)
      return done({contents});
    // Nothing written: zeros of the declared element shape.
    auto it = arrays.find(contents);
    auto dims = nc.constInts(1);
    if (it == arrays.end() || !dims ||
        llvm::any_of(*dims, [](int64_t d) { return d < 0; }))
      return readBeforeWrite();
    return done({arrayZeros(it->second, *dims, loc)});
  }
  if (op == "TensorArraySizeV3" || op == "TensorListLength") {
    if (failed(arity(op == "TensorListLength" ? 1 : 2)))
      return failure();
    auto i32 = RankedTensorType::get({}, builder.getI32Type());
    // A TensorArray's handle, and a list whose elements' shape is not known
    // yet, stand for the size; a list's contents have it as dim 0.
    if (auto it = arrays.find(inputs[0]); it != arrays.end())
      return done({nc.create<CastOp>(i32, it->second.size)});
    auto ct = cast<RankedTensorType>(inputs[0].getType());
    if (ct.getRank() == 0)
      return readBeforeWrite();
    Value dims = nc.create<ShapeOfOp>(
        RankedTensorType::get({ct.getRank()}, builder.getI64Type()), inputs[0]);
    Value first = nc.create<GatherOp>(
        dims, nc.scalarConst(builder.getI64Type(), 0), builder.getI64IntegerAttr(0));
    return done({nc.create<CastOp>(i32, first)});
  }
  return emitError(loc) << "op " << op << " is not supported by Kiln";
}

} // namespace kiln::tf_frontend::detail
