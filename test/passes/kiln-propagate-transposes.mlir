// RUN: %kiln-opt %s --split-input-file --kiln-propagate-transposes --kiln-fold-constants | FileCheck %s

// An NHWC bias + relu between two NCHW transposes: the transposes meet and
// vanish; the bias constant is rearranged to NCHW.
// CHECK-LABEL: func.func @cancel_through_elementwise
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x2x2xf32>)
func.func @cancel_through_elementwise(%x: tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32> {
  // CHECK-NOT: kiln.transpose
  // CHECK: %[[B:.*]] = kiln.constant dense<{{.*}}> : tensor<1x4x1x1xf32>
  // CHECK: %[[A:.*]] = kiln.add %[[X]], %[[B]] : (tensor<1x4x2x2xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x2x2xf32>
  // CHECK: %[[R:.*]] = kiln.relu %[[A]]
  // CHECK-NOT: kiln.transpose
  // CHECK: return %[[R]]
  %b = kiln.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %t = kiln.transpose %x {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x4x2x2xf32>) -> tensor<1x2x2x4xf32>
  %a = kiln.add %t, %b : (tensor<1x2x2x4xf32>, tensor<4xf32>) -> tensor<1x2x2x4xf32>
  %r = kiln.relu %a : (tensor<1x2x2x4xf32>) -> tensor<1x2x2x4xf32>
  %u = kiln.transpose %r {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x2x2x4xf32>) -> tensor<1x4x2x2xf32>
  return %u : tensor<1x4x2x2xf32>
}

// -----

// A residual add of two branches transposed alike, a pad and a concat: the
// one transpose left is at the end.
// CHECK-LABEL: func.func @residual_pad_concat
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x2x2xf32>, %[[Y:.*]]: tensor<1x4x2x2xf32>)
func.func @residual_pad_concat(%x: tensor<1x4x2x2xf32>, %y: tensor<1x4x2x2xf32>) -> tensor<1x3x3x8xf32> {
  // CHECK: %[[S:.*]] = kiln.add %[[X]], %[[Y]] : (tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>)
  // CHECK: %[[P:.*]] = kiln.pad %[[S]] {pads = array<i64: 0, 0, 1, 0, 0, 0, 0, 1>, {{.*}}} : (tensor<1x4x2x2xf32>) -> tensor<1x4x3x3xf32>
  // CHECK: %[[C:.*]] = kiln.concat %[[P]], %[[P]] {axis = 1 : i64} : (tensor<1x4x3x3xf32>, tensor<1x4x3x3xf32>) -> tensor<1x8x3x3xf32>
  // CHECK: %[[T:.*]] = kiln.transpose %[[C]] {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x8x3x3xf32>) -> tensor<1x3x3x8xf32>
  // CHECK: return %[[T]]
  %tx = kiln.transpose %x {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x4x2x2xf32>) -> tensor<1x2x2x4xf32>
  %ty = kiln.transpose %y {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x4x2x2xf32>) -> tensor<1x2x2x4xf32>
  %s = kiln.add %tx, %ty : (tensor<1x2x2x4xf32>, tensor<1x2x2x4xf32>) -> tensor<1x2x2x4xf32>
  %p = kiln.pad %s {pads = array<i64: 0, 1, 0, 0, 0, 0, 1, 0>, value = 0.0 : f64} : (tensor<1x2x2x4xf32>) -> tensor<1x3x3x4xf32>
  %c = kiln.concat %p, %p {axis = 3 : i64} : (tensor<1x3x3x4xf32>, tensor<1x3x3x4xf32>) -> tensor<1x3x3x8xf32>
  return %c : tensor<1x3x3x8xf32>
}

// -----

// Reductions: over the transposed H, W (keepdims false) no transpose is
// left; a reduction whose remaining dims come out in another order gets
// the transpose that restores it.
// CHECK-LABEL: func.func @reductions
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4x5xf32>)
func.func @reductions(%x: tensor<2x3x4x5xf32>) -> (tensor<2x3xf32>, tensor<5x3xf32>) {
  // CHECK-DAG: %[[M:.*]] = kiln.reduce_mean %[[X]] {axes = array<i64: 2, 3>, keepdims = false} : (tensor<2x3x4x5xf32>) -> tensor<2x3xf32>
  // CHECK-DAG: %[[S:.*]] = kiln.reduce_sum %[[X]] {axes = array<i64: 0, 2>, keepdims = false} : (tensor<2x3x4x5xf32>) -> tensor<3x5xf32>
  // CHECK-DAG: %[[T:.*]] = kiln.transpose %[[S]] {perm = array<i64: 1, 0>} : (tensor<3x5xf32>) -> tensor<5x3xf32>
  // CHECK: return %[[M]], %[[T]]
  %t = kiln.transpose %x {perm = array<i64: 0, 2, 3, 1>} : (tensor<2x3x4x5xf32>) -> tensor<2x4x5x3xf32>
  %m = kiln.reduce_mean %t {axes = array<i64: 1, 2>, keepdims = false} : (tensor<2x4x5x3xf32>) -> tensor<2x3xf32>
  %s = kiln.reduce_sum %t {axes = array<i64: 0, 1>, keepdims = false} : (tensor<2x4x5x3xf32>) -> tensor<5x3xf32>
  return %m, %s : tensor<2x3xf32>, tensor<5x3xf32>
}

// -----

// A transpose feeding an op the pass does not move (a matmul) stays.
// CHECK-LABEL: func.func @matmul_keeps_its_transpose
func.func @matmul_keeps_its_transpose(%x: tensor<3x2xf32>, %w: tensor<3x4xf32>) -> tensor<2x4xf32> {
  // CHECK: kiln.transpose
  // CHECK: kiln.matmul
  %t = kiln.transpose %x {perm = array<i64: 1, 0>} : (tensor<3x2xf32>) -> tensor<2x3xf32>
  %m = kiln.matmul %t, %w : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %m : tensor<2x4xf32>
}
