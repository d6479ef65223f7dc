// RUN: %kiln-opt %s --split-input-file --verify-diagnostics --kiln-gpu-merge-kernel-modules | FileCheck %s

// gpu-kernel-outlining gives each kernel a gpu.module of its own and names
// every kernel after the host function (@main_kernel), uniquing only the
// modules. After the pass the first module holds both kernels: the second
// kernel is renamed after its old module (@main_kernel_0), that module is
// gone, and each launch calls its kernel in the merged module.
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[X:[^:]*]]: memref<4xf32>, %[[Y:[^:]*]]: memref<4xf32>)
// CHECK: gpu.launch_func @main_kernel::@main_kernel {{.*}} args(%[[X]] : memref<4xf32>, %[[Y]] : memref<4xf32>)
// CHECK: gpu.launch_func @main_kernel::@main_kernel_0 {{.*}} args(%[[Y]] : memref<4xf32>, %[[X]] : memref<4xf32>)
// CHECK: gpu.module @main_kernel {
// CHECK: gpu.func @main_kernel({{.*}}) kernel {
// CHECK: math.exp
// CHECK: gpu.return
// CHECK: gpu.func @main_kernel_0({{.*}}) kernel {
// CHECK: math.sqrt
// CHECK: gpu.return
// CHECK-NOT: gpu.module
module attributes {gpu.container_module} {
  func.func @main(%x: memref<4xf32>, %y: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    gpu.launch_func @main_kernel::@main_kernel blocks in (%c1, %c1, %c1) threads in (%c4, %c1, %c1) args(%x : memref<4xf32>, %y : memref<4xf32>)
    gpu.launch_func @main_kernel_0::@main_kernel blocks in (%c1, %c1, %c1) threads in (%c4, %c1, %c1) args(%y : memref<4xf32>, %x : memref<4xf32>)
    return
  }
  gpu.module @main_kernel {
    gpu.func @main_kernel(%in: memref<4xf32>, %out: memref<4xf32>) kernel {
      %i = gpu.thread_id x
      %v = memref.load %in[%i] : memref<4xf32>
      %r = math.exp %v : f32
      memref.store %r, %out[%i] : memref<4xf32>
      gpu.return
    }
  }
  gpu.module @main_kernel_0 {
    gpu.func @main_kernel(%in: memref<4xf32>, %out: memref<4xf32>) kernel {
      %i = gpu.thread_id x
      %v = memref.load %in[%i] : memref<4xf32>
      %r = math.sqrt %v : f32
      memref.store %r, %out[%i] : memref<4xf32>
      gpu.return
    }
  }
}

// -----

// Three modules: both later kernels move, each under its own module's name,
// and a kernel launched twice has both launches redirected.
// CHECK-LABEL: func.func @main
// CHECK: gpu.launch_func @main_kernel::@main_kernel_1 blocks
// CHECK: gpu.launch_func @main_kernel::@main_kernel blocks
// CHECK: gpu.launch_func @main_kernel::@main_kernel_0 blocks
// CHECK: gpu.launch_func @main_kernel::@main_kernel_1 blocks
// CHECK: gpu.module @main_kernel {
// CHECK-DAG: gpu.func @main_kernel(
// CHECK-DAG: gpu.func @main_kernel_0(
// CHECK-DAG: gpu.func @main_kernel_1(
// CHECK-NOT: gpu.module
module attributes {gpu.container_module} {
  func.func @main(%x: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @main_kernel_1::@main_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<4xf32>)
    gpu.launch_func @main_kernel::@main_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<4xf32>)
    gpu.launch_func @main_kernel_0::@main_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<4xf32>)
    gpu.launch_func @main_kernel_1::@main_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<4xf32>)
    return
  }
  gpu.module @main_kernel {
    gpu.func @main_kernel(%a: memref<4xf32>) kernel {
      gpu.return
    }
  }
  gpu.module @main_kernel_0 {
    gpu.func @main_kernel(%a: memref<4xf32>) kernel {
      gpu.return
    }
  }
  gpu.module @main_kernel_1 {
    gpu.func @main_kernel(%a: memref<4xf32>) kernel {
      gpu.return
    }
  }
}

// -----

// One module: nothing to merge, the kernel keeps its name.
// CHECK-LABEL: func.func @main
// CHECK: gpu.launch_func @main_kernel::@main_kernel blocks
// CHECK: gpu.module @main_kernel {
// CHECK: gpu.func @main_kernel(
module attributes {gpu.container_module} {
  func.func @main(%x: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @main_kernel::@main_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<4xf32>)
    return
  }
  gpu.module @main_kernel {
    gpu.func @main_kernel(%a: memref<4xf32>) kernel {
      gpu.return
    }
  }
}

// -----

// Outlining puts exactly one kernel in each module; anything else in a
// module to be merged (here a device function) is reported, not dropped.
module attributes {gpu.container_module} {
  gpu.module @main_kernel {
    gpu.func @main_kernel() kernel {
      gpu.return
    }
  }
  gpu.module @main_kernel_0 {
    // expected-error @below {{internal error: a kernel module holds more than its kernel}}
    gpu.func @helper() {
      gpu.return
    }
  }
}
