//===- model_library.cpp - Loading a compiled model library ---------------===//
//
// dlopen/dlsym plumbing for ModelLibrary. Every failure leaves the object
// closed and a one-line explanation in error(), naming the library path and,
// for a missing entry point, the symbol that was looked for.
//
//===----------------------------------------------------------------------===//

#include "model_library.h"

#include <dlfcn.h>

#include <algorithm>
#include <filesystem>

using namespace kiln;

std::string kiln::statusName(kiln_status status) {
  switch (status) {
  case KILN_OK:
    return "OK";
  case KILN_ERROR_INVALID_ARGUMENT:
    return "INVALID_ARGUMENT";
  case KILN_ERROR_SHAPE_MISMATCH:
    return "SHAPE_MISMATCH";
  case KILN_ERROR_DTYPE_MISMATCH:
    return "DTYPE_MISMATCH";
  case KILN_ERROR_OUT_OF_MEMORY:
    return "OUT_OF_MEMORY";
  case KILN_ERROR_UNSUPPORTED:
    return "UNSUPPORTED";
  case KILN_ERROR_INTERNAL:
    return "INTERNAL";
  }
  return "status " + std::to_string(static_cast<int>(status));
}

ModelLibrary::~ModelLibrary() { close(); }

void ModelLibrary::close() {
  if (handle_)
    dlclose(handle_);
  handle_ = nullptr;
  desc_ = nullptr;
  create_ = nullptr;
  run_ = nullptr;
  error_fn_ = nullptr;
  output_shapes_ = nullptr;
  destroy_ = nullptr;
}

std::string ModelLibrary::defaultPrefix(const std::string &path) {
  std::string stem = std::filesystem::path(path).stem().string();
  if (stem.rfind("lib", 0) == 0 && stem.size() > 3)
    stem = stem.substr(3);
  return stem;
}

bool ModelLibrary::resolve(const std::string &name, void *&fn) {
  dlerror();
  fn = dlsym(handle_, name.c_str());
  if (fn)
    return true;
  error_ = "model library does not export '" + name + "' (is the prefix '" +
           prefix_ + "' right?)";
  return false;
}

bool ModelLibrary::open(const std::string &path, const std::string &prefix) {
  close();
  prefix_ = prefix.empty() ? defaultPrefix(path) : prefix;
  // dlopen of a truncated or corrupted file can crash the process: check
  // the file kiln compile sealed first.
  char why[512];
  if (kiln_check_library(path.c_str(), why, sizeof why) != KILN_OK) {
    error_ = std::string("not a loadable Kiln library: ") + why;
    return false;
  }
  // A bare file name would make dlopen search the library path instead.
  std::string loadPath =
      path.find('/') == std::string::npos ? "./" + path : path;
  handle_ = dlopen(loadPath.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle_) {
    const char *why = dlerror();
    error_ = "cannot load model library: " + std::string(why ? why : path);
    return false;
  }
  void *describe = nullptr, *create = nullptr, *run = nullptr, *error = nullptr,
       *destroy = nullptr, *shapes = nullptr;
  if (!resolve(prefix_ + "_describe", describe) ||
      !resolve(prefix_ + "_create", create) ||
      !resolve(prefix_ + "_output_shapes", shapes) ||
      !resolve(prefix_ + "_run", run) || !resolve(prefix_ + "_error", error) ||
      !resolve(prefix_ + "_destroy", destroy)) {
    error_ = path + ": " + error_;
    close();
    return false;
  }
  const kiln_model_desc *desc = reinterpret_cast<DescribeFn>(describe)();
  if (!desc || desc->abi_version != KILN_ABI_VERSION) {
    error_ = path + ": model library has ABI version " +
             (desc ? std::to_string(desc->abi_version) : "(none)") +
             ", this tool expects " + std::to_string(KILN_ABI_VERSION);
    close();
    return false;
  }
  desc_ = desc;
  create_ = reinterpret_cast<CreateFn>(create);
  run_ = reinterpret_cast<RunFn>(run);
  error_fn_ = reinterpret_cast<ErrorFn>(error);
  output_shapes_ = reinterpret_cast<OutputShapesFn>(shapes);
  destroy_ = reinterpret_cast<DestroyFn>(destroy);
  return true;
}

kiln_context *ModelLibrary::create(int threads) {
  if (!isOpen()) {
    error_ = "no model library is open";
    return nullptr;
  }
  kiln_options opts{};
  opts.struct_size = sizeof(kiln_options);
  opts.num_threads = threads;
  opts.device = desc_->device;
  kiln_context *ctx = nullptr;
  kiln_status status = create_(&opts, &ctx);
  if (status != KILN_OK || !ctx) {
    error_ = "creating a context failed: " + std::string(error_fn_(nullptr)) +
             " [" + statusName(status) + "]";
    return nullptr;
  }
  return ctx;
}

kiln_status ModelLibrary::run(kiln_context *ctx,
                              const std::vector<kiln_tensor> &inputs,
                              std::vector<kiln_tensor> &outputs) {
  if (!isOpen()) {
    error_ = "no model library is open";
    return KILN_ERROR_INVALID_ARGUMENT;
  }
  kiln_status status =
      run_(ctx, inputs.data(), static_cast<int32_t>(inputs.size()),
           outputs.data(), static_cast<int32_t>(outputs.size()));
  if (status != KILN_OK)
    error_ = std::string(error_fn_(ctx)) + " [" + statusName(status) + "]";
  return status;
}

bool ModelLibrary::makeOutputs(kiln_context *ctx,
                               const std::vector<kiln_tensor> &inputs,
                               std::vector<HostTensor> &outputs) {
  if (!isOpen()) {
    error_ = "no model library is open";
    return false;
  }
  int32_t total = 0;
  for (int32_t i = 0; i < desc_->num_outputs; ++i)
    total += desc_->outputs[i].rank;
  std::vector<int64_t> dims(size_t(std::max(total, 1)));
  kiln_status status =
      output_shapes_(ctx, inputs.data(), static_cast<int32_t>(inputs.size()),
                     dims.data(), total);
  if (status != KILN_OK) {
    error_ = std::string(error_fn_(ctx)) + " [" + statusName(status) + "]";
    return false;
  }
  outputs.assign(desc_->num_outputs, HostTensor());
  const int64_t *next = dims.data();
  for (int32_t i = 0; i < desc_->num_outputs; ++i) {
    const kiln_tensor_info &info = desc_->outputs[i];
    HostTensor &t = outputs[i];
    t.name = info.name;
    t.dtype = info.dtype;
    t.shape.assign(next, next + info.rank);
    next += info.rank;
    if (!allocateBytes(t, error_))
      return false;
  }
  return true;
}

void ModelLibrary::destroy(kiln_context *ctx) {
  if (ctx && destroy_)
    destroy_(ctx);
}
