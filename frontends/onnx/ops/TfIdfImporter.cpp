//===- TfIdfImporter.cpp - ONNX TfIdfVectorizer on integer tokens ---------===//
//
// TfIdfVectorizer counts, per row of integer tokens, the occurrences of a
// pool of n-grams (n from min_gram_length to max_gram_length; a gram of two
// or more tokens may skip up to max_skip_count tokens between its items,
// a unigram is counted once), then weighs the counts (TF: as they are; IDF:
// the weight where the count is non-zero; TFIDF: weight times count). For
// each gram size and skip, every window of the row is compared with every
// gram of that size at once; the counts land in their output columns
// (ngram_indexes) through a 0/1 matrix. String pools are not supported.
//
//===----------------------------------------------------------------------===//

#include "frontends/common/Composites.h"
#include "frontends/onnx/ImportContext.h"

#include "ir/ConstantData.h"

using namespace mlir;

namespace kiln::onnx_frontend {
namespace {

using Out = SmallVectorImpl<Value>;

std::vector<float> floatsAttr(NodeContext &nc, llvm::StringRef name) {
  for (const auto &a : nc.node.attribute())
    if (a.name() == name)
      return std::vector<float>(a.floats().begin(), a.floats().end());
  return {};
}

LogicalResult importTfIdf(NodeContext &nc, Out &out) {
  RankedTensorType t = nc.inputType(0);
  if (!t.hasStaticShape() || t.getRank() < 1 || t.getRank() > 2 ||
      !isa<IntegerType>(t.getElementType()))
    return nc.error() << "TfIdfVectorizer needs static [C] or [B, C] integer "
                         "tokens, got "
                      << t;
  auto pool = nc.intsAttr("pool_int64s");
  auto counts = nc.intsAttr("ngram_counts");
  auto indexes = nc.intsAttr("ngram_indexes");
  if (!pool || !counts || !indexes || counts->empty())
    return nc.error() << "TfIdfVectorizer needs pool_int64s, ngram_counts "
                         "and ngram_indexes (string pools are not supported)";
  int64_t minN = nc.intAttr("min_gram_length", 1),
          maxN = nc.intAttr("max_gram_length", 1),
          maxSkip = nc.intAttr("max_skip_count", 0);
  std::string mode = nc.stringAttr("mode", "TF");
  std::vector<float> weights = floatsAttr(nc, "weights");
  int64_t outputs = 0;
  for (int64_t i : *indexes)
    outputs = std::max(outputs, i + 1);
  if (minN < 1 || maxN < minN || maxSkip < 0 || outputs > (1 << 20) ||
      (mode != "TF" && mode != "IDF" && mode != "TFIDF") ||
      (!weights.empty() && int64_t(weights.size()) != outputs))
    return nc.error() << "TfIdfVectorizer attributes out of range";
  int64_t rows = t.getRank() == 2 ? t.getDimSize(0) : 1,
          len = t.getShape().back();
  Value x = nc.castTo(nc.reshape(nc.input(0), {rows, len}),
                      nc.builder.getI64Type());
  Type f32 = nc.builder.getF32Type();
  // Grams of each size n: their tokens and their ids (positions in the
  // pool's order, which index ngram_indexes).
  int64_t id = 0;
  Value total; // [rows, outputs]
  for (size_t s = 0; s < counts->size(); ++s) {
    int64_t n = int64_t(s) + 1;
    int64_t begin = (*counts)[s],
            end = s + 1 < counts->size() ? (*counts)[s + 1] : int64_t(pool->size());
    if (begin < 0 || end < begin || end > int64_t(pool->size()) ||
        (end - begin) % n)
      return nc.error() << "TfIdfVectorizer ngram_counts do not split the pool";
    int64_t grams = (end - begin) / n;
    int64_t firstId = id;
    id += grams;
    if (n < minN || n > maxN || grams == 0)
      continue;
    if (id > int64_t(indexes->size()))
      return nc.error() << "TfIdfVectorizer has fewer ngram_indexes than grams";
    Value sizeCount; // [rows, grams]
    for (int64_t d = 1; d <= (n == 1 ? 1 : maxSkip + 1); ++d) {
      int64_t windows = len - (n - 1) * d;
      if (windows <= 0)
        break;
      Value match;
      for (int64_t i = 0; i < n; ++i) {
        std::vector<int64_t> token(grams);
        for (int64_t g = 0; g < grams; ++g)
          token[g] = (*pool)[begin + g * n + i];
        Value item = nc.reshape(nc.slice(x, {0, i * d}, {rows, windows}),
                                {rows, windows, 1});
        Value eq = nc.create<EqualOp>(
            item, nc.reshape(nc.i64Const(token), {1, 1, grams}));
        match = match ? nc.create<AndOp>(match, eq) : eq;
      }
      Value c = nc.create<ReduceSumOp>(nc.castTo(match, f32),
                                       nc.builder.getDenseI64ArrayAttr({1}),
                                       nc.builder.getBoolAttr(false));
      sizeCount = sizeCount ? nc.create<AddOp>(sizeCount, c) : c;
    }
    if (!sizeCount)
      continue;
    std::vector<double> place(grams * outputs, 0.0);
    for (int64_t g = 0; g < grams; ++g)
      place[g * outputs + (*indexes)[firstId + g]] = 1.0;
    Value m = ConstantOp::create(
        nc.builder, nc.loc,
        writeConstant(RankedTensorType::get({grams, outputs}, f32), place));
    Value placed = buildNumpyMatMul(nc, sizeCount, m);
    total = total ? nc.create<AddOp>(total, placed) : placed;
  }
  if (!total)
    total = ConstantOp::create(
        nc.builder, nc.loc,
        writeConstant(RankedTensorType::get({rows, outputs}, f32),
                      std::vector<double>(rows * outputs, 0.0)));
  Value y = total;
  if (mode != "TF") {
    Value w = weights.empty()
                  ? nc.scalarConst(f32, 1.0)
                  : ConstantOp::create(
                        nc.builder, nc.loc,
                        writeConstant(RankedTensorType::get({outputs}, f32),
                                      std::vector<double>(weights.begin(),
                                                          weights.end())));
    y = mode == "IDF"
            ? nc.create<SelectOp>(
                  nc.create<GreaterOp>(total, nc.scalarConst(f32, 0.0)),
                  nc.create<AddOp>(nc.create<MulOp>(total, nc.scalarConst(f32, 0.0)), w),
                  nc.scalarConst(f32, 0.0))
            : nc.create<MulOp>(total, w);
  }
  out.push_back(t.getRank() == 1 ? nc.reshape(y, {outputs}) : y);
  return success(bool(out.back()));
}

} // namespace

void registerTfIdfImporters(ImporterRegistry &r) {
  r["TfIdfVectorizer"] = importTfIdf;
}

} // namespace kiln::onnx_frontend
