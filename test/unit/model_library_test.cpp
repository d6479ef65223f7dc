//===- model_library_test.cpp - Tests of ModelLibrary, run and bench ------===//
//
// Loads the hand-written libfakenet.so (y = x + 1 over float [2,3], built
// from fake_net.c and linked with the static runtime exactly as compiled
// models are) and exercises ModelLibrary, runModel's exit codes and report
// lines, and benchModel's output, including error paths.
//
//===----------------------------------------------------------------------===//

#include "bench_command.h"
#include "model_library.h"
#include "npy.h"
#include "run_command.h"
#include "test_util.h"

#include <onnx/onnx_pb.h>

#include <gtest/gtest.h>

using namespace kiln;
using namespace kiln::test;

namespace {

const std::vector<float> kX = {0, 1, 2, 3, 4, 5};
const std::vector<float> kY = {1, 2, 3, 4, 5, 6};

/// Writes `t` as .npy into `dir` and returns its path.
std::string saveNpy(const ScratchDir &dir, const std::string &name,
                    const HostTensor &t) {
  std::string err, path = dir.file(name);
  EXPECT_TRUE(writeNpy(path, t, err)) << err;
  return path;
}

/// Writes a float TensorProto file.
void savePb(const std::string &path, const std::vector<float> &values) {
  onnx::TensorProto p;
  p.set_data_type(onnx::TensorProto::FLOAT);
  p.add_dims(2);
  p.add_dims(3);
  for (float v : values)
    p.add_float_data(v);
  writeFile(path, p.SerializeAsString());
}

class FakeNet : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_TRUE(lib.open(KILN_FAKENET_PATH)) << lib.error();
  }
  ModelLibrary lib;
  ScratchDir dir;
};

TEST(ModelLibraryOpen, DefaultPrefixDropsLib) {
  EXPECT_EQ(ModelLibrary::defaultPrefix("/x/libnet.so"), "net");
  EXPECT_EQ(ModelLibrary::defaultPrefix("resnet.so"), "resnet");
}

TEST(ModelLibraryOpen, MissingSymbolIsNamed) {
  ModelLibrary lib;
  EXPECT_FALSE(lib.open(KILN_FAKENET_PATH, "wrong"));
  EXPECT_NE(lib.error().find("'wrong_describe'"), std::string::npos)
      << lib.error();
  EXPECT_FALSE(lib.isOpen());
}

TEST(ModelLibraryOpen, AbiVersionIsChecked) {
  ModelLibrary lib;
  EXPECT_FALSE(lib.open(KILN_FAKEBADABI_PATH));
  EXPECT_NE(lib.error().find("ABI version 99"), std::string::npos)
      << lib.error();
}

TEST(ModelLibraryOpen, MissingFile) {
  ModelLibrary lib;
  EXPECT_FALSE(lib.open("/nonexistent/libnope.so"));
  EXPECT_NE(lib.error().find("/nonexistent/libnope.so: cannot open file"),
            std::string::npos)
      << lib.error();
}

TEST_F(FakeNet, DescribesAndRuns) {
  EXPECT_EQ(lib.prefix(), "fakenet");
  EXPECT_STREQ(lib.desc().name, "fakenet");
  ASSERT_EQ(lib.desc().num_inputs, 1);
  EXPECT_STREQ(lib.desc().inputs[0].name, "x");
  HostTensor x = floatTensor({2, 3}, kX), y = floatTensor({2, 3}, kX);
  std::vector<kiln_tensor> in{asKilnTensor(x)}, out{asKilnTensor(y)};
  kiln_context *ctx = lib.create(2);
  ASSERT_NE(ctx, nullptr) << lib.error();
  EXPECT_EQ(lib.run(ctx, in, out), KILN_OK) << lib.error();
  EXPECT_EQ(floatValues(y), kY);
  in[0].dtype = KILN_DTYPE_INT32;
  EXPECT_EQ(lib.run(ctx, in, out), KILN_ERROR_DTYPE_MISMATCH);
  EXPECT_NE(lib.error().find("input 'x'"), std::string::npos) << lib.error();
  lib.destroy(ctx);
}

TEST_F(FakeNet, RunPassesAndWritesOutputs) {
  RunOptions opts;
  opts.inputs = {{"x", saveNpy(dir, "x.npy", floatTensor({2, 3}, kX))}};
  opts.expects = {{"y", saveNpy(dir, "y.npy", floatTensor({2, 3}, kY))}};
  opts.outputDir = dir.file("out");
  ::testing::internal::CaptureStdout();
  int rc = runModel(lib, opts);
  std::string printed = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(rc, 0) << printed;
  EXPECT_NE(printed.find("output 'y': max_abs_err=0"), std::string::npos);
  EXPECT_NE(printed.find("PASS"), std::string::npos);
  HostTensor written;
  std::string err;
  ASSERT_TRUE(readNpy(dir.file("out/output_0.npy"), written, err)) << err;
  EXPECT_EQ(floatValues(written), kY);
}

TEST_F(FakeNet, RunReportsMismatch) {
  RunOptions opts;
  opts.inputs = {{"x", saveNpy(dir, "x.npy", floatTensor({2, 3}, kX))}};
  opts.expects = {{"y", saveNpy(dir, "y.npy", floatTensor({2, 3}, kX))}};
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(runModel(lib, opts), 1);
  EXPECT_NE(::testing::internal::GetCapturedStdout().find("FAIL"),
            std::string::npos);
}

TEST_F(FakeNet, RunFromDataDir) {
  savePb(dir.file("input_0.pb"), kX);
  savePb(dir.file("output_0.pb"), kY);
  RunOptions opts;
  opts.dataDir = dir.path();
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(runModel(lib, opts), 0);
  EXPECT_NE(::testing::internal::GetCapturedStdout().find("PASS"),
            std::string::npos);
  savePb(dir.file("input_1.pb"), kX); // now two inputs for a one-input model
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(runModel(lib, opts), 2);
  EXPECT_NE(::testing::internal::GetCapturedStderr().find("2 input file(s)"),
            std::string::npos);
}

TEST_F(FakeNet, RunErrors) {
  RunOptions opts;
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(runModel(lib, opts), 2);
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(err.rfind("kiln: error: missing input 'x'", 0), 0u) << err;

  opts.inputs = {{"z", saveNpy(dir, "x.npy", floatTensor({2, 3}, kX))}};
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(runModel(lib, opts), 2);
  err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("no input named 'z'; its inputs are 'x'"),
            std::string::npos)
      << err;

  opts.inputs = {{"x", saveNpy(dir, "x.npy", floatTensor({3, 2}, kX))}};
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(runModel(lib, opts), 2);
  err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("input 'x': expected shape [2,3], got [3,2]"),
            std::string::npos)
      << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
}

TEST_F(FakeNet, BenchPrintsOneJsonLine) {
  BenchOptions opts;
  opts.runs = 7;
  opts.warmup = 1;
  opts.threads = 2;
  opts.json = true;
  opts.label = "fake";
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(benchModel(lib, opts), 0);
  std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(out.rfind("{\"model\":\"fake\",\"threads\":2,\"runs\":7,"
                      "\"median_ms\":",
                      0),
            0u)
      << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1);
  opts.json = false;
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(benchModel(lib, opts), 0);
  out = ::testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("(7 runs, 2 threads)"), std::string::npos) << out;
  opts.runs = 0;
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(benchModel(lib, opts), 2);
  ::testing::internal::GetCapturedStderr();
}

TEST(BenchStats, MedianMinMean) {
  BenchStats s = summarizeTimes({4, 1, 3, 2});
  EXPECT_DOUBLE_EQ(s.medianMs, 2.5);
  EXPECT_DOUBLE_EQ(s.minMs, 1);
  EXPECT_DOUBLE_EQ(s.meanMs, 2.5);
  EXPECT_DOUBLE_EQ(summarizeTimes({5, 1, 9}).medianMs, 5);
}

} // namespace
