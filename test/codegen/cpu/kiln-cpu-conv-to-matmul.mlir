// RUN: %kiln-opt %s --split-input-file --kiln-cpu-conv-to-matmul | FileCheck %s

// The CPU computes a static batch-1 convolution as im2col (a copy generic
// over c, kh, kw, oh, ow) and one matmul that kiln-cpu-tile-contractions
// register-tiles. 64 pixels fill a register tile's columns, so the pixels
// are the columns here (padded-width rows would compute 80 columns, 128
// with the last panel, for 64 pixels: too few of them pixels).

// CHECK-LABEL: func.func @conv
// CHECK-SAME: (%[[P:.*]]: tensor<1x3x10x10xf32>, %[[W:.*]]: tensor<4x3x3x3xf32>)
func.func @conv(%p: tensor<1x3x10x10xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32> {
  // CHECK: %[[WM:.*]] = tensor.collapse_shape %[[W]] {{\[\[}}0], [1, 2, 3]] : tensor<4x3x3x3xf32> into tensor<4x27xf32>
  // CHECK: %[[COL:.*]] = linalg.generic {{.*}} ins(%[[P]] : tensor<1x3x10x10xf32>) outs(%{{.*}} : tensor<3x3x3x8x8xf32>)
  // CHECK: %[[COLM:.*]] = tensor.collapse_shape %[[COL]] {{\[\[}}0, 1, 2], [3, 4]] : tensor<3x3x3x8x8xf32> into tensor<27x64xf32>
  // CHECK: %[[F:.*]] = linalg.fill
  // CHECK: linalg.matmul ins(%[[WM]], %[[COLM]] : tensor<4x27xf32>, tensor<27x64xf32>) outs(%[[F]] : tensor<4x64xf32>)
  // CHECK: tensor.expand_shape {{.*}} into tensor<1x4x8x8xf32>
  // CHECK-NOT: linalg.conv_2d_nchw_fchw
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x8x8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%p, %w : tensor<1x3x10x10xf32>, tensor<4x3x3x3xf32>) outs(%f : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

// A stride-1 convolution on a 30 x 30 image padded to 32 x 32: padded-width
// rows. The pad's source is padded again with one more bottom row (33 rows:
// the last 64-wide panel of the 30 x 32 = 960 columns reads up to column
// 2 * 32 + 2 + 960 of a channel), the image is viewed as [3][33 * 32], and
// the im2col rows are runs of it at kh * 32 + kw; the product's junk columns
// (ow = 30, 31) are sliced off.
// CHECK-DAG: #[[WINDOW:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1 * 32 + d2 + d3)>
// CHECK-LABEL: func.func @conv_padded_width
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x30x30xf32>, %[[W:.*]]: tensor<4x3x3x3xf32>)
func.func @conv_padded_width(%x: tensor<1x3x30x30xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x30x30xf32> {
  // CHECK: %[[WM:.*]] = tensor.collapse_shape %[[W]] {{.*}} into tensor<4x27xf32>
  // CHECK: %[[PAD:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 2, 1]
  // CHECK: } : tensor<1x3x30x30xf32> to tensor<1x3x33x32xf32>
  // CHECK: %[[IMG:.*]] = tensor.collapse_shape %[[PAD]] {{\[\[}}0, 1], [2, 3]] : tensor<1x3x33x32xf32> into tensor<3x1056xf32>
  // CHECK: %[[COL:.*]] = linalg.generic {indexing_maps = [#[[WINDOW]], {{.*}}]{{.*}} ins(%[[IMG]] : tensor<3x1056xf32>) outs(%{{.*}} : tensor<3x3x3x960xf32>)
  // CHECK: %[[COLM:.*]] = tensor.collapse_shape %[[COL]] {{.*}} : tensor<3x3x3x960xf32> into tensor<27x960xf32>
  // CHECK: %[[MM:.*]] = linalg.matmul ins(%[[WM]], %[[COLM]] : tensor<4x27xf32>, tensor<27x960xf32>) outs(%{{.*}} : tensor<4x960xf32>)
  // CHECK: %[[WIDE:.*]] = tensor.expand_shape %[[MM]] {{.*}} into tensor<1x4x30x32xf32>
  // CHECK: tensor.extract_slice %[[WIDE]][0, 0, 0, 0] [1, 4, 30, 30] [1, 1, 1, 1] : tensor<1x4x30x32xf32> to tensor<1x4x30x30xf32>
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %zero : f32
  } : tensor<1x3x30x30xf32> to tensor<1x3x32x32xf32>
  %e = tensor.empty() : tensor<1x4x30x30xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x30x30xf32>) -> tensor<1x4x30x30xf32>
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%p, %w : tensor<1x3x32x32xf32>, tensor<4x3x3x3xf32>) outs(%f : tensor<1x4x30x30xf32>) -> tensor<1x4x30x30xf32>
  return %0 : tensor<1x4x30x30xf32>
}

// -----

// A stride-2 convolution on the same padded image: padded-width rows over
// 2 x 2 phase images. Output (oh, ow) is column oh * 16 + ow of 15 x 16 =
// 240 (4 panels, 256 columns); tap (kh, kw) reads phase (kh mod 2, kw mod 2)
// at (kh / 2, kw / 2), up to 16 + 1 + 256 = 273 elements into a phase, so
// each phase has 18 rows of 16: the image is padded to 36 x 32, split into
// [18][2][16][2], transposed to its phases [2][2][18][16] and viewed as
// [3][4 * 288]. The junk column (ow = 15) is sliced off.
// CHECK-DAG: #[[PHASED:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, ((d1 mod 2) * 2 + d2 mod 2) * 288 + (d1 floordiv 2) * 16 + d2 floordiv 2 + d3)>
// CHECK-LABEL: func.func @conv_phases
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x30x30xf32>, %[[W:.*]]: tensor<4x3x3x3xf32>)
func.func @conv_phases(%x: tensor<1x3x30x30xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x15x15xf32> {
  // CHECK: %[[PAD:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 5, 1]
  // CHECK: } : tensor<1x3x30x30xf32> to tensor<1x3x36x32xf32>
  // CHECK: %[[SPLIT:.*]] = tensor.expand_shape %[[PAD]] {{.*}} : tensor<1x3x36x32xf32> into tensor<1x3x18x2x16x2xf32>
  // CHECK: %[[PHASES:.*]] = linalg.transpose ins(%[[SPLIT]] : tensor<1x3x18x2x16x2xf32>) outs(%{{.*}} : tensor<1x3x2x2x18x16xf32>) permutation = [0, 1, 3, 5, 2, 4]
  // CHECK: %[[IMG:.*]] = tensor.collapse_shape %[[PHASES]] {{.*}} : tensor<1x3x2x2x18x16xf32> into tensor<3x1152xf32>
  // CHECK: %[[COL:.*]] = linalg.generic {indexing_maps = [#[[PHASED]], {{.*}}]{{.*}} ins(%[[IMG]] : tensor<3x1152xf32>) outs(%{{.*}} : tensor<3x3x3x240xf32>)
  // CHECK: %[[COLM:.*]] = tensor.collapse_shape %[[COL]] {{.*}} : tensor<3x3x3x240xf32> into tensor<27x240xf32>
  // CHECK: %[[MM:.*]] = linalg.matmul ins(%{{.*}}, %[[COLM]] : tensor<4x27xf32>, tensor<27x240xf32>) outs(%{{.*}} : tensor<4x240xf32>)
  // CHECK: %[[WIDE:.*]] = tensor.expand_shape %[[MM]] {{.*}} into tensor<1x4x15x16xf32>
  // CHECK: tensor.extract_slice %[[WIDE]][0, 0, 0, 0] [1, 4, 15, 15] [1, 1, 1, 1] : tensor<1x4x15x16xf32> to tensor<1x4x15x15xf32>
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %zero : f32
  } : tensor<1x3x30x30xf32> to tensor<1x3x32x32xf32>
  %e = tensor.empty() : tensor<1x4x15x15xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x15x15xf32>) -> tensor<1x4x15x15xf32>
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%p, %w : tensor<1x3x32x32xf32>, tensor<4x3x3x3xf32>) outs(%f : tensor<1x4x15x15xf32>) -> tensor<1x4x15x15xf32>
  return %0 : tensor<1x4x15x15xf32>
}

// -----

// A 4x4 feature map is too small for 64-wide columns: pixels become rows,
// zero-padded to a multiple of the 6-row tile (the filter is not a
// constant, so the generic register tiles run it), times the transposed
// filter.
// CHECK-LABEL: func.func @conv_small_map
func.func @conv_small_map(%p: tensor<1x8x6x6xf32>, %w: tensor<16x8x3x3xf32>) -> tensor<1x16x4x4xf32> {
  // CHECK: tensor.pad %{{.*}} low[0, 0] high[2, 0]
  // CHECK: linalg.matmul {{.*}} : tensor<18x72xf32>, tensor<72x16xf32>) outs(%{{.*}} : tensor<18x16xf32>)
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x16x4x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32>
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%p, %w : tensor<1x8x6x6xf32>, tensor<16x8x3x3xf32>) outs(%f : tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32>
  return %0 : tensor<1x16x4x4xf32>
}

// -----

// A batch of two is not a candidate (the shared lowering loops over images
// first); it stays a named convolution for the loop fallback.
// CHECK-LABEL: func.func @conv_batch_2
// CHECK: linalg.conv_2d_nchw_fchw
func.func @conv_batch_2(%p: tensor<2x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<2x4x6x6xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4x6x6xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x4x6x6xf32>) -> tensor<2x4x6x6xf32>
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%p, %w : tensor<2x3x8x8xf32>, tensor<4x3x3x3xf32>) outs(%f : tensor<2x4x6x6xf32>) -> tensor<2x4x6x6xf32>
  return %0 : tensor<2x4x6x6xf32>
}

// -----

// A height and width known only at run time: pixels are the matmul's rows
// (the dim kiln-cpu-tile-contractions splits into register-tiled blocks at
// run time), and the [pixels, F] product is transposed into the result.
// CHECK-LABEL: func.func @conv_dynamic_image
// CHECK-SAME: (%[[P:.*]]: tensor<1x3x?x?xf32>, %[[W:.*]]: tensor<4x3x3x3xf32>, %[[E:.*]]: tensor<1x4x?x?xf32>)
func.func @conv_dynamic_image(%p: tensor<1x3x?x?xf32>, %w: tensor<4x3x3x3xf32>, %e: tensor<1x4x?x?xf32>) -> tensor<1x4x?x?xf32> {
  // CHECK: %[[OH:.*]] = tensor.dim %[[E]], %c2
  // CHECK: %[[OW:.*]] = tensor.dim %[[E]], %c3
  // CHECK: %[[COL:.*]] = linalg.generic {{.*}} ins(%[[P]] : tensor<1x3x?x?xf32>) outs(%{{.*}} : tensor<?x?x3x3x3xf32>)
  // CHECK: %[[ROWS:.*]] = tensor.collapse_shape %[[COL]] {{\[\[}}0, 1], [2, 3, 4]] : tensor<?x?x3x3x3xf32> into tensor<?x27xf32>
  // CHECK: %[[MM:.*]] = linalg.matmul ins(%[[ROWS]], %{{.*}} : tensor<?x27xf32>, tensor<27x4xf32>) outs(%{{.*}} : tensor<?x4xf32>)
  // CHECK: %[[IMG:.*]] = tensor.expand_shape %[[MM]] {{\[\[}}0, 1, 2], [3]] output_shape [1, %[[OH]], %[[OW]], 4]
  // CHECK: linalg.transpose ins(%[[IMG]] : tensor<1x?x?x4xf32>) outs(%[[E]] : tensor<1x4x?x?xf32>) permutation = [0, 3, 1, 2]
  // CHECK-NOT: linalg.conv_2d_nchw_fchw
  %zero = arith.constant 0.0 : f32
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x?x?xf32>) -> tensor<1x4x?x?xf32>
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%p, %w : tensor<1x3x?x?xf32>, tensor<4x3x3x3xf32>) outs(%f : tensor<1x4x?x?xf32>) -> tensor<1x4x?x?xf32>
  return %0 : tensor<1x4x?x?xf32>
}

// -----

// The same with a constant filter: the packed-weight kernel takes the 16
// rows as they are (its last tile has the leftover rows), so no padding.
// CHECK-LABEL: func.func @conv_small_map_constant_filter
func.func @conv_small_map_constant_filter(%p: tensor<1x8x6x6xf32>) -> tensor<1x16x4x4xf32> {
  // CHECK-NOT: tensor.pad
  // CHECK: linalg.matmul {{.*}} : tensor<16x72xf32>, tensor<72x16xf32>) outs(%{{.*}} : tensor<16x16xf32>)
  %w = arith.constant dense<0.5> : tensor<16x8x3x3xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x16x4x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32>
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%p, %w : tensor<1x8x6x6xf32>, tensor<16x8x3x3xf32>) outs(%f : tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32>
  return %0 : tensor<1x16x4x4xf32>
}

// -----

// NHWC, 3x3 with stride 2: im2col rows [oh][ow][kh][kw][c] (a copy generic
// reading the image at oh * 2 + kh, ow * 2 + kw), viewed as 16 x 27, times
// the HWCF filter viewed as 27 x 5 (its own row-major order, no
// transpose); the 16 x 5 product is the NHWC result.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (0, d0 * 2 + d2, d1 * 2 + d3, d4)>
// CHECK-LABEL: func.func @nhwc_conv
// CHECK-SAME: (%[[P:.*]]: tensor<1x9x9x3xf32>, %[[W:.*]]: tensor<3x3x3x5xf32>)
func.func @nhwc_conv(%p: tensor<1x9x9x3xf32>, %w: tensor<3x3x3x5xf32>) -> tensor<1x4x4x5xf32> {
  // CHECK: %[[ROWS:.*]] = linalg.generic {indexing_maps = [#[[IN]], {{.*}}]{{.*}} ins(%[[P]] : tensor<1x9x9x3xf32>) outs(%{{.*}} : tensor<4x4x3x3x3xf32>)
  // CHECK: %[[R:.*]] = tensor.collapse_shape %[[ROWS]] {{.*}} into tensor<16x27xf32>
  // CHECK: %[[WM:.*]] = tensor.collapse_shape %[[W]] {{.*}} into tensor<27x5xf32>
  // CHECK: %[[F:.*]] = linalg.fill
  // CHECK: %[[MM:.*]] = linalg.matmul ins(%[[R]], %[[WM]] : tensor<16x27xf32>, tensor<27x5xf32>) outs(%[[F]] : tensor<16x5xf32>)
  // CHECK: tensor.expand_shape %[[MM]] {{.*}} into tensor<1x4x4x5xf32>
  // CHECK-NOT: linalg.transpose
  // CHECK-NOT: linalg.conv_2d_nhwc_hwcf
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x4x5xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x4x5xf32>) -> tensor<1x4x4x5xf32>
  %0 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%p, %w : tensor<1x9x9x3xf32>, tensor<3x3x3x5xf32>) outs(%f : tensor<1x4x4x5xf32>) -> tensor<1x4x4x5xf32>
  return %0 : tensor<1x4x4x5xf32>
}

// -----

// NHWC 1x1 with stride 1: the image itself, viewed as pixels x channels,
// is the left-hand side.
// CHECK-LABEL: func.func @nhwc_pointwise
// CHECK-SAME: (%[[X:.*]]: tensor<1x6x7x8xf32>, %[[W:.*]]: tensor<1x1x8x3xf32>)
func.func @nhwc_pointwise(%x: tensor<1x6x7x8xf32>, %w: tensor<1x1x8x3xf32>) -> tensor<1x6x7x3xf32> {
  // CHECK-NOT: linalg.generic
  // CHECK: %[[R:.*]] = tensor.collapse_shape %[[X]] {{.*}} into tensor<42x8xf32>
  // CHECK: %[[WM:.*]] = tensor.collapse_shape %[[W]] {{.*}} into tensor<8x3xf32>
  // CHECK: linalg.matmul ins(%[[R]], %[[WM]] : tensor<42x8xf32>, tensor<8x3xf32>)
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x6x7x3xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x6x7x3xf32>) -> tensor<1x6x7x3xf32>
  %0 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x6x7x8xf32>, tensor<1x1x8x3xf32>) outs(%f : tensor<1x6x7x3xf32>) -> tensor<1x6x7x3xf32>
  return %0 : tensor<1x6x7x3xf32>
}

// -----

// NHWC, 3x3 with stride 1 and a constant filter: the im2col rows are read
// from the padded 14 x 15 image itself, flattened to 210 pixels x 32
// channels: row m (output pixel (m / 13, m % 13)), tap (kh, kw) is pixel
// (m / 13 + kh) * 15 + m % 13 + kw (a copy generic that the packed kernel
// reads through, never filled). The 156 x 16 product is the NHWC result,
// in the convolution's destination: no junk pixels, no slice.
// CHECK-DAG: #[[TAP:.*]] = affine_map<(d0, d1, d2, d3) -> ((d0 floordiv 13) * 15 + d0 mod 13 + d1 * 15 + d2, d3)>
// CHECK-LABEL: func.func @nhwc_image_rows
// CHECK-SAME: (%[[X:.*]]: tensor<1x12x13x32xf32>)
func.func @nhwc_image_rows(%x: tensor<1x12x13x32xf32>) -> tensor<1x12x13x16xf32> {
  // CHECK: %[[P:.*]] = tensor.pad %[[X]] low[0, 1, 1, 0] high[0, 1, 1, 0]
  // CHECK: %[[OUT:.*]] = tensor.empty() : tensor<1x12x13x16xf32>
  // CHECK: %[[IMG:.*]] = tensor.collapse_shape %[[P]] {{.*}} into tensor<210x32xf32>
  // CHECK: %[[ROWS:.*]] = linalg.generic {indexing_maps = [#[[TAP]], {{.*}}]{{.*}} ins(%[[IMG]] : tensor<210x32xf32>) outs(%{{.*}} : tensor<156x3x3x32xf32>)
  // CHECK: %[[R:.*]] = tensor.collapse_shape %[[ROWS]] {{.*}} into tensor<156x288xf32>
  // CHECK: %[[DEST:.*]] = tensor.collapse_shape %[[OUT]] {{.*}} into tensor<156x16xf32>
  // CHECK: %[[Z:.*]] = linalg.fill {{.*}} outs(%[[DEST]] : tensor<156x16xf32>)
  // CHECK: %[[MM:.*]] = linalg.matmul ins(%[[R]], %{{.*}} : tensor<156x288xf32>, tensor<288x16xf32>) outs(%[[Z]] : tensor<156x16xf32>)
  // CHECK: %[[Y:.*]] = tensor.expand_shape %[[MM]] {{.*}} into tensor<1x12x13x16xf32>
  // CHECK: return %[[Y]]
  // CHECK-NOT: linalg.conv_2d_nhwc_hwcf
  %w = arith.constant dense<0.5> : tensor<3x3x32x16xf32>
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x12x13x32xf32> to tensor<1x14x15x32xf32>
  %e = tensor.empty() : tensor<1x12x13x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x12x13x16xf32>) -> tensor<1x12x13x16xf32>
  %0 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%p, %w : tensor<1x14x15x32xf32>, tensor<3x3x32x16xf32>) outs(%f : tensor<1x12x13x16xf32>) -> tensor<1x12x13x16xf32>
  return %0 : tensor<1x12x13x16xf32>
}

// -----

// NHWC 1x1 with stride 2 and a constant filter: im2col row m (output pixel
// (m / 5, m % 5)) is image pixel (m / 5) * 18 + (m % 5) * 2 of the 9 x 9
// image (every other pixel of every other row), read in place.
// CHECK-DAG: #[[STRIDED:.*]] = affine_map<(d0, d1, d2, d3) -> ((d0 floordiv 5) * 18 + (d0 mod 5) * 2, d3)>
// CHECK-LABEL: func.func @nhwc_strided_image_rows
// CHECK-SAME: (%[[X:.*]]: tensor<1x9x9x64xf32>)
func.func @nhwc_strided_image_rows(%x: tensor<1x9x9x64xf32>) -> tensor<1x5x5x70xf32> {
  // CHECK: %[[IMG:.*]] = tensor.collapse_shape %[[X]] {{.*}} into tensor<81x64xf32>
  // CHECK: %[[ROWS:.*]] = linalg.generic {indexing_maps = [#[[STRIDED]], {{.*}}]{{.*}} ins(%[[IMG]] : tensor<81x64xf32>) outs(%{{.*}} : tensor<25x1x1x64xf32>)
  // CHECK: %[[R:.*]] = tensor.collapse_shape %[[ROWS]] {{.*}} into tensor<25x64xf32>
  // CHECK: linalg.matmul ins(%[[R]], %{{.*}} : tensor<25x64xf32>, tensor<64x70xf32>)
  %w = arith.constant dense<0.5> : tensor<1x1x64x70xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x5x5x70xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x5x5x70xf32>) -> tensor<1x5x5x70xf32>
  %0 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%x, %w : tensor<1x9x9x64xf32>, tensor<1x1x64x70xf32>) outs(%f : tensor<1x5x5x70xf32>) -> tensor<1x5x5x70xf32>
  return %0 : tensor<1x5x5x70xf32>
}
