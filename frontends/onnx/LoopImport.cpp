//===- LoopImport.cpp - ONNX Loop to kiln.while ---------------------------===//
//
// Loop(M, cond, v...) runs its body while the iteration count is below M
// and the condition holds. It becomes one kiln.while whose variables are
// the iteration number, the condition, the loop-carried values and one
// accumulator per scan output (a tensor that grows by a row each
// iteration, starting empty). The body subgraph is imported into the
// while's body region with outer values visible.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/GraphImporter.h"

#include "ir/ConstantData.h"

using namespace mlir;

namespace kiln::onnx_frontend {
namespace {

/// `v` (one element) as a rank-0 tensor.
Value asScalar(OpBuilder &b, Location loc, Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  if (t.getRank() == 0)
    return v;
  return ReshapeOp::create(b, loc, RankedTensorType::get({}, t.getElementType()),
                           v);
}

Value scalarConstant(OpBuilder &b, Location loc, Type et, double v) {
  return ConstantOp::create(b, loc,
                            writeConstant(RankedTensorType::get({}, et), {v}));
}

/// `t` with a dynamic dim wherever `got` differs from it; sets `changed`.
RankedTensorType widened(RankedTensorType t, RankedTensorType got,
                         bool &changed) {
  SmallVector<int64_t> dims(t.getShape());
  for (auto [d, g] : llvm::zip(dims, got.getShape()))
    if (!ShapedType::isDynamic(d) && d != g) {
      d = ShapedType::kDynamic;
      changed = true;
    }
  return RankedTensorType::get(dims, t.getElementType());
}

} // namespace

LogicalResult GraphImporter::importLoop(const onnx::NodeProto &node,
                                        Location loc) {
  const onnx::GraphProto *body = nullptr;
  for (const auto &attr : node.attribute())
    if (attr.name() == "body" && attr.has_g())
      body = &attr.g();
  int numCarried = node.input_size() - 2;
  if (!body || numCarried < 0 || body->input_size() != numCarried + 2 ||
      body->output_size() < numCarried + 1)
    return emitError(loc) << "Loop needs a trip count and condition (either "
                             "may be empty) and a body taking the iteration "
                             "number, the condition and each carried value";
  int numScan = body->output_size() - 1 - numCarried;
  auto lookup = [&](int i) -> FailureOr<Value> {
    if (node.input(i).empty())
      return Value();
    auto it = values.find(node.input(i));
    if (it == values.end())
      return emitError(loc) << "Loop input '" << node.input(i)
                            << "' is not a tensor defined before it";
    return it->second;
  };
  Type i64 = builder.getI64Type(), i1 = builder.getI1Type();
  auto scalarType = [](Type et) { return RankedTensorType::get({}, et); };
  auto trip = lookup(0), cond = lookup(1);
  if (failed(trip) || failed(cond))
    return failure();
  Value tripCount = *trip ? asScalar(builder, loc, *trip) : Value();
  if (tripCount && tripCount.getType() != scalarType(i64))
    return emitError(loc) << "Loop's trip count must be an int64 scalar";
  SmallVector<Value> inits{scalarConstant(builder, loc, i64, 0),
                           *cond ? asScalar(builder, loc, *cond)
                                 : scalarConstant(builder, loc, i1, 1.0)};
  if (inits[1].getType() != scalarType(i1))
    return emitError(loc) << "Loop's condition must be a bool scalar";
  for (int k = 0; k < numCarried; ++k) {
    auto v = lookup(2 + k);
    if (failed(v) || !*v)
      return failed(v) ? failure()
                       : emitError(loc) << "Loop's carried value " << k
                                        << " is empty";
    inits.push_back(*v);
  }
  SmallVector<Type> types(ValueRange(inits).getTypes());
  // The scan outputs' element types are known once the body is imported:
  // the first attempt finds them, and later ones widen the dims of
  // carried values that change between iterations.
  SmallVector<RankedTensorType> scanTypes;
  for (int attempt = 0; attempt < 4; ++attempt) {
    OpBuilder::InsertionGuard guard(builder);
    SmallVector<Value> allInits(inits);
    SmallVector<Type> allTypes(types);
    for (auto [k, st] : llvm::enumerate(scanTypes)) {
      // The empty start needs a static row shape: where the body's value
      // has a dynamic dim, the body's declared output dim serves.
      SmallVector<int64_t> empty{0}, grown{ShapedType::kDynamic};
      const auto &declared =
          body->output(1 + numCarried + int(k)).type().tensor_type().shape();
      for (int64_t d = 0; d < st.getRank(); ++d) {
        int64_t dim = st.getDimSize(d);
        if (ShapedType::isDynamic(dim) && declared.dim_size() == st.getRank() &&
            declared.dim(int(d)).has_dim_value())
          dim = declared.dim(int(d)).dim_value();
        if (ShapedType::isDynamic(dim))
          return emitError(loc) << "Loop's scan output " << k << " has the "
                                << "shape " << st << ", known only at run "
                                << "time; Kiln needs its row shape";
        empty.push_back(dim);
      }
      grown.append(st.getShape().begin(), st.getShape().end());
      allInits.push_back(ConstantOp::create(
          builder, loc,
          writeConstant(RankedTensorType::get(empty, st.getElementType()), {})));
      allTypes.push_back(RankedTensorType::get(grown, st.getElementType()));
    }
    auto op = WhileOp::create(builder, loc, allTypes, allInits);
    auto addBlock = [&](Region &r) {
      Block &block = r.emplaceBlock();
      for (Type t : allTypes)
        block.addArgument(t, loc);
      builder.setInsertionPointToStart(&block);
      return &block;
    };
    Block *c = addBlock(op.getCond());
    Value go = c->getArgument(1);
    if (tripCount)
      go = AndOp::create(builder, loc,
                         LessOp::create(builder, loc, c->getArgument(0), tripCount),
                         go);
    YieldOp::create(builder, loc, ValueRange{go});
    Block *b = addBlock(op.getBody());
    std::vector<std::pair<std::string, Value>> bind;
    for (int k = 0; k < numCarried + 2; ++k)
      bind.push_back({body->input(k).name(), b->getArgument(k)});
    auto outs = importBranch(*body, loc, bind);
    if (failed(outs))
      return failure();
    SmallVector<Value> next{
        AddOp::create(builder, loc, b->getArgument(0),
                      scalarConstant(builder, loc, i64, 1)),
        asScalar(builder, loc, (*outs)[0])};
    bool retry = false;
    for (int k = 0; k < numCarried; ++k) {
      Value v = (*outs)[1 + k];
      auto want = cast<RankedTensorType>(types[2 + k]);
      auto got = cast<RankedTensorType>(v.getType());
      if (got.getElementType() != want.getElementType() ||
          got.getRank() != want.getRank())
        return emitError(loc) << "Loop's carried value " << k << " enters as "
                              << want << " and comes back as " << got;
      types[2 + k] = widened(want, got, retry);
      next.push_back(v);
    }
    if (scanTypes.empty() && numScan > 0) {
      for (int k = 0; k < numScan; ++k)
        scanTypes.push_back(
            cast<RankedTensorType>((*outs)[1 + numCarried + k].getType()));
      retry = true;
    } else {
      for (int k = 0; k < numScan; ++k) {
        Value v = (*outs)[1 + numCarried + k];
        auto got = cast<RankedTensorType>(v.getType());
        scanTypes[k] = widened(scanTypes[k], got, retry);
        SmallVector<int64_t> row{1};
        row.append(got.getShape().begin(), got.getShape().end());
        Value acc = b->getArgument(2 + numCarried + k);
        auto accType = cast<RankedTensorType>(acc.getType());
        Value grown = ConcatOp::create(
            builder, loc, accType,
            ValueRange{acc, ReshapeOp::create(builder, loc,
                                              got.clone(row), v)},
            builder.getI64IntegerAttr(0));
        next.push_back(grown);
      }
    }
    if (!retry && cast<RankedTensorType>(next[1].getType()) == scalarType(i1)) {
      YieldOp::create(builder, loc, next);
      SmallVector<Value> results(op.getResults().drop_front(2));
      builder.setInsertionPointAfter(op);
      return bindOutputs(node, results, loc, "its body gives");
    }
    if (!retry)
      return emitError(loc) << "Loop's body must give a bool scalar "
                               "condition first, not "
                            << next[1].getType();
    op.erase();
  }
  return emitError(loc) << "Loop's carried values keep changing shape";
}

} // namespace kiln::onnx_frontend
