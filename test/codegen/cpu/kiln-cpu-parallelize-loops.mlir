// RUN: %kiln-opt %s --split-input-file --kiln-cpu-parallelize-loops | FileCheck %s

// A large elementwise op is tiled along its first parallel dim of extent
// >= 2 into 16 chunks of a size that divides it (64 channels: 4 each).
#map = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @large
func.func @large(%x: tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32> {
  // CHECK: scf.forall (%{{.*}}) = (0) to (64) step (4)
  // CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<1x4x56x56xf32>)
  %e = tensor.empty() : tensor<1x64x56x56xf32>
  %0 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<1x64x56x56xf32>) outs(%e : tensor<1x64x56x56xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.exp %a : f32
    linalg.yield %r : f32
  } -> tensor<1x64x56x56xf32>
  return %0 : tensor<1x64x56x56xf32>
}

// -----

// Below min-elements (32768 points) nothing is split.
#map = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @small
func.func @small(%x: tensor<16x16xf32>) -> tensor<16x16xf32> {
  // CHECK-NOT: scf.forall
  // CHECK: linalg.generic
  %e = tensor.empty() : tensor<16x16xf32>
  %0 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<16x16xf32>) outs(%e : tensor<16x16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.exp %a : f32
    linalg.yield %r : f32
  } -> tensor<16x16xf32>
  return %0 : tensor<16x16xf32>
}

// -----

// A dynamic dim (the batch) stays whole; the static channels are split.
#map = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @dynamic_batch
func.func @dynamic_batch(%x: tensor<?x64x56x56xf32>) -> tensor<?x64x56x56xf32> {
  // CHECK: scf.forall (%{{.*}}) = (0) to (64) step (4)
  // CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<?x4x56x56xf32>)
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x64x56x56xf32>
  %e = tensor.empty(%n) : tensor<?x64x56x56xf32>
  %0 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<?x64x56x56xf32>) outs(%e : tensor<?x64x56x56xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.exp %a : f32
    linalg.yield %r : f32
  } -> tensor<?x64x56x56xf32>
  return %0 : tensor<?x64x56x56xf32>
}

// -----

// Batch x sequence activations (two dynamic dims, 256 static points) are
// split 4 x 4 with run-time chunk sizes (tile_using_forall num_threads), so
// batch 1 with a long sequence uses the threads too.
#map = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @batch_and_sequence
func.func @batch_and_sequence(%x: tensor<?x?x256xf32>) -> tensor<?x?x256xf32> {
  // CHECK: scf.forall (%{{.*}}, %{{.*}}) in (4, 4)
  // CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<?x?x256xf32>)
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = tensor.dim %x, %c0 : tensor<?x?x256xf32>
  %s = tensor.dim %x, %c1 : tensor<?x?x256xf32>
  %e = tensor.empty(%b, %s) : tensor<?x?x256xf32>
  %0 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x : tensor<?x?x256xf32>) outs(%e : tensor<?x?x256xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.exp %a : f32
    linalg.yield %r : f32
  } -> tensor<?x?x256xf32>
  return %0 : tensor<?x?x256xf32>
}

// -----

// One dynamic dim and few static points (a small feature map with a
// dynamic batch): left whole, as the static batch-1 op would be.
#map = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @small_dynamic_batch
func.func @small_dynamic_batch(%x: tensor<?x8x14x14xf32>) -> tensor<?x8x14x14xf32> {
  // CHECK-NOT: scf.forall
  // CHECK: linalg.generic
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x8x14x14xf32>
  %e = tensor.empty(%n) : tensor<?x8x14x14xf32>
  %0 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<?x8x14x14xf32>) outs(%e : tensor<?x8x14x14xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.exp %a : f32
    linalg.yield %r : f32
  } -> tensor<?x8x14x14xf32>
  return %0 : tensor<?x8x14x14xf32>
}

// -----

// A dynamic batch over a larger feature map (a quarter of min-elements
// static points or more) is split along the batch, one image per
// iteration, so each piece has the static shape of a batch-1 library; a
// batch of 1 runs the op whole, without starting the workers.
#map = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @mid_dynamic_batch
func.func @mid_dynamic_batch(%x: tensor<?x32x16x16xf32>) -> tensor<?x32x16x16xf32> {
  // CHECK: %[[MANY:.*]] = arith.cmpi sge, %{{.*}}, %c2
  // CHECK: scf.if %[[MANY]]
  // CHECK: scf.forall (%{{.*}}) in (%{{.*}})
  // CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<1x32x16x16xf32>)
  // CHECK: } else {
  // CHECK-NOT: scf.forall
  // CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<?x32x16x16xf32>)
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x32x16x16xf32>
  %e = tensor.empty(%n) : tensor<?x32x16x16xf32>
  %0 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<?x32x16x16xf32>) outs(%e : tensor<?x32x16x16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.exp %a : f32
    linalg.yield %r : f32
  } -> tensor<?x32x16x16xf32>
  return %0 : tensor<?x32x16x16xf32>
}

// -----

// An op inside a sequential loop (a dynamic batch's per-image work) is
// split like any other; one already inside a parallel loop is not, so
// parallel regions never nest.
#map = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @inside_loops
func.func @inside_loops(%x: tensor<1x64x56x56xf32>, %n: index) -> tensor<1x64x56x56xf32> {
  // CHECK: scf.for
  // CHECK-NEXT: scf.forall (%{{.*}}) = (0) to (64) step (4)
  // CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<1x4x56x56xf32>)
  // CHECK: scf.forall (%{{.*}}) in (2)
  // CHECK-NOT: scf.forall
  // CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<1x64x56x56xf32>)
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %e = tensor.empty() : tensor<1x64x56x56xf32>
  %0 = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %x) -> (tensor<1x64x56x56xf32>) {
    %g = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%acc : tensor<1x64x56x56xf32>) outs(%e : tensor<1x64x56x56xf32>) {
    ^bb0(%a: f32, %o: f32):
      %r = math.exp %a : f32
      linalg.yield %r : f32
    } -> tensor<1x64x56x56xf32>
    scf.yield %g : tensor<1x64x56x56xf32>
  }
  %1 = scf.forall (%j) in (2) shared_outs(%out = %0) -> (tensor<1x64x56x56xf32>) {
    %g = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%0 : tensor<1x64x56x56xf32>) outs(%e : tensor<1x64x56x56xf32>) {
    ^bb0(%a: f32, %o: f32):
      %r = math.exp %a : f32
      linalg.yield %r : f32
    } -> tensor<1x64x56x56xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %g into %out[0, 0, 0, 0] [1, 64, 56, 56] [1, 1, 1, 1] : tensor<1x64x56x56xf32> into tensor<1x64x56x56xf32>
    }
  }
  return %1 : tensor<1x64x56x56xf32>
}
