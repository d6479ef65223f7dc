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
   *  desc order and `*_shapes` their dims; shapes and dtypes were checked
   *  against desc (and the output shapes against output_dims) before. */
  void (*invoke)(void *const *inputs, const int64_t *const *input_shapes,
                 void *const *outputs, const int64_t *const *output_shapes);
  /** Writes the dims of every output (outputs in order, all their dims)
   *  for the given inputs; NULL when every output dim is static. */
  void (*output_dims)(void *const *inputs, const int64_t *const *input_shapes,
                      int64_t *dims);
  /** The first CPU feature the compiled code needs that this CPU lacks, or
   *  NULL; NULL pointer when the library needs nothing checked. */
  const char *(*missing_cpu_feature)(void);
  /** Per input, 2 x rank entries: each dim's smallest and largest allowed
   *  size (-1: no bound), the range a dynamic dim was exported with
   *  (torch.export's Dim(min=, max=)); NULL (the table or an input's
   *  entry) when nothing is bounded. */
  const int64_t *const *input_dim_ranges;
} kiln_model_impl;

kiln_status kiln_rt_create(const kiln_model_impl *model,
                           const kiln_options *opts, kiln_context **out);
kiln_status kiln_rt_output_shapes(const kiln_model_impl *model,
                                  kiln_context *ctx, const kiln_tensor *inputs,
                                  int32_t num_inputs, int64_t *dims,
                                  int32_t num_dims);
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

/** Called by compiled code when two run-time dims that must be equal (where
 *  two dynamic dims meet in an elementwise op) differ: the run stops and
 *  returns KILN_ERROR_SHAPE_MISMATCH. Does not return. */
void kiln_rt_dims_disagree(int64_t a, int64_t b);

/** Called by compiled code when a run-time dim is shorter than the model
 *  needs (top_k's k on a dynamic dim); stops the run like
 *  kiln_rt_dims_disagree. Does not return. */
void kiln_rt_dim_too_small(int64_t dim, int64_t least);

/** Called by compiled code when an index read from the inputs at run time
 *  (Gather, GatherND, ScatterND and the element forms) lies outside
 *  [-extent, extent): the run stops and returns KILN_ERROR_INVALID_ARGUMENT.
 *  Does not return. */
void kiln_rt_index_out_of_range(int64_t index, int64_t extent);

/** Called by the GPU runtime (runtime/cuda) when a driver call of the
 *  compiled code fails: the run stops and returns KILN_ERROR_INTERNAL with
 *  `message` (copied) as its error. Does not return; outside a run it
 *  prints the message and aborts. */
void kiln_rt_device_failed(const char *message);

/** As kiln_rt_device_failed, for a device that ran out of memory: the run
 *  returns KILN_ERROR_OUT_OF_MEMORY. */
void kiln_rt_device_out_of_memory(const char *message);

/** Nonzero while a run of a CUDA library whose caller passes device
 *  pointers (kiln_options.tensors_on_device) is in progress on this thread:
 *  the compiled code then uses the tensors in place instead of copying. */
int32_t kiln_rt_tensors_on_device(void);

/** Threads a parallel loop started now would run on (1 inside a loop). */
int32_t kiln_rt_team_size(void);

kiln_status kiln_rt_create_worker_pool(int32_t num_threads,
                                       kiln_worker_pool **out);
void kiln_rt_destroy_worker_pool(kiln_worker_pool *pool);

#ifdef __cplusplus
}
#endif
#endif /* KILN_RT_H */
