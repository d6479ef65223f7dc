// RUN: %kiln-opt %s --split-input-file | FileCheck %s
// RUN: %kiln-opt %s --split-input-file --mlir-print-op-generic | %kiln-opt --split-input-file | FileCheck %s
// RUN: %kiln-opt %s --split-input-file --kiln-shape-inference --kiln-fold-constants | FileCheck %s --check-prefix=PASSES

// kiln.while: a counter and a tensor as loop variables, a loop-invariant
// value read from above; the graph passes work inside the regions and keep
// the loop.

// CHECK-LABEL: func.func @counted
// CHECK: %[[R:.*]]:2 = kiln.while %{{.*}}, %{{.*}} : (tensor<i32>, tensor<?x4xf32>) -> (tensor<i32>, tensor<?x4xf32>) cond {
// CHECK: ^bb0(%[[I:.*]]: tensor<i32>, %{{.*}}: tensor<?x4xf32>):
// CHECK: %[[C:.*]] = kiln.less %[[I]], %{{.*}}
// CHECK: kiln.yield %[[C]] : tensor<i1>
// CHECK: } body {
// CHECK: kiln.yield %{{.*}}, %{{.*}} : tensor<i32>, tensor<?x4xf32>
// PASSES-LABEL: func.func @counted
// PASSES: kiln.while
// PASSES: kiln.add %{{.*}}, %{{.*}} : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
func.func @counted(%x: tensor<?x4xf32>, %step: tensor<4xf32>) -> tensor<?x4xf32> {
  %zero = kiln.constant dense<0> : tensor<i32>
  %one = kiln.constant dense<1> : tensor<i32>
  %n = kiln.constant dense<5> : tensor<i32>
  %r:2 = kiln.while %zero, %x : (tensor<i32>, tensor<?x4xf32>) -> (tensor<i32>, tensor<?x4xf32>) cond {
  ^bb0(%i: tensor<i32>, %v: tensor<?x4xf32>):
    %c = kiln.less %i, %n : (tensor<i32>, tensor<i32>) -> tensor<i1>
    kiln.yield %c : tensor<i1>
  } body {
  ^bb0(%i: tensor<i32>, %v: tensor<?x4xf32>):
    %i1 = kiln.add %i, %one : (tensor<i32>, tensor<i32>) -> tensor<i32>
    %v1 = kiln.add %v, %step : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
    kiln.yield %i1, %v1 : tensor<i32>, tensor<?x4xf32>
  }
  return %r#1 : tensor<?x4xf32>
}
