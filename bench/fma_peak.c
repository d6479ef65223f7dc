/* fma_peak.c - measures this core's peak fp32 fused multiply-add throughput.
 *
 * Runs NACC independent chains of vector FMAs (acc = acc * m + a) with GCC
 * vector extensions, 512-bit vectors where AVX-512 is enabled and 256-bit
 * ones otherwise, so enough FMAs are in flight to hide their latency on every
 * FMA pipe. Prints the best of several ~0.3 s timings on the calling thread
 * as "fma_peak_gflops=X" (and a JSON line with --json). Kiln's GEMM numbers
 * are reported as a share of this.
 *
 * Build: gcc -O2 -march=native -o fma_peak fma_peak.c
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#ifdef __AVX512F__
#define VBYTES 64
#else
#define VBYTES 32
#endif
#define LANES (VBYTES / 4)
#ifndef NACC
#define NACC 12
#endif

typedef float vf __attribute__((vector_size(VBYTES)));

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Runs ITERS rounds of NACC FMAs; returns a sum so nothing is dead. */
static float run(long iters, float seed) {
  vf acc[NACC], m, a;
  for (int l = 0; l < LANES; ++l) {
    m[l] = 0.999999f;
    a[l] = 1e-6f * seed;
  }
  for (int i = 0; i < NACC; ++i)
    for (int l = 0; l < LANES; ++l)
      acc[i][l] = seed + i + l;
  for (long it = 0; it < iters; ++it) {
#pragma GCC unroll 12
    for (int i = 0; i < NACC; ++i)
      acc[i] = acc[i] * m + a;
    /* Keep the accumulators in registers but stop the loop being folded. */
    __asm__ volatile("" : "+x"(m));
  }
  float s = 0;
  for (int i = 0; i < NACC; ++i)
    for (int l = 0; l < LANES; ++l)
      s += acc[i][l];
  return s;
}

int main(int argc, char **argv) {
  int json = argc > 1 && strcmp(argv[1], "--json") == 0;
  long iters = 1 << 20;
  /* Grow the run until it takes at least 0.3 s. */
  for (;;) {
    double t0 = now();
    volatile float sink = run(iters, 1.0f);
    (void)sink;
    if (now() - t0 >= 0.3)
      break;
    iters *= 2;
  }
  double best = 0;
  for (int rep = 0; rep < 5; ++rep) {
    double t0 = now();
    volatile float sink = run(iters, 1.0f + rep);
    (void)sink;
    double gflops = 2.0 * NACC * LANES * (double)iters / (now() - t0) / 1e9;
    if (gflops > best)
      best = gflops;
  }
  if (json)
    printf("{\"fma_peak_gflops\":%.1f,\"vector_bits\":%d,"
           "\"accumulators\":%d}\n",
           best, VBYTES * 8, NACC);
  else
    printf("fma_peak_gflops=%.1f (%d-bit vectors, %d accumulators)\n", best,
           VBYTES * 8, NACC);
  return 0;
}
