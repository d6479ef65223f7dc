//===- tensor_proto_io.cpp - Reading ONNX TensorProto files ---------------===//
//
// Converts an onnx::TensorProto into a HostTensor. kiln_dtype codes equal
// TensorProto.DataType codes, so the dtype maps directly once it is known to
// be one Kiln supports. Typed fields are copied element by element into the
// dense little-endian layout raw_data would have had.
//
//===----------------------------------------------------------------------===//

#include "tensor_proto_io.h"

#include "frontends/common/NarrowTypes.h"

#include <onnx/onnx_pb.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

using namespace kiln;

namespace {

/// Copies `values` into `out.bytes` converting each element to `T`.
template <typename T, typename Field>
void copyTyped(const Field &values, HostTensor &out) {
  out.bytes.resize(values.size() * sizeof(T));
  for (int i = 0; i < values.size(); ++i) {
    T v = static_cast<T>(values.Get(i));
    std::memcpy(out.bytes.data() + size_t(i) * sizeof(T), &v, sizeof(T));
  }
}

/// Fills `out.bytes` from the typed field the proto's dtype uses; returns
/// the number of elements found there.
int64_t copyTypedData(const onnx::TensorProto &proto, HostTensor &out) {
  switch (out.dtype) {
  case KILN_DTYPE_FLOAT32:
    copyTyped<float>(proto.float_data(), out);
    return proto.float_data_size();
  case KILN_DTYPE_FLOAT64:
    copyTyped<double>(proto.double_data(), out);
    return proto.double_data_size();
  case KILN_DTYPE_INT64:
    copyTyped<int64_t>(proto.int64_data(), out);
    return proto.int64_data_size();
  case KILN_DTYPE_INT32:
    copyTyped<int32_t>(proto.int32_data(), out);
    return proto.int32_data_size();
  case KILN_DTYPE_INT8:
    copyTyped<int8_t>(proto.int32_data(), out);
    return proto.int32_data_size();
  case KILN_DTYPE_UINT8:
  case KILN_DTYPE_BOOL:
    copyTyped<uint8_t>(proto.int32_data(), out);
    return proto.int32_data_size();
  case KILN_DTYPE_FLOAT16: // int32_data holds the half's 16 bits
  case KILN_DTYPE_UINT16:
    copyTyped<uint16_t>(proto.int32_data(), out);
    return proto.int32_data_size();
  case KILN_DTYPE_INT16:
    copyTyped<int16_t>(proto.int32_data(), out);
    return proto.int32_data_size();
  case KILN_DTYPE_UINT32:
    copyTyped<uint32_t>(proto.uint64_data(), out);
    return proto.uint64_data_size();
  case KILN_DTYPE_UINT64:
    copyTyped<uint64_t>(proto.uint64_data(), out);
    return proto.uint64_data_size();
  case KILN_DTYPE_BFLOAT16: // int32_data holds the 16 bits
    copyTyped<uint16_t>(proto.int32_data(), out);
    return proto.int32_data_size();
  default: // 8-bit floats: one per int32_data entry
    if (dtypeSize(out.dtype) != 1 || subByteBits(out.dtype))
      return -1;
    copyTyped<uint8_t>(proto.int32_data(), out);
    return proto.int32_data_size();
  }
}

/// Sub-byte elements packed in `packed` (lowest element in the lowest bits)
/// spread one per byte into `out.bytes`; false if `packed` has the wrong
/// size for `count` elements.
bool unpackSubByte(const std::string &packed, int64_t count, HostTensor &out) {
  int bits = subByteBits(out.dtype), perByte = 8 / bits;
  if (packed.size() != size_t((count + perByte - 1) / perByte))
    return false;
  out.bytes.resize(size_t(count));
  for (int64_t i = 0; i < count; ++i)
    out.bytes[size_t(i)] = uint8_t(uint8_t(packed[size_t(i / perByte)]) >>
                                   ((i % perByte) * bits)) &
                           uint8_t((1 << bits) - 1);
  return true;
}

/// Reads a sub-byte tensor from raw_data or from int32_data (one packed
/// byte per entry).
bool readSubByte(const onnx::TensorProto &proto, int64_t count,
                 HostTensor &out, std::string &err) {
  std::string packed;
  if (proto.has_raw_data()) {
    packed = proto.raw_data();
  } else {
    for (int32_t v : proto.int32_data())
      packed.push_back(char(uint8_t(v)));
  }
  if (unpackSubByte(packed, count, out))
    return true;
  err = "tensor '" + proto.name() + "': " + std::to_string(packed.size()) +
        " packed bytes do not hold the " + std::to_string(count) + " " +
        dtypeName(out.dtype) + " elements of dims " + shapeString(out.shape);
  return false;
}

/// Checks the proto's dtype and dims and copies them into `out`.
bool readHeader(const onnx::TensorProto &proto, HostTensor &out,
                std::string &err) {
  out.dtype = static_cast<kiln_dtype>(proto.data_type());
  if (dtypeSize(out.dtype) == 0) {
    err = "tensor '" + proto.name() + "' has unsupported data_type " +
          std::to_string(proto.data_type());
    return false;
  }
  out.shape.assign(proto.dims().begin(), proto.dims().end());
  if (elementCount(out.shape) < 0) {
    err = "tensor '" + proto.name() + "' has invalid dims " +
          shapeString(out.shape);
    return false;
  }
  if (proto.data_location() == onnx::TensorProto::EXTERNAL) {
    err = "tensor '" + proto.name() + "' uses external data (unsupported)";
    return false;
  }
  return true;
}

} // namespace

bool kiln::parseTensorProto(const std::string &data, HostTensor &out,
                            std::string &err) {
  onnx::TensorProto proto;
  if (!proto.ParseFromString(data)) {
    err = "not a valid serialized onnx.TensorProto (unparsable or truncated)";
    return false;
  }
  HostTensor result;
  result.name = proto.name();
  if (!readHeader(proto, result, err))
    return false;
  int64_t count = elementCount(result.shape);
  size_t expectedBytes = size_t(count) * dtypeSize(result.dtype);
  if (subByteBits(result.dtype)) {
    if (!readSubByte(proto, count, result, err))
      return false;
  } else if (proto.has_raw_data()) {
    const std::string &raw = proto.raw_data();
    if (raw.size() != expectedBytes) {
      err = "tensor '" + result.name + "': raw_data has " +
            std::to_string(raw.size()) + " bytes, dims " +
            shapeString(result.shape) + " need " +
            std::to_string(expectedBytes);
      return false;
    }
    result.bytes.assign(raw.begin(), raw.end());
  } else {
    int64_t found = copyTypedData(proto, result);
    if (found != count) {
      err = "tensor '" + result.name + "': has " + std::to_string(found) + " " +
            dtypeName(result.dtype) + " values, dims " +
            shapeString(result.shape) + " need " + std::to_string(count);
      return false;
    }
  }
  out = std::move(result);
  return true;
}

bool kiln::readTensorProto(const std::string &path, HostTensor &out,
                           std::string &err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    err = path + ": cannot open file: " + std::strerror(errno);
    return false;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (!parseTensorProto(buffer.str(), out, err)) {
    err = path + ": " + err;
    return false;
  }
  return true;
}
