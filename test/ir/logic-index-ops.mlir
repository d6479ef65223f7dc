// RUN: %kiln-opt %s --split-input-file | FileCheck %s
// RUN: %kiln-opt %s --split-input-file --mlir-print-op-generic | %kiln-opt --split-input-file | FileCheck %s
// RUN: %kiln-opt %s --split-input-file --kiln-fold-constants | FileCheck %s --check-prefix=FOLD

// Comparisons and logic give i1 tensors with numpy broadcasting; select
// broadcasts all three operands; arg_max, gather_nd and top_k compute
// positions (i64).

// CHECK-LABEL: func.func @compare_logic
func.func @compare_logic(%a: tensor<?x3xf32>, %b: tensor<3xf32>, %m: tensor<1x3xi1>)
    -> (tensor<?x3xi1>, tensor<?x3xi1>, tensor<?x3xf32>) {
  // CHECK: kiln.less %{{.*}}, %{{.*}} : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xi1>
  %0 = kiln.less %a, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xi1>
  // CHECK: kiln.and %{{.*}}, %{{.*}} : (tensor<?x3xi1>, tensor<1x3xi1>) -> tensor<?x3xi1>
  %1 = kiln.and %0, %m : (tensor<?x3xi1>, tensor<1x3xi1>) -> tensor<?x3xi1>
  // CHECK: kiln.not %{{.*}} : (tensor<?x3xi1>) -> tensor<?x3xi1>
  %2 = kiln.not %1 : (tensor<?x3xi1>) -> tensor<?x3xi1>
  // CHECK: kiln.select %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x3xi1>, tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %3 = kiln.select %2, %a, %b : (tensor<?x3xi1>, tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %0, %2, %3 : tensor<?x3xi1>, tensor<?x3xi1>, tensor<?x3xf32>
}

// -----

// CHECK-LABEL: func.func @positions
func.func @positions(%x: tensor<2x5xf32>, %i: tensor<4x2xi32>)
    -> (tensor<2x1xi64>, tensor<4xf32>, tensor<2x3xf32>, tensor<2x3xi64>) {
  // CHECK: kiln.arg_max %{{.*}} {axis = 1 : i64, keepdims = true, select_last_index = true}
  %0 = kiln.arg_max %x {axis = 1 : i64, keepdims = true, select_last_index = true} : (tensor<2x5xf32>) -> tensor<2x1xi64>
  // CHECK: kiln.gather_nd %{{.*}}, %{{.*}} : (tensor<2x5xf32>, tensor<4x2xi32>) -> tensor<4xf32>
  %1 = kiln.gather_nd %x, %i : (tensor<2x5xf32>, tensor<4x2xi32>) -> tensor<4xf32>
  // CHECK: kiln.top_k %{{.*}} {axis = 1 : i64, k = 3 : i64, largest = false}
  %2:2 = kiln.top_k %x {k = 3 : i64, axis = 1 : i64, largest = false} : (tensor<2x5xf32>) -> (tensor<2x3xf32>, tensor<2x3xi64>)
  return %0, %1, %2#0, %2#1 : tensor<2x1xi64>, tensor<4xf32>, tensor<2x3xf32>, tensor<2x3xi64>
}

// -----

// Constant operands fold (shape arithmetic of exported graphs uses them).
// FOLD-LABEL: func.func @folds
func.func @folds() -> (tensor<3xi1>, tensor<3xi64>, tensor<3xi64>, tensor<3xf32>) {
  %a = kiln.constant dense<[1, -7, 7]> : tensor<3xi64>
  %b = kiln.constant dense<[2, 2, -2]> : tensor<3xi64>
  // FOLD-DAG: kiln.constant dense<[false, false, true]> : tensor<3xi1>
  %0 = kiln.greater %a, %b : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi1>
  // Rounded towards -inf, remainder with the divisor's sign.
  // FOLD-DAG: kiln.constant dense<[0, -4, -4]> : tensor<3xi64>
  %1 = kiln.floor_div %a, %b : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  // FOLD-DAG: kiln.constant dense<[1, 1, -1]> : tensor<3xi64>
  %2 = kiln.floor_mod %a, %b : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  %x = kiln.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %y = kiln.constant dense<[-1.0, -2.0, -3.0]> : tensor<3xf32>
  // FOLD-DAG: kiln.constant dense<[-1.000000e+00, 2.000000e+00, -3.000000e+00]> : tensor<3xf32>
  %c = kiln.constant dense<[false, true, false]> : tensor<3xi1>
  %3 = kiln.select %c, %x, %y : (tensor<3xi1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  // FOLD-NOT: kiln.greater
  // FOLD-NOT: kiln.select
  return %0, %1, %2, %3 : tensor<3xi1>, tensor<3xi64>, tensor<3xi64>, tensor<3xf32>
}
