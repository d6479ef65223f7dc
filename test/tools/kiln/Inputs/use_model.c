/* use_model.c - a C program built against a Kiln-generated header and library.
 *
 * Built by the lit test end-to-end.test against mlp.h and libmlp.a (or .so),
 * the model that make_model.py writes for "mlp": input x [2, 4], outputs
 * y [2, 3] and s [2, 3]. Reads the 8 input floats from stdin, prints the
 * descriptor, runs the model and prints every output element; then checks
 * that a wrongly shaped input is refused with KILN_ERROR_SHAPE_MISMATCH.
 */
#include "mlp.h"

#include <stdio.h>
#include <string.h>

static void print_info(const char *kind, const kiln_tensor_info *t) {
  printf("%s %s dtype=%d shape=[", kind, t->name, (int)t->dtype);
  for (int32_t d = 0; d < t->rank; ++d)
    printf(d ? ",%lld" : "%lld", (long long)t->shape[d]);
  printf("]\n");
}

int main(void) {
  const kiln_model_desc *desc = mlp_describe();
  printf("model %s abi=%u inputs=%d outputs=%d\n", desc->name,
         desc->abi_version, desc->num_inputs, desc->num_outputs);
  for (int32_t i = 0; i < desc->num_inputs; ++i)
    print_info("input", &desc->inputs[i]);
  for (int32_t i = 0; i < desc->num_outputs; ++i)
    print_info("output", &desc->outputs[i]);

  float x[8], y[6], s[6];
  for (int i = 0; i < 8; ++i)
    if (scanf("%f", &x[i]) != 1) {
      fprintf(stderr, "use_model: expected 8 input floats on stdin\n");
      return 3;
    }

  kiln_options opts;
  memset(&opts, 0, sizeof opts);
  opts.struct_size = sizeof opts;
  opts.num_threads = 2;
  kiln_context *ctx = NULL;
  kiln_status st = mlp_create(&opts, &ctx);
  if (st != KILN_OK) {
    fprintf(stderr, "use_model: create failed: %s\n", mlp_error(NULL));
    return 4;
  }

  const int64_t xshape[] = {2, 4}, yshape[] = {2, 3};
  kiln_tensor in = {x, KILN_DTYPE_FLOAT32, 2, xshape};
  kiln_tensor out[2] = {{y, KILN_DTYPE_FLOAT32, 2, yshape},
                        {s, KILN_DTYPE_FLOAT32, 2, yshape}};
  st = mlp_run(ctx, &in, 1, out, 2);
  printf("run status %d\n", (int)st);
  if (st != KILN_OK) {
    fprintf(stderr, "use_model: run failed: %s\n", mlp_error(ctx));
    mlp_destroy(ctx);
    return 5;
  }
  const char *names[2] = {"y", "s"};
  const float *vals[2] = {y, s};
  for (int o = 0; o < 2; ++o) {
    printf("%s:", names[o]);
    for (int i = 0; i < 6; ++i)
      printf(" %.9g", vals[o][i]);
    printf("\n");
  }

  /* The library checks the run-time shape against the descriptor. */
  const int64_t badshape[] = {4, 2};
  kiln_tensor bad = {x, KILN_DTYPE_FLOAT32, 2, badshape};
  st = mlp_run(ctx, &bad, 1, out, 2);
  printf("bad shape status %d (%s)\n", (int)st,
         st == KILN_ERROR_SHAPE_MISMATCH ? "KILN_ERROR_SHAPE_MISMATCH" : "?");
  printf("bad shape error: %s\n", mlp_error(ctx));

  mlp_destroy(ctx);
  return 0;
}
