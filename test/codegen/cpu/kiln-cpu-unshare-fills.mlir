// RUN: %kiln-opt %s --split-input-file --kiln-cpu-unshare-fills | FileCheck %s
// RUN: %kiln-opt %s --split-input-file --kiln-cpu-unshare-fills --eliminate-empty-tensors --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" | FileCheck %s --check-prefix=BUF

// Two padded tensors of one shape share one fill after CSE. Each insert
// gets a fill (of an empty tensor) of its own, so bufferization writes both
// in place; with the shared fill it copied the whole filled buffer for the
// second (BUF-NOT: memref.copy, beyond the two slice copies of the inputs).
// CHECK-LABEL: func.func @shared_fill
// CHECK: %[[E1:.*]] = tensor.empty() : tensor<4x10x10xf32>
// CHECK: %[[F1:.*]] = linalg.fill ins(%{{.*}}) outs(%[[E1]] : tensor<4x10x10xf32>)
// CHECK: tensor.insert_slice %{{.*}} into %[[F1]][0, 1, 1]
// CHECK: %[[E2:.*]] = tensor.empty() : tensor<4x10x10xf32>
// CHECK: %[[F2:.*]] = linalg.fill ins(%{{.*}}) outs(%[[E2]] : tensor<4x10x10xf32>)
// CHECK: tensor.insert_slice %{{.*}} into %[[F2]][0, 1, 1]
// BUF-LABEL: func.func @shared_fill
// BUF: memref.alloc() {{.*}} : memref<4x10x10xf32>
// BUF: memref.copy %arg0, {{.*}} : memref<4x8x8xf32> to memref<4x8x8xf32, strided<[100, 10, 1], offset: 11>>
// BUF: memref.alloc() {{.*}} : memref<4x10x10xf32>
// BUF: memref.copy %arg1, {{.*}} : memref<4x8x8xf32> to memref<4x8x8xf32, strided<[100, 10, 1], offset: 11>>
// BUF-NOT: memref.alloc
// BUF-NOT: memref.copy
func.func @shared_fill(%x: tensor<4x8x8xf32>, %y: tensor<4x8x8xf32>) -> (tensor<4x10x10xf32>, tensor<4x10x10xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x10x10xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x10x10xf32>) -> tensor<4x10x10xf32>
  %a = tensor.insert_slice %x into %f[0, 1, 1] [4, 8, 8] [1, 1, 1] : tensor<4x8x8xf32> into tensor<4x10x10xf32>
  %b = tensor.insert_slice %y into %f[0, 1, 1] [4, 8, 8] [1, 1, 1] : tensor<4x8x8xf32> into tensor<4x10x10xf32>
  return %a, %b : tensor<4x10x10xf32>, tensor<4x10x10xf32>
}

// -----

// An empty tensor used as the destination of two ops gets one per use.
// CHECK-LABEL: func.func @shared_empty
// BUF-LABEL: func.func @shared_empty
// CHECK: %[[E1:.*]] = tensor.empty() : tensor<16xf32>
// CHECK: linalg.fill ins(%{{.*}}) outs(%[[E1]] : tensor<16xf32>)
// CHECK: %[[E2:.*]] = tensor.empty() : tensor<16xf32>
// CHECK: linalg.fill ins(%{{.*}}) outs(%[[E2]] : tensor<16xf32>)
func.func @shared_empty() -> (tensor<16xf32>, tensor<16xf32>) {
  %one = arith.constant 1.0 : f32
  %two = arith.constant 2.0 : f32
  %e = tensor.empty() : tensor<16xf32>
  %a = linalg.fill ins(%one : f32) outs(%e : tensor<16xf32>) -> tensor<16xf32>
  %b = linalg.fill ins(%two : f32) outs(%e : tensor<16xf32>) -> tensor<16xf32>
  return %a, %b : tensor<16xf32>, tensor<16xf32>
}

// -----

// A chain (a filled strip inserted into a filled tensor) used twice is
// cloned whole, before the second user.
// CHECK-LABEL: func.func @shared_chain
// CHECK: %[[I1:.*]] = tensor.insert_slice
// CHECK: linalg.generic {{.*}} outs(%[[I1]] : tensor<8x8xf32>)
// CHECK: tensor.empty() : tensor<1x8xf32>
// CHECK: %[[S2:.*]] = linalg.fill
// CHECK: tensor.empty() : tensor<8x8xf32>
// CHECK: %[[F2:.*]] = linalg.fill
// CHECK: %[[I2:.*]] = tensor.insert_slice %[[S2]] into %[[F2]]
// CHECK: linalg.generic {{.*}} outs(%[[I2]] : tensor<8x8xf32>)
#id = affine_map<(i, j) -> (i, j)>
func.func @shared_chain(%x: tensor<8x8xf32>, %y: tensor<8x8xf32>) -> (tensor<8x8xf32>, tensor<8x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<8x8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8x8xf32>) -> tensor<8x8xf32>
  %s = tensor.empty() : tensor<1x8xf32>
  %g = linalg.fill ins(%one : f32) outs(%s : tensor<1x8xf32>) -> tensor<1x8xf32>
  %c = tensor.insert_slice %g into %f[0, 0] [1, 8] [1, 1] : tensor<1x8xf32> into tensor<8x8xf32>
  %a = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<8x8xf32>) outs(%c : tensor<8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = arith.addf %in, %out : f32
    linalg.yield %v : f32
  } -> tensor<8x8xf32>
  %b = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%y : tensor<8x8xf32>) outs(%c : tensor<8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = arith.addf %in, %out : f32
    linalg.yield %v : f32
  } -> tensor<8x8xf32>
  return %a, %b : tensor<8x8xf32>, tensor<8x8xf32>
}
