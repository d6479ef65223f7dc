// RUN: not %kiln-opt %s --split-input-file 2>&1 | FileCheck %s

// Regression: the op verifiers of kiln.conv and kiln.slice run before the
// type-inference check, so they must check ranks and attribute lengths
// before indexing (they once read past the shapes and crashed kiln-opt).

// CHECK-NOT: Stack dump
// CHECK: error: {{.*}}expects a rank-4 input, got 'tensor<8xf32>'
func.func @conv_rank1_input(%x: tensor<8xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<1x6x6x6xf32> {
  %0 = kiln.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<8xf32>, tensor<6x4x3x3xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

// CHECK-NOT: Stack dump
// CHECK: error: {{.*}}expects a rank-4 input, got 'tensor<4x8x8xf32>'
func.func @conv_rank3_input(%x: tensor<4x8x8xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<1x6x6x6xf32> {
  %0 = kiln.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<4x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

// CHECK-NOT: Stack dump
// CHECK: error: {{.*}}expects a rank-4 filter, got 'tensor<3x3xf32>'
func.func @conv_rank2_filter_nhwc(%x: tensor<1x8x8x4xf32>, %w: tensor<3x3xf32>) -> tensor<1x6x6x6xf32> {
  %0 = kiln.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64, layout = #kiln.layout<input = "NHWC", filter = "HWIO">} : (tensor<1x8x8x4xf32>, tensor<3x3xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

// CHECK-NOT: Stack dump
// CHECK: error: {{.*}}slice needs offsets, sizes and strides for each of the 2 dims
func.func @slice_short_offsets(%x: tensor<4x4xf32>) -> tensor<2x4xf32> {
  %0 = kiln.slice %x {offsets = array<i64: 0>, sizes = array<i64: 2, 4>, strides = array<i64: 1, 1>} : (tensor<4x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// CHECK-NOT: Stack dump
// CHECK: error: {{.*}}slice needs offsets, sizes and strides for each of the 2 dims
// CHECK-NOT: Stack dump
func.func @slice_empty_arrays(%x: tensor<4x4xf32>) -> tensor<2x4xf32> {
  %0 = kiln.slice %x {offsets = array<i64>, sizes = array<i64>, strides = array<i64>} : (tensor<4x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
