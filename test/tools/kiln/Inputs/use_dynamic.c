/* use_dynamic.c - the dynamic-shape side of the library ABI, from C.
 *
 * Built by dynamic-abi.test against dyn.h / libdyn.so (make_model.py's
 * "mlp_dynamic": x [batch, 4] -> y, s [batch, 3]) and shared.h /
 * libshared.so ("shared_batch": a, b [batch, 3] -> z). Prints what the
 * descriptor says, the output shapes NAME_output_shapes gives for several
 * batch sizes, checks that each row of a batched run equals a batch-1 run
 * of that row, and prints the status and message of each misuse.
 */
#include "dyn.h"
#include "shared.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static float input_value(int row, int col) {
  return (float)sin(row * 4 + col + 0.5) * 2.0f;
}

/* Runs dyn on `batch` rows starting at row `first`; fills y (batch x 3). */
static kiln_status run_rows(kiln_context *ctx, int first, int batch, float *y,
                            int64_t *dims) {
  float *x = malloc(sizeof(float) * 4 * (size_t)batch);
  float *s = malloc(sizeof(float) * 3 * (size_t)batch);
  for (int r = 0; r < batch; ++r)
    for (int c = 0; c < 4; ++c)
      x[r * 4 + c] = input_value(first + r, c);
  int64_t xshape[2] = {batch, 4};
  kiln_tensor in = dyn_in_x(x, xshape); /* the header's typed helpers */
  kiln_status st = dyn_output_shapes(ctx, &in, 1, dims, 4);
  if (st == KILN_OK) {
    kiln_tensor out[2];
    out[DYN_OUTPUT_y] = dyn_out_y(y, dims);
    out[DYN_OUTPUT_s] = dyn_out_s(s, dims + 2);
    st = dyn_run(ctx, &in, 1, out, 2);
  }
  free(x);
  free(s);
  return st;
}

static void misuse(kiln_context *ctx) {
  float x[12] = {0}, y[9], s[9];
  int64_t x3[2] = {3, 4}, y2[2] = {2, 3}, y3[2] = {3, 3}, dims[3];
  kiln_tensor in = {x, KILN_DTYPE_FLOAT32, 2, x3};
  kiln_tensor out[2] = {{y, KILN_DTYPE_FLOAT32, 2, y2},
                        {s, KILN_DTYPE_FLOAT32, 2, y3}};
  kiln_status st = dyn_run(ctx, &in, 1, out, 2);
  printf("wrong output shape: status %d: %s\n", (int)st, dyn_error(ctx));
  st = dyn_output_shapes(ctx, &in, 1, dims, 3);
  printf("short dims array: status %d: %s\n", (int)st, dyn_error(ctx));
  int64_t x0[2] = {0, 4};
  in.shape = x0;
  st = dyn_run(ctx, &in, 1, out, 2);
  printf("zero batch: status %d: %s\n", (int)st, dyn_error(ctx));
}

static void shared_dims(void) {
  kiln_context *ctx = NULL;
  if (shared_create(NULL, &ctx) != KILN_OK)
    return;
  float a[9] = {0}, b[9] = {0}, z[9];
  int64_t a3[2] = {3, 3}, b2[2] = {2, 3}, z3[2] = {3, 3};
  kiln_tensor in[2] = {{a, KILN_DTYPE_FLOAT32, 2, a3},
                       {b, KILN_DTYPE_FLOAT32, 2, b2}};
  kiln_tensor out = {z, KILN_DTYPE_FLOAT32, 2, z3};
  kiln_status st = shared_run(ctx, in, 2, &out, 1);
  printf("batch disagrees: status %d: %s\n", (int)st, shared_error(ctx));
  shared_destroy(ctx);
}

int main(void) {
  const kiln_model_desc *desc = dyn_describe();
  const kiln_tensor_info *x = &desc->inputs[DYN_INPUT_x];
  printf("abi %u, input x [%lld,%lld] dim names '%s' '%s'\n",
         desc->abi_version, (long long)x->shape[0], (long long)x->shape[1],
         x->dim_names[0], x->dim_names[1]);
  printf("find: x=%d s=%d nope=%d\n", (int)kiln_find_input(desc, "x"),
         (int)kiln_find_output(desc, "s"), (int)kiln_find_input(desc, "nope"));
  printf("source %s (%s), cpu set: %d, kiln version set: %d\n", desc->source,
         desc->source_format, desc->target_cpu[0] != 0,
         desc->kiln_version[0] != 0);

  kiln_context *ctx = NULL;
  if (dyn_create(NULL, &ctx) != KILN_OK) {
    fprintf(stderr, "create: %s\n", dyn_error(NULL));
    return 1;
  }
  int bad_rows = 0;
  for (int batch = 1; batch <= 9; batch += 4) {
    float *y = malloc(sizeof(float) * 3 * (size_t)batch), one[3];
    int64_t dims[4], one_dims[4];
    kiln_status st = run_rows(ctx, 0, batch, y, dims);
    printf("batch %d: status %d, output shapes [%lld,%lld] [%lld,%lld]\n",
           batch, (int)st, (long long)dims[0], (long long)dims[1],
           (long long)dims[2], (long long)dims[3]);
    for (int r = 0; r < batch && st == KILN_OK; ++r) {
      run_rows(ctx, r, 1, one, one_dims);
      for (int c = 0; c < 3; ++c)
        bad_rows += fabsf(one[c] - y[r * 3 + c]) > 1e-5f * (1 + fabsf(one[c]));
    }
    free(y);
  }
  printf("rows differing from batch-1 runs: %d\n", bad_rows);
  misuse(ctx);
  dyn_destroy(ctx);
  shared_dims();
  return 0;
}
