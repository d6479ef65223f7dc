//===- Einsum.cpp - einsum equations as kiln ops --------------------------===//

#include "frontends/common/Einsum.h"

#include "ir/ConstantData.h"

#include "llvm/ADT/StringExtras.h"

using namespace mlir;

namespace kiln {
namespace {

/// One operand (or the output): a label per dim. "..." expands to the
/// labels '0', '1', ... (never letters) for the dims it covers.
using Labels = std::string;

/// `spec` with "..." expanded for an operand of `rank` dims; empty with
/// `error` set when the spec does not fit.
std::optional<Labels> expand(llvm::StringRef spec, int64_t rank,
                             int64_t &ellipsisDims, std::string &error) {
  size_t dots = spec.find("...");
  Labels out;
  for (char c : spec)
    if (c != '.' && !llvm::isAlpha(c)) {
      error = "label '" + std::string(1, c) + "' is not a letter";
      return std::nullopt;
    }
  if (dots == llvm::StringRef::npos) {
    if (int64_t(spec.size()) != rank) {
      error = "'" + spec.str() + "' names " + std::to_string(spec.size()) +
              " dims of an operand of rank " + std::to_string(rank);
      return std::nullopt;
    }
    return spec.str();
  }
  int64_t explicitDims = int64_t(spec.size()) - 3;
  int64_t n = rank - explicitDims;
  if (n < 0 || n > 10) {
    error = "'" + spec.str() + "' does not fit an operand of rank " +
            std::to_string(rank);
    return std::nullopt;
  }
  ellipsisDims = std::max(ellipsisDims, n);
  out = spec.substr(0, dots).str();
  // Right-aligned: the last of the ellipsis dims is always '0' + max - 1.
  for (int64_t i = 0; i < n; ++i)
    out.push_back(char('0' + (10 - n + i)));
  out += spec.substr(dots + 3).str();
  return out;
}

} // namespace

FailureOr<Value> buildEinsum(NodeBuilder &nb, llvm::StringRef equation,
                             ArrayRef<Value> operands) {
  auto &b = nb.builder;
  std::string eq;
  for (char c : equation)
    if (c != ' ')
      eq.push_back(c);
  llvm::StringRef e(eq);
  auto [lhs, out] = e.split("->");
  bool explicitOut = e.contains("->");
  SmallVector<llvm::StringRef> specs;
  lhs.split(specs, ',');
  if (operands.empty() || operands.size() > 2 ||
      specs.size() != operands.size())
    return nb.error() << "Einsum '" << equation << "' needs one or two "
                      << "operands, one spec each";
  std::string error;
  int64_t ellipsisDims = 0;
  SmallVector<Labels> labels;
  for (auto [spec, v] : llvm::zip(specs, operands)) {
    auto l = expand(spec, cast<RankedTensorType>(v.getType()).getRank(),
                    ellipsisDims, error);
    if (!l)
      return nb.error() << "Einsum '" << equation << "': " << error;
    labels.push_back(*l);
  }
  Labels o;
  if (explicitOut) {
    int64_t outDims = 0;
    auto l = expand(out, out.contains("...") ? int64_t(out.size()) - 3 + ellipsisDims
                                             : int64_t(out.size()),
                    outDims, error);
    if (!l)
      return nb.error() << "Einsum '" << equation << "': " << error;
    o = *l;
  } else {
    // Implicit output: the ellipsis dims, then the labels used once, sorted.
    std::string once;
    for (char c = 'A'; c <= 'z'; ++c) {
      int uses = 0;
      for (const Labels &l : labels)
        uses += llvm::count(l, c);
      if (llvm::isAlpha(c) && uses == 1)
        once.push_back(c);
    }
    for (int64_t i = 0; i < ellipsisDims; ++i)
      o.push_back(char('0' + (10 - ellipsisDims + i)));
    o += once;
  }
  for (char c : o)
    if (llvm::none_of(labels, [&](const Labels &l) { return l.find(c) != Labels::npos; }))
      return nb.error() << "Einsum '" << equation << "': output label '" << c
                        << "' is in no operand";

  // A label repeated within an operand reads its diagonal: the operand
  // times an identity mask over the two dims, summed over the second.
  SmallVector<Value> vals(operands.begin(), operands.end());
  for (size_t k = 0; k < vals.size(); ++k) {
    Labels &l = labels[k];
    for (size_t i = 0; i < l.size(); ++i) {
      size_t j = l.find(l[i], i + 1);
      if (j == Labels::npos)
        continue;
      auto t = cast<RankedTensorType>(vals[k].getType());
      int64_t n = t.getDimSize(int64_t(i));
      if (ShapedType::isDynamic(n) || t.getDimSize(int64_t(j)) != n)
        return nb.error() << "Einsum '" << equation << "': the dims of "
                          << "repeated label '" << l[i]
                          << "' must be static and equal, got " << t;
      SmallVector<int64_t> maskShape(t.getRank(), 1);
      maskShape[i] = maskShape[j] = n;
      std::vector<double> eye(n * n, 0.0);
      for (int64_t d = 0; d < n; ++d)
        eye[d * n + d] = 1.0;
      Value mask = ConstantOp::create(
          b, nb.loc,
          writeConstant(RankedTensorType::get(maskShape, t.getElementType()),
                        eye));
      vals[k] = nb.create<ReduceSumOp>(nb.create<MulOp>(vals[k], mask),
                                       b.getDenseI64ArrayAttr({int64_t(j)}),
                                       b.getBoolAttr(false));
      if (!vals[k])
        return failure();
      l.erase(j, 1);
      --i; // the label may repeat once more
    }
  }
  // Sum out each operand's labels that neither the output nor the other
  // operand has.
  for (size_t k = 0; k < vals.size(); ++k) {
    SmallVector<int64_t> axes;
    Labels kept;
    for (size_t d = 0; d < labels[k].size(); ++d) {
      char c = labels[k][d];
      bool other = vals.size() == 2 && labels[1 - k].find(c) != Labels::npos;
      if (o.find(c) == Labels::npos && !other)
        axes.push_back(int64_t(d));
      else
        kept.push_back(c);
    }
    if (!axes.empty()) {
      vals[k] = nb.create<ReduceSumOp>(vals[k], b.getDenseI64ArrayAttr(axes),
                                       b.getBoolAttr(false));
      labels[k] = kept;
    }
  }
  auto permuteTo = [&](Value v, const Labels &from, const Labels &to) {
    SmallVector<int64_t> perm;
    for (char c : to)
      perm.push_back(int64_t(from.find(c)));
    bool identity = llvm::equal(perm, llvm::seq<int64_t>(0, perm.size()));
    return identity ? v
                    : nb.create<TransposeOp>(v, b.getDenseI64ArrayAttr(perm));
  };
  if (vals.size() == 1)
    return permuteTo(vals[0], labels[0], o);

  // Two operands: [batch, freeA, contracted] x [batch, contracted, freeB].
  Labels batch, freeA, freeB, contracted;
  for (char c : labels[0]) {
    bool inB = labels[1].find(c) != Labels::npos, inO = o.find(c) != Labels::npos;
    (inB ? (inO ? batch : contracted) : freeA).push_back(c);
  }
  for (char c : labels[1])
    if (labels[0].find(c) == Labels::npos)
      freeB.push_back(c);
  auto dimOf = [&](size_t k, char c) {
    return cast<RankedTensorType>(vals[k].getType())
        .getDimSize(int64_t(labels[k].find(c)));
  };
  // The product of some dims: static, or dynamic when it is one dim.
  auto product = [&](size_t k, const Labels &ls) -> std::optional<int64_t> {
    if (ls.size() == 1)
      return dimOf(k, ls[0]);
    int64_t p = 1;
    for (char c : ls) {
      if (ShapedType::isDynamic(dimOf(k, c)))
        return std::nullopt;
      p *= dimOf(k, c);
    }
    return p;
  };
  auto fa = product(0, freeA), fb = product(1, freeB), kk = product(0, contracted);
  if (!fa || !fb || !kk)
    return nb.error() << "Einsum '" << equation << "' merges dims known only "
                      << "at run time";
  auto merged = [&](size_t k, Labels order, int64_t rows, int64_t cols) {
    Value v = permuteTo(vals[k], labels[k], order);
    SmallVector<int64_t> shape;
    for (char c : batch)
      shape.push_back(dimOf(k, c));
    shape.append({rows, cols});
    return v ? nb.reshape(v, shape) : v;
  };
  Value a = merged(0, batch + freeA + contracted, *fa, *kk);
  Value bm = merged(1, batch + contracted + freeB, *kk, *fb);
  Value r = nb.create<MatMulOp>(a, bm);
  if (!r)
    return failure();
  SmallVector<int64_t> shape;
  for (char c : batch)
    shape.push_back(std::max(dimOf(0, c), dimOf(1, c)));
  for (char c : freeA)
    shape.push_back(dimOf(0, c));
  for (char c : freeB)
    shape.push_back(dimOf(1, c));
  r = nb.reshape(r, shape);
  Value result = permuteTo(r, batch + freeA + freeB, o);
  if (!result)
    return failure();
  return result;
}

} // namespace kiln
