//===- KilnBitwiseOps.td - bitwise logic, shifts and bitcast -*- tablegen -*-===//
//
// Ops on the bits of integer tensors, and the reinterpretation of one
// element type's bits as another's. Included by KilnOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_BITWISE_OPS_TD
#define KILN_BITWISE_OPS_TD

def Kiln_IntegerTensor : RankedTensorOf<[AnyInteger]>;

class Kiln_BitwiseOp<string mnemonic, string desc> : Kiln_GraphOp<mnemonic,
    [SameOperandsAndResultElementType, InferTypeOpAdaptorWithIsCompatible]> {
  let summary = desc # " of integer tensors with numpy broadcasting";
  let arguments = (ins Kiln_IntegerTensor:$lhs, Kiln_IntegerTensor:$rhs);
  let results = (outs Kiln_IntegerTensor:$result);
}

def Kiln_BitAndOp : Kiln_BitwiseOp<"bit_and", "lhs & rhs">;
def Kiln_BitOrOp : Kiln_BitwiseOp<"bit_or", "lhs | rhs">;
def Kiln_BitXorOp : Kiln_BitwiseOp<"bit_xor", "lhs ^ rhs">;
def Kiln_ShiftLeftOp : Kiln_BitwiseOp<"shift_left",
    "lhs << rhs (0 when rhs is negative or at least the bit width)">;
def Kiln_ShiftRightOp : Kiln_BitwiseOp<"shift_right",
    "lhs >> rhs, arithmetic for signed types (past the width: the sign "
    "fill)">;

def Kiln_BitNotOp : Kiln_GraphOp<"bit_not", [SameOperandsAndResultType]> {
  let summary = "~x: every bit of an integer tensor flipped";
  let arguments = (ins Kiln_IntegerTensor:$input);
  let results = (outs Kiln_IntegerTensor:$result);
}

def Kiln_BitcastOp : Kiln_GraphOp<"bitcast"> {
  let summary = "The bits of each element read as the result's element type";
  let description = [{
    Input and result have one shape and element types of one bit width
    (i32 and f32, ui16 and i16, ...).
  }];
  let arguments = (ins Kiln_Tensor:$input);
  let results = (outs Kiln_Tensor:$result);
  let hasVerifier = 1;
}

#endif // KILN_BITWISE_OPS_TD
