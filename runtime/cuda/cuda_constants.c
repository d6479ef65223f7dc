/* cuda_constants.c - device copies of a library's constant weights.
 *
 * The compiled code of a CUDA library asks for the device copy of each
 * constant (kiln_rt_cuda_constant) instead of copying it on every run. The
 * runtime is linked into each library, so this table belongs to one
 * library: its constants live in the library's read-only data, and their
 * addresses identify them for as long as the library is loaded. Copies are
 * made on first use, in the process-wide primary context every context of
 * the library shares, and freed when the library is unloaded.
 */
#define _POSIX_C_SOURCE 200809L

#include "cuda_api.h"
#include "cuda_driver.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct constant_copy {
  uintptr_t host;
  CUdeviceptr device;
} constant_copy;

static pthread_mutex_t table_mutex = PTHREAD_MUTEX_INITIALIZER;
static constant_copy *table;
static size_t table_size, table_capacity;

/* The device copy of `host`, or 0; the caller holds table_mutex. */
static CUdeviceptr find(uintptr_t host) {
  for (size_t i = 0; i < table_size; ++i)
    if (table[i].host == host)
      return table[i].device;
  return 0;
}

int64_t kiln_rt_cuda_constant(int64_t host, int64_t bytes) {
  const kiln_cuda_api *api = kiln_cuda_enter();
  pthread_mutex_lock(&table_mutex);
  CUdeviceptr device = find((uintptr_t)host);
  if (device) {
    pthread_mutex_unlock(&table_mutex);
    return (int64_t)device;
  }
  const char *failed = NULL;
  CUresult result = 0;
  if (table_size == table_capacity) {
    size_t grown = table_capacity ? 2 * table_capacity : 64;
    constant_copy *bigger = realloc(table, grown * sizeof *table);
    if (!bigger) {
      pthread_mutex_unlock(&table_mutex);
      kiln_cuda_fail("out of host memory for the table of device constants");
    }
    table = bigger;
    table_capacity = grown;
  }
  CUstream stream = kiln_cuda_stream(api, NULL);
  if ((result = api->cuMemAlloc(&device, (size_t)(bytes > 0 ? bytes : 1))))
    failed = "cuMemAlloc_v2";
  else if ((result = api->cuMemcpyAsync(device, (CUdeviceptr)host,
                                        (size_t)bytes, stream)))
    failed = "cuMemcpyAsync";
  else if ((result = api->cuStreamSynchronize(stream)))
    failed = "cuStreamSynchronize";
  if (!failed)
    table[table_size++] = (constant_copy){(uintptr_t)host, device};
  else if (device)
    api->cuMemFree(device);
  /* Unlocked before a failure jumps out of the run. */
  pthread_mutex_unlock(&table_mutex);
  if (failed)
    kiln_cuda_check(result, failed, "copying a constant to the device");
  return (int64_t)device;
}

__attribute__((destructor)) static void free_constants(void) {
  const kiln_cuda_api *api = table_size ? kiln_cuda_enter_quietly() : NULL;
  for (size_t i = 0; api && i < table_size; ++i)
    api->cuMemFree(table[i].device);
  free(table);
  table = NULL;
  table_size = table_capacity = 0;
}
