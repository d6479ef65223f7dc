// RUN: %kiln-opt %s --split-input-file --kiln-convert-to-linalg | FileCheck %s

// kiln.resize: per resized dim, constant tables of the lower and upper
// source index and the upper sample's weight, read by the generic through
// maps on that dim; the body gathers four samples and blends them.

// CHECK-LABEL: func.func @resize_half_pixel
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x2x3xf32>)
func.func @resize_half_pixel(%x: tensor<1x2x2x3xf32>) -> tensor<1x4x3x3xf32> {
  // Rows 2 -> 4: source (o + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25.
  // CHECK-DAG: arith.constant dense<[0, 0, 0, 1]> : tensor<4xi64>
  // CHECK-DAG: arith.constant dense<[0, 1, 1, 1]> : tensor<4xi64>
  // CHECK-DAG: arith.constant dense<[7.500000e-01, 2.500000e-01, 7.500000e-01, 2.500000e-01]> : tensor<4xf32>
  // CHECK: linalg.generic {indexing_maps = [#[[H:map[0-9]*]], #[[H]], #[[H]], #[[W:map[0-9]*]], #[[W]], #[[W]], #{{.*}}]
  // CHECK-COUNT-4: tensor.extract %[[X]]
  // CHECK: linalg.yield
  %0 = kiln.resize %x {axes = array<i64: 1, 2>, sizes = array<i64: 4, 3>, coordinate_mode = "half_pixel"} : (tensor<1x2x2x3xf32>) -> tensor<1x4x3x3xf32>
  return %0 : tensor<1x4x3x3xf32>
}

// -----

// CHECK-LABEL: func.func @resize_align_corners
func.func @resize_align_corners(%x: tensor<1x3x2x2xf32>) -> tensor<1x3x5x2xf32> {
  // Rows 3 -> 3 keep their samples: lower i, weight 0.
  // CHECK-DAG: arith.constant dense<[0, 1, 2]> : tensor<3xi64>
  // CHECK-DAG: arith.constant dense<0.000000e+00> : tensor<3xf32>
  // Columns 2 -> 5: source o / 4 = 0, 0.25, 0.5, 0.75, 1.
  // CHECK-DAG: arith.constant dense<[0.000000e+00, 2.500000e-01, 5.000000e-01, 7.500000e-01, 0.000000e+00]> : tensor<5xf32>
  %0 = kiln.resize %x {axes = array<i64: 1, 2>, sizes = array<i64: 3, 5>, coordinate_mode = "align_corners"} : (tensor<1x3x2x2xf32>) -> tensor<1x3x5x2xf32>
  return %0 : tensor<1x3x5x2xf32>
}
