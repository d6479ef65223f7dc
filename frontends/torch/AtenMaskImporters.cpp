//===- AtenMaskImporters.cpp - masks: comparisons, where, fills, triu -----===//
//
// Attention masks are built from comparisons of aranges, logical ops,
// triu/tril of a constant, masked_fill and where; the core ATen form of
// scaled_dot_product_attention builds its causal mask that way too. Boolean
// tensors are kiln i1 tensors. Fill values and dtypes follow torch: full's
// dtype defaults to its fill value's kind (bool, int64, float32).
//
//===----------------------------------------------------------------------===//

#include "frontends/torch/AtenNode.h"
#include "frontends/torch/Pt2Archive.h"

#include "ir/ConstantData.h"
#include "ir/KilnDialect.h"

using namespace mlir;

namespace kiln::torch_frontend {
namespace {

using Out = SmallVectorImpl<Value>;

/// The element type of `dtype` (an as_scalar_type argument), or of the
/// value `fill` when the call names none.
Type elementTypeOf(AtenNode &n, const llvm::json::Object *fill) {
  auto &b = n.builder;
  const auto *dt = n.arg("dtype");
  kiln_dtype d;
  if (dt && !dt->get("as_none") &&
      dtypeFromScalarType(dt->getInteger("as_scalar_type").value_or(0), d)) {
    switch (d) {
    case KILN_DTYPE_BOOL: return b.getI1Type();
    case KILN_DTYPE_INT64: return b.getI64Type();
    case KILN_DTYPE_INT32: return b.getI32Type();
    case KILN_DTYPE_FLOAT64: return b.getF64Type();
    case KILN_DTYPE_FLOAT32: return b.getF32Type();
    default: return {};
    }
  }
  if (fill && fill->get("as_bool"))
    return b.getI1Type();
  if (fill && fill->get("as_int"))
    return b.getI64Type();
  return b.getF32Type();
}

/// A number argument as a double (bools as 0/1; "inf" floats as written).
double numberArg(AtenNode &n, llvm::StringRef name) {
  const auto *a = n.arg(name);
  if (a)
    if (auto b = a->getBoolean("as_bool"))
      return *b ? 1.0 : 0.0;
  return n.floatArg(name, 0.0);
}

/// `value` splat to `shape` of element type `et`.
Value splat(AtenNode &n, ArrayRef<int64_t> shape, Type et, double value) {
  auto type = RankedTensorType::get(shape, et);
  if (shape.empty())
    return n.scalarConst(et, value);
  return n.create<BroadcastToOp>(type, n.scalarConst(et, value),
                                 n.i64Const(shape));
}

/// full(size, fill_value), zeros/ones(size), scalar_tensor(s) and the
/// *_like forms (the size of `self`).
template <int Fill> LogicalResult importFull(AtenNode &n, Out &out) {
  SmallVector<int64_t> shape;
  const llvm::json::Object *fill = Fill == 2 ? n.arg("fill_value")
                                   : Fill == 3 ? n.arg("s")
                                               : nullptr;
  Type et = elementTypeOf(n, fill);
  if (const auto *self = n.arg("self")) {
    (void)self;
    Value x = n.tensor("self");
    if (!x)
      return failure();
    auto type = n.inputTypeOf(x);
    if (!type.hasStaticShape())
      return n.error() << n.target() << " of a dynamic shape is not supported";
    shape.assign(type.getShape().begin(), type.getShape().end());
    if (!n.arg("dtype") || n.arg("dtype")->get("as_none"))
      et = type.getElementType();
  } else if (Fill != 3) {
    std::vector<int64_t> size = n.symIntsArg("size");
    if (llvm::any_of(size, [](int64_t d) { return d < 0; }))
      return n.error() << n.target() << " of a size not known at compile time";
    shape.assign(size.begin(), size.end());
  }
  if (!et)
    return n.error() << n.target() << ": dtype not supported";
  double value = Fill == 0 ? 0.0
                 : Fill == 1 ? 1.0
                 : numberArg(n, Fill == 2 ? "fill_value" : "s");
  out.push_back(splat(n, shape, et, value));
  return success(bool(out.back()));
}

/// new_zeros/new_ones/new_full(self, size[, fill_value], dtype=None): a
/// fill of `size` in self's dtype unless one is given.
template <int Fill> LogicalResult importNewFull(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  const auto *dt = n.arg("dtype");
  Type et = dt && !dt->get("as_none") ? elementTypeOf(n, nullptr)
                                      : n.inputTypeOf(x).getElementType();
  std::vector<int64_t> size = n.symIntsArg("size");
  if (!et || llvm::any_of(size, [](int64_t d) { return d < 0; }))
    return n.error() << n.target() << ": a size not known at compile time or "
                        "an unsupported dtype";
  double value = Fill == 0 ? 0.0 : Fill == 1 ? 1.0 : numberArg(n, "fill_value");
  out.push_back(splat(n, SmallVector<int64_t>(size.begin(), size.end()), et, value));
  return success(bool(out.back()));
}

/// fill_.Scalar(self, value), zero_(self): self's shape filled. The
/// importer (Pt2Importer) writes the result back where self is a slice of
/// another tensor.
template <bool Zero> LogicalResult importFillInPlace(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  auto type = n.inputTypeOf(x);
  if (!type.hasStaticShape())
    return n.error() << n.target() << " of a dynamic shape is not supported";
  out.push_back(splat(n, type.getShape(), type.getElementType(),
                      Zero ? 0.0 : numberArg(n, "value")));
  return success(bool(out.back()));
}

/// A tensor argument, or a number argument as a scalar of `like`'s type.
Value operand(AtenNode &n, llvm::StringRef name, Value like) {
  const auto *a = n.arg(name);
  if (a && !a->get("as_tensor"))
    return n.scalarConst(n.inputTypeOf(like).getElementType(),
                         numberArg(n, name));
  return n.tensor(name);
}

/// lt/le/gt/ge/eq/ne, .Scalar and .Tensor.
template <typename OpTy> LogicalResult importCompare(AtenNode &n, Out &out) {
  Value a = n.tensor("self");
  Value b = a ? operand(n, "other", a) : Value();
  out.push_back(a && b ? n.create<OpTy>(a, b) : Value());
  return success(bool(out.back()));
}

/// `v` as i1 (torch's truthiness: nonzero).
Value truth(AtenNode &n, Value v) {
  auto type = n.inputTypeOf(v);
  if (type.getElementType().isInteger(1))
    return v;
  return n.create<NotEqualOp>(v, n.scalarConst(type.getElementType(), 0.0));
}

template <typename OpTy> LogicalResult importLogical(AtenNode &n, Out &out) {
  Value a = n.tensor("self"), b = n.tensor("other");
  out.push_back(a && b ? n.create<OpTy>(truth(n, a), truth(n, b)) : Value());
  return success(bool(out.back()));
}

LogicalResult importLogicalNot(AtenNode &n, Out &out) {
  Value a = n.tensor("self");
  out.push_back(a ? n.create<NotOp>(truth(n, a)) : Value());
  return success(bool(out.back()));
}

/// where.self(condition, self, other).
LogicalResult importWhere(AtenNode &n, Out &out) {
  Value c = n.tensor("condition"), a = n.tensor("self");
  Value b = a ? operand(n, "other", a) : Value();
  out.push_back(c && a && b ? n.create<SelectOp>(truth(n, c), a, b) : Value());
  return success(bool(out.back()));
}

/// masked_fill.Scalar/.Tensor(self, mask, value): value where mask is set.
LogicalResult importMaskedFill(AtenNode &n, Out &out) {
  Value x = n.tensor("self"), mask = n.tensor("mask");
  Value v = x ? operand(n, "value", x) : Value();
  out.push_back(x && mask && v ? n.create<SelectOp>(truth(n, mask), v, x)
                               : Value());
  return success(bool(out.back()));
}

/// any.dim(self, dim, keepdim=False): some element along dim is set.
LogicalResult importAny(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  auto type = n.inputTypeOf(x);
  int64_t dim = normalizeAxis(n.intArg("dim", 0), type.getRank());
  auto f32 = n.builder.getF32Type();
  Value f = n.create<CastOp>(type.clone(f32), truth(n, x));
  Value m = n.create<ReduceMaxOp>(f, n.builder.getDenseI64ArrayAttr({dim}),
                                  n.builder.getBoolAttr(
                                      n.boolArg("keepdim", false)));
  out.push_back(m ? n.create<GreaterOp>(m, n.scalarConst(f32, 0.0)) : Value());
  return success(bool(out.back()));
}

/// triu/tril(self, diagonal=0): self where col - row >= k (<= k for
/// tril), zero elsewhere; the last two dims static.
template <bool Upper> LogicalResult importTri(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  auto type = n.inputTypeOf(x);
  int64_t r = type.getRank();
  if (r < 2 || type.isDynamicDim(r - 1) || type.isDynamicDim(r - 2))
    return n.error() << n.target() << " needs static last two dims";
  int64_t rows = type.getDimSize(r - 2), cols = type.getDimSize(r - 1);
  int64_t k = n.intArg("diagonal", 0);
  std::vector<double> keep;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      keep.push_back(Upper ? j - i >= k : j - i <= k);
  auto maskType = RankedTensorType::get({rows, cols}, n.builder.getI1Type());
  Value mask = ConstantOp::create(n.builder, n.loc, writeConstant(maskType, keep));
  Value zero = n.scalarConst(type.getElementType(), 0.0);
  out.push_back(n.create<SelectOp>(mask, x, zero));
  return success(bool(out.back()));
}

/// _to_copy(self, dtype=None) and to.dtype(self, dtype): a cast, or the
/// identity when the dtype stays.
LogicalResult importToDtype(AtenNode &n, Out &out) {
  Value x = n.tensor("self");
  if (!x)
    return failure();
  auto type = n.inputTypeOf(x);
  Type et = n.arg("dtype") && !n.arg("dtype")->get("as_none")
                ? elementTypeOf(n, nullptr)
                : type.getElementType();
  if (!et)
    return n.error() << n.target() << ": dtype not supported";
  out.push_back(et == type.getElementType()
                    ? x
                    : n.create<CastOp>(type.clone(et), x));
  return success(bool(out.back()));
}

} // namespace

void addMaskImporters(llvm::StringMap<AtenImporter> &table) {
  table["aten.full.default"] = importFull<2>;
  table["aten.full_like.default"] = importFull<2>;
  table["aten.zeros.default"] = importFull<0>;
  table["aten.zeros_like.default"] = importFull<0>;
  table["aten.ones.default"] = importFull<1>;
  table["aten.ones_like.default"] = importFull<1>;
  table["aten.scalar_tensor.default"] = importFull<3>;
  table["aten.new_zeros.default"] = importNewFull<0>;
  table["aten.new_ones.default"] = importNewFull<1>;
  table["aten.new_full.default"] = importNewFull<2>;
  table["aten.fill_.Scalar"] = importFillInPlace<false>;
  table["aten.zero_.default"] = importFillInPlace<true>;
  for (const char *overload : {".Scalar", ".Tensor"}) {
    std::string o(overload);
    table["aten.lt" + o] = importCompare<LessOp>;
    table["aten.le" + o] = importCompare<LessEqualOp>;
    table["aten.gt" + o] = importCompare<GreaterOp>;
    table["aten.ge" + o] = importCompare<GreaterEqualOp>;
    table["aten.eq" + o] = importCompare<EqualOp>;
    table["aten.ne" + o] = importCompare<NotEqualOp>;
    table["aten.masked_fill" + o] = importMaskedFill;
  }
  table["aten.logical_and.default"] = importLogical<AndOp>;
  table["aten.logical_or.default"] = importLogical<OrOp>;
  table["aten.logical_xor.default"] = importLogical<XorOp>;
  table["aten.logical_not.default"] = importLogicalNot;
  table["aten.bitwise_not.default"] = importLogicalNot;
  table["aten.where.self"] = importWhere;
  table["aten.any.dim"] = importAny;
  table["aten.triu.default"] = importTri<true>;
  table["aten.tril.default"] = importTri<false>;
  table["aten._to_copy.default"] = importToDtype;
  table["aten.to.dtype"] = importToDtype;
}

} // namespace kiln::torch_frontend
