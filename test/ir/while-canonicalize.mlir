// RUN: %kiln-opt %s --split-input-file --canonicalize | FileCheck %s

// A loop variable the body yields unchanged (TF2's lowered While carries
// what its body reads from outside that way) becomes its initial value,
// read from above: the loop keeps only the variables that change.

// CHECK-LABEL: func.func @pass_through
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>, %[[K:.*]]: tensor<3xf32>)
// CHECK: %[[R:.*]]:2 = kiln.while %{{.*}}, %[[X]] : (tensor<i32>, tensor<3xf32>) -> (tensor<i32>, tensor<3xf32>) cond {
// CHECK: } body {
// CHECK: ^bb0(%{{.*}}: tensor<i32>, %[[V:.*]]: tensor<3xf32>):
// CHECK: kiln.mul %[[V]], %[[K]]
// CHECK: return %[[R]]#1, %[[K]] : tensor<3xf32>, tensor<3xf32>
func.func @pass_through(%x: tensor<3xf32>, %k: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  %zero = kiln.constant dense<0> : tensor<i32>
  %one = kiln.constant dense<1> : tensor<i32>
  %n = kiln.constant dense<4> : tensor<i32>
  %r:3 = kiln.while %zero, %k, %x : (tensor<i32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<i32>, tensor<3xf32>, tensor<3xf32>) cond {
  ^bb0(%i: tensor<i32>, %c: tensor<3xf32>, %v: tensor<3xf32>):
    %lt = kiln.less %i, %n : (tensor<i32>, tensor<i32>) -> tensor<i1>
    kiln.yield %lt : tensor<i1>
  } body {
  ^bb0(%i: tensor<i32>, %c: tensor<3xf32>, %v: tensor<3xf32>):
    %i1 = kiln.add %i, %one : (tensor<i32>, tensor<i32>) -> tensor<i32>
    %v1 = kiln.mul %v, %c : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    kiln.yield %i1, %c, %v1 : tensor<i32>, tensor<3xf32>, tensor<3xf32>
  }
  return %r#2, %r#1 : tensor<3xf32>, tensor<3xf32>
}

// -----

// A variable that changes type (enters static, loops dynamic) is kept even
// if passed through: its initial value is not of the variable's type.
// CHECK-LABEL: func.func @changes_type
// CHECK: kiln.while %{{.*}}, %{{.*}} : (tensor<i32>, tensor<3xf32>) -> (tensor<i32>, tensor<?xf32>)
func.func @changes_type(%x: tensor<3xf32>) -> tensor<?xf32> {
  %zero = kiln.constant dense<0> : tensor<i32>
  %one = kiln.constant dense<1> : tensor<i32>
  %n = kiln.constant dense<4> : tensor<i32>
  %r:2 = kiln.while %zero, %x : (tensor<i32>, tensor<3xf32>) -> (tensor<i32>, tensor<?xf32>) cond {
  ^bb0(%i: tensor<i32>, %v: tensor<?xf32>):
    %lt = kiln.less %i, %n : (tensor<i32>, tensor<i32>) -> tensor<i1>
    kiln.yield %lt : tensor<i1>
  } body {
  ^bb0(%i: tensor<i32>, %v: tensor<?xf32>):
    %i1 = kiln.add %i, %one : (tensor<i32>, tensor<i32>) -> tensor<i32>
    kiln.yield %i1, %v : tensor<i32>, tensor<?xf32>
  }
  return %r#1 : tensor<?xf32>
}
