//===- NarrowFloats.cpp - bfloat16 and 8/4-bit float conversions ----------===//
//
// See NarrowFloats.h. A narrow float is handled as the integer of its width
// (its bits): decoding assembles the float32 bits of normal values and
// scales subnormals; encoding rounds normal values by integer arithmetic on
// the float32 bits and subnormal ones by one float32 addition, which rounds
// to the target's subnormal spacing in hardware.
//
//===----------------------------------------------------------------------===//

#include "codegen/linalg/NarrowFloats.h"
#include "codegen/linalg/LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinTypes.h"

#include <cmath>

using namespace mlir;

namespace kiln {
namespace {

/// Bit layout of a narrow float, and which of its codes are special.
struct Format {
  enum Specials { Ieee, NanAllOnes, NanNegZero, Finite };
  int exp, mant, bias;
  Specials specials;
  int bits() const { return 1 + exp + mant; }
};

std::optional<Format> formatOf(Type t) {
  if (t.isBF16())
    return Format{8, 7, 127, Format::Ieee};
  if (isa<Float8E4M3FNType>(t))
    return Format{4, 3, 7, Format::NanAllOnes};
  if (isa<Float8E4M3FNUZType>(t))
    return Format{4, 3, 8, Format::NanNegZero};
  if (isa<Float8E5M2Type>(t))
    return Format{5, 2, 15, Format::Ieee};
  if (isa<Float8E5M2FNUZType>(t))
    return Format{5, 2, 16, Format::NanNegZero};
  if (isa<Float4E2M1FNType>(t))
    return Format{2, 1, 1, Format::Finite};
  return std::nullopt;
}

/// Integer helpers on i32 values.
struct I32 {
  OpBuilder &b;
  Location loc;
  Type i32 = b.getI32Type();
  Value c(int64_t v) {
    return arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(int32_t(v)));
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value band(Value x, int64_t m) { return arith::AndIOp::create(b, loc, x, c(m)); }
  Value bor(Value x, Value y) { return arith::OrIOp::create(b, loc, x, y); }
  Value shl(Value x, int64_t s) { return arith::ShLIOp::create(b, loc, x, c(s)); }
  Value shr(Value x, int64_t s) { return arith::ShRUIOp::create(b, loc, x, c(s)); }
  Value cmp(arith::CmpIPredicate p, Value x, int64_t y) {
    return arith::CmpIOp::create(b, loc, p, x, c(y));
  }
  Value sel(Value cond, Value x, Value y) {
    return arith::SelectOp::create(b, loc, cond, x, y);
  }
  Value sel(Value cond, int64_t x, Value y) { return sel(cond, c(x), y); }
};

/// The bits of a narrow float value as the signless integer of its width.
/// bfloat16 is an LLVM type, so arith.bitcast serves; the 8- and 4-bit
/// floats become integers of their width when types are lowered to LLVM,
/// so an unrealized cast (which then vanishes) stands for the bitcast.
Value bitsOf(OpBuilder &b, Location loc, Value x, int width) {
  Type it = b.getIntegerType(width);
  if (x.getType().isBF16())
    return arith::BitcastOp::create(b, loc, it, x);
  return retype(b, loc, x, it);
}

Value fromBits(OpBuilder &b, Location loc, Value bits, Type t) {
  if (t.isBF16())
    return arith::BitcastOp::create(b, loc, t, bits);
  return retype(b, loc, bits, t);
}

/// The code of the largest finite value of `t`.
int64_t largestCode(FloatType t) {
  return int64_t(APFloat::getLargest(t.getFloatSemantics())
                     .bitcastToAPInt()
                     .getZExtValue());
}

} // namespace

bool isNarrowFloat(Type t) { return formatOf(t).has_value(); }

Value narrowFloatToF32(OpBuilder &b, Location loc, Value x, FloatType from) {
  Format f = *formatOf(from);
  I32 i{b, loc};
  using P = arith::CmpIPredicate;
  Value code =
      arith::ExtUIOp::create(b, loc, i.i32, bitsOf(b, loc, x, f.bits()));
  if (from.isBF16()) // the high half of a float32, specials included
    return arith::BitcastOp::create(b, loc, b.getF32Type(), i.shl(code, 16));
  int expMax = (1 << f.exp) - 1, mantMax = (1 << f.mant) - 1;
  Value sign = i.shl(i.shr(code, f.exp + f.mant), 31);
  Value e = i.band(i.shr(code, f.mant), expMax), m = i.band(code, mantMax);
  // Normal: rebias the exponent, left-align the mantissa.
  Value normal = i.bor(i.shl(i.add(e, i.c(127 - f.bias)), 23),
                       i.shl(m, 23 - f.mant));
  // Subnormal: m units of 2^(1 - bias - mant), a power of two in float32.
  Value scale = arith::ConstantOp::create(
      b, loc, b.getF32FloatAttr(std::ldexp(1.0f, 1 - f.bias - f.mant)));
  Value sub = arith::MulFOp::create(
      b, loc, arith::UIToFPOp::create(b, loc, b.getF32Type(), m), scale);
  Value subBits = arith::BitcastOp::create(b, loc, i.i32, sub);
  Value bits = i.sel(i.cmp(P::eq, e, 0), subBits, normal);
  bits = i.bor(bits, sign);
  const int64_t nan = 0x7fc00000;
  switch (f.specials) {
  case Format::Ieee: {
    Value special = i.sel(i.cmp(P::eq, m, 0), i.bor(sign, i.c(0x7f800000)),
                          i.c(nan));
    bits = i.sel(i.cmp(P::eq, e, expMax), special, bits);
    break;
  }
  case Format::NanAllOnes:
    bits = i.sel(i.cmp(P::eq, i.band(code, (1 << (f.exp + f.mant)) - 1),
                       (expMax << f.mant) | mantMax),
                 nan, bits);
    break;
  case Format::NanNegZero:
    bits = i.sel(i.cmp(P::eq, code, 1 << (f.exp + f.mant)), nan, bits);
    break;
  case Format::Finite:
    break;
  }
  return arith::BitcastOp::create(b, loc, b.getF32Type(), bits);
}

Value f32ToNarrowFloat(OpBuilder &b, Location loc, Value x, FloatType to) {
  Format f = *formatOf(to);
  I32 i{b, loc};
  using P = arith::CmpIPredicate;
  Value xb = arith::BitcastOp::create(b, loc, i.i32, x);
  Value sign = i.shr(xb, 31);
  Value abs = i.band(xb, 0x7fffffff);
  // Normal range: round the float32 bits to `mant` mantissa bits (nearest,
  // ties to even; a carry moves into the exponent), then rebias.
  int drop = 23 - f.mant;
  Value lsb = i.band(i.shr(abs, drop), 1);
  Value rounded = i.shr(i.add(abs, i.add(i.c((1 << (drop - 1)) - 1), lsb)), drop);
  Value normal = i.sub(rounded, i.c(int64_t(127 - f.bias) << f.mant));
  // Below the smallest normal 2^emin: adding 2^(emin - mant + 23) makes
  // float32's spacing equal the target's subnormal spacing, so the sum's
  // low bits are the rounded subnormal code (2^mant: the smallest normal).
  int emin = 1 - f.bias;
  float shiftValue = std::ldexp(1.0f, emin - f.mant + 23);
  Value shifter =
      arith::ConstantOp::create(b, loc, b.getF32FloatAttr(shiftValue));
  Value absF = arith::BitcastOp::create(b, loc, b.getF32Type(), abs);
  Value sum = arith::AddFOp::create(b, loc, absF, shifter);
  int32_t shifterBits;
  std::memcpy(&shifterBits, &shiftValue, 4);
  Value small = i.sub(arith::BitcastOp::create(b, loc, i.i32, sum),
                      i.c(shifterBits));
  int32_t minNormalBits = (emin + 127) << 23;
  Value code = i.sel(i.cmp(P::slt, abs, minNormalBits), small, normal);
  // Overflow (infinities included) and NaN.
  int64_t maxCode = largestCode(to) & ((1 << (f.exp + f.mant)) - 1);
  int expMax = (1 << f.exp) - 1;
  int64_t overflow = maxCode, nan = maxCode;
  switch (f.specials) {
  case Format::Ieee:
    overflow = int64_t(expMax) << f.mant;
    nan = overflow | (1 << (f.mant - 1));
    break;
  case Format::NanAllOnes:
    overflow = nan = (int64_t(expMax) << f.mant) | ((1 << f.mant) - 1);
    break;
  case Format::NanNegZero:
    overflow = nan = 1 << (f.exp + f.mant);
    break;
  case Format::Finite: // saturates; NaN becomes -0, as ml_dtypes has it
    nan = 1 << (f.exp + f.mant);
    break;
  }
  code = i.sel(i.cmp(P::sgt, code, maxCode), overflow, code);
  code = i.sel(i.cmp(P::ugt, abs, 0x7f800000), nan, code);
  // The sign, except on zero where the format has no -0.
  Value signBit = i.shl(sign, f.exp + f.mant);
  if (f.specials == Format::NanNegZero)
    signBit = i.sel(i.cmp(P::eq, code, 0), 0, signBit);
  if (f.specials == Format::Finite) // the NaN code already has its sign
    signBit = i.sel(i.cmp(P::eq, code, nan), 0, signBit);
  code = i.bor(code, signBit);
  Value narrow = arith::TruncIOp::create(b, loc, b.getIntegerType(f.bits()), code);
  return fromBits(b, loc, narrow, to);
}

} // namespace kiln
