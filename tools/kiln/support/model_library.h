//===- model_library.h - Loading a compiled model library -------*- C++ -*-===//
//
// ModelLibrary dlopens a model library produced by `kiln compile` and
// resolves its six C entry points NAME_describe/create/output_shapes/run/
// error/destroy
// (see runtime/kiln_runtime.h and docs/abi.md). NAME defaults to the file
// stem without a leading "lib" (libnet.so -> net). It checks the library's
// ABI version and wraps the entry points with std::string error reporting.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLS_KILN_SUPPORT_MODEL_LIBRARY_H
#define KILN_TOOLS_KILN_SUPPORT_MODEL_LIBRARY_H

#include "frontends/common/HostTensor.h"

#include <string>
#include <vector>

namespace kiln {

/// Upper-case name of a status code ("SHAPE_MISMATCH").
std::string statusName(kiln_status status);

/// A loaded model library. Not copyable; closes the library on destruction
/// (destroy every context created from it first).
class ModelLibrary {
public:
  ModelLibrary() = default;
  ModelLibrary(const ModelLibrary &) = delete;
  ModelLibrary &operator=(const ModelLibrary &) = delete;
  ~ModelLibrary();

  /// Checks `path` with kiln_check_library (a complete library that kiln
  /// compile sealed), loads it with RTLD_NOW | RTLD_LOCAL and resolves
  /// PREFIX_* entry points; an empty `prefix` means the file stem without "lib". Returns
  /// false with error() set when loading, a symbol, or the ABI version fails.
  bool open(const std::string &path, const std::string &prefix = "");

  /// True after a successful open().
  bool isOpen() const { return desc_ != nullptr; }

  /// The model's descriptor (only valid while open).
  const kiln_model_desc &desc() const { return *desc_; }

  /// The entry-point prefix in use (e.g. "net").
  const std::string &prefix() const { return prefix_; }

  /// The last error message of open/create/run.
  const std::string &error() const { return error_; }

  /// Creates a context with `threads` workers (<= 0: all cores); nullptr on
  /// failure with error() set from the library.
  kiln_context *create(int threads);

  /// Runs the model; on failure returns the status and sets error().
  kiln_status run(kiln_context *ctx, const std::vector<kiln_tensor> &inputs,
                  std::vector<kiln_tensor> &outputs);

  /// Zero-filled outputs with the shapes the model gives for `inputs`
  /// (NAME_output_shapes); false with error() set when it refuses them.
  bool makeOutputs(kiln_context *ctx, const std::vector<kiln_tensor> &inputs,
                   std::vector<HostTensor> &outputs);

  /// Destroys a context created by create(); nullptr is a no-op.
  void destroy(kiln_context *ctx);

  /// The prefix open() uses by default for `path` (libnet.so -> net).
  static std::string defaultPrefix(const std::string &path);

private:
  using DescribeFn = const kiln_model_desc *(*)();
  using CreateFn = kiln_status (*)(const kiln_options *, kiln_context **);
  using RunFn = kiln_status (*)(kiln_context *, const kiln_tensor *, int32_t,
                                kiln_tensor *, int32_t);
  using ErrorFn = const char *(*)(const kiln_context *);
  using OutputShapesFn = kiln_status (*)(kiln_context *, const kiln_tensor *,
                                         int32_t, int64_t *, int32_t);
  using DestroyFn = void (*)(kiln_context *);

  bool resolve(const std::string &name, void *&fn);
  void close();

  void *handle_ = nullptr;
  const kiln_model_desc *desc_ = nullptr;
  std::string prefix_;
  std::string error_;
  CreateFn create_ = nullptr;
  RunFn run_ = nullptr;
  ErrorFn error_fn_ = nullptr;
  OutputShapesFn output_shapes_ = nullptr;
  DestroyFn destroy_ = nullptr;
};

} // namespace kiln

#endif // KILN_TOOLS_KILN_SUPPORT_MODEL_LIBRARY_H
