//===- ElementDtypes.cpp - MLIR element types as kiln_dtype codes ---------===//
//
// See ElementDtypes.h.
//
//===----------------------------------------------------------------------===//

#include "codegen/common/ElementDtypes.h"

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
  default: return {"double", "KILN_DTYPE_FLOAT64"};
  }
}

} // namespace kiln
