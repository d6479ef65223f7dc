//===- CompileDriver.h - model file to kiln IR to native library -*- C++ -*-===//
//
// The part of the `kiln` tool that drives the compiler: load and import a
// model, run the pipeline to a chosen stage, write text or a library.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLS_KILN_COMPILEDRIVER_H
#define KILN_TOOLS_KILN_COMPILEDRIVER_H

#include "codegen/common/LibraryWriter.h"
#include "codegen/common/ObjectEmitter.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <map>
#include <set>
#include <string>
#include <vector>

#include "frontends/common/Frontend.h"

namespace kiln {

struct CompileOptions {
  std::string modelPath;
  /// `--format`: the frontend to read the model with; empty: by file type.
  std::string format;
  /// `--outputs`: tensors to return (TensorFlow fetches); empty: the model's.
  std::vector<std::string> outputs;
  /// `--signature`: a SavedModel's signature; empty: serving_default.
  std::string signature;
  /// `--config`: tfcompile's tf2xla.Config (feeds and fetches).
  std::string config;
  std::string outPath;
  std::string emit; ///< "", "kiln", "linalg", "llvm", "asm", "gpu", "nvvm", "ptx"
  std::string prefix;
  TargetChoice target;
  /// `--target=cuda[:ARCH]`: kernels for an NVIDIA GPU of `cudaChip`.
  bool cuda = false;
  std::string cudaChip = "sm_90";
  /// `--gpu-binary`: "ptx", "fatbin" or "" (fatbin when the toolkit has
  /// the tools, else PTX).
  std::string gpuBinary;
  /// `--gpu-precision`: "fp32" (the default), "tf32" or "fp16".
  std::string gpuPrecision = "fp32";
  bool tileContractions = true;
  bool parallelizeLoops = true;
  /// `--time-passes`: each pass's and the LLVM back end's time on stderr.
  bool timePasses = false;
  /// `--compute-layout`: auto (default: chooseCpuLayout on the CPU, NCHW on
  /// CUDA), NCHW or NHWC for convolutions/pooling.
  std::string computeLayout = "auto";
  bool elideWeights = false;
  /// The process exits once the compile is done (`kiln compile`): the LLVM
  /// module is not freed, which took 2-3 s of ResNet-50's compile.
  bool exitsAfter = false;
  /// Print each op's location (the ONNX node name) in --emit / import text.
  bool printLocations = false;
  RuntimeLocation runtime;
  /// NAME=FILE (.npy/.pb): inputs compiled in as constants.
  std::vector<std::pair<std::string, std::string>> freeze;
  /// Dims for inputs whose shape the model leaves dynamic.
  std::map<std::string, std::vector<int64_t>> inputShapes;
  /// Where a library's header and the runtime header go; empty: NAME.h and
  /// kiln_runtime.h beside the library.
  std::string headerPath, runtimeHeaderPath;
  /// Replace side files (headers) that exist and were not written by kiln.
  bool force = false;
};

/// Registers what the compiler needs and installs the one-line diagnostic
/// printer (`kiln: error: node 'X': ...`).
void setUpContext(mlir::MLIRContext &ctx);

/// Loads and imports the model file of `options` (model path, format,
/// frozen inputs, input shapes, outputs) through the frontend registry;
/// null after printing the error. `format` receives the frontend's name.
mlir::OwningOpRef<mlir::ModuleOp> importModel(mlir::MLIRContext &ctx,
                                              const CompileOptions &options,
                                              std::string *format = nullptr);

/// What `kiln run` must specialise in the model at `path` (one load); empty
/// if it does not load (compiling it then reports why).
InputNeeds inputNeeds(const std::string &path, const std::string &format);

/// `kiln import`: prints the imported module. Returns the exit code.
int importCommand(const CompileOptions &options);

/// `kiln compile`. Returns the exit code (0 or 2).
int compileCommand(const CompileOptions &options);

/// A C identifier made from a library file name (libnet.so -> net).
std::string prefixForLibrary(const std::string &path);

} // namespace kiln

#endif // KILN_TOOLS_KILN_COMPILEDRIVER_H
