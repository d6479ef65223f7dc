//===- CompileDriver.cpp - model file to kiln IR to native library --------===//
//
// See CompileDriver.h. Errors print one line each and map to exit code 2.
//
//===----------------------------------------------------------------------===//

#include "CompileDriver.h"

#include "codegen/Passes.h"
#include "codegen/cpu/Pipeline.h"
#include "frontends/onnx/Importer.h"
#include "frontends/onnx/ModelLoader.h"
#include "passes/Passes.h"
#include "run_command.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"

#include <cctype>

using namespace mlir;

namespace kiln {

/// "node 'conv1'" for an importer location, else the printed location.
static std::string describe(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return "node '" + name.getName().str() + "'";
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

/// A TensorProto holding a loaded tensor file.
static onnx::TensorProto toTensorProto(const HostTensor &t) {
  onnx::TensorProto proto;
  proto.set_name(t.name);
  proto.set_data_type(int(t.dtype));
  for (int64_t d : t.shape)
    proto.add_dims(d);
  proto.set_raw_data(std::string(t.bytes.begin(), t.bytes.end()));
  return proto;
}

InputNeeds inputNeeds(const std::string &path) {
  onnx::ModelProto model;
  std::string error;
  InputNeeds needs;
  if (!onnx_frontend::loadOnnxModel(path, model, error))
    return needs;
  needs.toFreeze = onnx_frontend::inputsNeededAsConstants(model);
  for (const auto &in : model.graph().input()) {
    const auto &tt = in.type().tensor_type();
    bool dynamic = !tt.has_shape();
    for (const auto &d : tt.shape().dim())
      dynamic |= !d.has_dim_value();
    if (dynamic)
      needs.dynamic.insert(in.name());
  }
  return needs;
}

OwningOpRef<ModuleOp>
importModel(MLIRContext &ctx, const std::string &path,
            const std::vector<std::pair<std::string, std::string>> &freeze,
            const std::map<std::string, std::vector<int64_t>> &shapes) {
  onnx::ModelProto model;
  std::string error;
  if (!onnx_frontend::loadOnnxModel(path, model, error, shapes)) {
    llvm::errs() << "kiln: error: " << error << "\n";
    return nullptr;
  }
  onnx_frontend::ImportOptions options;
  for (const auto &[name, file] : freeze) {
    HostTensor t;
    if (!loadTensorFile(file, t, error)) {
      llvm::errs() << "kiln: error: " << error << "\n";
      return nullptr;
    }
    t.name = name;
    options.frozenInputs[name] = toTensorProto(t);
  }
  OwningOpRef<ModuleOp> module =
      onnx_frontend::importOnnxModel(&ctx, model, path, options);
  if (module && failed(verify(*module)))
    return nullptr;
  return module;
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

/// Opens `path` for writing ("-" = stdout); null after printing the error.
static std::unique_ptr<llvm::ToolOutputFile> openOutput(const std::string &path) {
  std::error_code ec;
  auto file = std::make_unique<llvm::ToolOutputFile>(path.empty() ? "-" : path,
                                                     ec, llvm::sys::fs::OF_None);
  if (ec) {
    llvm::errs() << "kiln: error: cannot write '" << path << "': "
                 << ec.message() << "\n";
    return nullptr;
  }
  return file;
}

/// Writes `module` as text to the output file; returns the exit code.
static int writeModuleText(ModuleOp module, const CompileOptions &options) {
  auto out = openOutput(options.outPath);
  if (!out)
    return 2;
  printModule(module, out->os(), options);
  out->keep();
  return 0;
}

int importCommand(const CompileOptions &options) {
  MLIRContext ctx;
  setUpContext(ctx);
  OwningOpRef<ModuleOp> module = importModel(ctx, options.modelPath, options.freeze,
                                              options.inputShapes);
  if (!module)
    return 2;
  return writeModuleText(*module, options);
}

int compileCommand(const CompileOptions &options) {
  if (!options.outPath.empty() && options.outPath != "-") {
    llvm::StringRef dir = llvm::sys::path::parent_path(options.outPath);
    if (!dir.empty() && !llvm::sys::fs::is_directory(dir)) {
      llvm::errs() << "kiln: error: cannot write '" << options.outPath
                   << "': directory '" << dir << "' does not exist\n";
      return 2;
    }
  }
  MLIRContext ctx;
  setUpContext(ctx);
  OwningOpRef<ModuleOp> module = importModel(ctx, options.modelPath, options.freeze,
                                              options.inputShapes);
  if (!module)
    return 2;
  CpuPipelineOptions pipeline;
  pipeline.tileContractions = options.tileContractions;
  pipeline.parallelizeLoops = options.parallelizeLoops;
  if (options.emit == "kiln" || options.emit == "linalg") {
    Stage stage = options.emit == "kiln" ? Stage::Kiln : Stage::Linalg;
    if (stage == Stage::Linalg &&
        failed(prepareEntryPoint(*module, "kiln_" + options.prefix + "_main")))
      return 2;
    if (failed(runPipeline(*module, stage, pipeline)))
      return 2;
    return writeModuleText(*module, options);
  }
  // Graph passes first: the signature is read from the refined types.
  if (failed(runPipeline(*module, Stage::Kiln, pipeline)))
    return 2;
  auto func = module->lookupSymbol<func::FuncOp>("main");
  FailureOr<ModelSignature> signature = readSignature(func);
  if (failed(signature))
    return 2;
  std::string entry = "kiln_" + options.prefix + "_main";
  if (failed(prepareEntryPoint(*module, entry)))
    return 2;
  PassManager pm(&ctx);
  buildLinalgPipeline(pm);
  buildCpuLoweringPipeline(pm, pipeline);
  if (failed(pm.run(*module)))
    return 2;
  std::string error;
  if (options.emit == "llvm" || options.emit == "asm") {
    auto out = openOutput(options.outPath);
    if (!out)
      return 2;
    if (!emitMachineCode(*module, options.target,
                         options.emit == "llvm" ? ObjectKind::LLVMIR
                                                : ObjectKind::Assembly,
                         out->os(), error)) {
      llvm::errs() << "kiln: error: " << error << "\n";
      return 2;
    }
    out->keep();
    return 0;
  }
  llvm::SmallString<128> objPath;
  if (llvm::sys::fs::createTemporaryFile("kiln-model", "o", objPath)) {
    llvm::errs() << "kiln: error: cannot create a temporary file\n";
    return 2;
  }
  bool ok;
  {
    std::error_code ec;
    llvm::raw_fd_ostream obj(objPath, ec);
    ok = !ec && emitMachineCode(*module, options.target, ObjectKind::Object,
                                obj, error);
  }
  ok = ok && writeModelLibrary(objPath.str().str(), *signature, options.prefix,
                               entry, options.runtime, options.outPath, error);
  llvm::sys::fs::remove(objPath);
  if (!ok) {
    llvm::errs() << "kiln: error: " << error << "\n";
    return 2;
  }
  return 0;
}

} // namespace kiln
