/* check.h - argument checks shared by kiln_rt_create and kiln_rt_run.
 *
 * Each check compares what a caller passed with the model's descriptor and,
 * on a mismatch, writes one precise sentence into an error buffer (naming the
 * tensor, what was expected and what was got) and returns the status code the
 * ABI prescribes. Internal to the runtime.
 */
#ifndef KILN_CHECK_H
#define KILN_CHECK_H

#include "kiln_runtime.h"

#include <stddef.h>

/** Size of every error buffer the runtime keeps. */
enum { KILN_RT_ERROR_SIZE = 1024 };

/** printf into `buf` (size KILN_RT_ERROR_SIZE), truncating if needed. */
void kiln_check_format(char *buf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** Short lower-case name of a dtype ("float32"), or NULL if unknown. */
const char *kiln_check_dtype_name(kiln_dtype dtype);

/** Checks `num_given` tensors against `num_expected` descriptors; `what` is
 *  "input" or "output". The shapes must match `dims` (every tensor's dims,
 *  concatenated: the output shapes computed for the inputs) or, when `dims`
 *  is NULL, the descriptors' (where a -1 dim takes any size >= 1). On
 *  success returns KILN_OK and leaves `err` alone. */
kiln_status kiln_check_tensors(const char *what,
                               const kiln_tensor_info *expected,
                               const int64_t *dims, int32_t num_expected,
                               const kiln_tensor *given, int32_t num_given,
                               char *err);

/** Checks that input dims sharing a dim name are equal (call after
 *  kiln_check_tensors accepted the inputs). */
kiln_status kiln_check_named_dims(const kiln_tensor_info *expected,
                                  int32_t num, const kiln_tensor *given,
                                  char *err);

/** Checks each input dim against its [min, max] in `ranges` (per input,
 *  2 x rank entries, -1 for no bound; NULL entries or table: none). */
kiln_status kiln_check_dim_ranges(const kiln_tensor_info *expected,
                                  const int64_t *const *ranges, int32_t num,
                                  const kiln_tensor *given, char *err);

#endif /* KILN_CHECK_H */
