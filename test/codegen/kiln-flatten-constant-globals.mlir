// RUN: %kiln-opt %s --kiln-flatten-constant-globals | FileCheck %s

// A constant 2x3x2 global becomes a 12-element one (same elements, same
// alignment) read back through a reinterpret_cast with row-major strides;
// a 1-D constant, a mutable global and a global without a value keep their
// types.
// CHECK-DAG: memref.global "private" constant @w : memref<12xf32> = dense<[0.000000e+00, 1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00, 7.000000e+00, 8.000000e+00, 9.000000e+00, 1.000000e+01, 1.100000e+01]> {alignment = 64 : i64}
// CHECK-DAG: memref.global "private" constant @bias : memref<3xf32>
// CHECK-DAG: memref.global "private" @state : memref<2x2xf32>
// CHECK-DAG: memref.global "private" constant @blob : memref<8xf32> = dense_resource<blob1>
// CHECK-LABEL: func.func @reads
// CHECK: %[[G:.*]] = memref.get_global @w : memref<12xf32>
// CHECK: %[[W:.*]] = memref.reinterpret_cast %[[G]] to offset: [0], sizes: [2, 3, 2], strides: [6, 2, 1] : memref<12xf32> to memref<2x3x2xf32>
// CHECK: memref.load %[[W]]
// CHECK: %[[R:.*]] = memref.get_global @blob : memref<8xf32>
// CHECK: memref.reinterpret_cast %[[R]] to offset: [0], sizes: [2, 4], strides: [4, 1]
// CHECK: memref.get_global @bias : memref<3xf32>
// CHECK: memref.get_global @state : memref<2x2xf32>
memref.global "private" constant @w : memref<2x3x2xf32> = dense<[[[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]], [[6.0, 7.0], [8.0, 9.0], [10.0, 11.0]]]> {alignment = 64 : i64}
memref.global "private" constant @bias : memref<3xf32> = dense<[1.0, 2.0, 3.0]>
memref.global "private" @state : memref<2x2xf32> = dense<0.0>
memref.global "private" constant @blob : memref<2x4xf32> = dense_resource<blob1>
func.func @reads(%i: index) -> f32 {
  %w = memref.get_global @w : memref<2x3x2xf32>
  %a = memref.load %w[%i, %i, %i] : memref<2x3x2xf32>
  %r = memref.get_global @blob : memref<2x4xf32>
  %b = memref.load %r[%i, %i] : memref<2x4xf32>
  %c = memref.get_global @bias : memref<3xf32>
  %d = memref.load %c[%i] : memref<3xf32>
  %s = memref.get_global @state : memref<2x2xf32>
  %e = memref.load %s[%i, %i] : memref<2x2xf32>
  %0 = arith.addf %a, %b : f32
  %1 = arith.addf %0, %d : f32
  %2 = arith.addf %1, %e : f32
  return %2 : f32
}

{-#
  dialect_resources: {
    builtin: {
      blob1: "0x040000000000803F0000004000004040000080400000A0400000C0400000E04000000041"
    }
  }
#-}
