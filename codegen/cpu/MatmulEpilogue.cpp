//===- MatmulEpilogue.cpp - consumers fused into matmul tiles -------------===//
//
// The chain from the matmul to its consumer may hold, in this order, 2-D
// slices from the origin (the rows a convolution padded to a multiple of
// the register tile dropped), 2-D transposes (a convolution's pixels x
// channels product turned into NCHW), one expand_shape (the 2-D result
// seen as the consumer's image) and a slice of the columns' dims from the
// origin (the junk columns of a padded-width convolution, which the tiles
// compute the consumer for too; its inputs are then scalars or per row).
// Each of the consumer's loops then belongs to one matmul dimension (row or
// column), which tells how each other input is read at a matmul element:
//  - one that varies along no loop of size > 1 is a scalar;
//  - one that varies only along the loops of one matmul dimension, all of
//    them, in their order, is a vector along it (a bias per channel);
//  - one read with the consumer's own indexing (a residual) is a tensor in
//    the matmul's layout, once collapsed back; not where the chain
//    transposes, which would cost the copy the fusion saves.
// Rows that the matmul computes past the slice (padding) read the last
// real row's inputs; columns past it read zeros. Both are sliced away.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/MatmulEpilogue.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include <numeric>

using namespace mlir;

namespace kiln {
namespace {

/// Whether the payload op can be applied to vectors lane by lane.
bool isLanewise(Operation &op) {
  if (isa<arith::ConstantOp>(op))
    return true;
  if (!op.hasTrait<OpTrait::Elementwise>() || op.getNumRegions() != 0 ||
      !isMemoryEffectFree(&op))
    return false;
  auto scalar = [](Type t) { return t.isIntOrIndexOrFloat(); };
  return llvm::all_of(op.getOperandTypes(), scalar) &&
         llvm::all_of(op.getResultTypes(), scalar);
}

/// Whether `v` can be read before `op`: it is defined there, or by a pure
/// op without regions on values defined there (a reshape of a constant
/// bias, which prepare() moves before `op`).
bool isAvailableAt(Value v, Operation *op, DominanceInfo &dominance) {
  if (dominance.properlyDominates(v, op))
    return true;
  Operation *def = v.getDefiningOp();
  return def && def->getBlock() == op->getBlock() &&
         def->getNumRegions() == 0 && isMemoryEffectFree(def) &&
         llvm::all_of(def->getOperands(), [&](Value x) {
           return dominance.properlyDominates(x, op);
         });
}

} // namespace

std::optional<MatmulEpilogue> MatmulEpilogue::match(linalg::MatmulOp op) {
  MatmulEpilogue e;
  auto type = cast<RankedTensorType>(op.getResultTypes()[0]);
  e.matmulRows = e.rows = type.getDimSize(0);
  e.matmulCols = e.cols = type.getDimSize(1);
  bool transposed = false, expanded = false, junkColumns = false;
  Value v = op.getResult(0);
  Operation *user = nullptr;
  while (true) {
    if (!v.hasOneUse())
      return std::nullopt;
    user = *v.getUsers().begin();
    if (auto slice = dyn_cast<tensor::ExtractSliceOp>(user)) {
      auto t = slice.getType();
      if (!t.hasStaticShape() || !slice.hasZeroOffset() ||
          !slice.hasUnitStride() || junkColumns)
        return std::nullopt;
      if (expanded) {
        // A padded-width convolution's junk columns, dropped from the
        // expanded image: only dims of the columns' group may shrink.
        if (transposed || t.getRank() != slice.getSourceType().getRank())
          return std::nullopt;
        for (int64_t d : e.groups[0])
          if (t.getDimSize(d) != slice.getSourceType().getDimSize(d))
            return std::nullopt;
        junkColumns = true;
        v = slice.getResult();
        continue;
      }
      if (t.getRank() != 2)
        return std::nullopt;
      e.rows = t.getDimSize(transposed ? 1 : 0);
      e.cols = t.getDimSize(transposed ? 0 : 1);
      v = slice.getResult();
      continue;
    }
    if (auto tr = dyn_cast<linalg::TransposeOp>(user)) {
      if (expanded || tr.getInput() != v || tr->getNumResults() != 1 ||
          tr.getPermutation().size() != 2)
        return std::nullopt;
      transposed = !transposed;
      v = tr->getResult(0);
      continue;
    }
    if (auto ex = dyn_cast<tensor::ExpandShapeOp>(user)) {
      if (expanded || !ex.getResultType().hasStaticShape())
        return std::nullopt;
      expanded = true;
      e.groups = ex.getReassociationIndices();
      v = ex.getResult();
      continue;
    }
    break;
  }
  if (!expanded)
    e.groups = {{0}, {1}};
  auto generic = dyn_cast<linalg::GenericOp>(user);
  if (!generic || generic.getNumDpsInits() != 1 ||
      generic->getNumResults() != 1 ||
      generic.getNumParallelLoops() != generic.getNumLoops() ||
      generic.getResultTypes()[0] != v.getType())
    return std::nullopt;
  // A consumer that feeds a pad or a concatenation writes into the padded
  // buffer's interior or its slice of the concatenation in place
  // (eliminate-empty-tensors); the kernel's rows, behind the views, cannot,
  // and the copy into place would cost what the fusion saves.
  if (llvm::any_of(generic->getUsers(),
                   llvm::IsaPred<tensor::PadOp, tensor::InsertSliceOp>))
    return std::nullopt;
  OpOperand *init = generic.getDpsInitOperand(0);
  if (!generic.getMatchingIndexingMap(init).isIdentity() ||
      generic.payloadUsesValueFromOperand(init))
    return std::nullopt;
  Block &body = generic.getRegion().front();
  DominanceInfo dominance(op->getParentOp());
  for (Operation &o : body.without_terminator()) {
    if (!isLanewise(o))
      return std::nullopt;
    for (Value x : o.getOperands())
      if (x.getParentBlock() != &body && !dominance.properlyDominates(x, op))
        return std::nullopt;
  }
  Value yielded = body.getTerminator()->getOperand(0);
  if (yielded.getParentBlock() != &body || !yielded.getType().isF32())
    return std::nullopt;

  // Which matmul dimension (0 rows, 1 columns) each consumer loop belongs to.
  SmallVector<int64_t> ranges = generic.getStaticLoopRanges();
  SmallVector<int> dimOf(ranges.size());
  for (auto [g, group] : llvm::enumerate(e.groups))
    for (int64_t d : group)
      dimOf[d] = static_cast<int>(g) ^ static_cast<int>(transposed);
  for (OpOperand *in : generic.getDpsInputOperands()) {
    unsigned arg = generic.getMatchingBlockArgument(in).getArgNumber();
    AffineMap map = generic.getMatchingIndexingMap(in);
    if (in->get() == v) {
      if (!map.isIdentity())
        return std::nullopt;
      e.resultArgs.push_back(arg);
      e.viewedOperand = in->getOperandNumber();
      continue;
    }
    if (!generic.payloadUsesValueFromOperand(in))
      continue;
    auto t = dyn_cast<RankedTensorType>(in->get().getType());
    if (!t || !t.hasStaticShape() || !isAvailableAt(in->get(), op, dominance))
      return std::nullopt;
    // The loops of size > 1 the input varies along, in its order.
    SmallVector<int64_t> varying;
    for (auto [i, expr] : llvm::enumerate(map.getResults())) {
      if (auto c = dyn_cast<AffineConstantExpr>(expr)) {
        if (c.getValue() != 0 || t.getDimSize(i) != 1)
          return std::nullopt;
      } else if (auto d = dyn_cast<AffineDimExpr>(expr)) {
        if (ranges[d.getPosition()] != 1)
          varying.push_back(d.getPosition());
      } else {
        return std::nullopt;
      }
    }
    Input input{Input::Scalar, in->get(), arg, Value()};
    if (!varying.empty()) {
      int dim = dimOf[varying.front()];
      SmallVector<int64_t> along;
      for (int64_t d : e.groups[dim ^ static_cast<int>(transposed)])
        if (ranges[d] != 1)
          along.push_back(d);
      // Inputs along the columns are in the consumer's layout, which the
      // junk columns break.
      if (varying == along && (dim == 0 || !junkColumns)) {
        input.kind = dim == 0 ? Input::PerRow : Input::PerCol;
      } else if (map.isIdentity() && !transposed && !junkColumns) {
        input.kind = Input::Whole;
      } else {
        return std::nullopt;
      }
    }
    e.inputs.push_back(input);
  }
  if (e.resultArgs.empty())
    return std::nullopt;
  e.consumer = generic;
  return e;
}

void MatmulEpilogue::prepare(OpBuilder &b, Location loc) {
  for (Input &in : inputs) {
    Operation *def = in.value.getDefiningOp();
    if (def && def->getBlock() == b.getInsertionBlock() &&
        b.getInsertionPoint() != b.getInsertionBlock()->end() &&
        b.getInsertionPoint()->isBeforeInBlock(def))
      def->moveBefore(b.getInsertionBlock(), b.getInsertionPoint());
    auto t = cast<RankedTensorType>(in.value.getType());
    in.view = in.value;
    if (in.kind == Input::PerRow || in.kind == Input::PerCol) {
      if (t.getRank() != 1) {
        ReassociationIndices all(t.getRank());
        std::iota(all.begin(), all.end(), 0);
        in.view = tensor::CollapseShapeOp::create(
            b, loc, in.value, ArrayRef<ReassociationIndices>{all});
      }
    } else if (in.kind == Input::Whole && t.getRank() != 2) {
      in.view = tensor::CollapseShapeOp::create(b, loc, in.value, groups);
    }
  }
}

Value MatmulEpilogue::apply(OpBuilder &b, Location loc, Value row, Value col,
                            Value acc) const {
  auto accType = cast<VectorType>(acc.getType());
  int64_t p = accType.getDimSize(0);
  auto vectorOf = [&](Type t) { return VectorType::get({p}, t); };
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  // Padding rows read the last real row; columns past the end read zeros.
  Value realRow = rows < matmulRows
                      ? arith::MinUIOp::create(b, loc, row, index(rows - 1))
                            .getResult()
                      : row;
  bool colsInBounds = cols % p == 0 && cols >= matmulCols;
  auto readRow = [&](Value source, ValueRange indices) -> Value {
    Type elem = cast<ShapedType>(source.getType()).getElementType();
    Value pad = arith::ConstantOp::create(b, loc, b.getZeroAttr(elem));
    return vector::TransferReadOp::create(b, loc, vectorOf(elem), source,
                                          indices, pad,
                                          ArrayRef<bool>{colsInBounds});
  };
  auto splat = [&](Value source, ValueRange indices) -> Value {
    Value x = tensor::ExtractOp::create(b, loc, source, indices);
    return vector::BroadcastOp::create(b, loc, vectorOf(x.getType()), x);
  };

  linalg::GenericOp generic = consumer; // op handles are not const
  Block &body = generic.getRegion().front();
  IRMapping map;
  for (unsigned arg : resultArgs)
    map.map(body.getArgument(arg), acc);
  for (const Input &in : inputs) {
    Value x;
    switch (in.kind) {
    case Input::Scalar: {
      auto rank = cast<RankedTensorType>(in.view.getType()).getRank();
      x = splat(in.view, SmallVector<Value>(rank, index(0)));
      break;
    }
    case Input::PerRow:
      x = splat(in.view, {realRow});
      break;
    case Input::PerCol:
      x = readRow(in.view, {col});
      break;
    case Input::Whole:
      x = readRow(in.view, {realRow, col});
      break;
    }
    map.map(body.getArgument(in.arg), x);
  }
  for (Operation &o : body.without_terminator()) {
    if (auto c = dyn_cast<arith::ConstantOp>(o)) {
      Value s = arith::ConstantOp::create(b, loc, c.getValue());
      map.map(c.getResult(), vector::BroadcastOp::create(
                                 b, loc, vectorOf(s.getType()), s));
      continue;
    }
    // Values from outside the payload (captured constants) are splat.
    for (Value x : o.getOperands())
      if (!map.contains(x))
        map.map(x, vector::BroadcastOp::create(b, loc, vectorOf(x.getType()),
                                               x));
    Operation *lanes = b.clone(o, map);
    for (OpResult r : lanes->getResults())
      r.setType(vectorOf(r.getType()));
  }
  return map.lookup(body.getTerminator()->getOperand(0));
}

void MatmulEpilogue::finish() {
  consumer.getResult(0).replaceAllUsesWith(
      consumer->getOperand(viewedOperand));
  consumer.erase();
}

} // namespace kiln
