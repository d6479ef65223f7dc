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
