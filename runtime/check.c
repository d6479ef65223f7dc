/* check.c - argument checks shared by kiln_rt_create and kiln_rt_run.
 *
 * Validation happens in a fixed order so that the first problem reported is
 * the most basic one: tensor count, array pointer, then per tensor its data
 * pointer, dtype, shape pointer and finally rank and dims. Shapes are printed
 * as "[1,3,224,224]" with "?" for a dynamic descriptor dim.
 */
#define _POSIX_C_SOURCE 200809L

#include "check.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/** Room for one printed shape; longer shapes end in "...". */
enum { KILN_SHAPE_TEXT_SIZE = 256 };

void kiln_check_format(char *buf, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, KILN_RT_ERROR_SIZE, fmt, ap);
  va_end(ap);
}

const char *kiln_check_dtype_name(kiln_dtype dtype) {
  switch (dtype) {
  case KILN_DTYPE_FLOAT32:
    return "float32";
  case KILN_DTYPE_UINT8:
    return "uint8";
  case KILN_DTYPE_INT8:
    return "int8";
  case KILN_DTYPE_INT32:
    return "int32";
  case KILN_DTYPE_INT64:
    return "int64";
  case KILN_DTYPE_BOOL:
    return "bool";
  case KILN_DTYPE_FLOAT64:
    return "float64";
  case KILN_DTYPE_FLOAT16:
    return "float16";
  }
  return NULL;
}

/** Prints `shape` as "[d0,d1,...]"; -1 prints as "?" when `dynamic_marks`. */
static void format_shape(char *out, const int64_t *shape, int32_t rank,
                         int dynamic_marks) {
  size_t used = 0;
  out[used++] = '[';
  for (int32_t i = 0; i < rank; ++i) {
    char dim[32];
    if (dynamic_marks && shape[i] < 0)
      snprintf(dim, sizeof dim, "%s?", i ? "," : "");
    else
      snprintf(dim, sizeof dim, "%s%lld", i ? "," : "", (long long)shape[i]);
    size_t len = strlen(dim);
    if (used + len + 5 >= KILN_SHAPE_TEXT_SIZE) {
      memcpy(out + used, "...", 3);
      used += 3;
      break;
    }
    memcpy(out + used, dim, len);
    used += len;
  }
  out[used++] = ']';
  out[used] = '\0';
}

/** True when the given dims match the descriptor's (-1 matches any dim >= 0).
 */
static int shape_matches(const kiln_tensor_info *info, const kiln_tensor *t) {
  if (t->rank != info->rank)
    return 0;
  for (int32_t i = 0; i < t->rank; ++i) {
    if (t->shape[i] < 0)
      return 0;
    if (info->shape[i] >= 0 && info->shape[i] != t->shape[i])
      return 0;
  }
  return 1;
}

/** Writes "WHAT 'NAME': expected dtype X, got Y". */
static kiln_status dtype_error(const char *what, const kiln_tensor_info *info,
                               const kiln_tensor *t, char *err) {
  const char *got = kiln_check_dtype_name(t->dtype);
  char code[32];
  if (!got) {
    snprintf(code, sizeof code, "unknown dtype code %d", (int)t->dtype);
    got = code;
  }
  kiln_check_format(err, "%s '%s': expected dtype %s, got %s", what, info->name,
                    kiln_check_dtype_name(info->dtype), got);
  return KILN_ERROR_DTYPE_MISMATCH;
}

/** Writes "WHAT 'NAME': expected shape [..], got [..]". */
static kiln_status shape_error(const char *what, const kiln_tensor_info *info,
                               const kiln_tensor *t, char *err) {
  char want[KILN_SHAPE_TEXT_SIZE], got[KILN_SHAPE_TEXT_SIZE];
  format_shape(want, info->shape, info->rank, 1);
  if (t->rank < 0)
    snprintf(got, sizeof got, "rank %d", (int)t->rank);
  else
    format_shape(got, t->shape, t->rank, 0);
  kiln_check_format(err, "%s '%s': expected shape %s, got %s", what, info->name,
                    want, got);
  return KILN_ERROR_SHAPE_MISMATCH;
}

/** Checks one tensor against its descriptor. */
static kiln_status check_one(const char *what, const kiln_tensor_info *info,
                             const kiln_tensor *t, char *err) {
  if (!t->data) {
    kiln_check_format(err, "%s '%s': data is NULL", what, info->name);
    return KILN_ERROR_INVALID_ARGUMENT;
  }
  if (t->dtype != info->dtype)
    return dtype_error(what, info, t, err);
  if (t->rank > 0 && !t->shape) {
    kiln_check_format(err, "%s '%s': shape is NULL for rank %d", what,
                      info->name, (int)t->rank);
    return KILN_ERROR_INVALID_ARGUMENT;
  }
  if (!shape_matches(info, t))
    return shape_error(what, info, t, err);
  return KILN_OK;
}

kiln_status kiln_check_tensors(const char *what,
                               const kiln_tensor_info *expected,
                               int32_t num_expected, const kiln_tensor *given,
                               int32_t num_given, char *err) {
  if (num_given != num_expected) {
    kiln_check_format(err, "expected %d %s tensor(s), got %d",
                      (int)num_expected, what, (int)num_given);
    return KILN_ERROR_INVALID_ARGUMENT;
  }
  if (num_expected > 0 && !given) {
    kiln_check_format(err, "%ss is NULL but %d %s tensor(s) are expected", what,
                      (int)num_expected, what);
    return KILN_ERROR_INVALID_ARGUMENT;
  }
  for (int32_t i = 0; i < num_expected; ++i) {
    kiln_status status = check_one(what, &expected[i], &given[i], err);
    if (status != KILN_OK)
      return status;
  }
  return KILN_OK;
}
