//===- KilnControlFlowOps.td - loops ----------------------*- tablegen -*-===//
//
// Structured control flow: kiln.while, the loop TensorFlow 1.x graphs build
// from Enter/Merge/Switch/NextIteration/Exit frames (and ONNX's Loop can
// map to), with kiln.yield as the terminator of its regions. Included by
// KilnOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CONTROL_FLOW_OPS_TD
#define KILN_CONTROL_FLOW_OPS_TD

def Kiln_WhileOp : Kiln_Op<"while", [RecursiveMemoryEffects]> {
  let summary = "A loop over tensors: `cond` decides, `body` computes the next values";
  let description = [{
    The loop variables (of the result types) start as `inits`, which may
    be more static than the variables (a tensor that grows in the loop). Each iteration runs `cond` on them
    (its block takes the variables; it yields one tensor<i1>); while that is
    true, `body` (same block arguments) yields the next values. The results
    are the variables when `cond` first yields false. Values defined above
    the loop may be read in both regions (loop invariants).

    ```mlir
    %r = kiln.while %x : (tensor<4xf32>) -> tensor<4xf32> cond {
    ^bb0(%v: tensor<4xf32>):
      ...
      kiln.yield %c : tensor<i1>
    } body {
    ^bb0(%v: tensor<4xf32>):
      ...
      kiln.yield %next : tensor<4xf32>
    }
    ```
  }];
  let arguments = (ins Variadic<Kiln_Tensor>:$inits);
  let results = (outs Variadic<Kiln_Tensor>:$results);
  let regions = (region SizedRegion<1>:$cond, SizedRegion<1>:$body);
  let assemblyFormat = [{
    $inits attr-dict `:` functional-type($inits, results) `cond` $cond `body` $body
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def Kiln_YieldOp : Kiln_Op<"yield", [Pure, Terminator,
    HasParent<"WhileOp">]> {
  let summary = "Ends a kiln.while region: the condition, or the next values";
  let arguments = (ins Variadic<Kiln_Tensor>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
}

#endif // KILN_CONTROL_FLOW_OPS_TD
