//===- UniqueImporter.cpp - ONNX Unique by pairwise comparison ------------===//
//
// Unique(X[, axis], sorted): the distinct elements (or slices along
// `axis`), their first indices, each element's position among them, and
// their counts. The count of distinct values is known only at run time:
// the outputs are sliced to it. Everything else is computed from the n x n
// table of which slices are equal (and, sorted, which is lexicographically
// smaller), so inputs are capped at kMaxUniqueSlices slices.
//
//===----------------------------------------------------------------------===//

#include "frontends/common/Composites.h"
#include "frontends/onnx/ImportContext.h"

#include "ir/ConstantData.h"

using namespace mlir;

namespace kiln::onnx_frontend {
namespace {

using Out = SmallVectorImpl<Value>;

constexpr int64_t kMaxUniqueSlices = 4096;

/// A constant [n, n] bool table whose (r, c) entry is `pred(r, c)`.
template <typename Pred>
Value boolTable(NodeContext &nc, int64_t n, Pred pred) {
  std::vector<double> v(n * n);
  for (int64_t r = 0; r < n; ++r)
    for (int64_t c = 0; c < n; ++c)
      v[r * n + c] = pred(r, c) ? 1.0 : 0.0;
  auto t = RankedTensorType::get({n, n}, nc.builder.getI1Type());
  return ConstantOp::create(nc.builder, nc.loc, writeConstant(t, v));
}

/// Count of true entries of bool `x` along `axis` (i64, dim dropped).
Value countTrue(NodeContext &nc, Value x, int64_t axis) {
  return nc.create<ReduceSumOp>(nc.castTo(x, nc.builder.getI64Type()),
                                nc.builder.getDenseI64ArrayAttr({axis}),
                                nc.builder.getBoolAttr(false));
}

/// less[i][j]: slice i before slice j in lexicographic order, for rows
/// `a` [n, 1, m] and `b` [1, n, m]: the first differing element decides.
Value lexicographicLess(NodeContext &nc, Value a, Value b, int64_t m) {
  Value lt = nc.create<LessOp>(a, b);
  if (m == 1)
    return nc.reshape(lt, {tensorTypeOf(lt).getDimSize(0),
                           tensorTypeOf(lt).getDimSize(1)});
  Type f32 = nc.builder.getF32Type();
  Value ne = nc.castTo(nc.create<NotEqualOp>(a, b), f32);
  // Differences before element p: ne times the strictly-earlier matrix.
  std::vector<double> earlier(m * m, 0.0);
  for (int64_t q = 0; q < m; ++q)
    for (int64_t p = q + 1; p < m; ++p)
      earlier[q * m + p] = 1.0;
  Value e = ConstantOp::create(
      nc.builder, nc.loc,
      writeConstant(RankedTensorType::get({m, m}, f32), earlier));
  Value diffBefore = nc.create<GreaterOp>(buildMatMulAlong(nc, ne, 2, e),
                                          nc.scalarConst(f32, 0.0));
  Value decides = nc.create<AndOp>(lt, nc.create<NotOp>(diffBefore));
  return buildAllAny(nc, decides, {2}, false, /*all=*/false);
}

LogicalResult importUnique(NodeContext &nc, Out &out) {
  RankedTensorType t = nc.inputType(0);
  if (!t.hasStaticShape())
    return nc.error() << "Unique needs a static input shape, got " << t;
  bool hasAxis = false;
  for (const auto &a : nc.node.attribute())
    hasAxis |= a.name() == "axis";
  int64_t rank = t.getRank();
  int64_t axis = hasAxis ? normalizeAxis(nc.intAttr("axis", 0), rank) : 0;
  if (axis < 0)
    return nc.error() << "axis out of range for rank " << rank;
  // Rows: the slices compared, [n, m].
  Value x = nc.input(0);
  int64_t n = hasAxis ? t.getDimSize(axis) : t.getNumElements();
  int64_t m = hasAxis && n ? t.getNumElements() / n : 1;
  if (n > kMaxUniqueSlices)
    return nc.error() << "Unique over " << n << " slices is not supported "
                      << "(at most " << kMaxUniqueSlices << ")";
  SmallVector<int64_t> perm{axis};
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis)
      perm.push_back(d);
  Value front = hasAxis && axis ? nc.transpose(x, perm) : x;
  Value rows = nc.reshape(front, {n, m});
  Value a = nc.reshape(rows, {n, 1, m}), b = nc.reshape(rows, {1, n, m});
  Value same = buildAllAny(nc, nc.create<EqualOp>(a, b), {2}, false, true);
  // First occurrences: no equal slice earlier.
  Value dupBefore = buildAllAny(
      nc, nc.create<AndOp>(same, boolTable(nc, n, [](int64_t i, int64_t j) {
                             return j < i;
                           })),
      {1}, false, false);
  Value isFirst = nc.create<NotOp>(dupBefore);
  Value firstRow = nc.reshape(isFirst, {n, 1});
  // before[j][i]: distinct slice j comes before slice i's value.
  Value before;
  if (nc.intAttr("sorted", 1)) {
    before = lexicographicLess(nc, a, b, m);
  } else {
    Value first = nc.create<ArgMaxOp>(nc.castTo(same, nc.builder.getI32Type()),
                                      nc.builder.getI64IntegerAttr(1),
                                      nc.builder.getBoolAttr(false),
                                      nc.builder.getBoolAttr(false));
    std::vector<int64_t> iota(n);
    for (int64_t j = 0; j < n; ++j)
      iota[j] = j;
    before = nc.create<LessOp>(nc.reshape(nc.i64Const(iota), {n, 1}),
                               nc.reshape(first, {1, n}));
  }
  Value inverse = countTrue(nc, nc.create<AndOp>(before, firstRow), 0);
  // The slot of each distinct value: indices[r] is the first occurrence
  // whose position is r; the rows past the count are dropped.
  std::vector<int64_t> slots(n);
  for (int64_t r = 0; r < n; ++r)
    slots[r] = r;
  Value slotOf = nc.create<AndOp>(
      nc.create<EqualOp>(nc.reshape(nc.i64Const(slots), {n, 1}),
                         nc.reshape(inverse, {1, n})),
      nc.reshape(isFirst, {1, n}));
  Value firstIndex = nc.create<ArgMaxOp>(
      nc.castTo(slotOf, nc.builder.getI32Type()), nc.builder.getI64IntegerAttr(1),
      nc.builder.getBoolAttr(false), nc.builder.getBoolAttr(false));
  Value count = nc.reshape(countTrue(nc, isFirst, 0), {1});
  auto one = nc.builder.getDenseI64ArrayAttr({1});
  auto zeroAxis = nc.builder.getDenseI64ArrayAttr({0});
  Value indices = nc.create<DynamicSliceOp>(firstIndex, nc.i64Const({0}), count,
                                            zeroAxis, one);
  Value values = hasAxis ? nc.create<GatherOp>(x, indices,
                                               nc.builder.getI64IntegerAttr(axis))
                         : nc.create<GatherOp>(nc.reshape(x, {n}), indices,
                                               nc.builder.getI64IntegerAttr(0));
  Value counts = nc.create<GatherOp>(countTrue(nc, same, 1), indices,
                                     nc.builder.getI64IntegerAttr(0));
  out.append({values, indices, inverse, counts});
  return success(values && counts && inverse);
}

} // namespace

void registerUniqueImporters(ImporterRegistry &r) { r["Unique"] = importUnique; }

} // namespace kiln::onnx_frontend
