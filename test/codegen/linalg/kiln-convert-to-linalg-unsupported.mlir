// RUN: %kiln-opt %s --split-input-file --kiln-convert-to-linalg --verify-diagnostics

// What the lowering does not handle fails with an error on the op (whose
// location names the model node), never a crash.

func.func @conv_nhwc(%x: tensor<1x8x8x4xf32>, %w: tensor<3x3x4x6xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error @+1 {{failed to legalize operation 'kiln.conv' that was explicitly marked illegal}}
  %0 = kiln.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64, layout = "NHWC"} : (tensor<1x8x8x4xf32>, tensor<3x3x4x6xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

func.func @add_dynamic(%a: tensor<?x3xf32>, %b: tensor<1x3xf32>) -> tensor<?x3xf32> {
  // expected-error @+1 {{failed to legalize operation 'kiln.add' that was explicitly marked illegal}}
  %0 = kiln.add %a, %b : (tensor<?x3xf32>, tensor<1x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// Normalizations are lowered after kiln-decompose, not by this pass.
func.func @softmax_not_decomposed(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{failed to legalize operation 'kiln.softmax' that was explicitly marked illegal}}
  %0 = kiln.softmax %x {axis = 1 : i64} : (tensor<2x8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}
