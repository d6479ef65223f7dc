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

/// A tensor of 4-bit or 2-bit elements, which ONNX packs lowest element in
/// the lowest bits (raw_data, or one packed byte per int32_data entry).
static ElementsAttr subByteAttr(RankedTensorType type,
                               const onnx::TensorProto &t, int64_t count,
                               std::string &error) {
  std::string packed = t.raw_data();
  if (!t.has_raw_data())
    for (int32_t v : t.int32_data())
      packed.push_back(char(uint8_t(v)));
  unsigned bits = type.getElementTypeBitWidth(), perByte = 8 / bits;
  if (int64_t(packed.size()) != (count + perByte - 1) / perByte) {
    error = "tensor '" + t.name() + "' holds " + std::to_string(packed.size()) +
            " packed bytes but its shape needs " +
            std::to_string((count + perByte - 1) / perByte);
    return {};
  }
  SmallVector<APInt> values;
  for (int64_t i = 0; i < count; ++i)
    values.push_back(APInt(bits, (uint8_t(packed[i / perByte]) >>
                                  ((i % perByte) * bits)) & ((1u << bits) - 1)));
  if (auto ft = dyn_cast<FloatType>(type.getElementType())) {
    SmallVector<APFloat> floats;
    for (const APInt &v : values)
      floats.emplace_back(ft.getFloatSemantics(), v);
    return DenseElementsAttr::get(type, floats);
  }
  return DenseElementsAttr::get(type, values);
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
  unsigned bits = et.getIntOrFloatBitWidth();
  if (bits > 1 && bits < 8)
    return subByteAttr(RankedTensorType::get(shape, et), t, count, error);
  unsigned width = et.isInteger(1) ? 1 : bits / 8;
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
    case 16: // bfloat16
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
