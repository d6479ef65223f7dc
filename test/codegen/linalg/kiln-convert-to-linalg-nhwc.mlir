// RUN: %kiln-opt %s --split-input-file --kiln-convert-to-linalg | FileCheck %s

// NHWC data with an HWIO filter lowers as it is, to linalg's NHWC ops
// (what a target computing in NHWC gets; the CPU converts to NCHW first).

// CHECK-LABEL: func.func @conv_nhwc
func.func @conv_nhwc(%x: tensor<?x8x8x3xf32>, %w: tensor<3x3x3x4xf32>, %b: tensor<4xf32>) -> tensor<?x8x8x4xf32> {
  // CHECK: tensor.pad %{{.*}} low[0, 1, 1, 0] high[0, 1, 1, 0]
  // CHECK: linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%{{.*}}, %{{.*}} : tensor<?x10x10x3xf32>, tensor<3x3x3x4xf32>) outs(%{{.*}} : tensor<?x8x8x4xf32>)
  // CHECK: linalg.generic
  // CHECK: arith.addf
  %0 = kiln.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64, layout = #kiln.layout<input = "NHWC", filter = "HWIO">} : (tensor<?x8x8x3xf32>, tensor<3x3x3x4xf32>, tensor<4xf32>) -> tensor<?x8x8x4xf32>
  return %0 : tensor<?x8x8x4xf32>
}

// -----

// Depthwise: the H x W x 1 x (C*M) filter is viewed as H x W x C x M.
// CHECK-LABEL: func.func @depthwise_nhwc
func.func @depthwise_nhwc(%x: tensor<1x8x8x3xf32>, %w: tensor<3x3x1x6xf32>) -> tensor<1x6x6x6xf32> {
  // CHECK: tensor.expand_shape {{.*}} into tensor<3x3x3x2xf32>
  // CHECK: linalg.depthwise_conv_2d_nhwc_hwcm {{.*}} outs(%{{.*}} : tensor<1x6x6x3x2xf32>)
  // CHECK: tensor.collapse_shape %{{.*}} : tensor<1x6x6x3x2xf32> into tensor<1x6x6x6xf32>
  %0 = kiln.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 3 : i64, layout = #kiln.layout<input = "NHWC", filter = "HWIO">} : (tensor<1x8x8x3xf32>, tensor<3x3x1x6xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

// Average pooling divides by the [OH, OW, 1] count table.
// CHECK-LABEL: func.func @pools_nhwc
func.func @pools_nhwc(%x: tensor<1x8x8x3xf32>) -> (tensor<1x4x4x3xf32>, tensor<1x4x4x3xf32>) {
  // CHECK: linalg.pooling_nhwc_max {{.*}} -> tensor<1x4x4x3xf32>
  // CHECK: linalg.pooling_nhwc_sum {{.*}} -> tensor<1x4x4x3xf32>
  // CHECK: tensor.expand_shape %{{.*}} : tensor<4x4xf32> into tensor<4x4x1xf32>
  // CHECK: arith.divf
  %0 = kiln.max_pool %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, layout = #kiln.layout<input = "NHWC">} : (tensor<1x8x8x3xf32>) -> tensor<1x4x4x3xf32>
  %1 = kiln.avg_pool %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 0, 0>, layout = #kiln.layout<input = "NHWC">} : (tensor<1x8x8x3xf32>) -> tensor<1x4x4x3xf32>
  return %0, %1 : tensor<1x4x4x3xf32>, tensor<1x4x4x3xf32>
}

// -----

// Height and width known at run time only: the result's are computed from
// the padded input, and the average pool's divisors are counted at run time.
// CHECK-LABEL: func.func @dynamic_image_nhwc
func.func @dynamic_image_nhwc(%x: tensor<?x?x?x3xf32>, %w: tensor<3x3x3x4xf32>) -> (tensor<?x?x?x4xf32>, tensor<?x?x?x3xf32>) {
  // CHECK: tensor.pad %{{.*}} low[0, 1, 1, 0] high[0, 1, 1, 0]
  // CHECK: arith.divui %{{.*}}, %c2
  // CHECK: linalg.conv_2d_nhwc_hwcf {{.*}} ins(%{{.*}}, %{{.*}} : tensor<?x?x?x3xf32>, tensor<3x3x3x4xf32>) outs(%{{.*}} : tensor<?x?x?x4xf32>)
  // CHECK: linalg.pooling_nhwc_sum {{.*}} -> tensor<?x?x?x3xf32>
  // CHECK: tensor.collapse_shape %{{.*}} : tensor<1x1x?x?xf32> into tensor<?x?xf32>
  // CHECK: tensor.expand_shape %{{.*}} : tensor<?x?xf32> into tensor<?x?x1xf32>
  // CHECK: arith.divf
  %0 = kiln.conv %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64, layout = #kiln.layout<input = "NHWC", filter = "HWIO">} : (tensor<?x?x?x3xf32>, tensor<3x3x3x4xf32>) -> tensor<?x?x?x4xf32>
  %1 = kiln.avg_pool %x {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, layout = #kiln.layout<input = "NHWC">} : (tensor<?x?x?x3xf32>) -> tensor<?x?x?x3xf32>
  return %0, %1 : tensor<?x?x?x4xf32>, tensor<?x?x?x3xf32>
}
