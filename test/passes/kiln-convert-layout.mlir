// RUN: %kiln-opt %s --split-input-file --kiln-convert-layout | FileCheck %s
// RUN: %kiln-opt %s --split-input-file --kiln-convert-layout --kiln-propagate-transposes | FileCheck %s --check-prefix=CHAIN
// RUN: %kiln-opt %s --split-input-file "--kiln-convert-layout=data=NHWC filter=HWIO" | FileCheck %s --check-prefix=NHWC

// A TensorFlow convolution (NHWC data, HWIO filter) is rebuilt in the CPU's
// NCHW/OIHW with transposes around it; a constant filter's transpose
// folds. With a transpose-propagation pass after it, a chain of NHWC
// convolutions keeps NCHW data between them.

// CHECK-LABEL: func.func @nhwc_conv
// CHECK-SAME: (%[[X:.*]]: tensor<1x8x8x3xf32>)
// CHECK: %[[F:.*]] = kiln.constant {{.*}} : tensor<4x3x3x3xf32>
// CHECK: %[[T:.*]] = kiln.transpose %[[X]] {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x8x8x3xf32>) -> tensor<1x3x8x8xf32>
// CHECK: %[[C:.*]] = kiln.conv %[[T]], %[[F]]
// CHECK-NOT: layout
// CHECK-SAME: -> tensor<1x4x8x8xf32>
// CHECK: kiln.transpose %[[C]] {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x4x8x8xf32>) -> tensor<1x8x8x4xf32>

// CHAIN-LABEL: func.func @nhwc_conv
// CHAIN: kiln.transpose
// CHAIN: kiln.conv
// CHAIN-NEXT: kiln.relu
// CHAIN-NEXT: kiln.conv
// CHAIN-NEXT: kiln.max_pool
// CHAIN-NEXT: kiln.transpose
// CHAIN-NEXT: return

// The target's own layout is left alone.
// NHWC-LABEL: func.func @nhwc_conv
// NHWC-NOT: kiln.transpose
// NHWC: return
func.func @nhwc_conv(%x: tensor<1x8x8x3xf32>) -> tensor<1x4x4x4xf32> {
  %f = kiln.constant dense<1.0> : tensor<3x3x3x4xf32>
  %f2 = kiln.constant dense<0.5> : tensor<3x3x4x4xf32>
  %0 = kiln.conv %x, %f {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64, layout = #kiln.layout<input = "NHWC", filter = "HWIO">} : (tensor<1x8x8x3xf32>, tensor<3x3x3x4xf32>) -> tensor<1x8x8x4xf32>
  %1 = kiln.relu %0 : (tensor<1x8x8x4xf32>) -> tensor<1x8x8x4xf32>
  %2 = kiln.conv %1, %f2 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64, layout = #kiln.layout<input = "NHWC", filter = "HWIO">} : (tensor<1x8x8x4xf32>, tensor<3x3x4x4xf32>) -> tensor<1x8x8x4xf32>
  %3 = kiln.max_pool %2 {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, layout = #kiln.layout<input = "NHWC">} : (tensor<1x8x8x4xf32>) -> tensor<1x4x4x4xf32>
  return %3 : tensor<1x4x4x4xf32>
}

// -----

// Any letter order works: a result in another order than the input gets
// its own transpose.
// CHECK-LABEL: func.func @mixed_orders
// CHECK: kiln.transpose %{{.*}} {perm = array<i64: 0, 1, 3, 2>} : (tensor<1x3x8x6xf32>) -> tensor<1x3x6x8xf32>
// CHECK: kiln.avg_pool
// CHECK-SAME: -> tensor<1x3x3x4xf32>
// CHECK: kiln.transpose %{{.*}} {perm = array<i64: 2, 3, 0, 1>} : (tensor<1x3x3x4xf32>) -> tensor<3x4x1x3xf32>
func.func @mixed_orders(%x: tensor<1x3x8x6xf32>) -> tensor<3x4x1x3xf32> {
  %0 = kiln.avg_pool %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, layout = #kiln.layout<input = "NCWH", output = "HWNC">} : (tensor<1x3x8x6xf32>) -> tensor<3x4x1x3xf32>
  return %0 : tensor<3x4x1x3xf32>
}
