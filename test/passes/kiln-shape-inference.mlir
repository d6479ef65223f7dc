// Result types here are less static than their operands imply, as a builder
// that skips inference would leave them. The parser's verifier rejects such
// IR (see kiln-shape-inference-parsed.mlir), so it is parsed unverified; the
// pass manager still verifies what the pass produces.
// RUN: %kiln-opt %s --split-input-file --mlir-very-unsafe-disable-verifier-on-parsing --kiln-shape-inference --verify-diagnostics | FileCheck %s

// CHECK-LABEL: func.func @broadcast
// CHECK-SAME: -> tensor<2x3xf32>
func.func @broadcast(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<?x3xf32> {
  // CHECK: kiln.add %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: return %{{.*}} : tensor<2x3xf32>
  %0 = kiln.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// Refined types flow forward through the following ops, and the function's
// result types follow the return.
// CHECK-LABEL: func.func @chain
// CHECK-SAME: -> tensor<4x2xf32>
func.func @chain(%a: tensor<2x3xf32>, %w: tensor<3x4xf32>) -> tensor<?x?xf32> {
  // CHECK: %[[M:.*]] = kiln.matmul {{.*}} -> tensor<2x4xf32>
  // CHECK: %[[R:.*]] = kiln.relu %[[M]] : (tensor<2x4xf32>) -> tensor<2x4xf32>
  // CHECK: %[[T:.*]] = kiln.transpose %[[R]] {perm = array<i64: 1, 0>} : (tensor<2x4xf32>) -> tensor<4x2xf32>
  // CHECK: return %[[T]] : tensor<4x2xf32>
  %0 = kiln.matmul %a, %w : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<?x?xf32>
  %1 = kiln.relu %0 : (tensor<?x?xf32>) -> tensor<?x?xf32>
  %2 = kiln.transpose %1 {perm = array<i64: 1, 0>} : (tensor<?x?xf32>) -> tensor<?x?xf32>
  return %2 : tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func.func @conv_pool_reduce
// CHECK-SAME: -> tensor<1x4xf32>
func.func @conv_pool_reduce(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<?x?xf32> {
  // CHECK: kiln.conv {{.*}} -> tensor<1x4x4x4xf32>
  // CHECK: kiln.max_pool {{.*}} -> tensor<1x4x2x2xf32>
  // CHECK: kiln.reduce_mean {{.*}} : (tensor<1x4x2x2xf32>) -> tensor<1x4xf32>
  %0 = kiln.conv %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x?x?x?xf32>
  %1 = kiln.max_pool %0 {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x?x?x?xf32>) -> tensor<?x?x?x?xf32>
  %2 = kiln.reduce_mean %1 {axes = array<i64: 2, 3>, keepdims = false} : (tensor<?x?x?x?xf32>) -> tensor<?x?xf32>
  return %2 : tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func.func @shape_ops
// CHECK-SAME: -> (tensor<2x7xf32>, tensor<1x2xf32>, tensor<4x5xf32>, tensor<2x3xf32>)
func.func @shape_ops(%x: tensor<2x3xf32>, %y: tensor<2x4xf32>, %i: tensor<3xi64>) -> (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>) {
  // CHECK: kiln.concat {{.*}} -> tensor<2x7xf32>
  // CHECK: kiln.slice {{.*}} -> tensor<1x2xf32>
  // CHECK: kiln.pad {{.*}} -> tensor<4x5xf32>
  // CHECK: kiln.gather {{.*}} -> tensor<2x3xf32>
  %0 = kiln.concat %x, %y {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<?x?xf32>
  %1 = kiln.slice %x {offsets = array<i64: 1, 0>, sizes = array<i64: 1, 2>, strides = array<i64: 1, 2>} : (tensor<2x3xf32>) -> tensor<?x?xf32>
  %2 = kiln.pad %x {pads = array<i64: 1, 1, 1, 1>, value = 0.0 : f64} : (tensor<2x3xf32>) -> tensor<?x?xf32>
  %3 = kiln.gather %x, %i {axis = 1 : i64} : (tensor<2x3xf32>, tensor<3xi64>) -> tensor<?x?xf32>
  return %0, %1, %2, %3 : tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>
}

// -----

// A genuinely dynamic dim stays dynamic.
// CHECK-LABEL: func.func @dynamic_stays
// CHECK-SAME: -> tensor<?x3xf32>
func.func @dynamic_stays(%a: tensor<?x3xf32>, %b: tensor<3xf32>) -> tensor<?x3xf32> {
  // CHECK: kiln.add {{.*}} : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %0 = kiln.add %a, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// An op whose inference fails makes the pass fail with the op's diagnostic.
func.func @broadcast_failure(%a: tensor<2x3xf32>, %b: tensor<4xf32>) -> tensor<?x?xf32> {
  // expected-error @+1 {{operand shapes 'tensor<2x3xf32>' and 'tensor<4xf32>' do not broadcast}}
  %0 = kiln.add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Inference only refines: a result dim the IR already knows is kept even
// where the operands leave it dynamic, and the signature keeps it too.
// CHECK-LABEL: func.func @refine_only
// CHECK-SAME: -> tensor<2x3xf32>
func.func @refine_only(%a: tensor<?x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  // CHECK: kiln.add {{.*}} : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %0 = kiln.add %a, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Each dim is refined on its own: the known batch stays, the unknown
// feature dim is inferred.
// CHECK-LABEL: func.func @refine_per_dim
// CHECK-SAME: -> tensor<2x3xf32>
func.func @refine_per_dim(%a: tensor<?x3xf32>, %b: tensor<3xf32>) -> tensor<2x?xf32> {
  // CHECK: kiln.add {{.*}} -> tensor<2x3xf32>
  %0 = kiln.add %a, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<2x?xf32>
  return %0 : tensor<2x?xf32>
}

// -----

// A static result dim that contradicts inference is an error, not rewritten.
func.func @contradiction(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{result type 'tensor<4x3xf32>' contradicts the inferred type 'tensor<2x3xf32>'}}
  %0 = kiln.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// Constant bounds make dynamic_slice and range static: a window counted
// from the start keeps its length on a dynamic dim (checked at run time);
// one that runs to the end follows the dim.
// CHECK-LABEL: func.func @run_time_shapes_refined
// CHECK-SAME: -> (tensor<?x1x4xf32>, tensor<?x?x4xf32>, tensor<2x3x4xf32>, tensor<5xi64>)
func.func @run_time_shapes_refined(%x: tensor<?x?x4xf32>, %y: tensor<2x8x4xf32>) -> (tensor<?x?x4xf32>, tensor<?x?x4xf32>, tensor<?x?x4xf32>, tensor<?xi64>) {
  %s = kiln.constant dense<[0]> : tensor<1xi64>
  %e = kiln.constant dense<[1]> : tensor<1xi64>
  %s1 = kiln.constant dense<[1]> : tensor<1xi64>
  %max = kiln.constant dense<[9223372036854775807]> : tensor<1xi64>
  %s2 = kiln.constant dense<[-3]> : tensor<1xi64>
  // CHECK: kiln.dynamic_slice {{.*}} -> tensor<?x1x4xf32>
  %0 = kiln.dynamic_slice %x, %s, %e {axes = array<i64: 1>, steps = array<i64: 1>} : (tensor<?x?x4xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x?x4xf32>
  // CHECK: kiln.dynamic_slice {{.*}} -> tensor<?x?x4xf32>
  %1 = kiln.dynamic_slice %x, %s1, %max {axes = array<i64: 1>, steps = array<i64: 1>} : (tensor<?x?x4xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x?x4xf32>
  // CHECK: kiln.dynamic_slice {{.*}} -> tensor<2x3x4xf32>
  %2 = kiln.dynamic_slice %y, %s2, %max {axes = array<i64: 1>, steps = array<i64: 1>} : (tensor<2x8x4xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x?x4xf32>
  %a = kiln.constant dense<1> : tensor<i64>
  %b = kiln.constant dense<10> : tensor<i64>
  %d = kiln.constant dense<2> : tensor<i64>
  // CHECK: kiln.range {{.*}} -> tensor<5xi64>
  %3 = kiln.range %a, %b, %d : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  return %0, %1, %2, %3 : tensor<?x?x4xf32>, tensor<?x?x4xf32>, tensor<?x?x4xf32>, tensor<?xi64>
}
