/* omp_shim.c - the few OpenMP runtime entry points compiled models call.
 *
 * Kiln's CPU pipeline parallelizes tiled loops with MLIR's scf-to-openmp
 * conversion, whose LLVM translation (OpenMPIRBuilder) emits calls into the
 * LLVM OpenMP runtime ABI (__kmpc_*). Model libraries must not depend on
 * libomp, so this file implements the subset those loops use on top of the
 * context's thread pool:
 *
 *   __kmpc_fork_call       runs the outlined region once per team member
 *   __kmpc_for_static_init gives each member its contiguous share of a loop
 *   __kmpc_global_thread_num, __kmpc_for_static_fini, __kmpc_barrier
 *
 * A team member is an index of kiln_rt_parallel_for, not an OS thread: the
 * pool may run two members on one thread one after the other. That is sound
 * because every parallel region Kiln emits holds exactly one worksharing
 * loop and nothing after it, so the loop's closing barrier has no work to
 * order and is a no-op here.
 */
#include "kiln_rt.h"

#include <stdarg.h>
#include <stdint.h>

/* The member (team index) the calling thread is executing; 0 outside. */
static __thread int32_t tls_member;
static __thread int32_t tls_team_size = 1;

typedef void (*kiln_microtask)(int32_t *gtid, int32_t *btid, ...);

typedef struct {
  kiln_microtask task;
  int32_t argc;
  void *args[8];
  int32_t team;
} kiln_fork;

static void run_member(int64_t member, void *arg) {
  kiln_fork *f = (kiln_fork *)arg;
  int32_t saved_member = tls_member, saved_team = tls_team_size;
  int32_t gtid = (int32_t)member, btid = (int32_t)member;
  tls_member = gtid;
  tls_team_size = f->team;
  void **a = f->args;
  switch (f->argc) {
  case 0: f->task(&gtid, &btid); break;
  case 1: f->task(&gtid, &btid, a[0]); break;
  case 2: f->task(&gtid, &btid, a[0], a[1]); break;
  case 3: f->task(&gtid, &btid, a[0], a[1], a[2]); break;
  case 4: f->task(&gtid, &btid, a[0], a[1], a[2], a[3]); break;
  case 5: f->task(&gtid, &btid, a[0], a[1], a[2], a[3], a[4]); break;
  case 6: f->task(&gtid, &btid, a[0], a[1], a[2], a[3], a[4], a[5]); break;
  case 7: f->task(&gtid, &btid, a[0], a[1], a[2], a[3], a[4], a[5], a[6]); break;
  default: f->task(&gtid, &btid, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]); break;
  }
  tls_member = saved_member;
  tls_team_size = saved_team;
}

void __kmpc_fork_call(void *ident, int32_t argc, kiln_microtask task, ...) {
  (void)ident;
  kiln_fork f;
  f.task = task;
  f.argc = argc < 0 ? 0 : (argc > 8 ? 8 : argc); /* OpenMPIRBuilder passes 1 */
  va_list ap;
  va_start(ap, task);
  for (int32_t i = 0; i < f.argc; ++i)
    f.args[i] = va_arg(ap, void *);
  va_end(ap);
  /* Inside a region (nested, or on a pool worker) the team size is 1, so
   * the region runs on this member alone. (Not decided from
   * tls_team_size: after a failed allocation longjmps out of a region that
   * is left stale, and the next run would lose its threads.) */
  f.team = kiln_rt_team_size();
  kiln_rt_parallel_for(f.team, run_member, &f);
}

int32_t __kmpc_global_thread_num(void *ident) {
  (void)ident;
  return tls_member;
}

void __kmpc_barrier(void *ident, int32_t gtid) {
  (void)ident;
  (void)gtid;
}

void __kmpc_for_static_fini(void *ident, int32_t gtid) {
  (void)ident;
  (void)gtid;
}

/* Splits [*lower, *upper] (inclusive, step incr > 0) into team-size
 * contiguous blocks and narrows the bounds to member gtid's block. */
#define KILN_STATIC_INIT(NAME, T)                                              \
  void NAME(void *ident, int32_t gtid, int32_t sched, int32_t *last,          \
            T *lower, T *upper, T *stride, T incr, T chunk) {                  \
    (void)ident;                                                               \
    (void)sched;                                                               \
    (void)chunk;                                                               \
    T trips = incr > 0 ? (T)((*upper - *lower) / incr + 1) : (T)1;             \
    T team = (T)tls_team_size, member = (T)gtid;                               \
    T base = trips / team, extra = trips % team;                               \
    T first = member * base + (member < extra ? member : extra);               \
    T count = base + (member < extra ? 1 : 0);                                 \
    T start = *lower;                                                          \
    *lower = start + first * incr;                                             \
    *upper = start + (first + count - 1) * incr;                               \
    *stride = trips * incr;                                                    \
    if (last)                                                                  \
      *last = count > 0 && first + count == trips;                             \
  }
KILN_STATIC_INIT(__kmpc_for_static_init_4, int32_t)
KILN_STATIC_INIT(__kmpc_for_static_init_4u, uint32_t)
KILN_STATIC_INIT(__kmpc_for_static_init_8, int64_t)
KILN_STATIC_INIT(__kmpc_for_static_init_8u, uint64_t)
