// RUN: %kiln-opt %s --split-input-file --kiln-convert-to-linalg | FileCheck %s

// One case per op family: which linalg / tensor / arith ops each becomes.

// CHECK-LABEL: func.func @constant
func.func @constant() -> tensor<2xf32> {
  // CHECK: %[[C:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
  // CHECK: return %[[C]]
  // CHECK-NOT: kiln.
  %0 = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// CHECK-LABEL: func.func @relu
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>)
func.func @relu(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // CHECK: %[[E:.*]] = tensor.empty() : tensor<4x8xf32>
  // CHECK: %[[R:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]{{.*}} ins(%[[X]] : tensor<4x8xf32>) outs(%[[E]] : tensor<4x8xf32>)
  // CHECK: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
  // CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
  // CHECK: %[[M:.*]] = arith.maximumf %[[IN]], %[[ZERO]] : f32
  // CHECK: linalg.yield %[[M]] : f32
  // CHECK: return %[[R]]
  %0 = kiln.relu %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func.func @clip
func.func @clip(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: linalg.generic
  // CHECK: %[[LO:.*]] = arith.constant 0.000000e+00 : f32
  // CHECK: %[[A:.*]] = arith.maximumf %{{.*}}, %[[LO]] : f32
  // CHECK: %[[HI:.*]] = arith.constant 6.000000e+00 : f32
  // CHECK: %[[B:.*]] = arith.minimumf %[[A]], %[[HI]] : f32
  // CHECK: linalg.yield %[[B]]
  %0 = kiln.clip %x {min = 0.0 : f64, max = 6.0 : f64} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @cast
func.func @cast(%x: tensor<4xf32>) -> tensor<4xi64> {
  // CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<4xi64>)
  // CHECK: arith.fptosi %{{.*}} : f32 to i64
  %0 = kiln.cast %x : (tensor<4xf32>) -> tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

// Broadcasting is an indexing map that drops the broadcast dims.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @add_broadcast
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<3xf32>)
func.func @add_broadcast(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  // CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[A]], %[[B]] : tensor<2x3xf32>, tensor<3xf32>)
  // CHECK: arith.addf
  %0 = kiln.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<3x4xf32>)
func.func @matmul(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  // CHECK: %[[E:.*]] = tensor.empty() : tensor<2x4xf32>
  // CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
  // CHECK: %[[F:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<2x4xf32>)
  // CHECK: %[[M:.*]] = linalg.matmul ins(%[[A]], %[[B]] : tensor<2x3xf32>, tensor<3x4xf32>) outs(%[[F]] : tensor<2x4xf32>)
  // CHECK: return %[[M]]
  %0 = kiln.matmul %a, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// CHECK-LABEL: func.func @batch_matmul
func.func @batch_matmul(%a: tensor<2x5x3xf32>, %b: tensor<2x3x4xf32>) -> tensor<2x5x4xf32> {
  // CHECK: linalg.fill
  // CHECK: linalg.batch_matmul ins(%{{.*}}, %{{.*}} : tensor<2x5x3xf32>, tensor<2x3x4xf32>) outs(%{{.*}} : tensor<2x5x4xf32>)
  %0 = kiln.matmul %a, %b : (tensor<2x5x3xf32>, tensor<2x3x4xf32>) -> tensor<2x5x4xf32>
  return %0 : tensor<2x5x4xf32>
}

// -----

// A shared right-hand side folds the batch dims into the rows.
// CHECK-LABEL: func.func @matmul_broadcast_rhs
func.func @matmul_broadcast_rhs(%a: tensor<2x5x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x5x4xf32> {
  // CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : tensor<2x5x3xf32> into tensor<10x3xf32>
  // CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<10x3xf32>, tensor<3x4xf32>)
  // CHECK: tensor.expand_shape {{.*}} into tensor<2x5x4xf32>
  %0 = kiln.matmul %a, %b : (tensor<2x5x3xf32>, tensor<3x4xf32>) -> tensor<2x5x4xf32>
  return %0 : tensor<2x5x4xf32>
}

// -----

// CHECK-LABEL: func.func @conv
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x8x8xf32>, %[[W:.*]]: tensor<4x3x3x3xf32>)
func.func @conv(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32> {
  // CHECK: %[[P:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
  // CHECK: } : tensor<1x3x8x8xf32> to tensor<1x3x10x10xf32>
  // Batch 1: linalg's named convolution; targets choose how to compute it
  // (the CPU's kiln-cpu-conv-to-matmul makes it im2col + matmul).
  // CHECK: %[[F:.*]] = linalg.fill
  // CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%[[P]], %[[W]] : tensor<1x3x10x10xf32>, tensor<4x3x3x3xf32>) outs(%[[F]] : tensor<1x4x8x8xf32>)
  %0 = kiln.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

// CHECK-LABEL: func.func @conv_grouped
func.func @conv_grouped(%x: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x3x3xf32> {
  // CHECK: linalg.conv_2d_ngchw_gfchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%{{.*}}, %{{.*}} : tensor<1x2x2x8x8xf32>, tensor<2x3x2x3x3xf32>) outs(%{{.*}} : tensor<1x2x3x3x3xf32>)
  // CHECK: tensor.collapse_shape {{.*}} into tensor<1x6x3x3xf32>
  %0 = kiln.conv %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 2 : i64} : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x3x3xf32>
  return %0 : tensor<1x6x3x3xf32>
}

// -----

// Depthwise with bias: the bias is a broadcast add after the convolution.
// CHECK-LABEL: func.func @conv_depthwise_bias
func.func @conv_depthwise_bias(%x: tensor<1x4x8x8xf32>, %w: tensor<4x1x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x6x6xf32> {
  // Depthwise: a generic over (n, c, kh, oh, ow, kw), kw innermost.
  // CHECK: %[[C:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "parallel", "parallel", "reduction"]} ins(%{{.*}}, %{{.*}} : tensor<1x4x8x8xf32>, tensor<4x3x3xf32>)
  // CHECK: %[[B:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0, 1, 2]] output_shape [4, 1, 1]
  // CHECK: linalg.generic {{.*}} ins(%[[C]], %[[B]] : tensor<1x4x6x6xf32>, tensor<4x1x1xf32>)
  // CHECK: arith.addf
  %0 = kiln.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 4 : i64} : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

// Max pooling pads and initializes with -inf; its maximum may return
// either zero of a window holding -0 and +0 (nsz), NaN still propagates.
// CHECK-LABEL: func.func @max_pool
func.func @max_pool(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32> {
  // CHECK: %[[NEG_INF:.*]] = arith.constant 0xFF800000 : f32
  // CHECK: tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 0, 1, 1]
  // CHECK: tensor.yield %[[NEG_INF]]
  // CHECK: %[[WIN:.*]] = tensor.empty() : tensor<3x3xf32>
  // CHECK: %[[INIT:.*]] = arith.constant 0xFF800000 : f32
  // CHECK: %[[F:.*]] = linalg.fill ins(%[[INIT]] : f32)
  // CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "parallel", "parallel", "reduction"]} ins(%{{.*}}, %[[WIN]] : tensor<1x3x9x9xf32>, tensor<3x3xf32>) outs(%[[F]] : tensor<1x3x4x4xf32>)
  // CHECK: arith.maximumf %{{.*}}, %{{.*}} fastmath<nsz> : f32
  %0 = kiln.max_pool %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

// Average pooling excluding pads: a window sum divided by a per-position
// count (4 in the corners, 6 on the edges, 9 inside).
// CHECK-LABEL: func.func @avg_pool
func.func @avg_pool(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32> {
  // CHECK: %[[S:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x3x8x8xf32>)
  // CHECK: arith.addf
  // CHECK: %[[N:.*]] = arith.constant dense<{{\[\[}}4.000000e+00, 6.000000e+00, {{.*}}9.000000e+00{{.*}}]]> : tensor<8x8xf32>
  // CHECK: linalg.generic {{.*}} ins(%[[S]], %[[N]] : tensor<1x3x8x8xf32>, tensor<8x8xf32>)
  // CHECK: arith.divf
  %0 = kiln.avg_pool %x {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

// -----

// CHECK-LABEL: func.func @reduce_sum
func.func @reduce_sum(%x: tensor<2x3x4xf32>) -> tensor<2x4xf32> {
  // CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
  // CHECK: %[[F:.*]] = linalg.fill ins(%[[ZERO]] : f32)
  // CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction", "parallel"]{{.*}} outs(%[[F]] : tensor<2x4xf32>)
  // CHECK: arith.addf
  %0 = kiln.reduce_sum %x {axes = array<i64: 1>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// keepdims reduces to the kept dims, then expands the unit dims back.
// CHECK-LABEL: func.func @reduce_max_keepdims
func.func @reduce_max_keepdims(%x: tensor<2x3xf32>) -> tensor<2x1xf32> {
  // CHECK: arith.constant 0xFF800000 : f32
  // CHECK: %[[R:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
  // CHECK: arith.maximumf
  // CHECK: tensor.expand_shape %[[R]] {{\[\[}}0, 1]] output_shape [2, 1] : tensor<2xf32> into tensor<2x1xf32>
  %0 = kiln.reduce_max %x {axes = array<i64: 1>, keepdims = true} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

// CHECK-LABEL: func.func @reduce_mean
func.func @reduce_mean(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // CHECK: %[[S:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
  // CHECK: arith.addf
  // CHECK: linalg.generic {{.*}} ins(%[[S]] : tensor<2xf32>)
  // CHECK: %[[N:.*]] = arith.constant 3.000000e+00 : f32
  // CHECK: arith.divf %{{.*}}, %[[N]] : f32
  %0 = kiln.reduce_mean %x {axes = array<i64: 1>, keepdims = false} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// CHECK-LABEL: func.func @reshape
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
func.func @reshape(%x: tensor<2x3x4xf32>) -> tensor<6x4xf32> {
  // A reassociation exists: one collapse, no detour through 1-D.
  // CHECK: %[[R:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
  // CHECK: return %[[R]]
  %0 = kiln.reshape %x : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// -----

// CHECK-LABEL: func.func @transpose
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
func.func @transpose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  // CHECK: %[[E:.*]] = tensor.empty() : tensor<4x2x3xf32>
  // CHECK: linalg.transpose ins(%[[X]] : tensor<2x3x4xf32>) outs(%[[E]] : tensor<4x2x3xf32>) permutation = [2, 0, 1]
  %0 = kiln.transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}

// -----

// CHECK-LABEL: func.func @concat
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[Y:.*]]: tensor<2x5xf32>)
func.func @concat(%x: tensor<2x3xf32>, %y: tensor<2x5xf32>) -> tensor<2x8xf32> {
  // CHECK: %[[E:.*]] = tensor.empty() : tensor<2x8xf32>
  // CHECK: %[[I0:.*]] = tensor.insert_slice %[[X]] into %[[E]][0, 0] [2, 3] [1, 1]
  // CHECK: %[[I1:.*]] = tensor.insert_slice %[[Y]] into %[[I0]][0, 3] [2, 5] [1, 1]
  // CHECK: return %[[I1]]
  %0 = kiln.concat %x, %y {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// CHECK-LABEL: func.func @slice
// CHECK-SAME: (%[[X:.*]]: tensor<4x4xf32>)
func.func @slice(%x: tensor<4x4xf32>) -> tensor<2x2xf32> {
  // CHECK: tensor.extract_slice %[[X]][1, 0] [2, 2] [1, 2] : tensor<4x4xf32> to tensor<2x2xf32>
  %0 = kiln.slice %x {offsets = array<i64: 1, 0>, sizes = array<i64: 2, 2>, strides = array<i64: 1, 2>} : (tensor<4x4xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// Gather reads the data with tensor.extract inside a generic over the
// indices; negative indices count from the end.
// CHECK-LABEL: func.func @gather
// CHECK-SAME: (%[[X:.*]]: tensor<4x3xf32>, %[[I:.*]]: tensor<2xi64>)
func.func @gather(%x: tensor<4x3xf32>, %i: tensor<2xi64>) -> tensor<2x3xf32> {
  // CHECK: linalg.generic {{.*}} ins(%[[I]] : tensor<2xi64>) outs(%{{.*}} : tensor<2x3xf32>)
  // CHECK: ^bb0(%[[IDX:.*]]: i64, %{{.*}}: f32):
  // CHECK: %[[CAST:.*]] = arith.index_cast %[[IDX]] : i64 to index
  // CHECK: %[[NEG:.*]] = arith.cmpi slt, %[[CAST]]
  // CHECK: %[[ROW:.*]] = arith.minsi
  // CHECK: %[[COL:.*]] = linalg.index 1 : index
  // CHECK: %[[V:.*]] = tensor.extract %[[X]][%[[ROW]], %[[COL]]] : tensor<4x3xf32>
  // CHECK: linalg.yield %[[V]] : f32
  %0 = kiln.gather %x, %i {axis = 0 : i64} : (tensor<4x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @pad
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
func.func @pad(%x: tensor<2x3xf32>) -> tensor<3x6xf32> {
  // CHECK: %[[V:.*]] = arith.constant 5.000000e+00 : f32
  // CHECK: tensor.pad %[[X]] low[1, 1] high[0, 2]
  // CHECK: tensor.yield %[[V]] : f32
  // CHECK: } : tensor<2x3xf32> to tensor<3x6xf32>
  %0 = kiln.pad %x {pads = array<i64: 1, 1, 0, 2>, value = 5.0 : f64} : (tensor<2x3xf32>) -> tensor<3x6xf32>
  return %0 : tensor<3x6xf32>
}
