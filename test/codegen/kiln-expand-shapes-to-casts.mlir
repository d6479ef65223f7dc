// RUN: %kiln-opt %s --split-input-file --kiln-expand-shapes-to-casts | FileCheck %s

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
