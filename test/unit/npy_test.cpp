//===- npy_test.cpp - Tests of the .npy reader and writer -----------------===//
//
// Round trips every supported dtype, reads bytes exactly as NumPy writes
// them, and checks that truncated, garbled, Fortran-ordered and big-endian
// files are rejected with a reason.
//
//===----------------------------------------------------------------------===//

#include "npy.h"
#include "test_util.h"

#include <gtest/gtest.h>

using namespace kiln;
using namespace kiln::test;

namespace {

/// A .npy v1 file with the given dict and data, padded like NumPy does.
std::string npyBytes(const std::string &dict, const std::string &data) {
  std::string header = dict;
  while ((10 + header.size() + 1) % 64)
    header += ' ';
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += char(header.size() & 0xff);
  out += char(header.size() >> 8);
  return out + header + data;
}

TEST(Npy, RoundTripFloat) {
  ScratchDir dir;
  HostTensor t = floatTensor({2, 3}, {1, 2, 3, 4, 5, -6.5f});
  std::string err;
  ASSERT_TRUE(writeNpy(dir.file("a.npy"), t, err)) << err;
  HostTensor back;
  ASSERT_TRUE(readNpy(dir.file("a.npy"), back, err)) << err;
  EXPECT_EQ(back.dtype, KILN_DTYPE_FLOAT32);
  EXPECT_EQ(back.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(floatValues(back), floatValues(t));
  // The header is padded so that the data starts at a multiple of 64.
  EXPECT_EQ((readFile(dir.file("a.npy")).size() - 24) % 64, 0u);
}

TEST(Npy, RoundTripEveryDtypeAndRank) {
  const kiln_dtype dtypes[] = {KILN_DTYPE_FLOAT32, KILN_DTYPE_FLOAT64,
                               KILN_DTYPE_INT32,   KILN_DTYPE_INT64,
                               KILN_DTYPE_UINT8,   KILN_DTYPE_INT8,
                               KILN_DTYPE_BOOL};
  const std::vector<std::vector<int64_t>> shapes = {{}, {5}, {2, 0}, {1, 2, 3}};
  for (kiln_dtype dtype : dtypes)
    for (const auto &shape : shapes) {
      HostTensor t;
      t.dtype = dtype;
      t.shape = shape;
      t.bytes.resize(elementCount(shape) * dtypeSize(dtype));
      for (size_t i = 0; i < t.bytes.size(); ++i)
        t.bytes[i] =
            uint8_t(i * 37 + 1) & (dtype == KILN_DTYPE_BOOL ? 1 : 0xff);
      std::string bytes, err;
      ASSERT_TRUE(serializeNpy(t, bytes, err)) << err;
      HostTensor back;
      ASSERT_TRUE(parseNpy(bytes, back, err)) << err;
      EXPECT_EQ(back.dtype, dtype) << dtypeName(dtype);
      EXPECT_EQ(back.shape, shape) << shapeString(shape);
      EXPECT_EQ(back.bytes, t.bytes) << dtypeName(dtype);
    }
}

TEST(Npy, ReadsNumpyWrittenHeader) {
  int64_t values[3] = {7, -1, 1LL << 40};
  std::string data(reinterpret_cast<const char *>(values), sizeof values);
  std::string file = npyBytes(
      "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", data);
  HostTensor t;
  std::string err;
  ASSERT_TRUE(parseNpy(file, t, err)) << err;
  EXPECT_EQ(t.dtype, KILN_DTYPE_INT64);
  EXPECT_EQ(t.shape, (std::vector<int64_t>{3}));
  EXPECT_EQ(std::memcmp(t.bytes.data(), values, sizeof values), 0);
}

TEST(Npy, RejectsTruncatedData) {
  std::string file =
      npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }",
               std::string(12, '\0'));
  HostTensor t;
  std::string err;
  EXPECT_FALSE(parseNpy(file, t, err));
  EXPECT_NE(err.find("truncated"), std::string::npos) << err;
}

TEST(Npy, RejectsTruncatedHeader) {
  std::string file =
      npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", "");
  HostTensor t;
  std::string err;
  EXPECT_FALSE(parseNpy(file.substr(0, 30), t, err));
  EXPECT_NE(err.find("truncated"), std::string::npos) << err;
}

TEST(Npy, RejectsGarbage) {
  ScratchDir dir;
  writeFile(dir.file("g.npy"), "this is not numpy at all");
  HostTensor t;
  std::string err;
  EXPECT_FALSE(readNpy(dir.file("g.npy"), t, err));
  EXPECT_NE(err.find("g.npy"), std::string::npos) << err;
  EXPECT_NE(err.find("magic"), std::string::npos) << err;
  EXPECT_FALSE(readNpy(dir.file("missing.npy"), t, err));
  EXPECT_NE(err.find("cannot open"), std::string::npos) << err;
}

TEST(Npy, RejectsFortranOrder) {
  std::string file =
      npyBytes("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }",
               std::string(4, '\0'));
  HostTensor t;
  std::string err;
  EXPECT_FALSE(parseNpy(file, t, err));
  EXPECT_NE(err.find("fortran_order"), std::string::npos) << err;
}

TEST(Npy, RejectsBigEndianAndUnknownDtypes) {
  HostTensor t;
  std::string err;
  EXPECT_FALSE(parseNpy(
      npyBytes("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }",
               std::string(4, '\0')),
      t, err));
  EXPECT_NE(err.find("big-endian"), std::string::npos) << err;
  EXPECT_FALSE(parseNpy(
      npyBytes("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }",
               std::string(8, '\0')),
      t, err));
  EXPECT_NE(err.find("unsupported dtype"), std::string::npos) << err;
}

TEST(Npy, RejectsBadShape) {
  HostTensor t;
  std::string err;
  EXPECT_FALSE(parseNpy(
      npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }",
               ""),
      t, err));
  EXPECT_NE(err.find("shape"), std::string::npos) << err;
}

} // namespace
