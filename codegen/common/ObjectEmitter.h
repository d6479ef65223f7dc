//===- ObjectEmitter.h - LLVM dialect to object code --------------*- C++ -*-===//
//
// Translates a module in the LLVM dialect to LLVM IR, optimises it at -O3
// for the chosen CPU and writes an object file or assembly.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_COMMON_OBJECTEMITTER_H
#define KILN_CODEGEN_COMMON_OBJECTEMITTER_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace kiln {

enum class ObjectKind { Object, Assembly, LLVMIR };

/// Target CPU selection: an empty `cpu` means the build machine, described
/// by its feature list (LLVM's CPU-name detection is unreliable on virtual
/// machines); otherwise an LLVM CPU name such as "skylake-avx512".
struct TargetChoice {
  std::string cpu;
};

/// The CPU name and the features (LLVM names, without '+') the code for
/// `target` may use; false with `error` for an unknown CPU.
bool describeTarget(const TargetChoice &target, std::string &cpu,
                    std::vector<std::string> &features, std::string &error);

/// Emits `module` (LLVM dialect) as `kind` to `os`; false with `error` set
/// on failure. With `freeMemory` false the LLVM module and its context are
/// not freed: for a process that exits right after, as clang's
/// -disable-free (freeing ResNet-50's took 2-3 s of a 15 s compile).
bool emitMachineCode(mlir::ModuleOp module, const TargetChoice &target,
                     ObjectKind kind, llvm::raw_pwrite_stream &os,
                     std::string &error, bool freeMemory = true);

} // namespace kiln

#endif // KILN_CODEGEN_COMMON_OBJECTEMITTER_H
