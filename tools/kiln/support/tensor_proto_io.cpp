//===- tensor_proto_io.cpp - Reading ONNX TensorProto files ---------------===//
//
// Converts an onnx::TensorProto into a HostTensor. kiln_dtype codes equal
// TensorProto.DataType codes, so the dtype maps directly once it is known to
// be one Kiln supports. Typed fields are copied element by element into the
// dense little-endian layout raw_data would have had.
//
//===----------------------------------------------------------------------===//

#include "tensor_proto_io.h"

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
  }
  return 0;
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
  if (proto.has_raw_data()) {
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
