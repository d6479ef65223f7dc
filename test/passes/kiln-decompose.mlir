// RUN: %kiln-opt %s --split-input-file --kiln-decompose | FileCheck %s

// batch_norm on constant parameters: a = scale / sqrt(var + eps) and
// b = bias - mean * a fold to constants shaped C x 1 x 1 for NCHW.
// Here a = [1, 1] and b = [0.5, -1.5].
// CHECK-LABEL: func.func @batch_norm_nchw
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x4x4xf32>)
func.func @batch_norm_nchw(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  // CHECK-DAG: %[[A:.*]] = kiln.constant dense<1.000000e+00> : tensor<2x1x1xf32>
  // CHECK-DAG: %[[B:.*]] = kiln.constant dense<{{\[\[\[}}5.000000e-01]], {{\[\[}}-1.500000e+00]]]> : tensor<2x1x1xf32>
  // CHECK: %[[M:.*]] = kiln.mul %[[X]], %[[A]] : (tensor<1x2x4x4xf32>, tensor<2x1x1xf32>) -> tensor<1x2x4x4xf32>
  // CHECK: %[[R:.*]] = kiln.add %[[M]], %[[B]] : (tensor<1x2x4x4xf32>, tensor<2x1x1xf32>) -> tensor<1x2x4x4xf32>
  // CHECK: return %[[R]]
  // CHECK-NOT: kiln.batch_norm
  %s = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %b = kiln.constant dense<[0.5, -0.5]> : tensor<2xf32>
  %m = kiln.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %v = kiln.constant dense<[1.0, 4.0]> : tensor<2xf32>
  %0 = kiln.batch_norm %x, %s, %b, %m, %v {epsilon = 0.0 : f64} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

// NHWC: the channel dim is last, so the 1-D coefficients broadcast as is.
// CHECK-LABEL: func.func @batch_norm_nhwc
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x4x2xf32>)
func.func @batch_norm_nhwc(%x: tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32> {
  // CHECK-DAG: %[[A:.*]] = kiln.constant dense<[1.000000e+00, 1.41421354]> : tensor<2xf32>
  // CHECK-DAG: %[[B:.*]] = kiln.constant dense<[0.000000e+00, -0.828427076]> : tensor<2xf32>
  // CHECK: %[[M:.*]] = kiln.mul %[[X]], %[[A]] : (tensor<1x4x4x2xf32>, tensor<2xf32>)
  // CHECK: kiln.add %[[M]], %[[B]] : (tensor<1x4x4x2xf32>, tensor<2xf32>)
  %s = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %0 = kiln.batch_norm %x, %s, %s, %s, %s {epsilon = 0.0 : f64, layout = #kiln.layout<input = "NHWC">} : (tensor<1x4x4x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x4x4x2xf32>
  return %0 : tensor<1x4x4x2xf32>
}

// -----

// Parameters that are not constant stay as kiln ops.
// CHECK-LABEL: func.func @batch_norm_dynamic_params
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x4x4xf32>, %[[P:.*]]: tensor<2xf32>)
func.func @batch_norm_dynamic_params(%x: tensor<1x2x4x4xf32>, %p: tensor<2xf32>) -> tensor<1x2x4x4xf32> {
  // CHECK: kiln.sqrt
  // CHECK: kiln.div %[[P]]
  // CHECK: kiln.reshape {{.*}} -> tensor<2x1x1xf32>
  // CHECK: kiln.mul %[[X]]
  // CHECK: kiln.add
  // CHECK-NOT: kiln.batch_norm
  %0 = kiln.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-5 : f64} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

// softmax subtracts the row maximum before exp (numerically stable).
// CHECK-LABEL: func.func @softmax
// CHECK-SAME: (%[[X:.*]]: tensor<2x8xf32>)
func.func @softmax(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // CHECK: %[[MAX:.*]] = kiln.reduce_max %[[X]] {axes = array<i64: 1>, keepdims = true} : (tensor<2x8xf32>) -> tensor<2x1xf32>
  // CHECK: %[[D:.*]] = kiln.sub %[[X]], %[[MAX]]
  // CHECK: %[[E:.*]] = kiln.exp %[[D]]
  // CHECK: %[[S:.*]] = kiln.reduce_sum %[[E]] {axes = array<i64: 1>, keepdims = true}
  // CHECK: %[[R:.*]] = kiln.div %[[E]], %[[S]] : (tensor<2x8xf32>, tensor<2x1xf32>) -> tensor<2x8xf32>
  // CHECK: return %[[R]]
  // CHECK-NOT: kiln.softmax
  %0 = kiln.softmax %x {axis = 1 : i64} : (tensor<2x8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// CHECK-LABEL: func.func @softmax_inner_axis
func.func @softmax_inner_axis(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  // CHECK: kiln.reduce_max %{{.*}} {axes = array<i64: 0>, keepdims = true} : (tensor<2x3x4xf32>) -> tensor<1x3x4xf32>
  // CHECK: kiln.reduce_sum %{{.*}} {axes = array<i64: 0>, keepdims = true} : (tensor<2x3x4xf32>) -> tensor<1x3x4xf32>
  %0 = kiln.softmax %x {axis = 0 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// layer_norm over the dims from `axis` on: mean, centred variance, eps,
// 1/sqrt, then scale and bias.
// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x8xf32>, %[[G:.*]]: tensor<3x8xf32>, %[[B:.*]]: tensor<8xf32>)
func.func @layer_norm(%x: tensor<2x3x8xf32>, %g: tensor<3x8xf32>, %b: tensor<8xf32>) -> tensor<2x3x8xf32> {
  // CHECK-DAG: %[[EPS:.*]] = kiln.constant dense<9.99999974E-6> : tensor<f32>
  // CHECK-DAG: %[[MEAN:.*]] = kiln.reduce_mean %[[X]] {axes = array<i64: 1, 2>, keepdims = true} : (tensor<2x3x8xf32>) -> tensor<2x1x1xf32>
  // CHECK: %[[D:.*]] = kiln.sub %[[X]], %[[MEAN]]
  // CHECK: %[[SQ:.*]] = kiln.mul %[[D]], %[[D]]
  // CHECK: %[[VAR:.*]] = kiln.reduce_mean %[[SQ]] {axes = array<i64: 1, 2>, keepdims = true}
  // CHECK: %[[VE:.*]] = kiln.add %[[VAR]], %[[EPS]]
  // CHECK: %[[STD:.*]] = kiln.sqrt %[[VE]]
  // CHECK: %[[INV:.*]] = kiln.reciprocal %[[STD]]
  // CHECK: %[[N:.*]] = kiln.mul %[[D]], %[[INV]]
  // CHECK: %[[S:.*]] = kiln.mul %[[N]], %[[G]]
  // CHECK: %[[R:.*]] = kiln.add %[[S]], %[[B]] : (tensor<2x3x8xf32>, tensor<8xf32>) -> tensor<2x3x8xf32>
  // CHECK: return %[[R]]
  %0 = kiln.layer_norm %x, %g, %b {axis = 1 : i64, epsilon = 1.0e-5 : f64} : (tensor<2x3x8xf32>, tensor<3x8xf32>, tensor<8xf32>) -> tensor<2x3x8xf32>
  return %0 : tensor<2x3x8xf32>
}

// -----

// Ops that are already primitive are left alone.
// CHECK-LABEL: func.func @untouched
func.func @untouched(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // CHECK-NEXT: kiln.relu
  // CHECK-NEXT: return
  %0 = kiln.relu %x : (tensor<2x8xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}
