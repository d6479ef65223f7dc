/* memref_copy.c - the strided copy that MLIR-lowered code calls.
 *
 * finalize-memref-to-llvm lowers a memref.copy between buffers whose layout
 * is not the identity (a slice of a concat, a strided view) to a call to
 * `memrefCopy(elemSize, src, dst)` on unranked descriptors. MLIR's own
 * implementation lives in its runner-utils library, which model libraries
 * must not depend on, so the runtime carries this one.
 */
#include <stdint.h>
#include <string.h>

/* Unranked memref: rank + pointer to the ranked descriptor
 * { void *allocated, *aligned; int64_t offset, sizes[rank], strides[rank]; } */
typedef struct {
  int64_t rank;
  void *descriptor;
} kiln_unranked_memref;

typedef struct {
  char *allocated;
  char *aligned;
  int64_t offset;
  int64_t dims[]; /* sizes[rank] then strides[rank] */
} kiln_ranked_memref;

void memrefCopy(int64_t elemSize, kiln_unranked_memref *src,
                kiln_unranked_memref *dst) {
  const kiln_ranked_memref *s = (const kiln_ranked_memref *)src->descriptor;
  const kiln_ranked_memref *d = (const kiln_ranked_memref *)dst->descriptor;
  int64_t rank = src->rank;
  const int64_t *sizes = s->dims, *sStrides = s->dims + rank;
  const int64_t *dStrides = d->dims + rank;
  char *sBase = s->aligned + s->offset * elemSize;
  char *dBase = d->aligned + d->offset * elemSize;
  if (rank == 0) {
    memcpy(dBase, sBase, (size_t)elemSize);
    return;
  }
  for (int64_t i = 0; i < rank; ++i)
    if (sizes[i] == 0)
      return;
  int64_t index[64] = {0};
  if (rank > 64)
    return; /* no Kiln tensor has that many dims */
  /* Rows whose last dim is contiguous on both sides move with one memcpy. */
  int64_t inner = rank - 1;
  int contiguous = sStrides[inner] == 1 && dStrides[inner] == 1;
  int64_t rowElems = contiguous ? sizes[inner] : 1;
  int64_t outerRank = contiguous ? rank - 1 : rank;
  for (;;) {
    int64_t so = 0, dO = 0;
    for (int64_t i = 0; i < outerRank; ++i) {
      so += index[i] * sStrides[i];
      dO += index[i] * dStrides[i];
    }
    memcpy(dBase + dO * elemSize, sBase + so * elemSize,
           (size_t)(elemSize * rowElems));
    int64_t axis = outerRank - 1;
    while (axis >= 0 && ++index[axis] == sizes[axis])
      index[axis--] = 0;
    if (axis < 0)
      return;
  }
}
