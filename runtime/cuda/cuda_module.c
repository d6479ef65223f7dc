/* cuda_module.c - GPU modules and kernel launches for compiled code
 * (mgpuModule*, mgpuLaunchKernel; see cuda_driver.h).
 *
 * A model library's global constructor registers its GPU image when the
 * library is loaded, and its destructor unregisters it. Neither may touch
 * the driver: the library must load on a machine without CUDA (NAME_create
 * reports that) and unload after the driver shut down at exit. So
 * registering only records the image; the driver loads (and for PTX, JIT-
 * compiles) it on the first mgpuModuleGetFunction, inside a run.
 *
 * The host code asks for the kernel before every launch, so kernels are
 * cached per module by name: one hash and a short scan instead of a driver
 * call.
 */
#define _POSIX_C_SOURCE 200809L

#include "cuda_api.h"
#include "cuda_driver.h"

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  uint64_t hash;
  char *name; /**< owned copy */
  CUfunction function;
} kiln_cuda_kernel;

typedef struct {
  const void *image; /**< in the model library's read-only data */
  /** Bytes of a cubin/fatbin, 0 for PTX; informative only, the driver
   *  reads the size from the image's own header. */
  size_t size;
  int jit;               /**< 1: NUL-terminated PTX to JIT-compile */
  int opt_level;         /**< the JIT's optimization level, 0-4; -1: default */
  pthread_mutex_t mutex; /**< guards everything below */
  CUmodule module;       /**< NULL until the first kernel is asked for */
  kiln_cuda_kernel *kernels;
  size_t count, capacity;
} kiln_cuda_module;

/** A new handle for `image`, or NULL when out of memory (reported by the
 *  first mgpuModuleGetFunction, inside a run). */
static void *register_image(const void *image, size_t size, int jit,
                            int opt_level) {
  kiln_cuda_module *m = (kiln_cuda_module *)calloc(1, sizeof *m);
  if (!m)
    return NULL;
  if (pthread_mutex_init(&m->mutex, NULL) != 0) {
    free(m);
    return NULL;
  }
  m->image = image;
  m->size = size;
  m->jit = jit;
  m->opt_level = opt_level;
  return m;
}

void *mgpuModuleLoad(void *data, size_t gpuBlobSize) {
  return register_image(data, gpuBlobSize, 0, -1);
}

void *mgpuModuleLoadJIT(void *data, int optLevel) {
  return register_image(data, 0, 1,
                        optLevel >= 0 && optLevel <= 4 ? optLevel : -1);
}

void mgpuModuleUnload(void *module) {
  kiln_cuda_module *m = (kiln_cuda_module *)module;
  if (!m)
    return;
  if (m->module) {
    /* Called from library destructors, possibly at exit after the driver
     * shut down: failures are ignored, there is no run to report to. */
    const kiln_cuda_api *api = kiln_cuda_enter_quietly();
    if (api)
      api->cuModuleUnload(m->module);
  }
  for (size_t i = 0; i < m->count; ++i)
    free(m->kernels[i].name);
  free(m->kernels);
  pthread_mutex_destroy(&m->mutex);
  free(m);
}

/** FNV-1a of a kernel name. */
static uint64_t name_hash(const char *name) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (const unsigned char *p = (const unsigned char *)name; *p; ++p)
    h = (h ^ *p) * 0x100000001b3ull;
  return h;
}

static CUfunction find_kernel(const kiln_cuda_module *m, uint64_t hash,
                              const char *name) {
  for (size_t i = 0; i < m->count; ++i)
    if (m->kernels[i].hash == hash && strcmp(m->kernels[i].name, name) == 0)
      return m->kernels[i].function;
  return NULL;
}

/** Caches `function`; when memory is short it is simply not cached (the
 *  next call asks the driver again). */
static void remember_kernel(kiln_cuda_module *m, uint64_t hash,
                            const char *name, CUfunction function) {
  if (m->count == m->capacity) {
    size_t capacity = m->capacity ? 2 * m->capacity : 16;
    kiln_cuda_kernel *grown =
        (kiln_cuda_kernel *)realloc(m->kernels, capacity * sizeof *grown);
    if (!grown)
      return;
    m->kernels = grown;
    m->capacity = capacity;
  }
  size_t length = strlen(name) + 1;
  char *copy = (char *)malloc(length);
  if (!copy)
    return;
  memcpy(copy, name, length);
  kiln_cuda_kernel kernel = {hash, copy, function};
  m->kernels[m->count++] = kernel;
}

/** Loads the module's image; the JIT's error log goes to `log`. */
static CUresult load_module(const kiln_cuda_api *api, kiln_cuda_module *m,
                            char *log, size_t log_size) {
  int options[3];
  void *values[3];
  unsigned n = 0;
  options[n] = KILN_CU_JIT_ERROR_LOG_BUFFER;
  values[n++] = log;
  options[n] = KILN_CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES;
  values[n++] = (void *)(uintptr_t)log_size;
  if (m->jit && m->opt_level >= 0) {
    options[n] = KILN_CU_JIT_OPTIMIZATION_LEVEL;
    values[n++] = (void *)(uintptr_t)m->opt_level;
  }
  CUmodule module = NULL;
  CUresult r = api->cuModuleLoadDataEx(&module, m->image, n, options, values);
  log[log_size - 1] = '\0';
  if (r == KILN_CUDA_SUCCESS)
    m->module = module;
  return r;
}

void *mgpuModuleGetFunction(void *module, const char *name) {
  kiln_cuda_module *m = (kiln_cuda_module *)module;
  if (!m)
    kiln_cuda_fail("the model's GPU code was not registered when the "
                   "library was loaded (out of memory)");
  const kiln_cuda_api *api = kiln_cuda_enter();
  uint64_t hash = name_hash(name);
  char log[512];
  log[0] = '\0';
  CUresult r = KILN_CUDA_SUCCESS;
  const char *call = NULL;
  /* The lock is released before any failure is raised: raising leaves
   * this function by longjmp. */
  pthread_mutex_lock(&m->mutex);
  CUfunction function = find_kernel(m, hash, name);
  if (!function) {
    if (!m->module) {
      call = "cuModuleLoadDataEx";
      r = load_module(api, m, log, sizeof log);
    }
    if (r == KILN_CUDA_SUCCESS) {
      call = "cuModuleGetFunction";
      r = api->cuModuleGetFunction(&function, m->module, name);
      if (r == KILN_CUDA_SUCCESS)
        remember_kernel(m, hash, name, function);
      else
        snprintf(log, sizeof log, "kernel '%s'", name);
    }
  }
  pthread_mutex_unlock(&m->mutex);
  if (r != KILN_CUDA_SUCCESS)
    kiln_cuda_check(r, call, log);
  return function;
}

void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t paramsCount) {
  /* The driver takes the argument count from the kernel itself. */
  (void)paramsCount;
  const intptr_t dims[6] = {gridX, gridY, gridZ, blockX, blockY, blockZ};
  static const char *const names[6] = {"gridX",  "gridY",  "gridZ",
                                       "blockX", "blockY", "blockZ"};
  for (int i = 0; i < 6; ++i)
    if (dims[i] < 0 || (uintmax_t)dims[i] > UINT_MAX)
      kiln_cuda_fail("a kernel launch asks for %s = %lld, which CUDA cannot "
                     "launch",
                     names[i], (long long)dims[i]);
  /* Dynamic shapes can make a grid empty: nothing to run (the driver
   * would reject it as an invalid value). */
  for (int i = 0; i < 6; ++i)
    if (dims[i] == 0)
      return;
  if (smem < 0)
    kiln_cuda_fail("a kernel launch asks for %d bytes of shared memory",
                   (int)smem);
  const kiln_cuda_api *api = kiln_cuda_enter();
  CUfunction f = (CUfunction)function;
  /* Above 48 KiB a kernel must opt in to dynamic shared memory. */
  if (smem > 48 * 1024)
    kiln_cuda_check(
        api->cuFuncSetAttribute(
            f, KILN_CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, smem),
        "cuFuncSetAttribute", NULL);
  kiln_cuda_check(
      api->cuLaunchKernel(f, (unsigned)gridX, (unsigned)gridY, (unsigned)gridZ,
                          (unsigned)blockX, (unsigned)blockY, (unsigned)blockZ,
                          (unsigned)smem, kiln_cuda_stream(api, stream), params,
                          extra),
      "cuLaunchKernel", NULL);
}
