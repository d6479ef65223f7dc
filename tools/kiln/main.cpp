//===- main.cpp - the kiln command-line converter -------------------------===//
//
// `kiln import|compile|run|bench|inspect`: argument parsing and dispatch.
// run and bench accept a model file (compiled to a temporary library first)
// or a compiled library, and always go through the library's C ABI.
//
//===----------------------------------------------------------------------===//

#include "CliOptions.h"
#include "CompileDriver.h"
#include "InspectCommand.h"

#include "bench_command.h"
#include "model_library.h"
#include "run_command.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Signals.h"

#include <cstdio>
#include <new>
#include <stdexcept>
#include <map>
#include <set>
#include <cstdlib>
#include <string>
#include <vector>

using namespace kiln;

static const char *kUsage =
    "usage: kiln <command> [options]\n"
    "  MODEL: an ONNX model (.onnx), a frozen TensorFlow GraphDef (.pb,\n"
    "  .pbtxt), a SavedModel directory, a TensorFlow.js model.json or a\n"
    "  torch.export archive (.pt2); --format=onnx|tf|torch overrides the\n"
    "  file type. For TensorFlow,\n"
    "  --outputs NAME[:K],... picks the fetches, --input-shape the feeds'\n"
    "  dims, --signature a SavedModel's signature (serving_default) and\n"
    "  --config FILE tfcompile's tf2xla.Config (feeds and fetches).\n"
    "  import MODEL [-o OUT.mlir] [--elide-weights] [--locations]\n"
    "  compile MODEL -o libNAME.so|.a|.o [--emit=kiln|linalg|llvm|asm]\n"
    "          [--target=cpu|cuda[:sm_NN]] (cuda: kernels for an NVIDIA GPU,\n"
    "          sm_90 by default; --emit=gpu|nvvm|ptx stop after those stages;\n"
    "          --gpu-binary=ptx|fatbin what the library embeds;\n"
    "          --gpu-precision=fp32|tf32|fp16 what matmuls and convolutions\n"
    "          multiply in: tf32 and fp16 use tensor cores, sm_80 or newer)\n"
    "          [--cpu=NAME] [--no-tile] [--no-parallel-loops] [--elide-weights]\n"
    "          [--time-passes]  (where compile time goes, on stderr)\n"
    "          [--compute-layout=auto|NCHW|NHWC]  (auto: NHWC for\n"
    "          batch-1 CNNs on the CPU, else NCHW)\n"
    "          [--freeze NAME=FILE]...  (compile an input in as a constant)\n"
    "          [--header FILE] [--runtime-header FILE]  (defaults: NAME.h and\n"
    "          kiln_runtime.h beside the library) [--force]  (replace such\n"
    "          files even when kiln did not write them)\n"
    "          [--input-shape NAME=AxBxC]...  (pins an input's dims; '?'\n"
    "          keeps or makes a dim dynamic: x=?x3x224x224; also for\n"
    "          import, run and bench)\n"
    "  run MODEL|libNAME.so [--data DIR] [--input NAME=FILE]...\n"
    "      [--expect NAME=FILE]... [--output-dir DIR] [--rtol R] [--atol A]\n"
    "      [--threads N]   (pass: max_abs_err <= atol + rtol * max|ref|;\n"
    "                       defaults rtol 1e-4, atol 1e-5)\n"
    "  bench MODEL|libNAME.so [--threads N] [--runs N] [--warmup N] [--json]\n"
    "  run and bench also take --device=cpu|cuda[:sm_NN] (a model file is\n"
    "      compiled for that device; a library must have been)\n"
    "  inspect MODEL\n"
    "  kiln --version, and --help after any command, print and exit 0;\n"
    "  an option the command does not take is an error.\n";

/// One error line and a pointer to the usage (the whole usage text would
/// bury the line that says what was wrong).
static int usageError(const std::string &msg) {
  std::fprintf(stderr,
               "kiln: error: %s\n(kiln --help lists the commands and "
               "options)\n",
               msg.c_str());
  return 2;
}

/// Minimal option reader over argv[2..]: "--key=value", "--key value",
/// flags, and positional arguments.
struct Args {
  std::vector<std::string> positional;
  std::vector<std::pair<std::string, std::string>> options;
  std::string error;

  Args(int argc, char **argv, const std::vector<std::string> &flags) {
    for (int i = 2; i < argc; ++i) {
      std::string a = argv[i];
      if (a.size() < 2 || a[0] != '-') {
        positional.push_back(a);
        continue;
      }
      std::string key = a, value;
      if (auto eq = a.find('='); eq != std::string::npos) {
        key = a.substr(0, eq);
        value = a.substr(eq + 1);
      } else if (std::find(flags.begin(), flags.end(), a) == flags.end()) {
        if (i + 1 >= argc) {
          error = "option " + a + " needs a value";
          return;
        }
        value = argv[++i];
      }
      options.push_back({key, value});
    }
  }
  bool has(const std::string &key) const {
    for (auto &o : options)
      if (o.first == key)
        return true;
    return false;
  }
  std::string get(const std::string &key, const std::string &dflt = "") const {
    for (auto &o : options)
      if (o.first == key)
        return o.second;
    return dflt;
  }
};

static RuntimeLocation runtimeBeside(const char *argv0) {
  std::string exe = llvm::sys::fs::getMainExecutable(argv0, (void *)&runtimeBeside);
  llvm::SmallString<128> root(llvm::sys::path::parent_path(
      llvm::sys::path::parent_path(exe)));
  return {(root + "/lib").str(), (root + "/include").str()};
}

static bool isLibrary(const std::string &path) {
  return llvm::StringRef(path).ends_with(".so");
}

/// How a model file is specialised when `kiln run`/`bench` compile it.
struct Specialization {
  std::string format;
  std::vector<std::string> outputs;
  std::string signature;
  std::vector<std::pair<std::string, std::string>> freeze;
  std::vector<std::string> frozenNames;
  std::map<std::string, std::vector<int64_t>> shapes;
  /// `--device=cuda[:ARCH]`: compile the model for an NVIDIA GPU.
  bool cuda = false;
  std::string cudaChip = "sm_90";
};

/// For a model run on a data folder: inputs that feed shape operands are
/// compiled in from their files there, and inputs with dynamic dims take
/// the dims of their files.
static void specializeFromData(const std::string &model,
                               const std::string &dataDir,
                               Specialization &spec) {
  if (dataDir.empty())
    return;
  InputNeeds needs = inputNeeds(model, spec.format);
  const std::set<std::string> &needed = needs.toFreeze;
  const std::set<std::string> &dynamic = needs.dynamic;
  if (needed.empty() && dynamic.empty())
    return; // nothing to specialise: don't read the data files twice
  for (int k = 0;; ++k) {
    std::string file = dataDir + "/input_" + std::to_string(k) + ".pb";
    if (!llvm::sys::fs::exists(file))
      file = dataDir + "/input_" + std::to_string(k) + ".npy";
    HostTensor t;
    std::string err;
    if (!llvm::sys::fs::exists(file) || !loadTensorFile(file, t, err))
      break;
    // Files feed inputs by position where the model names its inputs
    // differently from the data (a TorchScript forward's parameters).
    if (size_t(k) < needs.positional.size())
      t.name = needs.positional[k];
    if (needed.count(t.name)) {
      spec.freeze.push_back({t.name, file});
      spec.frozenNames.push_back(t.name);
    }
    if (dynamic.count(t.name) && !spec.shapes.count(t.name))
      spec.shapes[t.name] = t.shape;
  }
}

/// The temporary directory of the model being run, removed if the process
/// dies of a signal (a crash inside the model library, Ctrl-C) as well as
/// at the end of a normal run.
static std::string gTemporaryDir;

static void removeTemporaryDir(void *) {
  if (!gTemporaryDir.empty())
    llvm::sys::fs::remove_directories(gTemporaryDir);
}

/// Opens MODEL: a library directly, a model file after compiling it into a
/// temporary directory. Returns an exit code (0 = opened).
static int openModel(const std::string &path, const RuntimeLocation &runtime,
                     ModelLibrary &lib, std::string &tmpDir,
                     const Specialization &spec) {
  std::string libPath = path;
  if (!isLibrary(path)) {
    llvm::SmallString<128> dir;
    if (llvm::sys::fs::createUniqueDirectory("kiln-run", dir))
      return usageError("cannot create a temporary directory");
    tmpDir = dir.str().str();
    gTemporaryDir = tmpDir;
    llvm::sys::AddSignalHandler(removeTemporaryDir, nullptr);
    // LLVM calls this for SIGINT/SIGTERM and then returns to the program
    // (re-raising could be ignored: a shell may start kiln with SIGINT
    // ignored), so it ends the process itself, with the shell's status
    // for an interrupted command.
    llvm::sys::SetInterruptFunction([] {
      removeTemporaryDir(nullptr);
      std::_Exit(130);
    });
    CompileOptions options;
    options.modelPath = path;
    options.outPath = tmpDir + "/libmodel.so";
    options.prefix = "model";
    options.runtime = runtime;
    options.format = spec.format;
    options.outputs = spec.outputs;
    options.signature = spec.signature;
    options.freeze = spec.freeze;
    options.inputShapes = spec.shapes;
    options.cuda = spec.cuda;
    options.cudaChip = spec.cudaChip;
    if (int rc = compileCommand(options))
      return rc;
    libPath = options.outPath;
  }
  if (!lib.open(libPath, prefixForLibrary(libPath))) {
    std::fprintf(stderr, "kiln: error: %s\n", lib.error().c_str());
    return 2;
  }
  return 0;
}

/// "a,b,c" as {"a", "b", "c"}; empty for "".
static std::vector<std::string> splitList(const std::string &list) {
  std::vector<std::string> out;
  llvm::SmallVector<llvm::StringRef> parts;
  llvm::StringRef(list).split(parts, ',', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef p : parts)
    out.push_back(p.trim().str());
  return out;
}

/// Parses every `--input-shape NAME=AxBxC` into `shapes`.
static bool parseShapes(const std::vector<std::pair<std::string, std::string>> &options,
                        std::map<std::string, std::vector<int64_t>> &shapes,
                        std::string &error) {
  for (auto &[k, v] : options) {
    if (k != "--input-shape")
      continue;
    auto eq = v.find('=');
    if (eq == std::string::npos || eq + 1 == v.size()) {
      error = "--input-shape expects NAME=AxBxC, got '" + v + "'";
      return false;
    }
    std::vector<int64_t> dims;
    llvm::SmallVector<llvm::StringRef> parts;
    llvm::StringRef(v).substr(eq + 1).split(parts, 'x');
    for (llvm::StringRef part : parts) {
      int64_t d;
      if (part == "?") {
        dims.push_back(-1); // a dynamic dim
        continue;
      }
      if (part.getAsInteger(10, d) || d < 0) {
        error = "--input-shape: '" + part.str() + "' is not a dim";
        return false;
      }
      dims.push_back(d);
    }
    shapes[v.substr(0, eq)] = dims;
  }
  return true;
}

static bool parsePairs(const Args &args, const std::string &key,
                       std::vector<std::pair<std::string, std::string>> &out,
                       std::string &error) {
  for (auto &[k, v] : args.options) {
    if (k != key)
      continue;
    auto eq = v.find('=');
    if (eq == std::string::npos) {
      error = key + " expects NAME=FILE, got '" + v + "'";
      return false;
    }
    out.push_back({v.substr(0, eq), v.substr(eq + 1)});
  }
  return true;
}

static int runOrBench(bool bench, const Args &args, const RuntimeLocation &rt) {
  if (args.positional.size() != 1)
    return usageError("expected one model or library");
  ModelLibrary lib;
  std::string tmpDir, error;
  Specialization spec;
  if (!parseShapes(args.options, spec.shapes, error))
    return usageError(error);
  spec.format = args.get("--format");
  spec.outputs = splitList(args.get("--outputs"));
  spec.signature = args.get("--signature");
  if (args.has("--device") &&
      !parseDevice("--device", args.get("--device"), spec.cuda, spec.cudaChip,
                   error))
    return usageError(error);
  // Numbers are checked before a model file is compiled.
  int64_t threads = 0, runs = 50, warmup = 5;
  double rtol = 1e-4, atol = 1e-5;
  if ((args.has("--threads") &&
       !parseWholeNumber("--threads", args.get("--threads"), 0, 4096,
                         threads, error)) ||
      (args.has("--runs") &&
       !parseWholeNumber("--runs", args.get("--runs"), 1, 1000000000, runs,
                         error)) ||
      (args.has("--warmup") &&
       !parseWholeNumber("--warmup", args.get("--warmup"), 0, 1000000000,
                         warmup, error)) ||
      (args.has("--rtol") &&
       !parseTolerance("--rtol", args.get("--rtol"), rtol, error)) ||
      (args.has("--atol") &&
       !parseTolerance("--atol", args.get("--atol"), atol, error)))
    return usageError(error);
  if (!bench && !isLibrary(args.positional[0]))
    specializeFromData(args.positional[0], args.get("--data"), spec);
  int rc = openModel(args.positional[0], rt, lib, tmpDir, spec);
  kiln_device wanted = spec.cuda ? KILN_DEVICE_CUDA : KILN_DEVICE_CPU;
  if (rc == 0 && args.has("--device") && lib.desc().device != wanted) {
    std::fprintf(stderr,
                 "kiln: error: the library was compiled for the %s; compile "
                 "it with --target=%s to run it with --device=%s\n",
                 wanted == KILN_DEVICE_CUDA ? "CPU" : "GPU",
                 wanted == KILN_DEVICE_CUDA ? "cuda" : "cpu",
                 wanted == KILN_DEVICE_CUDA ? "cuda" : "cpu");
    rc = 2;
  }
  if (rc == 0) {
    if (bench) {
      BenchOptions o;
      o.threads = int(threads);
      o.runs = int(runs);
      o.warmup = int(warmup);
      o.json = args.has("--json");
      o.label = llvm::sys::path::stem(args.positional[0]).str();
      o.inputShapes = spec.shapes;
      rc = benchModel(lib, o);
    } else {
      RunOptions o;
      o.dataDir = args.get("--data");
      o.outputDir = args.get("--output-dir");
      o.rtol = rtol;
      o.atol = atol;
      o.threads = int(threads);
      o.frozenInputs = spec.frozenNames;
      if (!parsePairs(args, "--input", o.inputs, error) ||
          !parsePairs(args, "--expect", o.expects, error))
        rc = usageError(error);
      else
        rc = runModel(lib, o);
    }
  }
  if (!tmpDir.empty())
    llvm::sys::fs::remove_directories(tmpDir);
  gTemporaryDir.clear();
  return rc;
}

static int kilnMain(int argc, char **argv);

int main(int argc, char **argv) {
  // A model whose tensors need more memory than the machine has fails to
  // allocate them (the inputs of `run`/`bench`, constants being folded):
  // that is a report, not an abort.
  try {
    return kilnMain(argc, argv);
  } catch (const std::bad_alloc &) {
    std::fprintf(stderr, "kiln: error: out of memory: the model's tensors "
                         "need more memory than is available\n");
  } catch (const std::length_error &) {
    std::fprintf(stderr, "kiln: error: out of memory: a tensor of the model "
                         "is larger than memory can hold\n");
  }
  return 2;
}

static int kilnMain(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "kiln: error: no command given\n%s", kUsage);
    return 2;
  }
  std::string cmd = argv[1];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    std::printf("%s", kUsage);
    return 0;
  }
  if (cmd == "--version") {
    std::printf("%s\n", versionText().c_str());
    return 0;
  }
  Args args(argc, argv, commandFlags());
  if (args.has("--help") || args.has("-h")) {
    std::printf("%s", kUsage);
    return 0;
  }
  if (args.has("--version")) {
    std::printf("%s\n", versionText().c_str());
    return 0;
  }
  if (!args.error.empty())
    return usageError(args.error);
  if (std::string unknown = checkOptions(cmd, args.options); !unknown.empty())
    return usageError(unknown);
  RuntimeLocation runtime = runtimeBeside(argv[0]);
  if (cmd == "run" || cmd == "bench")
    return runOrBench(cmd == "bench", args, runtime);
  if (args.positional.size() != 1)
    return usageError("expected exactly one model file");
  if (cmd == "inspect")
    return inspectCommand(args.positional[0], args.get("--format"),
                          splitList(args.get("--outputs")));
  CompileOptions options;
  options.modelPath = args.positional[0];
  options.format = args.get("--format");
  options.outputs = splitList(args.get("--outputs"));
  options.signature = args.get("--signature");
  options.config = args.get("--config");
  options.outPath = args.get("-o");
  options.emit = args.get("--emit");
  options.elideWeights = args.has("--elide-weights");
  options.printLocations = args.has("--locations");
  options.tileContractions = !args.has("--no-tile");
  options.parallelizeLoops = !args.has("--no-parallel-loops");
  options.timePasses = args.has("--time-passes");
  if (args.has("--compute-layout")) {
    options.computeLayout = args.get("--compute-layout");
    if (options.computeLayout != "auto" && options.computeLayout != "NCHW" &&
        options.computeLayout != "NHWC")
      return usageError("--compute-layout takes auto, NCHW or NHWC, not '" +
                        options.computeLayout + "'");
  }
  options.target.cpu = args.get("--cpu");
  std::string pairError;
  if (args.has("--target") &&
      !parseDevice("--target", args.get("--target"), options.cuda,
                   options.cudaChip, pairError))
    return usageError(pairError);
  options.gpuBinary = args.get("--gpu-binary");
  if (!options.gpuBinary.empty() && options.gpuBinary != "ptx" &&
      options.gpuBinary != "fatbin")
    return usageError("--gpu-binary takes ptx or fatbin, not '" +
                      options.gpuBinary + "'");
  if (args.has("--gpu-precision")) {
    options.gpuPrecision = args.get("--gpu-precision");
    if (!checkGpuPrecision(options.gpuPrecision, options.cuda,
                           options.cudaChip, pairError))
      return usageError(pairError);
  }
  options.headerPath = args.get("--header");
  options.runtimeHeaderPath = args.get("--runtime-header");
  options.force = args.has("--force");
  options.runtime = runtime;
  if (!parsePairs(args, "--freeze", options.freeze, pairError) ||
      !parseShapes(args.options, options.inputShapes, pairError))
    return usageError(pairError);
  if (cmd == "import")
    return importCommand(options);
  if (cmd == "compile") {
    static const char *stages[] = {"",    "kiln", "linalg", "llvm",
                                   "asm", "gpu",  "nvvm",   "ptx"};
    if (std::find(std::begin(stages), std::end(stages), options.emit) ==
        std::end(stages))
      return usageError("unknown --emit stage '" + options.emit + "'");
    bool gpuStage = options.emit == "gpu" || options.emit == "nvvm" ||
                    options.emit == "ptx";
    if (gpuStage && !options.cuda)
      return usageError("--emit=" + options.emit + " needs --target=cuda");
    if (options.outPath.empty() && options.emit.empty())
      return usageError("compile needs -o libNAME.so|.a|.o");
    bool toStdout = options.outPath.empty() || options.outPath == "-";
    options.prefix =
        prefixForLibrary(toStdout ? "libmodel.so" : options.outPath);
    options.exitsAfter = true;
    return compileCommand(options);
  }
  return usageError("unknown command '" + cmd + "'");
}
