//===- NNImporters.cpp - ONNX neural-network ops to kiln ------------------===//
//
// Gemm, MatMul, Det, global pooling, normalizations, Softmax and the
// reductions.
// ONNX's conveniences (Gemm's transposes and scalings, 1-D MatMul operands)
// are resolved here so kiln ops stay simple.
//
//===----------------------------------------------------------------------===//

#include "frontends/common/Composites.h"
#include "frontends/onnx/ImportContext.h"

#include "ir/ConstantData.h"
#include "ir/ops/OpUtils.h"

#include <algorithm>
#include <numeric>

using namespace mlir;

namespace kiln::onnx_frontend {

template <typename OpTy>
static LogicalResult importGlobalPool(NodeContext &nc,
                                      SmallVectorImpl<Value> &out) {
  int64_t rank = nc.inputType(0).getRank();
  SmallVector<int64_t> axes;
  for (int64_t d = 2; d < rank; ++d)
    axes.push_back(d);
  out.push_back(nc.create<OpTy>(nc.input(0),
                                nc.builder.getDenseI64ArrayAttr(axes),
                                nc.builder.getBoolAttr(true)));
  return success();
}

static LogicalResult importMatMul(NodeContext &nc,
                                  SmallVectorImpl<Value> &out) {
  out.push_back(buildNumpyMatMul(nc, nc.input(0), nc.input(1)));
  return success(bool(out.back()));
}

static LogicalResult importGemm(NodeContext &nc, SmallVectorImpl<Value> &out) {
  Value a = nc.input(0), b = nc.input(1);
  auto t = nc.builder.getDenseI64ArrayAttr({1, 0});
  if (nc.intAttr("transA", 0))
    a = nc.create<TransposeOp>(a, t);
  if (nc.intAttr("transB", 0))
    b = nc.create<TransposeOp>(b, t);
  Type et = nc.inputType(0).getElementType();
  Value r = nc.create<MatMulOp>(a, b);
  float alpha = nc.floatAttr("alpha", 1.0f), beta = nc.floatAttr("beta", 1.0f);
  if (alpha != 1.0f)
    r = nc.create<MulOp>(r, nc.scalarConst(et, alpha));
  if (Value c = nc.input(2)) {
    if (beta != 1.0f)
      c = nc.create<MulOp>(c, nc.scalarConst(et, beta));
    r = nc.create<AddOp>(r, c);
  }
  out.push_back(r);
  return success();
}

/// BatchNormalization with training_mode = 1: normalized by the batch's
/// own mean and (population) variance over every dim but the channels;
/// the running statistics come out blended by `momentum`.
static LogicalResult importBatchNormTraining(NodeContext &nc,
                                             SmallVectorImpl<Value> &out) {
  auto t = nc.inputType(0);
  if (t.getRank() < 2)
    return nc.error() << "BatchNormalization needs an [N, C, ...] input";
  SmallVector<int64_t> axes = {0}, channel(t.getRank() - 1, 1);
  for (int64_t d = 2; d < t.getRank(); ++d)
    axes.push_back(d);
  auto axesAttr = nc.builder.getDenseI64ArrayAttr(axes);
  Type et = t.getElementType();
  Value x = nc.input(0);
  Value mean = nc.create<ReduceMeanOp>(x, axesAttr, nc.builder.getBoolAttr(true));
  Value centred = nc.create<SubOp>(x, mean);
  Value var = nc.create<ReduceMeanOp>(nc.create<MulOp>(centred, centred),
                                      axesAttr, nc.builder.getBoolAttr(true));
  Value eps = nc.scalarConst(et, nc.floatAttr("epsilon", 1e-5f));
  Value y = nc.create<DivOp>(centred, nc.create<SqrtOp>(nc.create<AddOp>(var, eps)));
  channel[0] = t.getDimSize(1);
  y = nc.create<AddOp>(nc.create<MulOp>(y, nc.reshape(nc.input(1), channel)),
                       nc.reshape(nc.input(2), channel));
  out.push_back(y);
  double momentum = nc.floatAttr("momentum", 0.9f);
  for (auto [stat, running] : {std::pair{mean, nc.input(3)},
                               std::pair{var, nc.input(4)}}) {
    Value current = nc.reshape(stat, {t.getDimSize(1)});
    out.push_back(nc.create<AddOp>(
        nc.create<MulOp>(running, nc.scalarConst(et, momentum)),
        nc.create<MulOp>(current, nc.scalarConst(et, 1.0 - momentum))));
  }
  return success(!nc.failedOp);
}

static LogicalResult importBatchNorm(NodeContext &nc,
                                     SmallVectorImpl<Value> &out) {
  if (nc.intAttr("training_mode", 0))
    return importBatchNormTraining(nc, out);
  out.push_back(nc.create<BatchNormOp>(
      nc.input(0), nc.input(1), nc.input(2), nc.input(3), nc.input(4),
      nc.builder.getF64FloatAttr(nc.floatAttr("epsilon", 1e-5f)),
      LayoutAttr::nchw(nc.builder.getContext())));
  return success();
}

static LogicalResult importLayerNorm(NodeContext &nc,
                                     SmallVectorImpl<Value> &out) {
  auto in = nc.inputType(0);
  int64_t axis = normalizeAxis(nc.intAttr("axis", -1), in.getRank());
  if (axis < 0)
    return nc.error() << "axis out of range";
  Value bias = nc.input(2);
  if (!bias)
    bias = nc.scalarConst(in.getElementType(), 0.0);
  double eps = nc.floatAttr("epsilon", 1e-5f);
  out.push_back(nc.create<LayerNormOp>(nc.input(0), nc.input(1), bias,
                                       nc.builder.getI64IntegerAttr(axis),
                                       nc.builder.getF64FloatAttr(eps)));
  if (nc.node.output_size() > 1) {
    // Mean and InvStdDev outputs, over the normalized dims, kept as size 1.
    SmallVector<int64_t> axes;
    for (int64_t d = axis; d < in.getRank(); ++d)
      axes.push_back(d);
    auto axesAttr = nc.builder.getDenseI64ArrayAttr(axes);
    auto keep = nc.builder.getBoolAttr(true);
    Value x = nc.input(0);
    Value mean = nc.create<ReduceMeanOp>(x, axesAttr, keep);
    Value d = nc.create<SubOp>(x, mean);
    Value var = nc.create<ReduceMeanOp>(nc.create<MulOp>(d, d), axesAttr, keep);
    Value inv = nc.create<ReciprocalOp>(nc.create<SqrtOp>(
        nc.create<AddOp>(var, nc.scalarConst(in.getElementType(), eps))));
    out.push_back(mean);
    out.push_back(inv);
  }
  return success();
}

static LogicalResult importSoftmax(NodeContext &nc,
                                   SmallVectorImpl<Value> &out) {
  int64_t axis = normalizeAxis(nc.intAttr("axis", -1), nc.inputType(0).getRank());
  if (axis < 0)
    return nc.error() << "axis out of range";
  out.push_back(nc.create<SoftmaxOp>(nc.input(0),
                                     nc.builder.getI64IntegerAttr(axis)));
  return success();
}

/// What a reduction does around its kiln op: ReduceL1 sums |x|, ReduceL2
/// and ReduceSumSquare sum x*x (L2 takes the root), ReduceLogSum takes the
/// log of the sum, ReduceLogSumExp the max-shifted log of the sum of exps.
enum class ReduceForm { Plain, L1, L2, SumSquare, LogSum, LogSumExp };

template <typename OpTy, ReduceForm Form = ReduceForm::Plain>
static LogicalResult importReduce(NodeContext &nc,
                                  SmallVectorImpl<Value> &out) {
  int64_t rank = nc.inputType(0).getRank();
  std::optional<std::vector<int64_t>> axes = nc.intsAttr("axes");
  if (nc.input(1)) {
    axes = nc.constInts(1);
    if (!axes)
      return nc.error() << "reduction axes must be constant";
  }
  std::vector<int64_t> norm;
  Value x = nc.input(0);
  if (!axes || axes->empty()) {
    if (nc.intAttr("noop_with_empty_axes", 0)) {
      if (Form != ReduceForm::Plain)
        return nc.error() << nc.node.op_type()
                          << " with no axes and noop_with_empty_axes is "
                             "not supported";
      out.push_back(x);
      return success();
    }
    for (int64_t d = 0; d < rank; ++d)
      norm.push_back(d);
  } else {
    for (int64_t a : *axes) {
      int64_t n = normalizeAxis(a, rank);
      if (n < 0)
        return nc.error() << "axis " << a << " out of range";
      norm.push_back(n);
    }
    llvm::sort(norm);
    norm.erase(std::unique(norm.begin(), norm.end()), norm.end());
  }
  auto axesAttr = nc.builder.getDenseI64ArrayAttr(norm);
  auto keep = nc.builder.getBoolAttr(nc.intAttr("keepdims", 1));
  if (nc.inputType(0).getElementType().isInteger(1) &&
      (std::is_same_v<OpTy, ReduceMaxOp> || std::is_same_v<OpTy, ReduceMinOp>)) {
    // On bools max is "any" and min "all" (false and true over nothing).
    out.push_back(buildAllAny(nc, x, norm, nc.intAttr("keepdims", 1),
                              std::is_same_v<OpTy, ReduceMinOp>));
    return success(bool(out.back()));
  }
  if (Form == ReduceForm::LogSumExp) {
    Value m = nc.create<ReduceMaxOp>(x, axesAttr, nc.builder.getBoolAttr(true));
    Value sum = nc.create<ReduceSumOp>(nc.create<ExpOp>(nc.create<SubOp>(x, m)),
                                       axesAttr, keep);
    Value mk = nc.intAttr("keepdims", 1)
                   ? m
                   : nc.create<ReduceMaxOp>(x, axesAttr, keep);
    out.push_back(nc.create<AddOp>(nc.create<LogOp>(sum), mk));
    return success(bool(out.back()));
  }
  if (Form == ReduceForm::L1)
    x = nc.create<AbsOp>(x);
  if (Form == ReduceForm::L2 || Form == ReduceForm::SumSquare)
    x = nc.create<MulOp>(x, x);
  Value r = nc.create<OpTy>(x, axesAttr, keep);
  if (Form == ReduceForm::L2)
    r = nc.create<SqrtOp>(r);
  if (Form == ReduceForm::LogSum)
    r = nc.create<LogOp>(r);
  out.push_back(r);
  return success(bool(r));
}

/// Det(X [..., M, M]): the sum over the M! permutations s of sign(s) times
/// prod_i X[i, s(i)], each term's elements gathered from the flattened
/// matrix. Exact in its terms, so for small M only (M <= 6).
static LogicalResult importDet(NodeContext &nc, SmallVectorImpl<Value> &out) {
  RankedTensorType t = nc.inputType(0);
  int64_t r = t.getRank();
  if (!t.hasStaticShape() || r < 2 || t.getDimSize(r - 1) != t.getDimSize(r - 2))
    return nc.error() << "Det needs static square matrices, got " << t;
  int64_t m = t.getDimSize(r - 1);
  if (m < 1 || m > 6)
    return nc.error() << "Det of " << m << "x" << m
                      << " matrices is not supported (at most 6x6)";
  std::vector<int64_t> perm(m), index;
  std::vector<double> signs;
  std::iota(perm.begin(), perm.end(), 0);
  do {
    int64_t inversions = 0;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = i + 1; j < m; ++j)
        inversions += perm[i] > perm[j];
    signs.push_back(inversions % 2 ? -1.0 : 1.0);
    for (int64_t i = 0; i < m; ++i)
      index.push_back(i * m + perm[i]);
  } while (std::next_permutation(perm.begin(), perm.end()));
  int64_t terms = int64_t(signs.size());
  SmallVector<int64_t> flat(t.getShape().drop_back(2)), signShape(r - 1, 1);
  flat.push_back(m * m);
  signShape.back() = terms;
  Value x = nc.reshape(nc.input(0), flat);
  Value picked = nc.create<GatherOp>(
      x, nc.reshape(nc.i64Const(index), {terms, m}),
      nc.builder.getI64IntegerAttr(r - 2));
  Value products = nc.create<ReduceProdOp>(
      picked, nc.builder.getDenseI64ArrayAttr({r - 1}), nc.builder.getBoolAttr(false));
  Value sign = ConstantOp::create(
      nc.builder, nc.loc,
      writeConstant(RankedTensorType::get(signShape, t.getElementType()), signs));
  out.push_back(nc.create<ReduceSumOp>(nc.create<MulOp>(products, sign),
                                       nc.builder.getDenseI64ArrayAttr({r - 2}),
                                       nc.builder.getBoolAttr(false)));
  return success(bool(out.back()));
}

void registerNNImporters(ImporterRegistry &r) {
  r["Det"] = importDet;
  r["GlobalAveragePool"] = importGlobalPool<ReduceMeanOp>;
  r["GlobalMaxPool"] = importGlobalPool<ReduceMaxOp>;
  r["MatMul"] = importMatMul;
  r["Gemm"] = importGemm;
  r["BatchNormalization"] = importBatchNorm;
  r["LayerNormalization"] = importLayerNorm;
  r["Softmax"] = importSoftmax;
  r["ReduceMean"] = importReduce<ReduceMeanOp>;
  r["ReduceSum"] = importReduce<ReduceSumOp>;
  r["ReduceMax"] = importReduce<ReduceMaxOp>;
  r["ReduceMin"] = importReduce<ReduceMinOp>;
  r["ReduceProd"] = importReduce<ReduceProdOp>;
  r["ReduceL1"] = importReduce<ReduceSumOp, ReduceForm::L1>;
  r["ReduceL2"] = importReduce<ReduceSumOp, ReduceForm::L2>;
  r["ReduceSumSquare"] = importReduce<ReduceSumOp, ReduceForm::SumSquare>;
  r["ReduceLogSum"] = importReduce<ReduceSumOp, ReduceForm::LogSum>;
  r["ReduceLogSumExp"] = importReduce<ReduceSumOp, ReduceForm::LogSumExp>;
}

} // namespace kiln::onnx_frontend
