// RUN: %kiln-opt %s --split-input-file --kiln-gpu-tile-contractions=entry=main --cse | FileCheck %s

// A ragged static matmul (100 x 200 times 200 x 300): one kernel of
// blocks (batch * splits, M tiles, N tiles) of 16 x 16 threads, 64 x 64
// tiles (the output is too small for 128 x 128), K in steps of 16 staged
// in two padded workgroup tiles between barriers, and the sums added to
// the output's initial value, atomically when K is split.
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[A:[^:]*]]: memref<100x200xf32>, %[[B:[^:]*]]: memref<200x300xf32>, %[[C:[^:]*]]: memref<100x300xf32>)
// CHECK-NOT: linalg.matmul
// CHECK: %[[C64:.*]] = arith.constant 64 : index
// CHECK: %[[MT:.*]] = arith.ceildivui %{{.*}}, %[[C64]] : index
// CHECK: %[[NT:.*]] = arith.ceildivui %{{.*}}, %[[C64]] : index
// CHECK: %[[C264:.*]] = arith.constant 264 : index
// CHECK: %[[WANT:.*]] = arith.ceildivui %[[C264]], %{{.*}} : index
// CHECK: %[[SPLITS:.*]] = arith.minui %[[WANT]], %{{.*}} : index
// CHECK: scf.parallel (%{{.*}}, %{{.*}}, %{{.*}}) = (%{{.*}}) to (%{{.*}}, %[[MT]], %[[NT]])
// CHECK: scf.parallel (%[[TY:.*]], %[[TX:.*]]) = (%{{.*}}) to (%{{.*}}, %{{.*}})
// CHECK: %[[AT:.*]] = memref.alloca() : memref<16x68xf32, #gpu.address_space<workgroup>>
// CHECK: %[[BT:.*]] = memref.alloca() : memref<16x68xf32, #gpu.address_space<workgroup>>
// The A tile is read from a [M, K] weight with k fastest, B with n fastest.
// CHECK: memref.load %[[A]]
// CHECK: memref.load %[[B]]
// CHECK: %[[SUMS:.*]]:24 = scf.for
// CHECK: memref.store %{{.*}}, %[[AT]]
// CHECK: memref.store %{{.*}}, %[[BT]]
// CHECK: gpu.barrier
// Next step's elements load while this one is computed.
// CHECK: memref.load %[[A]]
// CHECK: %[[INNER:.*]]:16 = scf.for
// CHECK: vector.load %[[AT]]{{.*}} : memref<16x68xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK: vector.load %[[BT]]{{.*}} : memref<16x68xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK: arith.mulf {{.*}} fastmath<contract>
// CHECK: gpu.barrier
// CHECK: scf.if
// CHECK: scf.if
// CHECK: memref.load %[[C]]
// CHECK: memref.store %{{.*}}, %[[C]]
// CHECK: } else {
// CHECK: memref.atomic_rmw addf %{{.*}}, %[[C]]
// CHECK: mapping = [#gpu.loop_dim_map<processor = thread_y{{.*}}>, #gpu.loop_dim_map<processor = thread_x{{.*}}>]
// CHECK: mapping = [#gpu.loop_dim_map<processor = block_z{{.*}}>, #gpu.loop_dim_map<processor = block_y{{.*}}>, #gpu.loop_dim_map<processor = block_x{{.*}}>]
func.func @main(%a: memref<100x200xf32>, %b: memref<200x300xf32>, %c: memref<100x300xf32>) {
  linalg.matmul ins(%a, %b : memref<100x200xf32>, memref<200x300xf32>) outs(%c : memref<100x300xf32>)
  return
}

// -----

// A convolution is an implicit GEMM: M the image's (batch, rows, columns),
// N the filters, K the channels and window. The image's element at
// (n, c, oh + kh, ow + kw) is at base(n, oh, ow) + offset(c, kh, kw): each
// block first fills a shared table of offset(k) = 100 c + 10 kh + kw for
// the 27 values of k (split by 3 and 3, in 32 bits), then each staged
// element is its base (n * 300 + oh * 10 + ow, computed once per thread)
// plus one table read, through a 1-D view of the image. The image's tile
// loads with its pixels fastest; the filter's K dims are its trailing
// ones, so it is read as [8, 27] with k fastest. With 8 filters (under
// 128) the 64 x 64 kernel is the only one.
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[X:[^:]*]]: memref<?x3x10x10xf32>, %[[W:[^:]*]]: memref<8x3x3x3xf32>
// CHECK-DAG: %[[C8:.*]] = arith.constant 8 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK: %[[BASE:[^,]*]], %[[OFF:[^,]*]], %{{.*}}:4, %{{.*}}:4 = memref.extract_strided_metadata %[[X]]
// CHECK: %[[FLAT:.*]] = memref.reinterpret_cast %[[BASE]] to offset: [%[[OFF]]], sizes: [%{{.*}}], strides: [1] : memref<f32> to memref<?xf32, strided<[1], offset: ?>>
// CHECK: %[[WF:.*]] = memref.collapse_shape %[[W]] {{\[}}[0], [1, 2, 3]] : memref<8x3x3x3xf32> into memref<8x27xf32>
// CHECK-NOT: scf.if
// CHECK: scf.parallel
// CHECK: %[[TABLE:.*]] = memref.alloca() : memref<27xi32, #gpu.address_space<workgroup>>
// CHECK: scf.for %[[K:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: %[[K32:.*]] = arith.index_castui %[[K]] : index to i32
// CHECK-NEXT: %[[C3N:.*]] = arith.index_castui %[[C3]] : index to i32
// CHECK-NEXT: %[[KW32:.*]] = arith.remui %[[K32]], %[[C3N]] : i32
// CHECK-NEXT: %[[KW:.*]] = arith.index_castui %[[KW32]] : i32 to index
// CHECK-NEXT: %[[KR:.*]] = arith.divui %[[K32]], %[[C3N]] : i32
// CHECK-NEXT: %[[KH32:.*]] = arith.remui %[[KR]], %[[C3N]] : i32
// CHECK-NEXT: %[[KH:.*]] = arith.index_castui %[[KH32]] : i32 to index
// CHECK-NEXT: %[[CH32:.*]] = arith.divui %[[KR]], %[[C3N]] : i32
// CHECK-NEXT: %[[CH:.*]] = arith.index_castui %[[CH32]] : i32 to index
// CHECK-NEXT: %[[T0:.*]] = arith.muli %[[CH]], %c100 overflow<nsw> : index
// CHECK-NEXT: %[[T1:.*]] = arith.muli %[[KH]], %c10 overflow<nsw> : index
// CHECK-NEXT: %[[T2:.*]] = arith.addi %[[T0]], %[[T1]] : index
// CHECK-NEXT: %[[T3:.*]] = arith.addi %[[T2]], %[[KW]] : index
// CHECK-NEXT: %[[T4:.*]] = arith.index_cast %[[T3]] : index to i32
// CHECK-NEXT: memref.store %[[T4]], %[[TABLE]][%[[K]]]
// CHECK: gpu.barrier
// CHECK: %[[OW:.*]] = arith.remui %[[M:.*]], %[[C8]] : index
// CHECK-NEXT: %[[R:.*]] = arith.divui %[[M]], %[[C8]] : index
// CHECK-NEXT: %[[OH:.*]] = arith.remui %[[R]], %[[C8]] : index
// CHECK-NEXT: %[[N:.*]] = arith.divui %[[R]], %[[C8]] : index
// CHECK-NEXT: %[[B0:.*]] = arith.muli %[[N]], %c300 overflow<nsw> : index
// CHECK-NEXT: %[[B1:.*]] = arith.muli %[[OH]], %c10 overflow<nsw> : index
// CHECK-NEXT: %[[B2:.*]] = arith.addi %[[B0]], %[[B1]] : index
// CHECK-NEXT: %[[PIXEL:.*]] = arith.addi %[[B2]], %[[OW]] : index
// CHECK: %[[O:.*]] = memref.load %[[TABLE]][%{{.*}}]
// CHECK-NEXT: %[[OI:.*]] = arith.index_cast %[[O]] : i32 to index
// CHECK-NEXT: %[[AT:.*]] = arith.addi %[[PIXEL]], %[[OI]] : index
// CHECK-NEXT: memref.load %[[FLAT]][%[[AT]]]
// CHECK: memref.load %[[WF]][%{{.*}}, %{{.*}}] : memref<8x27xf32>
func.func @main(%x: memref<?x3x10x10xf32>, %w: memref<8x3x3x3xf32>, %y: memref<?x8x8x8xf32>) {
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%x, %w : memref<?x3x10x10xf32>, memref<8x3x3x3xf32>) outs(%y : memref<?x8x8x8xf32>)
  return
}

// -----

// Dynamic rows and 256 columns: both kernels are built, and the run's
// sizes choose (both sides at least 128 and at least 256 tiles of
// 128 x 128: the 8 x 8 per thread kernel, with K steps of 8) by giving the
// other kernel no blocks. No branch: the host need not wait for the GPU.
// CHECK-LABEL: func.func @main
// CHECK: %[[C256:.*]] = arith.constant 256 : index
// CHECK: %[[C128:.*]] = arith.constant 128 : index
// CHECK: arith.cmpi uge, %{{.*}}, %[[C128]] : index
// CHECK: arith.cmpi uge, %{{.*}}, %[[C128]] : index
// CHECK: %[[ENOUGH:.*]] = arith.cmpi uge, %{{.*}}, %[[C256]] : index
// CHECK-NEXT: %[[BIG:.*]] = arith.andi %{{.*}}, %[[ENOUGH]] : i1
// CHECK: %[[SMALL:.*]] = arith.xori %[[BIG]], %true : i1
// CHECK-NOT: scf.if
// CHECK: %[[N1:.*]] = arith.select %[[BIG]], %{{.*}}, %c0 : index
// CHECK-NEXT: scf.parallel (%{{.*}}, %{{.*}}, %{{.*}}) = (%c0, %c0, %c0) to (%[[N1]],
// CHECK: memref.alloca() : memref<8x132xf32, #gpu.address_space<workgroup>>
// CHECK: %[[N2:.*]] = arith.select %[[SMALL]], %{{.*}}, %c0 : index
// CHECK-NEXT: scf.parallel (%{{.*}}, %{{.*}}, %{{.*}}) = (%c0, %c0, %c0) to (%[[N2]],
// CHECK: memref.alloca() : memref<16x68xf32, #gpu.address_space<workgroup>>
func.func @main(%a: memref<?x64xf32>, %b: memref<64x256xf32>, %c: memref<?x256xf32>) {
  linalg.matmul ins(%a, %b : memref<?x64xf32>, memref<64x256xf32>) outs(%c : memref<?x256xf32>)
  return
}

// -----

// Left to kiln-gpu-map-to-threads: a reduction shorter than 16 (a 3 x 3
// window), a body that is not out + a * b, and functions other than the
// entry.
// CHECK-LABEL: func.func @main
// CHECK: linalg.matmul
// CHECK: linalg.generic
// CHECK-NOT: scf.parallel
// CHECK-LABEL: func.func @other
// CHECK: linalg.matmul
#map = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
func.func @main(%a: memref<4x9xf32>, %b: memref<9x4xf32>, %c: memref<4x4xf32>, %m: memref<4x64xf32>, %r: memref<4xf32>) {
  linalg.matmul ins(%a, %b : memref<4x9xf32>, memref<9x4xf32>) outs(%c : memref<4x4xf32>)
  linalg.generic {indexing_maps = [#map, #row], iterator_types = ["parallel", "reduction"]}
      ins(%m : memref<4x64xf32>) outs(%r : memref<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.maximumf %in, %out : f32
    linalg.yield %0 : f32
  }
  return
}
func.func @other(%a: memref<64x64xf32>, %b: memref<64x64xf32>, %c: memref<64x64xf32>) {
  linalg.matmul ins(%a, %b : memref<64x64xf32>, memref<64x64xf32>) outs(%c : memref<64x64xf32>)
  return
}
