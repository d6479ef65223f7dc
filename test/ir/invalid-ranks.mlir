// RUN: not %kiln-opt %s --split-input-file 2>&1 | FileCheck %s

// XFAIL: *
// BUG: ConvOp::verify and SliceOp::verify index the operand shapes and the
// offsets/sizes/strides arrays before anything has checked their lengths
// (the op verifier runs before the InferTypeOpAdaptor check that would
// reject them). kiln.conv with a rank-1 input or a rank-2 NHWC filter reads
// past the shape and reports garbage channel counts; kiln.slice with empty
// attribute arrays crashes kiln-opt in SliceOp::verify. Expected: the same
// one-line diagnostics type inference gives, and no crash.

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
  %0 = kiln.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64, layout = "NHWC"} : (tensor<1x8x8x4xf32>, tensor<3x3xf32>) -> tensor<1x6x6x6xf32>
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
