/* scratch.h - per-context reuse of the compiled code's temporary buffers.
 *
 * Compiled models allocate their intermediate tensors with
 * _mlir_memref_to_llvm_alloc / _mlir_memref_to_llvm_free (MLIR's
 * finalize-memref-to-llvm with use-generic-functions). A run of a static
 * graph allocates the same sizes every time, so freed blocks are kept in the
 * running context's cache and handed back on the next request of the same
 * size: after the first run no large buffer is mapped, zeroed and unmapped
 * again (which cost ~15 % of a ResNet-18 run).
 */
#ifndef KILN_SCRATCH_H
#define KILN_SCRATCH_H

#include <stddef.h>

typedef struct kiln_scratch kiln_scratch;

kiln_scratch *kiln_scratch_create(void);
/** Frees every cached block and the cache. */
void kiln_scratch_destroy(kiln_scratch *scratch);
/** Makes `scratch` the calling thread's cache; returns the previous one. */
kiln_scratch *kiln_scratch_set_current(kiln_scratch *scratch);

/** Where an allocation that fails on the calling thread jumps (longjmp with
 *  value 1), so that kiln_rt_run can report KILN_ERROR_OUT_OF_MEMORY instead
 *  of the compiled code dereferencing NULL. Pool threads install their own
 *  handler around each job, and the thread that posted the job re-raises
 *  the failure with kiln_scratch_raise once the job is over. NULL: no
 *  handler; a failure then aborts with a message. Returns the previous
 *  handler. */
void *kiln_scratch_set_oom_jump(void *jmp_buf_ptr);

/** What a handler's setjmp returns: 1 for a failed allocation,
 *  KILN_SCRATCH_FAIL_SHAPE for run-time dims the compiled code found
 *  inconsistent, KILN_SCRATCH_FAIL_DEVICE for a failed call to the GPU
 *  driver (runtime/cuda), KILN_SCRATCH_FAIL_INDEX for an index read from
 *  the inputs that lies outside the dim it indexes. */
enum {
  KILN_SCRATCH_FAIL_SHAPE = 2,
  KILN_SCRATCH_FAIL_DEVICE = 3,
  KILN_SCRATCH_FAIL_INDEX = 4
};

/** Jumps to the calling thread's handler with `code` (1 or one of the
 *  KILN_SCRATCH_FAIL_* codes); with no handler it prints what failed and
 *  aborts. */
void kiln_scratch_raise(int code);

#endif /* KILN_SCRATCH_H */
