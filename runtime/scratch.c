/* scratch.c - per-context reuse of temporary buffers; see scratch.h.
 *
 * Every block carries a 64-byte header recording its size, so that free
 * knows which size class it returns to; 64 bytes keeps the payload as
 * aligned as malloc's (the compiled code aligns within the block itself).
 */
#include "scratch.h"

#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define KILN_SCRATCH_HEADER 64

typedef struct {
  size_t size;
  void *block; /* header address */
} kiln_cached_block;

struct kiln_scratch {
  kiln_cached_block *blocks;
  size_t count, capacity;
};

static __thread kiln_scratch *tls_scratch;
static __thread jmp_buf *tls_oom_jump;

void *kiln_scratch_set_oom_jump(void *env) {
  jmp_buf *old = tls_oom_jump;
  tls_oom_jump = (jmp_buf *)env;
  return old;
}

/** Compiled code cannot handle a NULL buffer: leave it. */
static void out_of_memory(size_t size) {
  if (tls_oom_jump)
    longjmp(*tls_oom_jump, 1);
  fprintf(stderr, "kiln runtime: out of memory allocating %zu bytes outside "
                  "a run\n", size);
  abort();
}

void kiln_scratch_raise(int code) {
  if (code != KILN_SCRATCH_FAIL_SHAPE && code != KILN_SCRATCH_FAIL_DEVICE &&
      code != KILN_SCRATCH_FAIL_INDEX)
    out_of_memory(0);
  if (tls_oom_jump)
    longjmp(*tls_oom_jump, code);
  fprintf(stderr, "kiln runtime: %s outside a run\n",
          code == KILN_SCRATCH_FAIL_SHAPE   ? "run-time dims disagree"
          : code == KILN_SCRATCH_FAIL_INDEX ? "an index is out of range"
                                            : "a GPU driver call failed");
  abort();
}

kiln_scratch *kiln_scratch_create(void) {
  return (kiln_scratch *)calloc(1, sizeof(kiln_scratch));
}

void kiln_scratch_destroy(kiln_scratch *s) {
  if (!s)
    return;
  for (size_t i = 0; i < s->count; ++i)
    free(s->blocks[i].block);
  free(s->blocks);
  free(s);
}

kiln_scratch *kiln_scratch_set_current(kiln_scratch *s) {
  kiln_scratch *old = tls_scratch;
  tls_scratch = s;
  return old;
}

/** The smallest cached block that holds `size` bytes without wasting more
 *  than three quarters of itself, taken out of the cache; NULL if none.
 *  With dynamic shapes the sizes change from run to run: a block cached by
 *  a larger run serves the smaller ones that follow, so the cache stays at
 *  about the largest run's footprint instead of growing per shape. */
static void *take_cached(kiln_scratch *s, size_t size) {
  size_t best = s->count;
  for (size_t i = 0; i < s->count; ++i) {
    size_t have = s->blocks[i].size;
    if (have >= size && have / 4 <= size &&
        (best == s->count || have < s->blocks[best].size))
      best = i;
    if (best < s->count && s->blocks[best].size == size)
      break;
  }
  if (best == s->count)
    return NULL;
  void *block = s->blocks[best].block;
  s->blocks[best] = s->blocks[--s->count];
  return block;
}

void *_mlir_memref_to_llvm_alloc(size_t size) {
  void *block = tls_scratch ? take_cached(tls_scratch, size) : NULL;
  if (!block) {
    block = size > SIZE_MAX - KILN_SCRATCH_HEADER
                ? NULL
                : malloc(size + KILN_SCRATCH_HEADER);
    if (!block)
      out_of_memory(size);
    *(size_t *)block = size;
  }
  return (char *)block + KILN_SCRATCH_HEADER;
}

void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size) {
  /* Requested alignments are at most 64 here; the header keeps malloc's
   * 16-byte alignment, so over-allocate and let the caller align. */
  (void)alignment;
  if (size > SIZE_MAX - 64)
    out_of_memory(size);
  return _mlir_memref_to_llvm_alloc(size + 64);
}

void _mlir_memref_to_llvm_free(void *ptr) {
  if (!ptr)
    return;
  void *block = (char *)ptr - KILN_SCRATCH_HEADER;
  kiln_scratch *s = tls_scratch;
  if (s) {
    if (s->count == s->capacity) {
      size_t cap = s->capacity ? 2 * s->capacity : 64;
      kiln_cached_block *grown =
          (kiln_cached_block *)realloc(s->blocks, cap * sizeof(*grown));
      if (grown) {
        s->blocks = grown;
        s->capacity = cap;
      }
    }
    if (s->count < s->capacity) {
      s->blocks[s->count].size = *(size_t *)block;
      s->blocks[s->count++].block = block;
      return;
    }
  }
  free(block);
}
