/* kiln_seal.h - appends the Kiln seal to a freshly linked shared library.
 *
 * The writing half of the library check in kiln_runtime.h: `kiln compile`
 * (and the test suite, for its hand-written stand-in libraries) calls
 * kiln_seal_library() on every shared library it produces. Not part of the
 * public ABI and not copied next to compiled models.
 */
#ifndef KILN_SEAL_H
#define KILN_SEAL_H

#include "kiln_runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

static inline void kiln_store_le64(unsigned char *p, uint64_t v) {
  int i;
  for (i = 0; i < 8; ++i)
    p[i] = (unsigned char)(v >> (8 * i));
}

/** Appends the seal (magic, image size, digest, version) to the file at
 *  `path`. Returns 0, or -1 when the file cannot be read or written. */
static inline int kiln_seal_library(const char *path) {
  unsigned char buf[1 << 16], seal[KILN_SEAL_SIZE];
  kiln_digest d;
  size_t n;
  int ok;
  FILE *f = fopen(path, "rb");
  if (!f)
    return -1;
  kiln_digest_init(&d);
  while ((n = fread(buf, 1, sizeof buf, f)) > 0)
    kiln_digest_update(&d, buf, n);
  ok = !ferror(f);
  fclose(f);
  if (!ok || d.length == 0)
    return -1;
  memcpy(seal, KILN_SEAL_MAGIC, 8);
  kiln_store_le64(seal + 8, d.length);
  kiln_store_le64(seal + 16, kiln_digest_final(&d));
  kiln_store_le64(seal + 24, KILN_SEAL_VERSION);
  f = fopen(path, "ab");
  if (!f)
    return -1;
  ok = fwrite(seal, 1, sizeof seal, f) == sizeof seal;
  ok = (fclose(f) == 0) && ok;
  return ok ? 0 : -1;
}

#ifdef __cplusplus
}
#endif
#endif /* KILN_SEAL_H */
