// The CUDA lowering of codegen/gpu/Pipeline.cpp (buildGpuLoweringPipeline:
// dim resolution, bufferization, the kiln-gpu passes, NVVM, PTX),
// spelled out as a kiln-opt pipeline so that the passes are tested
// together on a small function; keep the two in step.
// test/tools/kiln/cuda-target.test runs the pipeline itself through
// `kiln compile --target=cuda`.
//
// RUN: %kiln-opt %s --pass-pipeline='builtin.module( \
// RUN:   func.func(resolve-ranked-shaped-type-result-dims{error-on-pattern-iteration-limit=false}, \
// RUN:             scf-for-loop-canonicalization,canonicalize,cse), \
// RUN:   eliminate-empty-tensors, \
// RUN:   one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map allow-return-allocs-from-loops}, \
// RUN:   buffer-results-to-out-params{hoist-static-allocs=true modify-public-functions=true}, \
// RUN:   buffer-deallocation-pipeline,convert-bufferization-to-memref,cse,canonicalize, \
// RUN:   func.func(kiln-gpu-tile-contractions{entry=main}), \
// RUN:   func.func(kiln-gpu-map-to-threads{entry=main}), \
// RUN:   func.func(convert-parallel-loops-to-gpu), \
// RUN:   func.func(convert-linalg-to-loops,gpu-launch-sink-index-computations), \
// RUN:   gpu-kernel-outlining, \
// RUN:   kiln-gpu-merge-kernel-modules,kiln-gpu-workgroup-buffers, \
// RUN:   kiln-gpu-place-buffers{entry=main num-inputs=2}, \
// RUN:   func.func(kiln-reshapes-to-casts), \
// RUN:   func.func(gpu-async-region),canonicalize,cse, \
// RUN:   lower-affine,convert-scf-to-cf,nvvm-attach-target{chip=sm_90 O=3}, \
// RUN:   gpu.module(convert-gpu-to-nvvm),canonicalize,cse, \
// RUN:   expand-strided-metadata,lower-affine,finalize-memref-to-llvm, \
// RUN:   convert-math-to-llvm,convert-arith-to-llvm,convert-index-to-llvm, \
// RUN:   convert-cf-to-llvm,convert-func-to-llvm,gpu-to-llvm, \
// RUN:   reconcile-unrealized-casts,gpu-module-to-binary{format=isa})' \
// RUN: | FileCheck %s

// Two elementwise ops on 4 x 300 elements. The host function asks the
// runtime whether the caller passed device pointers
// (kiln_rt_tensors_on_device). If so it branches straight to the kernels
// with the arguments' own descriptors, and after them straight to the
// return: nothing is allocated, copied or freed. If not, it copies the two
// inputs to the device, allocates the output there, and after the kernels
// copies the output back and frees the three device buffers. The kernels
// see only the descriptors the two paths join into. Both launch ceil(1200
// / 256) = 5 blocks of 256 threads on one stream and are entries of one PTX
// module for sm_90 (one gpu.binary), the second renamed by the merge.
#map = affine_map<(d0, d1) -> (d0, d1)>
// CHECK: llvm.func @kiln_rt_tensors_on_device() -> i32
// CHECK-LABEL: llvm.func @main(
// CHECK-DAG: %[[C1:.*]] = llvm.mlir.constant(1 : index) : i64
// CHECK-DAG: %[[C5:.*]] = llvm.mlir.constant(5 : index) : i64
// CHECK-DAG: %[[C256:.*]] = llvm.mlir.constant(256 : index) : i64
// CHECK-NOT: llvm.call @mgpu
// CHECK: %[[FLAG:.*]] = llvm.call @kiln_rt_tensors_on_device() : () -> i32
// CHECK-NEXT: %[[ON:.*]] = llvm.icmp "ne" %[[FLAG]], %{{.*}} : i32
// CHECK-NEXT: llvm.cond_br %[[ON]], ^[[LAUNCH:bb[0-9]+]](%[[X:[^,]*]], %[[Y:[^,]*]], %[[OUT:[^ ]*]] : {{.*}}), ^[[COPYIN:bb[0-9]+]]
// Host path: the inputs' data copied to new device buffers, the output
// allocated.
// CHECK-NEXT: ^[[COPYIN]]:
// CHECK: llvm.call @mgpuMemAlloc(
// CHECK: %[[XP:.*]] = llvm.extractvalue %[[X]][1]
// CHECK: llvm.call @mgpuMemcpy(%{{.*}}, %[[XP]], %{{.*}}, %{{.*}})
// CHECK: llvm.call @mgpuMemAlloc(
// CHECK: %[[YP:.*]] = llvm.extractvalue %[[Y]][1]
// CHECK: llvm.call @mgpuMemcpy(%{{.*}}, %[[YP]], %{{.*}}, %{{.*}})
// CHECK: llvm.call @mgpuMemAlloc(
// CHECK-NOT: llvm.call @mgpuMemcpy
// CHECK: llvm.br ^[[LAUNCH]](
// The kernels, on one stream, on the descriptors both paths pass.
// CHECK-NEXT: ^[[LAUNCH]](%[[DX:[^:]*]]: {{.*}}, %[[DY:[^:]*]]: {{.*}}, %[[DOUT:[^:]*]]: {{.*}}):
// CHECK-NEXT: %[[S:.*]] = llvm.call @mgpuStreamCreate()
// CHECK-DAG: %[[K0X:.*]] = llvm.extractvalue %[[DX]][1]
// CHECK-DAG: %[[K0Y:.*]] = llvm.extractvalue %[[DY]][1]
// CHECK-DAG: %[[K0O:.*]] = llvm.extractvalue %[[DOUT]][1]
// CHECK-NOT: llvm.call @mgpu
// CHECK: gpu.launch_func <%[[S]] : !llvm.ptr> @main_kernel::@main_kernel blocks in (%[[C5]], %[[C1]], %[[C1]]) threads in (%[[C256]], %[[C1]], %[[C1]]) : i64 args({{.*}}%[[K0X]] : !llvm.ptr{{.*}}%[[K0Y]] : !llvm.ptr{{.*}}%[[K0O]] : !llvm.ptr
// CHECK-NOT: llvm.call @mgpu
// CHECK: gpu.launch_func <%[[S]] : !llvm.ptr> @main_kernel::@main_kernel_0 blocks in (%[[C5]], %[[C1]], %[[C1]]) threads in (%[[C256]], %[[C1]], %[[C1]])
// CHECK-NEXT: llvm.call @mgpuStreamSynchronize(%[[S]])
// CHECK-NEXT: llvm.call @mgpuStreamDestroy(%[[S]])
// CHECK-NEXT: llvm.cond_br %[[ON]], ^[[DONE:bb[0-9]+]], ^[[COPYOUT:bb[0-9]+]]
// Host path: the output copied back, the three device buffers freed.
// CHECK-NEXT: ^[[COPYOUT]]:
// CHECK-NEXT: %[[S2:.*]] = llvm.call @mgpuStreamCreate()
// CHECK: %[[DOP:.*]] = llvm.extractvalue %[[DOUT]][1]
// CHECK-NEXT: %[[OP:.*]] = llvm.extractvalue %[[OUT]][1]
// CHECK-NEXT: llvm.call @mgpuMemcpy(%[[OP]], %[[DOP]], %{{.*}}, %[[S2]])
// CHECK-NEXT: %[[F0:.*]] = llvm.extractvalue %[[DX]][0]
// CHECK-NEXT: llvm.call @mgpuMemFree(%[[F0]], %[[S2]])
// CHECK-NEXT: %[[F1:.*]] = llvm.extractvalue %[[DY]][0]
// CHECK-NEXT: llvm.call @mgpuMemFree(%[[F1]], %[[S2]])
// CHECK-NEXT: %[[F2:.*]] = llvm.extractvalue %[[DOUT]][0]
// CHECK-NEXT: llvm.call @mgpuMemFree(%[[F2]], %[[S2]])
// CHECK-NEXT: llvm.call @mgpuStreamSynchronize(%[[S2]])
// CHECK-NEXT: llvm.call @mgpuStreamDestroy(%[[S2]])
// CHECK-NEXT: llvm.br ^[[DONE]]
// Device path: straight to the return.
// CHECK-NEXT: ^[[DONE]]:
// CHECK-NEXT: llvm.return
// CHECK-NOT: gpu.launch_func
// CHECK: gpu.binary @main_kernel [#gpu.object<#nvvm.target<O = 3, chip = "sm_90">, {{.*}}assembly = "{{.*}}.target sm_90{{.*}}.visible .entry main_kernel({{.*}}add.rn.f32{{.*}}.visible .entry main_kernel_0({{.*}}mul.rn.f32{{.*}}"
// CHECK-NOT: gpu.binary
// CHECK-NOT: gpu.module
func.func @main(%x: tensor<4x300xf32> {bufferization.writable = false},
                %y: tensor<4x300xf32> {bufferization.writable = false})
    -> tensor<4x300xf32> {
  %e = tensor.empty() : tensor<4x300xf32>
  %0 = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]} ins(%x, %y : tensor<4x300xf32>, tensor<4x300xf32>) outs(%e : tensor<4x300xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<4x300xf32>
  %1 = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel"]} ins(%0, %y : tensor<4x300xf32>, tensor<4x300xf32>) outs(%e : tensor<4x300xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %r = arith.mulf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<4x300xf32>
  return %1 : tensor<4x300xf32>
}

// A function other than the entry (a shape function) stays host code: its
// linalg op becomes a plain loop on the host, with no launch and no
// device memory.
#map1 = affine_map<(d0) -> (d0)>
// CHECK-LABEL: llvm.func @shape(
// CHECK-NOT: mgpu
// CHECK-NOT: gpu.launch_func
// CHECK: llvm.cond_br
// CHECK: llvm.mul %{{.*}} : i64
// CHECK-NOT: mgpu
// CHECK: llvm.return
func.func @shape(%d: tensor<4xi64>) -> tensor<4xi64> {
  %e = tensor.empty() : tensor<4xi64>
  %0 = linalg.generic {indexing_maps = [#map1, #map1], iterator_types = ["parallel"]} ins(%d : tensor<4xi64>) outs(%e : tensor<4xi64>) {
  ^bb0(%a: i64, %o: i64):
    %r = arith.muli %a, %a : i64
    linalg.yield %r : i64
  } -> tensor<4xi64>
  return %0 : tensor<4xi64>
}
