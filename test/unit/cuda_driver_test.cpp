//===- cuda_driver_test.cpp - Tests of the CUDA runtime (runtime/cuda) ----===//
//
// Drives kiln_cuda_open and the mgpu* functions compiled GPU code calls
// without a GPU: KILN_CUDA_DRIVER points the runtime at a missing library or
// at fake_cuda_driver.c, a stand-in for libcuda whose results the tests set.
// The driver is probed once per process, so every test resets the probe
// (kiln_cuda_reset_for_testing). Hand-written kiln_model_impl instances
// whose invoke makes the calls generated host code makes check that driver
// failures come back from kiln_rt_run as errors.
//
//===----------------------------------------------------------------------===//

#include "cuda/cuda_driver.h"
#include "kiln_rt.h"

#include <gtest/gtest.h>

#include <dlfcn.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

const char *const kNoDriver = "/nonexistent/kiln-test/libcuda.so.1";

const int64_t kShape23[2] = {2, 3};
const kiln_tensor_info kX = {"x", KILN_DTYPE_FLOAT32, 2, kShape23};
const kiln_tensor_info kY = {"y", KILN_DTYPE_FLOAT32, 2, kShape23};
const kiln_model_desc kGpuDesc = {
    KILN_ABI_VERSION, "gpunet", KILN_DEVICE_CUDA, 1, &kX, 1, &kY};
const kiln_model_desc kCpuDesc = {
    KILN_ABI_VERSION, "cpunet", KILN_DEVICE_CPU, 1, &kX, 1, &kY};

/// The module a model library's constructor would register.
void *gModule = nullptr;

/// What generated host code does for one kernel launch.
void launchAddOne() {
  void *function = mgpuModuleGetFunction(gModule, "add_one");
  void *stream = mgpuStreamCreate();
  void *params[1] = {nullptr};
  mgpuLaunchKernel(function, 1, 1, 1, 6, 1, 1, 0, stream, params, nullptr, 1);
  mgpuStreamSynchronize(stream);
  mgpuStreamDestroy(stream);
}

void invokeTwoLaunches(void *const *, const int64_t *const *, void *const *,
                       const int64_t *const *) {
  launchAddOne();
  launchAddOne();
}

/// Copies x to the device, overwrites its second row with 9.0f and its
/// first element's two halves with 0x3f80, and copies it back into y.
void invokeMemory(void *const *in, const int64_t *const *, void *const *out,
                  const int64_t *const *) {
  void *stream = mgpuStreamCreate();
  auto *dev = static_cast<float *>(mgpuMemAlloc(24, stream, false));
  mgpuMemcpy(dev, in[0], 24, stream);
  float nine = 9.0f;
  unsigned bits;
  std::memcpy(&bits, &nine, 4);
  mgpuMemset32(dev + 3, bits, 3, stream);
  mgpuMemset16(dev, 0x3f80, 2, nullptr);
  mgpuMemcpy(out[0], dev, 24, stream);
  mgpuMemFree(dev, stream);
  EXPECT_EQ(mgpuMemAlloc(0, stream, true), nullptr);
}

/// Allocates two device buffers, frees one, then launches (which the test
/// makes fail): the run stops before the second free.
void invokeAllocThenLaunch(void *const *, const int64_t *const *,
                           void *const *, const int64_t *const *) {
  void *stream = mgpuStreamCreate();
  void *a = mgpuMemAlloc(64, stream, false);
  void *b = mgpuMemAlloc(64, stream, false);
  mgpuMemFree(a, stream);
  launchAddOne();
  mgpuMemFree(b, stream);
}

void invokeStream(void *const *, const int64_t *const *, void *const *,
                  const int64_t *const *) {
  mgpuStreamCreate();
}

const kiln_model_impl kGpuNet = {&kGpuDesc, invokeTwoLaunches};
const kiln_model_impl kGpuMemory = {&kGpuDesc, invokeMemory};
const kiln_model_impl kGpuAllocThenLaunch = {&kGpuDesc, invokeAllocThenLaunch};
const kiln_model_impl kCpuCallingCuda = {&kCpuDesc, invokeStream};

struct Buffers {
  std::vector<float> x{0, 1, 2, 3, 4, 5};
  std::vector<float> y = std::vector<float>(6, -7.0f);
  int64_t shape[2] = {2, 3};
  kiln_tensor in{x.data(), KILN_DTYPE_FLOAT32, 2, shape};
  kiln_tensor out{y.data(), KILN_DTYPE_FLOAT32, 2, shape};
};

/// Creates a context of `model` (threads as given), runs it once and
/// returns the status; `error` gets the run's error text.
kiln_status createAndRun(const kiln_model_impl &model, int threads,
                         std::string &error, Buffers *buffers = nullptr) {
  kiln_options o{};
  o.struct_size = sizeof o;
  o.num_threads = threads;
  kiln_context *ctx = nullptr;
  kiln_status status = kiln_rt_create(&model, &o, &ctx);
  if (status != KILN_OK) {
    error = kiln_rt_error(nullptr);
    return status;
  }
  Buffers local;
  Buffers &b = buffers ? *buffers : local;
  status = kiln_rt_run(&model, ctx, &b.in, 1, &b.out, 1);
  error = kiln_rt_error(ctx);
  kiln_rt_destroy(ctx);
  return status;
}

bool contains(const std::string &text, const std::string &part) {
  return text.find(part) != std::string::npos;
}

class CudaDriver : public ::testing::Test {
protected:
  void SetUp() override {
    if (const char *old = std::getenv("KILN_CUDA_DRIVER"))
      saved_ = old;
  }
  void TearDown() override {
    if (saved_)
      setenv("KILN_CUDA_DRIVER", saved_->c_str(), 1);
    else
      unsetenv("KILN_CUDA_DRIVER");
    if (gModule) // while the driver that loaded it is still open
      mgpuModuleUnload(gModule);
    gModule = nullptr;
    kiln_cuda_reset_for_testing();
  }

  /// Makes the next kiln_cuda_open load `path`.
  void useDriver(const char *path) {
    setenv("KILN_CUDA_DRIVER", path, 1);
    kiln_cuda_reset_for_testing();
  }

  /// Points the runtime at the fake driver and sets what it returns. The
  /// runtime's dlopen of the same path shares this copy of the library.
  void useFake(int initResult, int devices, int launchResult) {
    useDriver(KILN_FAKE_CUDA_DRIVER_PATH);
    void *lib = dlopen(KILN_FAKE_CUDA_DRIVER_PATH, RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(lib, nullptr) << dlerror();
    auto configure = reinterpret_cast<void (*)(int, int, int)>(
        dlsym(lib, "fake_cuda_configure"));
    calls_ =
        reinterpret_cast<int (*)(const char *)>(dlsym(lib, "fake_cuda_calls"));
    ASSERT_NE(configure, nullptr);
    ASSERT_NE(calls_, nullptr);
    configure(initResult, devices, launchResult);
  }

  int calls(const char *call) { return calls_(call); }

  std::string open(kiln_status expected) {
    char message[1024] = "untouched";
    EXPECT_EQ(kiln_cuda_open(message, sizeof message), expected);
    return message;
  }

private:
  std::optional<std::string> saved_;
  int (*calls_)(const char *) = nullptr;
};

TEST_F(CudaDriver, NoDriverLibraryIsUnsupported) {
  useDriver(kNoDriver);
  std::string message = open(KILN_ERROR_UNSUPPORTED);
  EXPECT_TRUE(contains(message, "no CUDA driver: ")) << message;
  EXPECT_TRUE(contains(message, std::string(kNoDriver) + " could not be "
                                                         "loaded ("))
      << message;
}

TEST_F(CudaDriver, CuInitWithoutDeviceIsUnsupported) {
  useFake(/*CUDA_ERROR_NO_DEVICE*/ 100, 1, 0);
  EXPECT_EQ(open(KILN_ERROR_UNSUPPORTED),
            "the CUDA driver found no CUDA device (cuInit: "
            "CUDA_ERROR_NO_DEVICE (no CUDA-capable device is detected))");
}

TEST_F(CudaDriver, UnknownInitErrorIsNumbered) {
  useFake(12345, 1, 0);
  EXPECT_EQ(open(KILN_ERROR_UNSUPPORTED),
            "the CUDA driver could not be initialised (cuInit: CUDA error "
            "12345)");
}

TEST_F(CudaDriver, ZeroDevicesIsUnsupported) {
  useFake(0, 0, 0);
  EXPECT_TRUE(contains(open(KILN_ERROR_UNSUPPORTED), "found no CUDA device"));
}

TEST_F(CudaDriver, FakeDeviceOpens) {
  useFake(0, 1, 0);
  EXPECT_EQ(open(KILN_OK), "");
}

TEST_F(CudaDriver, ProbeRunsOncePerProcess) {
  useDriver(kNoDriver);
  std::string first = open(KILN_ERROR_UNSUPPORTED);
  setenv("KILN_CUDA_DRIVER", KILN_FAKE_CUDA_DRIVER_PATH, 1); // no reset
  EXPECT_EQ(open(KILN_ERROR_UNSUPPORTED), first);
}

TEST_F(CudaDriver, ConcurrentOpensAgree) {
  useDriver(kNoDriver);
  std::vector<std::thread> threads;
  std::vector<std::string> messages(8);
  for (auto &m : messages)
    threads.emplace_back([&m] {
      char buf[1024];
      kiln_cuda_open(buf, sizeof buf);
      m = buf;
    });
  for (auto &t : threads)
    t.join();
  for (const auto &m : messages)
    EXPECT_EQ(m, messages[0]);
  EXPECT_TRUE(contains(messages[0], "no CUDA driver"));
}

TEST_F(CudaDriver, CreateWithoutDriverIsUnsupported) {
  useDriver(kNoDriver);
  kiln_context *ctx = reinterpret_cast<kiln_context *>(&ctx);
  EXPECT_EQ(kiln_rt_create(&kGpuNet, nullptr, &ctx), KILN_ERROR_UNSUPPORTED);
  EXPECT_EQ(ctx, nullptr);
  std::string error = kiln_rt_error(nullptr);
  EXPECT_TRUE(contains(error, "no CUDA driver: ")) << error;
  EXPECT_TRUE(contains(error, kNoDriver)) << error;
}

TEST_F(CudaDriver, ZeroDeviceOptionMeansTheLibrarysDevice) {
  useFake(0, 1, 0);
  kiln_context *ctx = nullptr;
  ASSERT_EQ(kiln_rt_create(&kGpuNet, nullptr, &ctx), KILN_OK)
      << kiln_rt_error(nullptr);
  kiln_rt_destroy(ctx);
  kiln_options o{};
  o.struct_size = sizeof o;
  for (kiln_device device : {KILN_DEVICE_CPU, KILN_DEVICE_CUDA}) {
    o.device = device;
    ASSERT_EQ(kiln_rt_create(&kGpuNet, &o, &ctx), KILN_OK)
        << kiln_rt_error(nullptr);
    kiln_rt_destroy(ctx);
  }
  // A CPU library still refuses an explicit CUDA request.
  EXPECT_EQ(kiln_rt_create(&kCpuCallingCuda, &o, &ctx), KILN_ERROR_UNSUPPORTED);
}

TEST_F(CudaDriver, ModulesRegisterWithoutTouchingTheDriver) {
  useDriver(kNoDriver);
  static const char ptx[] = ".version 8.0\n";
  static const unsigned char blob[16] = {0x50, 0xed, 0x55, 0xba};
  void *jit = mgpuModuleLoadJIT(const_cast<char *>(ptx), 3);
  void *bin = mgpuModuleLoad(const_cast<unsigned char *>(blob), sizeof blob);
  EXPECT_NE(jit, nullptr);
  EXPECT_NE(bin, nullptr);
  mgpuModuleUnload(jit);
  mgpuModuleUnload(bin);
  mgpuModuleUnload(nullptr);

  useFake(0, 1, 0);
  jit = mgpuModuleLoadJIT(const_cast<char *>(ptx), 3);
  mgpuModuleUnload(jit);
  EXPECT_EQ(calls("cuModuleLoadDataEx"), 0);
  EXPECT_EQ(calls("cuModuleUnload"), 0);
}

TEST_F(CudaDriver, LaunchesReuseTheModuleAndTheThreadsStream) {
  useFake(0, 1, 0);
  gModule = mgpuModuleLoadJIT(const_cast<char *>("// add_one"), 3);
  std::thread runner([] {
    std::string error;
    for (int run = 0; run < 2; ++run)
      EXPECT_EQ(createAndRun(kGpuNet, 1, error), KILN_OK) << error;
  });
  runner.join();
  EXPECT_EQ(calls("cuLaunchKernel"), 4);
  EXPECT_EQ(calls("cuModuleLoadDataEx"), 1);
  EXPECT_EQ(calls("cuStreamCreate"), 1);
  mgpuModuleUnload(gModule);
  gModule = nullptr;
  EXPECT_EQ(calls("cuModuleUnload"), 1);
}

TEST_F(CudaDriver, LaunchFailureIsAnInternalError) {
  useFake(0, 1, /*CUDA_ERROR_LAUNCH_FAILED*/ 719);
  gModule = mgpuModuleLoadJIT(const_cast<char *>("// add_one"), 3);
  std::string error;
  EXPECT_EQ(createAndRun(kGpuNet, 1, error), KILN_ERROR_INTERNAL);
  EXPECT_EQ(error, "CUDA error in cuLaunchKernel: CUDA_ERROR_LAUNCH_FAILED "
                   "(unspecified launch failure)");
  EXPECT_EQ(calls("cuLaunchKernel"), 1) << "the run stops at the failure";
}

TEST_F(CudaDriver, FailedRunFreesItsDeviceBuffers) {
  useFake(0, 1, /*CUDA_ERROR_LAUNCH_FAILED*/ 719);
  gModule = mgpuModuleLoadJIT(const_cast<char *>("// add_one"), 3);
  int before = calls("live buffers");
  std::string error;
  EXPECT_EQ(createAndRun(kGpuAllocThenLaunch, 1, error), KILN_ERROR_INTERNAL);
  EXPECT_EQ(calls("live buffers"), before)
      << "the buffer the compiled code never reached the free of leaked";
}

TEST_F(CudaDriver, RunBuffersComeFromTheStreamOrderedPool) {
  // The stand-in's device supports memory pools: a run's buffers are
  // cuMemAllocAsync'd and cuMemFreeAsync'd on its stream, none left over.
  useFake(0, 1, 0);
  gModule = mgpuModuleLoadJIT(const_cast<char *>("// add_one"), 3);
  int before = calls("live buffers");
  std::string error;
  EXPECT_EQ(createAndRun(kGpuAllocThenLaunch, 1, error), KILN_OK) << error;
  EXPECT_EQ(calls("cuMemAllocAsync"), 2);
  EXPECT_EQ(calls("live buffers"), before);
}

TEST_F(CudaDriver, DeviceOutOfMemoryIsOutOfMemory) {
  useFake(0, 1, 0);
  void *lib = dlopen(KILN_FAKE_CUDA_DRIVER_PATH, RTLD_NOW | RTLD_LOCAL);
  auto limit = reinterpret_cast<void (*)(int)>(
      dlsym(lib, "fake_cuda_limit_allocations"));
  ASSERT_NE(limit, nullptr);
  gModule = mgpuModuleLoadJIT(const_cast<char *>("// add_one"), 3);
  int before = calls("live buffers");
  limit(1); // the first buffer fits, the second does not
  std::string error;
  EXPECT_EQ(createAndRun(kGpuAllocThenLaunch, 1, error),
            KILN_ERROR_OUT_OF_MEMORY);
  limit(-1);
  EXPECT_TRUE(contains(error, "CUDA_ERROR_OUT_OF_MEMORY")) << error;
  EXPECT_EQ(calls("live buffers"), before) << "the first buffer leaked";
}

TEST_F(CudaDriver, JitErrorCarriesTheLog) {
  useFake(0, 1, 0);
  gModule = mgpuModuleLoadJIT(const_cast<char *>("bad add_one"), 3);
  std::string error;
  EXPECT_EQ(createAndRun(kGpuNet, 1, error), KILN_ERROR_INTERNAL);
  EXPECT_EQ(error, "CUDA error in cuModuleLoadDataEx: CUDA_ERROR_INVALID_PTX "
                   "(a PTX JIT compilation failed): fake ptxas: syntax error "
                   "at 'bad'");
}

TEST_F(CudaDriver, MissingKernelIsNamed) {
  useFake(0, 1, 0);
  gModule = mgpuModuleLoadJIT(const_cast<char *>("// other"), 3);
  std::string error;
  EXPECT_EQ(createAndRun(kGpuNet, 1, error), KILN_ERROR_INTERNAL);
  EXPECT_EQ(error, "CUDA error in cuModuleGetFunction: CUDA_ERROR_NOT_FOUND "
                   "(named symbol not found): kernel 'add_one'");
}

TEST_F(CudaDriver, DeviceCallWithoutDriverStopsTheRun) {
  useDriver(kNoDriver);
  std::string error;
  EXPECT_EQ(createAndRun(kCpuCallingCuda, 1, error), KILN_ERROR_INTERNAL);
  EXPECT_TRUE(contains(error, "no CUDA driver: ")) << error;
}

TEST_F(CudaDriver, MemoryCopiesAndSetsRoundTrip) {
  useFake(0, 1, 0);
  Buffers b;
  std::string error;
  ASSERT_EQ(createAndRun(kGpuMemory, 1, error, &b), KILN_OK) << error;
  uint32_t first;
  std::memcpy(&first, &b.y[0], 4);
  EXPECT_EQ(first, 0x3f803f80u);
  EXPECT_FLOAT_EQ(b.y[1], 1.0f);
  EXPECT_FLOAT_EQ(b.y[2], 2.0f);
  for (int i = 3; i < 6; ++i)
    EXPECT_FLOAT_EQ(b.y[i], 9.0f);
}

/// A parallel loop whose index on the calling thread waits until a worker
/// has failed, so the failure surely happens on another thread.
std::atomic<bool> gWorkerFailed{false};
std::thread::id gRunThread;

void invokeFailOnWorker(void *const *, const int64_t *const *, void *const *,
                        const int64_t *const *) {
  gRunThread = std::this_thread::get_id();
  kiln_rt_parallel_for(
      16,
      [](int64_t, void *) {
        if (std::this_thread::get_id() != gRunThread) {
          gWorkerFailed = true;
          mgpuSetDefaultDevice(3);
        }
        auto deadline =
            std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (!gWorkerFailed && std::chrono::steady_clock::now() < deadline)
          std::this_thread::yield();
      },
      nullptr);
}

TEST_F(CudaDriver, FailureOnAWorkerThreadKeepsItsMessage) {
  useFake(0, 1, 0);
  const kiln_model_impl model = {&kGpuDesc, invokeFailOnWorker};
  gWorkerFailed = false;
  std::string error;
  EXPECT_EQ(createAndRun(model, 4, error), KILN_ERROR_INTERNAL);
  EXPECT_EQ(error, "the compiled code asks for CUDA device 3, but Kiln runs "
                   "on device 0 only");
}

TEST_F(CudaDriver, EmptyGridLaunchesNothing) {
  useFake(0, 1, /*would fail*/ 719);
  gModule = mgpuModuleLoadJIT(const_cast<char *>("// add_one"), 3);
  const kiln_model_impl model = {
      &kGpuDesc, [](void *const *, const int64_t *const *, void *const *,
                    const int64_t *const *) {
        void *f = mgpuModuleGetFunction(gModule, "add_one");
        mgpuLaunchKernel(f, 0, 1, 1, 32, 1, 1, 0, mgpuStreamCreate(), nullptr,
                         nullptr, 0);
      }};
  std::string error;
  EXPECT_EQ(createAndRun(model, 1, error), KILN_OK) << error;
  EXPECT_EQ(calls("cuLaunchKernel"), 0);
}

} // namespace
