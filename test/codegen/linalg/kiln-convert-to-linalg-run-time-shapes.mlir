// RUN: %kiln-opt %s --split-input-file --kiln-convert-to-linalg | FileCheck %s

// Ops shaped by tensor values: dynamic_slice clamps its bounds at run time
// (ONNX semantics) into an extract_slice; range fills a tensor of the
// computed length; gather reads dynamic data; a gather of constant
// positions from a shape vector becomes scalar extracts.

// CHECK-LABEL: func.func @slice_to_computed_end
// CHECK-SAME: (%[[X:.*]]: tensor<1x128x256xf32>, %[[E:.*]]: tensor<1xi64>)
func.func @slice_to_computed_end(%x: tensor<1x128x256xf32>, %e: tensor<1xi64>) -> tensor<1x?x256xf32> {
  // CHECK: %[[RAW:.*]] = tensor.extract %[[E]][%{{.*}}] : tensor<1xi64>
  // CHECK: %[[END:.*]] = arith.index_cast %[[RAW]] : i64 to index
  // CHECK: arith.cmpi slt, %[[END]]
  // CHECK: arith.minsi {{.*}}, %{{.*}} : index
  // CHECK: %[[N:.*]] = arith.ceildivsi
  // CHECK: %[[SIZE:.*]] = arith.maxsi %[[N]]
  // CHECK: tensor.extract_slice %[[X]][0, %{{.*}}, 0] [1, %[[SIZE]], 256] [1, 1, 1] : tensor<1x128x256xf32> to tensor<1x?x256xf32>
  %s = kiln.constant dense<[0]> : tensor<1xi64>
  %0 = kiln.dynamic_slice %x, %s, %e {axes = array<i64: 1>, steps = array<i64: 1>} : (tensor<1x128x256xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<1x?x256xf32>
  return %0 : tensor<1x?x256xf32>
}

// -----

// A fixed window on a dynamic dim keeps its static size; the unlisted
// dynamic dim is kept whole.
// CHECK-LABEL: func.func @fixed_window_on_dynamic_dim
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x4xf32>)
func.func @fixed_window_on_dynamic_dim(%x: tensor<?x?x4xf32>) -> tensor<?x2x4xf32> {
  // CHECK: %[[B:.*]] = tensor.dim %[[X]], %c0
  // CHECK: tensor.extract_slice %[[X]][0, %{{.*}}, 0] [%[[B]], 2, 4] [1, 2, 1] : tensor<?x?x4xf32> to tensor<?x2x4xf32>
  %s = kiln.constant dense<[1]> : tensor<1xi64>
  %e = kiln.constant dense<[5]> : tensor<1xi64>
  %0 = kiln.dynamic_slice %x, %s, %e {axes = array<i64: 1>, steps = array<i64: 2>} : (tensor<?x?x4xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x2x4xf32>
  return %0 : tensor<?x2x4xf32>
}

// -----

// A negative step walks backwards (x[::-1] on a dynamic dim): the start is
// clamped to [0, dim - 1], the end to [-1, dim - 1], and each element is
// read from start + i * step by a gather generic (extract_slice strides
// are positive).
// CHECK-LABEL: func.func @reverse_dynamic_dim
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>)
func.func @reverse_dynamic_dim(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // CHECK: %[[N:.*]] = arith.ceildivsi %{{.*}}, %c-1
  // CHECK: %[[COUNT:.*]] = arith.maxsi %[[N]]
  // CHECK: %[[OUT:.*]] = tensor.empty(%[[COUNT]]) : tensor<?x4xf32>
  // CHECK: linalg.generic {{.*}} outs(%[[OUT]] : tensor<?x4xf32>)
  // CHECK: %[[I:.*]] = linalg.index 0
  // CHECK: %[[J:.*]] = linalg.index 1
  // CHECK: %[[BACK:.*]] = arith.muli %[[I]], %c-1
  // CHECK: %[[ROW:.*]] = arith.addi %{{.*}}, %[[BACK]]
  // CHECK: tensor.extract %[[X]][%[[ROW]], %[[J]]] : tensor<?x4xf32>
  %s = kiln.constant dense<[-1]> : tensor<1xi64>
  %e = kiln.constant dense<[-9223372036854775807]> : tensor<1xi64>
  %0 = kiln.dynamic_slice %x, %s, %e {axes = array<i64: 0>, steps = array<i64: -1>} : (tensor<?x4xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// CHECK-LABEL: func.func @range_of_run_time_length
// CHECK-SAME: (%[[N:.*]]: tensor<i64>)
func.func @range_of_run_time_length(%n: tensor<i64>) -> tensor<?xi64> {
  // CHECK: %[[LIMIT:.*]] = tensor.extract %[[N]][] : tensor<i64>
  // CHECK: %[[COUNT:.*]] = arith.ceildivsi
  // CHECK: %[[LEN:.*]] = arith.maxsi %[[COUNT]]
  // CHECK: %[[INIT:.*]] = tensor.empty(%[[LEN]]) : tensor<?xi64>
  // CHECK: linalg.generic {{.*}} outs(%[[INIT]] : tensor<?xi64>)
  // CHECK: %[[I:.*]] = linalg.index 0 : index
  // CHECK: %[[IV:.*]] = arith.index_cast %[[I]] : index to i64
  // CHECK: arith.muli %[[IV]]
  %a = kiln.constant dense<0> : tensor<i64>
  %d = kiln.constant dense<1> : tensor<i64>
  %0 = kiln.range %a, %n, %d : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  return %0 : tensor<?xi64>
}

// -----

// CHECK-LABEL: func.func @float_range
func.func @float_range(%n: tensor<f32>) -> tensor<?xf32> {
  // CHECK: arith.divf
  // CHECK: math.ceil
  // CHECK: arith.fptosi
  // CHECK: arith.sitofp
  %a = kiln.constant dense<0.0> : tensor<f32>
  %d = kiln.constant dense<0.5> : tensor<f32>
  %0 = kiln.range %a, %n, %d : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// Embedding lookup by run-time positions: sizes from the indices.
// CHECK-LABEL: func.func @gather_dynamic_indices
// CHECK-SAME: (%[[T:.*]]: tensor<128x256xf32>, %[[I:.*]]: tensor<?xi64>)
func.func @gather_dynamic_indices(%t: tensor<128x256xf32>, %i: tensor<?xi64>) -> tensor<?x256xf32> {
  // CHECK: %[[N:.*]] = tensor.dim %[[I]], %c0
  // CHECK: %[[INIT:.*]] = tensor.empty(%[[N]]) : tensor<?x256xf32>
  // CHECK: linalg.generic {{.*}} ins(%[[I]] : tensor<?xi64>) outs(%[[INIT]] : tensor<?x256xf32>)
  // CHECK: tensor.extract %[[T]]
  %0 = kiln.gather %t, %i {axis = 0 : i64} : (tensor<128x256xf32>, tensor<?xi64>) -> tensor<?x256xf32>
  return %0 : tensor<?x256xf32>
}

// -----

// Gathering from dynamic data clamps indices to the run-time extent.
// CHECK-LABEL: func.func @gather_dynamic_data
// CHECK-SAME: (%[[X:.*]]: tensor<?x?xf32>, %[[I:.*]]: tensor<2xi64>)
func.func @gather_dynamic_data(%x: tensor<?x?xf32>, %i: tensor<2xi64>) -> tensor<?x2xf32> {
  // CHECK-DAG: %[[B:.*]] = tensor.dim %[[X]], %c0
  // CHECK-DAG: %[[EXTENT:.*]] = tensor.dim %[[X]], %c1
  // CHECK: tensor.empty(%[[B]]) : tensor<?x2xf32>
  // CHECK: linalg.generic
  // CHECK: arith.subi %[[EXTENT]], %{{.*}} : index
  %0 = kiln.gather %x, %i {axis = 1 : i64} : (tensor<?x?xf32>, tensor<2xi64>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

// CHECK-LABEL: func.func @gather_from_shape
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x4xf32>)
func.func @gather_from_shape(%x: tensor<?x?x4xf32>) -> tensor<2xi64> {
  // CHECK: %[[S:.*]] = tensor.from_elements
  // CHECK: %[[A:.*]] = tensor.extract %[[S]][%{{.*}}] : tensor<3xi64>
  // CHECK: %[[B:.*]] = tensor.extract %[[S]][%{{.*}}] : tensor<3xi64>
  // CHECK: tensor.from_elements %[[A]], %[[B]] : tensor<2xi64>
  // CHECK-NOT: linalg.generic
  %s = kiln.shape_of %x : (tensor<?x?x4xf32>) -> tensor<3xi64>
  %i = kiln.constant dense<[1, -3]> : tensor<2xi64>
  %0 = kiln.gather %s, %i {axis = 0 : i64} : (tensor<3xi64>, tensor<2xi64>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}
