/* thread_pool.h - the runtime's pthread worker pool.
 *
 * A kiln_thread_pool owns a fixed set of worker threads that sleep on a
 * condition variable until kiln_tp_parallel_for hands them a range of
 * indices. The calling thread always takes part, so a pool made for N threads
 * starts N - 1 workers. A context owns one, or runs on a kiln_worker_pool
 * handed in (kiln_tp_interface gives a pool's). Internal to the runtime.
 */
#ifndef KILN_THREAD_POOL_H
#define KILN_THREAD_POOL_H

#include "kiln_runtime.h"

#include <stdint.h>

typedef struct kiln_thread_pool kiln_thread_pool;

/** Body of a parallel loop: called once for every index. */
typedef void (*kiln_tp_body)(int64_t i, void *arg);

/** Resolves a requested thread count: <= 0 means all online cores; the result
 *  is clamped to [1, 1024]. */
int kiln_tp_resolve_threads(int32_t requested);

/** Creates a pool in which `num_threads` threads (the caller included) share
 *  work; starts num_threads - 1 workers. Returns NULL when memory or thread
 *  creation fails. */
kiln_thread_pool *kiln_tp_create(int num_threads);

/** Stops and joins the workers and frees the pool. NULL is a no-op. Must not
 *  be called while a parallel_for on the pool is in flight. */
void kiln_tp_destroy(kiln_thread_pool *pool);

/** Number of threads that share work, the caller included (1 for NULL). */
int kiln_tp_num_threads(const kiln_thread_pool *pool);

/** Runs body(i, arg) for every i in [0, n) on the pool's workers and the
 *  calling thread; returns when all calls are done. Runs inline, in order,
 *  when `pool` is NULL, has no workers, or n <= 1, and also when another
 *  thread's loop has the workers (pools may be shared by contexts). */
void kiln_tp_parallel_for(kiln_thread_pool *pool, int64_t n, kiln_tp_body body,
                          void *arg);

/** The pool as the public kiln_worker_pool (destroy frees the pool). */
const kiln_worker_pool *kiln_tp_interface(kiln_thread_pool *pool);

#endif /* KILN_THREAD_POOL_H */
