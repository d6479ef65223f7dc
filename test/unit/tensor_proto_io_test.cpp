//===- tensor_proto_io_test.cpp - Tests of the TensorProto reader ---------===//
//
// Builds onnx::TensorProto messages in memory, serialises them the way the
// ONNX test-data folders do, and checks the decoded HostTensor - raw_data
// and each typed field - plus rejection of unparsable, truncated and
// inconsistent files.
//
//===----------------------------------------------------------------------===//

#include "tensor_proto_io.h"
#include "test_util.h"

#include <onnx/onnx_pb.h>

#include <gtest/gtest.h>

#include <cstring>

using namespace kiln;
using namespace kiln::test;

namespace {

onnx::TensorProto floatProto(const std::vector<float> &values,
                             std::vector<int64_t> dims, bool raw) {
  onnx::TensorProto p;
  p.set_name("x");
  p.set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims)
    p.add_dims(d);
  if (raw)
    p.set_raw_data(std::string(reinterpret_cast<const char *>(values.data()),
                               values.size() * sizeof(float)));
  else
    for (float v : values)
      p.add_float_data(v);
  return p;
}

TEST(TensorProtoIo, ReadsRawDataFromFile) {
  ScratchDir dir;
  writeFile(dir.file("input_0.pb"),
            floatProto({1, 2, 3, 4, 5, 6}, {2, 3}, true).SerializeAsString());
  HostTensor t;
  std::string err;
  ASSERT_TRUE(readTensorProto(dir.file("input_0.pb"), t, err)) << err;
  EXPECT_EQ(t.name, "x");
  EXPECT_EQ(t.dtype, KILN_DTYPE_FLOAT32);
  EXPECT_EQ(t.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(floatValues(t), (std::vector<float>{1, 2, 3, 4, 5, 6}));
}

TEST(TensorProtoIo, ReadsFloatData) {
  HostTensor t;
  std::string err;
  ASSERT_TRUE(parseTensorProto(
      floatProto({0.5f, -2}, {2}, false).SerializeAsString(), t, err))
      << err;
  EXPECT_EQ(floatValues(t), (std::vector<float>{0.5f, -2}));
}

TEST(TensorProtoIo, ReadsInt64AndInt32BackedTypes) {
  onnx::TensorProto p;
  p.set_data_type(onnx::TensorProto::INT64);
  p.add_dims(2);
  p.add_int64_data(-3);
  p.add_int64_data(1LL << 40);
  HostTensor t;
  std::string err;
  ASSERT_TRUE(parseTensorProto(p.SerializeAsString(), t, err)) << err;
  ASSERT_EQ(t.bytes.size(), 16u);
  int64_t v[2];
  std::memcpy(v, t.bytes.data(), 16);
  EXPECT_EQ(v[0], -3);
  EXPECT_EQ(v[1], 1LL << 40);

  onnx::TensorProto b;
  b.set_data_type(onnx::TensorProto::BOOL);
  b.add_dims(3);
  for (int x : {1, 0, 1})
    b.add_int32_data(x);
  ASSERT_TRUE(parseTensorProto(b.SerializeAsString(), t, err)) << err;
  EXPECT_EQ(t.dtype, KILN_DTYPE_BOOL);
  EXPECT_EQ(t.bytes, (std::vector<uint8_t>{1, 0, 1}));
}

TEST(TensorProtoIo, ReadsDoubleDataAndScalars) {
  onnx::TensorProto p;
  p.set_data_type(onnx::TensorProto::DOUBLE);
  p.add_double_data(2.25);
  HostTensor t;
  std::string err;
  ASSERT_TRUE(parseTensorProto(p.SerializeAsString(), t, err)) << err;
  EXPECT_TRUE(t.shape.empty());
  double d;
  ASSERT_EQ(t.bytes.size(), sizeof d);
  std::memcpy(&d, t.bytes.data(), sizeof d);
  EXPECT_EQ(d, 2.25);
}

TEST(TensorProtoIo, RejectsTruncatedFile) {
  std::string bytes =
      floatProto({1, 2, 3, 4, 5, 6}, {2, 3}, true).SerializeAsString();
  HostTensor t;
  std::string err;
  EXPECT_FALSE(parseTensorProto(bytes.substr(0, bytes.size() - 5), t, err));
  EXPECT_NE(err.find("truncated"), std::string::npos) << err;
}

TEST(TensorProtoIo, RejectsGarbage) {
  ScratchDir dir;
  writeFile(dir.file("bad.pb"),
            std::string("\xff\xff\xff\xff\xff garbage", 14));
  HostTensor t;
  std::string err;
  EXPECT_FALSE(readTensorProto(dir.file("bad.pb"), t, err));
  EXPECT_NE(err.find("bad.pb"), std::string::npos) << err;
}

TEST(TensorProtoIo, RejectsSizeMismatches) {
  HostTensor t;
  std::string err;
  EXPECT_FALSE(parseTensorProto(
      floatProto({1, 2, 3}, {2, 3}, true).SerializeAsString(), t, err));
  EXPECT_NE(err.find("raw_data has 12 bytes"), std::string::npos) << err;
  EXPECT_FALSE(parseTensorProto(
      floatProto({1, 2, 3}, {2, 3}, false).SerializeAsString(), t, err));
  EXPECT_NE(err.find("has 3 float32 values"), std::string::npos) << err;
}

TEST(TensorProtoIo, RejectsUnsupportedTypes) {
  onnx::TensorProto p;
  p.set_data_type(24); // float8 E8M0
  p.add_dims(1);
  p.set_raw_data(std::string(1, '\0'));
  HostTensor t;
  std::string err;
  EXPECT_FALSE(parseTensorProto(p.SerializeAsString(), t, err));
  EXPECT_NE(err.find("unsupported data_type 24"), std::string::npos) << err;
}

TEST(TensorProtoIo, UnpacksInt4OneElementPerByte) {
  // ONNX packs two int4s per byte, the first in the low nibble; the ABI
  // holds one per byte, low bits, zero above: [-3, 7, 1] -> 0d 07 01.
  onnx::TensorProto p;
  p.set_data_type(22); // INT4
  p.add_dims(3);
  p.set_raw_data(std::string("\x7d\x01", 2));
  HostTensor t;
  std::string err;
  ASSERT_TRUE(parseTensorProto(p.SerializeAsString(), t, err)) << err;
  EXPECT_EQ(t.dtype, KILN_DTYPE_INT4);
  EXPECT_EQ(t.bytes, (std::vector<uint8_t>{0x0d, 0x07, 0x01}));
  p.set_raw_data(std::string("\x7d\x01\x00", 3)); // one byte too many
  EXPECT_FALSE(parseTensorProto(p.SerializeAsString(), t, err));
  EXPECT_NE(err.find("3 packed bytes do not hold the 3 int4"),
            std::string::npos)
      << err;
}

TEST(TensorProtoIo, ReadsFloat16FromInt32Data) {
  // ONNX stores float16 values as their 16 bits in int32_data.
  onnx::TensorProto p;
  p.set_data_type(onnx::TensorProto::FLOAT16);
  p.add_dims(2);
  p.add_int32_data(0x3C00); // 1.0
  p.add_int32_data(0xC000); // -2.0
  HostTensor t;
  std::string err;
  ASSERT_TRUE(parseTensorProto(p.SerializeAsString(), t, err)) << err;
  ASSERT_EQ(t.dtype, KILN_DTYPE_FLOAT16);
  ASSERT_EQ(t.bytes.size(), 4u);
  uint16_t h[2];
  std::memcpy(h, t.bytes.data(), 4);
  EXPECT_EQ(halfToFloat(h[0]), 1.0f);
  EXPECT_EQ(halfToFloat(h[1]), -2.0f);
}

} // namespace
