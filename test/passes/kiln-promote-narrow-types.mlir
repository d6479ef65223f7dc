// RUN: %kiln-opt %s --split-input-file --kiln-promote-narrow-types | FileCheck %s

// An op on bfloat16 reads and yields float32, with casts at its edges; the
// casts themselves stay.

// CHECK-LABEL: func.func @bf16_add
// CHECK-SAME: (%[[A:.*]]: tensor<4xbf16>, %[[B:.*]]: tensor<4xbf16>)
// CHECK-DAG: %[[WA:.*]] = kiln.cast %[[A]] : (tensor<4xbf16>) -> tensor<4xf32>
// CHECK-DAG: %[[WB:.*]] = kiln.cast %[[B]] : (tensor<4xbf16>) -> tensor<4xf32>
// CHECK: %[[S:.*]] = kiln.add %[[WA]], %[[WB]] : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK: %[[N:.*]] = kiln.cast %[[S]] : (tensor<4xf32>) -> tensor<4xbf16>
// CHECK: return %[[N]]
func.func @bf16_add(%a: tensor<4xbf16>, %b: tensor<4xbf16>) -> tensor<4xbf16> {
  %0 = kiln.add %a, %b : (tensor<4xbf16>, tensor<4xbf16>) -> tensor<4xbf16>
  return %0 : tensor<4xbf16>
}

// -----

// Sub-byte integers widen to the 8-bit integer of their signedness; a
// cast to or from float8 is left alone.

// CHECK-LABEL: func.func @int4_neg
// CHECK: kiln.cast %{{.*}} : (tensor<3xi4>) -> tensor<3xi8>
// CHECK: kiln.neg %{{.*}} : (tensor<3xi8>) -> tensor<3xi8>
// CHECK: kiln.cast %{{.*}} : (tensor<3xi8>) -> tensor<3xi4>
// CHECK: kiln.cast %{{.*}} : (tensor<3xf32>) -> tensor<3xf8E4M3FN>
// CHECK-NOT: kiln.cast
func.func @int4_neg(%x: tensor<3xi4>, %f: tensor<3xf32>) -> (tensor<3xi4>, tensor<3xf8E4M3FN>) {
  %0 = kiln.neg %x : (tensor<3xi4>) -> tensor<3xi4>
  %1 = kiln.cast %f : (tensor<3xf32>) -> tensor<3xf8E4M3FN>
  return %0, %1 : tensor<3xi4>, tensor<3xf8E4M3FN>
}
