/* cuda_options.c - the CUDA options of kiln_options, against the stand-in
 * driver of the unit tests.
 *
 * Built by the lit test cuda-fake-driver.test against mlp.h and a CUDA
 * libmlp.so (the make_model.py "mlp": input x [2, 4], outputs y and s
 * [2, 3]). Usage: cuda_options FAKE_DRIVER, with KILN_CUDA_DRIVER naming
 * the same file, so that dlopen here returns the runtime's handle and the
 * stand-in's counters are the ones the runs moved. The stand-in's device
 * memory is host memory, so host arrays serve as "device pointers". Prints
 * how many copies a run with host tensors and one with device tensors
 * made after the first run (which also copies the constant weights, once
 * per library), and which stream the kernels were launched on.
 */
#include "mlp.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

typedef int (*calls_fn)(const char *);
typedef void *(*stream_fn)(void);
typedef void (*configure_fn)(int, int, int);

static int run_once(kiln_options *opts) {
  float x[8] = {0}, y[6], s[6];
  const int64_t xshape[] = {2, 4}, yshape[] = {2, 3};
  kiln_tensor in = {x, KILN_DTYPE_FLOAT32, 2, xshape};
  kiln_tensor out[2] = {{y, KILN_DTYPE_FLOAT32, 2, yshape},
                        {s, KILN_DTYPE_FLOAT32, 2, yshape}};
  kiln_context *ctx = NULL;
  if (mlp_create(opts, &ctx) != KILN_OK) {
    fprintf(stderr, "cuda_options: create failed: %s\n", mlp_error(NULL));
    return 0;
  }
  kiln_status st = mlp_run(ctx, &in, 1, out, 2);
  if (st != KILN_OK)
    fprintf(stderr, "cuda_options: run failed: %s\n", mlp_error(ctx));
  mlp_destroy(ctx);
  return st == KILN_OK;
}

int main(int argc, char **argv) {
  if (argc != 2)
    return 2;
  void *driver = dlopen(argv[1], RTLD_NOW);
  if (!driver)
    return 3;
  calls_fn calls = (calls_fn)dlsym(driver, "fake_cuda_calls");
  stream_fn last_stream = (stream_fn)dlsym(driver, "fake_cuda_last_launch_stream");
  configure_fn configure = (configure_fn)dlsym(driver, "fake_cuda_configure");
  if (!calls || !last_stream || !configure)
    return 4;

  kiln_options opts;
  memset(&opts, 0, sizeof opts);
  opts.struct_size = sizeof opts;
  if (!run_once(&opts)) /* loads the module first: not counted below */
    return 5;
  configure(0, 1, 0);
  if (!run_once(&opts))
    return 5;
  int host_copies = calls("cuMemcpyAsync");
  void *own_stream = last_stream();

  static char caller_stream_token;
  opts.tensors_on_device = 1;
  opts.cuda_stream = &caller_stream_token;
  configure(0, 1, 0);
  if (!run_once(&opts))
    return 5;
  int device_copies = calls("cuMemcpyAsync");
  printf("copies per run with host tensors: %d\n", host_copies);
  printf("copies per run with device tensors: %d\n", device_copies);
  printf("kernels launched: %d\n", calls("cuLaunchKernel") > 0);
  printf("own stream used without cuda_stream: %d\n",
         own_stream != NULL && own_stream != (void *)&caller_stream_token);
  printf("caller's stream used: %d\n",
         last_stream() == (void *)&caller_stream_token);
  return 0;
}
