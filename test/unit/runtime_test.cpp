//===- runtime_test.cpp - Tests of the C runtime (kiln_rt.h) --------------===//
//
// Drives kiln_rt_create/run/error/destroy and kiln_rt_parallel_for through
// hand-written kiln_model_impl instances: an "add one" model over a float
// [2,3] tensor (serial and parallel variants) and a "coverage" model whose
// parallel body counts how often each index runs and on which threads.
//
//===----------------------------------------------------------------------===//

#include "kiln_rt.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

const int64_t kShape23[2] = {2, 3};
const kiln_tensor_info kX = {"x", KILN_DTYPE_FLOAT32, 2, kShape23};
const kiln_tensor_info kY = {"y", KILN_DTYPE_FLOAT32, 2, kShape23};
const kiln_model_desc kAddDesc = {
    KILN_ABI_VERSION, "addone", KILN_DEVICE_CPU, 1, &kX, 1, &kY};

void addOneSerial(void *const *in, const int64_t *const *, void *const *out, const int64_t *const *) {
  const float *x = static_cast<const float *>(in[0]);
  float *y = static_cast<float *>(out[0]);
  for (int i = 0; i < 6; ++i)
    y[i] = x[i] + 1.0f;
}

void addOneParallel(void *const *in, const int64_t *const *, void *const *out, const int64_t *const *) {
  struct Args {
    const float *x;
    float *y;
  } args{static_cast<const float *>(in[0]), static_cast<float *>(out[0])};
  kiln_rt_parallel_for(
      6,
      [](int64_t i, void *p) {
        auto *a = static_cast<Args *>(p);
        a->y[i] = a->x[i] + 1.0f;
      },
      &args);
}

const kiln_model_impl kAddSerial = {&kAddDesc, addOneSerial};
const kiln_model_impl kAddParallel = {&kAddDesc, addOneParallel};

/// Inputs, outputs and their kiln_tensor views for the add-one model.
struct AddBuffers {
  std::vector<float> x{0, 1, 2, 3, 4, 5};
  std::vector<float> y = std::vector<float>(6, -7.0f);
  int64_t shape[2] = {2, 3};
  kiln_tensor in{x.data(), KILN_DTYPE_FLOAT32, 2, shape};
  kiln_tensor out{y.data(), KILN_DTYPE_FLOAT32, 2, shape};
};

kiln_options options(int threads) {
  kiln_options o{};
  o.struct_size = sizeof(kiln_options);
  o.num_threads = threads;
  o.device = KILN_DEVICE_CPU;
  return o;
}

/// RAII holder for a context created with `threads` threads.
struct Context {
  kiln_context *ctx = nullptr;
  Context(const kiln_model_impl &m, int threads) {
    kiln_options o = options(threads);
    EXPECT_EQ(kiln_rt_create(&m, &o, &ctx), KILN_OK) << kiln_rt_error(nullptr);
  }
  ~Context() { kiln_rt_destroy(ctx); }
};

TEST(Runtime, CreateRunDestroyAddsOne) {
  Context c(kAddSerial, 1);
  ASSERT_NE(c.ctx, nullptr);
  AddBuffers b;
  ASSERT_EQ(kiln_rt_run(&kAddSerial, c.ctx, &b.in, 1, &b.out, 1), KILN_OK);
  for (int i = 0; i < 6; ++i)
    EXPECT_FLOAT_EQ(b.y[i], float(i) + 1.0f);
  EXPECT_STREQ(kiln_rt_error(c.ctx), "");
}

TEST(Runtime, ParallelModelWithFourThreads) {
  Context c(kAddParallel, 4);
  AddBuffers b;
  ASSERT_EQ(kiln_rt_run(&kAddParallel, c.ctx, &b.in, 1, &b.out, 1), KILN_OK);
  for (int i = 0; i < 6; ++i)
    EXPECT_FLOAT_EQ(b.y[i], float(i) + 1.0f);
}

TEST(Runtime, NullOptionsMeanDefaults) {
  kiln_context *ctx = nullptr;
  ASSERT_EQ(kiln_rt_create(&kAddSerial, nullptr, &ctx), KILN_OK);
  EXPECT_NE(ctx, nullptr);
  kiln_rt_destroy(ctx);
}

TEST(Runtime, ShapeMismatchNamesTheInput) {
  Context c(kAddSerial, 1);
  AddBuffers b;
  b.shape[1] = 4;
  EXPECT_EQ(kiln_rt_run(&kAddSerial, c.ctx, &b.in, 1, &b.out, 1),
            KILN_ERROR_SHAPE_MISMATCH);
  EXPECT_STREQ(kiln_rt_error(c.ctx),
               "input 'x': expected shape [2,3], got [2,4]");
  EXPECT_FLOAT_EQ(b.y[0], -7.0f) << "invoke must not run after a mismatch";
}

TEST(Runtime, RankMismatchIsAShapeMismatch) {
  Context c(kAddSerial, 1);
  AddBuffers b;
  int64_t flat[1] = {6};
  b.in.rank = 1;
  b.in.shape = flat;
  EXPECT_EQ(kiln_rt_run(&kAddSerial, c.ctx, &b.in, 1, &b.out, 1),
            KILN_ERROR_SHAPE_MISMATCH);
  EXPECT_STREQ(kiln_rt_error(c.ctx),
               "input 'x': expected shape [2,3], got [6]");
}

TEST(Runtime, OutputShapeIsCheckedToo) {
  Context c(kAddSerial, 1);
  AddBuffers b;
  int64_t wrong[2] = {3, 2};
  b.out.shape = wrong;
  EXPECT_EQ(kiln_rt_run(&kAddSerial, c.ctx, &b.in, 1, &b.out, 1),
            KILN_ERROR_SHAPE_MISMATCH);
  EXPECT_NE(std::string(kiln_rt_error(c.ctx)).find("output 'y'"),
            std::string::npos);
}

TEST(Runtime, DtypeMismatch) {
  Context c(kAddSerial, 1);
  AddBuffers b;
  b.in.dtype = KILN_DTYPE_INT64;
  EXPECT_EQ(kiln_rt_run(&kAddSerial, c.ctx, &b.in, 1, &b.out, 1),
            KILN_ERROR_DTYPE_MISMATCH);
  EXPECT_STREQ(kiln_rt_error(c.ctx),
               "input 'x': expected dtype float32, got int64");
}

TEST(Runtime, WrongTensorCounts) {
  Context c(kAddSerial, 1);
  AddBuffers b;
  kiln_tensor two[2] = {b.in, b.in};
  EXPECT_EQ(kiln_rt_run(&kAddSerial, c.ctx, two, 2, &b.out, 1),
            KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(kiln_rt_error(c.ctx), "expected 1 input tensor(s), got 2");
  EXPECT_EQ(kiln_rt_run(&kAddSerial, c.ctx, &b.in, 1, &b.out, 0),
            KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(kiln_rt_error(c.ctx), "expected 1 output tensor(s), got 0");
}

TEST(Runtime, NullPointers) {
  Context c(kAddSerial, 1);
  AddBuffers b;
  EXPECT_EQ(kiln_rt_run(&kAddSerial, nullptr, &b.in, 1, &b.out, 1),
            KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(kiln_rt_error(nullptr), "context is NULL");
  EXPECT_EQ(kiln_rt_run(&kAddSerial, c.ctx, nullptr, 1, &b.out, 1),
            KILN_ERROR_INVALID_ARGUMENT);
  b.in.data = nullptr;
  EXPECT_EQ(kiln_rt_run(&kAddSerial, c.ctx, &b.in, 1, &b.out, 1),
            KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(kiln_rt_error(c.ctx), "input 'x': data is NULL");
  b.in.data = b.x.data();
  b.out.shape = nullptr;
  EXPECT_EQ(kiln_rt_run(&kAddSerial, c.ctx, &b.in, 1, &b.out, 1),
            KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(kiln_rt_create(&kAddSerial, nullptr, nullptr),
            KILN_ERROR_INVALID_ARGUMENT);
  kiln_context *ctx = reinterpret_cast<kiln_context *>(0x1);
  EXPECT_EQ(kiln_rt_create(nullptr, nullptr, &ctx),
            KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(ctx, nullptr) << "a failed create must clear *out";
}

TEST(Runtime, ErrorClearsOnTheNextGoodRun) {
  Context c(kAddSerial, 1);
  AddBuffers b;
  b.in.dtype = KILN_DTYPE_INT32;
  EXPECT_NE(kiln_rt_run(&kAddSerial, c.ctx, &b.in, 1, &b.out, 1), KILN_OK);
  EXPECT_STRNE(kiln_rt_error(c.ctx), "");
  b.in.dtype = KILN_DTYPE_FLOAT32;
  EXPECT_EQ(kiln_rt_run(&kAddSerial, c.ctx, &b.in, 1, &b.out, 1), KILN_OK);
  EXPECT_STREQ(kiln_rt_error(c.ctx), "");
}

TEST(Runtime, DeviceMismatchIsUnsupported) {
  kiln_options o = options(1);
  o.device = KILN_DEVICE_CUDA;
  kiln_context *ctx = nullptr;
  EXPECT_EQ(kiln_rt_create(&kAddSerial, &o, &ctx), KILN_ERROR_UNSUPPORTED);
  EXPECT_EQ(ctx, nullptr);
  EXPECT_NE(std::string(kiln_rt_error(nullptr)).find("cuda"),
            std::string::npos);
}

TEST(Runtime, StructSizeVersioning) {
  kiln_options o = options(1);
  o.struct_size = 0;
  kiln_context *ctx = nullptr;
  EXPECT_EQ(kiln_rt_create(&kAddSerial, &o, &ctx), KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(kiln_rt_error(nullptr)).find("struct_size"),
            std::string::npos);
  // An older caller whose struct ends before `device`: it is not read, so a
  // garbage value there must not cause a device mismatch.
  o = options(2);
  o.struct_size = offsetof(kiln_options, device);
  o.device = static_cast<kiln_device>(77);
  ASSERT_EQ(kiln_rt_create(&kAddSerial, &o, &ctx), KILN_OK);
  kiln_rt_destroy(ctx);
}

TEST(Runtime, ContextOfAnotherModelIsRejected) {
  const kiln_model_desc otherDesc = {
      KILN_ABI_VERSION, "other", KILN_DEVICE_CPU, 1, &kX, 1, &kY};
  const kiln_model_impl other = {&otherDesc, addOneSerial};
  Context c(kAddSerial, 1);
  AddBuffers b;
  EXPECT_EQ(kiln_rt_run(&other, c.ctx, &b.in, 1, &b.out, 1),
            KILN_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(kiln_rt_error(c.ctx)).find("addone"),
            std::string::npos);
}

TEST(Runtime, ParallelForOutsideARunIsInlineAndOrdered) {
  std::vector<int64_t> order;
  kiln_rt_parallel_for(
      5,
      [](int64_t i, void *p) {
        static_cast<decltype(order) *>(p)->push_back(i);
      },
      &order);
  EXPECT_EQ(order, (std::vector<int64_t>{0, 1, 2, 3, 4}));
}

} // namespace
