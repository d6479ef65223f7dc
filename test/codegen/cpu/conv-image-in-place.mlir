// RUN: %kiln-opt %s --kiln-cpu-conv-to-matmul --kiln-cpu-tile-contractions --canonicalize --eliminate-empty-tensors --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" --cse --canonicalize | FileCheck %s

// A batched convolution loops over its images (ContractionToLinalg's
// perImage), each convolution writing into its image's slice of the result.
// The CPU's im2col + register-tiled matmul keeps that destination, so after
// bufferization every image is computed in place: the only allocations are
// the result itself and im2col's matrix (the register tiles read their
// right-hand side in place, the image or im2col's rows), and nothing is
// copied.

// CHECK-LABEL: func.func @pointwise
// CHECK: memref.alloc(%{{.*}}) {{.*}} : memref<?x32x8x8xf32>
// CHECK-NOT: memref.alloc
// CHECK-NOT: memref.copy
// CHECK: vector.fma
// CHECK-NOT: memref.copy
// CHECK: return
func.func @pointwise(%x: tensor<?x16x8x8xf32>, %w: tensor<32x16x1x1xf32>) -> tensor<?x32x8x8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x16x8x8xf32>
  %e = tensor.empty(%n) : tensor<?x32x8x8xf32>
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %e) -> tensor<?x32x8x8xf32> {
    %img = tensor.extract_slice %x[%i, 0, 0, 0] [1, 16, 8, 8] [1, 1, 1, 1] : tensor<?x16x8x8xf32> to tensor<1x16x8x8xf32>
    %dst = tensor.extract_slice %acc[%i, 0, 0, 0] [1, 32, 8, 8] [1, 1, 1, 1] : tensor<?x32x8x8xf32> to tensor<1x32x8x8xf32>
    %f = linalg.fill ins(%zero : f32) outs(%dst : tensor<1x32x8x8xf32>) -> tensor<1x32x8x8xf32>
    %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%img, %w : tensor<1x16x8x8xf32>, tensor<32x16x1x1xf32>) outs(%f : tensor<1x32x8x8xf32>) -> tensor<1x32x8x8xf32>
    %ins = tensor.insert_slice %c into %acc[%i, 0, 0, 0] [1, 32, 8, 8] [1, 1, 1, 1] : tensor<1x32x8x8xf32> into tensor<?x32x8x8xf32>
    scf.yield %ins : tensor<?x32x8x8xf32>
  }
  return %r : tensor<?x32x8x8xf32>
}

// CHECK-LABEL: func.func @im2col
// CHECK: memref.alloc(%{{.*}}) {{.*}} : memref<?x32x8x8xf32>
// CHECK-NOT: memref.copy
// CHECK: memref.alloc() {{.*}} : memref<3x3x3x8x8xf32>
// CHECK-NOT: memref.alloc
// CHECK-NOT: memref.copy
// CHECK: return
func.func @im2col(%x: tensor<?x3x10x10xf32>, %w: tensor<32x3x3x3xf32>) -> tensor<?x32x8x8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x3x10x10xf32>
  %e = tensor.empty(%n) : tensor<?x32x8x8xf32>
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %e) -> tensor<?x32x8x8xf32> {
    %img = tensor.extract_slice %x[%i, 0, 0, 0] [1, 3, 10, 10] [1, 1, 1, 1] : tensor<?x3x10x10xf32> to tensor<1x3x10x10xf32>
    %dst = tensor.extract_slice %acc[%i, 0, 0, 0] [1, 32, 8, 8] [1, 1, 1, 1] : tensor<?x32x8x8xf32> to tensor<1x32x8x8xf32>
    %f = linalg.fill ins(%zero : f32) outs(%dst : tensor<1x32x8x8xf32>) -> tensor<1x32x8x8xf32>
    %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%img, %w : tensor<1x3x10x10xf32>, tensor<32x3x3x3xf32>) outs(%f : tensor<1x32x8x8xf32>) -> tensor<1x32x8x8xf32>
    %ins = tensor.insert_slice %c into %acc[%i, 0, 0, 0] [1, 32, 8, 8] [1, 1, 1, 1] : tensor<1x32x8x8xf32> into tensor<?x32x8x8xf32>
    scf.yield %ins : tensor<?x32x8x8xf32>
  }
  return %r : tensor<?x32x8x8xf32>
}
