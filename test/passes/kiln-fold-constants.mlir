// RUN: %kiln-opt %s --split-input-file --kiln-fold-constants | FileCheck %s

// CHECK-LABEL: func.func @unary
func.func @unary() -> tensor<2xf32> {
  // CHECK-NEXT: %[[C:.*]] = kiln.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
  // CHECK-NEXT: return %[[C]]
  %c = kiln.constant dense<[1.0, 4.0]> : tensor<2xf32>
  %0 = kiln.sqrt %c : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// A chain of unary ops folds to one constant; the intermediates are removed.
// CHECK-LABEL: func.func @unary_chain
func.func @unary_chain() -> tensor<3xf32> {
  // CHECK-NEXT: %[[C:.*]] = kiln.constant dense<[1.000000e+00, 1.000000e+00, 0.135335281]> : tensor<3xf32>
  // CHECK-NEXT: return %[[C]]
  %a = kiln.constant dense<[-1.0, 0.0, 2.0]> : tensor<3xf32>
  %0 = kiln.relu %a : (tensor<3xf32>) -> tensor<3xf32>
  %1 = kiln.neg %0 : (tensor<3xf32>) -> tensor<3xf32>
  %2 = kiln.exp %1 : (tensor<3xf32>) -> tensor<3xf32>
  return %2 : tensor<3xf32>
}

// -----

// Binary folders broadcast like the ops.
// CHECK-LABEL: func.func @binary_broadcast
func.func @binary_broadcast() -> tensor<2x2xf32> {
  // CHECK-NEXT: %[[C:.*]] = kiln.constant dense<{{\[\[}}1.100000e+02, 4.400000e+02], [1.300000e+02, 4.800000e+02]]> : tensor<2x2xf32>
  // CHECK-NEXT: return %[[C]]
  %a = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %b = kiln.constant dense<[10.0, 20.0]> : tensor<2xf32>
  %0 = kiln.add %a, %b : (tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  %1 = kiln.mul %0, %b : (tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  return %1 : tensor<2x2xf32>
}

// -----

// CHECK-LABEL: func.func @integer_div
func.func @integer_div() -> tensor<2xi64> {
  // CHECK-NEXT: kiln.constant dense<[3, -3]> : tensor<2xi64>
  %a = kiln.constant dense<[7, -7]> : tensor<2xi64>
  %b = kiln.constant dense<[2]> : tensor<1xi64>
  %0 = kiln.div %a, %b : (tensor<2xi64>, tensor<1xi64>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// An operand that is not constant stops folding; the constant stays.
// CHECK-LABEL: func.func @not_constant
// CHECK-SAME: (%[[X:.*]]: tensor<2xf32>)
func.func @not_constant(%x: tensor<2xf32>) -> tensor<2xf32> {
  // CHECK: %[[C:.*]] = kiln.constant dense<[1.000000e+00, 4.000000e+00]>
  // CHECK: %[[R:.*]] = kiln.add %[[X]], %[[C]]
  // CHECK: return %[[R]]
  %c = kiln.constant dense<[1.0, 4.0]> : tensor<2xf32>
  %0 = kiln.add %x, %c : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Dead constants are removed.
// CHECK-LABEL: func.func @dead_constant
func.func @dead_constant() -> tensor<2xf32> {
  // CHECK-NOT: 7.000000e+00
  // CHECK: kiln.constant dense<[1.000000e+00, 4.000000e+00]>
  // CHECK-NOT: kiln.constant
  %c = kiln.constant dense<[1.0, 4.0]> : tensor<2xf32>
  %d = kiln.constant dense<[7.0, 8.0]> : tensor<2xf32>
  return %c : tensor<2xf32>
}

// -----

// CHECK-LABEL: func.func @cast_truncates
func.func @cast_truncates() -> tensor<3xi64> {
  // CHECK-NEXT: kiln.constant dense<[1, -2, 3]> : tensor<3xi64>
  %a = kiln.constant dense<[1.5, -2.7, 3.0]> : tensor<3xf32>
  %0 = kiln.cast %a : (tensor<3xf32>) -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

// CHECK-LABEL: func.func @cast_same_type
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>)
func.func @cast_same_type(%x: tensor<3xf32>) -> tensor<3xf32> {
  // CHECK-NEXT: return %[[X]]
  %0 = kiln.cast %x : (tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @transpose_constant
func.func @transpose_constant() -> tensor<3x2xf32> {
  // CHECK-NEXT: kiln.constant dense<{{\[\[}}1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
  %a = kiln.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %0 = kiln.transpose %a {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// CHECK-LABEL: func.func @transpose_identity
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
func.func @transpose_identity(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // CHECK-NEXT: return %[[X]]
  %0 = kiln.transpose %x {perm = array<i64: 0, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Weights are dense_resource blobs; the folders read them too (this is how
// Gemm's transB on a weight disappears at import).
// CHECK-LABEL: func.func @resource_transpose
func.func @resource_transpose() -> tensor<2x2xf32> {
  // CHECK-NEXT: kiln.constant dense<{{\[\[}}1.000000e+00, 3.000000e+00], [2.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
  // CHECK-NOT: kiln.transpose
  %a = kiln.constant dense_resource<w> : tensor<2x2xf32>
  %0 = kiln.transpose %a {perm = array<i64: 1, 0>} : (tensor<2x2xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}
{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000803F000000400000404000008040"
    }
  }
#-}

// -----

// CHECK-LABEL: func.func @reshape_resource
func.func @reshape_resource() -> tensor<4xf32> {
  // CHECK-NEXT: kiln.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
  %a = kiln.constant dense_resource<w> : tensor<2x2xf32>
  %0 = kiln.reshape %a : (tensor<2x2xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000803F000000400000404000008040"
    }
  }
#-}

// -----

// Two reshapes in a row become one.
// CHECK-LABEL: func.func @reshape_chain
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
func.func @reshape_chain(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // CHECK-NEXT: %[[R:.*]] = kiln.reshape %[[X]] : (tensor<2x3xf32>) -> tensor<3x2xf32>
  // CHECK-NEXT: return %[[R]]
  %0 = kiln.reshape %x : (tensor<2x3xf32>) -> tensor<6xf32>
  %1 = kiln.reshape %0 : (tensor<6xf32>) -> tensor<3x2xf32>
  return %1 : tensor<3x2xf32>
}

// -----

// The Shape -> Gather -> Concat -> Slice chains of traced exports.
// CHECK-LABEL: func.func @shape_chain
func.func @shape_chain() -> tensor<3xi64> {
  // CHECK-NEXT: %[[C:.*]] = kiln.constant dense<[3, 224, 224]> : tensor<3xi64>
  // CHECK-NEXT: return %[[C]]
  %s = kiln.constant dense<[1, 3, 224, 224]> : tensor<4xi64>
  %i = kiln.constant dense<[-1]> : tensor<1xi64>
  %0 = kiln.gather %s, %i {axis = 0 : i64} : (tensor<4xi64>, tensor<1xi64>) -> tensor<1xi64>
  %1 = kiln.concat %s, %0 {axis = 0 : i64} : (tensor<4xi64>, tensor<1xi64>) -> tensor<5xi64>
  %2 = kiln.slice %1 {offsets = array<i64: 1>, sizes = array<i64: 2>, strides = array<i64: 2>} : (tensor<5xi64>) -> tensor<2xi64>
  %3 = kiln.concat %2, %0 {axis = 0 : i64} : (tensor<2xi64>, tensor<1xi64>) -> tensor<3xi64>
  return %3 : tensor<3xi64>
}

// A range of constants folds; a negative count is an empty range.
// CHECK-LABEL: func.func @range_folds
func.func @range_folds() -> (tensor<4xf32>, tensor<0xi64>) {
  // CHECK-DAG: kiln.constant dense<[5.000000e-01, 1.250000e+00, 2.000000e+00, 2.750000e+00]> : tensor<4xf32>
  // CHECK-DAG: kiln.constant dense<> : tensor<0xi64>
  // CHECK-NOT: kiln.range
  %a = kiln.constant dense<0.5> : tensor<f32>
  %b = kiln.constant dense<3.0> : tensor<f32>
  %d = kiln.constant dense<0.75> : tensor<f32>
  %0 = kiln.range %a, %b, %d : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<4xf32>
  %x = kiln.constant dense<5> : tensor<i64>
  %y = kiln.constant dense<1> : tensor<i64>
  %1 = kiln.range %x, %y, %y : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<0xi64>
  return %0, %1 : tensor<4xf32>, tensor<0xi64>
}
