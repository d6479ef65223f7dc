//===- ObjectEmitter.cpp - LLVM dialect to object code --------------------===//
//
// mlir::translateModuleToLLVMIR, the new pass manager's -O2 pipeline with the
// TargetMachine attached (so the vectorizers see the real vector width), and
// the legacy code generator for the object file.
//
//===----------------------------------------------------------------------===//

#include "codegen/common/ObjectEmitter.h"

#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/SwapByteOrder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;

namespace kiln {

/// The host's features as "+avx512f,-amx,..." for the TargetMachine.
static std::string hostFeatures() {
  std::string out;
  for (const auto &f : llvm::sys::getHostCPUFeatures()) {
    if (!out.empty())
      out += ',';
    out += (f.second ? "+" : "-") + f.first().str();
  }
  return out;
}

static std::unique_ptr<llvm::TargetMachine>
makeTargetMachine(const TargetChoice &choice, std::string &error) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;
  std::string cpu = choice.cpu.empty() ? llvm::sys::getHostCPUName().str()
                                       : choice.cpu;
  std::string features = choice.cpu.empty() ? hostFeatures() : "";
  // Check the name first: LLVM only warns about unknown CPUs and may then
  // abort on a subtarget without 64-bit support.
  std::unique_ptr<llvm::MCSubtargetInfo> generic(
      target->createMCSubtargetInfo(triple, "", ""));
  if (!choice.cpu.empty() && generic && !generic->isCPUStringValid(cpu)) {
    error = "unknown CPU '" + cpu + "' for " + triple.str() +
            " (use an LLVM CPU name such as skylake-avx512 or znver4)";
    return nullptr;
  }
  // LLVM tunes AVX-512 server CPUs to auto-vectorize at 256 bits (older
  // parts clock down under 512-bit work). Kiln's matmul tiles use 512-bit
  // vectors anyway, and the loops left to the vectorizer (depthwise
  // windows, elementwise passes) measured faster at the full width.
  features += features.empty() ? "-prefer-256-bit" : ",-prefer-256-bit";
  llvm::TargetOptions options;
  // Multiplies feeding adds become FMAs (one rounding instead of two), as
  // in ONNX Runtime's and OpenVINO's kernels: the unrolled window taps and
  // the elementwise chains then issue half the arithmetic.
  options.AllowFPOpFusion = llvm::FPOpFusion::Fast;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, cpu, features, options, llvm::Reloc::PIC_, std::nullopt,
      llvm::CodeGenOptLevel::Aggressive));
  if (!tm) {
    error = "cannot create a target machine for CPU '" + cpu + "'";
    return nullptr;
  }
  return tm;
}

bool describeTarget(const TargetChoice &choice, std::string &cpu,
                    std::vector<std::string> &features, std::string &error) {
  std::unique_ptr<llvm::TargetMachine> tm = makeTargetMachine(choice, error);
  if (!tm)
    return false;
  const llvm::MCSubtargetInfo *sti = tm->getMCSubtargetInfo();
  cpu = tm->getTargetCPU().str();
  features.clear();
  for (const llvm::SubtargetFeatureKV &f : sti->getAllProcessorFeatures())
    if (sti->checkFeatures(std::string("+") + f.Key))
      features.push_back(f.Key);
  return true;
}

/// Upstream's kernel-launch lowering builds each launch's argument array
/// with allocas at the launch site; inside a host loop (a while loop, a
/// per-image loop) the stack would grow by them on every iteration. The
/// driver copies the arguments during the launch call, so one slot per
/// launch site, allocated with the function's frame, is enough.
static void hoistLaunchArgumentSlots(llvm::Module &module) {
  llvm::Function *launch = module.getFunction("mgpuLaunchKernel");
  if (!launch)
    return;
  for (llvm::User *user : launch->users()) {
    auto *call = llvm::dyn_cast<llvm::CallInst>(user);
    if (!call)
      continue;
    llvm::BasicBlock *block = call->getParent();
    llvm::BasicBlock &entry = block->getParent()->getEntryBlock();
    if (block == &entry)
      continue;
    llvm::SmallVector<llvm::AllocaInst *> slots;
    for (llvm::Instruction &inst : *block)
      if (auto *slot = llvm::dyn_cast<llvm::AllocaInst>(&inst))
        if (llvm::isa<llvm::ConstantInt>(slot->getArraySize()))
          slots.push_back(slot);
    for (llvm::AllocaInst *slot : slots)
      slot->moveBefore(entry.getFirstInsertionPt());
  }
}

/// Gives every constant array of numbers (the weights) an i8 array type
/// holding the same bytes. The asm printer writes an i8 array as one block,
/// but a float array one element at a time (an APFloat and an integer
/// directive per weight): ResNet-50's 25 M weights took 2.8 s of its 5.1 s
/// of code generation that way. The code reading a global does not depend
/// on its value type (pointers are opaque), so uses move over unchanged.
/// (The bytes are in the host's order, so only for a target of the same.)
static void weightsAsBytes(llvm::Module &module) {
  const llvm::DataLayout &layout = module.getDataLayout();
  if (layout.isLittleEndian() != llvm::sys::IsLittleEndianHost)
    return;
  llvm::SmallVector<llvm::GlobalVariable *> weights;
  for (llvm::GlobalVariable &global : module.globals()) {
    auto *data = global.isConstant() && global.hasInitializer()
                     ? llvm::dyn_cast<llvm::ConstantDataArray>(
                           global.getInitializer())
                     : nullptr;
    if (data && !data->getElementType()->isIntegerTy(8))
      weights.push_back(&global);
  }
  llvm::Type *byte = llvm::Type::getInt8Ty(module.getContext());
  for (llvm::GlobalVariable *global : weights) {
    llvm::StringRef raw =
        llvm::cast<llvm::ConstantDataArray>(global->getInitializer())
            ->getRawDataValues();
    llvm::Constant *bytes =
        llvm::ConstantDataArray::getRaw(raw, raw.size(), byte);
    auto *replacement = new llvm::GlobalVariable(
        module, bytes->getType(), /*isConstant=*/true, global->getLinkage(),
        bytes, "", global, global->getThreadLocalMode(),
        global->getAddressSpace());
    replacement->copyAttributesFrom(global);
    replacement->setAlignment(
        global->getAlign().value_or(layout.getPreferredAlign(global)));
    replacement->takeName(global);
    global->replaceAllUsesWith(replacement);
    global->eraseFromParent();
  }
}

static void optimize(llvm::Module &module, llvm::TargetMachine &tm) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(&tm);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  // -O2: the kernels arrive tiled, unrolled and vectorized, and -O3's
  // extra unrolling only made more code. Measured on ResNet-50, MobileNetV2,
  // SqueezeNet and a BERT encoder: the same run times (within 2 %), and
  // ResNet-50's optimization and code generation took 6.7 s instead of
  // 10.9 s.
  llvm::ModulePassManager mpm =
      pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2);
  mpm.run(module, mam);
}

bool emitMachineCode(ModuleOp module, const TargetChoice &target,
                     ObjectKind kind, llvm::raw_pwrite_stream &os,
                     std::string &error, bool freeMemory) {
  registerBuiltinDialectTranslation(*module.getContext());
  registerLLVMDialectTranslation(*module.getContext());
  registerOpenMPDialectTranslation(*module.getContext());
  // Embedded GPU kernels (gpu.binary) and their launches.
  registerGPUDialectTranslation(*module.getContext());
  auto context = std::make_unique<llvm::LLVMContext>();
  llvm::LLVMContext &llvmContext = *context;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext);
  // Declared after the module and context, so it runs first.
  llvm::scope_exit keep([&] {
    if (!freeMemory) {
      (void)llvmModule.release();
      (void)context.release();
    }
  });
  if (!llvmModule) {
    error = "translation to LLVM IR failed";
    return false;
  }
  std::unique_ptr<llvm::TargetMachine> tm = makeTargetMachine(target, error);
  if (!tm)
    return false;
  llvmModule->setDataLayout(tm->createDataLayout());
  llvmModule->setTargetTriple(tm->getTargetTriple());
  hoistLaunchArgumentSlots(*llvmModule);
  weightsAsBytes(*llvmModule);
  optimize(*llvmModule, *tm);
  if (kind == ObjectKind::LLVMIR) {
    llvmModule->print(os, nullptr);
    return true;
  }
  llvm::legacy::PassManager codegen;
  auto fileType = kind == ObjectKind::Assembly
                      ? llvm::CodeGenFileType::AssemblyFile
                      : llvm::CodeGenFileType::ObjectFile;
  if (tm->addPassesToEmitFile(codegen, os, nullptr, fileType)) {
    error = "the target cannot emit this file type";
    return false;
  }
  codegen.run(*llvmModule);
  return true;
}

} // namespace kiln
