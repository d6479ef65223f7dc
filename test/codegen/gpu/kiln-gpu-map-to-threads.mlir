// RUN: %kiln-opt %s --split-input-file --verify-diagnostics --kiln-gpu-map-to-threads=entry=main --cse | FileCheck %s
// RUN: %kiln-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(kiln-gpu-map-to-threads{entry=main},convert-parallel-loops-to-gpu,canonicalize,cse))' | FileCheck %s --check-prefix=LAUNCH
// RUN: %kiln-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(kiln-gpu-map-to-threads{entry=main block-size=128},convert-parallel-loops-to-gpu,canonicalize,cse))' | FileCheck %s --check-prefix=BS128

// The first RUN line checks the pass's loops (cse only merges the
// repeated constants and index computations the pass creates;
// canonicalize would fold the two loops into one and drop the mapping).
// The others add upstream's convert-parallel-loops-to-gpu, which reads the
// mapping: each kernel loop becomes one gpu.launch, of 256 threads a
// block, or of `block-size` threads.

// An elementwise 2-D op: its two parallel dims become one scf.parallel
// over 4 * 300 = 1200 elements, tiled into blocks of 256 (block_x) of one
// element per thread (thread_x); a thread past the end does nothing (the
// scf.if guard: 1200 is not a multiple of 256). Row and column come back
// from the linear index by division and remainder by 300.
#map = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[X:[^:]*]]: memref<4x300xf32>, %[[Y:[^:]*]]: memref<4x300xf32>)
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG: %[[C300:.*]] = arith.constant 300 : index
// CHECK: %[[N0:.*]] = arith.muli %{{.*}}, %[[C4]] : index
// CHECK: %[[N:.*]] = arith.muli %[[N0]], %[[C300]] : index
// CHECK: %[[C256:.*]] = arith.constant 256 : index
// CHECK: %[[BS:.*]] = arith.muli %{{.*}}, %[[C256]] : index
// CHECK: scf.parallel (%[[B:[^)]*]]) = (%{{.*}}) to (%[[N]]) step (%[[BS]]) {
// CHECK-NEXT: scf.parallel (%[[T:[^)]*]]) = (%{{.*}}) to (%[[BS]]) step (%{{.*}}) {
// CHECK: %[[L:.*]] = arith.addi %[[T]], %[[B]] : index
// CHECK: %[[IN:.*]] = arith.cmpi ult, %{{.*}}, %[[N]] : index
// CHECK: %[[G:.*]] = arith.andi %{{.*}}, %[[IN]] : i1
// CHECK: scf.if %[[G]] {
// CHECK: %[[J:.*]] = arith.remsi %[[L]], %[[C300]] : index
// CHECK: %[[I:.*]] = arith.divsi %[[L]], %[[C300]] : index
// CHECK: %[[V:.*]] = memref.load %[[X]]
// CHECK: %[[E:.*]] = math.exp %[[V]] : f32
// CHECK: memref.store %[[E]], %[[Y]]
// CHECK: scf.reduce
// CHECK-NEXT: } {mapping = [#gpu.loop_dim_map<processor = thread_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// CHECK-NEXT: scf.reduce
// CHECK-NEXT: } {mapping = [#gpu.loop_dim_map<processor = block_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// CHECK-NOT: linalg.generic

// One launch: ceil(1200 / 256) = 5 blocks of 256 threads, the thread's
// element being block * 256 + thread.
// LAUNCH-LABEL: func.func @main(%{{.*}}: memref<4x300xf32>
// LAUNCH-DAG: %[[C1:.*]] = arith.constant 1 : index
// LAUNCH-DAG: %[[C256:.*]] = arith.constant 256 : index
// LAUNCH-DAG: %[[C5:.*]] = arith.constant 5 : index
// LAUNCH: gpu.launch blocks({{.*}}) in ({{.*}} = %[[C5]], {{.*}} = %[[C1]], {{.*}} = %[[C1]]) threads({{.*}}) in ({{.*}} = %[[C256]], {{.*}} = %[[C1]], {{.*}} = %[[C1]])
// LAUNCH: math.exp
// LAUNCH: gpu.terminator
// LAUNCH-NOT: gpu.launch

// block-size=128: ceil(1200 / 128) = 10 blocks of 128 threads.
// BS128-LABEL: func.func @main(%{{.*}}: memref<4x300xf32>
// BS128-DAG: %[[C1:.*]] = arith.constant 1 : index
// BS128-DAG: %[[C128:.*]] = arith.constant 128 : index
// BS128-DAG: %[[C10:.*]] = arith.constant 10 : index
// BS128: gpu.launch blocks({{.*}}) in ({{.*}} = %[[C10]], {{.*}} = %[[C1]], {{.*}} = %[[C1]]) threads({{.*}}) in ({{.*}} = %[[C128]], {{.*}} = %[[C1]], {{.*}} = %[[C1]])
func.func @main(%x: memref<4x300xf32>, %y: memref<4x300xf32>) {
  linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%x : memref<4x300xf32>) outs(%y : memref<4x300xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.exp %a : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// A dynamic dim: the element count is the run-time dim times 300, and the
// launch's block count is computed from it (ceildiv 256) on the host.
#map = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[X:[^:]*]]: memref<?x300xf32>
// CHECK: %[[D:.*]] = memref.dim %[[X]], %{{.*}} : memref<?x300xf32>
// CHECK: %[[N0:.*]] = arith.muli %{{.*}}, %[[D]] : index
// CHECK: %[[N:.*]] = arith.muli %[[N0]], %{{.*}} : index
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%[[N]]) step
// CHECK: scf.parallel
// CHECK: arith.cmpi ult, %{{.*}}, %[[N]] : index

// LAUNCH: #[[CEIL:.*]] = affine_map<()[s0] -> (s0 ceildiv 256)>
// LAUNCH-LABEL: func.func @main(%{{.*}}: memref<?x300xf32>
// LAUNCH-DAG: %[[C1:.*]] = arith.constant 1 : index
// LAUNCH-DAG: %[[C256:.*]] = arith.constant 256 : index
// LAUNCH-DAG: %[[C300:.*]] = arith.constant 300 : index
// LAUNCH: %[[D:.*]] = memref.dim
// LAUNCH: %[[N:.*]] = arith.muli %[[D]], %[[C300]] : index
// LAUNCH: %[[NB:.*]] = affine.apply #[[CEIL]]()[%[[N]]]
// LAUNCH: gpu.launch blocks({{.*}}) in ({{.*}} = %[[NB]], {{.*}} = %[[C1]], {{.*}} = %[[C1]]) threads({{.*}}) in ({{.*}} = %[[C256]], {{.*}} = %[[C1]], {{.*}} = %[[C1]])
func.func @main(%x: memref<?x300xf32>, %y: memref<?x300xf32>) {
  linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel", "parallel"]} ins(%x : memref<?x300xf32>) outs(%y : memref<?x300xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.exp %a : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// A matmul: one thread per output element (8 * 32 of them, the column the
// remainder by 32), and the reduction dim (16) a sequential scf.for inside
// the thread's guard, accumulating into the output element.
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[A:[^:]*]]: memref<8x16xf32>, %[[B:[^:]*]]: memref<16x32xf32>, %[[C:[^:]*]]: memref<8x32xf32>)
// CHECK-DAG: %[[C8:.*]] = arith.constant 8 : index
// CHECK-DAG: %[[C16:.*]] = arith.constant 16 : index
// CHECK-DAG: %[[C32:.*]] = arith.constant 32 : index
// CHECK: %[[N0:.*]] = arith.muli %{{.*}}, %[[C8]] : index
// CHECK: %[[N:.*]] = arith.muli %[[N0]], %[[C32]] : index
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%[[N]]) step
// CHECK-NEXT: scf.parallel
// CHECK-NOT: scf.parallel
// CHECK: scf.if
// CHECK: arith.remsi %{{.*}}, %[[C32]] : index
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[C16]] step
// CHECK: memref.load %[[A]]
// CHECK: memref.load %[[B]]
// CHECK: memref.load %[[C]]
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: memref.store %{{.*}}, %[[C]]
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = thread_x
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = block_x
func.func @main(%a: memref<8x16xf32>, %b: memref<16x32xf32>, %c: memref<8x32xf32>) {
  linalg.matmul ins(%a, %b : memref<8x16xf32>, memref<16x32xf32>) outs(%c : memref<8x32xf32>)
  return
}

// -----

// Iterators [parallel, reduction, parallel] (a max over the middle dim):
// the parallel dims d0 (6) and d2 (9) are moved first and collapsed into
// one loop of 54 threads; the reduction d1 (7) is the loop inside, so the
// input is read at [d0, d1, d2] = [row, k, column].
#in = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#out = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[X:[^:]*]]: memref<6x7x9xf32>, %[[Y:[^:]*]]: memref<6x9xf32>)
// CHECK-DAG: %[[C6:.*]] = arith.constant 6 : index
// CHECK-DAG: %[[C7:.*]] = arith.constant 7 : index
// CHECK-DAG: %[[C9:.*]] = arith.constant 9 : index
// CHECK: %[[N0:.*]] = arith.muli %{{.*}}, %[[C6]] : index
// CHECK: %[[N:.*]] = arith.muli %[[N0]], %[[C9]] : index
// CHECK: scf.parallel (%[[B:[^)]*]]) = (%{{.*}}) to (%[[N]]) step
// CHECK-NEXT: scf.parallel (%[[T:[^)]*]]) =
// CHECK-NOT: scf.parallel
// CHECK: %[[L:.*]] = arith.addi %[[T]], %[[B]] : index
// CHECK: scf.if
// CHECK: %[[J:.*]] = arith.remsi %[[L]], %[[C9]] : index
// CHECK: %[[I:.*]] = arith.divsi %[[L]], %[[C9]] : index
// CHECK: scf.for %[[K:.*]] = %{{.*}} to %[[C7]] step
// CHECK-DAG: %[[XI:.*]] = affine.apply #{{.*}}(%[[I]])
// CHECK-DAG: %[[XK:.*]] = affine.apply #{{.*}}(%[[K]])
// CHECK-DAG: %[[XJ:.*]] = affine.apply #{{.*}}(%[[J]])
// CHECK: memref.load %[[X]][%[[XI]], %[[XK]], %[[XJ]]] : memref<6x7x9xf32>
// CHECK: memref.load %[[Y]][%[[XI]], %[[XJ]]] : memref<6x9xf32>
// CHECK: arith.maximumf
// CHECK: memref.store %{{.*}}, %[[Y]][%[[XI]], %[[XJ]]] : memref<6x9xf32>
func.func @main(%x: memref<6x7x9xf32>, %y: memref<6x9xf32>) {
  linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "reduction", "parallel"]} ins(%x : memref<6x7x9xf32>) outs(%y : memref<6x9xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %a, %o : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// A buffer filled then copied out (a constant-shaped result written into
// the output argument): the linalg.fill and the memref.copy each become a
// kernel loop over the 5 * 7 elements, in program order; no memref.copy is
// left on the host.
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[Y:[^:]*]]: memref<5x7xf32>)
// CHECK: %[[T:.*]] = memref.alloc() : memref<5x7xf32>
// CHECK-DAG: %[[C5:.*]] = arith.constant 5 : index
// CHECK-DAG: %[[C7:.*]] = arith.constant 7 : index
// CHECK: %[[N0:.*]] = arith.muli %{{.*}}, %[[C5]] : index
// CHECK: %[[N:.*]] = arith.muli %[[N0]], %[[C7]] : index
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%[[N]]) step
// CHECK: scf.parallel
// CHECK: scf.if
// CHECK: memref.store %{{.*}}, %[[T]]
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = thread_x
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = block_x
// CHECK-NEXT: scf.parallel (%{{.*}}) = (%{{.*}}) to (%[[N]]) step
// CHECK: scf.parallel
// CHECK: scf.if
// CHECK: %[[V:.*]] = memref.load %[[T]]
// CHECK: memref.store %[[V]], %[[Y]]
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = thread_x
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = block_x
// CHECK-NOT: memref.copy
// CHECK: memref.dealloc %[[T]]

// LAUNCH-LABEL: func.func @main(%{{.*}}: memref<5x7xf32>)
// LAUNCH: gpu.launch
// LAUNCH: gpu.launch
// LAUNCH-NOT: memref.copy
// LAUNCH: return
func.func @main(%y: memref<5x7xf32>) {
  %zero = arith.constant 0.0 : f32
  %t = memref.alloc() : memref<5x7xf32>
  linalg.fill ins(%zero : f32) outs(%t : memref<5x7xf32>)
  memref.copy %t, %y : memref<5x7xf32> to memref<5x7xf32>
  memref.dealloc %t : memref<5x7xf32>
  return
}

// -----

// A function other than `entry` is host code: nothing changes.
#map = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @helper
// CHECK-NOT: scf.parallel
// CHECK: linalg.generic
// CHECK: memref.copy
// CHECK-NOT: scf.parallel
// CHECK: return
// LAUNCH-LABEL: func.func @helper
// LAUNCH-NOT: gpu.launch
// LAUNCH: memref.copy
func.func @helper(%x: memref<5xf32>, %y: memref<5xf32>) {
  linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]} ins(%x : memref<5xf32>) outs(%y : memref<5xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = math.exp %a : f32
    linalg.yield %r : f32
  }
  memref.copy %x, %y : memref<5xf32> to memref<5xf32>
  return
}

// -----

// A host loop that scatters through run-time indices (no parallel loop in
// it, no results) runs unchanged as the one thread of a kernel of its own:
// a single-iteration scf.parallel mapped to block_x around the whole loop.
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[X:[^:]*]]: memref<10xf32>, %[[IDX:[^:]*]]: memref<4xindex>, %[[Y:[^:]*]]: memref<10xf32>)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK: scf.parallel (%{{.*}}) = (%[[C0]]) to (%[[C1]]) step (%[[C1]]) {
// CHECK-NEXT: scf.for %[[I:.*]] = %[[C0]] to %{{.*}} step %[[C1]] {
// CHECK-NEXT: %[[J:.*]] = memref.load %[[IDX]][%[[I]]]
// CHECK-NEXT: %[[V:.*]] = memref.load %[[X]][%[[I]]]
// CHECK-NEXT: memref.store %[[V]], %[[Y]][%[[J]]]
// CHECK-NEXT: }
// CHECK-NEXT: scf.reduce
// CHECK-NEXT: } {mapping = [#gpu.loop_dim_map<processor = block_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// CHECK-NEXT: return

// One block of one thread.
// LAUNCH-LABEL: func.func @main(%{{.*}}: memref<10xf32>, %{{.*}}: memref<4xindex>
// LAUNCH: %[[C1:.*]] = arith.constant 1 : index
// LAUNCH: gpu.launch blocks({{.*}}) in ({{.*}} = %[[C1]], {{.*}} = %[[C1]], {{.*}} = %[[C1]]) threads({{.*}}) in ({{.*}} = %[[C1]], {{.*}} = %[[C1]], {{.*}} = %[[C1]])
// LAUNCH-NEXT: scf.for
func.func @main(%x: memref<10xf32>, %idx: memref<4xindex>, %y: memref<10xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %j = memref.load %idx[%i] : memref<4xindex>
    %v = memref.load %x[%i] : memref<10xf32>
    memref.store %v, %y[%j] : memref<10xf32>
  }
  return
}

// -----

// A buffer element the host needs (here the size of an allocation) is
// read through the device: a one-thread kernel copies it into a
// one-element buffer, gpu.memcpy copies that into a host buffer (marked
// kiln.host_buffer, which kiln-gpu-place-buffers leaves in host memory),
// and the host reads it from there.
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[N:[^:]*]]: memref<1xindex>)
// CHECK: %[[H:.*]] = memref.alloca() {kiln.host_buffer} : memref<1xindex>
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK: %[[E:.*]] = memref.alloc() : memref<1xindex>
// CHECK-NEXT: scf.parallel (%{{.*}}) = (%[[C0]]) to (%[[C1]]) step (%[[C1]]) {
// CHECK-NEXT: %[[V:.*]] = memref.load %[[N]][%[[C0]]] : memref<1xindex>
// CHECK-NEXT: memref.store %[[V]], %[[E]][%[[C0]]] : memref<1xindex>
// CHECK-NEXT: scf.reduce
// CHECK-NEXT: } {mapping = [#gpu.loop_dim_map<processor = block_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// CHECK-NEXT: gpu.memcpy %[[H]], %[[E]] : memref<1xindex>, memref<1xindex>
// CHECK-NEXT: %[[SIZE:.*]] = memref.load %[[H]][%[[C0]]] : memref<1xindex>
// CHECK-NEXT: memref.dealloc %[[E]] : memref<1xindex>
// CHECK-NEXT: %[[A:.*]] = memref.alloc(%[[SIZE]]) : memref<?xf32>
// CHECK-NEXT: memref.dealloc %[[A]] : memref<?xf32>
func.func @main(%n: memref<1xindex>) {
  %c0 = arith.constant 0 : index
  %v = memref.load %n[%c0] : memref<1xindex>
  %a = memref.alloc(%v) : memref<?xf32>
  memref.dealloc %a : memref<?xf32>
  return
}

// -----

// A loop bound read from a buffer: the element comes to the host as above,
// and the loop (which writes a buffer) runs as a one-thread kernel bounded
// by the host value.
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[N:[^:]*]]: memref<1xindex>, %[[Y:[^:]*]]: memref<?xf32>)
// CHECK: %[[H:.*]] = memref.alloca() {kiln.host_buffer} : memref<1xindex>
// CHECK: scf.parallel
// CHECK-NEXT: memref.load %[[N]]
// CHECK: gpu.memcpy %[[H]], %{{.*}} : memref<1xindex>, memref<1xindex>
// CHECK-NEXT: %[[BOUND:.*]] = memref.load %[[H]]
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step (%{{.*}}) {
// CHECK-NEXT: scf.for %[[I:.*]] = %{{.*}} to %[[BOUND]] step
// CHECK-NEXT: memref.store %{{.*}}, %[[Y]][%[[I]]] : memref<?xf32>
// CHECK: } {mapping = [#gpu.loop_dim_map<processor = block_x
// CHECK-NEXT: return
func.func @main(%n: memref<1xindex>, %y: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %one = arith.constant 1.0 : f32
  %v = memref.load %n[%c0] : memref<1xindex>
  scf.for %i = %c0 to %v step %c1 {
    memref.store %one, %y[%i] : memref<?xf32>
  }
  return
}

// -----

// A host op that touches a buffer and returns a value, and is neither a
// load nor a region the pass can work through (an atomic read-modify-write
// whose old value the host uses), is reported.
func.func @main(%acc: memref<4xf32>, %y: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %one = arith.constant 1.0 : f32
  // expected-error @below {{the GPU target cannot run this op on the host}}
  %old = memref.atomic_rmw addf %one, %acc[%c0] : (f32, memref<4xf32>) -> f32
  %sum = arith.addf %old, %one : f32
  memref.store %sum, %y[%c0] : memref<4xf32>
  return
}

// -----

// A buffer the entry hands to a host function (upstream's deallocation
// helper takes arrays of buffer addresses) stays in host memory: its
// allocation is marked and the store that fills it stays a host op, while
// a store into an ordinary buffer becomes a one-thread kernel.
// CHECK-LABEL: func.func @main
func.func private @host_helper(memref<?xindex>)
func.func @main(%out: memref<2xindex>, %i: index) {
  // CHECK: %[[HOST:.*]] = memref.alloc() {kiln.host_buffer} : memref<2xindex>
  // CHECK-NEXT: memref.store %{{.*}}, %[[HOST]]
  // CHECK: scf.parallel
  // CHECK-NEXT: memref.store %{{.*}}, %{{.*}} : memref<2xindex>
  // CHECK: call @host_helper
  %c0 = arith.constant 0 : index
  %a = memref.alloc() : memref<2xindex>
  memref.store %i, %a[%c0] : memref<2xindex>
  memref.store %i, %out[%c0] : memref<2xindex>
  %cast = memref.cast %a : memref<2xindex> to memref<?xindex>
  call @host_helper(%cast) : (memref<?xindex>) -> ()
  return
}
