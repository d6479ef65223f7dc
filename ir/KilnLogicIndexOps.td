//===- KilnLogicIndexOps.td - comparisons, logic, selection, indices -*- tablegen -*-===//
//
// Ops on boolean (i1) tensors and ops that compute positions: comparisons,
// logical and/or/xor/not, select, arg_max/arg_min, gather_nd and top_k.
// Included by KilnOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_LOGIC_INDEX_OPS_TD
#define KILN_LOGIC_INDEX_OPS_TD

def Kiln_BoolTensor : RankedTensorOf<[I1]>;

//===----------------------------------------------------------------------===//
// Comparisons and logic
//===----------------------------------------------------------------------===//

class Kiln_CompareOp<string mnemonic, string desc> : Kiln_GraphOp<mnemonic,
    [SameOperandsElementType, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = desc # " elementwise, numpy broadcasting, i1 result";
  let arguments = (ins Kiln_Tensor:$lhs, Kiln_Tensor:$rhs);
  let results = (outs Kiln_BoolTensor:$result);
  let hasFolder = 1;
}

def Kiln_EqualOp : Kiln_CompareOp<"equal", "lhs == rhs">;
def Kiln_NotEqualOp : Kiln_CompareOp<"not_equal", "lhs != rhs">;
def Kiln_LessOp : Kiln_CompareOp<"less", "lhs < rhs">;
def Kiln_LessEqualOp : Kiln_CompareOp<"less_equal", "lhs <= rhs">;
def Kiln_GreaterOp : Kiln_CompareOp<"greater", "lhs > rhs">;
def Kiln_GreaterEqualOp : Kiln_CompareOp<"greater_equal", "lhs >= rhs">;

class Kiln_LogicOp<string mnemonic, string desc> : Kiln_GraphOp<mnemonic,
    [SameOperandsAndResultElementType, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = desc # " of i1 tensors with numpy broadcasting";
  let arguments = (ins Kiln_BoolTensor:$lhs, Kiln_BoolTensor:$rhs);
  let results = (outs Kiln_BoolTensor:$result);
  let hasFolder = 1;
}

def Kiln_AndOp : Kiln_LogicOp<"and", "lhs and rhs">;
def Kiln_OrOp : Kiln_LogicOp<"or", "lhs or rhs">;
def Kiln_XorOp : Kiln_LogicOp<"xor", "lhs xor rhs">;

def Kiln_NotOp : Kiln_GraphOp<"not", [SameOperandsAndResultType]> {
  let summary = "Logical negation of an i1 tensor";
  let arguments = (ins Kiln_BoolTensor:$input);
  let results = (outs Kiln_BoolTensor:$result);
  let hasFolder = 1;
}

def Kiln_SelectOp : Kiln_GraphOp<"select", [InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "cond ? lhs : rhs per element, the three broadcast together";
  let arguments = (ins Kiln_BoolTensor:$cond, Kiln_Tensor:$lhs,
      Kiln_Tensor:$rhs);
  let results = (outs Kiln_Tensor:$result);
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Positions
//===----------------------------------------------------------------------===//

class Kiln_ArgReduceOp<string mnemonic, string desc> : Kiln_GraphOp<mnemonic,
    [InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "Index (i64) of the " # desc # " along `axis`";
  let description = [{
    Ties give the first such index, or the last with `select_last_index`.
    `keepdims` keeps the reduced dim with size 1.
  }];
  let arguments = (ins Kiln_Tensor:$input, I64Attr:$axis, BoolAttr:$keepdims,
      DefaultValuedAttr<BoolAttr, "false">:$select_last_index);
  let results = (outs RankedTensorOf<[I64]>:$result);
  let hasVerifier = 1;
}

def Kiln_ArgMaxOp : Kiln_ArgReduceOp<"arg_max", "largest element">;
def Kiln_ArgMinOp : Kiln_ArgReduceOp<"arg_min", "smallest element">;

def Kiln_GatherNdOp : Kiln_GraphOp<"gather_nd", [InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "Picks slices of `input` by index tuples (the last dim of `indices`)";
  let description = [{
    With b = `batch_dims` and q = the last dim of `indices`, the result has
    the shape `indices.shape[:-1] + input.shape[b + q:]`; its element at
    (i..., j...) is `input[i[:b]..., indices[i..., 0], ..., indices[i..., q-1],
    j...]`. The first b dims of `input` and `indices` must agree. Negative
    indices count from the end; out-of-range ones are clamped.
  }];
  let arguments = (ins Kiln_Tensor:$input, Kiln_IndexTensor:$indices,
      DefaultValuedAttr<I64Attr, "0">:$batch_dims);
  let results = (outs Kiln_Tensor:$result);
  let hasVerifier = 1;
}

def Kiln_ScatterNdOp : Kiln_GraphOp<"scatter_nd", [AllTypesMatch<["input", "result"]>]> {
  let summary = "A copy of `input` with slices replaced (or combined) by index tuples";
  let description = [{
    ONNX ScatterND. With q = the last dim of `indices`, `updates` has the
    shape `indices.shape[:-1] + input.shape[q:]`; for each index tuple t
    (in row-major order) the slice `result[t[0], ..., t[q-1], ...]` becomes
    the matching slice of `updates`, or that slice combined with what is
    there (`reduction` = "add", "mul", "max" or "min"). Negative indices
    count from the end; out-of-range ones are clamped, as gather_nd's are.
    Tuples that repeat: with no reduction the last one wins.
    `kiln.scatter_nd %x, %i, %u {reduction = "none"} : (tensor<8x4xf32>,
    tensor<1x1xi64>, tensor<1x4xf32>) -> tensor<8x4xf32>`.
  }];
  let arguments = (ins Kiln_Tensor:$input, Kiln_IndexTensor:$indices,
      Kiln_Tensor:$updates,
      DefaultValuedAttr<StrAttr, "\"none\"">:$reduction);
  let results = (outs Kiln_Tensor:$result);
  let hasVerifier = 1;
}

def Kiln_TopKOp : Kiln_GraphOp<"top_k", [InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "The k largest (or smallest) elements along `axis`, sorted";
  let description = [{
    Results: the values and their i64 indices, with dim `axis` of size k,
    ordered from the largest (smallest with `largest = false`); equal values
    keep their input order. k = -1 takes the whole dim (a sort), whatever
    its length at run time; with the optional 0-d `run_time_k` operand
    (k = -1 then), k is its value when the model runs, which must not
    exceed the dim (a shape error otherwise); negative counts as 0.
  }];
  let arguments = (ins Kiln_Tensor:$input,
      Optional<Kiln_IndexTensor>:$run_time_k, I64Attr:$k, I64Attr:$axis,
      DefaultValuedAttr<BoolAttr, "true">:$largest);
  let results = (outs Kiln_Tensor:$values, RankedTensorOf<[I64]>:$indices);
  let hasVerifier = 1;
}

def Kiln_NonZeroOp : Kiln_GraphOp<"non_zero", [InferTypeOpAdaptorWithIsCompatible]> {
  let summary = "Coordinates of the non-zero (true) elements, in row-major order";
  let description = [{
    TensorFlow's one-operand Where: an i64 result [count, rank] whose row j
    holds the coordinates of the j-th non-zero element of `input` in
    row-major order; count is known only at run time. (ONNX's NonZero is
    its transpose.)
  }];
  let arguments = (ins Kiln_Tensor:$input);
  let results = (outs RankedTensorOf<[I64]>:$result);
}

def Kiln_NonMaxSuppressionOp : Kiln_GraphOp<"non_max_suppression"> {
  let summary = "Greedy non-maximum suppression per batch and class";
  let description = [{
    ONNX NonMaxSuppression. `boxes` is f32 [B, N, 4], `scores` f32
    [B, C, N]; the 0-d `max_per_class` (i64), `iou_threshold` and
    `score_threshold` (f32) apply to each (batch, class). Boxes whose score
    is not above the score threshold are dropped; then, repeatedly, the
    highest-scoring box left (the lowest index among equal scores) is
    selected and every box left whose IoU with it is above the IoU
    threshold is dropped, up to `max_per_class` boxes. The i64 result
    [count, 3] lists (batch, class, box) in that order; count is known only
    at run time. Boxes are corners [y1, x1, y2, x2] (either corner first),
    or [x_center, y_center, width, height] with `center_point_box`.
  }];
  let arguments = (ins Kiln_Tensor:$boxes, Kiln_Tensor:$scores,
      Kiln_IndexTensor:$max_per_class, Kiln_Tensor:$iou_threshold,
      Kiln_Tensor:$score_threshold,
      DefaultValuedAttr<BoolAttr, "false">:$center_point_box);
  let results = (outs RankedTensorOf<[I64]>:$result);
  let hasVerifier = 1;
}

#endif // KILN_LOGIC_INDEX_OPS_TD
