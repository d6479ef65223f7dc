// RUN: %kiln-opt %s --split-input-file --kiln-cpu-tile-contractions | FileCheck %s

// The packed-panel matmul kernel of kiln-cpu-tile-contractions.

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

// -----

// A right-hand side computed at run time (12 rows: two register tiles, so
// the copy pays): one scf.forall over panels copies it into [3][16][64]
// panels, a 64-wide vector per row k, the last panel's read masked (columns
// 128..129 of 130, zero beyond); the tiles then read the panels.
// CHECK-LABEL: func.func @packed_at_run_time
// CHECK-SAME: (%[[A:.*]]: tensor<12x16xf32>, %[[B:.*]]: tensor<16x130xf32>)
// CHECK: %[[PANELS:.*]] = scf.forall (%[[P:.*]]) in (3) shared_outs(%[[O:.*]] = %{{.*}}) -> (tensor<3x16x64xf32>)
// CHECK: %[[DST:.*]] = tensor.extract_slice %[[O]][%[[P]], 0, 0] [1, 16, 64] [1, 1, 1] : tensor<3x16x64xf32> to tensor<16x64xf32>
// CHECK: %[[COL:.*]] = arith.muli %[[P]], %{{.*}} : index
// CHECK: scf.for %[[K:.*]] = {{.*}} iter_args(%[[D:.*]] = %[[DST]]) -> (tensor<16x64xf32>)
// CHECK: %[[V:.*]] = vector.transfer_read %[[B]][%[[K]], %[[COL]]], %{{.*}} : tensor<16x130xf32>, vector<64xf32>
// CHECK: vector.transfer_write %[[V]], %[[D]][%[[K]], %{{.*}}] {in_bounds = [true]}
// CHECK: tensor.parallel_insert_slice %{{.*}} into %[[O]][%[[P]], 0, 0] [1, 16, 64] [1, 1, 1] : tensor<16x64xf32> into tensor<3x16x64xf32>
// CHECK: scf.forall (%{{.*}}) in (3) shared_outs(%{{.*}}) -> (tensor<12x192xf32>)
// CHECK: vector.transfer_read %[[PANELS]]
// CHECK-COUNT-6: vector.fma
// CHECK: tensor.extract_slice %{{.*}}[0, 0] [12, 130] [1, 1] : tensor<12x192xf32> to tensor<12x130xf32>
// CHECK-NOT: linalg.matmul
func.func @packed_at_run_time(%a: tensor<12x16xf32>, %b: tensor<16x130xf32>) -> tensor<12x130xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<12x130xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<12x130xf32>) -> tensor<12x130xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<12x16xf32>, tensor<16x130xf32>) outs(%f : tensor<12x130xf32>) -> tensor<12x130xf32>
  return %0 : tensor<12x130xf32>
}

// -----

// K = 2100 (over four blocks of 512): each pass over the tiles covers one
// K block, the first from zero, the rest (an scf.for over blocks, the last
// cut at K) reading the tile's rows back and adding to them.
// CHECK-LABEL: func.func @k_blocks
// CHECK: scf.forall
// CHECK: %[[C512:.*]] = arith.constant 512 : index
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[C512]] step %{{.*}} iter_args(%{{.*}} = %[[Z:[^,]*]], %{{.*}} = %[[Z]])
// CHECK: scf.for %[[KB:.*]] = %c512{{.*}} to %c2100{{.*}} step %c512
// CHECK: %[[END:.*]] = arith.minui %{{.*}}, %{{.*}} : index
// CHECK: %[[R0:.*]] = vector.transfer_read %{{.*}}[%{{.*}}, %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<2x64xf32>, vector<64xf32>
// CHECK: %[[R1:.*]] = vector.transfer_read
// CHECK: scf.for %{{.*}} = %[[KB]] to %[[END]] step %{{.*}} iter_args(%{{.*}} = %[[R0]], %{{.*}} = %[[R1]])
func.func @k_blocks(%a: tensor<2x2100xf32>) -> tensor<2x64xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<0.5> : tensor<2100x64xf32>
  %e = tensor.empty() : tensor<2x64xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x64xf32>) -> tensor<2x64xf32>
  %0 = linalg.matmul ins(%a, %w : tensor<2x2100xf32>, tensor<2100x64xf32>) outs(%f : tensor<2x64xf32>) -> tensor<2x64xf32>
  return %0 : tensor<2x64xf32>
}
