//===- CompileDriver.cpp - model file to kiln IR to native library --------===//
//
// See CompileDriver.h. Errors print one line each and map to exit code 2.
//
//===----------------------------------------------------------------------===//

#include "CompileDriver.h"
#include "OutputFiles.h"

#include "codegen/Passes.h"
#include "codegen/common/EntryPoint.h"
#include "codegen/cpu/Pipeline.h"
#include "codegen/gpu/Pipeline.h"
#include "frontends/Registry.h"
#include "passes/Passes.h"
#include "run_command.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/InitAllPasses.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cctype>
#include <chrono>

using namespace mlir;

namespace kiln {

/// "node 'conv1'" for an importer location (with "(FILE:LINE)" where the
/// model's source line is known: TorchScript code), the path for a whole
/// model file, FILE:LINE for a line of a model's code, else the printed
/// location.
static std::string describe(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc)) {
    std::string node = "node '" + name.getName().str() + "'";
    auto file = dyn_cast<FileLineColLoc>(name.getChildLoc());
    if (file && file.getLine() > 0)
      node += " (" + file.getFilename().str() + ":" +
              std::to_string(file.getLine()) + ")";
    return node;
  }
  // A model file as a whole (line 0): its path.
  if (auto file = dyn_cast<FileLineColLoc>(loc))
    return file.getLine() == 0
               ? file.getFilename().str()
               : file.getFilename().str() + ":" +
                     std::to_string(file.getLine());
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location l : fused.getLocations())
      if (isa<NameLoc>(l))
        return describe(l);
  std::string s;
  llvm::raw_string_ostream os(s);
  loc.print(os);
  return s;
}

void setUpContext(MLIRContext &ctx) {
  static bool passesRegistered = [] {
    registerAllPasses(); // the lowering pipeline is parsed from text
    return true;
  }();
  (void)passesRegistered;
  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  // gpu-module-to-binary translates kernel modules (GPU, NVVM) to LLVM IR.
  registerAllToLLVMIRTranslations(registry);
  registry.insert<KilnDialect>();
  ctx.appendDialectRegistry(registry);
  ctx.loadAllAvailableDialects();
  ctx.getDiagEngine().registerHandler([](Diagnostic &d) {
    const char *sev = d.getSeverity() == DiagnosticSeverity::Error ? "error"
                      : d.getSeverity() == DiagnosticSeverity::Warning
                          ? "warning"
                          : "note";
    llvm::errs() << "kiln: " << sev << ": " << describe(d.getLocation())
                 << ": " << d.str() << "\n";
    return success();
  });
}

InputNeeds inputNeeds(const std::string &path, const std::string &format) {
  std::string error;
  const Frontend *frontend = findFrontend(path, format, error);
  if (!frontend)
    return {};
  ImportRequest request;
  request.path = path;
  return frontend->inputNeeds(request);
}

OwningOpRef<ModuleOp> importModel(MLIRContext &ctx,
                                  const CompileOptions &options,
                                  std::string *format) {
  std::string error;
  const Frontend *frontend =
      findFrontend(options.modelPath, options.format, error);
  if (!frontend) {
    llvm::errs() << "kiln: error: " << error << "\n";
    return nullptr;
  }
  ImportRequest request;
  request.path = options.modelPath;
  request.shapes = options.inputShapes;
  request.outputs = options.outputs;
  request.signature = options.signature;
  request.config = options.config;
  for (const auto &[name, file] : options.freeze) {
    HostTensor t;
    if (!loadTensorFile(file, t, error)) {
      llvm::errs() << "kiln: error: " << error << "\n";
      return nullptr;
    }
    t.name = name;
    request.frozen[name] = std::move(t);
  }
  if (format)
    *format = frontend->name().str();
  return frontend->import(ctx, request);
}

std::string prefixForLibrary(const std::string &path) {
  std::string stem = llvm::sys::path::stem(path).str();
  if (llvm::StringRef(stem).starts_with("lib") && stem.size() > 3)
    stem = stem.substr(3);
  for (char &c : stem)
    if (!std::isalnum((unsigned char)c))
      c = '_';
  if (stem.empty() || std::isdigit((unsigned char)stem[0]))
    stem = "m_" + stem;
  return stem;
}

static void printModule(ModuleOp module, llvm::raw_ostream &os,
                        const CompileOptions &options) {
  OpPrintingFlags flags;
  if (options.elideWeights)
    flags.elideLargeElementsAttrs(16).elideLargeResourceString(64);
  if (options.printLocations)
    flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/false);
  module.print(os, flags);
}

/// The files a compile or import reads: outputs must never replace them.
static std::vector<std::string> inputFiles(const CompileOptions &options) {
  std::vector<std::string> files = {options.modelPath};
  for (const auto &[name, file] : options.freeze)
    files.push_back(file);
  return files;
}

static bool toStdout(const CompileOptions &options) {
  return options.outPath.empty() || options.outPath == "-";
}

/// Prints `error` as one line; returns exit code 2.
static int fail(const std::string &error) {
  llvm::errs() << "kiln: error: " << error << "\n";
  return 2;
}

/// Writes `text` to the output: stdout, or a temporary file planned in
/// `outputs` and then renamed into place. Returns the exit code.
static int writeOutput(const std::string &text, const CompileOptions &options,
                       OutputFiles &outputs, const std::string &temp) {
  std::string error;
  if (toStdout(options)) {
    llvm::outs() << text;
    llvm::outs().flush();
    if (llvm::outs().has_error()) {
      llvm::outs().clear_error();
      return fail("cannot write to standard output");
    }
    return 0;
  }
  if (!writeTextFile(temp, text, error) || !outputs.commit(error))
    return fail(error);
  return 0;
}

/// Writes `module` as text to the output; returns the exit code.
static int writeModuleText(ModuleOp module, const CompileOptions &options,
                           OutputFiles &outputs, const std::string &temp) {
  std::string text;
  llvm::raw_string_ostream os(text);
  printModule(module, os, options);
  return writeOutput(text, options, outputs, temp);
}

/// Plans the text output of import / --emit; "" (after printing the error)
/// when it may not be written. Returns "-" for stdout.
static std::string planTextOutput(const CompileOptions &options,
                                  OutputFiles &outputs) {
  if (toStdout(options))
    return "-";
  std::string error, temp = outputs.add(options.outPath, false, error);
  if (temp.empty())
    fail(error);
  return temp;
}

int importCommand(const CompileOptions &options) {
  OutputFiles outputs(inputFiles(options), options.force);
  std::string temp = planTextOutput(options, outputs);
  if (temp.empty())
    return 2;
  MLIRContext ctx;
  setUpContext(ctx);
  OwningOpRef<ModuleOp> module = importModel(ctx, options);
  if (!module)
    return 2;
  return writeModuleText(*module, options, outputs, temp);
}

/// Lowers the graph-level @main to linalg as the library's entry function
/// and, when outputs have dynamic dims, adds the shape function and makes
/// the entry write into caller-allocated outputs.
static LogicalResult lowerEntryToLinalg(ModuleOp module,
                                        const ModelSignature &signature,
                                        const std::string &prefix, bool cuda,
                                        EntrySymbols &entry) {
  entry.main = "kiln_" + prefix + "_main";
  if (failed(prepareEntryPoint(module, entry.main, /*hostIndexChecks=*/!cuda)))
    return failure();
  PassManager linalg(module.getContext());
  // The GPU computes a batch's convolutions in one kernel; the CPU
  // register-tiles one image at a time.
  buildLinalgPipeline(linalg, /*batchedConvolutions=*/cuda);
  if (failed(linalg.run(module)))
    return failure();
  copyRepeatedResults(module.lookupSymbol<func::FuncOp>(entry.main));
  if (!signature.hasDynamicOutputs())
    return success();
  entry.shapes = "kiln_" + prefix + "_shapes";
  auto main = module.lookupSymbol<func::FuncOp>(entry.main);
  if (failed(addShapeFunction(main, entry.shapes)))
    return failure();
  passResultsAsDestinations(main);
  return success();
}

/// Copies kiln_runtime.h from the runtime's include folder to `dest`.
static bool copyRuntimeHeader(const RuntimeLocation &runtime,
                              const std::string &dest, std::string &error) {
  std::string source = runtime.includeDir + "/kiln_runtime.h";
  auto buffer = llvm::MemoryBuffer::getFile(source);
  if (!buffer) {
    error = "cannot read '" + source + "': " + buffer.getError().message();
    return false;
  }
  return writeTextFile(dest, (*buffer)->getBuffer().str(), error);
}

/// The library, its header and the runtime header, planned in `outputs`.
struct LibraryFiles {
  std::string library, header, runtimeHeader; ///< temporary paths
};

static bool planLibrary(const CompileOptions &options, OutputFiles &outputs,
                        LibraryFiles &files, std::string &error) {
  llvm::StringRef dir = llvm::sys::path::parent_path(options.outPath);
  auto beside = [&](const std::string &name) {
    llvm::SmallString<128> p(dir);
    llvm::sys::path::append(p, name);
    return p.str().str();
  };
  std::string header = options.headerPath.empty()
                           ? beside(options.prefix + ".h")
                           : options.headerPath;
  std::string runtimeHeader = options.runtimeHeaderPath.empty()
                                  ? beside("kiln_runtime.h")
                                  : options.runtimeHeaderPath;
  files.library = outputs.add(options.outPath, false, error);
  if (!files.library.empty())
    files.header = outputs.add(header, true, error);
  if (!files.header.empty())
    files.runtimeHeader = outputs.add(runtimeHeader, true, error);
  return !files.runtimeHeader.empty();
}

int compileCommand(const CompileOptions &options) {
  OutputFiles outputs(inputFiles(options), options.force);
  std::string textTemp;
  LibraryFiles files;
  std::string error;
  if (!options.emit.empty()) {
    textTemp = planTextOutput(options, outputs);
    if (textTemp.empty())
      return 2;
  } else if (!planLibrary(options, outputs, files, error)) {
    return fail(error);
  }
  MLIRContext ctx;
  setUpContext(ctx);
  std::string sourceFormat;
  OwningOpRef<ModuleOp> module = importModel(ctx, options, &sourceFormat);
  if (!module)
    return 2;
  CpuPipelineOptions pipeline;
  pipeline.tileContractions = options.tileContractions;
  pipeline.parallelizeLoops = options.parallelizeLoops;
  pipeline.computeLayout = options.computeLayout;
  pipeline.timing = options.timePasses;
  if (!options.cuda) {
    std::string cpu;
    std::vector<std::string> features;
    if (!describeTarget(options.target, cpu, features, error))
      return fail(error);
    pipeline.tileCols = cpuTileColumns(features);
  }
  if (pipeline.computeLayout == "auto")
    pipeline.computeLayout = options.cuda ? "NCHW" : chooseCpuLayout(*module);
  // Graph passes first: the signature is read from the refined types.
  if (failed(runPipeline(*module, Stage::Kiln, pipeline)))
    return 2;
  if (options.emit == "kiln")
    return writeModuleText(*module, options, outputs, textTemp);
  FailureOr<ModelSignature> signature =
      readSignature(module->lookupSymbol<func::FuncOp>("main"));
  if (failed(signature))
    return 2;
  EntrySymbols entry;
  if (failed(lowerEntryToLinalg(*module, *signature, options.prefix,
                                options.cuda, entry)))
    return 2;
  if (options.emit == "linalg")
    return writeModuleText(*module, options, outputs, textTemp);
  {
    PassManager lower(&ctx);
    if (options.timePasses)
      lower.enableTiming();
    if (options.cuda) {
      GpuPipelineOptions gpu;
      gpu.chip = options.cudaChip;
      gpu.entry = entry.main;
      gpu.numInputs = int64_t(signature->inputs.size());
      gpu.toolkit = findCudaToolkit();
      gpu.precision = options.gpuPrecision;
      gpu.format = options.emit == "ptx" || options.gpuBinary == "ptx"
                       ? "isa"
                       : defaultGpuBinaryFormat(gpu.toolkit);
      if (options.gpuBinary == "fatbin" && gpu.format != "fatbin")
        return fail("--gpu-binary=fatbin needs CUDA's ptxas and fatbinary "
                    "(set CUDA_HOME to the toolkit's folder)");
      GpuStage last = options.emit == "gpu"    ? GpuStage::Gpu
                      : options.emit == "nvvm" ? GpuStage::Nvvm
                                               : GpuStage::Binary;
      buildGpuLoweringPipeline(lower, gpu, last);
    } else {
      buildCpuLoweringPipeline(lower, pipeline);
    }
    if (failed(lower.run(*module)) ||
        (options.cuda && failed(checkKernelsLinked(*module))))
      return 2;
  } // --time-passes: the lowering's report is printed here, before LLVM's.
  if (options.emit == "gpu" || options.emit == "nvvm")
    return writeModuleText(*module, options, outputs, textTemp);
  if (options.emit == "ptx") {
    FailureOr<std::string> ptx = collectPtx(*module);
    if (failed(ptx))
      return 2;
    return writeOutput(*ptx, options, outputs, textTemp);
  }
  LibraryMetadata metadata;
  metadata.cuda = options.cuda;
  metadata.source = llvm::sys::path::filename(options.modelPath).str();
  metadata.sourceFormat = sourceFormat;
  if (!describeTarget(options.target, metadata.targetCpu,
                      metadata.targetFeatures, error))
    return fail(error);
  if (options.emit == "llvm" || options.emit == "asm") {
    llvm::SmallString<0> text;
    llvm::raw_svector_ostream os(text); // the code emitter needs pwrite
    if (!emitMachineCode(*module, options.target,
                         options.emit == "llvm" ? ObjectKind::LLVMIR
                                                : ObjectKind::Assembly,
                         os, error))
      return fail(error);
    return writeOutput(text.str().str(), options, outputs, textTemp);
  }
  llvm::SmallString<128> objPath;
  if (llvm::sys::fs::createTemporaryFile("kiln-model", "o", objPath))
    return fail("cannot create a temporary file");
  bool ok;
  {
    std::error_code ec;
    llvm::raw_fd_ostream obj(objPath, ec);
    auto start = std::chrono::steady_clock::now();
    ok = !ec && emitMachineCode(*module, options.target, ObjectKind::Object,
                                obj, error,
                                /*freeMemory=*/!options.exitsAfter);
    if (options.timePasses)
      llvm::errs() << llvm::format(
          "kiln: LLVM IR, -O2 and object code: %.3f s\n",
          std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                        start)
              .count());
    if (!ec) {
      obj.close();
      if (obj.has_error()) {
        error = "cannot write a temporary object file: " +
                obj.error().message();
        obj.clear_error();
        ok = false;
      }
    } else {
      error = "cannot create a temporary object file: " + ec.message();
    }
  }
  ok = ok && writeModelLibrary(objPath.str().str(), *signature, metadata,
                               options.prefix, entry, options.runtime,
                               files.library, error);
  llvm::sys::fs::remove(objPath);
  ok = ok &&
       writeTextFile(files.header, generateHeader(options.prefix, *signature),
                     error) &&
       copyRuntimeHeader(options.runtime, files.runtimeHeader, error) &&
       outputs.commit(error);
  return ok ? 0 : fail(error);
}

} // namespace kiln
