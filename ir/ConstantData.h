//===- ConstantData.h - reading and writing constant tensors ------*- C++ -*-===//
//
// Constant tensors appear in two encodings: small ones as DenseElementsAttr,
// weights as dense_resource blobs (so that printed IR stays readable and the
// bytes are not copied per use). These helpers read either encoding into a
// host array and build the right encoding for a new constant, so folders and
// importers never care which one they hold.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_CONSTANTDATA_H
#define KILN_IR_CONSTANTDATA_H

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"

#include <optional>
#include <vector>

namespace kiln {

/// A constant's elements widened to double (exact for f32, and for integers
/// up to 2^53, which covers every shape and index value).
struct HostValues {
  mlir::RankedTensorType type;
  std::vector<double> data;
};

/// Element count above which folders leave an op alone rather than
/// materialise a new constant.
constexpr int64_t kMaxFoldElements = int64_t(1) << 24;

/// Byte size up to which a constant is re-laid out (transposed) at compile
/// time: a transpose only moves bytes, so it is worth doing for any weight
/// that fits in memory twice; above this a model is left as it is.
constexpr int64_t kMaxRelayoutBytes = int64_t(1) << 32;

/// Element count from which new constants are dense_resource blobs.
constexpr int64_t kResourceThreshold = 64;

/// Bytes per element of a constant of element type `t` (i1 is one byte);
/// 0 for types constants cannot hold.
unsigned elementByteWidth(mlir::Type t);

/// Reads a constant attribute (dense or dense_resource, f16/f32/f64 or
/// integer); std::nullopt for anything else or for too large a tensor.
std::optional<HostValues> readConstant(mlir::Attribute attr);

/// Reads integer values (shapes, axes, indices) of a constant attribute.
std::optional<std::vector<int64_t>> readIntConstant(mlir::Attribute attr);

/// Builds a constant attribute of `type` from `data`, converting each value
/// to the element type.
mlir::ElementsAttr writeConstant(mlir::RankedTensorType type,
                                 llvm::ArrayRef<double> data);

/// Builds a constant attribute from raw little-endian element bytes.
mlir::ElementsAttr writeRawConstant(mlir::RankedTensorType type,
                                    llvm::ArrayRef<char> bytes);

/// A constant of `type` whose element i is element sourceIndex[i] of
/// `source` (copied bit-exactly); null if `source` cannot be read.
mlir::ElementsAttr gatherConstant(mlir::ElementsAttr source,
                                  mlir::RankedTensorType type,
                                  llvm::ArrayRef<int64_t> sourceIndex);

/// `source` transposed: result dim d is source dim perm[d]. Moves element
/// bytes without widening them (no per-element index table), so it scales
/// to weights of hundreds of MB; null if `source` cannot be read.
mlir::ElementsAttr transposeConstant(mlir::ElementsAttr source,
                                     mlir::RankedTensorType type,
                                     llvm::ArrayRef<int64_t> perm);

/// The raw bytes of a constant attribute in its element type, for codegen.
std::optional<std::vector<char>> readRawConstant(mlir::ElementsAttr attr);

} // namespace kiln

#endif // KILN_IR_CONSTANTDATA_H
