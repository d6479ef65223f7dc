/* fake_net.c - a hand-written stand-in for a `kiln compile` output library.
 *
 * Mimics the generated stub: a kiln_model_impl whose invoke computes
 * y = x + 1 over a float [2,3] input with kiln_rt_parallel_for, and the five
 * exported entry points FAKE_PREFIX_describe/create/run/error/destroy that
 * forward to the runtime. Built twice by test/unit/CMakeLists.txt: as
 * libfakenet.so (a good library) and as libfakebadabi.so, which reports a
 * wrong ABI version, to test ModelLibrary and `kiln run`/`kiln bench`.
 */
#include "kiln_rt.h"

#ifndef FAKE_PREFIX
#define FAKE_PREFIX fakenet
#endif
#ifndef FAKE_ABI_VERSION
#define FAKE_ABI_VERSION KILN_ABI_VERSION
#endif

#define FAKE_CAT2(a, b) a##b
#define FAKE_CAT(a, b) FAKE_CAT2(a, b)
#define FAKE_FN(suffix) FAKE_CAT(FAKE_PREFIX, suffix)
#define FAKE_STR2(a) #a
#define FAKE_STR(a) FAKE_STR2(a)
#define FAKE_EXPORT __attribute__((visibility("default")))

static const int64_t kShape[2] = {2, 3};
static const char *const kDimNames[2] = {"", ""};
static const kiln_tensor_info kInputs[1] = {
    {"x", KILN_DTYPE_FLOAT32, 2, kShape, kDimNames}};
static const kiln_tensor_info kOutputs[1] = {
    {"y", KILN_DTYPE_FLOAT32, 2, kShape, kDimNames}};
static const kiln_model_desc kDesc = {
    FAKE_ABI_VERSION, FAKE_STR(FAKE_PREFIX), KILN_DEVICE_CPU, 1, kInputs, 1,
    kOutputs, "test", "fake_net.c", "c", "generic", ""};

/** The pair of buffers the parallel body works on. */
struct fake_args {
  const float *x;
  float *y;
};

static void add_one(int64_t i, void *arg) {
  struct fake_args *a = (struct fake_args *)arg;
  a->y[i] = a->x[i] + 1.0f;
}

static void invoke(void *const *inputs, const int64_t *const *input_shapes,
                   void *const *outputs, const int64_t *const *output_shapes) {
  struct fake_args a = {(const float *)inputs[0], (float *)outputs[0]};
  (void)input_shapes;
  (void)output_shapes;
  kiln_rt_parallel_for(6, add_one, &a);
}

static const kiln_model_impl kImpl = {&kDesc, invoke, 0, 0, 0};

FAKE_EXPORT const kiln_model_desc *FAKE_FN(_describe)(void) { return &kDesc; }

FAKE_EXPORT kiln_status FAKE_FN(_create)(const kiln_options *opts,
                                         kiln_context **out) {
  return kiln_rt_create(&kImpl, opts, out);
}

FAKE_EXPORT kiln_status FAKE_FN(_output_shapes)(kiln_context *ctx,
                                                const kiln_tensor *inputs,
                                                int32_t num_inputs,
                                                int64_t *dims,
                                                int32_t num_dims) {
  return kiln_rt_output_shapes(&kImpl, ctx, inputs, num_inputs, dims,
                               num_dims);
}

FAKE_EXPORT kiln_status FAKE_FN(_run)(kiln_context *ctx,
                                      const kiln_tensor *inputs,
                                      int32_t num_inputs, kiln_tensor *outputs,
                                      int32_t num_outputs) {
  return kiln_rt_run(&kImpl, ctx, inputs, num_inputs, outputs, num_outputs);
}

FAKE_EXPORT const char *FAKE_FN(_error)(const kiln_context *ctx) {
  return kiln_rt_error(ctx);
}

FAKE_EXPORT void FAKE_FN(_destroy)(kiln_context *ctx) { kiln_rt_destroy(ctx); }
