// RUN: %kiln-opt %s --kiln-convert-to-linalg | FileCheck %s

// kiln.while becomes scf.while over the same tensors: the cond region's
// tensor<i1> is read into scf.condition, the body yields the next values,
// cast back to the variables' types where the body knows more.

// CHECK-LABEL: func.func @counted
// CHECK: %[[R:.*]]:2 = scf.while (%[[I:.*]] = %{{.*}}, %[[V:.*]] = %{{.*}}) : (tensor<i32>, tensor<?x4xf32>) -> (tensor<i32>, tensor<?x4xf32>)
// CHECK: %[[LT:.*]] = linalg.generic
// CHECK: arith.cmpi slt
// CHECK: %[[FLAG:.*]] = tensor.extract %[[LT]][] : tensor<i1>
// CHECK: scf.condition(%[[FLAG]]) %[[I]], %[[V]] : tensor<i32>, tensor<?x4xf32>
// CHECK: } do {
// CHECK: ^bb0(%{{.*}}: tensor<i32>, %{{.*}}: tensor<?x4xf32>):
// CHECK: %[[CAST:.*]] = tensor.cast %{{.*}} : tensor<3x4xf32> to tensor<?x4xf32>
// CHECK: scf.yield %{{.*}}, %[[CAST]] : tensor<i32>, tensor<?x4xf32>
// CHECK-NOT: kiln.
func.func @counted(%x: tensor<?x4xf32>, %step: tensor<3x4xf32>) -> tensor<?x4xf32> {
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
    %v1 = kiln.mul %v, %step : (tensor<?x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
    kiln.yield %i1, %v1 : tensor<i32>, tensor<3x4xf32>
  }
  return %r#1 : tensor<?x4xf32>
}
