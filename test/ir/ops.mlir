// RUN: %kiln-opt %s --split-input-file | FileCheck %s
// Round trip through the generic form: attributes survive printing.
// RUN: %kiln-opt %s --split-input-file --mlir-print-op-generic | %kiln-opt --split-input-file | FileCheck %s

// Every op family of the kiln dialect parses, verifies and prints back in
// its custom form `kiln.op %a, %b {attrs} : (types) -> types`.

// CHECK-LABEL: func.func @constants
func.func @constants() -> (tensor<2xf32>, tensor<3xi64>, tensor<f32>) {
  // CHECK: kiln.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
  %0 = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  // CHECK: kiln.constant dense<[1, -1, 4]> : tensor<3xi64>
  %1 = kiln.constant dense<[1, -1, 4]> : tensor<3xi64>
  // CHECK: kiln.constant dense<5.000000e-01> : tensor<f32>
  %2 = kiln.constant dense<0.5> : tensor<f32>
  return %0, %1, %2 : tensor<2xf32>, tensor<3xi64>, tensor<f32>
}

// -----

// CHECK-LABEL: func.func @weights_as_resources
func.func @weights_as_resources() -> tensor<2xf32> {
  // CHECK: kiln.constant dense_resource<w0> : tensor<2xf32>
  %0 = kiln.constant dense_resource<w0> : tensor<2xf32>
  return %0 : tensor<2xf32>
}
{-#
  dialect_resources: {
    builtin: {
      w0: "0x040000000000803F00000040"
    }
  }
#-}

// -----

// CHECK-LABEL: func.func @unary
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
func.func @unary(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // CHECK: %[[R:.*]] = kiln.relu %[[X]] : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %0 = kiln.relu %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: %[[S:.*]] = kiln.sigmoid %[[R]]
  %1 = kiln.sigmoid %0 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: %[[T:.*]] = kiln.tanh %[[S]]
  %2 = kiln.tanh %1 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: %[[E:.*]] = kiln.erf %[[T]]
  %3 = kiln.erf %2 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: %[[Q:.*]] = kiln.sqrt %[[E]]
  %4 = kiln.sqrt %3 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: %[[X2:.*]] = kiln.exp %[[Q]]
  %5 = kiln.exp %4 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: %[[L:.*]] = kiln.log %[[X2]]
  %6 = kiln.log %5 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: %[[N:.*]] = kiln.neg %[[L]]
  %7 = kiln.neg %6 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: %[[A:.*]] = kiln.abs %[[N]]
  %8 = kiln.abs %7 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: %[[RC:.*]] = kiln.reciprocal %[[A]]
  %9 = kiln.reciprocal %8 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: %[[C:.*]] = kiln.clip %[[RC]] {max = 6.000000e+00 : f64, min = 0.000000e+00 : f64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %10 = kiln.clip %9 {min = 0.0 : f64, max = 6.0 : f64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: return %[[C]]
  return %10 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @cast
func.func @cast(%x: tensor<4xf32>) -> tensor<4xi64> {
  // CHECK: kiln.cast %{{.*}} : (tensor<4xf32>) -> tensor<4xi64>
  %0 = kiln.cast %x : (tensor<4xf32>) -> tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

// CHECK-LABEL: func.func @binary
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<3xf32>)
func.func @binary(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  // CHECK: %[[ADD:.*]] = kiln.add %[[A]], %[[B]] : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %0 = kiln.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: %[[SUB:.*]] = kiln.sub %[[ADD]], %[[B]]
  %1 = kiln.sub %0, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: %[[MUL:.*]] = kiln.mul %[[SUB]], %[[B]]
  %2 = kiln.mul %1, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: %[[DIV:.*]] = kiln.div %[[MUL]], %[[B]]
  %3 = kiln.div %2, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: %[[POW:.*]] = kiln.pow %[[DIV]], %[[B]]
  %4 = kiln.pow %3, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: %[[MAX:.*]] = kiln.max %[[POW]], %[[B]]
  %5 = kiln.max %4, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: %[[MIN:.*]] = kiln.min %[[MAX]], %[[A]]
  %6 = kiln.min %5, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %6 : tensor<2x3xf32>
}

// -----

// A dynamic dim broadcasts against a static one.
// CHECK-LABEL: func.func @binary_dynamic
func.func @binary_dynamic(%a: tensor<?x3xf32>, %b: tensor<1x3xf32>) -> tensor<?x3xf32> {
  // CHECK: kiln.add %{{.*}}, %{{.*}} : (tensor<?x3xf32>, tensor<1x3xf32>) -> tensor<?x3xf32>
  %0 = kiln.add %a, %b : (tensor<?x3xf32>, tensor<1x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// CHECK-LABEL: func.func @matmul
func.func @matmul(%a: tensor<2x5x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x5x4xf32> {
  // CHECK: kiln.matmul %{{.*}}, %{{.*}} : (tensor<2x5x3xf32>, tensor<3x4xf32>) -> tensor<2x5x4xf32>
  %0 = kiln.matmul %a, %b : (tensor<2x5x3xf32>, tensor<3x4xf32>) -> tensor<2x5x4xf32>
  return %0 : tensor<2x5x4xf32>
}

// -----

// CHECK-LABEL: func.func @conv
func.func @conv(%x: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>, %b: tensor<6xf32>) -> tensor<1x6x4x4xf32> {
  // CHECK: kiln.conv %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<1x6x4x4xf32>
  %0 = kiln.conv %x, %w, %b {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 2 : i64} : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<1x6x4x4xf32>
  return %0 : tensor<1x6x4x4xf32>
}

// -----

// Without bias, NHWC layout (filter KH x KW x I/g x O).
// CHECK-LABEL: func.func @conv_nhwc
func.func @conv_nhwc(%x: tensor<1x8x8x4xf32>, %w: tensor<3x3x4x6xf32>) -> tensor<1x6x6x6xf32> {
  // CHECK: kiln.conv %{{.*}}, %{{.*}} {{{.*}}layout = #kiln.layout<input = "NHWC", filter = "HWIO">{{.*}}} : (tensor<1x8x8x4xf32>, tensor<3x3x4x6xf32>) -> tensor<1x6x6x6xf32>
  %0 = kiln.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64, layout = #kiln.layout<input = "NHWC", filter = "HWIO">} : (tensor<1x8x8x4xf32>, tensor<3x3x4x6xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

// CHECK-LABEL: func.func @pooling
func.func @pooling(%x: tensor<1x3x8x8xf32>) -> (tensor<1x3x4x4xf32>, tensor<1x3x8x8xf32>) {
  // CHECK: kiln.max_pool %{{.*}} {dilations = array<i64: 1, 1>, kernel = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32>
  %0 = kiln.max_pool %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32>
  // CHECK: kiln.avg_pool %{{.*}} {count_include_pad = true, dilations = array<i64: 1, 1>, kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32>
  %1 = kiln.avg_pool %x {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, count_include_pad = true} : (tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32>
  return %0, %1 : tensor<1x3x4x4xf32>, tensor<1x3x8x8xf32>
}

// -----

// CHECK-LABEL: func.func @reductions
func.func @reductions(%x: tensor<2x3x4xf32>) -> (tensor<2x1x1xf32>, tensor<3xf32>, tensor<2x3xf32>) {
  // CHECK: kiln.reduce_sum %{{.*}} {axes = array<i64: 1, 2>, keepdims = true} : (tensor<2x3x4xf32>) -> tensor<2x1x1xf32>
  %0 = kiln.reduce_sum %x {axes = array<i64: 1, 2>, keepdims = true} : (tensor<2x3x4xf32>) -> tensor<2x1x1xf32>
  // CHECK: kiln.reduce_mean %{{.*}} {axes = array<i64: 0, 2>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<3xf32>
  %1 = kiln.reduce_mean %x {axes = array<i64: 0, 2>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<3xf32>
  // CHECK: kiln.reduce_max %{{.*}} {axes = array<i64: 2>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<2x3xf32>
  %2 = kiln.reduce_max %x {axes = array<i64: 2>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<2x3xf32>
  return %0, %1, %2 : tensor<2x1x1xf32>, tensor<3xf32>, tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @normalizations
func.func @normalizations(%x: tensor<1x3x4x4xf32>, %p: tensor<3xf32>, %y: tensor<2x5x8xf32>, %g: tensor<8xf32>) -> (tensor<1x3x4x4xf32>, tensor<2x5x8xf32>, tensor<2x5x8xf32>) {
  // CHECK: kiln.softmax %{{.*}} {axis = 2 : i64} : (tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %0 = kiln.softmax %y {axis = 2 : i64} : (tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  // CHECK: kiln.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-05 : f64} : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  %1 = kiln.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-5 : f64} : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  // CHECK: kiln.layer_norm %{{.*}}, %{{.*}}, %{{.*}} {axis = 2 : i64, epsilon = 1.000000e-05 : f64} : (tensor<2x5x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x5x8xf32>
  %2 = kiln.layer_norm %y, %g, %g {axis = 2 : i64, epsilon = 1.0e-5 : f64} : (tensor<2x5x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x5x8xf32>
  return %1, %0, %2 : tensor<1x3x4x4xf32>, tensor<2x5x8xf32>, tensor<2x5x8xf32>
}

// -----

// CHECK-LABEL: func.func @shapes
func.func @shapes(%x: tensor<2x3x4xf32>, %i: tensor<5xi64>) -> (tensor<6x4xf32>, tensor<4x2x3xf32>, tensor<2x6x4xf32>, tensor<1x2x2xf32>, tensor<2x5x4xf32>, tensor<4x5x4xf32>) {
  // CHECK: kiln.reshape %{{.*}} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  %0 = kiln.reshape %x : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  // CHECK: kiln.transpose %{{.*}} {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  %1 = kiln.transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  // CHECK: kiln.concat %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x6x4xf32>
  %2 = kiln.concat %x, %x {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x6x4xf32>
  // CHECK: kiln.slice %{{.*}} {offsets = array<i64: 1, 0, 1>, sizes = array<i64: 1, 2, 2>, strides = array<i64: 1, 2, 2>} : (tensor<2x3x4xf32>) -> tensor<1x2x2xf32>
  %3 = kiln.slice %x {offsets = array<i64: 1, 0, 1>, sizes = array<i64: 1, 2, 2>, strides = array<i64: 1, 2, 2>} : (tensor<2x3x4xf32>) -> tensor<1x2x2xf32>
  // CHECK: kiln.gather %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<5xi64>) -> tensor<2x5x4xf32>
  %4 = kiln.gather %x, %i {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<5xi64>) -> tensor<2x5x4xf32>
  // CHECK: kiln.pad %{{.*}} {pads = array<i64: 1, 1, 0, 1, 1, 0>, value = 0.000000e+00 : f64} : (tensor<2x3x4xf32>) -> tensor<4x5x4xf32>
  %5 = kiln.pad %x {pads = array<i64: 1, 1, 0, 1, 1, 0>, value = 0.0 : f64} : (tensor<2x3x4xf32>) -> tensor<4x5x4xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<6x4xf32>, tensor<4x2x3xf32>, tensor<2x6x4xf32>, tensor<1x2x2xf32>, tensor<2x5x4xf32>, tensor<4x5x4xf32>
}

// -----

// CHECK-LABEL: func.func @run_time_shapes
func.func @run_time_shapes(%x: tensor<?x128x256xf32>, %e: tensor<1xi64>, %n: tensor<i64>) -> (tensor<?x?x256xf32>, tensor<?xi64>) {
  %s = kiln.constant dense<[0]> : tensor<1xi64>
  // CHECK: kiln.dynamic_slice %{{.*}}, %{{.*}}, %{{.*}} {axes = array<i64: 1>, steps = array<i64: 2>} : (tensor<?x128x256xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x?x256xf32>
  %0 = kiln.dynamic_slice %x, %s, %e {axes = array<i64: 1>, steps = array<i64: 2>} : (tensor<?x128x256xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x?x256xf32>
  // A negative step on a static dim with constant bounds: rows 5, 3, 1.
  %s5 = kiln.constant dense<[5]> : tensor<1xi64>
  %e0 = kiln.constant dense<[0]> : tensor<1xi64>
  // CHECK: kiln.dynamic_slice {{.*}} {axes = array<i64: 1>, steps = array<i64: -2>} : (tensor<?x128x256xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x3x256xf32>
  %r = kiln.dynamic_slice %x, %s5, %e0 {axes = array<i64: 1>, steps = array<i64: -2>} : (tensor<?x128x256xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x3x256xf32>
  %zero = kiln.constant dense<0> : tensor<i64>
  %one = kiln.constant dense<1> : tensor<i64>
  // CHECK: kiln.range %{{.*}}, %{{.*}}, %{{.*}} : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %1 = kiln.range %zero, %n, %one : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  return %0, %1 : tensor<?x?x256xf32>, tensor<?xi64>
}
