//===- ElementDtypes.cpp - MLIR element types as kiln_dtype codes ---------===//
//
// See ElementDtypes.h.
//
//===----------------------------------------------------------------------===//

#include "codegen/common/ElementDtypes.h"

#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

namespace kiln {

int kilnDtypeOf(Type t) {
  if (t.isF32()) return 1;
  if (t.isUnsignedInteger(8)) return 2;
  if (t.isSignlessInteger(8)) return 3;
  if (t.isSignlessInteger(32)) return 6;
  if (t.isSignlessInteger(64)) return 7;
  if (t.isInteger(1)) return 9;
  if (t.isF64()) return 11;
  if (t.isF16()) return 10;
  if (t.isUnsignedInteger(16)) return 4;
  if (t.isSignlessInteger(16)) return 5;
  if (t.isUnsignedInteger(32)) return 12;
  if (t.isUnsignedInteger(64)) return 13;
  if (t.isBF16()) return 16;
  if (isa<Float8E4M3FNType>(t)) return 17;
  if (isa<Float8E4M3FNUZType>(t)) return 18;
  if (isa<Float8E5M2Type>(t)) return 19;
  if (isa<Float8E5M2FNUZType>(t)) return 20;
  if (t.isUnsignedInteger(4)) return 21;
  if (t.isSignlessInteger(4)) return 22;
  if (isa<Float4E2M1FNType>(t)) return 23;
  if (t.isUnsignedInteger(2)) return 25;
  if (t.isSignlessInteger(2)) return 26;
  return 0;
}

std::pair<const char *, const char *> cTypeOfDtype(int dtype) {
  switch (dtype) {
  case 1: return {"float", "KILN_DTYPE_FLOAT32"};
  case 2: return {"uint8_t", "KILN_DTYPE_UINT8"};
  case 3: return {"int8_t", "KILN_DTYPE_INT8"};
  case 6: return {"int32_t", "KILN_DTYPE_INT32"};
  case 7: return {"int64_t", "KILN_DTYPE_INT64"};
  case 9: return {"uint8_t", "KILN_DTYPE_BOOL"};
  case 10: return {"uint16_t", "KILN_DTYPE_FLOAT16"};
  case 4: return {"uint16_t", "KILN_DTYPE_UINT16"};
  case 5: return {"int16_t", "KILN_DTYPE_INT16"};
  case 12: return {"uint32_t", "KILN_DTYPE_UINT32"};
  case 13: return {"uint64_t", "KILN_DTYPE_UINT64"};
  case 16: return {"uint16_t", "KILN_DTYPE_BFLOAT16"};
  case 17: return {"uint8_t", "KILN_DTYPE_FLOAT8E4M3FN"};
  case 18: return {"uint8_t", "KILN_DTYPE_FLOAT8E4M3FNUZ"};
  case 19: return {"uint8_t", "KILN_DTYPE_FLOAT8E5M2"};
  case 20: return {"uint8_t", "KILN_DTYPE_FLOAT8E5M2FNUZ"};
  case 21: return {"uint8_t", "KILN_DTYPE_UINT4"};
  case 22: return {"uint8_t", "KILN_DTYPE_INT4"};
  case 23: return {"uint8_t", "KILN_DTYPE_FLOAT4E2M1"};
  case 25: return {"uint8_t", "KILN_DTYPE_UINT2"};
  case 26: return {"uint8_t", "KILN_DTYPE_INT2"};
  default: return {"double", "KILN_DTYPE_FLOAT64"};
  }
}

} // namespace kiln
