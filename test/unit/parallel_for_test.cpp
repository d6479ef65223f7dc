//===- parallel_for_test.cpp - Tests of the runtime's thread pool ---------===//
//
// Checks kiln_rt_parallel_for as compiled kernels use it, inside kiln_rt_run:
// every index runs exactly once with 1 and 4 threads, work really spreads
// over several threads, nested loops run inline without deadlock, and
// concurrent runs on distinct contexts from several std::threads stay
// correct.
//
//===----------------------------------------------------------------------===//

#include "kiln_rt.h"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace {

constexpr int64_t kCount = 10007; // prime: chunks never divide it evenly
const int64_t kCountShape[1] = {kCount};
const kiln_tensor_info kHits = {"hits", KILN_DTYPE_INT32, 1, kCountShape};

/// Adds one to hits[i] atomically.
void countHit(int64_t i, void *arg) {
  __atomic_fetch_add(static_cast<int32_t *>(arg) + i, 1, __ATOMIC_RELAXED);
}

void invokeCoverage(void *const *, const int64_t *const *, void *const *out, const int64_t *const *) {
  kiln_rt_parallel_for(kCount, countHit, out[0]);
}

void invokeNested(void *const *, const int64_t *const *, void *const *out, const int64_t *const *) {
  kiln_rt_parallel_for(
      kCount / 7 + 1,
      [](int64_t i, void *arg) {
        // Each outer index covers up to 7 consecutive hits with an inner loop.
        struct Inner {
          int32_t *hits;
          int64_t base;
        } inner{static_cast<int32_t *>(arg), i * 7};
        kiln_rt_parallel_for(
            7,
            [](int64_t j, void *p) {
              auto *in = static_cast<Inner *>(p);
              if (in->base + j < kCount)
                countHit(in->base + j, in->hits);
            },
            &inner);
      },
      out[0]);
}

std::mutex gThreadsMutex;
std::set<std::thread::id> gThreads;

void invokeSlow(void *const *, const int64_t *const *, void *const *, const int64_t *const *) {
  kiln_rt_parallel_for(
      64,
      [](int64_t, void *) {
        // 64 ms of sleeping: ample time for every worker to wake and join.
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        std::lock_guard<std::mutex> lock(gThreadsMutex);
        gThreads.insert(std::this_thread::get_id());
      },
      nullptr);
}

const kiln_model_desc kCoverageDesc = {
    KILN_ABI_VERSION, "coverage", KILN_DEVICE_CPU, 0, nullptr, 1, &kHits};
const kiln_model_impl kCoverage = {&kCoverageDesc, invokeCoverage};
const kiln_model_impl kNested = {&kCoverageDesc, invokeNested};
const kiln_model_impl kSlow = {&kCoverageDesc, invokeSlow};

/// Runs `model` once on a fresh zeroed hits buffer and returns it.
std::vector<int32_t> runHits(const kiln_model_impl &model, kiln_context *ctx) {
  std::vector<int32_t> hits(kCount, 0);
  kiln_tensor out{hits.data(), KILN_DTYPE_INT32, 1, kCountShape};
  EXPECT_EQ(kiln_rt_run(&model, ctx, nullptr, 0, &out, 1), KILN_OK)
      << kiln_rt_error(ctx);
  return hits;
}

kiln_context *makeContext(const kiln_model_impl &model, int threads) {
  kiln_options o{};
  o.struct_size = sizeof o;
  o.num_threads = threads;
  kiln_context *ctx = nullptr;
  EXPECT_EQ(kiln_rt_create(&model, &o, &ctx), KILN_OK);
  return ctx;
}

/// Number of indices not hit exactly once.
int64_t badIndices(const std::vector<int32_t> &hits) {
  int64_t bad = 0;
  for (int32_t h : hits)
    bad += h != 1;
  return bad;
}

class ParallelFor : public ::testing::TestWithParam<int> {};

TEST_P(ParallelFor, CoversEveryIndexExactlyOnce) {
  kiln_context *ctx = makeContext(kCoverage, GetParam());
  for (int rep = 0; rep < 20; ++rep)
    ASSERT_EQ(badIndices(runHits(kCoverage, ctx)), 0) << "rep " << rep;
  kiln_rt_destroy(ctx);
}

TEST_P(ParallelFor, NestedLoopsRunInline) {
  kiln_context *ctx = makeContext(kNested, GetParam());
  EXPECT_EQ(badIndices(runHits(kNested, ctx)), 0);
  kiln_rt_destroy(ctx);
}

INSTANTIATE_TEST_SUITE_P(Threads, ParallelFor, ::testing::Values(1, 4));

TEST(ParallelForThreads, FourThreadsShareTheWork) {
  gThreads.clear();
  kiln_context *ctx = makeContext(kSlow, 4);
  runHits(kSlow, ctx);
  kiln_rt_destroy(ctx);
  EXPECT_GT(gThreads.size(), 1u);
  EXPECT_LE(gThreads.size(), 4u);
}

TEST(ParallelForThreads, OneThreadRunsOnTheCaller) {
  gThreads.clear();
  kiln_context *ctx = makeContext(kSlow, 1);
  runHits(kSlow, ctx);
  kiln_rt_destroy(ctx);
  ASSERT_EQ(gThreads.size(), 1u);
  EXPECT_EQ(*gThreads.begin(), std::this_thread::get_id());
}

TEST(ParallelForThreads, ConcurrentRunsOnDistinctContexts) {
  constexpr int kCallers = 4;
  std::vector<int64_t> failures(kCallers, 0);
  std::vector<std::thread> callers;
  for (int t = 0; t < kCallers; ++t)
    callers.emplace_back([t, &failures] {
      kiln_context *ctx = makeContext(kCoverage, 2 + t % 2);
      for (int rep = 0; rep < 25; ++rep)
        failures[t] += badIndices(runHits(kCoverage, ctx));
      kiln_rt_destroy(ctx);
    });
  for (std::thread &c : callers)
    c.join();
  for (int t = 0; t < kCallers; ++t)
    EXPECT_EQ(failures[t], 0) << "caller " << t;
}

TEST(ParallelForThreads, ManyCreateDestroyCycles) {
  for (int i = 0; i < 50; ++i) {
    kiln_context *ctx = makeContext(kCoverage, 3);
    ASSERT_NE(ctx, nullptr);
    if (i % 5 == 0) {
      EXPECT_EQ(badIndices(runHits(kCoverage, ctx)), 0);
    }
    kiln_rt_destroy(ctx);
  }
}

} // namespace
