//===- test_util.h - Helpers shared by the unit tests -----------*- C++ -*-===//
//
// Scratch directories under the system temp folder and builders for small
// HostTensors, so each test file states only what it checks.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TEST_UNIT_TEST_UTIL_H
#define KILN_TEST_UNIT_TEST_UTIL_H

#include "frontends/common/HostTensor.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace kiln::test {

/// A fresh directory removed when the object dies.
class ScratchDir {
public:
  ScratchDir() {
    const auto *info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            ("kiln-unit-" + std::to_string(::getpid()) + "-" +
             (info ? std::string(info->test_suite_name()) + "." + info->name()
                   : std::string("x")));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  /// Path of `name` inside the directory.
  std::string file(const std::string &name) const {
    return (path_ / name).string();
  }
  std::string path() const { return path_.string(); }

private:
  std::filesystem::path path_;
};

/// A float32 tensor of `shape` holding `values`.
inline HostTensor floatTensor(std::vector<int64_t> shape,
                              const std::vector<float> &values) {
  HostTensor t;
  t.dtype = KILN_DTYPE_FLOAT32;
  t.shape = std::move(shape);
  t.bytes.resize(values.size() * sizeof(float));
  std::memcpy(t.bytes.data(), values.data(), t.bytes.size());
  return t;
}

/// The float32 values of `t`.
inline std::vector<float> floatValues(const HostTensor &t) {
  std::vector<float> v(t.bytes.size() / sizeof(float));
  std::memcpy(v.data(), t.bytes.data(), v.size() * sizeof(float));
  return v;
}

/// Writes raw bytes to `path`.
inline void writeFile(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

/// Reads a whole file.
inline std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

} // namespace kiln::test

#endif // KILN_TEST_UNIT_TEST_UTIL_H
