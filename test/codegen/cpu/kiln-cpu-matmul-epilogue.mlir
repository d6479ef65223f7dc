// RUN: %kiln-opt %s --split-input-file --kiln-cpu-tile-contractions | FileCheck %s
// RUN: %kiln-opt %s --split-input-file --kiln-cpu-tile-contractions=epilogues=false | FileCheck %s --check-prefix=OFF

// The packed matmul kernel applies the elementwise consumer of its result
// (cpu/MatmulEpilogue.cpp) to each accumulator row before storing it.

// A bias per column (read as a 64-wide vector at the panel's column) and a
// ReLU whose zero is a captured constant (splat): the consumer is gone,
// its ops run on the vectors between the K loop and the stores.
// CHECK-LABEL: func.func @bias_relu
// CHECK-SAME: (%[[A:.*]]: tensor<8x70xf32>, %[[B:.*]]: tensor<64xf32>)
// CHECK: scf.forall
// CHECK: %[[ACC:.*]]:6 = scf.for
// CHECK: vector.fma
// CHECK: %[[COL:.*]] = arith.muli
// CHECK: %[[BIAS:.*]] = vector.transfer_read %[[B]][%[[COL]]], %{{.*}} {in_bounds = [true]} : tensor<64xf32>, vector<64xf32>
// CHECK: %[[SUM:.*]] = arith.addf %[[ACC]]#0, %[[BIAS]] : vector<64xf32>
// CHECK: %[[RELU:.*]] = arith.maximumf %[[SUM]], %{{.*}} : vector<64xf32>
// CHECK: vector.transfer_write %[[RELU]]
// CHECK-NOT: linalg.generic
// OFF-LABEL: func.func @bias_relu
// OFF: scf.forall
// OFF: linalg.generic
#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
func.func @bias_relu(%a: tensor<8x70xf32>, %b: tensor<64xf32>) -> tensor<8x64xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<0.5> : tensor<70x64xf32>
  %e = tensor.empty() : tensor<8x64xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8x64xf32>) -> tensor<8x64xf32>
  %m = linalg.matmul ins(%a, %w : tensor<8x70xf32>, tensor<70x64xf32>) outs(%f : tensor<8x64xf32>) -> tensor<8x64xf32>
  %r = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%m, %b : tensor<8x64xf32>, tensor<64xf32>) outs(%e : tensor<8x64xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    %t = arith.maximumf %s, %zero : f32
    linalg.yield %t : f32
  } -> tensor<8x64xf32>
  return %r : tensor<8x64xf32>
}

// -----

// Through the views of an NCHW 1x1 convolution computed as pixels x
// channels: rows padded to 12 (a slice drops 2), a transpose, an
// expand_shape to 1x64x2x5. The bias varies along the consumer's dim 1,
// the matmul's columns; the residual is read with the consumer's own
// indexing through a transpose, which the kernel cannot read in its
// layout, so that consumer stays.
// CHECK-LABEL: func.func @through_views
// CHECK: %[[BIAS:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0, 1, 2]] : tensor<64x1x1xf32> into tensor<64xf32>
// CHECK: scf.forall
// CHECK: vector.transfer_read %[[BIAS]]
// CHECK: arith.addf {{.*}} : vector<64xf32>
// CHECK: linalg.transpose
// CHECK: %[[OUT:.*]] = tensor.expand_shape
// CHECK-NOT: linalg.generic
// CHECK: return %[[OUT]]
#nchw = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#chan = affine_map<(d0, d1, d2, d3) -> (d1, 0, 0)>
func.func @through_views(%a: tensor<12x70xf32>, %b: tensor<64x1x1xf32>) -> tensor<1x64x2x5xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<0.5> : tensor<70x64xf32>
  %e = tensor.empty() : tensor<12x64xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<12x64xf32>) -> tensor<12x64xf32>
  %m = linalg.matmul ins(%a, %w : tensor<12x70xf32>, tensor<70x64xf32>) outs(%f : tensor<12x64xf32>) -> tensor<12x64xf32>
  %s = tensor.extract_slice %m[0, 0] [10, 64] [1, 1] : tensor<12x64xf32> to tensor<10x64xf32>
  %te = tensor.empty() : tensor<64x10xf32>
  %t = linalg.transpose ins(%s : tensor<10x64xf32>) outs(%te : tensor<64x10xf32>) permutation = [1, 0]
  %x = tensor.expand_shape %t [[0, 1], [2, 3]] output_shape [1, 64, 2, 5] : tensor<64x10xf32> into tensor<1x64x2x5xf32>
  %oe = tensor.empty() : tensor<1x64x2x5xf32>
  %r = linalg.generic {indexing_maps = [#nchw, #chan, #nchw], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x, %b : tensor<1x64x2x5xf32>, tensor<64x1x1xf32>) outs(%oe : tensor<1x64x2x5xf32>) {
  ^bb0(%v: f32, %c: f32, %o: f32):
    %y = arith.addf %v, %c : f32
    linalg.yield %y : f32
  } -> tensor<1x64x2x5xf32>
  return %r : tensor<1x64x2x5xf32>
}

// -----

// A residual read through the transpose would need a transposed copy of
// it: the consumer stays.
// CHECK-LABEL: func.func @residual_through_transpose
// CHECK: scf.forall
// CHECK: linalg.transpose
// CHECK: linalg.generic
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @residual_through_transpose(%a: tensor<12x70xf32>, %res: tensor<64x12xf32>) -> tensor<64x12xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<0.5> : tensor<70x64xf32>
  %e = tensor.empty() : tensor<12x64xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<12x64xf32>) -> tensor<12x64xf32>
  %m = linalg.matmul ins(%a, %w : tensor<12x70xf32>, tensor<70x64xf32>) outs(%f : tensor<12x64xf32>) -> tensor<12x64xf32>
  %te = tensor.empty() : tensor<64x12xf32>
  %t = linalg.transpose ins(%m : tensor<12x64xf32>) outs(%te : tensor<64x12xf32>) permutation = [1, 0]
  %r = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%t, %res : tensor<64x12xf32>, tensor<64x12xf32>) outs(%te : tensor<64x12xf32>) {
  ^bb0(%v: f32, %c: f32, %o: f32):
    %y = arith.addf %v, %c : f32
    linalg.yield %y : f32
  } -> tensor<64x12xf32>
  return %r : tensor<64x12xf32>
}

// -----

// A consumer that feeds a pad stays: it writes into the padded buffer's
// interior, which the kernel's rows cannot.
// CHECK-LABEL: func.func @feeds_pad
// CHECK: scf.forall
// CHECK: linalg.generic
// CHECK: tensor.pad
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @feeds_pad(%a: tensor<8x70xf32>) -> tensor<10x64xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<0.5> : tensor<70x64xf32>
  %e = tensor.empty() : tensor<8x64xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8x64xf32>) -> tensor<8x64xf32>
  %m = linalg.matmul ins(%a, %w : tensor<8x70xf32>, tensor<70x64xf32>) outs(%f : tensor<8x64xf32>) -> tensor<8x64xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%m : tensor<8x64xf32>) outs(%e : tensor<8x64xf32>) {
  ^bb0(%x: f32, %o: f32):
    %t = arith.maximumf %x, %zero : f32
    linalg.yield %t : f32
  } -> tensor<8x64xf32>
  %p = tensor.pad %r low[1, 0] high[1, 0] {
  ^bb0(%i: index, %j: index):
    tensor.yield %zero : f32
  } : tensor<8x64xf32> to tensor<10x64xf32>
  return %p : tensor<10x64xf32>
}

// -----

// So does one that feeds a concatenation (an insert_slice into a larger
// tensor), which it writes into in place.
// CHECK-LABEL: func.func @feeds_concat
// CHECK: scf.forall
// CHECK: linalg.generic
// CHECK: tensor.insert_slice
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @feeds_concat(%a: tensor<8x70xf32>, %into: tensor<8x128xf32>) -> tensor<8x128xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<0.5> : tensor<70x64xf32>
  %e = tensor.empty() : tensor<8x64xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8x64xf32>) -> tensor<8x64xf32>
  %m = linalg.matmul ins(%a, %w : tensor<8x70xf32>, tensor<70x64xf32>) outs(%f : tensor<8x64xf32>) -> tensor<8x64xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%m : tensor<8x64xf32>) outs(%e : tensor<8x64xf32>) {
  ^bb0(%x: f32, %o: f32):
    %t = arith.maximumf %x, %zero : f32
    linalg.yield %t : f32
  } -> tensor<8x64xf32>
  %c = tensor.insert_slice %r into %into[0, 64] [8, 64] [1, 1] : tensor<8x64xf32> into tensor<8x128xf32>
  return %c : tensor<8x128xf32>
}

// -----

// A padded-width convolution's product (8 channels x 3 rows of 20 columns,
// 2 of them junk) seen as 1x8x3x20, its junk columns sliced off before the
// consumer: a bias per channel (the matmul's rows) is fused, the tiles
// applying it to the junk columns too. A residual in the consumer's layout
// does not match the kernel's padded rows, so that consumer stays.
// CHECK-LABEL: func.func @junk_columns
// CHECK: scf.forall
// CHECK: %[[ACC:.*]]:6 = scf.for
// CHECK: %[[BIAS:.*]] = tensor.extract %{{.*}} : tensor<8xf32>
// CHECK: %[[SPLAT:.*]] = vector.broadcast %[[BIAS]] : f32 to vector<64xf32>
// CHECK: arith.addf %[[ACC]]#0, %[[SPLAT]] : vector<64xf32>
// CHECK: %[[WIDE:.*]] = tensor.expand_shape %{{.*}} into tensor<1x8x3x20xf32>
// CHECK: %[[OUT:.*]] = tensor.extract_slice %[[WIDE]][0, 0, 0, 0] [1, 8, 3, 18] [1, 1, 1, 1]
// CHECK-NOT: linalg.generic
// CHECK: return %[[OUT]]
// CHECK-LABEL: func.func @junk_columns_residual
// CHECK: scf.forall
// CHECK: tensor.extract_slice
// CHECK: linalg.generic
// OFF-LABEL: func.func @junk_columns
// OFF: linalg.generic
#img = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#channel = affine_map<(d0, d1, d2, d3) -> (d1)>
func.func @junk_columns(%a: tensor<8x70xf32>, %b: tensor<8xf32>) -> tensor<1x8x3x18xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<0.5> : tensor<70x60xf32>
  %e = tensor.empty() : tensor<8x60xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8x60xf32>) -> tensor<8x60xf32>
  %m = linalg.matmul ins(%a, %w : tensor<8x70xf32>, tensor<70x60xf32>) outs(%f : tensor<8x60xf32>) -> tensor<8x60xf32>
  %wide = tensor.expand_shape %m [[0, 1], [2, 3]] output_shape [1, 8, 3, 20] : tensor<8x60xf32> into tensor<1x8x3x20xf32>
  %s = tensor.extract_slice %wide[0, 0, 0, 0] [1, 8, 3, 18] [1, 1, 1, 1] : tensor<1x8x3x20xf32> to tensor<1x8x3x18xf32>
  %o = tensor.empty() : tensor<1x8x3x18xf32>
  %r = linalg.generic {indexing_maps = [#img, #channel, #img], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%s, %b : tensor<1x8x3x18xf32>, tensor<8xf32>) outs(%o : tensor<1x8x3x18xf32>) {
  ^bb0(%x: f32, %y: f32, %out: f32):
    %t = arith.addf %x, %y : f32
    linalg.yield %t : f32
  } -> tensor<1x8x3x18xf32>
  return %r : tensor<1x8x3x18xf32>
}

func.func @junk_columns_residual(%a: tensor<8x70xf32>, %res: tensor<1x8x3x18xf32>) -> tensor<1x8x3x18xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<0.5> : tensor<70x60xf32>
  %e = tensor.empty() : tensor<8x60xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8x60xf32>) -> tensor<8x60xf32>
  %m = linalg.matmul ins(%a, %w : tensor<8x70xf32>, tensor<70x60xf32>) outs(%f : tensor<8x60xf32>) -> tensor<8x60xf32>
  %wide = tensor.expand_shape %m [[0, 1], [2, 3]] output_shape [1, 8, 3, 20] : tensor<8x60xf32> into tensor<1x8x3x20xf32>
  %s = tensor.extract_slice %wide[0, 0, 0, 0] [1, 8, 3, 18] [1, 1, 1, 1] : tensor<1x8x3x20xf32> to tensor<1x8x3x18xf32>
  %o = tensor.empty() : tensor<1x8x3x18xf32>
  %r = linalg.generic {indexing_maps = [#img, #img, #img], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%s, %res : tensor<1x8x3x18xf32>, tensor<1x8x3x18xf32>) outs(%o : tensor<1x8x3x18xf32>) {
  ^bb0(%x: f32, %y: f32, %out: f32):
    %t = arith.addf %x, %y : f32
    linalg.yield %t : f32
  } -> tensor<1x8x3x18xf32>
  return %r : tensor<1x8x3x18xf32>
}
