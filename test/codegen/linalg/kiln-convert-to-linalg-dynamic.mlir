// RUN: %kiln-opt %s --split-input-file --kiln-convert-to-linalg | FileCheck %s
// RUN: %kiln-opt %s --split-input-file --kiln-convert-to-linalg=batched-convolutions=true | FileCheck %s --check-prefix=BATCHED

// Dynamic (`?`) dims: result sizes come from the operands through
// tensor.dim, reshapes keep the dims a reassociation maps through, and a
// batched convolution loops over the batch with the batch-1 lowering.

// CHECK-LABEL: func.func @add_dynamic
// CHECK-SAME: (%[[A:.*]]: tensor<?x3xf32>, %[[B:.*]]: tensor<1x3xf32>)
func.func @add_dynamic(%a: tensor<?x3xf32>, %b: tensor<1x3xf32>) -> tensor<?x3xf32> {
  // The size comes from %a: %b is broadcast along dim 0.
  // CHECK: %[[D:.*]] = tensor.dim %[[A]], %{{.*}} : tensor<?x3xf32>
  // CHECK: %[[E:.*]] = tensor.empty(%[[D]]) : tensor<?x3xf32>
  // CHECK: linalg.generic {{.*}} ins(%[[A]], %[[B]] : tensor<?x3xf32>, tensor<1x3xf32>) outs(%[[E]] : tensor<?x3xf32>)
  %0 = kiln.add %a, %b : (tensor<?x3xf32>, tensor<1x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// CHECK-LABEL: func.func @add_size_from_rhs
// CHECK-SAME: (%[[A:.*]]: tensor<1x3xf32>, %[[B:.*]]: tensor<?x3xf32>)
func.func @add_size_from_rhs(%a: tensor<1x3xf32>, %b: tensor<?x3xf32>) -> tensor<?x3xf32> {
  // CHECK: %[[D:.*]] = tensor.dim %[[B]], %{{.*}} : tensor<?x3xf32>
  // CHECK: tensor.empty(%[[D]]) : tensor<?x3xf32>
  %0 = kiln.add %a, %b : (tensor<1x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// Batch and sequence collapse into the matmul's rows and are restored from
// the input's dims.
// CHECK-LABEL: func.func @matmul_dynamic_rows
// CHECK-SAME: (%[[A:.*]]: tensor<?x?x8xf32>, %[[W:.*]]: tensor<8x5xf32>)
func.func @matmul_dynamic_rows(%a: tensor<?x?x8xf32>, %w: tensor<8x5xf32>) -> tensor<?x?x5xf32> {
  // CHECK-DAG: %[[B:.*]] = tensor.dim %[[A]], %c0
  // CHECK-DAG: %[[S:.*]] = tensor.dim %[[A]], %c1
  // CHECK: %[[ROWS:.*]] = tensor.collapse_shape %[[A]] {{\[\[}}0, 1], [2]] : tensor<?x?x8xf32> into tensor<?x8xf32>
  // CHECK: %[[M:.*]] = linalg.matmul ins(%[[ROWS]], %[[W]] : tensor<?x8xf32>, tensor<8x5xf32>) outs(%{{.*}} : tensor<?x5xf32>)
  // CHECK: tensor.expand_shape %[[M]] {{\[\[}}0, 1], [2]] output_shape [%[[B]], %[[S]], 5] : tensor<?x5xf32> into tensor<?x?x5xf32>
  %0 = kiln.matmul %a, %w : (tensor<?x?x8xf32>, tensor<8x5xf32>) -> tensor<?x?x5xf32>
  return %0 : tensor<?x?x5xf32>
}

// -----

// CHECK-LABEL: func.func @flatten_dynamic_batch
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x2x2xf32>)
func.func @flatten_dynamic_batch(%x: tensor<?x4x2x2xf32>) -> tensor<?x16xf32> {
  // CHECK: %[[R:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0], [1, 2, 3]] : tensor<?x4x2x2xf32> into tensor<?x16xf32>
  // CHECK: return %[[R]]
  %0 = kiln.reshape %x : (tensor<?x4x2x2xf32>) -> tensor<?x16xf32>
  return %0 : tensor<?x16xf32>
}

// -----

// A reshape with no reassociation goes through 1-D; the one dynamic dim of
// the target is inferred from the element count.
// CHECK-LABEL: func.func @reshape_through_flat
func.func @reshape_through_flat(%x: tensor<?x6xf32>) -> tensor<?x4xf32> {
  // CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1]] : tensor<?x6xf32> into tensor<?xf32>
  // CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [%{{.*}}, 4] : tensor<?xf32> into tensor<?x4xf32>
  %0 = kiln.reshape %x : (tensor<?x6xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// The mean's divisor is the run-time element count of the reduced dims.
// CHECK-LABEL: func.func @mean_dynamic_axis
// CHECK-SAME: (%[[X:.*]]: tensor<2x?xf32>)
func.func @mean_dynamic_axis(%x: tensor<2x?xf32>) -> tensor<2xf32> {
  // CHECK: %[[N:.*]] = tensor.dim %[[X]], %c1{{.*}} : tensor<2x?xf32>
  // CHECK: %[[I:.*]] = arith.index_cast %{{.*}} : index to i64
  // CHECK: %[[F:.*]] = arith.sitofp %[[I]] : i64 to f32
  // CHECK: %[[DIV:.*]] = arith.mulf %[[F]], %{{.*}} : f32
  // CHECK: arith.divf %{{.*}}, %[[DIV]] : f32
  %0 = kiln.reduce_mean %x {axes = array<i64: 1>, keepdims = false} : (tensor<2x?xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// CHECK-LABEL: func.func @transpose_dynamic
// CHECK-SAME: (%[[X:.*]]: tensor<?x3xf32>)
func.func @transpose_dynamic(%x: tensor<?x3xf32>) -> tensor<3x?xf32> {
  // CHECK: %[[D:.*]] = tensor.dim %[[X]], %c0
  // CHECK: %[[E:.*]] = tensor.empty(%[[D]]) : tensor<3x?xf32>
  // CHECK: linalg.transpose ins(%[[X]] : tensor<?x3xf32>) outs(%[[E]] : tensor<3x?xf32>) permutation = [1, 0]
  %0 = kiln.transpose %x {perm = array<i64: 1, 0>} : (tensor<?x3xf32>) -> tensor<3x?xf32>
  return %0 : tensor<3x?xf32>
}

// -----

// A dynamic batch: one batch-1 convolution (static shapes, which the CPU
// computes as im2col + matmul) per image in an scf.for, inserted into the
// result.
// With batched-convolutions (the GPU target) the whole batch is one op.
// CHECK-LABEL: func.func @conv_dynamic_batch
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x8x8xf32>, %[[W:.*]]: tensor<4x3x3x3xf32>)
// BATCHED-LABEL: func.func @conv_dynamic_batch
// BATCHED-NOT: scf.for
// BATCHED: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// BATCHED: } : tensor<?x3x8x8xf32> to tensor<?x3x10x10xf32>
// BATCHED: linalg.conv_2d_nchw_fchw {{.*}} ins(%{{.*}}, %{{.*}} : tensor<?x3x10x10xf32>, tensor<4x3x3x3xf32>) {{.*}} -> tensor<?x4x8x8xf32>
// BATCHED-NOT: scf.for
func.func @conv_dynamic_batch(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<?x4x8x8xf32> {
  // CHECK: %[[N:.*]] = tensor.dim %[[X]], %c0
  // CHECK: %[[ACC:.*]] = tensor.empty(%{{.*}}) : tensor<?x4x8x8xf32>
  // CHECK: scf.for %[[I:.*]] = %{{.*}} to %[[N]] step %{{.*}} iter_args(%[[IT:.*]] = %[[ACC]]) -> (tensor<?x4x8x8xf32>)
  // CHECK: %[[IMG:.*]] = tensor.extract_slice %[[X]][%[[I]], 0, 0, 0] [1, 3, 8, 8] [1, 1, 1, 1] : tensor<?x3x8x8xf32> to tensor<1x3x8x8xf32>
  // CHECK: tensor.pad %[[IMG]]
  // CHECK: linalg.conv_2d_nchw_fchw {{.*}} -> tensor<1x4x8x8xf32>
  // CHECK: tensor.insert_slice %{{.*}} into %[[IT]][%[[I]], 0, 0, 0] [1, 4, 8, 8] [1, 1, 1, 1] : tensor<1x4x8x8xf32> into tensor<?x4x8x8xf32>
  %0 = kiln.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x8x8xf32>
  return %0 : tensor<?x4x8x8xf32>
}

// -----

// A static batch above 1 takes the same loop.
// CHECK-LABEL: func.func @conv_batch_2
func.func @conv_batch_2(%x: tensor<2x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<2x4x6x6xf32> {
  // CHECK: scf.for {{.*}} -> (tensor<2x4x6x6xf32>)
  // CHECK: linalg.conv_2d_nchw_fchw
  %0 = kiln.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1 : i64} : (tensor<2x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<2x4x6x6xf32>
  return %0 : tensor<2x4x6x6xf32>
}

// -----

// Pooling and depthwise convolutions run over the whole dynamic batch.
// CHECK-LABEL: func.func @max_pool_dynamic_batch
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x8x8xf32>)
func.func @max_pool_dynamic_batch(%x: tensor<?x4x8x8xf32>) -> tensor<?x4x4x4xf32> {
  // CHECK: %[[N:.*]] = tensor.dim %[[X]], %c0
  // CHECK: tensor.empty(%[[N]]) : tensor<?x4x4x4xf32>
  // CHECK: linalg.generic {{.*}} ins(%[[X]], %{{.*}} : tensor<?x4x8x8xf32>, tensor<2x2xf32>)
  %0 = kiln.max_pool %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x4x8x8xf32>) -> tensor<?x4x4x4xf32>
  return %0 : tensor<?x4x4x4xf32>
}

// -----

// Dynamic image sizes: the result's height and width are computed at run
// time over the padded input, (h + 2 - 3) / 2 + 1, after a check that the
// padded input holds one window (else the run stops with a shape error).
func.func private @kiln_rt_dim_too_small(i64, i64)
// CHECK-LABEL: func.func @conv_dynamic_image
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x?x?xf32>, %[[W:.*]]: tensor<4x3x3x3xf32>)
func.func @conv_dynamic_image(%x: tensor<?x3x?x?xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<?x4x?x?xf32> {
  // CHECK: %[[H:.*]] = tensor.dim %[[X]], %c2
  // CHECK: %[[HP:.*]] = arith.addi %[[H]], %c2
  // CHECK: %[[SHORT:.*]] = arith.cmpi slt, %[[HP]], %c3
  // CHECK: scf.if %[[SHORT]]
  // CHECK: func.call @kiln_rt_dim_too_small
  // CHECK: %[[ROOM:.*]] = arith.subi %[[HP]], %c3
  // CHECK: %[[STEPS:.*]] = arith.divui %[[ROOM]], %c2
  // CHECK: %[[OH:.*]] = arith.addi %[[STEPS]], %c1
  // CHECK: %[[ACC:.*]] = tensor.empty(%{{.*}}, %[[OH]], %{{.*}}) : tensor<?x4x?x?xf32>
  // CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[ACC]]) -> (tensor<?x4x?x?xf32>)
  // CHECK: tensor.extract_slice %[[X]][%{{.*}}, 0, 0, 0] [1, 3, %{{.*}}, %{{.*}}] [1, 1, 1, 1] : tensor<?x3x?x?xf32> to tensor<1x3x?x?xf32>
  // CHECK: tensor.pad
  // CHECK: } : tensor<1x3x?x?xf32> to tensor<1x3x?x?xf32>
  // CHECK: linalg.conv_2d_nchw_fchw {{.*}} -> tensor<1x4x?x?xf32>
  %0 = kiln.conv %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 1 : i64} : (tensor<?x3x?x?xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// -----

// An average pool whose windows overhang padding they do not count: the
// divisors are a sum pool of ones over the padded input size, computed at
// run time since the image size is not known before.
// CHECK-LABEL: func.func @avg_pool_dynamic_image
func.func @avg_pool_dynamic_image(%x: tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32> {
  // CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<?x4x?x?xf32>, tensor<3x3xf32>)
  // CHECK: %[[ONES:.*]] = linalg.fill ins(%cst{{.*}} : f32) outs(%{{.*}} : tensor<1x1x?x?xf32>)
  // CHECK: %[[PADDED:.*]] = tensor.pad %[[ONES]] low[0, 0, 1, 1] high[0, 0, 1, 1]
  // CHECK: %[[SUMS:.*]] = linalg.generic {{.*}} ins(%[[PADDED]], %{{.*}} : tensor<1x1x?x?xf32>, tensor<3x3xf32>)
  // CHECK: %[[COUNTS:.*]] = tensor.collapse_shape %[[SUMS]] {{\[\[}}0, 1, 2], [3]] : tensor<1x1x?x?xf32> into tensor<?x?xf32>
  // CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[COUNTS]] : tensor<?x4x?x?xf32>, tensor<?x?xf32>)
  // CHECK: arith.divf
  %0 = kiln.avg_pool %x {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, count_include_pad = false} : (tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// -----

// Batched matmuls broadcast like numpy's: a [1, K, N] right-hand side is
// the 2-D [K, N] (the batch folds into the rows); a batch of 1 against a
// dynamic batch is copied along it before the batched matmul.
// CHECK-LABEL: func.func @batch_matmul_broadcast
// CHECK-SAME: (%[[A:.*]]: tensor<?x5x3xf32>, %[[B:.*]]: tensor<1x3x4xf32>, %[[C:.*]]: tensor<1x4x5x3xf32>, %[[D:.*]]: tensor<?x4x3x2xf32>)
func.func @batch_matmul_broadcast(%a: tensor<?x5x3xf32>, %b: tensor<1x3x4xf32>, %c: tensor<1x4x5x3xf32>, %d: tensor<?x4x3x2xf32>) -> (tensor<?x5x4xf32>, tensor<?x4x5x2xf32>) {
  // CHECK: %[[B2:.*]] = tensor.collapse_shape %[[B]] {{\[\[}}0, 1], [2]] : tensor<1x3x4xf32> into tensor<3x4xf32>
  // CHECK: linalg.matmul ins(%{{.*}}, %[[B2]] : tensor<?x3xf32>, tensor<3x4xf32>)
  %0 = kiln.matmul %a, %b : (tensor<?x5x3xf32>, tensor<1x3x4xf32>) -> tensor<?x5x4xf32>
  // CHECK: %[[N:.*]] = tensor.dim %[[D]], %c0
  // CHECK: %[[CB:.*]] = tensor.empty(%[[N]]) : tensor<?x4x5x3xf32>
  // CHECK: linalg.generic {{.*}} ins(%[[C]] : tensor<1x4x5x3xf32>) outs(%[[CB]] : tensor<?x4x5x3xf32>)
  // CHECK: linalg.batch_matmul {{.*}} -> tensor<?x5x2xf32>
  %1 = kiln.matmul %c, %d : (tensor<1x4x5x3xf32>, tensor<?x4x3x2xf32>) -> tensor<?x4x5x2xf32>
  return %0, %1 : tensor<?x5x4xf32>, tensor<?x4x5x2xf32>
}

// -----

// shape_of: the dims as i64 elements.
// CHECK-LABEL: func.func @shape_of
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>)
func.func @shape_of(%x: tensor<?x4xf32>) -> tensor<2xi64> {
  // CHECK: %[[D:.*]] = tensor.dim %[[X]], %c0
  // CHECK: %[[I:.*]] = arith.index_cast %[[D]] : index to i64
  // CHECK: %[[F:.*]] = arith.index_cast %c4{{.*}} : index to i64
  // CHECK: tensor.from_elements %[[I]], %[[F]] : tensor<2xi64>
  %0 = kiln.shape_of %x : (tensor<?x4xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// Attention scores with dynamic batch and sequence: the batch dims collapse
// into one for linalg.batch_matmul and are restored from the operands.
// CHECK-LABEL: func.func @batch_matmul_dynamic
// CHECK-SAME: (%[[A:.*]]: tensor<?x4x?x8xf32>, %[[B:.*]]: tensor<?x4x8x?xf32>)
func.func @batch_matmul_dynamic(%a: tensor<?x4x?x8xf32>, %b: tensor<?x4x8x?xf32>) -> tensor<?x4x?x?xf32> {
  // CHECK: %[[A3:.*]] = tensor.collapse_shape %[[A]] {{\[\[}}0, 1], [2], [3]] : tensor<?x4x?x8xf32> into tensor<?x?x8xf32>
  // CHECK: %[[B3:.*]] = tensor.collapse_shape %[[B]] {{\[\[}}0, 1], [2], [3]] : tensor<?x4x8x?xf32> into tensor<?x8x?xf32>
  // CHECK: %[[M:.*]] = linalg.batch_matmul ins(%[[A3]], %[[B3]] : tensor<?x?x8xf32>, tensor<?x8x?xf32>)
  // CHECK: tensor.expand_shape %[[M]] {{\[\[}}0, 1], [2], [3]] output_shape [%{{.*}}, 4, %{{.*}}, %{{.*}}] : tensor<?x?x?xf32> into tensor<?x4x?x?xf32>
  %0 = kiln.matmul %a, %b : (tensor<?x4x?x8xf32>, tensor<?x4x8x?xf32>) -> tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// -----

// broadcast_to: a dim the input has keeps the input's size; a broadcast one
// takes the shape tensor's element.
// CHECK-LABEL: func.func @broadcast_to
// CHECK-SAME: (%[[X:.*]]: tensor<?x1x4xf32>, %[[S:.*]]: tensor<3xi64>)
func.func @broadcast_to(%x: tensor<?x1x4xf32>, %s: tensor<3xi64>) -> tensor<?x?x4xf32> {
  // CHECK-DAG: %[[B:.*]] = tensor.dim %[[X]], %c0
  // CHECK-DAG: %[[E:.*]] = tensor.extract %[[S]][%c1{{.*}}] : tensor<3xi64>
  // CHECK: %[[N:.*]] = arith.index_cast %[[E]] : i64 to index
  // CHECK: %[[O:.*]] = tensor.empty(%[[B]], %[[N]]) : tensor<?x?x4xf32>
  // CHECK: linalg.generic {{.*}} ins(%[[X]] : tensor<?x1x4xf32>) outs(%[[O]] : tensor<?x?x4xf32>)
  %0 = kiln.broadcast_to %x, %s : (tensor<?x1x4xf32>, tensor<3xi64>) -> tensor<?x?x4xf32>
  return %0 : tensor<?x?x4xf32>
}

// -----

// With the runtime's check function declared (the driver declares it), two
// dynamic dims that meet are compared at run time before the generic.
func.func private @kiln_rt_dims_disagree(i64, i64)
// CHECK-LABEL: func.func @checked_add
// CHECK-SAME: (%[[A:.*]]: tensor<?x3xf32>, %[[B:.*]]: tensor<?x3xf32>)
func.func @checked_add(%a: tensor<?x3xf32>, %b: tensor<?x3xf32>) -> tensor<?x3xf32> {
  // CHECK: %[[DA:.*]] = tensor.dim %[[A]]
  // CHECK: %[[DB:.*]] = tensor.dim %[[B]]
  // CHECK: %[[NE:.*]] = arith.cmpi ne, %[[DA]], %[[DB]] : index
  // CHECK: scf.if %[[NE]] {
  // CHECK: func.call @kiln_rt_dims_disagree
  // CHECK: linalg.generic
  %0 = kiln.add %a, %b : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}
