// RUN: %kiln-opt %s --split-input-file --kiln-convert-to-linalg | FileCheck %s

// Comparisons, logic and select are broadcasting generics; arg_max is one
// reducing generic carrying the best value and index; gather_nd reads its
// index tuple with tensor.extract, after a loop that checks each index
// where the runtime can report one out of range; top_k is an scf.for of k masked rounds.

// CHECK-LABEL: func.func @compare_select
func.func @compare_select(%a: tensor<?x3xf32>, %b: tensor<3xf32>) -> tensor<?x3xf32> {
  // CHECK: linalg.generic
  // CHECK: arith.cmpf olt
  // CHECK: linalg.generic
  // CHECK: arith.xori
  // CHECK: linalg.generic
  // CHECK: arith.select
  %0 = kiln.less %a, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xi1>
  %1 = kiln.not %0 : (tensor<?x3xi1>) -> tensor<?x3xi1>
  %2 = kiln.select %1, %a, %b : (tensor<?x3xi1>, tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %2 : tensor<?x3xf32>
}

// -----

// Integer floor division rounds towards -inf and gives 0 for a zero divisor.
// CHECK-LABEL: func.func @floor_div_int
func.func @floor_div_int(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  // CHECK: arith.cmpi eq
  // CHECK: arith.divsi
  // CHECK: arith.remsi
  // CHECK: arith.subi
  // CHECK: arith.select
  %0 = kiln.floor_div %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// CHECK-LABEL: func.func @arg_max
func.func @arg_max(%x: tensor<?x5xf32>) -> tensor<?x1xi64> {
  // CHECK: %[[R:.*]]:2 = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
  // CHECK-SAME: outs(%{{.*}}, %{{.*}} : tensor<?xf32>, tensor<?xi64>)
  // CHECK: arith.cmpf ogt
  // CHECK: linalg.index 1
  // CHECK: tensor.expand_shape %[[R]]#1
  %0 = kiln.arg_max %x {axis = 1 : i64, keepdims = true} : (tensor<?x5xf32>) -> tensor<?x1xi64>
  return %0 : tensor<?x1xi64>
}

// -----

// CHECK-LABEL: func.func @gather_nd
func.func @gather_nd(%x: tensor<2x5x3xf32>, %i: tensor<4x2xi64>) -> tensor<4x3xf32> {
  // CHECK: linalg.generic
  // CHECK-COUNT-2: tensor.extract %{{.*}} : tensor<4x2xi64>
  // CHECK: tensor.extract %{{.*}} : tensor<2x5x3xf32>
  %0 = kiln.gather_nd %x, %i : (tensor<2x5x3xf32>, tensor<4x2xi64>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// With the runtime's index check declared (the CPU driver does), every
// index tuple entry is bounded by its own dim before the gather: column 0
// by 2, column 1 by 5, each in [-extent, extent).
func.func private @kiln_rt_index_out_of_range(i64, i64)

// CHECK-LABEL: func.func @gather_nd_checked
func.func @gather_nd_checked(%x: tensor<2x5x3xf32>, %i: tensor<4x2xi64>) -> tensor<4x3xf32> {
  // CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
  // CHECK-DAG: %[[C5:.*]] = arith.constant 5 : index
  // CHECK: scf.for %[[R:.*]] = {{.*}} {
  // CHECK: scf.for %[[J:.*]] = {{.*}} {
  // CHECK: %[[V:.*]] = tensor.extract %{{.*}}[%[[R]], %[[J]]] : tensor<4x2xi64>
  // CHECK: %[[IS1:.*]] = arith.cmpi eq, %[[J]], %{{.*}} : index
  // CHECK: %[[EXT:.*]] = arith.select %[[IS1]], %[[C5]], %[[C2]] : index
  // CHECK: %[[E64:.*]] = arith.index_cast %[[EXT]] : index to i64
  // CHECK: %[[NEG:.*]] = arith.subi %{{.*}}, %[[E64]] : i64
  // CHECK: %[[LO:.*]] = arith.cmpi slt, %[[V]], %[[NEG]] : i64
  // CHECK: %[[HI:.*]] = arith.cmpi sge, %[[V]], %[[E64]] : i64
  // CHECK: %[[BAD:.*]] = arith.ori %[[LO]], %[[HI]] : i1
  // CHECK: scf.if %[[BAD]] {
  // CHECK: func.call @kiln_rt_index_out_of_range(%[[V]], %[[E64]]) : (i64, i64) -> ()
  // CHECK: linalg.generic
  %0 = kiln.gather_nd %x, %i : (tensor<2x5x3xf32>, tensor<4x2xi64>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// CHECK-LABEL: func.func @top_k
func.func @top_k(%x: tensor<2x5xf32>) -> (tensor<2x3xf32>, tensor<2x3xi64>) {
  // CHECK: %[[K:.*]] = arith.constant 3 : index
  // CHECK: scf.for %{{.*}} = %{{.*}} to %[[K]]
  // CHECK: arith.cmpf olt
  // CHECK: tensor.insert_slice {{.*}} : tensor<2xf32> into tensor<2x3xf32>
  // CHECK: tensor.insert_slice {{.*}} : tensor<2xi64> into tensor<2x3xi64>
  %0:2 = kiln.top_k %x {k = 3 : i64, axis = 1 : i64, largest = false} : (tensor<2x5xf32>) -> (tensor<2x3xf32>, tensor<2x3xi64>)
  return %0#0, %0#1 : tensor<2x3xf32>, tensor<2x3xi64>
}

// -----

// non_zero: the count of non-zero elements sizes the [count, rank] result,
// then one pass in row-major order writes each one's coordinates (last dim
// = flat index mod its size) into the next row.
// CHECK-LABEL: func.func @non_zero
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>)
func.func @non_zero(%x: tensor<3x4xf32>) -> tensor<?x2xi64> {
  // CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1]] : tensor<3x4xf32> into tensor<12xf32>
  // CHECK: arith.cmpf une
  // CHECK: arith.extui
  // CHECK: %[[TOTAL:.*]] = tensor.extract %{{.*}}[] : tensor<i64>
  // CHECK: %[[COUNT:.*]] = arith.index_cast %[[TOTAL]] : i64 to index
  // CHECK: %[[OUT:.*]] = tensor.empty(%[[COUNT]]) : tensor<?x2xi64>
  // CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %[[OUT]], %[[ROW:.*]] = %{{.*}}) -> (tensor<?x2xi64>, index)
  // CHECK: %[[V:.*]] = tensor.extract %[[FLAT]][%[[I]]]
  // CHECK: %[[NZ:.*]] = arith.cmpf une, %[[V]]
  // CHECK: scf.if %[[NZ]] -> (tensor<?x2xi64>, index)
  // CHECK: %[[LAST:.*]] = arith.remui %[[I]], %c4
  // CHECK: %[[FIRST:.*]] = arith.divui %[[I]], %c4
  // CHECK: %[[L64:.*]] = arith.index_cast %[[LAST]] : index to i64
  // CHECK: %[[ACC1:.*]] = tensor.insert %[[L64]] into %[[ACC]][%[[ROW]], %c1{{.*}}]
  // CHECK: %[[F64:.*]] = arith.index_cast %[[FIRST]] : index to i64
  // CHECK: tensor.insert %[[F64]] into %[[ACC1]][%[[ROW]], %c0{{.*}}]
  %0 = kiln.non_zero %x : (tensor<3x4xf32>) -> tensor<?x2xi64>
  return %0 : tensor<?x2xi64>
}

// -----

// non_max_suppression: per (batch, class), a mask of dropped boxes starts
// with the scores not above the threshold; each selection is an argmax over
// the boxes left, a row (batch, class, box) written at the running count,
// and a pass dropping the boxes whose IoU with it is above the threshold.
// The result is the first `count` rows of a buffer sized for the most
// selections possible.
// CHECK-LABEL: func.func @non_max_suppression
func.func @non_max_suppression(%boxes: tensor<1x6x4xf32>, %scores: tensor<1x2x6xf32>, %limit: tensor<i64>, %iou: tensor<f32>, %score: tensor<f32>) -> tensor<?x3xi64> {
  // CHECK: %[[LIMIT:.*]] = arith.minsi %{{.*}}, %{{.*}} : index
  // CHECK: %[[CAP:.*]] = arith.muli %{{.*}}, %[[LIMIT]]
  // CHECK: %[[ROWS:.*]] = tensor.empty(%[[CAP]]) : tensor<?x3xi64>
  // CHECK: %[[ALL:.*]]:2 = scf.for {{.*}} iter_args({{.*}} = %[[ROWS]], {{.*}}) -> (tensor<?x3xi64>, index)
  // CHECK: scf.for
  // CHECK: arith.cmpf ogt
  // CHECK: scf.for {{.*}} to %[[LIMIT]]
  // CHECK: scf.if
  // CHECK: arith.divf
  // CHECK: tensor.extract_slice %[[ALL]]#0[0, 0] [%[[ALL]]#1, 3] [1, 1] : tensor<?x3xi64> to tensor<?x3xi64>
  %0 = kiln.non_max_suppression %boxes, %scores, %limit, %iou, %score : (tensor<1x6x4xf32>, tensor<1x2x6xf32>, tensor<i64>, tensor<f32>, tensor<f32>) -> tensor<?x3xi64>
  return %0 : tensor<?x3xi64>
}

// -----

// scatter_nd: a loop over the index tuples carrying the result, which
// starts as the input; each step reads a tuple (negative entries wrapped,
// the rest clamped), takes the matching row of the updates and inserts it.
// CHECK-LABEL: func.func @scatter_nd
func.func @scatter_nd(%x: tensor<8x4xf32>, %i: tensor<3x1xi64>, %u: tensor<3x4xf32>) -> tensor<8x4xf32> {
  // CHECK: scf.for %[[T:.*]] = %c0 to %c3 step %c1 iter_args(%[[ACC:.*]] = %arg0) -> (tensor<8x4xf32>)
  // CHECK: %[[RAW:.*]] = tensor.extract %arg1[%[[T]], %c0{{.*}}] : tensor<3x1xi64>
  // CHECK: arith.minsi
  // CHECK: %[[ROW:.*]] = tensor.extract_slice %arg2[%[[T]], 0] [1, 4] [1, 1] : tensor<3x4xf32> to tensor<4xf32>
  // CHECK-NOT: linalg.generic
  // CHECK: tensor.insert_slice %[[ROW]] into %[[ACC]][%{{.*}}, 0] [1, 4] [1, 1] : tensor<4xf32> into tensor<8x4xf32>
  %0 = kiln.scatter_nd %x, %i, %u : (tensor<8x4xf32>, tensor<3x1xi64>, tensor<3x4xf32>) -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

// -----

// With a reduction the old slice is combined with the update first.
// CHECK-LABEL: func.func @scatter_nd_add
func.func @scatter_nd_add(%x: tensor<?x4xf32>, %i: tensor<?x1xi32>, %u: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // CHECK: call @kiln_rt_dims_disagree
  // CHECK: scf.for
  // CHECK: tensor.extract_slice %arg2
  // CHECK: %[[OLD:.*]] = tensor.extract_slice %{{.*}} : tensor<?x4xf32> to tensor<4xf32>
  // CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<4xf32>) outs(%[[OLD]] : tensor<4xf32>)
  // CHECK: arith.addf
  // CHECK: tensor.insert_slice
  %0 = kiln.scatter_nd %x, %i, %u {reduction = "add"} : (tensor<?x4xf32>, tensor<?x1xi32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}
func.func private @kiln_rt_dims_disagree(i64, i64)
