/* cuda_driver.c - loading the CUDA driver at run time, once per process,
 * and turning its error codes into run failures.
 *
 * The driver library is dlopen'ed (never linked) so that a GPU model
 * library loads on machines without CUDA and reports the missing driver
 * from NAME_create. The probe (dlopen, dlsym of every entry point, cuInit,
 * a device count, retaining device 0's primary context) runs once under a
 * mutex; its outcome is published with an atomic flag so that the check
 * every mgpu* call makes is one load. The primary context is the one the
 * CUDA runtime API uses too, so Kiln shares device memory and state with an
 * application that also uses cudart on device 0.
 */
#define _POSIX_C_SOURCE 200809L

#include "cuda_driver.h"
#include "cuda_api.h"

#include "check.h"
#include "kiln_rt.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OPEN_UNKNOWN = 0, OPEN_OK = 1, OPEN_FAILED = 2 };

static pthread_mutex_t open_mutex = PTHREAD_MUTEX_INITIALIZER;
/** OPEN_*; written under open_mutex with release, read with acquire. */
static int open_state;
/** The probe's outcome; written before open_state is published. */
static kiln_status open_status;
static char open_message[KILN_RT_ERROR_SIZE];
static kiln_cuda_api driver;
static CUcontext primary;

/** Every entry point: the symbol looked up and where it goes. The _v2
 *  symbols are the ones cuda.h maps the plain names to (64-bit sizes and
 *  device pointers); the plain symbols are the legacy 32-bit versions. */
static const struct {
  const char *symbol;
  size_t offset;
} entries[] = {
#define KILN_ENTRY(field, symbol)                                              \
  { symbol, offsetof(kiln_cuda_api, field) }
    KILN_ENTRY(cuGetErrorName, "cuGetErrorName"),
    KILN_ENTRY(cuGetErrorString, "cuGetErrorString"),
    KILN_ENTRY(cuInit, "cuInit"),
    KILN_ENTRY(cuDeviceGetCount, "cuDeviceGetCount"),
    KILN_ENTRY(cuDeviceGet, "cuDeviceGet"),
    KILN_ENTRY(cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain"),
    KILN_ENTRY(cuCtxSetCurrent, "cuCtxSetCurrent"),
    KILN_ENTRY(cuCtxGetCurrent, "cuCtxGetCurrent"),
    KILN_ENTRY(cuModuleLoadDataEx, "cuModuleLoadDataEx"),
    KILN_ENTRY(cuModuleUnload, "cuModuleUnload"),
    KILN_ENTRY(cuModuleGetFunction, "cuModuleGetFunction"),
    KILN_ENTRY(cuFuncSetAttribute, "cuFuncSetAttribute"),
    KILN_ENTRY(cuLaunchKernel, "cuLaunchKernel"),
    KILN_ENTRY(cuStreamCreate, "cuStreamCreate"),
    KILN_ENTRY(cuStreamDestroy, "cuStreamDestroy_v2"),
    KILN_ENTRY(cuStreamSynchronize, "cuStreamSynchronize"),
    KILN_ENTRY(cuStreamWaitEvent, "cuStreamWaitEvent"),
    KILN_ENTRY(cuEventCreate, "cuEventCreate"),
    KILN_ENTRY(cuEventDestroy, "cuEventDestroy_v2"),
    KILN_ENTRY(cuEventSynchronize, "cuEventSynchronize"),
    KILN_ENTRY(cuEventRecord, "cuEventRecord"),
    KILN_ENTRY(cuMemAlloc, "cuMemAlloc_v2"),
    KILN_ENTRY(cuMemAllocManaged, "cuMemAllocManaged"),
    KILN_ENTRY(cuMemFree, "cuMemFree_v2"),
    KILN_ENTRY(cuMemcpyAsync, "cuMemcpyAsync"),
    KILN_ENTRY(cuMemsetD32Async, "cuMemsetD32Async"),
    KILN_ENTRY(cuMemsetD16Async, "cuMemsetD16Async"),
};

/** Entry points a driver may lack; Kiln then does without them. */
static const struct {
  const char *symbol;
  size_t offset;
} optional_entries[] = {
    KILN_ENTRY(cuDeviceGetAttribute, "cuDeviceGetAttribute"),
    KILN_ENTRY(cuDeviceGetDefaultMemPool, "cuDeviceGetDefaultMemPool"),
    KILN_ENTRY(cuMemPoolSetAttribute, "cuMemPoolSetAttribute"),
    KILN_ENTRY(cuMemAllocAsync, "cuMemAllocAsync"),
    KILN_ENTRY(cuMemFreeAsync, "cuMemFreeAsync"),
#undef KILN_ENTRY
};

/** "CUDA_ERROR_X (text)" for `result`, from the driver's own tables. */
static void describe(const kiln_cuda_api *api, CUresult result, char *buf,
                     size_t size) {
  const char *name = NULL, *text = NULL;
  if (api->cuGetErrorName && api->cuGetErrorName(result, &name) != 0)
    name = NULL;
  if (api->cuGetErrorString && api->cuGetErrorString(result, &text) != 0)
    text = NULL;
  if (name && text)
    snprintf(buf, size, "%s (%s)", name, text);
  else if (name)
    snprintf(buf, size, "%s", name);
  else
    snprintf(buf, size, "CUDA error %d", (int)result);
}

/** Fills `api` from `lib`; the missing symbol's name, or NULL. */
static const char *resolve(void *lib, kiln_cuda_api *api) {
  for (size_t i = 0; i < sizeof entries / sizeof entries[0]; ++i) {
    void *symbol = dlsym(lib, entries[i].symbol);
    if (!symbol)
      return entries[i].symbol;
    /* POSIX guarantees that a function pointer fits in a void *. */
    memcpy((char *)api + entries[i].offset, &symbol, sizeof symbol);
  }
  for (size_t i = 0; i < sizeof optional_entries / sizeof optional_entries[0];
       ++i) {
    void *symbol = dlsym(lib, optional_entries[i].symbol);
    memcpy((char *)api + optional_entries[i].offset, &symbol, sizeof symbol);
  }
  return NULL;
}

/** Serves run buffers from device 0's default memory pool when the driver
 *  and device support it: a cuMemAlloc per buffer and a synchronising
 *  cuMemFree cost more than many of a model's kernels. The pool keeps what
 *  it holds (release threshold: unlimited), so later runs allocate nothing
 *  from the device. */
static void use_memory_pool(kiln_cuda_api *api, CUdevice device) {
  int supported = 0;
  CUmemoryPool pool = NULL;
  unsigned long long keep = ~0ull;
  api->stream_ordered =
      api->cuDeviceGetAttribute && api->cuDeviceGetDefaultMemPool &&
      api->cuMemPoolSetAttribute && api->cuMemAllocAsync &&
      api->cuMemFreeAsync &&
      api->cuDeviceGetAttribute(
          &supported, KILN_CU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED,
          device) == KILN_CUDA_SUCCESS &&
      supported &&
      api->cuDeviceGetDefaultMemPool(&pool, device) == KILN_CUDA_SUCCESS &&
      api->cuMemPoolSetAttribute(pool, KILN_CU_MEMPOOL_ATTR_RELEASE_THRESHOLD,
                                 &keep) == KILN_CUDA_SUCCESS;
}

/** Initialises the driver and retains device 0's primary context into
 *  `ctx`; writes why not into `message` on failure. */
static kiln_status init_device(kiln_cuda_api *api, CUcontext *ctx,
                               char *message, size_t size) {
  char what[256];
  CUresult r = api->cuInit(0);
  if (r != KILN_CUDA_SUCCESS) {
    describe(api, r, what, sizeof what);
    snprintf(message, size,
             r == KILN_CUDA_ERROR_NO_DEVICE
                 ? "the CUDA driver found no CUDA device (cuInit: %s)"
                 : "the CUDA driver could not be initialised (cuInit: %s)",
             what);
    return KILN_ERROR_UNSUPPORTED;
  }
  int count = 0;
  if ((r = api->cuDeviceGetCount(&count)) != KILN_CUDA_SUCCESS) {
    describe(api, r, what, sizeof what);
    snprintf(message, size,
             "the CUDA driver could not count its devices "
             "(cuDeviceGetCount: %s)",
             what);
    return KILN_ERROR_UNSUPPORTED;
  }
  if (count < 1) {
    snprintf(message, size,
             "the CUDA driver found no CUDA device (cuDeviceGetCount "
             "reports %d)",
             count);
    return KILN_ERROR_UNSUPPORTED;
  }
  CUdevice device = 0;
  const char *call = "cuDeviceGet";
  r = api->cuDeviceGet(&device, 0);
  if (r == KILN_CUDA_SUCCESS) {
    call = "cuDevicePrimaryCtxRetain";
    r = api->cuDevicePrimaryCtxRetain(ctx, device);
  }
  if (r != KILN_CUDA_SUCCESS) {
    describe(api, r, what, sizeof what);
    snprintf(message, size, "could not use CUDA device 0 (%s: %s)", call, what);
    return KILN_ERROR_UNSUPPORTED;
  }
  use_memory_pool(api, device);
  return KILN_OK;
}

/** The probe kiln_cuda_open runs once. The library is never dlclose'd: a
 *  driver that ran cuInit may own threads and atexit handlers. */
static kiln_status probe(char *message, size_t size) {
  const char *path = getenv("KILN_CUDA_DRIVER"); /* test hook, see .h */
  if (!path || !*path)
    path = "libcuda.so.1";
  void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char *why = dlerror();
    snprintf(message, size, "no CUDA driver: %s could not be loaded (%s)", path,
             why ? why : "unknown reason");
    return KILN_ERROR_UNSUPPORTED;
  }
  /* Resolved into a local table and published only when complete, so
   * that a failed re-probe (tests) leaves the previous table usable. */
  kiln_cuda_api api;
  memset(&api, 0, sizeof api);
  const char *missing = resolve(lib, &api);
  if (missing) {
    snprintf(message, size,
             "the CUDA driver %s lacks %s (it is too old for Kiln)", path,
             missing);
    return KILN_ERROR_UNSUPPORTED;
  }
  CUcontext ctx = NULL;
  kiln_status status = init_device(&api, &ctx, message, size);
  if (status != KILN_OK)
    return status;
  driver = api;
  primary = ctx;
  message[0] = '\0';
  return KILN_OK;
}

kiln_status kiln_cuda_open(char *message, size_t size) {
  if (__atomic_load_n(&open_state, __ATOMIC_ACQUIRE) == OPEN_UNKNOWN) {
    pthread_mutex_lock(&open_mutex);
    if (__atomic_load_n(&open_state, __ATOMIC_RELAXED) == OPEN_UNKNOWN) {
      open_status = probe(open_message, sizeof open_message);
      __atomic_store_n(&open_state,
                       open_status == KILN_OK ? OPEN_OK : OPEN_FAILED,
                       __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&open_mutex);
  }
  if (message && size)
    snprintf(message, size, "%s", open_message);
  return open_status;
}

void kiln_cuda_reset_for_testing(void) {
  pthread_mutex_lock(&open_mutex);
  __atomic_store_n(&open_state, OPEN_UNKNOWN, __ATOMIC_RELEASE);
  open_message[0] = '\0';
  pthread_mutex_unlock(&open_mutex);
}

const kiln_cuda_api *kiln_cuda_enter(void) {
  if (__atomic_load_n(&open_state, __ATOMIC_ACQUIRE) != OPEN_OK) {
    char why[KILN_RT_ERROR_SIZE];
    if (kiln_cuda_open(why, sizeof why) != KILN_OK)
      kiln_cuda_fail("%s", why);
  }
  /* Runs may come from any thread, and the application may have made
   * another context current on this one. */
  kiln_cuda_check(driver.cuCtxSetCurrent(primary), "cuCtxSetCurrent", NULL);
  return &driver;
}

const kiln_cuda_api *kiln_cuda_enter_quietly(void) {
  if (__atomic_load_n(&open_state, __ATOMIC_ACQUIRE) != OPEN_OK)
    return NULL;
  /* Fails after the driver shut down at process exit: then skip. */
  if (driver.cuCtxSetCurrent(primary) != KILN_CUDA_SUCCESS)
    return NULL;
  return &driver;
}

void *kiln_cuda_save_context(void) {
  CUcontext current = NULL;
  if (__atomic_load_n(&open_state, __ATOMIC_ACQUIRE) != OPEN_OK ||
      driver.cuCtxGetCurrent(&current) != KILN_CUDA_SUCCESS)
    return NULL;
  return current;
}

void kiln_cuda_restore_context(void *saved) {
  if (__atomic_load_n(&open_state, __ATOMIC_ACQUIRE) == OPEN_OK)
    (void)driver.cuCtxSetCurrent((CUcontext)saved);
}

void kiln_cuda_check(CUresult result, const char *call, const char *detail) {
  if (result == KILN_CUDA_SUCCESS)
    return;
  char what[256], message[KILN_RT_ERROR_SIZE];
  describe(&driver, result, what, sizeof what);
  snprintf(message, sizeof message, "CUDA error in %s: %s%s%s", call, what,
           detail && *detail ? ": " : "", detail ? detail : "");
  if (result == KILN_CUDA_ERROR_OUT_OF_MEMORY)
    kiln_rt_device_out_of_memory(message);
  kiln_rt_device_failed(message);
}

void kiln_cuda_fail(const char *fmt, ...) {
  char message[KILN_RT_ERROR_SIZE];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);
  kiln_rt_device_failed(message);
  abort(); /* not reached: kiln_rt_device_failed does not return */
}
