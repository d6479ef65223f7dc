// RUN: %kiln-opt %s --split-input-file --kiln-gpu-tile-contractions="entry=main precision=tf32" --cse | FileCheck %s --check-prefix=TF32
// RUN: %kiln-opt %s --split-input-file --kiln-gpu-tile-contractions="entry=main precision=fp16" --cse | FileCheck %s --check-prefix=FP16
// RUN: not %kiln-opt %s --split-input-file --kiln-gpu-tile-contractions="entry=main precision=bf16" 2>&1 | FileCheck %s --check-prefix=BAD

// A ragged matmul (100 x 200 times 200 x 300) on the tensor cores. The
// tiles are staged as for fp32 (K steps of 16 for a 64 x 64 tile), but
// eight columns wider (the fragment reads then hit 32 banks); TF32 rounds
// each element to nearest as it is staged. The block tile is a 2 x 4 grid
// of warps, each 32 x 16: 2 x 2 mma tiles of 16 x 8, in K sub-steps of 8,
// so a K step is 8 mma.sync.
// Each takes four A elements (rows g, g + 8; K rows t, t + 4), two B
// elements (K rows t, t + 4) and the lane's four sums.
// TF32-LABEL: func.func @main
// TF32: memref.alloca() : memref<16x72xf32, #gpu.address_space<workgroup>>
// TF32: memref.alloca() : memref<16x72xf32, #gpu.address_space<workgroup>>
// TF32: scf.for
// TF32: %[[T:.*]] = nvvm.convert.float.to.tf32 %{{.*}} {rnd = #nvvm.fp_rnd_mode<rna>}
// TF32: %[[F:.*]] = arith.bitcast %[[T]] : i32 to f32
// TF32: memref.store %[[F]]
// TF32: gpu.barrier
// TF32: arith.bitcast %{{.*}} : f32 to i32
// TF32-COUNT-8: nvvm.mma.sync A[%{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}}, %{{[^]]*}}] B[%{{[^,]*}}, %{{[^]]*}}] C[%{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}}, %{{[^]]*}}] {{.*}}multiplicandAPtxType = #nvvm.mma_type<tf32>{{.*}}shape = #nvvm.shape<m = 16, n = 8, k = 8>} : (i32, i32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// TF32-NOT: nvvm.mma.sync
// TF32: gpu.barrier
// The sums are added to the output as in fp32, atomically under split-K.
// TF32: memref.atomic_rmw addf
// FP16-LABEL: func.func @main
// fp16 tiles hold the halves of K rows 2i and 2i + 1 side by side, each
// converted once as it is staged; a fragment register is one f16x2 read.
// FP16: memref.alloca() : memref<8x72x2xf16, #gpu.address_space<workgroup>>
// FP16-NOT: nvvm.convert.float.to.tf32
// FP16: arith.truncf %{{.*}} : f32 to f16
// FP16: memref.store %{{.*}} : memref<8x72x2xf16, #gpu.address_space<workgroup>>
// FP16: gpu.barrier
// FP16: vector.load %{{.*}} : memref<8x72x2xf16, #gpu.address_space<workgroup>>, vector<2xf16>
// FP16-COUNT-8: nvvm.mma.sync A[%{{[^,]*}}, %{{[^]]*}}] B[%{{[^]]*}}] C[{{.*}}shape = #nvvm.shape<m = 16, n = 8, k = 8>} : (vector<2xf16>, vector<2xf16>, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// FP16-NOT: nvvm.mma.sync
// FP16: gpu.barrier
// BAD: precision takes fp32, tf32 or fp16, not 'bf16'
func.func @main(%a: memref<100x200xf32>, %b: memref<200x300xf32>, %c: memref<100x300xf32>) {
  linalg.matmul ins(%a, %b : memref<100x200xf32>, memref<200x300xf32>) outs(%c : memref<100x300xf32>)
  return
}

// -----

// A large output takes 128 x 128 block tiles and K steps of 8: each warp
// computes 64 x 32, 4 x 4 mma tiles, 16 mma.sync per step.
// TF32-LABEL: func.func @main
// TF32: memref.alloca() : memref<8x136xf32, #gpu.address_space<workgroup>>
// TF32-COUNT-16: nvvm.mma.sync
// TF32-NOT: nvvm.mma.sync
// TF32: gpu.barrier
func.func @main(%a: memref<2048x512xf32>, %b: memref<512x2048xf32>, %c: memref<2048x2048xf32>) {
  linalg.matmul ins(%a, %b : memref<2048x512xf32>, memref<512x2048xf32>) outs(%c : memref<2048x2048xf32>)
  return
}
