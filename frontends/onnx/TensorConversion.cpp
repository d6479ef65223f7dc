//===- TensorConversion.cpp - ONNX TensorProto to constant attributes -----===//
//
// ONNX stores tensor data either as raw little-endian bytes or in typed
// repeated fields (int32_data also carries int8/uint8/bool/float16). Both are
// turned into the raw element bytes that writeRawConstant expects.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/ImportContext.h"

#include "ir/ConstantData.h"

#include <cstring>

using namespace mlir;

namespace kiln::onnx_frontend {

template <typename Dst, typename Src>
static void appendAs(std::vector<char> &bytes, const Src &values) {
  for (auto v : values) {
    Dst d = Dst(v);
    const char *p = reinterpret_cast<const char *>(&d);
    bytes.insert(bytes.end(), p, p + sizeof(Dst));
  }
}

ElementsAttr tensorProtoToAttr(MLIRContext *ctx, const onnx::TensorProto &t,
                               std::string &error) {
  Type et = elementTypeFor(ctx, t.data_type());
  if (!et) {
    error = "tensor '" + t.name() + "' has unsupported data type " +
            std::to_string(t.data_type());
    return {};
  }
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    error = "tensor '" + t.name() + "' uses external data, which Kiln does "
            "not read yet";
    return {};
  }
  SmallVector<int64_t> shape;
  int64_t count = 1;
  for (int64_t d : t.dims()) {
    if (d < 0) {
      error = "tensor '" + t.name() + "' has a negative dim";
      return {};
    }
    shape.push_back(d);
    // Dims from a hostile file may overflow: cap tensors at 2^40 elements.
    if (__builtin_mul_overflow(count, d, &count) || count > (int64_t(1) << 40)) {
      error = "tensor '" + t.name() + "' is impossibly large";
      return {};
    }
  }
  unsigned width = et.isInteger(1) ? 1 : et.getIntOrFloatBitWidth() / 8;
  std::vector<char> bytes;
  if (t.has_raw_data()) {
    bytes.assign(t.raw_data().begin(), t.raw_data().end());
  } else {
    switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      appendAs<float>(bytes, t.float_data());
      break;
    case onnx::TensorProto::DOUBLE:
      appendAs<double>(bytes, t.double_data());
      break;
    case onnx::TensorProto::INT64:
      appendAs<int64_t>(bytes, t.int64_data());
      break;
    case onnx::TensorProto::INT32:
      appendAs<int32_t>(bytes, t.int32_data());
      break;
    case onnx::TensorProto::FLOAT16:
    case onnx::TensorProto::UINT16:
      appendAs<uint16_t>(bytes, t.int32_data());
      break;
    case onnx::TensorProto::INT16:
      appendAs<int16_t>(bytes, t.int32_data());
      break;
    case onnx::TensorProto::UINT32:
      appendAs<uint32_t>(bytes, t.uint64_data());
      break;
    case onnx::TensorProto::UINT64:
      appendAs<uint64_t>(bytes, t.uint64_data());
      break;
    default: // int8, uint8, bool
      appendAs<int8_t>(bytes, t.int32_data());
      break;
    }
  }
  if (int64_t(bytes.size()) != count * int64_t(width)) {
    error = "tensor '" + t.name() + "' holds " + std::to_string(bytes.size()) +
            " bytes but its shape needs " + std::to_string(count * width);
    return {};
  }
  return writeRawConstant(RankedTensorType::get(shape, et), bytes);
}

} // namespace kiln::onnx_frontend
