/* kiln_rt.h - the runtime's internal interface, used by the per-model stub
 * that `kiln compile` generates and by compiled kernels. Not part of the
 * public ABI: users include only NAME.h and kiln_runtime.h.
 *
 * The generated stub defines a kiln_model_impl for its model and forwards
 * NAME_create/run/error/destroy to the kiln_rt_* functions below, which do
 * argument checking, error reporting and thread-pool management once for all
 * models.
 */
#ifndef KILN_RT_H
#define KILN_RT_H

#include "kiln_runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What a generated stub tells the runtime about its model. */
typedef struct kiln_model_impl {
  const kiln_model_desc *desc;
  /** Runs the compiled graph. `inputs`/`outputs` hold the data pointers in
   *  desc order; shapes and dtypes were checked against desc before. */
  void (*invoke)(void *const *inputs, void *const *outputs);
} kiln_model_impl;

kiln_status kiln_rt_create(const kiln_model_impl *model,
                           const kiln_options *opts, kiln_context **out);
kiln_status kiln_rt_run(const kiln_model_impl *model, kiln_context *ctx,
                        const kiln_tensor *inputs, int32_t num_inputs,
                        kiln_tensor *outputs, int32_t num_outputs);
/** Last error of `ctx`; for ctx == NULL the calling thread's last create
 *  error. Never NULL; "" when there was none. */
const char *kiln_rt_error(const kiln_context *ctx);
void kiln_rt_destroy(kiln_context *ctx);

/** Called by compiled kernels during kiln_rt_run: runs body(i, arg) for every
 *  i in [0, n) on the running context's thread pool and returns when all are
 *  done. Outside a run (or with one thread) it runs them inline in order. */
void kiln_rt_parallel_for(int64_t n, void (*body)(int64_t i, void *arg),
                          void *arg);

#ifdef __cplusplus
}
#endif
#endif /* KILN_RT_H */
