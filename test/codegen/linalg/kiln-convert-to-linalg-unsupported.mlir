// RUN: %kiln-opt %s --split-input-file --kiln-convert-to-linalg --verify-diagnostics

// What the lowering does not handle fails with an error on the op (whose
// location names the model node), never a crash.

// The shared lowering computes in NCHW/OIHW or NHWC/HWIO; kiln-convert-layout
// (in the graph pipeline) puts other letter orders there first.
func.func @conv_nhwc_oihw(%x: tensor<1x8x8x4xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error @+2 {{'kiln.conv' op lowers in NCHW/OIHW or NHWC/HWIO only, not in #kiln.layout<input = "NHWC", filter = "OIHW"> (kiln-convert-layout rewrites it)}}
  // expected-error @+1 {{failed to legalize operation 'kiln.conv' that was explicitly marked illegal}}
  %0 = kiln.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64, layout = #kiln.layout<input = "NHWC", filter = "OIHW">} : (tensor<1x8x8x4xf32>, tensor<6x4x3x3xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

// Dynamic dims that the lowering cannot size yet are named in the error.
func.func @conv_dynamic_channels(%x: tensor<1x?x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+2 {{convolution with a dynamic channel count is not supported: 'tensor<1x?x8x8xf32>'}}
  // expected-error @+1 {{failed to legalize operation 'kiln.conv'}}
  %0 = kiln.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<1x?x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

// Normalizations are lowered after kiln-decompose, not by this pass.
func.func @softmax_not_decomposed(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{failed to legalize operation 'kiln.softmax' that was explicitly marked illegal}}
  %0 = kiln.softmax %x {axis = 1 : i64} : (tensor<2x8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}
