//===- kiln-opt.cpp - mlir-opt with the kiln dialect and passes -----------===//
//
// Loads every upstream dialect and extension plus the kiln dialect and all
// Kiln passes, for lit tests and for debugging one pass at a time.
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"
#include "ir/KilnDialect.h"
#include "passes/Passes.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  // gpu-module-to-binary translates kernel modules (GPU, NVVM) to LLVM IR.
  registerAllToLLVMIRTranslations(registry);
  mlir::registerAllPasses();
  registry.insert<kiln::KilnDialect>();
  kiln::registerKilnPasses();
  kiln::registerKilnCodegenPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Kiln optimizer driver\n", registry));
}
