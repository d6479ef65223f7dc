//===- ConstantData.cpp - reading and writing constant tensors ------------===//
//
// Implements the dense / dense_resource conversions declared in
// ConstantData.h. Element bytes are little-endian, as on every host Kiln
// targets.
//
//===----------------------------------------------------------------------===//

#include "ir/ConstantData.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"

#include <cstring>

using namespace mlir;

namespace kiln {
namespace {

/// Bytes per element of the element types a raw blob may hold.
std::optional<unsigned> byteWidth(Type t) {
  if (t.isF32())
    return 4;
  if (t.isF64())
    return 8;
  if (t.isF16())
    return 2;
  if (auto it = dyn_cast<IntegerType>(t))
    return it.getWidth() == 1 ? 1 : it.getWidth() / 8;
  return std::nullopt;
}

double decodeOne(Type t, const char *p) {
  if (t.isF32()) {
    float v;
    std::memcpy(&v, p, 4);
    return v;
  }
  if (t.isF64()) {
    double v;
    std::memcpy(&v, p, 8);
    return v;
  }
  if (t.isF16()) {
    uint16_t bits;
    std::memcpy(&bits, p, 2);
    APFloat f(APFloat::IEEEhalf(), APInt(16, bits));
    return f.convertToFloat();
  }
  auto it = cast<IntegerType>(t);
  unsigned w = it.getWidth();
  if (w == 1)
    return *p ? 1.0 : 0.0;
  int64_t v = 0;
  std::memcpy(&v, p, w / 8);
  if (!it.isUnsigned() && w < 64) // sign-extend
    v = (v << (64 - w)) >> (64 - w);
  return double(v);
}

void encodeOne(Type t, double v, char *p) {
  if (t.isF32()) {
    float f = float(v);
    std::memcpy(p, &f, 4);
  } else if (t.isF64()) {
    std::memcpy(p, &v, 8);
  } else if (t.isF16()) {
    APFloat f{float(v)};
    bool lost;
    f.convert(APFloat::IEEEhalf(), APFloat::rmNearestTiesToEven, &lost);
    uint16_t bits = uint16_t(f.bitcastToAPInt().getZExtValue());
    std::memcpy(p, &bits, 2);
  } else {
    unsigned w = cast<IntegerType>(t).getWidth();
    if (w == 1) {
      *p = v != 0.0;
      return;
    }
    int64_t i = int64_t(v);
    std::memcpy(p, &i, w / 8);
  }
}

} // namespace

std::optional<std::vector<char>> readRawConstant(ElementsAttr attr) {
  auto type = dyn_cast<RankedTensorType>(attr.getType());
  if (!type)
    return std::nullopt;
  auto width = byteWidth(type.getElementType());
  if (!width)
    return std::nullopt;
  int64_t n = type.getNumElements();
  if (auto res = dyn_cast<DenseResourceElementsAttr>(attr)) {
    ArrayRef<char> data = res.getData();
    if (int64_t(data.size()) != n * int64_t(*width))
      return std::nullopt;
    return std::vector<char>(data.begin(), data.end());
  }
  auto dense = dyn_cast<DenseElementsAttr>(attr);
  if (!dense)
    return std::nullopt;
  std::vector<char> out(size_t(n) * *width);
  Type et = type.getElementType();
  int64_t i = 0;
  if (isa<FloatType>(et)) {
    for (APFloat f : dense.getValues<APFloat>())
      encodeOne(et, f.convertToDouble(), &out[size_t(i++) * *width]);
  } else {
    for (APInt v : dense.getValues<APInt>()) {
      double d = cast<IntegerType>(et).isUnsigned() ? double(v.getZExtValue())
                                                    : double(v.getSExtValue());
      if (cast<IntegerType>(et).getWidth() == 1)
        d = v.getBoolValue();
      encodeOne(et, d, &out[size_t(i++) * *width]);
    }
  }
  return out;
}

std::optional<HostValues> readConstant(Attribute attr) {
  auto elements = dyn_cast_or_null<ElementsAttr>(attr);
  if (!elements)
    return std::nullopt;
  auto type = dyn_cast<RankedTensorType>(elements.getType());
  if (!type || !type.hasStaticShape() ||
      type.getNumElements() > kMaxFoldElements)
    return std::nullopt;
  auto raw = readRawConstant(elements);
  if (!raw)
    return std::nullopt;
  HostValues hv{type, {}};
  unsigned w = *byteWidth(type.getElementType());
  hv.data.resize(type.getNumElements());
  for (size_t i = 0; i < hv.data.size(); ++i)
    hv.data[i] = decodeOne(type.getElementType(), raw->data() + i * w);
  return hv;
}

std::optional<std::vector<int64_t>> readIntConstant(Attribute attr) {
  auto hv = readConstant(attr);
  if (!hv || !isa<IntegerType>(hv->type.getElementType()))
    return std::nullopt;
  return std::vector<int64_t>(hv->data.begin(), hv->data.end());
}

ElementsAttr writeRawConstant(RankedTensorType type, ArrayRef<char> bytes) {
  Type et = type.getElementType();
  if (type.getNumElements() < kResourceThreshold || et.isInteger(1)) {
    unsigned w = *byteWidth(et);
    std::vector<double> vals(type.getNumElements());
    for (size_t i = 0; i < vals.size(); ++i)
      vals[i] = decodeOne(et, bytes.data() + i * w);
    if (isa<FloatType>(et)) {
      SmallVector<APFloat> fs;
      for (double v : vals) {
        APFloat f(v);
        bool lost;
        f.convert(cast<FloatType>(et).getFloatSemantics(),
                  APFloat::rmNearestTiesToEven, &lost);
        fs.push_back(f);
      }
      return DenseElementsAttr::get(type, fs);
    }
    SmallVector<APInt> is;
    for (double v : vals)
      is.push_back(APInt(cast<IntegerType>(et).getWidth(), int64_t(v),
                         /*isSigned=*/true, /*implicitTrunc=*/true));
    return DenseElementsAttr::get(type, is);
  }
  AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
      bytes, alignof(std::max_align_t));
  return DenseResourceElementsAttr::get(type, "kiln_weight", std::move(blob));
}

ElementsAttr writeConstant(RankedTensorType type, ArrayRef<double> data) {
  Type et = type.getElementType();
  unsigned w = *byteWidth(et);
  std::vector<char> bytes(data.size() * w);
  for (size_t i = 0; i < data.size(); ++i)
    encodeOne(et, data[i], &bytes[i * w]);
  return writeRawConstant(type, bytes);
}

} // namespace kiln
