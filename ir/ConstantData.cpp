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

#include <cmath>
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
  // Narrower types (bfloat16, 8- and 4-bit floats, 4- and 2-bit integers)
  // take whole bytes, as in the library ABI.
  if (isa<FloatType, IntegerType>(t))
    return (t.getIntOrFloatBitWidth() + 7) / 8;
  return std::nullopt;
}

/// The value of any float as a double (every narrow float is exact).
double toDouble(APFloat f) {
  bool lost;
  f.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
  return f.convertToDouble();
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
  if (auto ft = dyn_cast<FloatType>(t)) { // a narrow float: its 1 or 2 bytes
    uint16_t bits = 0;
    std::memcpy(&bits, p, (ft.getWidth() + 7) / 8);
    return toDouble(APFloat(ft.getFloatSemantics(), APInt(ft.getWidth(), bits,
                                                          false, true)));
  }
  auto it = cast<IntegerType>(t);
  unsigned w = it.getWidth();
  if (w == 1)
    return *p ? 1.0 : 0.0;
  int64_t v = 0;
  std::memcpy(&v, p, (w + 7) / 8);
  if (w < 8) // a sub-byte integer lives in the low bits
    v &= (int64_t(1) << w) - 1;
  if (it.isUnsigned())
    return double(uint64_t(v));
  if (w < 64) // sign-extend
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
  } else if (auto ft = dyn_cast<FloatType>(t)) {
    APFloat f{v};
    bool lost;
    f.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
    uint16_t bits = uint16_t(f.bitcastToAPInt().getZExtValue());
    std::memcpy(p, &bits, (ft.getWidth() + 7) / 8);
  } else {
    unsigned w = cast<IntegerType>(t).getWidth();
    if (w == 1) {
      *p = v != 0.0;
      return;
    }
    // Saturate: a double outside the integer range (or NaN) has no defined
    // conversion. Unsigned types range over [0, 2^w).
    if (cast<IntegerType>(t).isUnsigned()) {
      double hi = std::ldexp(1.0, int(w));
      uint64_t u = std::isnan(v) || v <= 0 ? 0
                   : v >= hi ? (w == 64 ? UINT64_MAX : uint64_t(hi) - 1)
                             : uint64_t(v);
      std::memcpy(p, &u, (w + 7) / 8);
      return;
    }
    double lo = -std::ldexp(1.0, int(w) - 1), hi = std::ldexp(1.0, int(w) - 1);
    int64_t i;
    if (std::isnan(v))
      i = 0;
    else if (v <= lo)
      i = w == 64 ? INT64_MIN : int64_t(lo);
    else if (v >= hi)
      i = w == 64 ? INT64_MAX : int64_t(hi) - 1;
    else
      i = int64_t(v);
    if (w < 8) // zero above a sub-byte integer's bits
      i &= (int64_t(1) << w) - 1;
    std::memcpy(p, &i, (w + 7) / 8);
  }
}

} // namespace

unsigned elementByteWidth(Type t) { return byteWidth(t).value_or(0); }

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
      encodeOne(et, toDouble(f), &out[size_t(i++) * *width]);
  } else {
    // Integers are copied bit-exactly (int64 values beyond 2^53 included).
    for (APInt v : dense.getValues<APInt>()) {
      uint64_t bits = cast<IntegerType>(et).getWidth() == 1
                          ? uint64_t(v.getBoolValue())
                          : v.getZExtValue();
      std::memcpy(&out[size_t(i++) * *width], &bits, *width);
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

/// An integer element, sign- (or for unsigned types zero-) extended.
static int64_t decodeInt(IntegerType t, const char *p) {
  unsigned w = t.getWidth();
  if (w == 1)
    return *p ? 1 : 0;
  uint64_t bits = 0;
  std::memcpy(&bits, p, (w + 7) / 8);
  if (w < 8)
    bits &= (uint64_t(1) << w) - 1;
  if (w < 64 && !t.isUnsigned() && (bits >> (w - 1)) & 1)
    bits |= ~uint64_t(0) << w;
  return int64_t(bits);
}

std::optional<std::vector<int64_t>> readIntConstant(Attribute attr) {
  auto elements = dyn_cast_or_null<ElementsAttr>(attr);
  if (!elements)
    return std::nullopt;
  auto type = dyn_cast<RankedTensorType>(elements.getType());
  if (!type || !type.hasStaticShape() || !isa<IntegerType>(type.getElementType()))
    return std::nullopt;
  auto raw = readRawConstant(elements);
  if (!raw)
    return std::nullopt;
  auto it = cast<IntegerType>(type.getElementType());
  unsigned w = *byteWidth(it);
  std::vector<int64_t> out(type.getNumElements());
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = decodeInt(it, raw->data() + i * w);
  return out;
}

ElementsAttr writeRawConstant(RankedTensorType type, ArrayRef<char> bytes) {
  Type et = type.getElementType();
  if (type.getNumElements() < kResourceThreshold || et.isInteger(1)) {
    unsigned w = *byteWidth(et);
    if (auto it = dyn_cast<IntegerType>(et)) {
      SmallVector<APInt> is;
      for (int64_t i = 0; i < type.getNumElements(); ++i)
        is.push_back(APInt(it.getWidth(), uint64_t(decodeInt(it, bytes.data() + i * w)),
                           /*isSigned=*/false, /*implicitTrunc=*/true));
      return DenseElementsAttr::get(type, is);
    }
    SmallVector<APFloat> fs;
    for (int64_t i = 0; i < type.getNumElements(); ++i) {
      APFloat f(decodeOne(et, bytes.data() + i * w));
      bool lost;
      f.convert(cast<FloatType>(et).getFloatSemantics(),
                APFloat::rmNearestTiesToEven, &lost);
      fs.push_back(f);
    }
    return DenseElementsAttr::get(type, fs);
  }
  AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
      bytes, alignof(std::max_align_t));
  return DenseResourceElementsAttr::get(type, "kiln_weight", std::move(blob));
}

ElementsAttr gatherConstant(ElementsAttr source, RankedTensorType type,
                            ArrayRef<int64_t> sourceIndex) {
  auto raw = readRawConstant(source);
  auto width = byteWidth(type.getElementType());
  if (!raw || !width)
    return {};
  std::vector<char> out(sourceIndex.size() * *width);
  for (size_t i = 0; i < sourceIndex.size(); ++i)
    std::memcpy(&out[i * *width], raw->data() + sourceIndex[i] * *width,
                *width);
  return writeRawConstant(type, out);
}

ElementsAttr transposeConstant(ElementsAttr source, RankedTensorType type,
                               ArrayRef<int64_t> perm) {
  auto raw = readRawConstant(source);
  auto width = byteWidth(type.getElementType());
  if (!raw || !width)
    return {};
  ArrayRef<int64_t> shape = type.getShape();
  size_t rank = shape.size();
  // Byte stride in the source of a step along each result dim.
  auto srcShape = cast<ShapedType>(source.getType()).getShape();
  SmallVector<int64_t> srcStride(rank, int64_t(*width));
  for (size_t d = rank; d-- > 1;)
    srcStride[d - 1] = srcStride[d] * srcShape[d];
  SmallVector<int64_t> step(rank);
  for (size_t d = 0; d < rank; ++d)
    step[d] = srcStride[perm[d]];
  std::vector<char> out(raw->size());
  if (out.empty())
    return writeRawConstant(type, out);
  // An odometer over the result's index, carrying the source offset along.
  SmallVector<int64_t> idx(rank, 0);
  int64_t src = 0;
  for (size_t o = 0; o < out.size(); o += *width) {
    std::memcpy(&out[o], raw->data() + src, *width);
    for (size_t d = rank; d-- > 0;) {
      src += step[d];
      if (++idx[d] < shape[d])
        break;
      src -= step[d] * shape[d];
      idx[d] = 0;
    }
  }
  return writeRawConstant(type, out);
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
