// RUN: %kiln-opt %s --split-input-file --kiln-cpu-tile-contractions="packed-kernel=false" | FileCheck %s
// RUN: %kiln-opt %s --split-input-file --kiln-cpu-tile-contractions="packed-kernel=false tile-rows=4 tile-cols=32" | FileCheck %s --check-prefix=OPT

// The generic register tiles, for the matmuls that the packed-panel kernel
// does not take (kiln-cpu-packed-matmul.mlir tests that kernel; the
// packed-kernel=false option sends every matmul here).

// A 12x128x16 matmul into a zero fill: 6 x 64 register tiles (two row
// tiles, two column tiles, no remainder), K stepped by 4 and unrolled, each
// step 6 rows x 4 k = 24 broadcast + FMA outer-product updates. The zero
// fill becomes the vector accumulator's initial value.
// CHECK-LABEL: func.func @matmul_12x128x16
// CHECK-SAME: (%[[A:.*]]: tensor<12x16xf32>, %[[B:.*]]: tensor<16x128xf32>)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG: %[[C16:.*]] = arith.constant 16 : index
// CHECK-DAG: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : vector<6x64xf32>
// CHECK-NOT: linalg.fill
// The register tiles form one scf.forall (run on the thread pool later).
// CHECK: scf.forall (%[[J:.*]], %[[I:.*]]) = (0, 0) to (128, 12) step (64, 6) shared_outs(%[[OUT:.*]] = %{{.*}})
// CHECK-DAG: tensor.extract_slice %[[A]][%[[I]], 0] [6, 16] [1, 1] : tensor<12x16xf32> to tensor<6x16xf32>
// CHECK-DAG: tensor.extract_slice %[[B]][0, %[[J]]] [16, 64] [1, 1] : tensor<16x128xf32> to tensor<16x64xf32>
// CHECK: %[[ACC:.*]] = scf.for %{{.*}} = %[[C0]] to %[[C16]] step %[[C4]] iter_args(%{{.*}} = %[[ZERO]]) -> (vector<6x64xf32>)
// CHECK: vector.transfer_read {{.*}} : tensor<6x4xf32>, vector<6x4xf32>
// CHECK: %[[BROW:.*]] = vector.transfer_read {{.*}} : tensor<4x64xf32>, vector<4x64xf32>
// CHECK: %[[BK:.*]] = vector.extract %[[BROW]][0] : vector<64xf32> from vector<4x64xf32>
// CHECK: %[[AIK:.*]] = vector.extract %{{.*}}[0, 0] : f32 from vector<6x4xf32>
// CHECK: %[[SPLAT:.*]] = vector.broadcast %[[AIK]] : f32 to vector<64xf32>
// CHECK: vector.fma %[[SPLAT]], %[[BK]], %{{.*}} : vector<64xf32>
// CHECK-COUNT-23: vector.fma
// CHECK-NOT: vector.fma
// CHECK: scf.yield %{{.*}} : vector<6x64xf32>
// CHECK: %[[W:.*]] = vector.transfer_write %[[ACC]], %{{.*}}[%[[C0]], %[[C0]]] {in_bounds = [true, true]} : vector<6x64xf32>, tensor<6x64xf32>
// CHECK: scf.forall.in_parallel
// CHECK: tensor.parallel_insert_slice %[[W]] into %[[OUT]][%[[I]], %[[J]]] [6, 64] [1, 1] : tensor<6x64xf32> into tensor<12x128xf32>
// CHECK-NOT: linalg.matmul

// The tile sizes are pass options.
// OPT-LABEL: func.func @matmul_12x128x16
// OPT: arith.constant dense<0.000000e+00> : vector<4x32xf32>
// OPT: scf.forall
// OPT: tensor.extract_slice {{.*}} [4, 16] [1, 1] : tensor<12x16xf32> to tensor<4x16xf32>
// OPT: tensor.extract_slice {{.*}} [16, 32] [1, 1] : tensor<16x128xf32> to tensor<16x32xf32>
// OPT-COUNT-16: vector.fma {{.*}} : vector<32xf32>
// OPT-NOT: vector.fma
func.func @matmul_12x128x16(%a: tensor<12x16xf32>, %b: tensor<16x128xf32>) -> tensor<12x128xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<12x128xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<12x128xf32>) -> tensor<12x128xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<12x16xf32>, tensor<16x128xf32>) outs(%f : tensor<12x128xf32>) -> tensor<12x128xf32>
  return %0 : tensor<12x128xf32>
}

// -----

// 13 x 130: the 12 x 128 full part is tiled; the remainders (12 x 2,
// 1 x 128, 1 x 2) become generics looping (m, k, n), so that the loop
// fallback's innermost loop walks rows of B contiguously.
// CHECK-LABEL: func.func @matmul_remainders
// OPT-LABEL: func.func @matmul_remainders
// CHECK: scf.forall
// CHECK: vector.fma
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%{{.*}}, %{{.*}} : tensor<12x16xf32>, tensor<16x2xf32>) outs(%{{.*}} : tensor<12x2xf32>)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%{{.*}}, %{{.*}} : tensor<1x16xf32>, tensor<16x128xf32>) outs(%{{.*}} : tensor<1x128xf32>)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%{{.*}}, %{{.*}} : tensor<1x16xf32>, tensor<16x2xf32>) outs(%{{.*}} : tensor<1x2xf32>)
func.func @matmul_remainders(%a: tensor<13x16xf32>, %b: tensor<16x130xf32>) -> tensor<13x130xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<13x130xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<13x130xf32>) -> tensor<13x130xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<13x16xf32>, tensor<16x130xf32>) outs(%f : tensor<13x130xf32>) -> tensor<13x130xf32>
  return %0 : tensor<13x130xf32>
}

// -----

// Too small for one register tile: only reordered for the loop fallback.
// CHECK-LABEL: func.func @matmul_small
// CHECK-NOT: scf.for
// CHECK-NOT: vector.fma
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]}
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @matmul_small(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x4xf32>) -> tensor<2x4xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<2x3xf32>, tensor<3x4xf32>) outs(%f : tensor<2x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// A dynamic M (batch x sequence rows): 96-row blocks (16 register tiles)
// in a loop, then one guarded block each of 48, 24, 12 and 6 rows, then one
// static matmul per count of the last 1-5 rows. Every block is
// register-tiled (vector.fma); the 6-row block with 3-row tiles, since a
// single-tile loop would not vectorize.
// CHECK-LABEL: func.func @dynamic_rows
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c96
// CHECK: tensor.extract_slice %{{.*}} [96, 16] [1, 1] : tensor<?x16xf32> to tensor<96x16xf32>
// CHECK: scf.forall {{.*}} to (128, 96) step (64, 6)
// CHECK: vector.fma
// CHECK: arith.cmpi uge, %{{.*}}, %c48
// CHECK: tensor<48x16xf32>
// CHECK: scf.forall {{.*}} to (128, 48) step (64, 6)
// CHECK: arith.cmpi uge, %{{.*}}, %c24
// CHECK: scf.forall {{.*}} to (128, 24) step (64, 6)
// CHECK: arith.cmpi uge, %{{.*}}, %c12
// CHECK: scf.forall {{.*}} to (128, 12) step (64, 6)
// CHECK: arith.cmpi uge, %{{.*}}, %c6
// CHECK: scf.forall {{.*}} to (128, 6) step (64, 3)
// CHECK: vector.fma
// CHECK: arith.cmpi eq, %{{.*}}, %c1
// CHECK: tensor<1x16xf32>
// CHECK: arith.cmpi eq, %{{.*}}, %c5
// CHECK: tensor<5x16xf32>
// CHECK-NOT: linalg.matmul
func.func @dynamic_rows(%a: tensor<?x16xf32>, %b: tensor<16x128xf32>) -> tensor<?x128xf32> {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %m = tensor.dim %a, %c0 : tensor<?x16xf32>
  %e = tensor.empty(%m) : tensor<?x128xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x128xf32>) -> tensor<?x128xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<?x16xf32>, tensor<16x128xf32>) outs(%f : tensor<?x128xf32>) -> tensor<?x128xf32>
  return %0 : tensor<?x128xf32>
}
