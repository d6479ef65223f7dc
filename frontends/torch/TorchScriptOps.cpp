//===- TorchScriptOps.cpp - torch.* calls of traced code, as ATen ----------===//
//
// Argument names follow ATen's native_functions.yaml. An op listed here
// must have an importer in the ATen table; the unit of truth for which ops
// exist is docs/frontends/pytorch.md.
//
//===----------------------------------------------------------------------===//

#include "frontends/torch/TorchScriptOps.h"

#include "llvm/ADT/StringMap.h"

namespace kiln::torch_frontend {

const TsOpSchema *torchScriptOp(llvm::StringRef name, size_t leadingNumbers) {
  using Args = std::vector<std::string>;
  static const Args self = {"self"};
  static const Args selfOther = {"self", "other"};
  static const Args selfOtherAlpha = {"self", "other", "alpha"};
  static const Args arangeTail = {"dtype", "layout", "device", "pin_memory"};
  auto join = [](Args a, const Args &b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  static const llvm::StringMap<TsOpSchema> table = {
      // torch.nn.ConvNd traces to _convolution; transposed convolutions
      // are refused by the importer (TorchScriptImporter checks).
      {"_convolution",
       {"aten.conv2d.default",
        {"input", "weight", "bias", "stride", "padding", "dilation",
         "transposed", "output_padding", "groups", "benchmark",
         "deterministic", "cudnn_enabled", "allow_tf32"}}},
      {"conv2d",
       {"aten.conv2d.default",
        {"input", "weight", "bias", "stride", "padding", "dilation",
         "groups"}}},
      {"linear", {"aten.linear.default", {"input", "weight", "bias"}}},
      {"matmul", {"aten.matmul.default", selfOther}},
      {"bmm", {"aten.bmm.default", {"self", "mat2"}}},
      {"batch_norm",
       {"aten.batch_norm.default",
        {"input", "weight", "bias", "running_mean", "running_var",
         "training", "momentum", "eps", "cudnn_enabled"}}},
      {"layer_norm",
       {"aten.layer_norm.default",
        {"input", "normalized_shape", "weight", "bias", "eps",
         "cudnn_enable"}}},
      {"max_pool2d",
       {"aten.max_pool2d.default",
        {"self", "kernel_size", "stride", "padding", "dilation",
         "ceil_mode"}}},
      {"avg_pool2d",
       {"aten.avg_pool2d.default",
        {"self", "kernel_size", "stride", "padding", "ceil_mode",
         "count_include_pad", "divisor_override"}}},
      {"adaptive_avg_pool2d",
       {"aten.adaptive_avg_pool2d.default", {"self", "output_size"}}},
      {"adaptive_max_pool2d",
       {"aten.adaptive_max_pool2d.default", {"self", "output_size"}, true}},
      {"mean", {"aten.mean.dim", {"self", "dim", "keepdim", "dtype"}}},
      {"relu", {"aten.relu.default", self}},
      {"relu_", {"aten.relu_.default", self}},
      {"relu6", {"aten.relu6.default", self}},
      {"sigmoid", {"aten.sigmoid.default", self}},
      {"hardsigmoid", {"aten.hardsigmoid.default", self}},
      {"hardsigmoid_", {"aten.hardsigmoid_.default", self}},
      {"hardswish", {"aten.hardswish.default", self}},
      {"hardswish_", {"aten.hardswish_.default", self}},
      {"tanh", {"aten.tanh.default", self}},
      {"silu", {"aten.silu.default", self}},
      {"silu_", {"aten.silu_.default", self}},
      {"hardtanh",
       {"aten.hardtanh.default", {"self", "min_val", "max_val"}}},
      {"hardtanh_",
       {"aten.hardtanh_.default", {"self", "min_val", "max_val"}}},
      {"gelu", {"aten.gelu.default", {"self", "approximate"}}},
      {"softmax", {"aten.softmax.int", {"self", "dim", "dtype"}}},
      {"dropout", {"aten.dropout.default", {"input", "p", "train"}}},
      {"dropout_", {"aten.dropout_.default", {"input", "p", "train"}}},
      {"add", {"aten.add.Tensor", selfOtherAlpha}},
      {"add_", {"aten.add_.Tensor", selfOtherAlpha}},
      {"sub", {"aten.sub.Tensor", selfOtherAlpha}},
      {"sub_", {"aten.sub.Tensor", selfOtherAlpha}},
      {"mul", {"aten.mul.Tensor", selfOther}},
      {"mul_", {"aten.mul_.Tensor", selfOther}},
      {"div", {"aten.div.Tensor", selfOther}},
      {"div_", {"aten.div.Tensor", selfOther}},
      {"view", {"aten.view.default", {"self", "size"}}},
      {"reshape", {"aten.reshape.default", {"self", "shape"}}},
      {"flatten",
       {"aten.flatten.using_ints", {"self", "start_dim", "end_dim"}}},
      {"transpose", {"aten.transpose.int", {"self", "dim0", "dim1"}}},
      {"permute", {"aten.permute.default", {"self", "dims"}}},
      {"contiguous", {"aten.contiguous.default", {"self", "memory_format"}}},
      {"cat", {"aten.cat.default", {"tensors", "dim"}}},
      {"chunk", {"aten.chunk.default", {"self", "chunks", "dim"}, true}},
      {"unbind", {"aten.unbind.int", {"self", "dim"}, true}},
      {"select", {"aten.select.int", {"self", "dim", "index"}}},
      {"exp", {"aten.exp.default", self}},
      {"log", {"aten.log.default", self}},
      {"sqrt", {"aten.sqrt.default", self}},
      {"rsqrt", {"aten.rsqrt.default", self}},
      {"neg", {"aten.neg.default", self}},
      {"abs", {"aten.abs.default", self}},
      {"erf", {"aten.erf.default", self}},
      {"unflatten", {"aten.unflatten.int", {"self", "dim", "sizes"}}},
      {"expand_as", {"aten.expand_as.default", selfOther}},
      {"_native_multi_head_attention",
       {"aten._native_multi_head_attention.default",
        {"query", "key", "value", "embed_dim", "num_head", "qkv_weight",
         "qkv_bias", "proj_weight", "proj_bias", "mask", "need_weights",
         "average_attn_weights", "mask_type"},
        true}},
      {"swapaxes", {"aten.swapaxes.default", {"self", "axis0", "axis1"}}},
      {"swapdims", {"aten.swapdims.default", {"self", "dim0", "dim1"}}},
      {"index", {"aten.index.Tensor", {"self", "indices"}}},
      {"index_select",
       {"aten.index_select.default", {"self", "dim", "index"}}},
      {"fill_", {"aten.fill_.Scalar", {"self", "value"}}},
      {"zero_", {"aten.zero_.default", self}},
      {"new_zeros",
       {"aten.new_zeros.default", {"self", "size", "dtype", "layout",
                                   "device", "pin_memory"}}},
      {"new_ones",
       {"aten.new_ones.default", {"self", "size", "dtype", "layout",
                                  "device", "pin_memory"}}},
      {"pad", {"aten.pad.default", {"self", "pad", "mode", "value"}}},
      {"constant_pad_nd",
       {"aten.constant_pad_nd.default", {"self", "pad", "value"}}},
      {"roll", {"aten.roll.default", {"self", "shifts", "dims"}}},
      {"rsub", {"aten.rsub.Scalar", selfOtherAlpha}},
      {"pow", {"aten.pow.Tensor_Scalar", {"self", "exponent"}}},
      {"leaky_relu", {"aten.leaky_relu.default", {"self", "negative_slope"}}},
      {"leaky_relu_", {"aten.leaky_relu_.default", {"self", "negative_slope"}}},
      {"sum", {"aten.sum.dim_IntList", {"self", "dim", "keepdim", "dtype"}}},
      {"amax", {"aten.amax.default", {"self", "dim", "keepdim"}}},
      {"amin", {"aten.amin.default", {"self", "dim", "keepdim"}}},
      {"group_norm",
       {"aten.group_norm.default",
        {"input", "num_groups", "weight", "bias", "eps", "cudnn_enabled"}}},
      {"upsample_nearest2d",
       {"aten.upsample_nearest2d.vec", {"input", "output_size", "scale_factors"}}},
      {"upsample_bilinear2d",
       {"aten.upsample_bilinear2d.vec",
        {"input", "output_size", "align_corners", "scale_factors"}}},
      {"einsum", {"aten.einsum.default", {"equation", "tensors", "path"}}},
      {"log_softmax", {"aten.log_softmax.int", {"self", "dim", "dtype"}}},
      {"lstm",
       {"aten.lstm.input",
        {"input", "hx", "params", "has_biases", "num_layers", "dropout",
         "train", "bidirectional", "batch_first"},
        true}},
      {"zeros",
       {"aten.zeros.default", {"size", "dtype", "layout", "device",
                               "pin_memory"}}},
      {"ones",
       {"aten.ones.default", {"size", "dtype", "layout", "device",
                              "pin_memory"}}},
      {"full",
       {"aten.full.default", {"size", "fill_value", "dtype", "layout",
                              "device", "pin_memory"}}},
      {"triu", {"aten.triu.default", {"self", "diagonal"}}},
      {"tril", {"aten.tril.default", {"self", "diagonal"}}},
      {"masked_fill", {"aten.masked_fill.Scalar", {"self", "mask", "value"}}},
      {"masked_fill_", {"aten.masked_fill.Scalar", {"self", "mask", "value"}}},
      {"where", {"aten.where.self", {"condition", "self", "other"}}},
      {"expand", {"aten.expand.default", {"self", "size", "implicit"}}},
      {"split", {"aten.split.Tensor", {"self", "split_size", "dim"}, true}},
      {"unsqueeze", {"aten.unsqueeze.default", {"self", "dim"}}},
      {"squeeze", {"aten.squeeze.dim", {"self", "dim"}}},
      {"to", {"aten.to.dtype", {"self", "dtype", "non_blocking", "copy",
                                "memory_format"}}},
      {"clone", {"aten.clone.default", {"self", "memory_format"}}},
      {"addmm",
       {"aten.addmm.default", {"self", "mat1", "mat2", "beta", "alpha"}}},
      {"t", {"aten.t.default", self}},
      {"mm", {"aten.mm.default", {"self", "mat2"}}},
      {"clamp", {"aten.clamp.default", {"self", "min", "max"}}},
      {"eq", {"aten.eq.Tensor", selfOther}},
      {"ne", {"aten.ne.Tensor", selfOther}},
      {"lt", {"aten.lt.Tensor", selfOther}},
      {"le", {"aten.le.Tensor", selfOther}},
      {"gt", {"aten.gt.Tensor", selfOther}},
      {"ge", {"aten.ge.Tensor", selfOther}},
      {"slice",
       {"aten.slice.Tensor", {"self", "dim", "start", "end", "step"}}},
      {"embedding",
       {"aten.embedding.default",
        {"weight", "indices", "padding_idx", "scale_grad_by_freq",
         "sparse"}}},
      {"scaled_dot_product_attention",
       {"aten.scaled_dot_product_attention.default",
        {"query", "key", "value", "attn_mask", "dropout_p", "is_causal",
         "scale"}}},
      {"arange", {"aten.arange.default", join({"end"}, arangeTail)}},
      {"arange.start",
       {"aten.arange.start", join({"start", "end"}, arangeTail)}},
      {"arange.start_step",
       {"aten.arange.start_step", join({"start", "end", "step"}, arangeTail)}},
  };
  std::string key = name.str();
  if (name == "arange" && leadingNumbers == 2)
    key = "arange.start";
  if (name == "arange" && leadingNumbers >= 3)
    key = "arange.start_step";
  auto it = table.find(key);
  return it == table.end() ? nullptr : &it->second;
}

int64_t exportScalarType(int64_t code) {
  // c10: Byte 0, Char 1, Short 2, Int 3, Long 4, Half 5, Float 6,
  // Double 7, ComplexHalf 8, ComplexFloat 9, ComplexDouble 10, Bool 11,
  // BFloat16 15. torch.export numbers them from 1, BFloat16 13.
  if (code >= 0 && code <= 11)
    return code + 1;
  return code == 15 ? 13 : -1;
}

} // namespace kiln::torch_frontend
