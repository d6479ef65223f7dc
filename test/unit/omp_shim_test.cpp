//===- omp_shim_test.cpp - Tests of the runtime's OpenMP entry points -----===//
//
// Compiled models run their parallel loops through __kmpc_fork_call and
// __kmpc_for_static_init_8u (runtime/omp_shim.c). These tests drive the
// shim the way OpenMPIRBuilder's code does: an outlined region taking a
// struct of captured values, which asks static_init for its share of an
// inclusive range. Every iteration must run exactly once, for any thread
// count and trip count, including trip counts smaller than the team.
//
//===----------------------------------------------------------------------===//

#include "kiln_rt.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

extern "C" {
void __kmpc_fork_call(void *ident, int32_t argc, void *task, ...);
int32_t __kmpc_global_thread_num(void *ident);
void __kmpc_for_static_init_8u(void *ident, int32_t gtid, int32_t sched,
                               int32_t *last, uint64_t *lower, uint64_t *upper,
                               uint64_t *stride, uint64_t incr, uint64_t chunk);
void __kmpc_for_static_fini(void *ident, int32_t gtid);
void __kmpc_barrier(void *ident, int32_t gtid);
}

namespace {

/// What OpenMPIRBuilder passes to the outlined region: captured values.
struct Captures {
  int32_t *hits;
  uint64_t trips;
  int32_t lastSeen; ///< how many members reported the last iteration
};

/// An outlined region: a static worksharing loop over [0, trips).
void region(int32_t *gtid, int32_t *, Captures *c) {
  int32_t tid = __kmpc_global_thread_num(nullptr);
  EXPECT_EQ(tid, *gtid);
  uint64_t lower = 0, upper = c->trips - 1, stride = 0;
  int32_t last = 0;
  __kmpc_for_static_init_8u(nullptr, tid, 34, &last, &lower, &upper, &stride,
                            1, 0);
  for (uint64_t i = lower; i <= upper && i < c->trips; ++i)
    __atomic_fetch_add(&c->hits[i], 1, __ATOMIC_RELAXED);
  if (last)
    __atomic_fetch_add(&c->lastSeen, 1, __ATOMIC_RELAXED);
  __kmpc_for_static_fini(nullptr, tid);
  __kmpc_barrier(nullptr, tid);
}

/// Output buffer of the fake model: the hits of one loop.
constexpr int64_t kMaxTrips = 1000;
const int64_t kShape[1] = {kMaxTrips};
const kiln_tensor_info kHits = {"hits", KILN_DTYPE_INT32, 1, kShape};
uint64_t gTrips = 0;
int32_t gLastSeen = 0;

void invoke(void *const *, const int64_t *const *, void *const *out, const int64_t *const *) {
  Captures c{static_cast<int32_t *>(out[0]), gTrips, 0};
  __kmpc_fork_call(nullptr, 1, reinterpret_cast<void *>(&region), &c);
  gLastSeen = c.lastSeen;
}

const kiln_model_desc kDesc = {KILN_ABI_VERSION, "omp", KILN_DEVICE_CPU,
                               0, nullptr, 1, &kHits};
const kiln_model_impl kModel = {&kDesc, invoke};

class OmpShim : public ::testing::TestWithParam<std::tuple<int, int>> {};

TEST_P(OmpShim, StaticLoopCoversEveryIterationOnce) {
  auto [threads, trips] = GetParam();
  kiln_options o{};
  o.struct_size = sizeof o;
  o.num_threads = threads;
  kiln_context *ctx = nullptr;
  ASSERT_EQ(kiln_rt_create(&kModel, &o, &ctx), KILN_OK);
  std::vector<int32_t> hits(kMaxTrips, 0);
  kiln_tensor out{hits.data(), KILN_DTYPE_INT32, 1, kShape};
  gTrips = uint64_t(trips);
  ASSERT_EQ(kiln_rt_run(&kModel, ctx, nullptr, 0, &out, 1), KILN_OK);
  for (int64_t i = 0; i < kMaxTrips; ++i)
    ASSERT_EQ(hits[i], i < trips ? 1 : 0) << "iteration " << i;
  EXPECT_EQ(gLastSeen, 1) << "exactly one member owns the last iteration";
  kiln_rt_destroy(ctx);
}

INSTANTIATE_TEST_SUITE_P(ThreadsAndTrips, OmpShim,
                         ::testing::Combine(::testing::Values(1, 2, 3, 8),
                                            ::testing::Values(1, 2, 7, 1000)));

} // namespace
