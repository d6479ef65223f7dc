/* fake_cuda_driver.c - a stand-in for libcuda.so.1, loaded by the runtime
 * through KILN_CUDA_DRIVER in cuda_driver_test.cpp.
 *
 * It exports every entry point runtime/cuda resolves. "Device memory" is
 * host memory (so copies and memsets can be checked), modules and kernels
 * are tokens, and launches only count. The test drives it through
 * fake_cuda_configure (what cuInit, cuDeviceGetCount and cuLaunchKernel
 * return) and reads call counts with fake_cuda_calls. An image containing
 * "bad" fails to JIT with a log, and a kernel exists when its name occurs in
 * the image text.
 */
#define _POSIX_C_SOURCE 200809L

#include "cuda/cuda_api.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

static int init_result, device_count = 1, launch_result;
static int module_loads, stream_creates, launches, module_unloads, copies;
static int async_allocations;
static int live_buffers; /* cuMemAlloc minus cuMemFree, never reset */
static int allocations_left = -1; /* < 0: unlimited */

/** Lets `count` more cuMemAlloc calls succeed, then CUDA_ERROR_OUT_OF_MEMORY
 *  (a negative count: no limit). */
EXPORT void fake_cuda_limit_allocations(int count) { allocations_left = count; }
static CUstream last_launch_stream;

EXPORT void fake_cuda_configure(int init, int devices, int launch) {
  init_result = init;
  device_count = devices;
  launch_result = launch;
  module_loads = stream_creates = launches = module_unloads = copies = 0;
  async_allocations = 0;
  last_launch_stream = NULL;
}

/** The stream the last kernel launch went on. */
EXPORT void *fake_cuda_last_launch_stream(void) { return last_launch_stream; }

/** How often `call` ran since the last fake_cuda_configure. */
EXPORT int fake_cuda_calls(const char *call) {
  if (strcmp(call, "cuModuleLoadDataEx") == 0)
    return module_loads;
  if (strcmp(call, "cuStreamCreate") == 0)
    return stream_creates;
  if (strcmp(call, "cuLaunchKernel") == 0)
    return launches;
  if (strcmp(call, "cuModuleUnload") == 0)
    return module_unloads;
  if (strcmp(call, "cuMemcpyAsync") == 0)
    return copies;
  if (strcmp(call, "cuMemAllocAsync") == 0)
    return async_allocations;
  if (strcmp(call, "live buffers") == 0)
    return live_buffers;
  return -1;
}

static const struct {
  CUresult code;
  const char *name, *text;
} errors[] = {
    {0, "CUDA_SUCCESS", "no error"},
    {1, "CUDA_ERROR_INVALID_VALUE", "invalid argument"},
    {2, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
    {100, "CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected"},
    {218, "CUDA_ERROR_INVALID_PTX", "a PTX JIT compilation failed"},
    {500, "CUDA_ERROR_NOT_FOUND", "named symbol not found"},
    {719, "CUDA_ERROR_LAUNCH_FAILED", "unspecified launch failure"},
};

/** Like the driver: CUDA_ERROR_INVALID_VALUE and NULL for unknown codes. */
static CUresult lookup(CUresult code, const char **out, int text) {
  for (size_t i = 0; i < sizeof errors / sizeof errors[0]; ++i)
    if (errors[i].code == code) {
      *out = text ? errors[i].text : errors[i].name;
      return 0;
    }
  *out = NULL;
  return 1;
}

EXPORT CUresult cuGetErrorName(CUresult code, const char **name) {
  return lookup(code, name, 0);
}
EXPORT CUresult cuGetErrorString(CUresult code, const char **text) {
  return lookup(code, text, 1);
}
EXPORT CUresult cuInit(unsigned int flags) {
  (void)flags;
  return init_result;
}
EXPORT CUresult cuDeviceGetCount(int *count) {
  *count = device_count;
  return 0;
}
EXPORT CUresult cuDeviceGet(CUdevice *device, int ordinal) {
  *device = ordinal;
  return ordinal < device_count ? 0 : 1;
}

static char token; /* the address of every fake handle */

EXPORT CUresult cuDevicePrimaryCtxRetain(CUcontext *ctx, CUdevice device) {
  (void)device;
  *ctx = (CUcontext)(void *)&token;
  return 0;
}
EXPORT CUresult cuCtxSetCurrent(CUcontext ctx) { return ctx ? 0 : 1; }
EXPORT CUresult cuCtxGetCurrent(CUcontext *ctx) {
  *ctx = NULL;
  return 0;
}

EXPORT CUresult cuModuleLoadDataEx(CUmodule *module, const void *image,
                                   unsigned int n, int *options,
                                   void **values) {
  ++module_loads;
  if (strstr((const char *)image, "bad")) {
    for (unsigned i = 0; i < n; ++i)
      if (options[i] == KILN_CU_JIT_ERROR_LOG_BUFFER)
        strcpy((char *)values[i], "fake ptxas: syntax error at 'bad'");
    return 218;
  }
  *module = (CUmodule)(void *)strdup((const char *)image);
  return 0;
}
EXPORT CUresult cuModuleUnload(CUmodule module) {
  ++module_unloads;
  free(module);
  return 0;
}
EXPORT CUresult cuModuleGetFunction(CUfunction *function, CUmodule module,
                                    const char *name) {
  if (!strstr((const char *)module, name))
    return 500;
  *function = (CUfunction)(void *)&token;
  return 0;
}
EXPORT CUresult cuFuncSetAttribute(CUfunction f, int attribute, int value) {
  (void)f, (void)attribute, (void)value;
  return 0;
}
EXPORT CUresult cuLaunchKernel(CUfunction f, unsigned gx, unsigned gy,
                               unsigned gz, unsigned bx, unsigned by,
                               unsigned bz, unsigned shared, CUstream stream,
                               void **params, void **extra) {
  (void)f, (void)gx, (void)gy, (void)gz, (void)bx, (void)by, (void)bz;
  (void)shared, (void)params, (void)extra;
  __atomic_add_fetch(&launches, 1, __ATOMIC_RELAXED);
  last_launch_stream = stream;
  return launch_result;
}
EXPORT CUresult cuStreamCreate(CUstream *stream, unsigned int flags) {
  (void)flags;
  __atomic_add_fetch(&stream_creates, 1, __ATOMIC_RELAXED);
  *stream = (CUstream)malloc(1);
  return 0;
}
EXPORT CUresult cuStreamDestroy_v2(CUstream stream) {
  free(stream);
  return 0;
}
EXPORT CUresult cuStreamSynchronize(CUstream stream) { return stream ? 0 : 1; }
EXPORT CUresult cuStreamWaitEvent(CUstream s, CUevent e, unsigned int f) {
  (void)f;
  return s && e ? 0 : 1;
}
EXPORT CUresult cuEventCreate(CUevent *event, unsigned int flags) {
  (void)flags;
  *event = (CUevent)(void *)&token;
  return 0;
}
EXPORT CUresult cuEventDestroy_v2(CUevent event) { return event ? 0 : 1; }
EXPORT CUresult cuEventSynchronize(CUevent event) { return event ? 0 : 1; }
EXPORT CUresult cuEventRecord(CUevent event, CUstream stream) {
  return event && stream ? 0 : 1;
}
EXPORT CUresult cuMemAlloc_v2(CUdeviceptr *ptr, size_t bytes) {
  if (allocations_left == 0)
    return 2;
  if (allocations_left > 0)
    --allocations_left;
  void *p = malloc(bytes);
  *ptr = (CUdeviceptr)(uintptr_t)p;
  if (p)
    __atomic_add_fetch(&live_buffers, 1, __ATOMIC_RELAXED);
  return p ? 0 : 2;
}
EXPORT CUresult cuMemAllocManaged(CUdeviceptr *ptr, size_t bytes,
                                  unsigned int flags) {
  (void)flags;
  return cuMemAlloc_v2(ptr, bytes);
}
EXPORT CUresult cuMemFree_v2(CUdeviceptr ptr) {
  if (ptr)
    __atomic_sub_fetch(&live_buffers, 1, __ATOMIC_RELAXED);
  free((void *)(uintptr_t)ptr);
  return 0;
}
/* The stream-ordered allocator: this stand-in runs nothing, so a buffer
 * is freed at once; device 0 says it supports memory pools. */
static int pool_token;
EXPORT CUresult cuDeviceGetAttribute(int *value, int attribute,
                                     CUdevice device) {
  *value = attribute == 115 && device == 0;
  return 0;
}
EXPORT CUresult cuDeviceGetDefaultMemPool(void **pool, CUdevice device) {
  *pool = &pool_token;
  return device == 0 ? 0 : 101;
}
EXPORT CUresult cuMemPoolSetAttribute(void *pool, int attribute, void *value) {
  (void)attribute;
  return pool == &pool_token && value ? 0 : 1;
}
EXPORT CUresult cuMemAllocAsync(CUdeviceptr *ptr, size_t bytes,
                                CUstream stream) {
  __atomic_add_fetch(&async_allocations, 1, __ATOMIC_RELAXED);
  return stream ? cuMemAlloc_v2(ptr, bytes) : 1;
}
EXPORT CUresult cuMemFreeAsync(CUdeviceptr ptr, CUstream stream) {
  return stream ? cuMemFree_v2(ptr) : 1;
}
EXPORT CUresult cuMemcpyAsync(CUdeviceptr dst, CUdeviceptr src, size_t bytes,
                              CUstream stream) {
  memcpy((void *)(uintptr_t)dst, (const void *)(uintptr_t)src, bytes);
  __atomic_add_fetch(&copies, 1, __ATOMIC_RELAXED);
  return stream ? 0 : 1;
}
EXPORT CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned int value,
                                 size_t count, CUstream stream) {
  uint32_t *p = (uint32_t *)(uintptr_t)dst;
  for (size_t i = 0; i < count; ++i)
    p[i] = value;
  return stream ? 0 : 1;
}
EXPORT CUresult cuMemsetD16Async(CUdeviceptr dst, unsigned short value,
                                 size_t count, CUstream stream) {
  uint16_t *p = (uint16_t *)(uintptr_t)dst;
  for (size_t i = 0; i < count; ++i)
    p[i] = value;
  return stream ? 0 : 1;
}
