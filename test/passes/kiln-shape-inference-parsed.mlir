// RUN: %kiln-opt %s --kiln-shape-inference | FileCheck %s

// The example of passes/Passes.td: a written result type less static than
// the inferred one verifies, and the pass refines it.

// CHECK-LABEL: func.func @documented_example
// CHECK-SAME: -> tensor<2x3xf32>
func.func @documented_example(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<?x3xf32> {
  // CHECK: kiln.add %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %0 = kiln.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}
