/* cuda_api.h - the CUDA driver entry points Kiln's runtime uses, as a table
 * of function pointers filled by dlsym; internal to runtime/cuda.
 *
 * cuda.h is deliberately not included: the runtime must build where the
 * CUDA toolkit is absent. The few types needed are declared here with the
 * driver's names and ABI (CUresult and enums are ints, handles are opaque
 * pointers, device pointers 64-bit integers). The test stand-in for the
 * driver (test/unit/fake_cuda_driver.c) includes this header for the same
 * types.
 */
#ifndef KILN_CUDA_API_H
#define KILN_CUDA_API_H

#include <stddef.h>

typedef int CUresult;
typedef int CUdevice;
typedef struct CUctx_st *CUcontext;
typedef struct CUmod_st *CUmodule;
typedef struct CUfunc_st *CUfunction;
typedef struct CUstream_st *CUstream;
typedef struct CUevent_st *CUevent;
typedef unsigned long long CUdeviceptr;
typedef struct CUmemPoolHandle_st *CUmemoryPool;

/* The enum values used, as cuda.h numbers them. */
enum {
  KILN_CUDA_SUCCESS = 0,
  KILN_CUDA_ERROR_OUT_OF_MEMORY = 2,
  KILN_CUDA_ERROR_NO_DEVICE = 100,
  KILN_CU_JIT_ERROR_LOG_BUFFER = 5,
  KILN_CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6,
  KILN_CU_JIT_OPTIMIZATION_LEVEL = 7,
  KILN_CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8,
  KILN_CU_STREAM_NON_BLOCKING = 1,
  KILN_CU_EVENT_DISABLE_TIMING = 2,
  KILN_CU_MEM_ATTACH_GLOBAL = 1,
  KILN_CU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED = 115,
  KILN_CU_MEMPOOL_ATTR_RELEASE_THRESHOLD = 4
};

/** The driver entry points, each named after the symbol it was resolved
 *  from minus any _v2 suffix (cuda_driver.c lists the symbols). */
typedef struct kiln_cuda_api {
  CUresult (*cuGetErrorName)(CUresult error, const char **name);
  CUresult (*cuGetErrorString)(CUresult error, const char **text);
  CUresult (*cuInit)(unsigned int flags);
  CUresult (*cuDeviceGetCount)(int *count);
  CUresult (*cuDeviceGet)(CUdevice *device, int ordinal);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *ctx, CUdevice device);
  CUresult (*cuCtxSetCurrent)(CUcontext ctx);
  CUresult (*cuCtxGetCurrent)(CUcontext *ctx);
  CUresult (*cuModuleLoadDataEx)(CUmodule *module, const void *image,
                                 unsigned int num_options, int *options,
                                 void **option_values);
  CUresult (*cuModuleUnload)(CUmodule module);
  CUresult (*cuModuleGetFunction)(CUfunction *function, CUmodule module,
                                  const char *name);
  CUresult (*cuFuncSetAttribute)(CUfunction function, int attribute, int value);
  CUresult (*cuLaunchKernel)(CUfunction function, unsigned int grid_x,
                             unsigned int grid_y, unsigned int grid_z,
                             unsigned int block_x, unsigned int block_y,
                             unsigned int block_z, unsigned int shared_bytes,
                             CUstream stream, void **params, void **extra);
  CUresult (*cuStreamCreate)(CUstream *stream, unsigned int flags);
  CUresult (*cuStreamDestroy)(CUstream stream);
  CUresult (*cuStreamSynchronize)(CUstream stream);
  CUresult (*cuStreamWaitEvent)(CUstream stream, CUevent event,
                                unsigned int flags);
  CUresult (*cuEventCreate)(CUevent *event, unsigned int flags);
  CUresult (*cuEventDestroy)(CUevent event);
  CUresult (*cuEventSynchronize)(CUevent event);
  CUresult (*cuEventRecord)(CUevent event, CUstream stream);
  CUresult (*cuMemAlloc)(CUdeviceptr *ptr, size_t bytes);
  CUresult (*cuMemAllocManaged)(CUdeviceptr *ptr, size_t bytes,
                                unsigned int flags);
  CUresult (*cuMemFree)(CUdeviceptr ptr);
  CUresult (*cuMemcpyAsync)(CUdeviceptr dst, CUdeviceptr src, size_t bytes,
                            CUstream stream);
  CUresult (*cuMemsetD32Async)(CUdeviceptr dst, unsigned int value,
                               size_t count, CUstream stream);
  CUresult (*cuMemsetD16Async)(CUdeviceptr dst, unsigned short value,
                               size_t count, CUstream stream);
  /* Optional (CUDA 11.2 and later): the stream-ordered allocator. */
  CUresult (*cuDeviceGetAttribute)(int *value, int attribute, CUdevice device);
  CUresult (*cuDeviceGetDefaultMemPool)(CUmemoryPool *pool, CUdevice device);
  CUresult (*cuMemPoolSetAttribute)(CUmemoryPool pool, int attribute,
                                    void *value);
  CUresult (*cuMemAllocAsync)(CUdeviceptr *ptr, size_t bytes, CUstream stream);
  CUresult (*cuMemFreeAsync)(CUdeviceptr ptr, CUstream stream);
  /* Nonzero when device 0's default memory pool serves the run's
   * buffers: cuMemAllocAsync/cuMemFreeAsync on the run's stream, kept
   * cached between runs, with no synchronisation. */
  int stream_ordered;
} kiln_cuda_api;

/** The driver, ready on the calling thread: opens it on first use (as
 *  kiln_cuda_open) and makes the primary context current. On failure it
 *  stops the run (kiln_rt_device_failed) and does not return. */
const kiln_cuda_api *kiln_cuda_enter(void);

/** The driver if kiln_cuda_open succeeded, else NULL; for clean-up paths
 *  (module unload, thread exit) that must neither open it nor fail. Makes
 *  the primary context current when it can. */
const kiln_cuda_api *kiln_cuda_enter_quietly(void);

/** `stream`, or for NULL the calling thread's own stream (created on first
 *  use, destroyed when the thread exits). Raises like kiln_cuda_check. */
CUstream kiln_cuda_stream(const kiln_cuda_api *api, void *stream);

/** Stops the run with "CUDA error in CALL: NAME (text)" unless `result` is
 *  CUDA_SUCCESS; `detail`, when not NULL, is appended (a JIT log). */
void kiln_cuda_check(CUresult result, const char *call, const char *detail);

/** Stops the run with a message of Kiln's own (printf-style). */
void kiln_cuda_fail(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

#endif /* KILN_CUDA_API_H */
