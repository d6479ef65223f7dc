//===- LibraryWriter.h - model libraries from compiled objects ----*- C++ -*-===//
//
// Turns the compiled graph (an object exporting _mlir_ciface_<symbol>) into
// what a user links: a generated C stub implementing the ABI of
// runtime/kiln_runtime.h, the static runtime, and NAME.h declaring the
// entry points. Output is a shared library, a static archive or one
// relocatable object.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_COMMON_LIBRARYWRITER_H
#define KILN_CODEGEN_COMMON_LIBRARYWRITER_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <string>
#include <vector>

namespace kiln {

/// One model input or output as the ABI describes it.
struct TensorSignature {
  std::string name;
  int dtype;                  ///< kiln_dtype (ONNX TensorProto codes)
  std::vector<int64_t> shape; ///< -1 for a dynamic dim
  std::vector<std::string> dimNames; ///< per dim; "" when static or unnamed
  /// Per dim its smallest and largest size (-1: no bound), or empty.
  std::vector<int64_t> dimRanges;
};

struct ModelSignature {
  std::vector<TensorSignature> inputs, outputs;
  /// True when some output dim is dynamic: the library then computes output
  /// shapes with the entry point's shape function.
  bool hasDynamicOutputs() const;
};

/// What the descriptor records about where a library came from.
struct LibraryMetadata {
  std::string source;       ///< model file name
  std::string sourceFormat; ///< "onnx"
  std::string targetCpu;    ///< LLVM CPU name (of the host code)
  bool cuda = false;        ///< kernels run on an NVIDIA GPU
  /// Features the code was compiled with, LLVM names without '+'.
  std::vector<std::string> targetFeatures;
};

/// Names of the compiled functions a library stub calls.
struct EntrySymbols {
  std::string main;   ///< runs the model (inputs, then outputs, as memrefs)
  std::string shapes; ///< dynamic output dims into a memref<Nxi64>; "" if none
};

/// Reads the signature of the tensor-level entry function (before
/// bufferization); fails on element types the ABI cannot carry.
mlir::FailureOr<ModelSignature> readSignature(mlir::func::FuncOp func);

/// Where the runtime's archive and headers are.
struct RuntimeLocation {
  std::string libDir;     ///< holds libkiln_runtime.a
  std::string includeDir; ///< holds kiln_runtime.h, kiln_rt.h
};

/// Writes the library `outPath` (.so, .a or .o, by extension); a shared
/// library is sealed (see kiln_check_library in runtime/kiln_runtime.h).
/// The headers are the caller's to write (generateHeader).
bool writeModelLibrary(const std::string &objectPath,
                       const ModelSignature &signature,
                       const LibraryMetadata &metadata,
                       const std::string &prefix, const EntrySymbols &entry,
                       const RuntimeLocation &runtime,
                       const std::string &outPath, std::string &error);

/// The C header declaring a model's entry points.
std::string generateHeader(const std::string &prefix,
                           const ModelSignature &signature);

} // namespace kiln

#endif // KILN_CODEGEN_COMMON_LIBRARYWRITER_H
