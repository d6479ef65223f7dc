// RUN: %kiln-opt %s --kiln-share-kernels | FileCheck %s

// Two loop nests that differ only in the buffers they read and write (a
// weight global, an activation) become calls of one private function of
// those buffers; their bounds and step, constants, are cloned into it. A nest
// with a different bound has no twin and stays inline, as does a nest with
// results.
memref.global "private" constant @w0 : memref<8xf32> = dense<1.0>
memref.global "private" constant @w1 : memref<8xf32> = dense<2.0>

// CHECK-LABEL: func.func @layers
// CHECK-SAME: (%[[A:.*]]: memref<8xf32>, %[[B:.*]]: memref<8xf32>, %[[C:.*]]: memref<8xf32>)
// CHECK: %[[W0:.*]] = memref.get_global @w0
// CHECK: %[[W1:.*]] = memref.get_global @w1
// CHECK: call @layers_kernel(%[[W0]], %[[A]], %[[B]]) : (memref<8xf32>, memref<8xf32>, memref<8xf32>) -> ()
// CHECK: call @layers_kernel(%[[W1]], %[[B]], %[[C]]) : (memref<8xf32>, memref<8xf32>, memref<8xf32>) -> ()
// CHECK: scf.forall (%{{.*}}) in (4)
// CHECK: scf.for {{.*}} iter_args
// CHECK: return

// CHECK: func.func private @layers_kernel(%[[W:.*]]: memref<8xf32>, %[[IN:.*]]: memref<8xf32>, %[[OUT:.*]]: memref<8xf32>)
// CHECK-DAG: %[[LO:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[STEP:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[HI:.*]] = arith.constant 8 : index
// CHECK: scf.for %[[I:.*]] = %[[LO]] to %[[HI]] step %[[STEP]] {
// CHECK: memref.load %[[W]][%[[I]]]
// CHECK: memref.load %[[IN]][%[[I]]]
// CHECK: memref.store %{{.*}}, %[[OUT]][%[[I]]]
// CHECK: return
// CHECK-NOT: func.func private @layers_kernel
func.func @layers(%a: memref<8xf32>, %b: memref<8xf32>, %c: memref<8xf32>) -> f32 {
  %zero = arith.constant 0 : index
  %one = arith.constant 1 : index
  %eight = arith.constant 8 : index
  %w0 = memref.get_global @w0 : memref<8xf32>
  %w1 = memref.get_global @w1 : memref<8xf32>
  scf.for %i = %zero to %eight step %one {
    %x = memref.load %w0[%i] : memref<8xf32>
    %y = memref.load %a[%i] : memref<8xf32>
    %z = arith.mulf %x, %y : f32
    memref.store %z, %b[%i] : memref<8xf32>
  }
  scf.for %i = %zero to %eight step %one {
    %x = memref.load %w1[%i] : memref<8xf32>
    %y = memref.load %b[%i] : memref<8xf32>
    %z = arith.mulf %x, %y : f32
    memref.store %z, %c[%i] : memref<8xf32>
  }
  scf.forall (%i) in (4) {
    %x = memref.load %w1[%i] : memref<8xf32>
    %y = memref.load %c[%i] : memref<8xf32>
    %z = arith.mulf %x, %y : f32
    memref.store %z, %a[%i] : memref<8xf32>
  }
  %init = arith.constant 0.0 : f32
  %sum = scf.for %i = %zero to %eight step %one iter_args(%s = %init) -> f32 {
    %x = memref.load %c[%i] : memref<8xf32>
    %t = arith.addf %s, %x : f32
    scf.yield %t : f32
  }
  return %sum : f32
}
