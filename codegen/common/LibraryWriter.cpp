//===- LibraryWriter.cpp - model libraries from compiled objects ----------===//
//
// Generates the per-model C stub (descriptor tables, memref descriptors for
// the compiled entry point, NAME_* exports forwarding to kiln_rt_*) and runs
// the system C compiler / archiver to produce the library.
//
//===----------------------------------------------------------------------===//

#include "codegen/common/LibraryWriter.h"
#include "codegen/common/ElementDtypes.h"

#include "runtime/kiln_seal.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <set>
#include <sstream>

using namespace mlir;

namespace kiln {

bool ModelSignature::hasDynamicOutputs() const {
  for (const TensorSignature &t : outputs)
    if (llvm::is_contained(t.shape, -1))
      return true;
  return false;
}

static FailureOr<TensorSignature> signatureOf(func::FuncOp func, Type type,
                                              DictionaryAttr attrs,
                                              std::string fallback) {
  auto t = dyn_cast<RankedTensorType>(type);
  auto name = attrs ? attrs.getAs<StringAttr>("kiln.name") : StringAttr();
  auto dimNames = attrs ? attrs.getAs<ArrayAttr>("kiln.dim_names") : ArrayAttr();
  auto ranges =
      attrs ? attrs.getAs<DenseI64ArrayAttr>("kiln.dim_ranges") : DenseI64ArrayAttr();
  std::string label = name ? name.str() : fallback;
  if (!t)
    return func.emitError() << "'" << label << "' has no rank (" << type
                            << "): the library ABI needs ranked tensors";
  int dtype = kilnDtypeOf(t.getElementType());
  if (!dtype)
    return func.emitError() << "element type " << t.getElementType()
                            << " cannot cross the library ABI";
  TensorSignature sig{label, dtype, {}, {}};
  for (int64_t d = 0; d < t.getRank(); ++d) {
    bool dynamic = t.isDynamicDim(d);
    sig.shape.push_back(dynamic ? -1 : t.getDimSize(d));
    auto dimName = dimNames && size_t(d) < dimNames.size()
                       ? dyn_cast<StringAttr>(dimNames[d])
                       : StringAttr();
    sig.dimNames.push_back(dynamic && dimName ? dimName.str() : "");
  }
  if (ranges && ranges.size() == 2 * t.getRank())
    sig.dimRanges.assign(ranges.asArrayRef().begin(), ranges.asArrayRef().end());
  return sig;
}

FailureOr<ModelSignature> readSignature(func::FuncOp func) {
  ModelSignature sig;
  for (unsigned i = 0; i < func.getNumArguments(); ++i) {
    auto s = signatureOf(func, func.getArgumentTypes()[i],
                         func.getArgAttrDict(i), "input_" + std::to_string(i));
    if (failed(s))
      return failure();
    sig.inputs.push_back(*s);
  }
  for (unsigned i = 0; i < func.getNumResults(); ++i) {
    auto s = signatureOf(func, func.getResultTypes()[i],
                         func.getResultAttrDict(i), "output_" + std::to_string(i));
    if (failed(s))
      return failure();
    sig.outputs.push_back(*s);
  }
  return sig;
}

/// A C string literal for `s`: printable ASCII as is (escaping `"`, `\`
/// and `?`, which could start a trigraph), every other byte in octal.
static std::string quote(const std::string &s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\' || c == '?') {
      out += '\\';
      out += char(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += char(c);
    } else {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\%03o", c);
      out += buf;
    }
  }
  return out + "\"";
}

/// A C identifier made of `name` (non-alphanumerics become '_').
static std::string identifier(const std::string &name) {
  std::string id = name.empty() ? "t" : name;
  for (char &c : id)
    if (!std::isalnum((unsigned char)c))
      c = '_';
  if (std::isdigit((unsigned char)id[0]))
    id = "t_" + id;
  return id;
}

/// Typed conveniences of the generated header, per named input and output:
/// its index constant (NAME_INPUT_x) and a function making its kiln_tensor
/// from a pointer of the right C type (NAME_in_x / NAME_out_y), so a wrong
/// element type is a compile-time error.
static void emitTensorConstants(std::ostringstream &h, const std::string &prefix,
                                const char *kind,
                                const std::vector<TensorSignature> &tensors) {
  std::string upper = prefix;
  for (char &c : upper)
    c = std::toupper((unsigned char)c);
  bool input = kind[0] == 'i';
  std::set<std::string> used;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const TensorSignature &t = tensors[i];
    std::string id = identifier(t.name);
    if (!used.insert(id).second)
      id += "_" + std::to_string(i); // two names that map to one identifier
    auto [ctype, dtype] = cTypeOfDtype(t.dtype);
    h << "/** " << kind << " '" << t.name << "': " << ctype << " [";
    for (size_t d = 0; d < t.shape.size(); ++d)
      h << (d ? "," : "")
        << (t.shape[d] < 0 ? (t.dimNames[d].empty() ? std::string("?")
                                                    : t.dimNames[d])
                           : std::to_string(t.shape[d]));
    h << "] */\n#define " << upper << (input ? "_INPUT_" : "_OUTPUT_") << id
      << " " << i << "\n"
      << "static inline kiln_tensor " << prefix << (input ? "_in_" : "_out_")
      << id << "(" << (input ? "const " : "") << ctype
      << " *data, const int64_t *shape) {\n"
      << "  kiln_tensor t = {(void *)data, " << dtype << ", "
      << t.shape.size() << ", shape};\n  return t;\n}\n";
  }
}

std::string generateHeader(const std::string &prefix,
                           const ModelSignature &signature) {
  std::ostringstream h;
  std::string guard = "KILN_MODEL_" + prefix + "_H";
  for (char &c : guard)
    c = std::isalnum((unsigned char)c) ? std::toupper((unsigned char)c) : '_';
  h << "/* " << prefix << ".h - entry points of the Kiln-compiled model '"
    << prefix << "'. Generated by kiln compile; see docs/abi.md. */\n"
    << "#ifndef " << guard << "\n#define " << guard << "\n\n"
    << "#include \"kiln_runtime.h\"\n\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
    << "/* Positions of the model's tensors in the inputs/outputs arrays. */\n";
  emitTensorConstants(h, prefix, "input", signature.inputs);
  emitTensorConstants(h, prefix, "output", signature.outputs);
  h << "\n/** Static description of the model (names, dtypes, shapes). */\n"
    << "const kiln_model_desc *" << prefix << "_describe(void);\n"
    << "/** Creates a context; *out is NULL on failure. */\n"
    << "kiln_status " << prefix
    << "_create(const kiln_options *opts, kiln_context **out);\n"
    << "/** Writes the dims of every output (in order) that these inputs\n"
    << " *  give; num_dims must be the sum of the outputs' ranks. */\n"
    << "kiln_status " << prefix
    << "_output_shapes(kiln_context *ctx, const kiln_tensor *inputs,\n"
    << "    int32_t num_inputs, int64_t *dims, int32_t num_dims);\n"
    << "/** Runs the model: inputs read, outputs written, all caller-owned. */\n"
    << "kiln_status " << prefix << "_run(kiln_context *ctx, const kiln_tensor *inputs,\n"
    << "    int32_t num_inputs, kiln_tensor *outputs, int32_t num_outputs);\n"
    << "/** Last error of ctx (ctx NULL: of the last failed create). */\n"
    << "const char *" << prefix << "_error(const kiln_context *ctx);\n"
    << "/** Frees a context. */\n"
    << "void " << prefix << "_destroy(kiln_context *ctx);\n"
    << "/** Starts a pool of worker threads that contexts of any Kiln model\n"
    << " *  can share (kiln_options.worker_pool); <= 0: all cores. */\n"
    << "kiln_status " << prefix
    << "_create_worker_pool(int32_t num_threads, kiln_worker_pool **out);\n"
    << "/** Stops and frees a pool (after the contexts that use it). */\n"
    << "void " << prefix << "_destroy_worker_pool(kiln_worker_pool *pool);\n\n"
    << "#ifdef __cplusplus\n}\n#endif\n#endif\n";
  return h.str();
}

static void emitInfos(std::ostringstream &c, const char *kind,
                      const std::vector<TensorSignature> &tensors) {
  for (size_t i = 0; i < tensors.size(); ++i) {
    c << "static const int64_t " << kind << "_shape_" << i << "[] = {";
    for (int64_t d : tensors[i].shape)
      c << d << ", ";
    c << "0};\nstatic const char *const " << kind << "_dims_" << i << "[] = {";
    for (const std::string &n : tensors[i].dimNames)
      c << quote(n) << ", ";
    c << "0};\n";
  }
  // Inputs' dim ranges (kiln_model_impl.input_dim_ranges), where any.
  if (kind[0] == 'i' && llvm::any_of(tensors, [](const TensorSignature &t) {
        return !t.dimRanges.empty();
      })) {
    for (size_t i = 0; i < tensors.size(); ++i) {
      if (tensors[i].dimRanges.empty())
        continue;
      c << "static const int64_t in_ranges_" << i << "[] = {";
      for (int64_t r : tensors[i].dimRanges)
        c << r << ", ";
      c << "0};\n";
    }
    c << "static const int64_t *const in_ranges[] = {";
    for (size_t i = 0; i < tensors.size(); ++i)
      c << (tensors[i].dimRanges.empty() ? std::string("0")
                                         : "in_ranges_" + std::to_string(i))
        << ", ";
    c << "0};\n";
  }
  c << "static const kiln_tensor_info " << kind << "_info[] = {\n";
  for (size_t i = 0; i < tensors.size(); ++i)
    c << "  {" << quote(tensors[i].name) << ", (kiln_dtype)" << tensors[i].dtype
      << ", " << tensors[i].shape.size() << ", " << kind << "_shape_" << i
      << ", " << kind << "_dims_" << i << "},\n";
  if (tensors.empty())
    c << "  {0, (kiln_dtype)0, 0, 0, 0},\n";
  c << "};\n";
}

/// CPU feature names that both LLVM and GCC's __builtin_cpu_supports know:
/// the ones a library checks on the host before it runs.
static const char *const kCheckableFeatures[] = {
    "sse3",      "ssse3",       "sse4.1",          "sse4.2",
    "popcnt",    "avx",         "avx2",            "fma",
    "bmi",       "bmi2",        "avx512f",         "avx512vl",
    "avx512bw",  "avx512dq",    "avx512cd",        "avx512vbmi",
    "avx512ifma", "avx512vpopcntdq", "avx512vbmi2", "avx512vnni",
    "avx512bitalg", "avx512bf16", "gfni",          "vpclmulqdq",
    "sse4a",     "fma4",        "xop"};

/// The stub's missing_cpu_feature: the first checkable feature the code was
/// compiled with that the host lacks.
static void emitFeatureCheck(std::ostringstream &c,
                             const std::vector<std::string> &features) {
  c << "static const char *missing_cpu_feature(void) {\n"
       "  __builtin_cpu_init();\n";
  for (const char *f : kCheckableFeatures)
    if (llvm::is_contained(features, f))
      c << "  if (!__builtin_cpu_supports(\"" << f << "\")) return \"" << f
        << "\";\n";
  c << "  return 0;\n}\n\n";
}

/// Declares `_mlir_ciface_<symbol>` taking `n` memref descriptors.
static void declareEntry(std::ostringstream &c, const std::string &symbol,
                         size_t n) {
  c << "void _mlir_ciface_" << symbol << "(";
  for (size_t i = 0; i < n; ++i)
    c << (i ? ", " : "") << "void *";
  c << (n ? "" : "void") << ");\n";
}

/// Declares memref descriptors in{i} for the inputs, filled from the
/// run-time data pointers and dims.
static void emitInputDescriptors(std::ostringstream &c,
                                 const ModelSignature &sig) {
  for (size_t i = 0; i < sig.inputs.size(); ++i)
    c << "  KILN_MEMREF(" << sig.inputs[i].shape.size() << ") in" << i
      << ";\n  fill(&in" << i << ".alloc, in[" << i << "], in_shapes[" << i
      << "], " << sig.inputs[i].shape.size() << ");\n";
}

static std::string generateStub(const std::string &prefix,
                                 const EntrySymbols &entry,
                                 const ModelSignature &sig,
                                 const LibraryMetadata &meta) {
  std::ostringstream c;
  c << "/* Generated by kiln compile: the ABI stub of model '" << prefix
    << "'. */\n#include \"kiln_rt.h\"\n\n";
  emitInfos(c, "in", sig.inputs);
  emitInfos(c, "out", sig.outputs);
  std::string features;
  for (const std::string &f : meta.targetFeatures)
    features += (features.empty() ? "" : ",") + f;
  c << "static const kiln_model_desc desc = {KILN_ABI_VERSION, "
    << quote(prefix) << (meta.cuda ? ", KILN_DEVICE_CUDA, " : ", KILN_DEVICE_CPU, ") << sig.inputs.size()
    << ", in_info, " << sig.outputs.size() << ", out_info, "
    << quote(KILN_VERSION) << ", " << quote(meta.source) << ", "
    << quote(meta.sourceFormat) << ", " << quote(meta.targetCpu) << ", "
    << quote(features) << "};\n\n";
  // A memref descriptor: {alloc, aligned, offset, sizes[R], strides[R]}.
  c << "#define KILN_MEMREF(R) struct { void *alloc, *aligned; int64_t "
       "offset, sizes[(R) ? (R) : 1], strides[(R) ? (R) : 1]; }\n"
       "static void fill(void **d, void *p, const int64_t *shape, int rank) {\n"
       "  int64_t *f = (int64_t *)(d + 2), stride = 1;\n"
       "  d[0] = d[1] = p;\n  f[0] = 0;\n"
       "  for (int i = rank - 1; i >= 0; --i) {\n"
       "    f[1 + i] = shape[i];\n    f[1 + rank + i] = stride;\n"
       "    stride *= shape[i];\n  }\n}\n\n";
  declareEntry(c, entry.main, sig.inputs.size() + sig.outputs.size());
  if (!entry.shapes.empty())
    declareEntry(c, entry.shapes, sig.inputs.size() + 1);
  c << "\nstatic void invoke(void *const *in, const int64_t *const *in_shapes,\n"
       "                   void *const *out, const int64_t *const *out_shapes) {\n";
  emitInputDescriptors(c, sig);
  for (size_t i = 0; i < sig.outputs.size(); ++i)
    c << "  KILN_MEMREF(" << sig.outputs[i].shape.size() << ") out" << i
      << ";\n  fill(&out" << i << ".alloc, out[" << i << "], out_shapes[" << i
      << "], " << sig.outputs[i].shape.size() << ");\n";
  c << "  (void)in; (void)in_shapes; (void)out; (void)out_shapes;\n"
    << "  _mlir_ciface_" << entry.main << "(";
  for (size_t i = 0; i < sig.inputs.size(); ++i)
    c << (i ? ", " : "") << "&in" << i;
  for (size_t i = 0; i < sig.outputs.size(); ++i)
    c << (i || !sig.inputs.empty() ? ", " : "") << "&out" << i;
  c << ");\n}\n\n";
  if (!entry.shapes.empty()) {
    // The shape function writes the dynamic output dims in order; the
    // static ones come from the descriptor.
    size_t dynamicDims = 0;
    for (const TensorSignature &t : sig.outputs)
      dynamicDims += llvm::count(t.shape, -1);
    c << "static void output_dims(void *const *in, const int64_t *const "
         "*in_shapes,\n                        int64_t *dims) {\n";
    emitInputDescriptors(c, sig);
    c << "  int64_t dynamic[" << dynamicDims << "];\n"
      << "  int64_t count = " << dynamicDims << ";\n"
      << "  KILN_MEMREF(1) found;\n  fill(&found.alloc, dynamic, &count, 1);\n"
      << "  _mlir_ciface_" << entry.shapes << "(";
    for (size_t i = 0; i < sig.inputs.size(); ++i)
      c << "&in" << i << ", ";
    c << "&found);\n  int64_t next = 0;\n"
      << "  for (int32_t i = 0; i < desc.num_outputs; ++i)\n"
      << "    for (int32_t d = 0; d < desc.outputs[i].rank; ++d)\n"
      << "      *dims++ = desc.outputs[i].shape[d] < 0 ? dynamic[next++]\n"
      << "                                             : desc.outputs[i].shape[d];\n"
      << "}\n\n";
  }
  emitFeatureCheck(c, meta.targetFeatures);
  c << "static const kiln_model_impl impl = {&desc, invoke, "
    << (entry.shapes.empty() ? "0" : "output_dims")
    << ", missing_cpu_feature, "
    << (llvm::any_of(sig.inputs,
                     [](const TensorSignature &t) {
                       return !t.dimRanges.empty();
                     })
            ? "in_ranges"
            : "0")
    << "};\n\n"
    << "#define KILN_EXPORT __attribute__((visibility(\"default\")))\n"
    << "KILN_EXPORT const kiln_model_desc *" << prefix
    << "_describe(void) { return &desc; }\n"
    << "KILN_EXPORT kiln_status " << prefix
    << "_create(const kiln_options *o, kiln_context **out) {\n"
    << "  return kiln_rt_create(&impl, o, out);\n}\n"
    << "KILN_EXPORT kiln_status " << prefix
    << "_output_shapes(kiln_context *c, const kiln_tensor *in, int32_t ni, "
       "int64_t *dims, int32_t nd) {\n"
    << "  return kiln_rt_output_shapes(&impl, c, in, ni, dims, nd);\n}\n"
    << "KILN_EXPORT kiln_status " << prefix
    << "_run(kiln_context *c, const kiln_tensor *in, int32_t ni, kiln_tensor *out, int32_t no) {\n"
    << "  return kiln_rt_run(&impl, c, in, ni, out, no);\n}\n"
    << "KILN_EXPORT const char *" << prefix
    << "_error(const kiln_context *c) { return kiln_rt_error(c); }\n"
    << "KILN_EXPORT void " << prefix
    << "_destroy(kiln_context *c) { kiln_rt_destroy(c); }\n"
    << "KILN_EXPORT kiln_status " << prefix
    << "_create_worker_pool(int32_t n, kiln_worker_pool **out) {\n"
    << "  return kiln_rt_create_worker_pool(n, out);\n}\n"
    << "KILN_EXPORT void " << prefix
    << "_destroy_worker_pool(kiln_worker_pool *p) { kiln_rt_destroy_worker_pool(p); }\n";
  return c.str();
}

/// Runs `args` (args[0] found on PATH); false with `error` on failure.
static bool run(std::vector<std::string> args, std::string &error,
                const std::string &cwd = "") {
  auto program = llvm::sys::findProgramByName(args[0]);
  if (!program) {
    error = "cannot find '" + args[0] + "' on PATH";
    return false;
  }
  std::vector<llvm::StringRef> refs(args.begin(), args.end());
  std::string msg;
  int rc;
  if (cwd.empty()) {
    rc = llvm::sys::ExecuteAndWait(*program, refs, std::nullopt, {}, 0, 0, &msg);
  } else {
    // ar extracts into the current directory: run it through sh with cd.
    std::string cmd = "cd '" + cwd + "' &&";
    for (auto &a : args)
      cmd += " '" + a + "'";
    auto sh = llvm::sys::findProgramByName("sh");
    std::vector<llvm::StringRef> shArgs = {"sh", "-c", cmd};
    rc = llvm::sys::ExecuteAndWait(*sh, shArgs, std::nullopt, {}, 0, 0, &msg);
  }
  if (rc != 0) {
    error = "'" + args[0] + "' failed" + (msg.empty() ? "" : ": " + msg);
    return false;
  }
  return true;
}

static bool writeText(const std::string &path, const std::string &text,
                      std::string &error) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec) {
    error = "cannot write '" + path + "': " + ec.message();
    return false;
  }
  os << text;
  return true;
}

bool writeModelLibrary(const std::string &objectPath,
                       const ModelSignature &signature,
                       const LibraryMetadata &metadata,
                       const std::string &prefix, const EntrySymbols &entry,
                       const RuntimeLocation &runtime,
                       const std::string &outPath, std::string &error) {
  llvm::SmallString<128> tmp;
  if (llvm::sys::fs::createUniqueDirectory("kiln-link", tmp)) {
    error = "cannot create a temporary directory";
    return false;
  }
  std::string dir = tmp.str().str();
  std::string stubC = dir + "/stub.c", stubO = dir + "/stub.o";
  std::string archive = runtime.libDir + "/libkiln_runtime.a";
  bool ok = writeText(stubC, generateStub(prefix, entry, signature, metadata),
                      error) &&
            run({"cc", "-c", "-O2", "-fPIC", "-fvisibility=hidden", "-I",
                 runtime.includeDir, stubC, "-o", stubO},
                error);
  llvm::StringRef ext = llvm::sys::path::extension(outPath);
  if (ok && ext == ".so") {
    // Only the ABI entry points are exported.
    std::string script = dir + "/exports.map", globals;
    for (const char *fn :
         {"describe", "create", "output_shapes", "run", "error", "destroy",
          "create_worker_pool", "destroy_worker_pool"})
      globals += "    " + prefix + "_" + fn + ";\n";
    ok = writeText(script, "{\n  global:\n" + globals + "  local: *;\n};\n",
                   error) &&
         run({"cc", "-shared", "-o", outPath, objectPath, stubO, archive,
              "-Wl,--version-script=" + script, "-lm", "-lpthread", "-ldl"},
             error);
  } else if (ok && (ext == ".a" || ext == ".o")) {
    ok = run({"ar", "x", archive}, error, dir);
    std::error_code ec;
    std::vector<std::string> rtObjs;
    for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
         it.increment(ec))
      if (llvm::StringRef(it->path()).ends_with(".o") && it->path() != stubO)
        rtObjs.push_back(it->path());
    // One relocatable object with the runtime's (hidden) symbols made
    // local: only the model's NAME_* entry points stay global, so two
    // models, or a model and libomp, link into one program.
    std::string combined = dir + "/model-combined.o";
    std::vector<std::string> link = {"ld", "-r", "-o", combined, objectPath,
                                     stubO};
    link.insert(link.end(), rtObjs.begin(), rtObjs.end());
    ok = ok && run(link, error) &&
         run({"objcopy", "--localize-hidden", combined}, error);
    if (ok) {
      llvm::sys::fs::remove(outPath);
      if (ext == ".a")
        ok = run({"ar", "rcs", outPath, combined}, error);
      else if (auto ec = llvm::sys::fs::copy_file(combined, outPath)) {
        error = "cannot write '" + outPath + "': " + ec.message();
        ok = false;
      }
    }
  } else if (ok) {
    error = "unknown library kind '" + ext.str() + "' (use .so, .a or .o)";
    ok = false;
  }
  llvm::sys::fs::remove_directories(dir);
  if (ok && ext == ".so" && kiln_seal_library(outPath.c_str()) != 0) {
    error = "cannot seal '" + outPath + "'";
    ok = false;
  }
  return ok;
}

} // namespace kiln
