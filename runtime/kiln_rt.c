/* kiln_rt.c - the runtime behind every compiled model's entry points.
 *
 * A generated stub forwards NAME_create/run/error/destroy here. This file
 * owns the kiln_context (thread pool, per-context error text, scratch arrays
 * of data pointers), validates options and tensors through check.h, installs
 * the context's pool as the thread's current pool for the duration of a run,
 * and keeps a thread-local error for failures that have no context (create,
 * or run with a NULL context). Plain C99 plus pthread.
 */
#define _POSIX_C_SOURCE 200809L

#include "kiln_rt.h"

#include "check.h"
#include "cuda/cuda_driver.h"
#include "scratch.h"
#include "thread_pool.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kiln_context {
  const kiln_model_impl *model;
  kiln_thread_pool *own_pool;    /**< threads this context started, or NULL */
  const kiln_worker_pool *pool;  /**< what its loops run on, or NULL */
  kiln_scratch *scratch; /**< reused temporary buffers of the compiled code */
  void **input_ptrs;  /**< desc->num_inputs entries, filled per run */
  void **output_ptrs; /**< desc->num_outputs entries, filled per run */
  const int64_t **input_shapes;  /**< desc->num_inputs entries, per run */
  const int64_t **output_shapes; /**< desc->num_outputs entries, per run */
  int64_t *output_dims; /**< every output dim, computed per run */
  void *cuda_stream;      /**< kiln_options.cuda_stream */
  int32_t tensors_on_device; /**< kiln_options.tensors_on_device */
  int32_t num_output_dims;
  char error[KILN_RT_ERROR_SIZE];
};

/** Error of the last failing call on this thread that had no context. */
static __thread char tls_error[KILN_RT_ERROR_SIZE];

/** The pool of the run in progress on this thread; NULL outside a run and
 *  inside a parallel loop (nested loops run inline). */
static __thread const kiln_worker_pool *tls_pool;

/** Why the run stopped, as kiln_rt_dims_disagree, kiln_rt_dim_too_small,
 *  kiln_rt_index_out_of_range or kiln_rt_device_failed reported it, for the
 *  run's error message. */
static __thread char tls_failure_message[KILN_RT_ERROR_SIZE];

/** Whether the device failure of the run in progress was a lack of device
 *  memory (KILN_ERROR_OUT_OF_MEMORY rather than KILN_ERROR_INTERNAL). */
static __thread int tls_device_out_of_memory;

/** kiln_options.tensors_on_device of the run in progress on this thread. */
static __thread int32_t tls_tensors_on_device;

int32_t kiln_rt_tensors_on_device(void) { return tls_tensors_on_device; }

/** Name of a device for messages. */
static const char *device_name(kiln_device device) {
  switch (device) {
  case KILN_DEVICE_CPU:
    return "cpu";
  case KILN_DEVICE_CUDA:
    return "cuda";
  }
  return "unknown";
}

/** True when a field ending at byte `end` lies inside the caller's struct. */
static int option_given(const kiln_options *opts, size_t end) {
  return opts && opts->struct_size >= end;
}

/** Validates the options against the model; fills `threads` and `pool`. */
static kiln_status check_options(const kiln_model_impl *model,
                                 const kiln_options *opts, int *threads,
                                 const kiln_worker_pool **pool) {
  if (opts && opts->struct_size < sizeof(uint32_t)) {
    kiln_check_format(tls_error,
                      "options.struct_size is %u; set it to "
                      "sizeof(kiln_options)",
                      (unsigned)opts->struct_size);
    return KILN_ERROR_INVALID_ARGUMENT;
  }
  size_t threads_end = offsetof(kiln_options, num_threads) + sizeof(int32_t);
  size_t device_end = offsetof(kiln_options, device) + sizeof(kiln_device);
  int32_t requested = option_given(opts, threads_end) ? opts->num_threads : 0;
  /* KILN_DEVICE_CPU is 0, so an explicit CPU cannot be told from a field
   * left zero: like every zero option it means the default, here the
   * library's own device. */
  kiln_device device =
      option_given(opts, device_end) && opts->device != KILN_DEVICE_CPU
          ? opts->device
          : model->desc->device;
  if (device != model->desc->device) {
    kiln_check_format(tls_error,
                      "model '%s' runs on device %s, but the options ask "
                      "for device %s",
                      model->desc->name, device_name(model->desc->device),
                      device_name(device));
    return KILN_ERROR_UNSUPPORTED;
  }
  *threads = kiln_tp_resolve_threads(requested);
  size_t pool_end =
      offsetof(kiln_options, worker_pool) + sizeof(const kiln_worker_pool *);
  *pool = option_given(opts, pool_end) ? opts->worker_pool : NULL;
  if (*pool && (!(*pool)->parallel_for || (*pool)->num_threads < 1)) {
    kiln_check_format(tls_error, "options.worker_pool has no parallel_for or "
                                 "a thread count below 1");
    return KILN_ERROR_INVALID_ARGUMENT;
  }
  return KILN_OK;
}

/** Allocates a context and its pointer arrays; NULL when out of memory. */
static kiln_context *alloc_context(const kiln_model_impl *model) {
  const kiln_model_desc *desc = model->desc;
  kiln_context *ctx = (kiln_context *)calloc(1, sizeof(*ctx));
  if (!ctx)
    return NULL;
  ctx->model = model;
  ctx->input_ptrs = (void **)calloc(
      desc->num_inputs > 0 ? (size_t)desc->num_inputs : 1, sizeof(void *));
  ctx->output_ptrs = (void **)calloc(
      desc->num_outputs > 0 ? (size_t)desc->num_outputs : 1, sizeof(void *));
  ctx->input_shapes = (const int64_t **)calloc(
      desc->num_inputs > 0 ? (size_t)desc->num_inputs : 1, sizeof(int64_t *));
  ctx->output_shapes = (const int64_t **)calloc(
      desc->num_outputs > 0 ? (size_t)desc->num_outputs : 1, sizeof(int64_t *));
  for (int32_t i = 0; i < desc->num_outputs; ++i)
    ctx->num_output_dims += desc->outputs[i].rank;
  ctx->output_dims = (int64_t *)calloc(
      ctx->num_output_dims > 0 ? (size_t)ctx->num_output_dims : 1,
      sizeof(int64_t));
  ctx->scratch = kiln_scratch_create();
  if (!ctx->input_ptrs || !ctx->output_ptrs || !ctx->input_shapes ||
      !ctx->output_shapes || !ctx->output_dims || !ctx->scratch) {
    kiln_rt_destroy(ctx);
    return NULL;
  }
  return ctx;
}

kiln_status kiln_rt_create(const kiln_model_impl *model,
                           const kiln_options *opts, kiln_context **out) {
  tls_error[0] = '\0';
  if (out)
    *out = NULL;
  if (!model || !model->desc || !model->invoke) {
    kiln_check_format(tls_error, "model implementation is NULL or incomplete");
    return KILN_ERROR_INVALID_ARGUMENT;
  }
  if (!out) {
    kiln_check_format(tls_error, "out (the kiln_context **) is NULL");
    return KILN_ERROR_INVALID_ARGUMENT;
  }
  int threads = 1;
  const kiln_worker_pool *shared = NULL;
  kiln_status status = check_options(model, opts, &threads, &shared);
  if (status != KILN_OK)
    return status;
  if (model->desc->device == KILN_DEVICE_CUDA) {
    /* Once per process: the driver, a device and its context. */
    status = kiln_cuda_open(tls_error, sizeof tls_error);
    if (status != KILN_OK)
      return status;
  }
  const char *missing =
      model->missing_cpu_feature ? model->missing_cpu_feature() : NULL;
  if (missing) {
    kiln_check_format(tls_error,
                      "model '%s' was compiled for CPU '%s' and needs the "
                      "'%s' feature, which this CPU lacks (recompile it with "
                      "--cpu=NAME for this machine)",
                      model->desc->name, model->desc->target_cpu, missing);
    return KILN_ERROR_UNSUPPORTED;
  }
  kiln_context *ctx = alloc_context(model);
  if (!ctx) {
    kiln_check_format(tls_error, "out of memory creating a context");
    return KILN_ERROR_OUT_OF_MEMORY;
  }
  size_t stream_end = offsetof(kiln_options, cuda_stream) + sizeof(void *);
  size_t on_device_end =
      offsetof(kiln_options, tensors_on_device) + sizeof(int32_t);
  ctx->cuda_stream = option_given(opts, stream_end) ? opts->cuda_stream : NULL;
  ctx->tensors_on_device =
      option_given(opts, on_device_end) ? opts->tensors_on_device != 0 : 0;
  if (shared) {
    ctx->pool = shared;
  } else if (threads > 1) {
    if (!(ctx->own_pool = kiln_tp_create(threads))) {
      kiln_rt_destroy(ctx);
      kiln_check_format(tls_error, "could not start %d worker threads",
                        threads - 1);
      return KILN_ERROR_INTERNAL;
    }
    ctx->pool = kiln_tp_interface(ctx->own_pool);
  }
  *out = ctx;
  return KILN_OK;
}

/** Checks that `ctx` may be run with `model`; errors go to the right place. */
static kiln_status check_context(const kiln_model_impl *model,
                                 kiln_context *ctx) {
  if (!ctx) {
    kiln_check_format(tls_error, "context is NULL");
    return KILN_ERROR_INVALID_ARGUMENT;
  }
  if (!model || model->desc != ctx->model->desc) {
    kiln_check_format(ctx->error,
                      "context was created by model '%s', not by this one",
                      ctx->model->desc->name);
    return KILN_ERROR_INVALID_ARGUMENT;
  }
  return KILN_OK;
}

/** Runs `body` with the context's pool and scratch installed; a failure in
 *  compiled code (kiln_scratch_raise) comes back as a status. */
static kiln_status run_guarded(kiln_context *ctx,
                               void (*body)(kiln_context *ctx)) {
  const kiln_worker_pool *saved = tls_pool;
  tls_pool = ctx->pool;
  kiln_scratch *savedScratch = kiln_scratch_set_current(ctx->scratch);
  int cuda = ctx->model->desc->device == KILN_DEVICE_CUDA;
  void *savedContext = cuda ? kiln_cuda_save_context() : NULL;
  void *savedStream = cuda ? kiln_cuda_set_run_stream(ctx->cuda_stream) : NULL;
  int32_t savedOnDevice = tls_tensors_on_device;
  tls_tensors_on_device = cuda ? ctx->tensors_on_device : 0;
  if (cuda)
    kiln_cuda_begin_run();
  jmp_buf oom;
  void *savedJump = kiln_scratch_set_oom_jump(&oom);
  kiln_status status = KILN_OK;
  tls_device_out_of_memory = 0;
  int failure = setjmp(oom);
  if (failure == 0) {
    body(ctx);
  } else if (failure == KILN_SCRATCH_FAIL_SHAPE) {
    /* Dims that meet inside the model disagree (kiln_rt_dims_disagree). */
    kiln_check_format(ctx->error,
                      "the inputs' dims disagree inside the model: %s",
                      tls_failure_message[0] ? tls_failure_message
                                             : "two dynamic dims differ");
    status = KILN_ERROR_SHAPE_MISMATCH;
  } else if (failure == KILN_SCRATCH_FAIL_INDEX) {
    /* An index the model read at run time is out of range
     * (kiln_rt_index_out_of_range). */
    kiln_check_format(ctx->error, "an index read at run time is out of "
                      "range: %s", tls_failure_message);
    status = KILN_ERROR_INVALID_ARGUMENT;
  } else if (failure == KILN_SCRATCH_FAIL_DEVICE) {
    /* A GPU driver call failed (kiln_rt_device_failed). */
    kiln_check_format(ctx->error, "%s", tls_failure_message);
    status = tls_device_out_of_memory ? KILN_ERROR_OUT_OF_MEMORY
                                      : KILN_ERROR_INTERNAL;
  } else {
    /* A buffer of the compiled code could not be allocated. */
    kiln_check_format(ctx->error, "out of memory while running the model");
    status = KILN_ERROR_OUT_OF_MEMORY;
  }
  kiln_scratch_set_oom_jump(savedJump);
  kiln_scratch_set_current(savedScratch);
  tls_pool = saved;
  tls_tensors_on_device = savedOnDevice;
  if (cuda) {
    kiln_cuda_end_run(status != KILN_OK);
    kiln_cuda_set_run_stream(savedStream);
    kiln_cuda_restore_context(savedContext);
  }
  return status;
}

static void compute_output_dims(kiln_context *ctx) {
  ctx->model->output_dims(ctx->input_ptrs, ctx->input_shapes,
                          ctx->output_dims);
}

static void invoke_model(kiln_context *ctx) {
  ctx->model->invoke(ctx->input_ptrs, ctx->input_shapes, ctx->output_ptrs,
                     ctx->output_shapes);
}

/** Checks the inputs and fills ctx->output_dims with the output shapes
 *  they give. */
static kiln_status prepare_inputs(kiln_context *ctx, const kiln_tensor *inputs,
                                  int32_t num_inputs) {
  const kiln_model_desc *desc = ctx->model->desc;
  kiln_status status = kiln_check_tensors("input", desc->inputs, NULL,
                                          desc->num_inputs, inputs,
                                          num_inputs, ctx->error);
  if (status == KILN_OK)
    status = kiln_check_named_dims(desc->inputs, desc->num_inputs, inputs,
                                   ctx->error);
  if (status == KILN_OK)
    status = kiln_check_dim_ranges(desc->inputs, ctx->model->input_dim_ranges,
                                   desc->num_inputs, inputs, ctx->error);
  if (status != KILN_OK)
    return status;
  for (int32_t i = 0; i < num_inputs; ++i) {
    ctx->input_ptrs[i] = inputs[i].data;
    ctx->input_shapes[i] = inputs[i].shape;
  }
  if (ctx->model->output_dims)
    return run_guarded(ctx, compute_output_dims);
  int64_t *dims = ctx->output_dims;
  for (int32_t i = 0; i < desc->num_outputs; ++i)
    for (int32_t d = 0; d < desc->outputs[i].rank; ++d)
      *dims++ = desc->outputs[i].shape[d];
  return KILN_OK;
}

kiln_status kiln_rt_output_shapes(const kiln_model_impl *model,
                                  kiln_context *ctx, const kiln_tensor *inputs,
                                  int32_t num_inputs, int64_t *dims,
                                  int32_t num_dims) {
  kiln_status status = check_context(model, ctx);
  if (status != KILN_OK)
    return status;
  ctx->error[0] = '\0';
  if (num_dims != ctx->num_output_dims || (num_dims > 0 && !dims)) {
    kiln_check_format(ctx->error,
                      "dims has room for %d output dims, the outputs have %d",
                      (int)num_dims, (int)ctx->num_output_dims);
    return KILN_ERROR_INVALID_ARGUMENT;
  }
  status = prepare_inputs(ctx, inputs, num_inputs);
  if (status != KILN_OK)
    return status;
  for (int32_t i = 0; i < num_dims; ++i)
    dims[i] = ctx->output_dims[i];
  return KILN_OK;
}

kiln_status kiln_rt_run(const kiln_model_impl *model, kiln_context *ctx,
                        const kiln_tensor *inputs, int32_t num_inputs,
                        kiln_tensor *outputs, int32_t num_outputs) {
  kiln_status status = check_context(model, ctx);
  if (status != KILN_OK)
    return status;
  const kiln_model_desc *desc = ctx->model->desc;
  ctx->error[0] = '\0';
  status = prepare_inputs(ctx, inputs, num_inputs);
  if (status != KILN_OK)
    return status;
  status = kiln_check_tensors("output", desc->outputs,
                              ctx->model->output_dims ? ctx->output_dims : NULL,
                              desc->num_outputs, outputs, num_outputs,
                              ctx->error);
  if (status != KILN_OK)
    return status;
  for (int32_t i = 0; i < num_outputs; ++i) {
    ctx->output_ptrs[i] = outputs[i].data;
    ctx->output_shapes[i] = outputs[i].shape;
  }
  return run_guarded(ctx, invoke_model);
}

const char *kiln_rt_error(const kiln_context *ctx) {
  return ctx ? ctx->error : tls_error;
}

void kiln_rt_destroy(kiln_context *ctx) {
  if (!ctx)
    return;
  kiln_tp_destroy(ctx->own_pool);
  kiln_scratch_destroy(ctx->scratch);
  free(ctx->input_ptrs);
  free(ctx->output_ptrs);
  free(ctx->input_shapes);
  free(ctx->output_shapes);
  free(ctx->output_dims);
  free(ctx);
}

/** One parallel loop's body, run so that a failed allocation in it (on
 *  whichever thread) marks the loop failed instead of leaving it. */
typedef struct {
  void (*body)(int64_t i, void *arg);
  void *arg;
  int failed; /**< 0, or the first failure's kiln_scratch_raise code */
  /** The first failure's tls_failure_message: the worker that failed
   *  wrote it into its own, and the loop's thread re-raises it. */
  char message[KILN_RT_ERROR_SIZE];
} guarded_loop;

static void run_guarded_index(int64_t i, void *p) {
  guarded_loop *g = (guarded_loop *)p;
  jmp_buf oom;
  void *saved = kiln_scratch_set_oom_jump(&oom);
  int failure = setjmp(oom);
  if (failure == 0) {
    if (!__atomic_load_n(&g->failed, __ATOMIC_ACQUIRE))
      g->body(i, g->arg);
  } else {
    int none = 0;
    if (__atomic_compare_exchange_n(&g->failed, &none, failure, 0,
                                    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
      memcpy(g->message, tls_failure_message, sizeof g->message);
  }
  kiln_scratch_set_oom_jump(saved);
}

void kiln_rt_parallel_for(int64_t n, void (*body)(int64_t i, void *arg),
                          void *arg) {
  const kiln_worker_pool *pool = tls_pool;
  if (!pool || pool->num_threads <= 1 || n <= 1) {
    for (int64_t i = 0; i < n; ++i) /* a failure jumps straight to the run */
      body(i, arg);
    return;
  }
  guarded_loop g; /* message is written only with failed */
  g.body = body;
  g.arg = arg;
  g.failed = 0;
  tls_pool = NULL; /* loops nested in this one run inline */
  pool->parallel_for(pool->impl, n, run_guarded_index, &g);
  tls_pool = pool;
  if (g.failed) { /* to the run's handler, once all are done */
    memcpy(tls_failure_message, g.message, sizeof g.message);
    kiln_scratch_raise(g.failed);
  }
}

void kiln_rt_dims_disagree(int64_t a, int64_t b) {
  snprintf(tls_failure_message, sizeof tls_failure_message,
           "a dim of %lld meets a dim of %lld (dynamic dims are never "
           "broadcast)",
           (long long)a, (long long)b);
  kiln_scratch_raise(KILN_SCRATCH_FAIL_SHAPE);
}

void kiln_rt_dim_too_small(int64_t dim, int64_t least) {
  snprintf(tls_failure_message, sizeof tls_failure_message,
           "a dim of %lld is shorter than the %lld the model needs",
           (long long)dim, (long long)least);
  kiln_scratch_raise(KILN_SCRATCH_FAIL_SHAPE);
}

void kiln_rt_index_out_of_range(int64_t index, int64_t extent) {
  snprintf(tls_failure_message, sizeof tls_failure_message,
           "%lld indexes a dim of %lld (valid: %lld to %lld)",
           (long long)index, (long long)extent, -(long long)extent,
           (long long)extent - 1);
  kiln_scratch_raise(KILN_SCRATCH_FAIL_INDEX);
}

void kiln_rt_device_out_of_memory(const char *message) {
  tls_device_out_of_memory = 1;
  kiln_rt_device_failed(message);
}

void kiln_rt_device_failed(const char *message) {
  snprintf(tls_failure_message, sizeof tls_failure_message, "%s", message);
  /* Outside a run kiln_scratch_raise aborts: print the reason first. */
  void *handler = kiln_scratch_set_oom_jump(NULL);
  kiln_scratch_set_oom_jump(handler);
  if (!handler)
    fprintf(stderr, "kiln runtime: %s\n", message);
  kiln_scratch_raise(KILN_SCRATCH_FAIL_DEVICE);
}

int32_t kiln_rt_team_size(void) {
  return tls_pool ? tls_pool->num_threads : 1;
}

kiln_status kiln_rt_create_worker_pool(int32_t num_threads,
                                       kiln_worker_pool **out) {
  tls_error[0] = '\0';
  if (!out) {
    kiln_check_format(tls_error, "out (the kiln_worker_pool **) is NULL");
    return KILN_ERROR_INVALID_ARGUMENT;
  }
  *out = NULL;
  kiln_thread_pool *pool = kiln_tp_create(kiln_tp_resolve_threads(num_threads));
  if (!pool) {
    kiln_check_format(tls_error, "could not start the pool's threads");
    return KILN_ERROR_INTERNAL;
  }
  *out = (kiln_worker_pool *)kiln_tp_interface(pool);
  return KILN_OK;
}

void kiln_rt_destroy_worker_pool(kiln_worker_pool *pool) {
  if (pool && pool->destroy)
    pool->destroy(pool->impl);
}
