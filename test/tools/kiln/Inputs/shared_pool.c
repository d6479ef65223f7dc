/* shared_pool.c - several models, several contexts, one worker pool.
 *
 * Built by shared-pool.test against two compiled models: conv_net (x
 * [1,16,32,32] -> z [1,32,32,32]) and dyn (make_model.py's mlp_dynamic,
 * run at batch 4). One pool of 2 threads, made by conv_net's library, is
 * handed to 4 contexts (2 per model) that run from 4 threads at once; every
 * output must be bit-identical to a reference run on a private
 * single-threaded context. A pool the program implements itself (running
 * the loop on the calling thread) must work too.
 */
#include "conv_net.h"
#include "dyn.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define CONV_IN (16 * 32 * 32)
#define CONV_OUT (32 * 32 * 32)
#define RUNS 30

static float conv_x[CONV_IN], conv_ref[CONV_OUT];
static float mlp_x[16], mlp_ref_y[12], mlp_ref_s[12];
static const int64_t conv_in_shape[] = {1, 16, 32, 32};
static const int64_t conv_out_shape[] = {1, 32, 32, 32};
static const int64_t mlp_in_shape[] = {4, 4}, mlp_out_shape[] = {4, 3};

static kiln_options options(const kiln_worker_pool *pool) {
  kiln_options o;
  memset(&o, 0, sizeof o);
  o.struct_size = sizeof o;
  o.num_threads = 1;
  o.worker_pool = pool;
  return o;
}

static int run_conv(kiln_context *ctx, float *out) {
  kiln_tensor in = {conv_x, KILN_DTYPE_FLOAT32, 4, conv_in_shape};
  kiln_tensor o = {out, KILN_DTYPE_FLOAT32, 4, conv_out_shape};
  return conv_net_run(ctx, &in, 1, &o, 1) == KILN_OK;
}

static int run_mlp(kiln_context *ctx, float *y, float *s) {
  kiln_tensor in = {mlp_x, KILN_DTYPE_FLOAT32, 2, mlp_in_shape};
  kiln_tensor o[2] = {{y, KILN_DTYPE_FLOAT32, 2, mlp_out_shape},
                      {s, KILN_DTYPE_FLOAT32, 2, mlp_out_shape}};
  return dyn_run(ctx, &in, 1, o, 2) == KILN_OK;
}

struct job {
  const kiln_worker_pool *pool;
  int conv;
  long mismatches;
};

static void *worker(void *arg) {
  struct job *j = (struct job *)arg;
  static __thread float out[CONV_OUT], y[12], s[12];
  kiln_options o = options(j->pool);
  kiln_context *ctx = NULL;
  kiln_status st = j->conv ? conv_net_create(&o, &ctx) : dyn_create(&o, &ctx);
  if (st != KILN_OK) {
    j->mismatches = -1;
    return NULL;
  }
  for (int r = 0; r < RUNS; ++r) {
    if (j->conv) {
      memset(out, 0, sizeof out);
      j->mismatches += !run_conv(ctx, out) ||
                       memcmp(out, conv_ref, sizeof out) != 0;
    } else {
      memset(y, 0, sizeof y);
      j->mismatches += !run_mlp(ctx, y, s) ||
                       memcmp(y, mlp_ref_y, sizeof y) != 0 ||
                       memcmp(s, mlp_ref_s, sizeof s) != 0;
    }
  }
  if (j->conv)
    conv_net_destroy(ctx);
  else
    dyn_destroy(ctx);
  return NULL;
}

/* A pool of the program's own: runs the loop on the calling thread. */
static int own_pool_calls;
static void own_parallel_for(void *impl, int64_t n,
                             void (*body)(int64_t, void *), void *arg) {
  (void)impl;
  ++own_pool_calls;
  for (int64_t i = 0; i < n; ++i)
    body(i, arg);
}

int main(void) {
  for (int i = 0; i < CONV_IN; ++i)
    conv_x[i] = (float)((i * 7919) % 1000) / 1000.0f - 0.5f;
  for (int i = 0; i < 16; ++i)
    mlp_x[i] = (float)((i * 37) % 11) / 5.0f - 1.0f;
  kiln_options o = options(NULL);
  kiln_context *c = NULL, *d = NULL;
  if (conv_net_create(&o, &c) != KILN_OK || dyn_create(&o, &d) != KILN_OK ||
      !run_conv(c, conv_ref) || !run_mlp(d, mlp_ref_y, mlp_ref_s))
    return 2;
  conv_net_destroy(c);
  dyn_destroy(d);

  kiln_worker_pool *pool = NULL;
  if (conv_net_create_worker_pool(2, &pool) != KILN_OK)
    return 3;
  printf("pool threads: %d\n", (int)pool->num_threads);
  pthread_t threads[4];
  struct job jobs[4];
  for (int t = 0; t < 4; ++t) {
    jobs[t].pool = pool;
    jobs[t].conv = t < 2;
    jobs[t].mismatches = 0;
    pthread_create(&threads[t], NULL, worker, &jobs[t]);
  }
  long total = 0;
  for (int t = 0; t < 4; ++t) {
    pthread_join(threads[t], NULL);
    total += jobs[t].mismatches;
  }
  printf("shared pool: runs %d, mismatching runs %ld\n", 4 * RUNS, total);
  dyn_destroy_worker_pool(pool); /* any model's function frees any pool */

  kiln_worker_pool own = {NULL, 2, own_parallel_for, NULL};
  struct job mine = {&own, 1, 0};
  worker(&mine);
  printf("own pool: mismatching runs %ld, loops it ran: %s\n",
         mine.mismatches, own_pool_calls > 0 ? "some" : "none");
  return 0;
}
