// RUN: %kiln-opt %s --kiln-cpu-unroll-windows --split-input-file | FileCheck %s

// A depthwise convolution (2x2 window, stride 2) becomes an all-parallel
// generic over (n, c, oh, ow) with no filled buffer: the fill value starts
// the chain and the four taps follow in (kh, kw) order, each reading the
// image at oh * 2 + kh, ow * 2 + kw and the filter at [c, kh, kw] (the
// constant indices are created per tap; canonicalization hoists them).
#in = affine_map<(n, c, kh, oh, ow, kw) -> (n, c, oh * 2 + kh, ow * 2 + kw)>
#w = affine_map<(n, c, kh, oh, ow, kw) -> (c, kh, kw)>
#out = affine_map<(n, c, kh, oh, ow, kw) -> (n, c, oh, ow)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[X2:.*]] = affine_map<()[s0] -> (s0 * 2)>
// CHECK-DAG: #[[X2P1:.*]] = affine_map<()[s0] -> (s0 * 2 + 1)>
// CHECK-LABEL: func.func @depthwise
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x8x6xf32>, %[[W:.*]]: tensor<3x2x2xf32>)
func.func @depthwise(%x: tensor<1x3x8x6xf32>, %w: tensor<3x2x2xf32>) -> tensor<1x3x4x3xf32> {
  // CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
  // CHECK: %[[E:.*]] = tensor.empty() : tensor<1x3x4x3xf32>
  // CHECK-NOT: linalg.fill
  // CHECK: linalg.generic {indexing_maps = [#[[ID]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%[[E]] : tensor<1x3x4x3xf32>)
  // CHECK: %[[N:.*]] = linalg.index 0
  // CHECK: %[[C:.*]] = linalg.index 1
  // CHECK: %[[OH:.*]] = linalg.index 2
  // CHECK: %[[OW:.*]] = linalg.index 3
  // Tap (0, 0).
  // CHECK: %[[H0:.*]] = affine.apply #[[X2]]()[%[[OH]]]
  // CHECK: %[[W0:.*]] = affine.apply #[[X2]]()[%[[OW]]]
  // CHECK: %[[I0:.*]] = tensor.extract %[[X]][%[[N]], %[[C]], %[[H0]], %[[W0]]]
  // CHECK: %[[F0:.*]] = tensor.extract %[[W]][%[[C]], %{{.*}}, %{{.*}}]
  // CHECK: %[[P0:.*]] = arith.mulf %[[I0]], %[[F0]]
  // CHECK: %[[S0:.*]] = arith.addf %[[ZERO]], %[[P0]]
  // Tap (0, 1) adds to the first.
  // CHECK: %[[W1:.*]] = affine.apply #[[X2P1]]()[%[[OW]]]
  // CHECK: tensor.extract %[[X]][%[[N]], %[[C]], {{.*}}, %[[W1]]]
  // CHECK: tensor.extract %[[W]][%[[C]], %{{.*}}, %{{.*}}]
  // CHECK: %[[P1:.*]] = arith.mulf
  // CHECK: %[[S1:.*]] = arith.addf %[[S0]], %[[P1]]
  // CHECK: tensor.extract %[[W]][%[[C]], %{{.*}}, %{{.*}}]
  // CHECK: arith.addf %[[S1]]
  // CHECK: tensor.extract %[[W]][%[[C]], %{{.*}}, %{{.*}}]
  // CHECK: %[[LAST:.*]] = arith.addf
  // CHECK: linalg.yield %[[LAST]]
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x3x4x3xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x3x4x3xf32>) -> tensor<1x3x4x3xf32>
  %r = linalg.generic {indexing_maps = [#in, #w, #out],
      iterator_types = ["parallel", "parallel", "reduction", "parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<1x3x8x6xf32>, tensor<3x2x2xf32>) outs(%f : tensor<1x3x4x3xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x3x4x3xf32>
  return %r : tensor<1x3x4x3xf32>
}

// -----

// A pool's unread window operand (it only gives kh and kw their extents)
// is dropped; an input that does not use the window dims stays an operand,
// its map rewritten over the remaining dims; an output that is not a fill
// starts the chain from its own value.
#in = affine_map<(n, c, oh, ow, kh, kw) -> (n, c, oh + kh, ow + kw)>
#win = affine_map<(n, c, oh, ow, kh, kw) -> (kh, kw)>
#scale = affine_map<(n, c, oh, ow, kh, kw) -> (c)>
#out = affine_map<(n, c, oh, ow, kh, kw) -> (n, c, oh, ow)>
// CHECK-DAG: #[[CH:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @pool_into
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x5x5xf32>, %[[S:.*]]: tensor<2xf32>, %[[INIT:.*]]: tensor<1x2x4x4xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[CH]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[S]] : tensor<2xf32>) outs(%[[INIT]] : tensor<1x2x4x4xf32>)
// CHECK: ^bb0(%[[SC:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK: %[[M:.*]] = arith.mulf %{{.*}}, %[[SC]]
// CHECK: %[[R:.*]] = arith.maximumf %[[ACC]], %[[M]]
// CHECK-COUNT-3: arith.maximumf
// CHECK-NOT: arith.maximumf
// CHECK: linalg.yield
func.func @pool_into(%x: tensor<1x2x5x5xf32>, %s: tensor<2xf32>, %init: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = tensor.empty() : tensor<2x2xf32>
  %r = linalg.generic {indexing_maps = [#in, #win, #scale, #out],
      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %w, %s : tensor<1x2x5x5xf32>, tensor<2x2xf32>, tensor<2xf32>) outs(%init : tensor<1x2x4x4xf32>) {
  ^bb0(%a: f32, %unused: f32, %sc: f32, %acc: f32):
    %m = arith.mulf %a, %sc : f32
    %r = arith.maximumf %acc, %m : f32
    linalg.yield %r : f32
  } -> tensor<1x2x4x4xf32>
  return %r : tensor<1x2x4x4xf32>
}

// -----

// 81 taps (a 9x9 window) is past the limit: the generic keeps its loops.
#in = affine_map<(c, oh, kh, kw) -> (c, oh + kh + kw)>
#win = affine_map<(c, oh, kh, kw) -> (kh, kw)>
#out = affine_map<(c, oh, kh, kw) -> (c, oh)>
// CHECK-LABEL: func.func @too_many_taps
// CHECK: iterator_types = ["parallel", "parallel", "reduction", "reduction"]
func.func @too_many_taps(%x: tensor<2x30xf32>, %init: tensor<2x14xf32>) -> tensor<2x14xf32> {
  %w = tensor.empty() : tensor<9x9xf32>
  %r = linalg.generic {indexing_maps = [#in, #win, #out],
      iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %w : tensor<2x30xf32>, tensor<9x9xf32>) outs(%init : tensor<2x14xf32>) {
  ^bb0(%a: f32, %unused: f32, %acc: f32):
    %s = arith.addf %acc, %a : f32
    linalg.yield %s : f32
  } -> tensor<2x14xf32>
  return %r : tensor<2x14xf32>
}

// -----

// linalg's named NHWC depthwise convolution is generalized first, then
// unrolled: a loop over (n, oh, ow, c, m) whose body holds the 2x2 taps.
// CHECK-LABEL: func.func @named_depthwise
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]
// CHECK-COUNT-4: arith.mulf
// CHECK-NOT: arith.mulf
// CHECK: linalg.yield
// CHECK-NOT: linalg.depthwise_conv_2d_nhwc_hwcm
func.func @named_depthwise(%x: tensor<1x5x5x16xf32>, %w: tensor<2x2x16x1xf32>) -> tensor<1x4x4x16x1xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x4x16x1xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x4x16x1xf32>) -> tensor<1x4x4x16x1xf32>
  %r = linalg.depthwise_conv_2d_nhwc_hwcm {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x5x5x16xf32>, tensor<2x2x16x1xf32>) outs(%f : tensor<1x4x4x16x1xf32>) -> tensor<1x4x4x16x1xf32>
  return %r : tensor<1x4x4x16x1xf32>
}

// -----

// An NHWC window over a padded image reads the pad's source: each tap
// clamps its row and column into the image and selects the padding value
// where they fall outside (rows or columns only: the channels, the
// innermost dim, are not padded), so no padded copy is made.
// CHECK-LABEL: func.func @padded_nhwc
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x4x8xf32>
// CHECK-NOT: tensor.pad
// CHECK: linalg.generic
// CHECK: %[[V:.*]] = tensor.extract %[[X]]
// CHECK: arith.select %{{.*}}, %[[V]], %{{.*}} : f32
// CHECK-COUNT-8: arith.select
// CHECK-NOT: arith.select
// CHECK: linalg.yield
func.func @padded_nhwc(%x: tensor<1x4x4x8xf32>, %w: tensor<3x3x8x1xf32>) -> tensor<1x4x4x8x1xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x4x4x8xf32> to tensor<1x6x6x8xf32>
  %e = tensor.empty() : tensor<1x4x4x8x1xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x4x8x1xf32>) -> tensor<1x4x4x8x1xf32>
  %r = linalg.depthwise_conv_2d_nhwc_hwcm {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%p, %w : tensor<1x6x6x8xf32>, tensor<3x3x8x1xf32>) outs(%f : tensor<1x4x4x8x1xf32>) -> tensor<1x4x4x8x1xf32>
  return %r : tensor<1x4x4x8x1xf32>
}

// -----

// A pad along the innermost dim (NCHW's columns) stays: checks per lane
// and clamped column reads would break the vectorized rows.
// CHECK-LABEL: func.func @padded_innermost
// CHECK: tensor.pad
// CHECK: linalg.generic
// CHECK-NOT: arith.select
// CHECK: linalg.yield
#in_p = affine_map<(d0, d1, d2) -> (d0, d1 + d2)>
#win_p = affine_map<(d0, d1, d2) -> (d2)>
#out_p = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @padded_innermost(%x: tensor<2x10xf32>, %w: tensor<3xf32>, %init: tensor<2x10xf32>) -> tensor<2x10xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 1] high[0, 1] {
  ^bb0(%i: index, %j: index):
    tensor.yield %zero : f32
  } : tensor<2x10xf32> to tensor<2x12xf32>
  %r = linalg.generic {indexing_maps = [#in_p, #win_p, #out_p],
      iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%p, %w : tensor<2x12xf32>, tensor<3xf32>) outs(%init : tensor<2x10xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x10xf32>
  return %r : tensor<2x10xf32>
}
