/* thread_pool.c - the runtime's pthread worker pool.
 *
 * Workers sleep on `work_cv` until the generation counter changes, then
 * claim chunks of the current index range with an atomic counter until it
 * is exhausted, and report completion through `pending`/`done_cv`. Every
 * worker takes part in every generation (possibly finding no chunk left), so
 * the caller knows a job is over once `pending` reaches zero and no worker
 * can still be reading the job's fields. Nobody spins: idle threads block on
 * condition variables. Only libc and pthread are used.
 */
#define _POSIX_C_SOURCE 200809L

#include "thread_pool.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

/** Largest number of threads a pool accepts. */
enum { KILN_TP_MAX_THREADS = 1024 };

struct kiln_thread_pool {
  pthread_mutex_t mu;
  pthread_cond_t work_cv; /**< signalled when a job is posted or on stop */
  pthread_cond_t done_cv; /**< signalled when `pending` reaches zero */
  pthread_t *workers;
  int num_workers;
  int stopping;
  uint64_t generation; /**< bumped for every posted job */
  int pending;         /**< workers that have not finished the job yet */
  /* The current job; written under `mu` before the generation is bumped. */
  kiln_tp_body body;
  void *arg;
  int64_t n;
  int64_t chunk;
  int64_t next; /**< next unclaimed index, advanced atomically */
  int busy;     /**< a loop has the workers (CAS by the posting thread) */
  kiln_worker_pool iface; /**< the pool as kiln_runtime.h describes pools */
};

int kiln_tp_resolve_threads(int32_t requested) {
  long n = requested;
  if (n <= 0)
    n = sysconf(_SC_NPROCESSORS_ONLN);
  if (n < 1)
    n = 1;
  if (n > KILN_TP_MAX_THREADS)
    n = KILN_TP_MAX_THREADS;
  return (int)n;
}

/** Claims chunks of the current job and runs them until none is left. */
static void run_chunks(kiln_thread_pool *pool, kiln_tp_body body, void *arg,
                       int64_t n, int64_t chunk) {
  for (;;) {
    int64_t begin = __atomic_fetch_add(&pool->next, chunk, __ATOMIC_RELAXED);
    if (begin >= n)
      return;
    int64_t end = begin + chunk < n ? begin + chunk : n;
    for (int64_t i = begin; i < end; ++i)
      body(i, arg);
  }
}

/* Compiled models post many short jobs back to back (one per parallel
 * loop); a futex wake-up per job costs more than small loops take. So
 * waiting threads first spin a bounded while (a few hundred microseconds)
 * before they sleep on the condition variables. */
#define KILN_TP_SPIN 20000

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

/** Spins until the generation differs from `seen` or the budget runs out. */
static void spin_for_work(kiln_thread_pool *pool, uint64_t seen) {
  for (int i = 0; i < KILN_TP_SPIN; ++i) {
    if (__atomic_load_n(&pool->generation, __ATOMIC_ACQUIRE) != seen ||
        __atomic_load_n(&pool->stopping, __ATOMIC_ACQUIRE))
      return;
    cpu_relax();
  }
}

/** Worker loop: wait for a new generation, help with it, report done. */
static void *worker_main(void *p) {
  kiln_thread_pool *pool = (kiln_thread_pool *)p;
  uint64_t seen = 0;
  for (;;) {
    spin_for_work(pool, seen);
    pthread_mutex_lock(&pool->mu);
    while (!pool->stopping && pool->generation == seen)
      pthread_cond_wait(&pool->work_cv, &pool->mu);
    if (pool->stopping)
      break;
    seen = pool->generation;
    kiln_tp_body body = pool->body;
    void *arg = pool->arg;
    int64_t n = pool->n, chunk = pool->chunk;
    pthread_mutex_unlock(&pool->mu);
    run_chunks(pool, body, arg, n, chunk);
    pthread_mutex_lock(&pool->mu);
    if (__atomic_sub_fetch(&pool->pending, 1, __ATOMIC_RELEASE) == 0)
      pthread_cond_signal(&pool->done_cv);
    pthread_mutex_unlock(&pool->mu);
  }
  pthread_mutex_unlock(&pool->mu);
  return NULL;
}

/** Asks the first `started` workers to stop and joins them. */
static void stop_workers(kiln_thread_pool *pool, int started) {
  pthread_mutex_lock(&pool->mu);
  __atomic_store_n(&pool->stopping, 1, __ATOMIC_RELEASE);
  pthread_cond_broadcast(&pool->work_cv);
  pthread_mutex_unlock(&pool->mu);
  for (int i = 0; i < started; ++i)
    pthread_join(pool->workers[i], NULL);
}

/** Frees the pool's memory and synchronisation objects. */
static void free_pool(kiln_thread_pool *pool) {
  pthread_cond_destroy(&pool->done_cv);
  pthread_cond_destroy(&pool->work_cv);
  pthread_mutex_destroy(&pool->mu);
  free(pool->workers);
  free(pool);
}

static void iface_parallel_for(void *impl, int64_t n, kiln_tp_body body,
                               void *arg) {
  kiln_tp_parallel_for((kiln_thread_pool *)impl, n, body, arg);
}

static void iface_destroy(void *impl) {
  kiln_tp_destroy((kiln_thread_pool *)impl);
}

const kiln_worker_pool *kiln_tp_interface(kiln_thread_pool *pool) {
  return pool ? &pool->iface : NULL;
}

kiln_thread_pool *kiln_tp_create(int num_threads) {
  kiln_thread_pool *pool = (kiln_thread_pool *)calloc(1, sizeof(*pool));
  if (!pool)
    return NULL;
  int workers = num_threads > 1 ? num_threads - 1 : 0;
  if (workers > KILN_TP_MAX_THREADS)
    workers = KILN_TP_MAX_THREADS;
  pool->workers = (pthread_t *)calloc(workers ? workers : 1, sizeof(pthread_t));
  if (!pool->workers) {
    free(pool);
    return NULL;
  }
  pthread_mutex_init(&pool->mu, NULL);
  pthread_cond_init(&pool->work_cv, NULL);
  pthread_cond_init(&pool->done_cv, NULL);
  for (int i = 0; i < workers; ++i) {
    if (pthread_create(&pool->workers[i], NULL, worker_main, pool) != 0) {
      stop_workers(pool, i);
      free_pool(pool);
      return NULL;
    }
  }
  pool->num_workers = workers;
  pool->iface.impl = pool;
  pool->iface.num_threads = workers + 1;
  pool->iface.parallel_for = iface_parallel_for;
  pool->iface.destroy = iface_destroy;
  return pool;
}

void kiln_tp_destroy(kiln_thread_pool *pool) {
  if (!pool)
    return;
  stop_workers(pool, pool->num_workers);
  free_pool(pool);
}

int kiln_tp_num_threads(const kiln_thread_pool *pool) {
  return pool ? pool->num_workers + 1 : 1;
}

/** Runs the whole range on the calling thread, in order. */
static void run_inline(int64_t n, kiln_tp_body body, void *arg) {
  for (int64_t i = 0; i < n; ++i)
    body(i, arg);
}

void kiln_tp_parallel_for(kiln_thread_pool *pool, int64_t n, kiln_tp_body body,
                          void *arg) {
  if (n <= 0 || !body)
    return;
  int idle = 0;
  if (!pool || pool->num_workers == 0 || n == 1 ||
      !__atomic_compare_exchange_n(&pool->busy, &idle, 1, 0, __ATOMIC_ACQUIRE,
                                   __ATOMIC_RELAXED)) {
    run_inline(n, body, arg);
    return;
  }
  /* About four chunks per thread balances load without much contention. */
  int64_t chunk = n / ((int64_t)kiln_tp_num_threads(pool) * 4);
  if (chunk < 1)
    chunk = 1;
  pthread_mutex_lock(&pool->mu);
  pool->body = body;
  pool->arg = arg;
  pool->n = n;
  pool->chunk = chunk;
  pool->next = 0;
  pool->pending = pool->num_workers;
  __atomic_add_fetch(&pool->generation, 1, __ATOMIC_RELEASE);
  pthread_cond_broadcast(&pool->work_cv);
  pthread_mutex_unlock(&pool->mu);

  /* `body` must not longjmp out (kiln_rt_parallel_for guards each call):
   * the workers still run the job. */
  run_chunks(pool, body, arg, n, chunk);

  for (int i = 0; i < KILN_TP_SPIN &&
                  __atomic_load_n(&pool->pending, __ATOMIC_ACQUIRE) > 0;
       ++i)
    cpu_relax();
  pthread_mutex_lock(&pool->mu);
  while (pool->pending > 0)
    pthread_cond_wait(&pool->done_cv, &pool->mu);
  pthread_mutex_unlock(&pool->mu);
  __atomic_store_n(&pool->busy, 0, __ATOMIC_RELEASE);
}
