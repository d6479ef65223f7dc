//===- ContractionRoles.cpp - a linalg contraction seen as a GEMM --------===//

#include "codegen/gpu/ContractionRoles.h"

#include "mlir/Dialect/Affine/Utils.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;

namespace kiln {
namespace {

/// Contractions with a shorter static reduction are left to
/// kiln-gpu-map-to-threads.
constexpr int64_t kMinReduction = 16;

} // namespace

/// Whether `op`'s body is `out + a * b` (either order) over f32.
static bool isMultiplyAccumulate(linalg::LinalgOp op) {
  Block *body = op.getBlock();
  if (body->getNumArguments() != 3 ||
      !llvm::all_of(body->getArgumentTypes(),
                    [](Type t) { return t.isF32(); }))
    return false;
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  auto add = yield.getValues()[0].getDefiningOp<arith::AddFOp>();
  if (!add || add->getBlock() != body)
    return false;
  Value out = body->getArgument(2);
  Value product = add.getLhs() == out ? add.getRhs() : add.getLhs();
  if (add.getLhs() != out && add.getRhs() != out)
    return false;
  auto mul = product.getDefiningOp<arith::MulFOp>();
  if (!mul || mul->getBlock() != body)
    return false;
  Value a = body->getArgument(0), b = body->getArgument(1);
  return (mul.getLhs() == a && mul.getRhs() == b) ||
         (mul.getLhs() == b && mul.getRhs() == a);
}

/// The roles of `op`'s loop dims, or failure when `op` is no contraction
/// this kernel computes.
FailureOr<Roles> classify(linalg::LinalgOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      !op.hasPureBufferSemantics() || !isMultiplyAccumulate(op) ||
      op.getNumReductionLoops() == 0 || op.hasIndexSemantics())
    return failure();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (!maps[2].isProjectedPermutation())
    return failure();
  auto reads = [](AffineMap map, unsigned d) {
    return llvm::any_of(map.getResults(), [&](AffineExpr e) {
      return e.isFunctionOfDim(d);
    });
  };
  Roles roles;
  auto iters = op.getIteratorTypesArray();
  // A short reduction (a depthwise convolution's window) gains nothing
  // from staging K tiles: the one-element-per-thread loops suit it better.
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t reduction = 1;
  for (unsigned d = 0; d < iters.size(); ++d)
    if (iters[d] == utils::IteratorType::reduction)
      reduction = ShapedType::isDynamic(ranges[d]) || reduction < 0
                      ? -1
                      : reduction * ranges[d];
  if (reduction >= 0 && reduction < kMinReduction)
    return failure();
  for (unsigned d = 0; d < iters.size(); ++d) {
    if (iters[d] == utils::IteratorType::reduction)
      roles.k.push_back(d);
    else if (reads(maps[0], d) && reads(maps[1], d))
      roles.batch.push_back(d);
    else if (reads(maps[0], d))
      roles.m.push_back(d);
    else
      roles.n.push_back(d);
  }
  return roles;
}

/// Whether an operand's innermost (contiguous) dim moves with K dims
/// alone (a weight [M, K], a filter's window): its tile is then loaded with
/// k fastest among threads, else with its M or N index fastest (an image's
/// pixels, a [K, N] matrix), so neighbouring threads read neighbouring
/// addresses.
bool contiguousAlongK(AffineMap map, const Roles &roles) {
  if (map.getNumResults() == 0)
    return false;
  AffineExpr inner = map.getResults().back();
  bool k = false, other = false;
  for (unsigned d = 0; d < map.getNumDims(); ++d)
    if (inner.isFunctionOfDim(d))
      (llvm::is_contained(roles.k, d) ? k : other) = true;
  return k && !other;
}

Value constantIndex(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

/// The product of the loop sizes of `dims` (1 when there are none).
Value product(OpBuilder &b, Location loc, ArrayRef<Value> sizes,
              ArrayRef<unsigned> dims) {
  Value p = constantIndex(b, loc, 1);
  for (unsigned d : dims)
    p = arith::MulIOp::create(b, loc, p, sizes[d]);
  return p;
}

/// Writes into `iv` the loop indices of `dims` that the row-major linear
/// index `linear` over their sizes stands for.
/// `narrow`: the linear index is known to fit 32 bits; the divisions are
/// then done in i32, several times cheaper on a GPU than in 64 bits (this
/// runs for every staged element of every K step).
void delinearize(OpBuilder &b, Location loc, Value linear,
                 ArrayRef<Value> sizes, ArrayRef<unsigned> dims,
                 SmallVectorImpl<Value> &iv, bool narrow) {
  Type i32 = b.getI32Type();
  auto toNarrow = [&](Value v) {
    return narrow ? arith::IndexCastUIOp::create(b, loc, i32, v).getResult() : v;
  };
  auto toIndex = [&](Value v) {
    return narrow ? arith::IndexCastUIOp::create(b, loc, b.getIndexType(), v)
                        .getResult()
                  : v;
  };
  linear = toNarrow(linear);
  for (int i = static_cast<int>(dims.size()) - 1; i >= 0; --i) {
    if (i == 0) {
      iv[dims[0]] = toIndex(linear);
      break;
    }
    Value size = toNarrow(sizes[dims[i]]);
    iv[dims[i]] = toIndex(arith::RemUIOp::create(b, loc, linear, size));
    linear = arith::DivUIOp::create(b, loc, linear, size);
  }
}

/// The indices into an operand for loop indices `iv`.
SmallVector<Value> applyMap(OpBuilder &b, Location loc, AffineMap map,
                            ArrayRef<Value> iv) {
  SmallVector<Value> indices;
  for (AffineExpr e : map.getResults())
    indices.push_back(affine::expandAffineExpr(b, loc, e, iv, {}));
  return indices;
}

/// A view of `operand` (read through `map`) with its K dims collapsed into
/// one, when they are its trailing dims, plain and in loop order, and
/// contiguous (a filter [F, C, KH, KW]): its element at (..., k) is then
/// read with the linear k, with no division. Null otherwise.
Value collapseTrailingK(OpBuilder &b, Location loc, Value operand,
                        AffineMap map, const Roles &roles) {
  auto type = dyn_cast<MemRefType>(operand.getType());
  unsigned nk = roles.k.size(), rank = map.getNumResults();
  if (!type || nk < 2 || rank < nk)
    return {};
  for (unsigned i = 0; i < nk; ++i) {
    auto dim = dyn_cast<AffineDimExpr>(map.getResult(rank - nk + i));
    if (!dim || dim.getPosition() != roles.k[i])
      return {};
  }
  SmallVector<ReassociationIndices> groups;
  for (unsigned i = 0; i < rank - nk; ++i) {
    for (unsigned d : roles.k)
      if (map.getResult(i).isFunctionOfDim(d))
        return {};
    groups.push_back({int64_t(i)});
  }
  groups.push_back(llvm::to_vector(llvm::seq<int64_t>(rank - nk, rank)));
  if (!memref::CollapseShapeOp::isGuaranteedCollapsible(type, groups))
    return {};
  return memref::CollapseShapeOp::create(b, loc, operand, groups);
}


/// The static size of the product of `dims`' loop ranges, or kDynamic.
int64_t staticSize(linalg::LinalgOp op, ArrayRef<unsigned> dims) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t p = 1;
  for (unsigned d : dims) {
    if (ShapedType::isDynamic(ranges[d]))
      return ShapedType::kDynamic;
    p *= ranges[d];
  }
  return p;
}

} // namespace kiln
