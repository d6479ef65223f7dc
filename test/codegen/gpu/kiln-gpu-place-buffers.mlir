// RUN: %kiln-opt %s --split-input-file --kiln-gpu-place-buffers='entry=main num-inputs=1' | FileCheck %s

// The entry function after kernel outlining: one input %x (num-inputs=1),
// one output %y, a constant weight and a buffer of its own. The pass asks
// the runtime whether the caller passed device pointers
// (kiln_rt_tensors_on_device, declared in the module). If so, each
// argument is used in place: the scf.if yields the argument itself and
// nothing is copied or freed. If not, the input and the output get device
// buffers, the input's filled at the start and the output's copied back
// before the return, then both freed. The weight is replaced by its device
// copy, which the runtime makes once per library
// (kiln_rt_cuda_constant(host address, 16 bytes)), viewed as a memref and
// never freed by the run; the kernels see only the scf.if results and
// device buffers; the function's own buffer is gpu.alloc'ed and freed with
// gpu.dealloc.
// CHECK-DAG: func.func private @kiln_rt_tensors_on_device() -> i32
// CHECK-DAG: func.func private @kiln_rt_cuda_constant(i64, i64) -> i64
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[X:[^:]*]]: memref<4xf32>, %[[Y:[^:]*]]: memref<4xf32>)
// CHECK: %[[FLAG:.*]] = call @kiln_rt_tensors_on_device() : () -> i32
// CHECK: %[[ON:.*]] = arith.cmpi ne, %[[FLAG]], %{{.*}} : i32
// CHECK-NEXT: %[[DX:.*]] = scf.if %[[ON]] -> (memref<4xf32>) {
// CHECK-NEXT: scf.yield %[[X]] : memref<4xf32>
// CHECK-NEXT: } else {
// CHECK-NEXT: %[[AX:.*]] = gpu.alloc () : memref<4xf32>
// CHECK-NEXT: gpu.memcpy %[[AX]], %[[X]] : memref<4xf32>, memref<4xf32>
// CHECK-NEXT: scf.yield %[[AX]] : memref<4xf32>
// CHECK-NEXT: }
// CHECK-NEXT: %[[DY:.*]] = scf.if %[[ON]] -> (memref<4xf32>) {
// CHECK-NEXT: scf.yield %[[Y]] : memref<4xf32>
// CHECK-NEXT: } else {
// CHECK-NEXT: %[[AY:.*]] = gpu.alloc () : memref<4xf32>
// CHECK-NEXT: scf.yield %[[AY]] : memref<4xf32>
// CHECK-NEXT: }
// CHECK-NOT: gpu.memcpy %[[DY]]
// CHECK: %[[W:.*]] = memref.get_global @weights : memref<4xf32>
// CHECK-NEXT: %[[WP:.*]] = memref.extract_aligned_pointer_as_index %[[W]]
// CHECK-NEXT: %[[WI:.*]] = arith.index_cast %[[WP]] : index to i64
// CHECK-NEXT: %[[BYTES:.*]] = arith.constant 16 : i64
// CHECK-NEXT: %[[DP:.*]] = call @kiln_rt_cuda_constant(%[[WI]], %[[BYTES]])
// CHECK-NEXT: %[[PTR:.*]] = llvm.inttoptr %[[DP]] : i64 to !llvm.ptr
// CHECK: %[[DESC:.*]] = llvm.insertvalue %{{.*}}[4, 0]
// CHECK-NEXT: %[[DW:.*]] = builtin.unrealized_conversion_cast %[[DESC]] : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)> to memref<4xf32>
// CHECK-NOT: gpu.memcpy {{.*}}%[[W]]
// CHECK: %[[T:.*]] = gpu.alloc () : memref<4xf32>
// CHECK-NOT: memref.alloc
// CHECK: gpu.launch_func @k::@add {{.*}} args(%[[DX]] : memref<4xf32>, %[[DW]] : memref<4xf32>, %[[T]] : memref<4xf32>)
// CHECK: gpu.launch_func @k::@copy {{.*}} args(%[[T]] : memref<4xf32>, %[[DY]] : memref<4xf32>)
// CHECK: gpu.dealloc %[[T]] : memref<4xf32>
// CHECK-NOT: memref.dealloc
// CHECK-NOT: gpu.dealloc %[[DW]]
// CHECK: scf.if %[[ON]] {
// CHECK-NEXT: } else {
// CHECK-NEXT: gpu.memcpy %[[Y]], %[[DY]] : memref<4xf32>, memref<4xf32>
// CHECK-DAG: gpu.dealloc %[[DX]] : memref<4xf32>
// CHECK-DAG: gpu.dealloc %[[DY]] : memref<4xf32>
// CHECK-NEXT: }
// CHECK-NEXT: return
module attributes {gpu.container_module} {
  memref.global "private" constant @weights : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
  func.func @main(%x: memref<4xf32>, %y: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    %w = memref.get_global @weights : memref<4xf32>
    %t = memref.alloc() : memref<4xf32>
    gpu.launch_func @k::@add blocks in (%c1, %c1, %c1) threads in (%c4, %c1, %c1) args(%x : memref<4xf32>, %w : memref<4xf32>, %t : memref<4xf32>)
    gpu.launch_func @k::@copy blocks in (%c1, %c1, %c1) threads in (%c4, %c1, %c1) args(%t : memref<4xf32>, %y : memref<4xf32>)
    memref.dealloc %t : memref<4xf32>
    return
  }
  gpu.module @k {
    gpu.func @add(%a: memref<4xf32>, %b: memref<4xf32>, %c: memref<4xf32>) kernel {
      gpu.return
    }
    gpu.func @copy(%a: memref<4xf32>, %b: memref<4xf32>) kernel {
      gpu.return
    }
  }
}

// -----

// Dynamic dims: a device buffer takes its size from the host argument's
// memref.dim, and the host code after it reads sizes from the scf.if
// result (the descriptor is on the host; its data may not be). A
// non-memref argument (%n) gets no copy, and with num-inputs=1 %y is an
// output: not copied in, copied back on the host path only. A stack buffer
// (memref.alloca) becomes a device buffer too, freed at the end of its
// block.
// CHECK: func.func private @kiln_rt_tensors_on_device() -> i32
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[X:[^:]*]]: memref<?x8xf32>, %[[N:[^:]*]]: index, %[[Y:[^:]*]]: memref<?x8xf32>)
// CHECK: %[[ON:.*]] = arith.cmpi ne, %{{.*}}, %{{.*}} : i32
// CHECK-NEXT: %[[DX:.*]] = scf.if %[[ON]] -> (memref<?x8xf32>) {
// CHECK-NEXT: scf.yield %[[X]] : memref<?x8xf32>
// CHECK-NEXT: } else {
// CHECK: %[[XD0:.*]] = memref.dim %[[X]], %{{.*}} : memref<?x8xf32>
// CHECK-NEXT: %[[AX:.*]] = gpu.alloc (%[[XD0]]) : memref<?x8xf32>
// CHECK-NEXT: gpu.memcpy %[[AX]], %[[X]] : memref<?x8xf32>, memref<?x8xf32>
// CHECK-NEXT: scf.yield %[[AX]] : memref<?x8xf32>
// CHECK-NEXT: }
// CHECK-NEXT: %[[DY:.*]] = scf.if %[[ON]] -> (memref<?x8xf32>) {
// CHECK-NEXT: scf.yield %[[Y]] : memref<?x8xf32>
// CHECK-NEXT: } else {
// CHECK: %[[YD0:.*]] = memref.dim %[[Y]], %{{.*}} : memref<?x8xf32>
// CHECK-NEXT: %[[AY:.*]] = gpu.alloc (%[[YD0]]) : memref<?x8xf32>
// CHECK-NEXT: scf.yield %[[AY]] : memref<?x8xf32>
// CHECK-NEXT: }
// CHECK-NOT: gpu.memcpy
// CHECK: %[[D:.*]] = memref.dim %[[DX]], %{{.*}} : memref<?x8xf32>
// CHECK: %[[T:.*]] = gpu.alloc (%[[D]]) : memref<?x8xf32>
// CHECK: %[[S:.*]] = gpu.alloc () : memref<8xf32>
// CHECK: gpu.launch_func @k::@f blocks in (%[[D]], {{.*}} args(%[[DX]] : memref<?x8xf32>, %[[T]] : memref<?x8xf32>, %[[DY]] : memref<?x8xf32>, %[[S]] : memref<8xf32>)
// CHECK: scf.if %[[ON]] {
// CHECK-NEXT: } else {
// CHECK-NEXT: gpu.memcpy %[[Y]], %[[DY]] : memref<?x8xf32>, memref<?x8xf32>
// CHECK-DAG: gpu.dealloc %[[DX]] : memref<?x8xf32>
// CHECK-DAG: gpu.dealloc %[[DY]] : memref<?x8xf32>
// CHECK-NEXT: }
// CHECK-NEXT: gpu.dealloc %[[S]] : memref<8xf32>
// CHECK-NEXT: return
module attributes {gpu.container_module} {
  func.func @main(%x: memref<?x8xf32>, %n: index, %y: memref<?x8xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %d = memref.dim %x, %c0 : memref<?x8xf32>
    %t = memref.alloc(%d) : memref<?x8xf32>
    %s = memref.alloca() : memref<8xf32>
    gpu.launch_func @k::@f blocks in (%d, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<?x8xf32>, %t : memref<?x8xf32>, %y : memref<?x8xf32>, %s : memref<8xf32>)
    memref.dealloc %t : memref<?x8xf32>
    return
  }
  gpu.module @k {
    gpu.func @f(%a: memref<?x8xf32>, %b: memref<?x8xf32>, %c: memref<?x8xf32>, %s: memref<8xf32>) kernel {
      gpu.return
    }
  }
}

// -----

// A function not named by `entry` is host code: its arguments and buffers
// stay where they are, and it asks nothing of the runtime.
// CHECK-NOT: kiln_rt_tensors_on_device
// CHECK-LABEL: func.func @helper
// CHECK-SAME: (%[[X:[^:]*]]: memref<4xf32>)
// CHECK-NOT: gpu.
// CHECK: %[[T:.*]] = memref.alloc() : memref<4xf32>
// CHECK-NEXT: memref.copy %[[X]], %[[T]]
// CHECK-NEXT: memref.dealloc %[[T]] : memref<4xf32>
// CHECK-NEXT: return
// CHECK-NOT: kiln_rt_tensors_on_device
func.func @helper(%x: memref<4xf32>) {
  %t = memref.alloc() : memref<4xf32>
  memref.copy %x, %t : memref<4xf32> to memref<4xf32>
  memref.dealloc %t : memref<4xf32>
  return
}

// -----

// A constant fetched inside a loop is fetched once, at the start, whether
// or not the arguments are on the device; the kernel in the loop reads its
// device copy. A buffer marked kiln.host_buffer
// (kiln-gpu-map-to-threads reads device data through it) stays in host
// memory, where the host reads it.
// CHECK: func.func private @kiln_rt_tensors_on_device() -> i32
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[N:[^:]*]]: index, %[[Y:[^:]*]]: memref<4xf32>)
// CHECK: %[[ON:.*]] = arith.cmpi ne, %{{.*}}, %{{.*}} : i32
// CHECK-NEXT: %[[DY:.*]] = scf.if %[[ON]] -> (memref<4xf32>) {
// CHECK-NEXT: scf.yield %[[Y]] : memref<4xf32>
// CHECK-NEXT: } else {
// CHECK-NEXT: %[[AY:.*]] = gpu.alloc () : memref<4xf32>
// CHECK-NEXT: scf.yield %[[AY]] : memref<4xf32>
// CHECK-NEXT: }
// CHECK-NEXT: %[[W:.*]] = memref.get_global @w : memref<4xf32>
// CHECK: call @kiln_rt_cuda_constant
// CHECK: %[[DW:.*]] = builtin.unrealized_conversion_cast %{{.*}} to memref<4xf32>
// CHECK: %[[H:.*]] = memref.alloca() {kiln.host_buffer} : memref<1xindex>
// CHECK: scf.for
// CHECK-NEXT: gpu.launch_func @k::@f {{.*}} args(%[[DW]] : memref<4xf32>, %[[DY]] : memref<4xf32>)
// CHECK: memref.load %[[H]]
// CHECK-NOT: gpu.dealloc %[[H]]
// CHECK-NOT: gpu.dealloc %[[DW]]
// CHECK: scf.if %[[ON]] {
// CHECK-NEXT: } else {
// CHECK-NEXT: gpu.memcpy %[[Y]], %[[DY]] : memref<4xf32>, memref<4xf32>
// CHECK-NEXT: gpu.dealloc %[[DY]] : memref<4xf32>
// CHECK-NEXT: }
// CHECK-NOT: gpu.dealloc %[[H]]
// CHECK: return
module attributes {gpu.container_module} {
  memref.global "private" constant @w : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
  func.func @main(%n: index, %y: memref<4xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %h = memref.alloca() {kiln.host_buffer} : memref<1xindex>
    scf.for %i = %c0 to %n step %c1 {
      %w = memref.get_global @w : memref<4xf32>
      gpu.launch_func @k::@f blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%w : memref<4xf32>, %y : memref<4xf32>)
    }
    %v = memref.load %h[%c0] : memref<1xindex>
    return
  }
  gpu.module @k {
    gpu.func @f(%a: memref<4xf32>, %b: memref<4xf32>) kernel {
      gpu.return
    }
  }
}
