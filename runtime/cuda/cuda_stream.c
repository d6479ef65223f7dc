/* cuda_stream.c - streams, events and device memory for compiled code
 * (mgpuStream*, mgpuEvent*, mgpuMem*; see cuda_driver.h).
 *
 * The host code creates, synchronizes and destroys a stream around every
 * kernel launch. Creating driver streams that often costs more than small
 * kernels take, so each thread gets one non-blocking stream, made on first
 * use and destroyed when the thread exits; mgpuStreamCreate returns it and
 * mgpuStreamDestroy does nothing. Putting all of a thread's work on one
 * stream is always a valid order for it (every event it waits on was
 * recorded earlier on the same stream). Non-blocking, so that runs on other
 * threads and the application's own legacy-stream work do not serialize
 * with it; Kiln never uses the legacy NULL stream itself: a NULL stream
 * argument means the thread's stream.
 */
#define _POSIX_C_SOURCE 200809L

#include "cuda_api.h"
#include "cuda_driver.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

static __thread CUstream tls_stream;

/* The stream the caller handed to the run in progress on this thread
 * (kiln_options.cuda_stream), or NULL. */
static __thread CUstream tls_run_stream;

void *kiln_cuda_set_run_stream(void *stream) {
  void *previous = tls_run_stream;
  tls_run_stream = (CUstream)stream;
  return previous;
}

/* The key only exists to destroy tls_stream at thread exit. */
static pthread_key_t stream_key;
static pthread_once_t stream_key_once = PTHREAD_ONCE_INIT;
static int stream_key_made;

static void destroy_thread_stream(void *stream) {
  const kiln_cuda_api *api = kiln_cuda_enter_quietly();
  if (api)
    api->cuStreamDestroy((CUstream)stream);
}

static void make_stream_key(void) {
  stream_key_made = pthread_key_create(&stream_key, destroy_thread_stream) == 0;
}

/* This runtime is linked into each model library, which may be dlclose'd
 * while threads that ran it live on: their exit must not call into the
 * unmapped destroy_thread_stream. Their streams are then leaked. */
__attribute__((destructor)) static void forget_stream_key(void) {
  if (stream_key_made)
    pthread_key_delete(stream_key);
  stream_key_made = 0;
}

CUstream kiln_cuda_stream(const kiln_cuda_api *api, void *stream) {
  if (stream)
    return (CUstream)stream;
  if (tls_run_stream)
    return tls_run_stream;
  if (!tls_stream) {
    CUstream made = NULL;
    kiln_cuda_check(api->cuStreamCreate(&made, KILN_CU_STREAM_NON_BLOCKING),
                    "cuStreamCreate", NULL);
    pthread_once(&stream_key_once, make_stream_key);
    if (stream_key_made)
      pthread_setspecific(stream_key, made);
    tls_stream = made;
  }
  return tls_stream;
}

void *mgpuStreamCreate(void) {
  return kiln_cuda_stream(kiln_cuda_enter(), NULL);
}

void mgpuStreamDestroy(void *stream) { (void)stream; }

void mgpuStreamSynchronize(void *stream) {
  const kiln_cuda_api *api = kiln_cuda_enter();
  kiln_cuda_check(api->cuStreamSynchronize(kiln_cuda_stream(api, stream)),
                  "cuStreamSynchronize", NULL);
}

void mgpuStreamWaitEvent(void *stream, void *event) {
  const kiln_cuda_api *api = kiln_cuda_enter();
  kiln_cuda_check(
      api->cuStreamWaitEvent(kiln_cuda_stream(api, stream), (CUevent)event, 0),
      "cuStreamWaitEvent", NULL);
}

void *mgpuEventCreate(void) {
  const kiln_cuda_api *api = kiln_cuda_enter();
  CUevent event = NULL;
  /* Only used for ordering; timing would cost on every record. */
  kiln_cuda_check(api->cuEventCreate(&event, KILN_CU_EVENT_DISABLE_TIMING),
                  "cuEventCreate", NULL);
  return event;
}

void mgpuEventDestroy(void *event) {
  if (!event)
    return;
  const kiln_cuda_api *api = kiln_cuda_enter();
  kiln_cuda_check(api->cuEventDestroy((CUevent)event), "cuEventDestroy_v2",
                  NULL);
}

void mgpuEventSynchronize(void *event) {
  const kiln_cuda_api *api = kiln_cuda_enter();
  kiln_cuda_check(api->cuEventSynchronize((CUevent)event), "cuEventSynchronize",
                  NULL);
}

void mgpuEventRecord(void *event, void *stream) {
  const kiln_cuda_api *api = kiln_cuda_enter();
  kiln_cuda_check(
      api->cuEventRecord((CUevent)event, kiln_cuda_stream(api, stream)),
      "cuEventRecord", NULL);
}

/* Device buffers the run in progress on this thread allocated and has not
 * freed. A run that stops part-way (a failed call jumps out of the compiled
 * code, past its frees) releases them in kiln_cuda_end_run. */
static __thread CUdeviceptr *tls_live;
static __thread size_t tls_live_size, tls_live_capacity;
static __thread int tls_in_run;
/* The stream the run's pool buffers were allocated on: a failed run
 * returns them to the pool ordered after the work still queued there. */
static __thread CUstream tls_pool_stream;

void kiln_cuda_begin_run(void) {
  tls_in_run = 1;
  tls_live_size = 0;
}

void kiln_cuda_end_run(int failed) {
  const kiln_cuda_api *api =
      failed && tls_live_size ? kiln_cuda_enter_quietly() : NULL;
  for (size_t i = 0; api && i < tls_live_size; ++i) {
    if (api->stream_ordered)
      api->cuMemFreeAsync(tls_live[i], tls_pool_stream);
    else
      api->cuMemFree(tls_live[i]);
  }
  tls_live_size = 0;
  tls_in_run = 0;
}

static void track(CUdeviceptr ptr) {
  if (!tls_in_run)
    return;
  if (tls_live_size == tls_live_capacity) {
    size_t grown = tls_live_capacity ? 2 * tls_live_capacity : 64;
    CUdeviceptr *bigger = realloc(tls_live, grown * sizeof *tls_live);
    if (!bigger)
      return; /* untracked: only a failed run would leak it */
    tls_live = bigger;
    tls_live_capacity = grown;
  }
  tls_live[tls_live_size++] = ptr;
}

static void untrack(CUdeviceptr ptr) {
  for (size_t i = tls_live_size; i-- > 0;)
    if (tls_live[i] == ptr) {
      tls_live[i] = tls_live[--tls_live_size];
      return;
    }
}

void *mgpuMemAlloc(uint64_t sizeBytes, void *stream, bool isHostShared) {
  (void)stream; /* cuMemAlloc is not stream-ordered */
  if (sizeBytes == 0)
    return NULL;
  const kiln_cuda_api *api = kiln_cuda_enter();
  if (sizeBytes > SIZE_MAX)
    kiln_cuda_fail("a device buffer of %llu bytes is larger than this "
                   "machine can address",
                   (unsigned long long)sizeBytes);
  CUdeviceptr ptr = 0;
  if (isHostShared)
    kiln_cuda_check(api->cuMemAllocManaged(&ptr, (size_t)sizeBytes,
                                           KILN_CU_MEM_ATTACH_GLOBAL),
                    "cuMemAllocManaged", NULL);
  else if (api->stream_ordered) {
    /* From the pool, ordered on the run's stream: no synchronisation. */
    tls_pool_stream = kiln_cuda_stream(api, stream);
    kiln_cuda_check(
        api->cuMemAllocAsync(&ptr, (size_t)sizeBytes, tls_pool_stream),
        "cuMemAllocAsync", NULL);
  }
  else
    kiln_cuda_check(api->cuMemAlloc(&ptr, (size_t)sizeBytes), "cuMemAlloc_v2",
                    NULL);
  track(ptr);
  return (void *)(uintptr_t)ptr;
}

void mgpuMemFree(void *ptr, void *stream) {
  if (!ptr)
    return;
  const kiln_cuda_api *api = kiln_cuda_enter();
  CUstream s = kiln_cuda_stream(api, stream);
  untrack((CUdeviceptr)(uintptr_t)ptr);
  if (api->stream_ordered) {
    /* Back to the pool once the work queued before it on the stream is
     * done; the run's later allocations on the stream may reuse it. */
    kiln_cuda_check(api->cuMemFreeAsync((CUdeviceptr)(uintptr_t)ptr, s),
                    "cuMemFreeAsync", NULL);
    return;
  }
  /* Work queued on the stream may still use the buffer. */
  kiln_cuda_check(api->cuStreamSynchronize(s), "cuStreamSynchronize", NULL);
  kiln_cuda_check(api->cuMemFree((CUdeviceptr)(uintptr_t)ptr), "cuMemFree_v2",
                  NULL);
}

void mgpuMemcpy(void *dst, void *src, size_t sizeBytes, void *stream) {
  if (sizeBytes == 0)
    return;
  const kiln_cuda_api *api = kiln_cuda_enter();
  CUstream s = kiln_cuda_stream(api, stream);
  /* Unified addressing tells host from device pointers. Ordered after
   * the kernels on the stream, and waited for: host code may read the
   * destination (a caller's output tensor) right after. */
  kiln_cuda_check(api->cuMemcpyAsync((CUdeviceptr)(uintptr_t)dst,
                                     (CUdeviceptr)(uintptr_t)src, sizeBytes, s),
                  "cuMemcpyAsync", NULL);
  kiln_cuda_check(api->cuStreamSynchronize(s), "cuStreamSynchronize", NULL);
}

/* Memsets are ordered on the stream (a synchronous cuMemsetD32 would run
 * on the legacy stream, unordered with ours); with no stream given the
 * call is synchronous, as the caller then expects. */

void mgpuMemset32(void *dst, unsigned int value, size_t count, void *stream) {
  if (count == 0)
    return;
  const kiln_cuda_api *api = kiln_cuda_enter();
  CUstream s = kiln_cuda_stream(api, stream);
  kiln_cuda_check(
      api->cuMemsetD32Async((CUdeviceptr)(uintptr_t)dst, value, count, s),
      "cuMemsetD32Async", NULL);
  if (!stream)
    kiln_cuda_check(api->cuStreamSynchronize(s), "cuStreamSynchronize", NULL);
}

void mgpuMemset16(void *dst, unsigned short value, size_t count, void *stream) {
  if (count == 0)
    return;
  const kiln_cuda_api *api = kiln_cuda_enter();
  CUstream s = kiln_cuda_stream(api, stream);
  kiln_cuda_check(
      api->cuMemsetD16Async((CUdeviceptr)(uintptr_t)dst, value, count, s),
      "cuMemsetD16Async", NULL);
  if (!stream)
    kiln_cuda_check(api->cuStreamSynchronize(s), "cuStreamSynchronize", NULL);
}

void mgpuSetDefaultDevice(int32_t device) {
  if (device != 0)
    kiln_cuda_fail("the compiled code asks for CUDA device %d, but Kiln "
                   "runs on device 0 only",
                   (int)device);
}
