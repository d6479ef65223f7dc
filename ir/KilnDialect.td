//===- KilnDialect.td - the kiln dialect declaration -------*- tablegen -*-===//
//
// The `kiln` dialect is Kiln's framework-neutral graph IR: every frontend
// (ONNX, TensorFlow, TorchScript) imports into it and every codegen target
// lowers from it. Ops work on ranked tensors; shapes may be dynamic in the IR
// even where a backend needs them static. Framework quirks (ONNX's opset
// differences, TF's NHWC defaults) are resolved by the importers; data layout
// is an attribute, never an assumption.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_TD
#define KILN_DIALECT_TD

include "mlir/IR/OpBase.td"

def Kiln_Dialect : Dialect {
  let name = "kiln";
  let summary = "Framework-neutral tensor graph IR of the Kiln compiler";
  let description = [{
    Ops of imported model graphs: convolutions with their data layout as an
    attribute, matrix products, broadcasting elementwise math, reductions,
    pooling, normalizations and shape manipulation. Frontends produce it;
    passes optimise it; codegen targets lower it to linalg and below.
  }];
  let cppNamespace = "::kiln";
  let hasConstantMaterializer = 1;
  let useDefaultAttributePrinterParser = 1;
  let extraClassDeclaration = [{
    void registerAttributes();
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
}

class Kiln_Op<string mnemonic, list<Trait> traits = []> :
    Op<Kiln_Dialect, mnemonic, traits>;

#endif // KILN_DIALECT_TD
