/* concurrent_runs.c - runs one compiled model on several contexts at once.
 *
 * Built by concurrent-runs.test against conv_net.h and libconv_net.a (input
 * x [1,16,32,32], output z [1,32,32,32]). Computes a reference output on one
 * context, then runs the model 25 times on each of 4 contexts (2 threads
 * each) from 4 threads at the same time and counts outputs that differ from
 * the reference in any bit. The ABI promises that runs on distinct contexts
 * are independent, so the count must be 0.
 */
#include "conv_net.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define IN_SIZE (16 * 32 * 32)
#define OUT_SIZE (32 * 32 * 32)
#define WORKERS 4
#define RUNS 25

static float input[IN_SIZE];
static float reference[OUT_SIZE];
static const int64_t in_shape[] = {1, 16, 32, 32};
static const int64_t out_shape[] = {1, 32, 32, 32};

static kiln_context *make_context(int threads) {
  kiln_options opts;
  memset(&opts, 0, sizeof opts);
  opts.struct_size = sizeof opts;
  opts.num_threads = threads;
  kiln_context *ctx = NULL;
  if (conv_net_create(&opts, &ctx) != KILN_OK)
    fprintf(stderr, "create failed: %s\n", conv_net_error(NULL));
  return ctx;
}

static int run(kiln_context *ctx, float *out) {
  kiln_tensor in = {input, KILN_DTYPE_FLOAT32, 4, in_shape};
  kiln_tensor o = {out, KILN_DTYPE_FLOAT32, 4, out_shape};
  return conv_net_run(ctx, &in, 1, &o, 1) == KILN_OK;
}

static void *worker(void *arg) {
  long *mismatches = (long *)arg;
  static __thread float out[OUT_SIZE];
  kiln_context *ctx = make_context(2);
  if (!ctx) {
    *mismatches = -1;
    return NULL;
  }
  for (int r = 0; r < RUNS; ++r) {
    memset(out, 0, sizeof out);
    if (!run(ctx, out) || memcmp(out, reference, sizeof out) != 0)
      ++*mismatches;
  }
  conv_net_destroy(ctx);
  return NULL;
}

int main(void) {
  for (int i = 0; i < IN_SIZE; ++i)
    input[i] = (float)((i * 7919) % 1000) / 1000.0f - 0.5f;
  kiln_context *ctx = make_context(1);
  if (!ctx || !run(ctx, reference))
    return 2;
  conv_net_destroy(ctx);
  int nonzero = 0;
  for (int i = 0; i < OUT_SIZE; ++i)
    nonzero += reference[i] != 0.0f;
  printf("reference nonzero outputs: %s\n", nonzero > OUT_SIZE / 10 ? "many" : "few");

  pthread_t threads[WORKERS];
  long mismatches[WORKERS] = {0};
  for (int t = 0; t < WORKERS; ++t)
    pthread_create(&threads[t], NULL, worker, &mismatches[t]);
  long total = 0;
  for (int t = 0; t < WORKERS; ++t) {
    pthread_join(threads[t], NULL);
    total += mismatches[t];
  }
  printf("runs: %d, mismatching runs: %ld\n", WORKERS * RUNS, total);
  return total == 0 ? 0 : 1;
}
