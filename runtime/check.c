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
#include <stdint.h>
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
  return kiln_dtype_name(dtype);
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

/** True when the given dims match `want` (-1 matches any dim >= 1). */
static int shape_matches(const int64_t *want, int32_t rank,
                         const kiln_tensor *t) {
  if (t->rank != rank)
    return 0;
  for (int32_t i = 0; i < t->rank; ++i) {
    if (t->shape[i] < 0 || (want[i] < 0 && t->shape[i] == 0))
      return 0;
    if (want[i] >= 0 && want[i] != t->shape[i])
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

/** Writes "WHAT 'NAME': expected shape [..], got [..]" (with a note when
 *  the expected shape was computed from the inputs). */
static kiln_status shape_error(const char *what, const kiln_tensor_info *info,
                               const int64_t *want_dims, int computed,
                               const kiln_tensor *t, char *err) {
  char want[KILN_SHAPE_TEXT_SIZE], got[KILN_SHAPE_TEXT_SIZE];
  format_shape(want, want_dims, info->rank, 1);
  if (t->rank < 0)
    snprintf(got, sizeof got, "rank %d", (int)t->rank);
  else
    format_shape(got, t->shape, t->rank, 0);
  for (int32_t i = 0; t->rank == info->rank && i < t->rank; ++i)
    if (want_dims[i] < 0 && t->shape[i] < 1) {
      kiln_check_format(err, "%s '%s': dim %d%s%s%s must be at least 1, got %lld",
                        what, info->name, (int)i,
                        info->dim_names && info->dim_names[i][0] ? " ('" : "",
                        info->dim_names ? info->dim_names[i] : "",
                        info->dim_names && info->dim_names[i][0] ? "')" : "",
                        (long long)t->shape[i]);
      return KILN_ERROR_SHAPE_MISMATCH;
    }
  kiln_check_format(err, "%s '%s': expected shape %s%s, got %s", what,
                    info->name, want, computed ? " for these inputs" : "",
                    got);
  return KILN_ERROR_SHAPE_MISMATCH;
}

/** SHAPE_MISMATCH when the tensor's byte size overflows int64. */
static kiln_status check_size(const char *what, const kiln_tensor_info *info,
                              const kiln_tensor *t, char *err) {
  /* The dtype was checked against the descriptor: its size is known. */
  int64_t bytes = (int64_t)kiln_dtype_size(t->dtype);
  for (int32_t i = 0; i < t->rank; ++i) {
    if (t->shape[i] != 0 && bytes > INT64_MAX / t->shape[i]) {
      kiln_check_format(err, "%s '%s': %d-D shape is too large (its byte "
                        "size overflows 64 bits)", what, info->name,
                        (int)t->rank);
      return KILN_ERROR_SHAPE_MISMATCH;
    }
    bytes *= t->shape[i];
  }
  return KILN_OK;
}

/** Checks one tensor against its descriptor; `dims` (rank entries) is the
 *  expected shape, `computed` when it came from the inputs. */
static kiln_status check_one(const char *what, const kiln_tensor_info *info,
                             const int64_t *dims, int computed,
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
  if (!shape_matches(dims, info->rank, t))
    return shape_error(what, info, dims, computed, t, err);
  return check_size(what, info, t, err);
}

kiln_status kiln_check_tensors(const char *what,
                               const kiln_tensor_info *expected,
                               const int64_t *dims, int32_t num_expected,
                               const kiln_tensor *given, int32_t num_given,
                               char *err) {
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
    const int64_t *want = dims ? dims : expected[i].shape;
    kiln_status status =
        check_one(what, &expected[i], want, dims != NULL, &given[i], err);
    if (status != KILN_OK)
      return status;
    if (dims)
      dims += expected[i].rank;
  }
  return KILN_OK;
}

kiln_status kiln_check_named_dims(const kiln_tensor_info *expected,
                                  int32_t num, const kiln_tensor *given,
                                  char *err) {
  for (int32_t i = 0; i < num; ++i) {
    if (!expected[i].dim_names)
      continue;
    for (int32_t d = 0; d < expected[i].rank; ++d) {
      const char *name = expected[i].dim_names[d];
      if (!name[0])
        continue;
      /* The first earlier dim with the same name fixes the size. */
      for (int32_t j = 0; j <= i; ++j) {
        if (!expected[j].dim_names)
          continue;
        for (int32_t e = 0; e < (j == i ? d : expected[j].rank); ++e) {
          if (strcmp(expected[j].dim_names[e], name) != 0)
            continue;
          if (given[j].shape[e] != given[i].shape[d]) {
            kiln_check_format(
                err,
                "input '%s': dim %d ('%s') is %lld, but input '%s' dim %d "
                "('%s') is %lld",
                expected[i].name, (int)d, name, (long long)given[i].shape[d],
                expected[j].name, (int)e, name, (long long)given[j].shape[e]);
            return KILN_ERROR_SHAPE_MISMATCH;
          }
          goto next_dim;
        }
      }
    next_dim:;
    }
  }
  return KILN_OK;
}

kiln_status kiln_check_dim_ranges(const kiln_tensor_info *expected,
                                  const int64_t *const *ranges, int32_t num,
                                  const kiln_tensor *given, char *err) {
  if (!ranges)
    return KILN_OK;
  for (int32_t i = 0; i < num; ++i) {
    const int64_t *r = ranges[i];
    for (int32_t d = 0; r && d < expected[i].rank; ++d) {
      int64_t lo = r[2 * d], hi = r[2 * d + 1], got = given[i].shape[d];
      if ((lo < 0 || got >= lo) && (hi < 0 || got <= hi))
        continue;
      const char *name = expected[i].dim_names ? expected[i].dim_names[d] : "";
      char bound[64];
      if (hi < 0)
        snprintf(bound, sizeof bound, "at least %lld", (long long)lo);
      else
        snprintf(bound, sizeof bound, "%lld to %lld", (long long)(lo < 0 ? 0 : lo),
                 (long long)hi);
      kiln_check_format(err,
                        "input '%s': dim %d%s%s%s is %lld; the model was "
                        "exported for %s",
                        expected[i].name, (int)d, name[0] ? " ('" : "", name,
                        name[0] ? "')" : "", (long long)got, bound);
      return KILN_ERROR_SHAPE_MISMATCH;
    }
  }
  return KILN_OK;
}
