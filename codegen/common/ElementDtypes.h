//===- ElementDtypes.h - MLIR element types as kiln_dtype codes -*- C++ -*-===//
//
// The library ABI names element types by kiln_dtype codes (ONNX's
// TensorProto.DataType numbers); the generated C stub names them by C type
// and enumerator.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_COMMON_ELEMENTDTYPES_H
#define KILN_CODEGEN_COMMON_ELEMENTDTYPES_H

#include "mlir/IR/Types.h"

#include <utility>

namespace kiln {

/// The kiln_dtype code of element type `t`, or 0 for one the ABI lacks.
int kilnDtypeOf(mlir::Type t);

/// The C element type and KILN_DTYPE_* enumerator of a kiln_dtype code.
std::pair<const char *, const char *> cTypeOfDtype(int dtype);

} // namespace kiln

#endif // KILN_CODEGEN_COMMON_ELEMENTDTYPES_H
