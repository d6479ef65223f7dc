//===- Passes.td - kiln-level graph passes ------------------*- tablegen -*-===//
//
// Passes that rewrite kiln IR into simpler or better kiln IR. They know
// nothing of the framework a graph came from nor of the target.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_PASSES_TD
#define KILN_PASSES_TD

include "mlir/Pass/PassBase.td"

def KilnShapeInference : Pass<"kiln-shape-inference", "mlir::func::FuncOp"> {
  let summary = "Refines result types from the operands' types";
  let description = [{
    Re-runs each op's type inference and replaces a result type by the
    inferred one where that is more static, then updates the function's
    result types. Before:
    ```mlir
    %0 = kiln.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
    ```
    After:
    ```mlir
    %0 = kiln.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
    ```
  }];
}

def KilnPromoteNarrowTypes
    : Pass<"kiln-promote-narrow-types", "mlir::func::FuncOp"> {
  let summary = "Computes bfloat16, 8/4-bit floats and 4/2-bit integers wider";
  let description = [{
    Every kiln op other than cast and constant that reads or yields one of
    these narrow types reads and yields float32 (int8/uint8 for the
    integers) instead, with casts at its edges. Before:
    ```mlir
    %0 = kiln.relu %x : (tensor<4xbf16>) -> tensor<4xbf16>
    ```
    After:
    ```mlir
    %w = kiln.cast %x : (tensor<4xbf16>) -> tensor<4xf32>
    %r = kiln.relu %w : (tensor<4xf32>) -> tensor<4xf32>
    %0 = kiln.cast %r : (tensor<4xf32>) -> tensor<4xbf16>
    ```
  }];
  let dependentDialects = ["kiln::KilnDialect"];
}

def KilnFoldConstants : Pass<"kiln-fold-constants", "mlir::func::FuncOp"> {
  let summary = "Evaluates ops whose operands are all constants";
  let description = [{
    Applies every kiln folder to a fixed point and removes dead constants.
    Before:
    ```mlir
    %c = kiln.constant dense<[1.0, 4.0]> : tensor<2xf32>
    %0 = kiln.sqrt %c : (tensor<2xf32>) -> tensor<2xf32>
    ```
    After:
    ```mlir
    %0 = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
    ```
  }];
  let dependentDialects = ["kiln::KilnDialect"];
}

def KilnDecompose : Pass<"kiln-decompose", "mlir::func::FuncOp"> {
  let summary = "Expands normalizations and softmax into primitive kiln ops";
  let description = [{
    batch_norm becomes a per-channel multiply-add whose coefficients fold to
    constants; layer_norm and softmax become reductions plus elementwise ops.
    Before:
    ```mlir
    %0 = kiln.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-05 : f64, layout = "NCHW"} : ...
    ```
    After:
    ```mlir
    %0 = kiln.mul %x, %scale : (tensor<1x8x4x4xf32>, tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32>
    %1 = kiln.add %0, %shift : (tensor<1x8x4x4xf32>, tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32>
    ```
  }];
  let dependentDialects = ["kiln::KilnDialect"];
}

def KilnConvertLayout : Pass<"kiln-convert-layout", "mlir::func::FuncOp"> {
  let summary = "Puts convolutions and pooling into the target's layout";
  let description = [{
    Each kiln.conv, kiln.max_pool and kiln.avg_pool whose #kiln.layout is
    not the target's (`data`, `filter`) is rebuilt in the target layout
    with a transpose of its input (and filter) before it and of its result
    after it. Filter transposes of constants fold away;
    kiln-propagate-transposes, run next, cancels the data transposes that
    meet between layers, so a chain of NHWC convolutions computed in NCHW
    keeps one transpose at each end. The CPU target computes in NCHW with
    OIHW filters (im2col + register-tiled matmul).
    Before:
    ```mlir
    %y = kiln.conv %x, %f {..., layout = #kiln.layout<input = "NHWC", filter = "HWIO">} : (tensor<1x8x8x3xf32>, tensor<3x3x3x16xf32>) -> tensor<1x8x8x16xf32>
    ```
    After:
    ```mlir
    %t = kiln.transpose %x {perm = array<i64: 0, 3, 1, 2>} : ...
    %c = kiln.conv %t, %f2 {...} : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x8x8xf32>
    %y = kiln.transpose %c {perm = array<i64: 0, 2, 3, 1>} : ...
    ```
  }];
  let options = [
    Option<"data", "data", "std::string", "\"NCHW\"",
           "the letters of the target's data and result dims">,
    Option<"filter", "filter", "std::string", "\"OIHW\"",
           "the letters of the target's filter dims">,
  ];
  let dependentDialects = ["kiln::KilnDialect"];
}

def KilnPropagateTransposes : Pass<"kiln-propagate-transposes",
    "mlir::func::FuncOp"> {
  let summary = "Sinks transposes through layout-agnostic ops and cancels pairs";
  let description = [{
    The second layout pass. kiln-convert-layout has put each convolution
    and pooling into the target's layout with a transpose on each side. This pass moves every transpose below the
    elementwise ops, pads, reductions and concats that follow it (adjusting
    their constants, pads and axes) until it meets the next transpose, and
    composes the two; inverse pairs vanish. A chain of NHWC convolutions
    then keeps its data in NCHW from the first transpose to the last.
    Before:
    ```mlir
    %t = kiln.transpose %conv1 {perm = array<i64: 0, 2, 3, 1>} : ...
    %r = kiln.relu %t : ...
    %u = kiln.transpose %r {perm = array<i64: 0, 3, 1, 2>} : ...
    %conv2 = kiln.conv %u, ...
    ```
    After:
    ```mlir
    %r = kiln.relu %conv1 : ...
    %conv2 = kiln.conv %r, ...
    ```
  }];
  let dependentDialects = ["kiln::KilnDialect"];
}

#endif // KILN_PASSES_TD
