/* cuda_driver.h - Kiln's CUDA runtime: the device check at create time and
 * the mgpu* functions that compiled GPU code calls.
 *
 * A model compiled for KILN_DEVICE_CUDA is lowered with upstream MLIR's
 * gpu-to-llvm and gpu.binary offloading translation, so its host code calls
 * the mgpu* functions below (normally MLIR's libmlir_cuda_runtime, which
 * Debian does not ship). Kiln implements them on the CUDA driver API, loaded
 * with dlopen at run time: a GPU library links no CUDA library and loads on
 * a machine without one; NAME_create then fails with KILN_ERROR_UNSUPPORTED.
 *
 * The mgpu* functions return nothing useful, so a failing driver call stops
 * the run through kiln_rt_device_failed (kiln_rt.h): NAME_run returns
 * KILN_ERROR_INTERNAL with a message such as "CUDA error in cuLaunchKernel:
 * CUDA_ERROR_LAUNCH_FAILED (unspecified launch failure)".
 *
 * Environment: KILN_CUDA_DRIVER, when set and not empty, names the driver
 * library to load instead of libcuda.so.1. It is a test hook (it lets the
 * no-driver path be tested on a GPU machine), not a configuration knob.
 */
#ifndef KILN_CUDA_DRIVER_H
#define KILN_CUDA_DRIVER_H

#include "kiln_runtime.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Loads the CUDA driver, initialises it, checks that there is a device and
 *  retains device 0's primary context. The work is done once per process
 *  (thread-safe); later calls return the first call's result. Returns
 *  KILN_OK (message set to ""), or KILN_ERROR_UNSUPPORTED with one sentence
 *  saying why in `message` (truncated to `size`; may be NULL). */
kiln_status kiln_cuda_open(char *message, size_t size);

/** For tests only: forgets the result of kiln_cuda_open so that the next
 *  call probes again (after the test changed KILN_CUDA_DRIVER). Must not run
 *  concurrently with any other function of this header. The old driver
 *  stays loaded, and module handles keep what they loaded with it. */
void kiln_cuda_reset_for_testing(void);

/** The CUDA context current on this thread (NULL when none, or before the
 *  driver is open), and putting it back: a run makes Kiln's context
 *  current, and the application's must be current again afterwards. */
void *kiln_cuda_save_context(void);

/** Makes `stream` (a CUstream, or NULL for the thread's own) the one this
 *  thread's runs use until the next call; returns the previous one. */
void *kiln_cuda_set_run_stream(void *stream);

/** The device copy (a CUdeviceptr) of the `bytes` bytes of constant data
 *  at host address `host`, made on first use and kept until the library
 *  is unloaded (cuda_constants.c). Called by compiled code. */
int64_t kiln_rt_cuda_constant(int64_t host, int64_t bytes);

/** Brackets a run on this thread: device buffers the compiled code
 *  allocates in between are tracked, and when the run `failed` (stopped
 *  part-way, past its own frees) kiln_cuda_end_run frees those left. */
void kiln_cuda_begin_run(void);
void kiln_cuda_end_run(int failed);
void kiln_cuda_restore_context(void *saved);

/* ---- Called by compiled code (MLIR's CUDA runtime wrapper ABI) ---------
 *
 * Streams, events and modules are opaque handles. A module handle is made
 * at library load time without touching the driver; the image is loaded on
 * the first mgpuModuleGetFunction. Every call that reaches the driver makes
 * the primary context current on the calling thread first. */

/** Registers a cubin/fatbin image (which must outlive the handle). */
void *mgpuModuleLoad(void *data, size_t gpuBlobSize);
/** Registers NUL-terminated PTX, JIT-compiled at `optLevel` on first use. */
void *mgpuModuleLoadJIT(void *data, int optLevel);
void mgpuModuleUnload(void *module);
/** The kernel `name` of `module`, loading the module on first use. */
void *mgpuModuleGetFunction(void *module, const char *name);
void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t paramsCount);
/** The calling thread's stream (one per thread, made on first use). */
void *mgpuStreamCreate(void);
/** A no-op: the thread's stream lives until the thread exits. */
void mgpuStreamDestroy(void *stream);
void mgpuStreamSynchronize(void *stream);
void mgpuStreamWaitEvent(void *stream, void *event);
void *mgpuEventCreate(void);
void mgpuEventDestroy(void *event);
void mgpuEventSynchronize(void *event);
void mgpuEventRecord(void *event, void *stream);
/** Device memory (managed memory when isHostShared); NULL for 0 bytes. */
void *mgpuMemAlloc(uint64_t sizeBytes, void *stream, bool isHostShared);
void mgpuMemFree(void *ptr, void *stream);
/** Copies in either direction; returns once the copy is done. */
void mgpuMemcpy(void *dst, void *src, size_t sizeBytes, void *stream);
void mgpuMemset32(void *dst, unsigned int value, size_t count, void *stream);
void mgpuMemset16(void *dst, unsigned short value, size_t count, void *stream);
/** Kiln runs on device 0 only: any other device stops the run. */
void mgpuSetDefaultDevice(int32_t device);

#ifdef __cplusplus
}
#endif
#endif /* KILN_CUDA_DRIVER_H */
