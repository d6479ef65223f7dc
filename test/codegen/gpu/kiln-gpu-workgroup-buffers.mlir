// RUN: %kiln-opt %s --split-input-file --verify-diagnostics --kiln-gpu-workgroup-buffers | FileCheck %s

// Workgroup-memory allocas in a kernel become its workgroup attributions,
// 16-byte aligned; a private one stays.
// CHECK-LABEL: gpu.func @kernel
// CHECK-SAME: workgroup(%[[T0:.*]] : memref<16x68xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %[[T1:.*]] : memref<8xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// CHECK-NOT: memref.alloca() : memref<16x68xf32
// CHECK: memref.store %{{.*}}, %[[T0]]
// CHECK: memref.store %{{.*}}, %[[T1]]
// CHECK: memref.alloca() : memref<4xf32>
gpu.module @kernels {
  gpu.func @kernel(%v: f32) kernel {
    %c0 = arith.constant 0 : index
    %t0 = memref.alloca() : memref<16x68xf32, #gpu.address_space<workgroup>>
    %t1 = memref.alloca() : memref<8xf32, #gpu.address_space<workgroup>>
    memref.store %v, %t0[%c0, %c0] : memref<16x68xf32, #gpu.address_space<workgroup>>
    memref.store %v, %t1[%c0] : memref<8xf32, #gpu.address_space<workgroup>>
    %p = memref.alloca() : memref<4xf32>
    memref.store %v, %p[%c0] : memref<4xf32>
    gpu.return
  }
}

// -----

// One outside any kernel is an error.
func.func @host() {
  // expected-error @+1 {{a workgroup buffer must have a static shape and be inside a kernel}}
  %t = memref.alloca() : memref<8xf32, #gpu.address_space<workgroup>>
  return
}
