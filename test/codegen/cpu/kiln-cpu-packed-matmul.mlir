// RUN: %kiln-opt %s --split-input-file --kiln-cpu-tile-contractions | FileCheck %s

// The packed-panel matmul kernel of kiln-cpu-tile-contractions.

// A constant weight (a fully connected layer): it is packed at compile
// time into 64-column panels, [4][70][64] for N = 216 (the last panel
// zero-padded). With fewer rows than one register tile (batch 1), one
// scf.forall over panels walks K with one 64-wide accumulator per row
// (broadcast of A[m, k], FMA with the panel's row k) and writes the rows
// into its slice of the result: 64 columns wide, 24 in the last panel,
// whose stores are masked (no padded result to copy from afterwards).
// The last panel's tiles are only as wide as the vectors covering its 24
// columns: 32-float accumulators, reading the first 32 floats of each
// packed row.
// CHECK-LABEL: func.func @gemv_constant_weight
// CHECK-SAME: (%[[A:.*]]: tensor<2x70xf32>)
// CHECK-DAG: %[[W:.*]] = arith.constant dense_resource<{{.*}}> : tensor<4x70x64xf32>
// CHECK: %[[ALL:.*]] = scf.forall (%[[P:.*]]) in (4) shared_outs(%[[OUT:.*]] = %{{.*}}) -> (tensor<2x216xf32>)
// CHECK: %[[COL:.*]] = arith.muli %[[P]], %{{.*}} : index
// CHECK: %[[LAST:.*]] = arith.cmpi eq, %[[P]], %c3
// CHECK: %[[WIDTH:.*]] = arith.select %[[LAST]], %c24{{.*}}, %c64
// CHECK: %[[DST:.*]] = tensor.extract_slice %[[OUT]][%{{.*}}, %[[COL]]] [2, %[[WIDTH]]] [1, 1] : tensor<2x216xf32> to tensor<2x?xf32>
// CHECK: %[[LASTPANEL:.*]] = arith.cmpi eq, %[[P]], %c3
// CHECK: %[[TILE:.*]] = scf.if %[[LASTPANEL]] -> (tensor<2x?xf32>) {
// CHECK: %[[NACC:.*]]:2 = scf.for {{.*}} -> (vector<32xf32>, vector<32xf32>)
// CHECK: vector.transfer_read %[[W]][%[[P]], %{{.*}}, %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<4x70x64xf32>, vector<32xf32>
// CHECK-COUNT-2: vector.fma {{.*}} : vector<32xf32>
// CHECK: %[[N0:.*]] = vector.transfer_write %[[NACC]]#0, %[[DST]]{{\[.*\]}} : vector<32xf32>, tensor<2x?xf32>
// CHECK: %[[N1:.*]] = vector.transfer_write %[[NACC]]#1, %[[N0]]{{\[.*\]}} : vector<32xf32>, tensor<2x?xf32>
// CHECK: scf.yield %[[N1]]
// CHECK: } else {
// CHECK: %[[C70:.*]] = arith.constant 70 : index
// CHECK: %[[ACC:.*]]:2 = scf.for %[[K:.*]] = %{{.*}} to %[[C70]] step %{{.*}} iter_args(%{{.*}} = %[[ZERO:[^,]*]], %{{.*}} = %[[ZERO]]) -> (vector<64xf32>, vector<64xf32>)
// CHECK: %[[ROW:.*]] = vector.transfer_read %[[W]][%[[P]], %[[K]], %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<4x70x64xf32>, vector<64xf32>
// CHECK: %[[X0:.*]] = tensor.extract %[[A]][%{{.*}}, %[[K]]] : tensor<2x70xf32>
// CHECK: %[[S0:.*]] = vector.broadcast %[[X0]] : f32 to vector<64xf32>
// CHECK: vector.fma %[[S0]], %[[ROW]], %{{.*}} : vector<64xf32>
// CHECK: tensor.extract %[[A]]
// CHECK: vector.fma
// CHECK-NOT: vector.fma
// CHECK: %[[T0:.*]] = vector.transfer_write %[[ACC]]#0, %[[DST]]{{\[.*\]}} : vector<64xf32>, tensor<2x?xf32>
// CHECK: %[[T1:.*]] = vector.transfer_write %[[ACC]]#1, %[[T0]]{{\[.*\]}} : vector<64xf32>, tensor<2x?xf32>
// CHECK: scf.yield %[[T1]]
// CHECK: scf.forall.in_parallel
// CHECK: tensor.parallel_insert_slice %[[TILE]] into %[[OUT]][%{{.*}}, %[[COL]]] [2, %[[WIDTH]]] [1, 1] : tensor<2x?xf32> into tensor<2x216xf32>
// CHECK-NOT: tensor.extract_slice %[[ALL]]
// CHECK-NOT: linalg.matmul
func.func @gemv_constant_weight(%a: tensor<2x70xf32>) -> tensor<2x216xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<0.5> : tensor<70x216xf32>
  %e = tensor.empty() : tensor<2x216xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x216xf32>) -> tensor<2x216xf32>
  %0 = linalg.matmul ins(%a, %w : tensor<2x70xf32>, tensor<70x216xf32>) outs(%f : tensor<2x216xf32>) -> tensor<2x216xf32>
  return %0 : tensor<2x216xf32>
}

// -----

// A weight 24 columns wide: one 64-column panel would compute 40 junk
// columns per row, so the panels are 32 wide ([1][200][32]) and the
// accumulators vector<32xf32>, stored masked to the 24 columns.
// CHECK-LABEL: func.func @narrow_panels
// CHECK-DAG: %[[W:.*]] = arith.constant dense_resource<{{.*}}> : tensor<1x200x32xf32>
// CHECK: scf.forall (%{{.*}}) in (1) shared_outs(%{{.*}}) -> (tensor<2x24xf32>)
// CHECK: vector.transfer_read %[[W]]{{.*}} : tensor<1x200x32xf32>, vector<32xf32>
// CHECK: vector.fma {{.*}} : vector<32xf32>
// CHECK: vector.transfer_write {{.*}} : vector<32xf32>, tensor<2x?xf32>
func.func @narrow_panels(%a: tensor<2x200xf32>) -> tensor<2x24xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<0.5> : tensor<200x24xf32>
  %e = tensor.empty() : tensor<2x24xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x24xf32>) -> tensor<2x24xf32>
  %0 = linalg.matmul ins(%a, %w : tensor<2x200xf32>, tensor<200x24xf32>) outs(%f : tensor<2x24xf32>) -> tensor<2x24xf32>
  return %0 : tensor<2x24xf32>
}

// -----

// 200 rows on a constant 64 x 64 weight: chunks of 16 six-row tiles, the
// 8 rows left over joining the last chunk (104 rows: 17 tiles and a two-row
// tile), all in one scf.forall over panel x chunk so that each panel is read
// once per chunk, chunk after chunk. N is a whole panel, so the result is
// written in place into the fill's destination, and no slice follows.
// CHECK-LABEL: func.func @packed_chunks_and_tail
// CHECK-DAG: %[[W:.*]] = arith.constant dense_resource<{{.*}}> : tensor<1x64x64xf32>
// CHECK-DAG: %[[E:.*]] = tensor.empty() : tensor<200x64xf32>
// CHECK: %[[MAIN:.*]] = scf.forall (%{{.*}}, %[[CH:.*]]) in (1, 2) shared_outs(%{{.*}} = %[[E]]) -> (tensor<200x64xf32>)
// CHECK: %[[C96:.*]] = arith.constant 96 : index
// CHECK: %[[FIRST:.*]] = arith.muli %[[CH]], %[[C96]] : index
// CHECK: %[[LAST:.*]] = arith.cmpi eq, %[[CH]], %c1
// CHECK: %[[ROWS:.*]] = arith.select %[[LAST]], %c104, %c96
// CHECK: tensor.extract_slice {{.*}}[%[[FIRST]], %{{.*}}] [%[[ROWS]], 64] [1, 1] : tensor<200x64xf32> to tensor<?x64xf32>
// CHECK: %[[TILES:.*]] = arith.select %[[LAST]], %c17, %c16
// CHECK: %[[END:.*]] = arith.muli %[[TILES]], %c6
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[END]] step %c6
// CHECK-COUNT-6: vector.fma
// CHECK-NOT: vector.fma
// CHECK: scf.if %[[LAST]] -> (tensor<?x64xf32>)
// CHECK-COUNT-2: vector.fma
// CHECK-NOT: vector.fma
// CHECK: tensor.parallel_insert_slice {{.*}} [%[[ROWS]], 64] [1, 1] : tensor<?x64xf32> into tensor<200x64xf32>
// CHECK-NOT: scf.forall
// CHECK: return %[[MAIN]]
func.func @packed_chunks_and_tail(%a: tensor<200x64xf32>) -> tensor<200x64xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<0.25> : tensor<64x64xf32>
  %e = tensor.empty() : tensor<200x64xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<200x64xf32>) -> tensor<200x64xf32>
  %0 = linalg.matmul ins(%a, %w : tensor<200x64xf32>, tensor<64x64xf32>) outs(%f : tensor<200x64xf32>) -> tensor<200x64xf32>
  return %0 : tensor<200x64xf32>
}

// -----

// A right-hand side computed at run time whose rows are 4 KiB apart (N =
// 1024; 12 rows: two register tiles, so the copy pays): read in place, the
// 16 rows of a panel would share a few L1 sets, so one scf.forall over
// panels copies it into [16][16][64] panels, a 64-wide vector per row k;
// the tiles then read the panels.
// CHECK-LABEL: func.func @packed_at_run_time
// CHECK-SAME: (%[[A:.*]]: tensor<12x16xf32>, %[[B:.*]]: tensor<16x1024xf32>)
// CHECK: %[[PANELS:.*]] = scf.forall (%[[P:.*]]) in (16) shared_outs(%[[O:.*]] = %{{.*}}) -> (tensor<16x16x64xf32>)
// CHECK: %[[DST:.*]] = tensor.extract_slice %[[O]][%[[P]], 0, 0] [1, 16, 64] [1, 1, 1] : tensor<16x16x64xf32> to tensor<16x64xf32>
// CHECK: %[[COL:.*]] = arith.muli %[[P]], %{{.*}} : index
// CHECK: scf.for %[[K:.*]] = {{.*}} iter_args(%[[D:.*]] = %[[DST]]) -> (tensor<16x64xf32>)
// CHECK: %[[V:.*]] = vector.transfer_read %[[B]][%[[K]], %[[COL]]], %{{.*}} : tensor<16x1024xf32>, vector<64xf32>
// CHECK: vector.transfer_write %[[V]], %[[D]][%[[K]], %{{.*}}] {in_bounds = [true]}
// CHECK: tensor.parallel_insert_slice %{{.*}} into %[[O]][%[[P]], 0, 0] [1, 16, 64] [1, 1, 1] : tensor<16x64xf32> into tensor<16x16x64xf32>
// CHECK: scf.forall (%{{.*}}) in (16) shared_outs(%{{.*}}) -> (tensor<12x1024xf32>)
// CHECK: vector.transfer_read %[[PANELS]]
// CHECK-COUNT-6: vector.fma
// CHECK-NOT: linalg.matmul
func.func @packed_at_run_time(%a: tensor<12x16xf32>, %b: tensor<16x1024xf32>) -> tensor<12x1024xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<12x1024xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<12x1024xf32>) -> tensor<12x1024xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<12x16xf32>, tensor<16x1024xf32>) outs(%f : tensor<12x1024xf32>) -> tensor<12x1024xf32>
  return %0 : tensor<12x1024xf32>
}

// -----

// Other run-time right-hand sides (a pointwise convolution's image) are
// read in place: row k of panel P is B[k][P * 64 ..], the last panel's
// reads and stores masked at the row's end (columns 128..169 of 170).
// CHECK-LABEL: func.func @rows_in_place
// CHECK-SAME: (%[[A:.*]]: tensor<12x16xf32>, %[[B:.*]]: tensor<16x170xf32>)
// CHECK-NOT: tensor<3x16x64xf32>
// CHECK: scf.forall (%{{.*}}) in (3) shared_outs(%{{.*}}) -> (tensor<12x170xf32>)
// CHECK: scf.for %[[K:[^ ]*]] = %{{.*}} to %c16{{.*}} iter_args(
// CHECK: vector.transfer_read %[[B]][%[[K]], %{{.*}}], %{{.*}} : tensor<16x170xf32>, vector<64xf32>
// CHECK-COUNT-6: vector.fma
// CHECK: vector.transfer_write {{.*}} : vector<64xf32>, tensor<12x?xf32>
// CHECK-NOT: linalg.matmul
func.func @rows_in_place(%a: tensor<12x16xf32>, %b: tensor<16x170xf32>) -> tensor<12x170xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<12x170xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<12x170xf32>) -> tensor<12x170xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<12x16xf32>, tensor<16x170xf32>) outs(%f : tensor<12x170xf32>) -> tensor<12x170xf32>
  return %0 : tensor<12x170xf32>
}

// -----

// K = 2100 (over four blocks of 512): each pass over the tiles covers one
// K block, the first from zero, the middle ones (an scf.for over blocks)
// and the last (cut at K) reading the tile's rows back and adding to them.
// Only the last pass applies the bias add that consumes the product.
// CHECK-LABEL: func.func @k_blocks
// CHECK: scf.forall
// CHECK: %[[C512:.*]] = arith.constant 512 : index
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[C512]] step %{{.*}} iter_args(%{{.*}} = %[[Z:[^,]*]], %{{.*}} = %[[Z]])
// CHECK-NOT: arith.addf
// CHECK: scf.for %[[KB:.*]] = %c512{{.*}} to %c2048{{.*}} step %c512
// CHECK: %[[END:.*]] = arith.addi %[[KB]], %c512
// CHECK: %[[R0:.*]] = vector.transfer_read %{{.*}}[%{{.*}}, %{{.*}}], %{{.*}} {in_bounds = [true]} : tensor<2x64xf32>, vector<64xf32>
// CHECK: %[[R1:.*]] = vector.transfer_read
// CHECK: scf.for %{{.*}} = %[[KB]] to %[[END]] step %{{.*}} iter_args(%{{.*}} = %[[R0]], %{{.*}} = %[[R1]])
// CHECK-NOT: arith.addf
// CHECK: %[[L0:.*]] = vector.transfer_read %{{.*}} : tensor<2x64xf32>, vector<64xf32>
// CHECK: %[[L1:.*]] = vector.transfer_read
// CHECK: %[[LAST:.*]]:2 = scf.for %{{.*}} = %c2048{{.*}} to %c2100{{.*}} step %{{.*}} iter_args(%{{.*}} = %[[L0]], %{{.*}} = %[[L1]])
// CHECK: arith.addf %[[LAST]]#0, %{{.*}} : vector<64xf32>
// CHECK: arith.addf %[[LAST]]#1, %{{.*}} : vector<64xf32>
// CHECK-NOT: linalg.generic
func.func @k_blocks(%a: tensor<2x2100xf32>, %bias: tensor<64xf32>) -> tensor<2x64xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<0.5> : tensor<2100x64xf32>
  %e = tensor.empty() : tensor<2x64xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x64xf32>) -> tensor<2x64xf32>
  %0 = linalg.matmul ins(%a, %w : tensor<2x2100xf32>, tensor<2100x64xf32>) outs(%f : tensor<2x64xf32>) -> tensor<2x64xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%0, %bias : tensor<2x64xf32>, tensor<64xf32>) outs(%e : tensor<2x64xf32>) {
  ^bb0(%x: f32, %b: f32, %o: f32):
    %s = arith.addf %x, %b : f32
    linalg.yield %s : f32
  } -> tensor<2x64xf32>
  return %1 : tensor<2x64xf32>
}

// -----

// The padded-width im2col of a stride-1 3x3 convolution (what
// kiln-cpu-conv-to-matmul builds: row (c, kh, kw) of the 27 x 100 matrix
// is image[c][kh * 12 + kw + q]): the tiles read their panel rows from the
// [3][200] image itself, nine reads per channel at constant offsets from
// the panel's column (kh * 12 + kw), A's column c * 9 + j beside each; no
// panels are packed and the im2col copy is gone.
// CHECK-LABEL: func.func @padded_width_image
// CHECK-SAME: (%[[A:.*]]: tensor<12x27xf32>, %[[IMG:.*]]: tensor<3x200xf32>)
// CHECK-NOT: linalg.generic
// CHECK: scf.forall (%[[P:.*]]) in (2)
// CHECK: scf.for %[[C:.*]] = %c0{{.*}} to %c3{{.*}} step %c1{{.*}} iter_args(
// CHECK: %[[K0:.*]] = arith.muli %[[C]], %c9
// CHECK: vector.transfer_read %[[IMG]][%[[C]], %[[COL:.*]]], %{{.*}} {in_bounds = [true]} : tensor<3x200xf32>, vector<64xf32>
// CHECK: tensor.extract %[[A]][%{{.*}}, %[[K0]]] : tensor<12x27xf32>
// CHECK: %[[AT1:.*]] = arith.addi %[[COL]], %c1
// CHECK: vector.transfer_read %[[IMG]][%[[C]], %[[AT1]]]
// CHECK: %[[AT12:.*]] = arith.addi %[[COL]], %c12
// CHECK: vector.transfer_read %[[IMG]][%[[C]], %[[AT12]]]
// CHECK: %[[AT26:.*]] = arith.addi %[[COL]], %c26
// CHECK: vector.transfer_read %[[IMG]][%[[C]], %[[AT26]]]
// CHECK-NOT: vector.transfer_read %[[IMG]]
// CHECK: vector.transfer_write {{.*}} : vector<64xf32>, tensor<12x?xf32>
// CHECK: tensor.parallel_insert_slice {{.*}} : tensor<12x?xf32> into tensor<12x100xf32>
// CHECK-NOT: linalg.matmul
func.func @padded_width_image(%a: tensor<12x27xf32>, %img: tensor<3x200xf32>) -> tensor<12x100xf32> {
  %zero = arith.constant 0.0 : f32
  %ce = tensor.empty() : tensor<3x3x3x100xf32>
  %cols = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1 * 12 + d2 + d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%img : tensor<3x200xf32>) outs(%ce : tensor<3x3x3x100xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<3x3x3x100xf32>
  %b = tensor.collapse_shape %cols [[0, 1, 2], [3]] : tensor<3x3x3x100xf32> into tensor<27x100xf32>
  %e = tensor.empty() : tensor<12x100xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<12x100xf32>) -> tensor<12x100xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<12x27xf32>, tensor<27x100xf32>) outs(%f : tensor<12x100xf32>) -> tensor<12x100xf32>
  return %0 : tensor<12x100xf32>
}

// -----

// The same matrix over an image too short for the last panel's reads (a
// 64-wide read at column 64 + 26 would pass the end of a row of 130): the
// im2col copy stays, and the tiles read its rows in place.
// CHECK-LABEL: func.func @padded_width_image_too_short
// CHECK: %[[COLS:.*]] = linalg.generic
// CHECK: %[[B:.*]] = tensor.collapse_shape %[[COLS]]
// CHECK: vector.transfer_read %[[B]][%{{.*}}, %{{.*}}], %{{.*}} : tensor<27x100xf32>, vector<64xf32>
func.func @padded_width_image_too_short(%a: tensor<12x27xf32>, %img: tensor<3x130xf32>) -> tensor<12x100xf32> {
  %zero = arith.constant 0.0 : f32
  %ce = tensor.empty() : tensor<3x3x3x100xf32>
  %cols = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1 * 12 + d2 + d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%img : tensor<3x130xf32>) outs(%ce : tensor<3x3x3x100xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<3x3x3x100xf32>
  %b = tensor.collapse_shape %cols [[0, 1, 2], [3]] : tensor<3x3x3x100xf32> into tensor<27x100xf32>
  %e = tensor.empty() : tensor<12x100xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<12x100xf32>) -> tensor<12x100xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<12x27xf32>, tensor<27x100xf32>) outs(%f : tensor<12x100xf32>) -> tensor<12x100xf32>
  return %0 : tensor<12x100xf32>
}

// -----

// A batch matmul whose batches each have two register tiles of rows and a
// whole panel of columns (attention's products) becomes a sequential loop
// over the batch: each batch's slices are a plain matmul, which takes the
// packed kernel (its own thread-parallel scf.forall), filling and writing
// its slice of the result in place.
// CHECK-LABEL: func.func @batch_of_packed
// CHECK-SAME: (%[[A:.*]]: tensor<3x20x40xf32>, %[[B:.*]]: tensor<3x40x70xf32>)
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %{{.*}}) -> (tensor<3x20x70xf32>)
// CHECK-DAG: tensor.extract_slice %[[A]][%[[I]], 0, 0] [1, 20, 40] [1, 1, 1] : tensor<3x20x40xf32> to tensor<20x40xf32>
// CHECK-DAG: tensor.extract_slice %[[B]][%[[I]], 0, 0] [1, 40, 70] [1, 1, 1] : tensor<3x40x70xf32> to tensor<40x70xf32>
// CHECK: scf.forall
// CHECK: vector.fma
// CHECK: tensor.insert_slice %{{.*}} into %[[ACC]][%[[I]], 0, 0] [1, 20, 70] [1, 1, 1]
// CHECK-NOT: linalg.batch_matmul
func.func @batch_of_packed(%a: tensor<3x20x40xf32>, %b: tensor<3x40x70xf32>) -> tensor<3x20x70xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3x20x70xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<3x20x70xf32>) -> tensor<3x20x70xf32>
  %0 = linalg.batch_matmul ins(%a, %b : tensor<3x20x40xf32>, tensor<3x40x70xf32>) outs(%f : tensor<3x20x70xf32>) -> tensor<3x20x70xf32>
  return %0 : tensor<3x20x70xf32>
}

// -----

// With fewer rows per batch (a decoder step's one query row) the batch
// matmul stays one op, the loop fallback's reordered generic.
// CHECK-LABEL: func.func @batch_too_small
// CHECK-NOT: scf.for
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<3x1x40xf32>, tensor<3x40x70xf32>)
func.func @batch_too_small(%a: tensor<3x1x40xf32>, %b: tensor<3x40x70xf32>) -> tensor<3x1x70xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3x1x70xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<3x1x70xf32>) -> tensor<3x1x70xf32>
  %0 = linalg.batch_matmul ins(%a, %b : tensor<3x1x40xf32>, tensor<3x40x70xf32>) outs(%f : tensor<3x1x70xf32>) -> tensor<3x1x70xf32>
  return %0 : tensor<3x1x70xf32>
}

// -----

// An NHWC convolution's im2col matrix as the left-hand side: an 8 x 12
// output on a 10 x 14 padded image, row m, tap t = 3 kh + kw reading image
// pixel (m / 12 + kh) * 14 + m % 12 + kw. The tiles read the image itself,
// as one run of floats: each row's first float computed once per tile,
// then one loop over the 9 taps (the tap's offset computed once) around
// one over the 64 channels, whose K index picks the packed filter row;
// the im2col copy is dropped. (With 64 channels or more the taps stay
// separate runs; fewer are read a window row at a time, cpu-kernels.test.)
// CHECK-LABEL: func.func @nhwc_rows_from_image
// CHECK-SAME: (%[[IMG:.*]]: tensor<140x64xf32>)
// CHECK-NOT: linalg.generic
// CHECK-DAG: %[[W:.*]] = arith.constant dense_resource<{{.*}}> : tensor<1x576x64xf32>
// CHECK-DAG: %[[FLAT:.*]] = tensor.collapse_shape %[[IMG]] {{\[\[}}0, 1]] : tensor<140x64xf32> into tensor<8960xf32>
// CHECK: scf.forall
// CHECK: scf.for %[[ROW:.*]] = %{{.*}} to %c96 step %c6
// CHECK: %[[Y:.*]] = arith.divui %[[ROW]], %c12
// CHECK: %[[X:.*]] = arith.remui %[[ROW]], %c12
// CHECK: %[[YP:.*]] = arith.muli %[[Y]], %c14
// CHECK: %[[PIX:.*]] = arith.addi %[[YP]], %[[X]]
// CHECK: %[[FIRST:.*]] = arith.muli %[[PIX]], %c64
// CHECK: scf.for %[[T:.*]] = %{{.*}} to %c9 step %{{.*}} iter_args({{.*}}) -> (vector<64xf32>, vector<64xf32>, vector<64xf32>, vector<64xf32>, vector<64xf32>, vector<64xf32>)
// CHECK: %[[KH:.*]] = arith.divui %[[T]], %c3
// CHECK: %[[KW:.*]] = arith.remui %[[T]], %c3
// CHECK: %[[DY:.*]] = arith.muli %[[KH]], %c14
// CHECK: %[[TAP:.*]] = arith.addi %[[DY]], %[[KW]]
// CHECK: %[[TAPF:.*]] = arith.muli %[[TAP]], %c64
// CHECK: %[[START:.*]] = arith.addi %[[FIRST]], %[[TAPF]]
// CHECK: %[[K0:.*]] = arith.muli %[[T]], %c64
// CHECK: scf.for %[[C:.*]] = %{{.*}} to %c64
// CHECK: %[[K:.*]] = arith.addi %[[K0]], %[[C]]
// CHECK: vector.transfer_read %[[W]][%{{.*}}, %[[K]], %{{.*}}]
// CHECK: %[[AT:.*]] = arith.addi %[[START]], %[[C]]
// CHECK: tensor.extract %[[FLAT]][%[[AT]]] : tensor<8960xf32>
// CHECK-COUNT-6: vector.fma
// CHECK-NOT: linalg.matmul
#tap = affine_map<(d0, d1, d2, d3) -> ((d0 floordiv 12) * 14 + d0 mod 12 + d1 * 14 + d2, d3)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @nhwc_rows_from_image(%img: tensor<140x64xf32>) -> tensor<96x64xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<0.25> : tensor<576x64xf32>
  %e0 = tensor.empty() : tensor<96x3x3x64xf32>
  %rows = linalg.generic {indexing_maps = [#tap, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%img : tensor<140x64xf32>) outs(%e0 : tensor<96x3x3x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<96x3x3x64xf32>
  %a = tensor.collapse_shape %rows [[0], [1, 2, 3]] : tensor<96x3x3x64xf32> into tensor<96x576xf32>
  %e = tensor.empty() : tensor<96x64xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<96x64xf32>) -> tensor<96x64xf32>
  %0 = linalg.matmul ins(%a, %w : tensor<96x576xf32>, tensor<576x64xf32>) outs(%f : tensor<96x64xf32>) -> tensor<96x64xf32>
  return %0 : tensor<96x64xf32>
}
