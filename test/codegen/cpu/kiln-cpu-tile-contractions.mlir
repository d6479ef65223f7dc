// RUN: %kiln-opt %s --split-input-file --kiln-cpu-tile-contractions | FileCheck %s
// RUN: %kiln-opt %s --split-input-file --kiln-cpu-tile-contractions="tile-rows=4 tile-cols=32" | FileCheck %s --check-prefix=OPT

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


// -----

// A constant weight (a fully connected layer): it is packed at compile
// time into 64-column panels, [3][70][64] for N = 130 (the last panel
// zero-padded). With fewer rows than one register tile (batch 1), one
// scf.forall over panels walks K with one 64-wide accumulator per row
// (broadcast of A[m, k], FMA with the panel's row k), writes the rows into
// its slice of the padded result, and the padded columns are sliced off.
// CHECK-LABEL: func.func @gemv_constant_weight
// CHECK-SAME: (%[[A:.*]]: tensor<2x70xf32>)
// CHECK-DAG: %[[W:.*]] = arith.constant dense_resource<{{.*}}> : tensor<3x70x64xf32>
// CHECK: %[[ALL:.*]] = scf.forall (%[[P:.*]]) in (3) shared_outs(%[[OUT:.*]] = %{{.*}}) -> (tensor<2x192xf32>)
// CHECK: %[[COL:.*]] = arith.muli %[[P]], %{{.*}} : index
// CHECK: %[[DST:.*]] = tensor.extract_slice %[[OUT]][%{{.*}}, %[[COL]]] [2, 64] [1, 1]
// CHECK: %[[C70:.*]] = arith.constant 70 : index
// CHECK: %[[ACC:.*]]:2 = scf.for %[[K:.*]] = %{{.*}} to %[[C70]] step %{{.*}} iter_args(%{{.*}} = %[[ZERO:[^,]*]], %{{.*}} = %[[ZERO]]) -> (vector<64xf32>, vector<64xf32>)
// CHECK: %[[ROW:.*]] = vector.transfer_read %[[W]][%[[P]], %[[K]], %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<3x70x64xf32>, vector<64xf32>
// CHECK: %[[X0:.*]] = tensor.extract %[[A]][%{{.*}}, %[[K]]] : tensor<2x70xf32>
// CHECK: %[[S0:.*]] = vector.broadcast %[[X0]] : f32 to vector<64xf32>
// CHECK: vector.fma %[[S0]], %[[ROW]], %{{.*}} : vector<64xf32>
// CHECK: tensor.extract %[[A]]
// CHECK: vector.fma
// CHECK-NOT: vector.fma
// CHECK: %[[T0:.*]] = vector.transfer_write %[[ACC]]#0, %[[DST]]
// CHECK: %[[T1:.*]] = vector.transfer_write %[[ACC]]#1, %[[T0]]
// CHECK: scf.forall.in_parallel
// CHECK: tensor.parallel_insert_slice %[[T1]] into %[[OUT]][%{{.*}}, %[[COL]]] [2, 64] [1, 1] : tensor<2x64xf32> into tensor<2x192xf32>
// CHECK: tensor.extract_slice %[[ALL]][0, 0] [2, 130] [1, 1] : tensor<2x192xf32> to tensor<2x130xf32>
// CHECK-NOT: linalg.matmul
func.func @gemv_constant_weight(%a: tensor<2x70xf32>) -> tensor<2x130xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<0.5> : tensor<70x130xf32>
  %e = tensor.empty() : tensor<2x130xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x130xf32>) -> tensor<2x130xf32>
  %0 = linalg.matmul ins(%a, %w : tensor<2x70xf32>, tensor<70x130xf32>) outs(%f : tensor<2x130xf32>) -> tensor<2x130xf32>
  return %0 : tensor<2x130xf32>
}

// -----

// 200 rows on a constant 64 x 64 weight: two chunks of 16 six-row tiles
// (an scf.forall over panel x chunk, an scf.for over the chunk's tiles),
// then the 8 rows left: one forall over panels with one six-row tile and a
// two-row tile. N is a whole panel, so the result is written in place into
// the fill's destination, and no slice follows.
// CHECK-LABEL: func.func @packed_chunks_and_tail
// CHECK-DAG: %[[W:.*]] = arith.constant dense_resource<{{.*}}> : tensor<1x64x64xf32>
// CHECK-DAG: %[[E:.*]] = tensor.empty() : tensor<200x64xf32>
// CHECK: %[[MAIN:.*]] = scf.forall (%{{.*}}, %[[CH:.*]]) in (1, 2) shared_outs(%{{.*}} = %[[E]]) -> (tensor<200x64xf32>)
// CHECK: %[[C96:.*]] = arith.constant 96 : index
// CHECK: arith.muli %[[CH]], %[[C96]] : index
// CHECK: tensor.extract_slice {{.*}} [96, 64] [1, 1]
// CHECK: scf.for %{{.*}} = %{{.*}} to %c96{{.*}} step %c6
// CHECK-COUNT-6: vector.fma
// CHECK-NOT: vector.fma
// CHECK: tensor.parallel_insert_slice {{.*}} [96, 64] [1, 1] : tensor<96x64xf32> into tensor<200x64xf32>
// CHECK: %[[TAIL:.*]] = scf.forall (%{{.*}}) in (1) shared_outs(%{{.*}} = %[[MAIN]]) -> (tensor<200x64xf32>)
// CHECK: tensor.extract_slice {{.*}}[%c192, %{{.*}}] [8, 64] [1, 1]
// CHECK-COUNT-6: vector.fma
// CHECK-COUNT-2: vector.fma
// CHECK-NOT: vector.fma
// CHECK: tensor.parallel_insert_slice {{.*}} [8, 64] [1, 1] : tensor<8x64xf32> into tensor<200x64xf32>
// CHECK: return %[[TAIL]]
func.func @packed_chunks_and_tail(%a: tensor<200x64xf32>) -> tensor<200x64xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<0.25> : tensor<64x64xf32>
  %e = tensor.empty() : tensor<200x64xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<200x64xf32>) -> tensor<200x64xf32>
  %0 = linalg.matmul ins(%a, %w : tensor<200x64xf32>, tensor<64x64xf32>) outs(%f : tensor<200x64xf32>) -> tensor<200x64xf32>
  return %0 : tensor<200x64xf32>
}
