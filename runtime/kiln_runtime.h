/* kiln_runtime.h - the stable C ABI of a Kiln-compiled model library.
 *
 * A model compiled with `kiln compile model.onnx -o libNAME.so` exports five
 * functions whose names start with NAME_ (declared in the generated NAME.h):
 *
 *   const kiln_model_desc *NAME_describe(void);
 *   kiln_status NAME_create(const kiln_options *opts, kiln_context **out);
 *   kiln_status NAME_run(kiln_context *ctx, const kiln_tensor *inputs,
 *                        int32_t num_inputs, kiln_tensor *outputs,
 *                        int32_t num_outputs);
 *   const char *NAME_error(const kiln_context *ctx);
 *   void NAME_destroy(kiln_context *ctx);
 *
 * This header holds the types they share. It is plain C99 and includes only
 * <stdint.h> and <stddef.h>. See docs/abi.md for the full contract.
 */
#ifndef KILN_RUNTIME_H
#define KILN_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Version of this ABI; a library reports the one it was built for. */
#define KILN_ABI_VERSION 1u

/** Status codes returned by every ABI entry point. */
typedef enum kiln_status {
  KILN_OK = 0,
  KILN_ERROR_INVALID_ARGUMENT = 1, /**< null pointer, wrong tensor count */
  KILN_ERROR_SHAPE_MISMATCH = 2,   /**< an input's rank or dims are wrong */
  KILN_ERROR_DTYPE_MISMATCH = 3,   /**< an input's element type is wrong */
  KILN_ERROR_OUT_OF_MEMORY = 4,
  KILN_ERROR_UNSUPPORTED = 5, /**< e.g. a device this library lacks */
  KILN_ERROR_INTERNAL = 6
} kiln_status;

/** Element types; the values are ONNX's TensorProto.DataType codes. */
typedef enum kiln_dtype {
  KILN_DTYPE_FLOAT32 = 1,
  KILN_DTYPE_UINT8 = 2,
  KILN_DTYPE_INT8 = 3,
  KILN_DTYPE_INT32 = 6,
  KILN_DTYPE_INT64 = 7,
  KILN_DTYPE_BOOL = 9,
  KILN_DTYPE_FLOAT16 = 10, /**< IEEE half, stored as its 16 bits */
  KILN_DTYPE_FLOAT64 = 11
} kiln_dtype;

/** Where a library's compiled code runs. */
typedef enum kiln_device { KILN_DEVICE_CPU = 0, KILN_DEVICE_CUDA = 1 } kiln_device;

/** Static description of one model input or output. A dim of -1 is dynamic.
 *  All pointers point into the library's read-only data. */
typedef struct kiln_tensor_info {
  const char *name;
  kiln_dtype dtype;
  int32_t rank;
  const int64_t *shape; /**< rank entries */
} kiln_tensor_info;

/** Static description of a model; owned by the library, never freed. */
typedef struct kiln_model_desc {
  uint32_t abi_version; /**< KILN_ABI_VERSION of the library */
  const char *name;     /**< the NAME prefix of the entry points */
  kiln_device device;
  int32_t num_inputs;
  const kiln_tensor_info *inputs;
  int32_t num_outputs;
  const kiln_tensor_info *outputs;
} kiln_model_desc;

/** A tensor handed to NAME_run. The caller owns `data` and `shape` for
 *  inputs and outputs alike: the library reads inputs and writes outputs in
 *  place, dense row-major, and keeps no pointer after NAME_run returns. */
typedef struct kiln_tensor {
  void *data;
  kiln_dtype dtype;
  int32_t rank;
  const int64_t *shape; /**< rank entries, the actual run-time dims */
} kiln_tensor;

/** Options for NAME_create. Zero-initialise, set struct_size, then the
 *  fields you care about; a zero field means "the default". */
typedef struct kiln_options {
  uint32_t struct_size; /**< sizeof(kiln_options) of the caller */
  int32_t num_threads;  /**< worker threads; <= 0: all online cores */
  kiln_device device;   /**< must match the library's device */
} kiln_options;

/** One execution context: its scratch memory and thread pool. Runs on
 *  distinct contexts may proceed concurrently from different threads; one
 *  context must not be used by two threads at once. */
typedef struct kiln_context kiln_context;

#ifdef __cplusplus
}
#endif
#endif /* KILN_RUNTIME_H */
