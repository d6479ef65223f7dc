//===- TfTensors.cpp - TensorFlow dtypes and tensors as MLIR --------------===//

#include "frontends/tf/TfTensors.h"

#include "ir/ConstantData.h"

#include "mlir/IR/Builders.h"

#include <cstring>

using namespace mlir;
using tensorflow::DataType;

namespace kiln::tf_frontend {

/// A reference type (DT_FLOAT_REF = DT_FLOAT + 100) as its value type.
static DataType valueType(DataType t) {
  return int(t) > 100 ? DataType(int(t) - 100) : t;
}

Type elementTypeFor(MLIRContext *ctx, DataType dtype) {
  Builder b(ctx);
  switch (valueType(dtype)) {
  case tensorflow::DT_FLOAT:
    return b.getF32Type();
  case tensorflow::DT_DOUBLE:
    return b.getF64Type();
  case tensorflow::DT_HALF:
    return b.getF16Type();
  case tensorflow::DT_INT32:
    return b.getI32Type();
  case tensorflow::DT_INT64:
    return b.getI64Type();
  case tensorflow::DT_INT8:
    return b.getI8Type();
  case tensorflow::DT_UINT8:
    return b.getIntegerType(8, /*isSigned=*/false);
  case tensorflow::DT_BOOL:
    return b.getI1Type();
  default:
    return {};
  }
}

std::string dtypeName(DataType dtype) {
  switch (valueType(dtype)) {
  case tensorflow::DT_FLOAT: return "float32";
  case tensorflow::DT_DOUBLE: return "float64";
  case tensorflow::DT_HALF: return "float16";
  case tensorflow::DT_BFLOAT16: return "bfloat16";
  case tensorflow::DT_INT32: return "int32";
  case tensorflow::DT_INT64: return "int64";
  case tensorflow::DT_INT16: return "int16";
  case tensorflow::DT_INT8: return "int8";
  case tensorflow::DT_UINT8: return "uint8";
  case tensorflow::DT_BOOL: return "bool";
  case tensorflow::DT_STRING: return "string";
  case tensorflow::DT_RESOURCE: return "resource";
  case tensorflow::DT_VARIANT: return "variant";
  default:
    return "dtype(" + std::to_string(int(dtype)) + ")";
  }
}

FailureOr<SmallVector<int64_t>>
dimsOf(const tensorflow::TensorShapeProto &shape) {
  if (shape.unknown_rank())
    return failure();
  SmallVector<int64_t> dims;
  for (const auto &d : shape.dim())
    dims.push_back(d.size() < 0 ? ShapedType::kDynamic : d.size());
  return dims;
}

FailureOr<SmallVector<int64_t>>
placeholderDims(const tensorflow::NodeDef &node, int producer) {
  auto it = node.attr().find("shape");
  if (it == node.attr().end() || !it->second.has_shape())
    return failure();
  const auto &shape = it->second.shape();
  if (producer < 21 && shape.dim_size() == 0)
    return failure();
  return dimsOf(shape);
}

/// The typed values of `t` as doubles, in order.
static std::vector<double> typedValues(const tensorflow::TensorProto &t) {
  std::vector<double> v;
  switch (valueType(t.dtype())) {
  case tensorflow::DT_FLOAT:
    v.assign(t.float_val().begin(), t.float_val().end());
    break;
  case tensorflow::DT_DOUBLE:
    v.assign(t.double_val().begin(), t.double_val().end());
    break;
  case tensorflow::DT_INT64:
    v.assign(t.int64_val().begin(), t.int64_val().end());
    break;
  case tensorflow::DT_BOOL:
    v.assign(t.bool_val().begin(), t.bool_val().end());
    break;
  case tensorflow::DT_HALF:
    // half_val holds the IEEE bits; decoded by writeRawConstant below.
    break;
  default: // int32, int16, int8, uint8 all live in int_val
    v.assign(t.int_val().begin(), t.int_val().end());
  }
  return v;
}

ElementsAttr tensorToAttr(MLIRContext *ctx, const tensorflow::TensorProto &t,
                          std::string &error) {
  Type et = elementTypeFor(ctx, t.dtype());
  if (!et) {
    error = "tensors of type " + dtypeName(t.dtype()) + " are not supported";
    return {};
  }
  auto dims = dimsOf(t.tensor_shape());
  if (failed(dims) || llvm::any_of(*dims, ShapedType::isDynamic)) {
    error = "a constant tensor needs a fully known shape";
    return {};
  }
  int64_t count = 1;
  for (int64_t d : *dims) {
    if (d > kMaxFoldElements || (count *= d) > (int64_t(1) << 32)) {
      error = "a constant tensor is too large";
      return {};
    }
  }
  auto type = RankedTensorType::get(*dims, et);
  unsigned width = elementByteWidth(et);
  if (!t.tensor_content().empty()) {
    if (int64_t(t.tensor_content().size()) != count * int64_t(width)) {
      error = "tensor_content holds " +
              std::to_string(t.tensor_content().size()) + " bytes, " +
              std::to_string(count * width) + " expected";
      return {};
    }
    const std::string &c = t.tensor_content();
    return writeRawConstant(type, ArrayRef<char>(c.data(), c.size()));
  }
  if (valueType(t.dtype()) == tensorflow::DT_HALF) {
    std::vector<char> bytes(count * 2, 0);
    for (int64_t i = 0; i < count && t.half_val_size(); ++i) {
      uint16_t h = uint16_t(t.half_val(std::min<int64_t>(i, t.half_val_size() - 1)));
      std::memcpy(&bytes[i * 2], &h, 2);
    }
    return writeRawConstant(type, bytes);
  }
  std::vector<double> values = typedValues(t);
  if (int64_t(values.size()) > count) {
    error = "a constant holds more values than its shape";
    return {};
  }
  // TensorFlow stores a splat as one value; an empty list means zeros.
  values.resize(count, values.empty() ? 0.0 : values.back());
  return writeConstant(type, values);
}

} // namespace kiln::tf_frontend
