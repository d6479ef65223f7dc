//===- Pipeline.h - the CUDA compilation pipeline -----------------*- C++ -*-===//
//
// linalg on tensors (codegen/common's output) -> buffers -> scf.parallel
// mapped to blocks and threads -> gpu.launch -> outlined kernels in a
// gpu.module -> NVVM -> PTX (or a fatbin with SASS for the named arch), and
// host code in the LLVM dialect that launches them through runtime/cuda.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_GPU_PIPELINE_H
#define KILN_CODEGEN_GPU_PIPELINE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"

#include <string>

namespace kiln {

/// Where the GPU lowering stops (`kiln compile --emit=gpu|nvvm|ptx`; a
/// library needs all of it).
enum class GpuStage { Gpu, Nvvm, Binary };

struct GpuPipelineOptions {
  std::string chip = "sm_90"; ///< the NVIDIA architecture
  std::string entry;          ///< the function that runs on the device
  int64_t numInputs = 0;      ///< its leading arguments that are inputs
  /// "isa" (PTX text, which the driver compiles when it loads) or "fatbin"
  /// (PTX plus SASS for `chip`, made by CUDA's ptxas and fatbinary).
  std::string format = "isa";
  /// The CUDA toolkit whose libdevice (math functions) and, for "fatbin",
  /// ptxas and fatbinary are used; "" when none was found.
  std::string toolkit;
  /// What matmuls and convolutions multiply in: "fp32", or "tf32"/"fp16"
  /// on the tensor cores (sm_80 or newer; `--gpu-precision`).
  std::string precision = "fp32";
};

/// The CUDA toolkit folder: $CUDA_HOME, $CUDA_PATH, $CUDA_ROOT, the folder
/// above the ptxas on PATH, /usr/local/cuda; the first holding
/// nvvm/libdevice/libdevice.10.bc, or "".
std::string findCudaToolkit();

/// The CUDA architectures `--target=cuda:ARCH` accepts (sm_70 ... sm_120).
bool isKnownCudaArch(llvm::StringRef chip);

/// "fatbin" when `toolkit` (findCudaToolkit()'s answer) has ptxas and
/// fatbinary, else "isa".
std::string defaultGpuBinaryFormat(const std::string &toolkit);

/// Adds the lowering after the shared linalg stage, up to `last`.
void buildGpuLoweringPipeline(mlir::OpPassManager &pm,
                              const GpuPipelineOptions &options,
                              GpuStage last);

/// Fails, naming the function, when a kernel module's PTX still calls a
/// libdevice function (no toolkit was found to link it from).
mlir::LogicalResult checkKernelsLinked(mlir::ModuleOp module);

/// The PTX text of every kernel module of `module` (lowered with format
/// "isa"), one after the other.
mlir::FailureOr<std::string> collectPtx(mlir::ModuleOp module);

} // namespace kiln

#endif // KILN_CODEGEN_GPU_PIPELINE_H
