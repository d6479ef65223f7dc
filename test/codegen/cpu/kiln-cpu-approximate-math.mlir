// RUN: %kiln-opt %s --split-input-file --kiln-cpu-approximate-math | FileCheck %s

// erf, tanh, exp and log become polynomials (fma chains); sqrt, which has a
// vector instruction, stays.

// CHECK-LABEL: func.func @scalar
func.func @scalar(%x: f32) -> (f32, f32, f32, f32) {
  // CHECK-NOT: math.erf
  // CHECK-NOT: math.tanh
  // CHECK-NOT: math.log
  // CHECK: math.fma
  // CHECK: arith.bitcast
  // CHECK: return
  %0 = math.erf %x : f32
  %1 = math.tanh %x : f32
  %2 = math.log %x : f32
  %3 = math.sqrt %x : f32
  return %0, %1, %2, %3 : f32, f32, f32, f32
}

// -----

// CHECK-LABEL: func.func @vector_exp
// CHECK-SAME: (%[[V:.*]]: vector<8xf32>)
func.func @vector_exp(%v: vector<8xf32>) -> vector<8xf32> {
  // CHECK-NOT: math.exp
  // CHECK: math.fma {{.*}} : vector<8xf32>
  // CHECK-NOT: math.exp
  // CHECK: return %{{.*}} : vector<8xf32>
  %0 = math.exp %v : vector<8xf32>
  return %0 : vector<8xf32>
}

// -----

// CHECK-LABEL: func.func @sqrt_kept
// CHECK-SAME: (%[[X:.*]]: f32)
func.func @sqrt_kept(%x: f32) -> f32 {
  // CHECK-NEXT: %[[R:.*]] = math.sqrt %[[X]] : f32
  // CHECK-NEXT: return %[[R]]
  %0 = math.sqrt %x : f32
  return %0 : f32
}
