//===- KilnAttrs.td - attributes of the kiln dialect --------*- tablegen -*-===//
//
// #kiln.layout: which dim of a convolution's, pooling's or normalization's
// operands is which. Included by KilnOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_ATTRS_TD
#define KILN_ATTRS_TD

include "ir/KilnDialect.td"
include "mlir/IR/AttrTypeBase.td"

def Kiln_LayoutAttr : AttrDef<Kiln_Dialect, "Layout"> {
  let mnemonic = "layout";
  let summary = "The dims of a spatial op's data, filter and result, by letter";
  let description = [{
    Each string names the dims in order, one letter per dim: the data and
    the result use N (batch), C (channels), H and W (spatial); the filter
    uses O (output channels), I (input channels per group), H and W. So
    `#kiln.layout<input = "NHWC", filter = "HWIO">` is TensorFlow's layout
    and `#kiln.layout<input = "NCHW", filter = "OIHW">` ONNX's. `output`
    defaults to the input's letters; `filter` is empty for ops without one.
    Code asks for a dim by letter (`inputDim('C')`), never by position.
  }];
  let parameters = (ins
      StringRefParameter<"data dims">:$input,
      StringRefParameter<"filter dims", "\"\"">:$filter,
      StringRefParameter<"result dims", "\"\"">:$output);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  // Default values in op definitions name one of the common layouts.
  let constBuilderCall =
      "::kiln::LayoutAttr::named($_builder.getContext(), \"$0\")";
  let extraClassDeclaration = [{
    /// ONNX's and PyTorch's layout: NCHW data, OIHW filter.
    static LayoutAttr nchw(::mlir::MLIRContext *ctx);
    /// TensorFlow's default layout: NHWC data, HWIO filter.
    static LayoutAttr nhwc(::mlir::MLIRContext *ctx);
    /// nchw() or nhwc() by name ("nchw" / "nhwc").
    static LayoutAttr named(::mlir::MLIRContext *ctx, ::llvm::StringRef name);
    /// The result's letters (the input's unless given).
    ::llvm::StringRef outputLetters() const {
      return getOutput().empty() ? getInput() : getOutput();
    }
    /// NCHW data and result, OIHW filter (or none): what the shared
    /// lowering of convolutions and pooling computes in.
    bool isNCHW() const {
      return getInput() == "NCHW" && outputLetters() == "NCHW" &&
             (getFilter().empty() || getFilter() == "OIHW");
    }
    /// TensorFlow's NHWC data and result, HWIO filter (or none).
    bool isNHWC() const {
      return getInput() == "NHWC" && outputLetters() == "NHWC" &&
             (getFilter().empty() || getFilter() == "HWIO");
    }
    /// Position of dim `letter` in the data, filter or result.
    int64_t inputDim(char letter) const { return getInput().find(letter); }
    int64_t filterDim(char letter) const { return getFilter().find(letter); }
    int64_t outputDim(char letter) const { return outputLetters().find(letter); }
    /// The permutation taking tensor dims in `from` order to `to` order:
    /// result dim i is dim perm[i] of the source.
    static ::llvm::SmallVector<int64_t> permutation(::llvm::StringRef from,
                                                   ::llvm::StringRef to);
  }];
}

#endif // KILN_ATTRS_TD
