//===- scratch_test.cpp - Tests of the compiled code's buffer allocator ---===//
//
// Compiled models allocate temporaries through _mlir_memref_to_llvm_alloc /
// _free (runtime/scratch.c). Within a context, a freed block comes back for
// the next request of the same size (no re-mapping per run); an allocation
// that fails makes kiln_rt_run return KILN_ERROR_OUT_OF_MEMORY with a
// message instead of handing NULL to the compiled code.
//
//===----------------------------------------------------------------------===//

#include "kiln_rt.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>

extern "C" {
void *_mlir_memref_to_llvm_alloc(size_t size);
void _mlir_memref_to_llvm_free(void *ptr);
}

namespace {

void *gFirst = nullptr, *gSecond = nullptr;

/// Allocates, writes, frees, and allocates the same size again.
void invokeReuse(void *const *, const int64_t *const *, void *const *, const int64_t *const *) {
  gFirst = _mlir_memref_to_llvm_alloc(1 << 20);
  std::memset(gFirst, 1, 1 << 20);
  _mlir_memref_to_llvm_free(gFirst);
  gSecond = _mlir_memref_to_llvm_alloc(1 << 20);
  _mlir_memref_to_llvm_free(gSecond);
}

void *gLarge = nullptr, *gSmaller = nullptr, *gTiny = nullptr;

/// A large block freed, then a somewhat smaller and a much smaller request:
/// what a dynamic-shape model does when the batch shrinks.
void invokeShrink(void *const *, const int64_t *const *, void *const *,
                  const int64_t *const *) {
  gLarge = _mlir_memref_to_llvm_alloc(1 << 20);
  _mlir_memref_to_llvm_free(gLarge);
  gSmaller = _mlir_memref_to_llvm_alloc(600 << 10);
  std::memset(gSmaller, 2, 600 << 10);
  _mlir_memref_to_llvm_free(gSmaller);
  gTiny = _mlir_memref_to_llvm_alloc(1 << 10); // the 1 MiB block is cached
  _mlir_memref_to_llvm_free(gTiny);
}

/// Asks for more memory than any machine has.
void invokeHuge(void *const *, const int64_t *const *, void *const *, const int64_t *const *) {
  void *p = _mlir_memref_to_llvm_alloc(size_t(1) << 62);
  // Never reached: the runtime must not return NULL to compiled code.
  std::memset(p, 0, 16);
}

/// One index of a parallel loop (the last) asks for too much memory: on a
/// pool worker or on the calling thread, whichever claims it.
void hugeInParallelBody(int64_t i, void *) {
  if (i == 63)
    invokeHuge(nullptr, nullptr, nullptr, nullptr);
}

void invokeHugeInParallel(void *const *, const int64_t *const *, void *const *,
                          const int64_t *const *) {
  kiln_rt_parallel_for(64, hugeInParallelBody, nullptr);
}

const kiln_model_desc kDesc = {KILN_ABI_VERSION, "scratch", KILN_DEVICE_CPU,
                               0, nullptr, 0, nullptr};
const kiln_model_impl kReuse = {&kDesc, invokeReuse};
const kiln_model_impl kHuge = {&kDesc, invokeHuge};
const kiln_model_impl kHugeParallel = {&kDesc, invokeHugeInParallel};
const kiln_model_impl kShrink = {&kDesc, invokeShrink};

kiln_context *makeContext(const kiln_model_impl &model, int threads = 1) {
  kiln_options o{};
  o.struct_size = sizeof o;
  o.num_threads = threads;
  kiln_context *ctx = nullptr;
  EXPECT_EQ(kiln_rt_create(&model, &o, &ctx), KILN_OK);
  return ctx;
}

TEST(Scratch, FreedBlocksAreReusedWithinAContext) {
  kiln_context *ctx = makeContext(kReuse);
  ASSERT_EQ(kiln_rt_run(&kReuse, ctx, nullptr, 0, nullptr, 0), KILN_OK);
  EXPECT_EQ(gFirst, gSecond);
  void *firstRun = gFirst;
  ASSERT_EQ(kiln_rt_run(&kReuse, ctx, nullptr, 0, nullptr, 0), KILN_OK);
  EXPECT_EQ(gFirst, firstRun) << "the next run reuses the cached block";
  kiln_rt_destroy(ctx);
}

TEST(Scratch, LargerBlocksServeSomewhatSmallerRequests) {
  kiln_context *ctx = makeContext(kShrink);
  ASSERT_EQ(kiln_rt_run(&kShrink, ctx, nullptr, 0, nullptr, 0), KILN_OK);
  EXPECT_EQ(gSmaller, gLarge) << "a 1 MiB block serves a 600 KiB request";
  EXPECT_NE(gTiny, gLarge) << "but not a 1 KiB one (too much waste)";
  kiln_rt_destroy(ctx);
}

TEST(Scratch, FailedAllocationIsAnOutOfMemoryStatus) {
  kiln_context *ctx = makeContext(kHuge);
  EXPECT_EQ(kiln_rt_run(&kHuge, ctx, nullptr, 0, nullptr, 0),
            KILN_ERROR_OUT_OF_MEMORY);
  EXPECT_NE(std::strstr(kiln_rt_error(ctx), "out of memory"), nullptr)
      << kiln_rt_error(ctx);
  kiln_rt_destroy(ctx);
  // The context machinery still works afterwards.
  ctx = makeContext(kReuse);
  EXPECT_EQ(kiln_rt_run(&kReuse, ctx, nullptr, 0, nullptr, 0), KILN_OK);
  kiln_rt_destroy(ctx);
}

TEST(Scratch, FailedAllocationOnAWorkerIsAnOutOfMemoryStatus) {
  // Four threads: index 63 may land on any of them; every run must come
  // back as a status, never abort the process.
  kiln_context *ctx = makeContext(kHugeParallel, 4);
  for (int run = 0; run < 20; ++run) {
    ASSERT_EQ(kiln_rt_run(&kHugeParallel, ctx, nullptr, 0, nullptr, 0),
              KILN_ERROR_OUT_OF_MEMORY);
    EXPECT_NE(std::strstr(kiln_rt_error(ctx), "out of memory"), nullptr);
  }
  kiln_rt_destroy(ctx);
  ctx = makeContext(kReuse, 4);
  EXPECT_EQ(kiln_rt_run(&kReuse, ctx, nullptr, 0, nullptr, 0), KILN_OK);
  kiln_rt_destroy(ctx);
}

} // namespace
