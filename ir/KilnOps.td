//===- KilnOps.td - the ops of the kiln dialect -------------*- tablegen -*-===//
//
// Every op of the kiln dialect. Families: constants, elementwise (unary and
// broadcasting binary), linear algebra (matmul, conv), pooling, reductions,
// normalizations and shape manipulation. Result types are inferred from the
// operands wherever the op's semantics determine them.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_OPS_TD
#define KILN_OPS_TD

include "ir/KilnDialect.td"
include "ir/KilnAttrs.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

// All kiln ops print as `kiln.op %a, %b {attrs} : (types) -> types`.
class Kiln_GraphOp<string mnemonic, list<Trait> traits = []> :
    Kiln_Op<mnemonic, !listconcat(traits, [Pure])> {
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Kiln_Tensor : RankedTensorOf<[AnyType]>;
def Kiln_DefaultLayout : DefaultValuedAttr<Kiln_LayoutAttr, "nchw">;
def Kiln_FloatTensor : RankedTensorOf<[F16, BF16, F32, F64]>;
def Kiln_IndexTensor : RankedTensorOf<[I32, I64]>;
def Kiln_NumericTensor : RankedTensorOf<[F16, BF16, F32, F64, I32, I64]>;

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def Kiln_ConstantOp : Kiln_Op<"constant", [ConstantLike, Pure,
    AllTypesMatch<["value", "result"]>]> {
  let summary = "A constant tensor (weights are dense_resource blobs)";
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

class Kiln_UnaryOp<string mnemonic, string desc> : Kiln_GraphOp<mnemonic,
    [SameOperandsAndResultType]> {
  let summary = desc;
  let arguments = (ins Kiln_Tensor:$input);
  let results = (outs Kiln_Tensor:$result);
  let hasFolder = 1;
}

def Kiln_ReluOp : Kiln_UnaryOp<"relu", "max(x, 0)">;
def Kiln_SigmoidOp : Kiln_UnaryOp<"sigmoid", "1 / (1 + exp(-x))">;
def Kiln_TanhOp : Kiln_UnaryOp<"tanh", "hyperbolic tangent">;
def Kiln_ErfOp : Kiln_UnaryOp<"erf", "Gauss error function">;
def Kiln_SqrtOp : Kiln_UnaryOp<"sqrt", "square root">;
def Kiln_ExpOp : Kiln_UnaryOp<"exp", "natural exponential">;
def Kiln_LogOp : Kiln_UnaryOp<"log", "natural logarithm">;
def Kiln_NegOp : Kiln_UnaryOp<"neg", "negation">;
def Kiln_AbsOp : Kiln_UnaryOp<"abs", "absolute value">;
def Kiln_ReciprocalOp : Kiln_UnaryOp<"reciprocal", "1 / x">;
def Kiln_FloorOp : Kiln_UnaryOp<"floor", "largest integer not above x">;
def Kiln_CeilOp : Kiln_UnaryOp<"ceil", "smallest integer not below x">;
def Kiln_SinOp : Kiln_UnaryOp<"sin", "sine (radians)">;
def Kiln_CosOp : Kiln_UnaryOp<"cos", "cosine (radians)">;
def Kiln_TanOp : Kiln_UnaryOp<"tan", "tangent (radians)">;
def Kiln_AsinOp : Kiln_UnaryOp<"asin", "arcsine">;
def Kiln_AcosOp : Kiln_UnaryOp<"acos", "arccosine">;
def Kiln_AtanOp : Kiln_UnaryOp<"atan", "arctangent">;
def Kiln_SinhOp : Kiln_UnaryOp<"sinh", "hyperbolic sine">;
def Kiln_CoshOp : Kiln_UnaryOp<"cosh", "hyperbolic cosine">;
def Kiln_AsinhOp : Kiln_UnaryOp<"asinh", "inverse hyperbolic sine">;
def Kiln_AcoshOp : Kiln_UnaryOp<"acosh", "inverse hyperbolic cosine">;
def Kiln_AtanhOp : Kiln_UnaryOp<"atanh", "inverse hyperbolic tangent">;
def Kiln_RoundOp : Kiln_UnaryOp<"round", "nearest integer, halves to even">;

def Kiln_ClipOp : Kiln_GraphOp<"clip", [SameOperandsAndResultType]> {
  let summary = "min(max(x, min), max): clamps into [min, max]";
  let arguments = (ins Kiln_Tensor:$input, F64Attr:$min, F64Attr:$max);
  let results = (outs Kiln_Tensor:$result);
  let hasVerifier = 1;
}

def Kiln_CastOp : Kiln_GraphOp<"cast"> {
  let summary = "Converts every element to the result's element type";
  let arguments = (ins Kiln_Tensor:$input);
  let results = (outs Kiln_Tensor:$result);
  let hasVerifier = 1;
  let hasFolder = 1;
}

class Kiln_BinaryOp<string mnemonic, string desc> : Kiln_GraphOp<mnemonic,
    [SameOperandsElementType, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = desc # " with numpy-style broadcasting";
  let arguments = (ins Kiln_Tensor:$lhs, Kiln_Tensor:$rhs);
  let results = (outs Kiln_Tensor:$result);
  let hasFolder = 1;
}

def Kiln_AddOp : Kiln_BinaryOp<"add", "lhs + rhs">;
def Kiln_SubOp : Kiln_BinaryOp<"sub", "lhs - rhs">;
def Kiln_MulOp : Kiln_BinaryOp<"mul", "lhs * rhs">;
def Kiln_DivOp : Kiln_BinaryOp<"div", "lhs / rhs">;
def Kiln_PowOp : Kiln_BinaryOp<"pow", "lhs ^ rhs">;
def Kiln_MaxOp : Kiln_BinaryOp<"max", "max(lhs, rhs)">;
def Kiln_MinOp : Kiln_BinaryOp<"min", "min(lhs, rhs)">;
def Kiln_Atan2Op : Kiln_BinaryOp<"atan2", "angle of the point (rhs, lhs)">;
def Kiln_FloorDivOp : Kiln_BinaryOp<"floor_div",
    "floor(lhs / rhs) (integers: rounded towards -inf, 0 when rhs is 0)">;
def Kiln_FloorModOp : Kiln_BinaryOp<"floor_mod",
    "lhs - floor(lhs / rhs) * rhs (sign of rhs; integers: 0 when rhs is 0)">;
def Kiln_RemOp : Kiln_BinaryOp<"rem",
    "C fmod: lhs - trunc(lhs / rhs) * rhs (sign of lhs)">;

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

def Kiln_MatMulOp : Kiln_GraphOp<"matmul", [SameOperandsElementType,
    InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "Matrix product with batch broadcasting (both ranks >= 2)";
  let description = [{
    `result[..., m, n] = sum_k lhs[..., m, k] * rhs[..., k, n]`; the leading
    (batch) dims broadcast like numpy's matmul.
  }];
  let arguments = (ins Kiln_NumericTensor:$lhs, Kiln_NumericTensor:$rhs);
  let results = (outs Kiln_NumericTensor:$result);
}

def Kiln_ConvOp : Kiln_GraphOp<"conv", [InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "Grouped 2-D convolution with optional bias";
  let description = [{
    `layout` says which dim of input, filter and result is which (see
    #kiln.layout; NCHW data with an OIHW filter by default). `pads` holds
    the begin pads of H and W, then their end pads.
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$filter,
      Optional<Kiln_FloatTensor>:$bias,
      DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
      DenseI64ArrayAttr:$pads, I64Attr:$group,
      Kiln_DefaultLayout:$layout);
  let results = (outs Kiln_FloatTensor:$result);
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

class Kiln_PoolOp<string mnemonic, string desc> : Kiln_GraphOp<mnemonic,
    [InferTypeOpAdaptorWithIsCompatible]> {
  let summary = desc # " over 2-D windows";
  let arguments = (ins Kiln_FloatTensor:$input,
      DenseI64ArrayAttr:$kernel, DenseI64ArrayAttr:$strides,
      DenseI64ArrayAttr:$dilations, DenseI64ArrayAttr:$pads,
      DefaultValuedAttr<BoolAttr, "false">:$count_include_pad,
      Kiln_DefaultLayout:$layout);
  let results = (outs Kiln_FloatTensor:$result);
  let hasVerifier = 1;
}

def Kiln_MaxPoolOp : Kiln_PoolOp<"max_pool", "Maximum">;
def Kiln_AvgPoolOp : Kiln_PoolOp<"avg_pool", "Average (padding excluded "
    "from the count unless count_include_pad)">;

//===----------------------------------------------------------------------===//
// Reductions and normalizations
//===----------------------------------------------------------------------===//

class Kiln_ReduceOp<string mnemonic, string desc> : Kiln_GraphOp<mnemonic,
    [SameOperandsElementType, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = desc # " over `axes` (sorted, non-negative)";
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$axes,
      BoolAttr:$keepdims);
  let results = (outs Kiln_Tensor:$result);
  let hasVerifier = 1;
}

def Kiln_ReduceSumOp : Kiln_ReduceOp<"reduce_sum", "Sum">;
def Kiln_ReduceMeanOp : Kiln_ReduceOp<"reduce_mean", "Mean">;
def Kiln_ReduceMaxOp : Kiln_ReduceOp<"reduce_max", "Maximum">;
def Kiln_ReduceMinOp : Kiln_ReduceOp<"reduce_min", "Minimum">;
def Kiln_ReduceProdOp : Kiln_ReduceOp<"reduce_prod", "Product">;

def Kiln_SoftmaxOp : Kiln_GraphOp<"softmax", [SameOperandsAndResultType]> {
  let summary = "exp(x) / sum(exp(x)) along one axis";
  let arguments = (ins Kiln_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Kiln_FloatTensor:$result);
  let hasVerifier = 1;
}

def Kiln_BatchNormOp : Kiln_GraphOp<"batch_norm", [
    AllTypesMatch<["input", "result"]>]> {
  let summary = "Inference batch normalization over the channel axis";
  let description = [{
    `(x - mean) / sqrt(var + epsilon) * scale + bias`, with the four 1-D
    parameters indexed by the input's C dim (`layout`).
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$scale,
      Kiln_FloatTensor:$bias, Kiln_FloatTensor:$mean, Kiln_FloatTensor:$variance,
      F64Attr:$epsilon, Kiln_DefaultLayout:$layout);
  let results = (outs Kiln_FloatTensor:$result);
  let hasVerifier = 1;
}

def Kiln_LayerNormOp : Kiln_GraphOp<"layer_norm", [
    AllTypesMatch<["input", "result"]>]> {
  let summary = "Layer normalization over the dims from `axis` on";
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$scale,
      Kiln_FloatTensor:$bias, I64Attr:$axis, F64Attr:$epsilon);
  let results = (outs Kiln_FloatTensor:$result);
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

def Kiln_ReshapeOp : Kiln_GraphOp<"reshape"> {
  let summary = "Reinterprets the elements (row-major) with a new shape";
  let arguments = (ins Kiln_Tensor:$input);
  let results = (outs Kiln_Tensor:$result);
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_TransposeOp : Kiln_GraphOp<"transpose", [InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "Permutes dims: result dim i is input dim perm[i]";
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Kiln_Tensor:$result);
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_ConcatOp : Kiln_GraphOp<"concat", [SameOperandsElementType,
    InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "Concatenates tensors along `axis`";
  let arguments = (ins Variadic<Kiln_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Kiln_Tensor:$result);
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_SliceOp : Kiln_GraphOp<"slice", [InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "A strided window: offsets, sizes and positive strides per dim";
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$offsets,
      DenseI64ArrayAttr:$sizes, DenseI64ArrayAttr:$strides);
  let results = (outs Kiln_Tensor:$result);
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_GatherOp : Kiln_GraphOp<"gather", [InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "Picks slices along `axis` by index (negative counts from end)";
  let arguments = (ins Kiln_Tensor:$input, Kiln_IndexTensor:$indices,
      I64Attr:$axis);
  let results = (outs Kiln_Tensor:$result);
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_ShapeOfOp : Kiln_GraphOp<"shape_of"> {
  let summary = "The run-time dims of a tensor as a 1-D i64 tensor";
  let description = [{
    `kiln.shape_of %x : (tensor<?x128xf32>) -> tensor<2xi64>` holds the dims
    of `%x` in order; a static dim folds to a constant element. Exporters
    compute reshape targets from it (Shape -> Gather -> Concat -> Reshape);
    the importer follows such chains to give the reshape its result type.
  }];
  let arguments = (ins Kiln_Tensor:$input);
  let results = (outs RankedTensorOf<[I64]>:$result);
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_BroadcastToOp : Kiln_GraphOp<"broadcast_to"> {
  let summary = "Broadcasts numpy-style to the dims a shape tensor holds";
  let description = [{
    ONNX Expand with a run-time shape: each result dim is the shape's
    element where the (right-aligned) input dim is 1 or absent, else the
    input's dim. `kiln.broadcast_to %x, %s : (tensor<?x1x4xf32>,
    tensor<3xi64>) -> tensor<?x3x4xf32>`. A constant shape imports as a
    broadcasting add instead.
  }];
  let arguments = (ins Kiln_Tensor:$input, RankedTensorOf<[I64]>:$shape);
  let results = (outs Kiln_Tensor:$result);
  let hasVerifier = 1;
}

def Kiln_DynamicSliceOp : Kiln_GraphOp<"dynamic_slice",
    [InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "ONNX Slice whose bounds or input dims are known at run time";
  let description = [{
    For each listed axis `axes[i]`, `starts[i]` and `ends[i]` (1-D i32/i64
    tensors, constant or computed) count from the end when negative and are
    clamped to `[0, dim]`; the axis keeps `ceil((end - start) / steps[i])`
    elements (none when `end <= start`). A negative step walks backwards
    from `start` clamped to `[0, dim - 1]` towards `end` clamped to
    `[-1, dim - 1]`, as ONNX's does. Axes not listed are kept whole.
    `kiln.dynamic_slice %x, %s, %e {axes = array<i64: 1>,
    steps = array<i64: 1>} : (tensor<1x128x256xf32>, tensor<1xi64>,
    tensor<1xi64>) -> tensor<1x?x256xf32>`. A listed dim is static when
    the bounds are constants and the input dim is static.
  }];
  let arguments = (ins Kiln_Tensor:$input, Kiln_IndexTensor:$starts,
      Kiln_IndexTensor:$ends, DenseI64ArrayAttr:$axes,
      DenseI64ArrayAttr:$steps);
  let results = (outs Kiln_Tensor:$result);
  let hasVerifier = 1;
}

def Kiln_RangeOp : Kiln_GraphOp<"range", [InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "start, start + delta, ... up to (not including) limit";
  let description = [{
    ONNX Range: `max(ceil((limit - start) / delta), 0)` elements, element i
    being `start + i * delta`. The operands are 0-d tensors of one numeric
    type; the length is dynamic unless all three are constants.
  }];
  let arguments = (ins Kiln_Tensor:$start, Kiln_Tensor:$limit,
      Kiln_Tensor:$delta);
  let results = (outs Kiln_Tensor:$result);
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_ResizeOp : Kiln_GraphOp<"resize", [InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "Bilinear resampling of two dims to new sizes";
  let description = [{
    Resizes dims `axes` (two of them, e.g. H and W, in any layout) to
    `sizes` by linear interpolation between the two nearest input samples
    per dim (clamped at the borders). `coordinate_mode` maps an output
    index o to an input coordinate: "half_pixel" (o + 0.5) * in / out - 0.5,
    "align_corners" o * (in - 1) / (out - 1), "asymmetric" o * in / out.
  }];
  let arguments = (ins Kiln_FloatTensor:$input, DenseI64ArrayAttr:$axes,
      DenseI64ArrayAttr:$sizes, StrAttr:$coordinate_mode);
  let results = (outs Kiln_FloatTensor:$result);
  let hasVerifier = 1;
}

def Kiln_PadOp : Kiln_GraphOp<"pad", [InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "Pads with a constant: `pads` is all begin pads, then all ends";
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$pads,
      F64Attr:$value);
  let results = (outs Kiln_Tensor:$result);
  let hasVerifier = 1;
}

include "ir/KilnLogicIndexOps.td"
include "ir/KilnBitwiseOps.td"
include "ir/KilnControlFlowOps.td"

#endif // KILN_OPS_TD
