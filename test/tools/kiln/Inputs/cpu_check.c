/* cpu_check.c - prints what a library compiled for some CPU says when it is
 * created on this one. Built by cpu-features.test against model.h; prints
 * the descriptor's target CPU and features, then "create: OK" or
 * "create: status N: MESSAGE". */
#include "model.h"

#include <stdio.h>

int main(void) {
  const kiln_model_desc *d = model_describe();
  printf("cpu: %s\nfeatures: %s\n", d->target_cpu, d->target_features);
  kiln_context *ctx = NULL;
  kiln_status st = model_create(NULL, &ctx);
  if (st == KILN_OK)
    printf("create: OK\n");
  else
    printf("create: status %d: %s\n", (int)st, model_error(NULL));
  model_destroy(ctx);
  return 0;
}
