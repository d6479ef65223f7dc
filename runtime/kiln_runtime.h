/* kiln_runtime.h - the stable C ABI of a Kiln-compiled model library.
 *
 * A model compiled with `kiln compile model.onnx -o libNAME.so` exports eight
 * functions whose names start with NAME_ (declared in the generated NAME.h):
 *
 *   const kiln_model_desc *NAME_describe(void);
 *   kiln_status NAME_create(const kiln_options *opts, kiln_context **out);
 *   kiln_status NAME_output_shapes(kiln_context *ctx,
 *                                  const kiln_tensor *inputs,
 *                                  int32_t num_inputs, int64_t *dims,
 *                                  int32_t num_dims);
 *   kiln_status NAME_run(kiln_context *ctx, const kiln_tensor *inputs,
 *                        int32_t num_inputs, kiln_tensor *outputs,
 *                        int32_t num_outputs);
 *   const char *NAME_error(const kiln_context *ctx);
 *   void NAME_destroy(kiln_context *ctx);
 *   kiln_status NAME_create_worker_pool(int32_t num_threads,
 *                                       kiln_worker_pool **out);
 *   void NAME_destroy_worker_pool(kiln_worker_pool *pool);
 *
 * This header holds the types they share, and kiln_check_library(), which
 * verifies that a library file is complete and unmodified before a program
 * dlopens it. It is plain C99 and includes only <stdint.h>, <stddef.h>,
 * <stdio.h> and <string.h>. See docs/abi.md for the full contract.
 */
#ifndef KILN_RUNTIME_H
#define KILN_RUNTIME_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Version of this ABI; a library reports the one it was built for. */
#define KILN_ABI_VERSION 2u

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
  KILN_DTYPE_UINT16 = 4,
  KILN_DTYPE_INT16 = 5,
  KILN_DTYPE_INT32 = 6,
  KILN_DTYPE_INT64 = 7,
  KILN_DTYPE_BOOL = 9,
  KILN_DTYPE_FLOAT16 = 10, /**< IEEE half, stored as its 16 bits */
  KILN_DTYPE_FLOAT64 = 11,
  KILN_DTYPE_UINT32 = 12,
  KILN_DTYPE_UINT64 = 13,
  KILN_DTYPE_BFLOAT16 = 16,       /**< bfloat16, stored as its 16 bits */
  KILN_DTYPE_FLOAT8E4M3FN = 17,   /**< 8-bit floats, stored as their byte */
  KILN_DTYPE_FLOAT8E4M3FNUZ = 18,
  KILN_DTYPE_FLOAT8E5M2 = 19,
  KILN_DTYPE_FLOAT8E5M2FNUZ = 20,
  /** Sub-byte types are NOT packed: one element per byte, the value in the
   *  low 4 (or 2) bits, the bits above it zero (two's complement for the
   *  signed ones: int4 -3 is 0x0d). */
  KILN_DTYPE_UINT4 = 21,
  KILN_DTYPE_INT4 = 22,
  KILN_DTYPE_FLOAT4E2M1 = 23,
  KILN_DTYPE_UINT2 = 25,
  KILN_DTYPE_INT2 = 26
} kiln_dtype;

/** Bytes per element of `dtype`, or 0 for a code this ABI does not know. */
static inline size_t kiln_dtype_size(kiln_dtype dtype) {
  switch (dtype) {
  case KILN_DTYPE_UINT8:
  case KILN_DTYPE_INT8:
  case KILN_DTYPE_BOOL:
  case KILN_DTYPE_FLOAT8E4M3FN:
  case KILN_DTYPE_FLOAT8E4M3FNUZ:
  case KILN_DTYPE_FLOAT8E5M2:
  case KILN_DTYPE_FLOAT8E5M2FNUZ:
  case KILN_DTYPE_UINT4:
  case KILN_DTYPE_INT4:
  case KILN_DTYPE_FLOAT4E2M1:
  case KILN_DTYPE_UINT2:
  case KILN_DTYPE_INT2:
    return 1;
  case KILN_DTYPE_BFLOAT16:
  case KILN_DTYPE_FLOAT16:
  case KILN_DTYPE_UINT16:
  case KILN_DTYPE_INT16:
    return 2;
  case KILN_DTYPE_FLOAT32:
  case KILN_DTYPE_INT32:
  case KILN_DTYPE_UINT32:
    return 4;
  case KILN_DTYPE_INT64:
  case KILN_DTYPE_UINT64:
  case KILN_DTYPE_FLOAT64:
    return 8;
  }
  return 0;
}

/** Lower-case name of `dtype` ("float32"), or NULL for an unknown code. */
static inline const char *kiln_dtype_name(kiln_dtype dtype) {
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
  case KILN_DTYPE_UINT16:
    return "uint16";
  case KILN_DTYPE_INT16:
    return "int16";
  case KILN_DTYPE_UINT32:
    return "uint32";
  case KILN_DTYPE_UINT64:
    return "uint64";
  case KILN_DTYPE_BFLOAT16:
    return "bfloat16";
  case KILN_DTYPE_FLOAT8E4M3FN:
    return "float8e4m3fn";
  case KILN_DTYPE_FLOAT8E4M3FNUZ:
    return "float8e4m3fnuz";
  case KILN_DTYPE_FLOAT8E5M2:
    return "float8e5m2";
  case KILN_DTYPE_FLOAT8E5M2FNUZ:
    return "float8e5m2fnuz";
  case KILN_DTYPE_UINT4:
    return "uint4";
  case KILN_DTYPE_INT4:
    return "int4";
  case KILN_DTYPE_FLOAT4E2M1:
    return "float4e2m1";
  case KILN_DTYPE_UINT2:
    return "uint2";
  case KILN_DTYPE_INT2:
    return "int2";
  }
  return NULL;
}

/** Where a library's compiled code runs. */
typedef enum kiln_device { KILN_DEVICE_CPU = 0, KILN_DEVICE_CUDA = 1 } kiln_device;

/** Static description of one model input or output. A dim of -1 is dynamic:
 *  set at run time by the caller (inputs) or by the model (outputs, see
 *  NAME_output_shapes). All pointers point into the library's read-only
 *  data. */
typedef struct kiln_tensor_info {
  const char *name;
  kiln_dtype dtype;
  int32_t rank;
  const int64_t *shape; /**< rank entries */
  /** rank entries: the symbolic name of each dynamic dim ("batch"), "" for
   *  static or unnamed dims. Input dims that share a name must be equal at
   *  run time. */
  const char *const *dim_names;
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
  const char *kiln_version;    /**< version of the kiln that compiled it */
  const char *source;          /**< the model file it was compiled from */
  const char *source_format;   /**< "onnx" */
  const char *target_cpu;      /**< LLVM CPU name the code is tuned for */
  const char *target_features; /**< CPU features the code needs, "avx2,fma" */
} kiln_model_desc;

/** Index of the tensor named `name` among `count` infos, or -1. */
static inline int32_t kiln_find_tensor(const kiln_tensor_info *infos,
                                       int32_t count, const char *name) {
  int32_t i;
  for (i = 0; infos && name && i < count; ++i)
    if (strcmp(infos[i].name, name) == 0)
      return i;
  return -1;
}

/** Index of the input named `name` in desc->inputs, or -1. */
static inline int32_t kiln_find_input(const kiln_model_desc *desc,
                                      const char *name) {
  return desc ? kiln_find_tensor(desc->inputs, desc->num_inputs, name) : -1;
}

/** Index of the output named `name` in desc->outputs, or -1. */
static inline int32_t kiln_find_output(const kiln_model_desc *desc,
                                       const char *name) {
  return desc ? kiln_find_tensor(desc->outputs, desc->num_outputs, name) : -1;
}

/** A tensor handed to NAME_run. The caller owns `data` and `shape` for
 *  inputs and outputs alike: the library reads inputs and writes outputs in
 *  place, dense row-major, and keeps no pointer after NAME_run returns. An
 *  output's shape must be the one NAME_output_shapes gives for the inputs. */
typedef struct kiln_tensor {
  void *data;
  kiln_dtype dtype;
  int32_t rank;
  const int64_t *shape; /**< rank entries, the actual run-time dims */
} kiln_tensor;

/** Worker threads that the parallel loops of compiled models run on. One
 *  pool can serve every context of a process (of one model or of several),
 *  so that models do not oversubscribe the cores: create one with
 *  NAME_create_worker_pool (any model's) or fill the struct with your own
 *  threads, and pass it in kiln_options.worker_pool. */
typedef struct kiln_worker_pool {
  void *impl; /**< the implementation's state */
  /** Threads that share one parallel loop, the calling thread included. */
  int32_t num_threads;
  /** Calls body(i, arg) once for every i in [0, n), on the pool's threads
   *  and the calling thread, and returns when all calls are done. May be
   *  called from several threads at once (Kiln's pool runs a loop on the
   *  calling thread alone while another loop has its workers). */
  void (*parallel_for)(void *impl, int64_t n,
                       void (*body)(int64_t i, void *arg), void *arg);
  /** Frees the pool (called by NAME_destroy_worker_pool); NULL when the
   *  caller owns it. */
  void (*destroy)(void *impl);
} kiln_worker_pool;

/** Options for NAME_create. Zero-initialise, set struct_size, then the
 *  fields you care about; a zero field means "the default". */
typedef struct kiln_options {
  uint32_t struct_size; /**< sizeof(kiln_options) of the caller */
  int32_t num_threads;  /**< worker threads; <= 0: all online cores */
  /** The device to run on: 0 (the default) means the library's own
   *  device, NAME_describe()->device. KILN_DEVICE_CPU is also 0, so CPU
   *  cannot be asked for explicitly; any other value must equal the
   *  library's device, else NAME_create fails with KILN_ERROR_UNSUPPORTED.
   *  A CUDA library's NAME_create also fails with KILN_ERROR_UNSUPPORTED
   *  when the machine has no CUDA driver or device. */
  kiln_device device;
  /** A pool to run on instead of the context's own threads (num_threads is
   *  then ignored); it must outlive the context. */
  const kiln_worker_pool *worker_pool;
  /** CUDA libraries: the CUstream the runs go on (work already queued on
   *  it comes first); NULL: a stream of the calling thread. NAME_run
   *  returns once its work on the stream is done. */
  void *cuda_stream;
  /** CUDA libraries: nonzero when the data pointers of NAME_run's input
   *  and output tensors are device memory (CUdeviceptr values of device
   *  0's primary context, which is also where the CUDA runtime API's
   *  cudaMalloc allocates): no copy to or from the host is made. Zero:
   *  host memory, copied in and out by each run. */
  int32_t tensors_on_device;
} kiln_options;

/** One execution context: its scratch memory and thread pool. Runs on
 *  distinct contexts may proceed concurrently from different threads; one
 *  context must not be used by two threads at once. */
typedef struct kiln_context kiln_context;

/* ---- Checking a library file before loading it ------------------------
 *
 * `kiln compile` seals every shared library it writes: after the ELF image
 * it appends a 32-byte trailer holding KILN_SEAL_MAGIC, the size of the ELF
 * image, a 64-bit digest of it (kiln_digest64) and the seal format version.
 * kiln_check_library() checks the ELF headers (every header table and
 * loadable segment lies inside the file), the trailer and the digest, so a
 * truncated, extended or corrupted file is reported before dlopen maps it
 * (dlopen on such a file can crash the process). It does not make a library
 * from an untrusted source safe to load: it only proves the file is the one
 * kiln wrote. */

#define KILN_SEAL_MAGIC "KILNSEAL"
#define KILN_SEAL_SIZE 32u
#define KILN_SEAL_VERSION 1u

/** Digest state: four interleaved FNV-1a style lanes over 64-bit
 *  little-endian words, so any change to a single word changes the digest
 *  (each step is a bijection of the lane state). */
typedef struct kiln_digest {
  uint64_t lane[4];
  uint64_t length;
  unsigned char tail[32];
  uint32_t tail_size;
} kiln_digest;

#define KILN_DIGEST_PRIME 0x100000001b3ull

static inline void kiln_digest_init(kiln_digest *d) {
  int i;
  for (i = 0; i < 4; ++i)
    d->lane[i] = 0xcbf29ce484222325ull ^ (uint64_t)i;
  d->length = 0;
  d->tail_size = 0;
}

static inline uint64_t kiln_load_le64(const unsigned char *p) {
  uint64_t v = 0;
  int i;
  for (i = 7; i >= 0; --i)
    v = (v << 8) | p[i];
  return v;
}

static inline void kiln_digest_block(kiln_digest *d, const unsigned char *p) {
  int i;
  for (i = 0; i < 4; ++i)
    d->lane[i] = (d->lane[i] ^ kiln_load_le64(p + 8 * i)) * KILN_DIGEST_PRIME;
}

static inline void kiln_digest_update(kiln_digest *d, const void *data,
                                      size_t size) {
  const unsigned char *p = (const unsigned char *)data;
  d->length += size;
  while (size && d->tail_size) { /* finish a partial block first */
    d->tail[d->tail_size++] = *p++;
    --size;
    if (d->tail_size == 32) {
      kiln_digest_block(d, d->tail);
      d->tail_size = 0;
    }
  }
  for (; size >= 32; p += 32, size -= 32)
    kiln_digest_block(d, p);
  memcpy(d->tail, p, size);
  d->tail_size += (uint32_t)size;
}

static inline uint64_t kiln_digest_final(const kiln_digest *d) {
  uint64_t h = 0xcbf29ce484222325ull;
  uint32_t i;
  for (i = 0; i < d->tail_size; ++i)
    h = (h ^ d->tail[i]) * KILN_DIGEST_PRIME;
  for (i = 0; i < 4; ++i)
    h = (h ^ d->lane[i]) * KILN_DIGEST_PRIME;
  return (h ^ d->length) * KILN_DIGEST_PRIME;
}

/** Reads `size` bytes at `offset`; 0 on success. */
static inline int kiln_read_at(FILE *f, uint64_t offset, void *buf,
                               size_t size) {
  if (offset > (uint64_t)0x7fffffffffffffffll ||
      fseek(f, (long)offset, SEEK_SET) != 0)
    return -1;
  return fread(buf, 1, size, f) == size ? 0 : -1;
}

/** Writes "PATH: why" into message (when not NULL); returns the status. */
static inline kiln_status kiln_check_fail(char *message, size_t message_size,
                                          const char *path, const char *why,
                                          kiln_status status) {
  if (message && message_size)
    snprintf(message, message_size, "%s: %s", path, why);
  return status;
}

/** The ELF checks of kiln_check_library over an image of `size` bytes. */
static inline const char *kiln_check_elf(FILE *f, uint64_t size) {
  unsigned char eh[64], ph[56];
  uint64_t phoff, shoff, i;
  uint32_t phentsize, phnum, shentsize, shnum;
  if (size < 64 || kiln_read_at(f, 0, eh, 64) != 0 ||
      memcmp(eh, "\177ELF", 4) != 0)
    return "not an ELF file";
  if (eh[4] != 2 || eh[5] != 1)
    return "not a 64-bit little-endian ELF file";
  if ((eh[16] | eh[17] << 8) != 3)
    return "not a shared library (ELF type is not ET_DYN)";
  phoff = kiln_load_le64(eh + 32);
  shoff = kiln_load_le64(eh + 40);
  phentsize = eh[54] | (uint32_t)eh[55] << 8;
  phnum = eh[56] | (uint32_t)eh[57] << 8;
  shentsize = eh[58] | (uint32_t)eh[59] << 8;
  shnum = eh[60] | (uint32_t)eh[61] << 8;
  if (phentsize != 56 || phnum == 0 || phoff > size ||
      (size - phoff) / 56 < phnum)
    return "truncated or corrupted: program headers lie outside the file";
  if (shnum && (shentsize != 64 || shoff > size || (size - shoff) / 64 < shnum))
    return "truncated or corrupted: section headers lie outside the file";
  for (i = 0; i < phnum; ++i) {
    uint64_t offset, filesz;
    if (kiln_read_at(f, phoff + 56 * i, ph, 56) != 0)
      return "truncated: cannot read a program header";
    offset = kiln_load_le64(ph + 8);
    filesz = kiln_load_le64(ph + 32);
    if (ph[0] == 1 && ph[1] == 0 && ph[2] == 0 && ph[3] == 0 && /* PT_LOAD */
        (offset > size || filesz > size - offset))
      return "truncated or corrupted: a loadable segment extends past the "
             "end of the file";
  }
  return NULL;
}

/** Checks that `path` is a complete, unmodified shared library written by
 *  kiln compile (see above). Returns KILN_OK, or KILN_ERROR_INVALID_ARGUMENT
 *  with "PATH: why" in `message` (when not NULL; truncated to
 *  message_size). Reads the whole file once; loads nothing. */
static inline kiln_status kiln_check_library(const char *path, char *message,
                                             size_t message_size) {
  unsigned char seal[KILN_SEAL_SIZE], buf[1 << 16];
  uint64_t size, image, done;
  const char *why;
  kiln_digest d;
  FILE *f;
  if (!path)
    return KILN_ERROR_INVALID_ARGUMENT;
  f = fopen(path, "rb");
  if (!f)
    return kiln_check_fail(message, message_size, path, "cannot open file",
                           KILN_ERROR_INVALID_ARGUMENT);
  if (fseek(f, 0, SEEK_END) != 0 || ftell(f) < 0) {
    fclose(f);
    return kiln_check_fail(message, message_size, path, "cannot read file",
                           KILN_ERROR_INVALID_ARGUMENT);
  }
  size = (uint64_t)ftell(f);
  if (size < KILN_SEAL_SIZE ||
      kiln_read_at(f, size - KILN_SEAL_SIZE, seal, KILN_SEAL_SIZE) != 0 ||
      memcmp(seal, KILN_SEAL_MAGIC, 8) != 0) {
    why = kiln_check_elf(f, size);
    fclose(f);
    return kiln_check_fail(message, message_size, path,
                           why ? why
                               : "not a library written by kiln compile, or "
                                 "truncated (no Kiln seal at its end)",
                           KILN_ERROR_INVALID_ARGUMENT);
  }
  image = kiln_load_le64(seal + 8);
  if (kiln_load_le64(seal + 24) != KILN_SEAL_VERSION) {
    fclose(f);
    return kiln_check_fail(message, message_size, path,
                           "unknown Kiln seal version",
                           KILN_ERROR_INVALID_ARGUMENT);
  }
  if (image != size - KILN_SEAL_SIZE) {
    fclose(f);
    return kiln_check_fail(message, message_size, path,
                           "truncated or extended: its size does not match "
                           "the size kiln compile recorded",
                           KILN_ERROR_INVALID_ARGUMENT);
  }
  why = kiln_check_elf(f, image);
  if (why) {
    fclose(f);
    return kiln_check_fail(message, message_size, path, why,
                           KILN_ERROR_INVALID_ARGUMENT);
  }
  kiln_digest_init(&d);
  if (fseek(f, 0, SEEK_SET) != 0)
    image = 0;
  for (done = 0; done < image;) {
    size_t chunk = image - done < sizeof buf ? (size_t)(image - done)
                                             : sizeof buf;
    if (fread(buf, 1, chunk, f) != chunk)
      break;
    kiln_digest_update(&d, buf, chunk);
    done += chunk;
  }
  fclose(f);
  if (done != image || image == 0 ||
      kiln_digest_final(&d) != kiln_load_le64(seal + 16))
    return kiln_check_fail(message, message_size, path,
                           "corrupted: its digest does not match the one "
                           "kiln compile recorded",
                           KILN_ERROR_INVALID_ARGUMENT);
  return KILN_OK;
}

#ifdef __cplusplus
}
#endif
#endif /* KILN_RUNTIME_H */
