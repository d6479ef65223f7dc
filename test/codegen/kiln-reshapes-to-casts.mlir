// RUN: %kiln-opt %s --split-input-file --kiln-reshapes-to-casts | FileCheck %s
// RUN: %kiln-opt %s --split-input-file --kiln-reshapes-to-casts=collapse-shapes=false | FileCheck %s --check-prefix=KEEP

// Two dynamic dims in one group (batch x sequence rows restored after a
// matmul) become a reinterpret_cast with suffix-product strides.
// CHECK-LABEL: func.func @rows_to_batch_sequence
// CHECK-SAME: (%[[M:.*]]: memref<?x256xf32>, %[[B:.*]]: index, %[[S:.*]]: index)
func.func @rows_to_batch_sequence(%m: memref<?x256xf32>, %b: index, %s: index) -> memref<?x?x256xf32> {
  // CHECK: %[[ST:.*]] = arith.muli %[[S]], %c256
  // CHECK: memref.reinterpret_cast %[[M]] to offset: [0], sizes: [%[[B]], %[[S]], 256], strides: [%[[ST]], 256, 1] : memref<?x256xf32> to memref<?x?x256xf32>
  // CHECK-NOT: memref.expand_shape
  %0 = memref.expand_shape %m [[0, 1], [2]] output_shape [%b, %s, 256] : memref<?x256xf32> into memref<?x?x256xf32>
  return %0 : memref<?x?x256xf32>
}

// -----

// One dynamic dim per group: left to upstream.
// CHECK-LABEL: func.func @one_dynamic_per_group
func.func @one_dynamic_per_group(%m: memref<?x256xf32>, %b: index) -> memref<?x4x64xf32> {
  // CHECK: memref.expand_shape
  %0 = memref.expand_shape %m [[0], [1, 2]] output_shape [%b, 4, 64] : memref<?x256xf32> into memref<?x4x64xf32>
  return %0 : memref<?x4x64xf32>
}

// -----

// A collapse of a dense buffer (a 64x16x3x3 filter read as 64x144) becomes a
// cast, so that loads through it stay linear (fold-memref-alias-ops would
// delinearize a K index into filter coordinates); without collapse-shapes
// it is left alone.
// CHECK-LABEL: func.func @filter_rows
// KEEP-LABEL: func.func @filter_rows
func.func @filter_rows(%m: memref<64x16x3x3xf32>) -> memref<64x144xf32> {
  // CHECK: memref.reinterpret_cast %{{.*}} to offset: [0], sizes: [64, 144], strides: [144, 1] : memref<64x16x3x3xf32> to memref<64x144xf32>
  // CHECK-NOT: memref.collapse_shape
  // KEEP: memref.collapse_shape
  %0 = memref.collapse_shape %m [[0], [1, 2, 3]] : memref<64x16x3x3xf32> into memref<64x144xf32>
  return %0 : memref<64x144xf32>
}

// -----

// Dynamic sizes are the products of the source's dims.
// CHECK-LABEL: func.func @dynamic_rows
// CHECK-SAME: (%[[M:.*]]: memref<?x?x8xf32>)
func.func @dynamic_rows(%m: memref<?x?x8xf32>) -> memref<?x8xf32> {
  // CHECK-DAG: %[[D0:.*]] = memref.dim %[[M]], %c0
  // CHECK-DAG: %[[D1:.*]] = memref.dim %[[M]], %c1
  // CHECK: %[[R:.*]] = arith.muli %[[D0]], %[[D1]] : index
  // CHECK: memref.reinterpret_cast %[[M]] to offset: [0], sizes: [%[[R]], 8], strides: [8, 1]
  %0 = memref.collapse_shape %m [[0, 1], [2]] : memref<?x?x8xf32> into memref<?x8xf32>
  return %0 : memref<?x8xf32>
}

// -----

// A strided source (a subview) keeps its collapse: it is not dense.
// CHECK-LABEL: func.func @strided_source
func.func @strided_source(%m: memref<4x8x8xf32, strided<[128, 8, 1]>>) -> memref<4x64xf32, strided<[128, 1]>> {
  // CHECK: memref.collapse_shape
  %0 = memref.collapse_shape %m [[0], [1, 2]] : memref<4x8x8xf32, strided<[128, 8, 1]>> into memref<4x64xf32, strided<[128, 1]>>
  return %0 : memref<4x64xf32, strided<[128, 1]>>
}
