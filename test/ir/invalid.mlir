// RUN: %kiln-opt %s --split-input-file --verify-diagnostics

// Every kiln verifier and type-inference failure, one per split.

func.func @clip_nan_bound(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.clip' op bounds must not be NaN}}
  %0 = kiln.clip %x {min = 0x7FF8000000000000 : f64, max = 1.0 : f64} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @cast_changes_shape(%x: tensor<4xf32>) -> tensor<2x2xi64> {
  // expected-error @+1 {{'kiln.cast' op changes the shape}}
  %0 = kiln.cast %x : (tensor<4xf32>) -> tensor<2x2xi64>
  return %0 : tensor<2x2xi64>
}

// -----

func.func @unary_changes_type(%x: tensor<4xf32>) -> tensor<4xf16> {
  // expected-error @+1 {{'kiln.relu' op requires the same type for all operands and results}}
  %0 = kiln.relu %x : (tensor<4xf32>) -> tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

func.func @broadcast_failure(%a: tensor<2x3xf32>, %b: tensor<4xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{operand shapes 'tensor<2x3xf32>' and 'tensor<4xf32>' do not broadcast}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @binary_wrong_result(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<3x3xf32> {
  // expected-error @+2 {{'kiln.mul' op inferred type(s) 'tensor<2x3xf32>' are incompatible with return type(s) of operation 'tensor<3x3xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.mul %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

func.func @binary_mixed_elements(%a: tensor<3xf32>, %b: tensor<3xf16>) -> tensor<3xf32> {
  // expected-error @+1 {{'kiln.sub' op requires the same element type for all operands}}
  %0 = kiln.sub %a, %b : (tensor<3xf32>, tensor<3xf16>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @matmul_rank(%a: tensor<3xf32>, %b: tensor<3x4xf32>) -> tensor<4xf32> {
  // expected-error @+2 {{matmul operands need rank >= 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.matmul %a, %b : (tensor<3xf32>, tensor<3x4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @matmul_contraction(%a: tensor<2x3xf32>, %b: tensor<5x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+2 {{contraction dims differ: 3 vs 5}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.matmul %a, %b : (tensor<2x3xf32>, tensor<5x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @matmul_batch(%a: tensor<2x2x3xf32>, %b: tensor<3x3x4xf32>) -> tensor<2x2x4xf32> {
  // expected-error @+2 {{batch dims do not broadcast}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.matmul %a, %b : (tensor<2x2x3xf32>, tensor<3x3x4xf32>) -> tensor<2x2x4xf32>
  return %0 : tensor<2x2x4xf32>
}

// -----

func.func @conv_group_mismatch(%x: tensor<1x4x8x8xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error @+1 {{'kiln.conv' op input has 4 channels but the filter expects 4 x group 2}}
  %0 = kiln.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 2 : i64} : (tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

func.func @conv_group_zero(%x: tensor<1x4x8x8xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error @+1 {{'kiln.conv' op group must be >= 1, got 0}}
  %0 = kiln.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 0 : i64} : (tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

func.func @conv_out_channels(%x: tensor<1x4x8x8xf32>, %w: tensor<5x2x3x3xf32>) -> tensor<1x5x6x6xf32> {
  // expected-error @+1 {{'kiln.conv' op output channels 5 not divisible by group 2}}
  %0 = kiln.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 2 : i64} : (tensor<1x4x8x8xf32>, tensor<5x2x3x3xf32>) -> tensor<1x5x6x6xf32>
  return %0 : tensor<1x5x6x6xf32>
}

// -----

func.func @conv_bias_size(%x: tensor<1x4x8x8xf32>, %w: tensor<6x4x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error @+1 {{'kiln.conv' op bias must be 1-D of size 6}}
  %0 = kiln.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32>, tensor<4xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

func.func @conv_layout(%x: tensor<1x4x8x8xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error @+1 {{layout input 'NCDHW' must name N, C, H and W once each}}
    %0 = kiln.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64, layout = #kiln.layout<input = "NCDHW", filter = "OIHW">} : (tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

func.func @conv_attr_counts(%x: tensor<1x4x8x8xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error @+2 {{expects 2 strides, 2 dilations, 4 pads}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0>, group = 1 : i64} : (tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

func.func @conv_stride_zero(%x: tensor<1x4x8x8xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error @+2 {{strides and dilations must be >= 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv %x, %w {strides = array<i64: 0, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

func.func @conv_negative_pad(%x: tensor<1x4x8x8xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<1x6x5x6xf32> {
  // expected-error @+2 {{pads must be >= 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: -1, 0, 0, 0>, group = 1 : i64} : (tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<1x6x5x6xf32>
  return %0 : tensor<1x6x5x6xf32>
}

// -----

func.func @conv_filter_rank(%x: tensor<1x4x8x8xf32>, %w: tensor<6x4x3xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error @+1 {{expects a rank-4 filter, got 'tensor<6x4x3xf32>'}}
    %0 = kiln.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x4x8x8xf32>, tensor<6x4x3xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

func.func @conv_wrong_result(%x: tensor<1x4x8x8xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<1x6x8x8xf32> {
  // expected-error @+2 {{'kiln.conv' op inferred type(s) 'tensor<1x6x6x6xf32>' are incompatible with return type(s) of operation 'tensor<1x6x8x8xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<1x6x8x8xf32>
  return %0 : tensor<1x6x8x8xf32>
}

// -----

func.func @pool_kernel_rank(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32> {
  // expected-error @+2 {{expects a 2-D kernel}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.max_pool %x {kernel = array<i64: 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

func.func @pool_kernel_zero(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x9x9xf32> {
  // expected-error @+1 {{'kiln.avg_pool' op kernel dims must be >= 1}}
  %0 = kiln.avg_pool %x {kernel = array<i64: 0, 0>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x9x9xf32>
  return %0 : tensor<1x3x9x9xf32>
}

// -----

func.func @reduce_axis_range(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{axis 2 out of range for rank 2}}
  %0 = kiln.reduce_sum %x {axes = array<i64: 2>, keepdims = false} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @reduce_axes_unsorted(%x: tensor<2x3x4xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{axes must be sorted and unique}}
  %0 = kiln.reduce_mean %x {axes = array<i64: 2, 0>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @softmax_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'kiln.softmax' op axis 2 out of range for rank 2}}
  %0 = kiln.softmax %x {axis = 2 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @batch_norm_params(%x: tensor<1x3x4x4xf32>, %p: tensor<3xf32>, %q: tensor<4xf32>) -> tensor<1x3x4x4xf32> {
  // expected-error @+1 {{'kiln.batch_norm' op parameters must be 1-D of size 3, got 'tensor<4xf32>'}}
  %0 = kiln.batch_norm %x, %p, %p, %q, %p {epsilon = 1.0e-5 : f64} : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<4xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

func.func @batch_norm_rank(%x: tensor<3xf32>, %p: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'kiln.batch_norm' op expects rank >= 2}}
  %0 = kiln.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-5 : f64} : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @layer_norm_axis(%x: tensor<2x8xf32>, %g: tensor<8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'kiln.layer_norm' op axis 2 out of range}}
  %0 = kiln.layer_norm %x, %g, %g {axis = 2 : i64, epsilon = 1.0e-5 : f64} : (tensor<2x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @layer_norm_scale(%x: tensor<2x8xf32>, %g: tensor<4xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{'kiln.layer_norm' op scale/bias 'tensor<4xf32>' do not broadcast to the normalized dims}}
  %0 = kiln.layer_norm %x, %g, %g {axis = 1 : i64, epsilon = 1.0e-5 : f64} : (tensor<2x8xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @reshape_element_count(%x: tensor<2x3xf32>) -> tensor<4x2xf32> {
  // expected-error @+1 {{'kiln.reshape' op cannot reshape 'tensor<2x3xf32>' (6 elements) to 'tensor<4x2xf32>'}}
  %0 = kiln.reshape %x : (tensor<2x3xf32>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

func.func @reshape_element_type(%x: tensor<2x3xf32>) -> tensor<6xi32> {
  // expected-error @+1 {{'kiln.reshape' op changes the element type}}
  %0 = kiln.reshape %x : (tensor<2x3xf32>) -> tensor<6xi32>
  return %0 : tensor<6xi32>
}

// -----

func.func @transpose_bad_permutation(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  // expected-error @+1 {{'kiln.transpose' op perm is not a permutation of the input dims}}
  %0 = kiln.transpose %x {perm = array<i64: 0, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

func.func @transpose_perm_length(%x: tensor<2x3x4xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{'kiln.transpose' op perm is not a permutation of the input dims}}
  %0 = kiln.transpose %x {perm = array<i64: 1, 0>} : (tensor<2x3x4xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @concat_axis(%x: tensor<2x3xf32>) -> tensor<2x6xf32> {
  // expected-error @+2 {{axis 2 out of range}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.concat %x, %x {axis = 2 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @concat_dims(%x: tensor<2x3xf32>, %y: tensor<3x3xf32>) -> tensor<2x6xf32> {
  // expected-error @+2 {{concat inputs differ in dim 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.concat %x, %y {axis = 1 : i64} : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @concat_rank(%x: tensor<2x3xf32>, %y: tensor<2x3x1xf32>) -> tensor<2x6xf32> {
  // expected-error @+2 {{concat inputs differ in rank}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.concat %x, %y {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x3x1xf32>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

func.func @slice_out_of_range(%x: tensor<4x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'kiln.slice' op dim 0: window exceeds extent 4}}
  %0 = kiln.slice %x {offsets = array<i64: 3, 0>, sizes = array<i64: 2, 4>, strides = array<i64: 1, 1>} : (tensor<4x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @slice_strided_out_of_range(%x: tensor<4x4xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{'kiln.slice' op dim 1: window exceeds extent 4}}
  %0 = kiln.slice %x {offsets = array<i64: 0, 0>, sizes = array<i64: 4, 3>, strides = array<i64: 1, 2>} : (tensor<4x4xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @slice_negative_offset(%x: tensor<4x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'kiln.slice' op dim 0: offsets and sizes must be >= 0 and strides >= 1}}
  %0 = kiln.slice %x {offsets = array<i64: -1, 0>, sizes = array<i64: 2, 4>, strides = array<i64: 1, 1>} : (tensor<4x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @gather_axis(%x: tensor<4x4xf32>, %i: tensor<2xi64>) -> tensor<4x2xf32> {
  // expected-error @+2 {{axis 2 out of range}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.gather %x, %i {axis = 2 : i64} : (tensor<4x4xf32>, tensor<2xi64>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

// A constant index must lie in [-extent, extent) of the dim it indexes.
func.func @gather_constant_index_high(%x: tensor<4x3xf32>) -> tensor<4x2xf32> {
  %i = arith.constant dense<[0, 3]> : tensor<2xi64>
  // expected-error @+1 {{'kiln.gather' op index 3 is out of range for a dim of 3 (valid: -3 to 2)}}
  %0 = kiln.gather %x, %i {axis = 1 : i64} : (tensor<4x3xf32>, tensor<2xi64>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

func.func @gather_nd_constant_index_low(%x: tensor<2x5xf32>) -> tensor<2xf32> {
  // Column 1 indexes the dim of 5, so -5 is valid there and -6 is not.
  %i = arith.constant dense<[[1, -5], [0, -6]]> : tensor<2x2xi64>
  // expected-error @+1 {{'kiln.gather_nd' op index -6 is out of range for a dim of 5 (valid: -5 to 4)}}
  %0 = kiln.gather_nd %x, %i : (tensor<2x5xf32>, tensor<2x2xi64>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @scatter_nd_constant_index(%x: tensor<4x3xf32>, %u: tensor<1x3xf32>) -> tensor<4x3xf32> {
  %i = arith.constant dense<[[4]]> : tensor<1x1xi64>
  // expected-error @+1 {{'kiln.scatter_nd' op index 4 is out of range for a dim of 4 (valid: -4 to 3)}}
  %0 = kiln.scatter_nd %x, %i, %u : (tensor<4x3xf32>, tensor<1x1xi64>, tensor<1x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @gather_float_indices(%x: tensor<4x4xf32>, %i: tensor<2xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'kiln.gather' op operand #1 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values}}
  %0 = kiln.gather %x, %i {axis = 0 : i64} : (tensor<4x4xf32>, tensor<2xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @pad_count(%x: tensor<4x4xf32>) -> tensor<5x5xf32> {
  // expected-error @+2 {{pad needs 2 x rank pads}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.pad %x {pads = array<i64: 1, 1>, value = 0.0 : f64} : (tensor<4x4xf32>) -> tensor<5x5xf32>
  return %0 : tensor<5x5xf32>
}

// -----

func.func @pad_negative(%x: tensor<4x4xf32>) -> tensor<3x4xf32> {
  // expected-error @+1 {{'kiln.pad' op negative pads are not supported}}
  %0 = kiln.pad %x {pads = array<i64: -1, 0, 0, 0>, value = 0.0 : f64} : (tensor<4x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @matmul_bool(%a: tensor<2x3xi1>, %b: tensor<3x4xi1>) -> tensor<2x4xi1> {
  // expected-error @+1 {{'kiln.matmul' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float or 32-bit signless integer or 64-bit signless integer values}}
  %0 = kiln.matmul %a, %b : (tensor<2x3xi1>, tensor<3x4xi1>) -> tensor<2x4xi1>
  return %0 : tensor<2x4xi1>
}

// -----

func.func @constant_type_mismatch() -> tensor<3xf32> {
  // expected-error @+1 {{'kiln.constant' op failed to verify that all of {value, result} have same type}}
  %0 = "kiln.constant"() {value = dense<1.0> : tensor<2xf32>} : () -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @broadcast_to_bad_dim(%x: tensor<2x4xf32>, %s: tensor<2xi64>) -> tensor<3x4xf32> {
  // expected-error @+1 {{'kiln.broadcast_to' op input dim 0 (2) does not broadcast to 3}}
  %0 = kiln.broadcast_to %x, %s : (tensor<2x4xf32>, tensor<2xi64>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @broadcast_to_shape_length(%x: tensor<2x4xf32>, %s: tensor<3xi64>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'kiln.broadcast_to' op shape must be 1-D with one element per result dim, got 'tensor<3xi64>' for 'tensor<2x4xf32>'}}
  %0 = kiln.broadcast_to %x, %s : (tensor<2x4xf32>, tensor<3xi64>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @shape_of_length(%x: tensor<?x4xf32>) -> tensor<3xi64> {
  // expected-error @+1 {{'kiln.shape_of' op result must be 1-D with one element per dim of 'tensor<?x4xf32>', got 'tensor<3xi64>'}}
  %0 = kiln.shape_of %x : (tensor<?x4xf32>) -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

func.func @dynamic_slice_bounds(%x: tensor<?x4xf32>, %b: tensor<2xi64>) -> tensor<?x4xf32> {
  // expected-error @+1 {{'kiln.dynamic_slice' op starts and ends must be 1-D with one element per axis (1), got 'tensor<2xi64>'}}
  %0 = kiln.dynamic_slice %x, %b, %b {axes = array<i64: 0>, steps = array<i64: 1>} : (tensor<?x4xf32>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

func.func @dynamic_slice_repeated_axis(%x: tensor<?x4xf32>, %b: tensor<2xi64>) -> tensor<?x4xf32> {
  // expected-error @+1 {{'kiln.dynamic_slice' op axis 0 is listed twice}}
  %0 = kiln.dynamic_slice %x, %b, %b {axes = array<i64: 0, 0>, steps = array<i64: 1, 1>} : (tensor<?x4xf32>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

func.func @range_zero_delta(%n: tensor<i64>) -> tensor<?xi64> {
  %zero = kiln.constant dense<0> : tensor<i64>
  // expected-error @+1 {{'kiln.range' op delta must not be 0}}
  %0 = kiln.range %zero, %n, %zero : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  return %0 : tensor<?xi64>
}

// -----

func.func @range_mixed_types(%n: tensor<i64>, %d: tensor<i32>) -> tensor<?xi64> {
  // expected-error @+1 {{'kiln.range' op start, limit and delta must be 0-d tensors of one element type, got 'tensor<i32>'}}
  %0 = kiln.range %n, %n, %d : (tensor<i64>, tensor<i64>, tensor<i32>) -> tensor<?xi64>
  return %0 : tensor<?xi64>
}

// -----

func.func @resize_mode(%x: tensor<1x2x2x3xf32>) -> tensor<1x4x4x3xf32> {
  // expected-error @+1 {{'kiln.resize' op unknown coordinate_mode 'cubic'}}
  %0 = kiln.resize %x {axes = array<i64: 1, 2>, sizes = array<i64: 4, 4>, coordinate_mode = "cubic"} : (tensor<1x2x2x3xf32>) -> tensor<1x4x4x3xf32>
  return %0 : tensor<1x4x4x3xf32>
}

// -----

func.func @resize_dynamic(%x: tensor<1x?x2x3xf32>) -> tensor<1x4x4x3xf32> {
  // expected-error @+1 {{'kiln.resize' op resized dim 1 must be static}}
  %0 = kiln.resize %x {axes = array<i64: 1, 2>, sizes = array<i64: 4, 4>, coordinate_mode = "asymmetric"} : (tensor<1x?x2x3xf32>) -> tensor<1x4x4x3xf32>
  return %0 : tensor<1x4x4x3xf32>
}

// -----

func.func @compare_types_differ(%a: tensor<3xf32>, %b: tensor<3xi64>) -> tensor<3xi1> {
  // expected-error @+1 {{'kiln.equal' op requires the same element type for all operands}}
  %0 = kiln.equal %a, %b : (tensor<3xf32>, tensor<3xi64>) -> tensor<3xi1>
  return %0 : tensor<3xi1>
}

// -----

func.func @select_branches_differ(%c: tensor<3xi1>, %a: tensor<3xf32>, %b: tensor<3xi64>) -> tensor<3xf32> {
  // expected-error @+1 {{'kiln.select' op branches differ in element type}}
  %0 = kiln.select %c, %a, %b : (tensor<3xi1>, tensor<3xf32>, tensor<3xi64>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @arg_max_axis(%x: tensor<2x5xf32>) -> tensor<2xi64> {
  // expected-error @+2 {{axis 2 out of range for rank 2}}
  // expected-error @+1 {{'kiln.arg_max' op failed to infer returned types}}
  %0 = kiln.arg_max %x {axis = 2 : i64, keepdims = false} : (tensor<2x5xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

func.func @gather_nd_tuple_too_long(%x: tensor<2x5xf32>, %i: tensor<4x3xi64>) -> tensor<4xf32> {
  // expected-error @+2 {{index tuples of 3 after 0 batch dims do not fit an input of rank 2}}
  // expected-error @+1 {{'kiln.gather_nd' op failed to infer returned types}}
  %0 = kiln.gather_nd %x, %i : (tensor<2x5xf32>, tensor<4x3xi64>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @gather_nd_batch_differs(%x: tensor<2x5xf32>, %i: tensor<3x1xi64>) -> tensor<3xf32> {
  // expected-error @+1 {{'kiln.gather_nd' op batch dim 0 differs: 2 in the input, 3 in the indices}}
  %0 = kiln.gather_nd %x, %i {batch_dims = 1 : i64} : (tensor<2x5xf32>, tensor<3x1xi64>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @top_k_too_many(%x: tensor<2x5xf32>) -> (tensor<2x6xf32>, tensor<2x6xi64>) {
  // expected-error @+2 {{k = 6 for a dim of 5}}
  // expected-error @+1 {{'kiln.top_k' op failed to infer returned types}}
  %0:2 = kiln.top_k %x {k = 6 : i64, axis = 1 : i64} : (tensor<2x5xf32>) -> (tensor<2x6xf32>, tensor<2x6xi64>)
  return %0#0, %0#1 : tensor<2x6xf32>, tensor<2x6xi64>
}

// -----

func.func @layout_filter_letters(%x: tensor<1x4x8x8xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error @+1 {{layout filter 'OIHH' must name O, I, H and W once each}}
  %0 = kiln.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64, layout = #kiln.layout<input = "NCHW", filter = "OIHH">} : (tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

func.func @conv_layout_without_filter(%x: tensor<1x4x8x8xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error @+1 {{'kiln.conv' op the layout names no filter dims}}
  %0 = kiln.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64, layout = #kiln.layout<input = "NCHW">} : (tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

func.func @while_cond_not_bool(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.while' op the cond region must yield one tensor<i1>}}
  %r = kiln.while %x : (tensor<4xf32>) -> tensor<4xf32> cond {
  ^bb0(%v: tensor<4xf32>):
    kiln.yield %v : tensor<4xf32>
  } body {
  ^bb0(%v: tensor<4xf32>):
    kiln.yield %v : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

func.func @while_body_changes_shape(%x: tensor<4xf32>, %c: tensor<i1>) -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.while' op the body yields 'tensor<8xf32>' for loop variable 0 of type 'tensor<4xf32>'}}
  %r = kiln.while %x : (tensor<4xf32>) -> tensor<4xf32> cond {
  ^bb0(%v: tensor<4xf32>):
    kiln.yield %c : tensor<i1>
  } body {
  ^bb0(%v: tensor<4xf32>):
    %w = kiln.concat %v, %v {axis = 0 : i64} : (tensor<4xf32>, tensor<4xf32>) -> tensor<8xf32>
    kiln.yield %w : tensor<8xf32>
  }
  return %r : tensor<4xf32>
}

// -----

func.func @while_block_types(%x: tensor<4xf32>, %c: tensor<i1>) -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.while' op the body region takes}}
  %r = kiln.while %x : (tensor<4xf32>) -> tensor<4xf32> cond {
  ^bb0(%v: tensor<4xf32>):
    kiln.yield %c : tensor<i1>
  } body {
  ^bb0(%v: tensor<?xf32>):
    kiln.yield %v : tensor<?xf32>
  }
  return %r : tensor<4xf32>
}

// -----

func.func @dynamic_slice_zero_step(%x: tensor<?x4xf32>, %b: tensor<1xi64>) -> tensor<?x4xf32> {
  // expected-error @+2 {{dynamic_slice axis 0 or step 0 out of range}}
  // expected-error @+1 {{'kiln.dynamic_slice' op failed to infer returned types}}
  %0 = kiln.dynamic_slice %x, %b, %b {axes = array<i64: 0>, steps = array<i64: 0>} : (tensor<?x4xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

func.func @scatter_nd_updates_wrong_shape(%x: tensor<8x4xf32>, %i: tensor<3x1xi64>, %u: tensor<3x5xf32>) -> tensor<8x4xf32> {
  // expected-error @+1 {{updates dim 1 is 5 where the input and indices make it 4}}
  %0 = kiln.scatter_nd %x, %i, %u : (tensor<8x4xf32>, tensor<3x1xi64>, tensor<3x5xf32>) -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

// -----

func.func @scatter_nd_unknown_reduction(%x: tensor<8x4xf32>, %i: tensor<3x1xi64>, %u: tensor<3x4xf32>) -> tensor<8x4xf32> {
  // expected-error @+1 {{unknown reduction 'sum'}}
  %0 = kiln.scatter_nd %x, %i, %u {reduction = "sum"} : (tensor<8x4xf32>, tensor<3x1xi64>, tensor<3x4xf32>) -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}
