// RUN: %kiln-opt %s --kiln-cpu-decompose-pads | FileCheck %s

// A constant pad becomes a fill of the padded tensor plus an insert_slice of
// the source at the low pads.
// CHECK-LABEL: func.func @pad
// CHECK-SAME: (%[[X:.*]]: tensor<1x8x8x8xf32>)
func.func @pad(%x: tensor<1x8x8x8xf32>) -> tensor<1x8x10x11xf32> {
  // CHECK: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
  // CHECK: %[[E:.*]] = tensor.empty() : tensor<1x8x10x11xf32>
  // CHECK: %[[F:.*]] = linalg.fill ins(%[[Z]] : f32) outs(%[[E]] : tensor<1x8x10x11xf32>)
  // CHECK: %[[P:.*]] = tensor.insert_slice %[[X]] into %[[F]][0, 0, 1, 2] [1, 8, 8, 8] [1, 1, 1, 1]
  // CHECK-NOT: tensor.pad
  // CHECK: return %[[P]]
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 0, 1, 2] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x8x8x8xf32> to tensor<1x8x10x11xf32>
  return %p : tensor<1x8x10x11xf32>
}

// An NHWC pad (the innermost dim unpadded) fills only its border: the top
// row, the bottom row, then the left and right columns of the source's
// rows, each a run of whole pixels; the source goes into the middle.
// CHECK-LABEL: func.func @pad_nhwc
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x5x8xf32>)
func.func @pad_nhwc(%x: tensor<1x4x5x8xf32>) -> tensor<1x6x8x8xf32> {
  // CHECK: %[[Z:.*]] = arith.constant 0.000000e+00 : f32
  // CHECK: %[[E:.*]] = tensor.empty() : tensor<1x6x8x8xf32>
  // CHECK: %[[T:.*]] = linalg.fill ins(%[[Z]] : f32) outs(%{{.*}} : tensor<1x1x8x8xf32>)
  // CHECK: %[[D0:.*]] = tensor.insert_slice %[[T]] into %[[E]][0, 0, 0, 0] [1, 1, 8, 8] [1, 1, 1, 1]
  // CHECK: %[[B:.*]] = linalg.fill ins(%[[Z]] : f32) outs(%{{.*}} : tensor<1x1x8x8xf32>)
  // CHECK: %[[D1:.*]] = tensor.insert_slice %[[B]] into %[[D0]][0, 5, 0, 0] [1, 1, 8, 8] [1, 1, 1, 1]
  // CHECK: %[[L:.*]] = linalg.fill ins(%[[Z]] : f32) outs(%{{.*}} : tensor<1x4x1x8xf32>)
  // CHECK: %[[D2:.*]] = tensor.insert_slice %[[L]] into %[[D1]][0, 1, 0, 0] [1, 4, 1, 8] [1, 1, 1, 1]
  // CHECK: %[[R:.*]] = linalg.fill ins(%[[Z]] : f32) outs(%{{.*}} : tensor<1x4x2x8xf32>)
  // CHECK: %[[D3:.*]] = tensor.insert_slice %[[R]] into %[[D2]][0, 1, 6, 0] [1, 4, 2, 8] [1, 1, 1, 1]
  // CHECK: %[[P:.*]] = tensor.insert_slice %[[X]] into %[[D3]][0, 1, 1, 0] [1, 4, 5, 8] [1, 1, 1, 1]
  // CHECK: return %[[P]]
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 1, 1, 0] high[0, 1, 2, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x4x5x8xf32> to tensor<1x6x8x8xf32>
  return %p : tensor<1x6x8x8xf32>
}
