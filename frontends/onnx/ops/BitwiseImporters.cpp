//===- BitwiseImporters.cpp - ONNX bitwise ops, BitShift and BitCast ------===//
//
// BitwiseAnd/Or/Xor/Not and BitShift on any integer type, and BitCast,
// which reads each element's bits as another type of the same width.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/ImportContext.h"

using namespace mlir;

namespace kiln::onnx_frontend {
namespace {

using Out = SmallVectorImpl<Value>;

LogicalResult needIntegers(NodeContext &nc) {
  for (size_t i = 0; i < nc.inputs.size(); ++i) {
    Type et = nc.inputType(i).getElementType();
    if (!isa<IntegerType>(et) || et.isInteger(1))
      return nc.error() << nc.node.op_type()
                        << " needs integer inputs, got " << nc.inputType(i);
  }
  if (nc.inputs.size() == 2 &&
      nc.inputType(0).getElementType() != nc.inputType(1).getElementType())
    return nc.error() << nc.node.op_type()
                      << " needs inputs of one element type";
  return success();
}

template <typename OpTy>
OpImporter bitwise() {
  return [](NodeContext &nc, Out &out) -> LogicalResult {
    if (failed(needIntegers(nc)))
      return failure();
    out.push_back(nc.create<OpTy>(nc.input(0), nc.input(1)));
    return success(bool(out.back()));
  };
}

LogicalResult importBitwiseNot(NodeContext &nc, Out &out) {
  if (failed(needIntegers(nc)))
    return failure();
  out.push_back(nc.create<BitNotOp>(nc.input(0)));
  return success(bool(out.back()));
}

/// BitShift: shifts past the width (or by a negative count) give 0, or -1
/// for a negative signed number shifted right (opset 28's definition; the
/// earlier, unsigned-only forms agree where they are defined).
LogicalResult importBitShift(NodeContext &nc, Out &out) {
  if (failed(needIntegers(nc)))
    return failure();
  std::string direction = nc.stringAttr("direction", "");
  if (direction == "LEFT")
    out.push_back(nc.create<ShiftLeftOp>(nc.input(0), nc.input(1)));
  else if (direction == "RIGHT")
    out.push_back(nc.create<ShiftRightOp>(nc.input(0), nc.input(1)));
  else
    return nc.error() << "BitShift direction must be LEFT or RIGHT";
  return success(bool(out.back()));
}

LogicalResult importBitCast(NodeContext &nc, Out &out) {
  int64_t to = nc.intAttr("to", 0);
  Type et = elementTypeFor(nc.builder.getContext(), int(to));
  RankedTensorType t = nc.inputType(0);
  Type from = t.getElementType();
  if (!et)
    return nc.error() << "BitCast to unsupported type " << to;
  // A bool is a byte holding 0 or 1: as an 8-bit integer it is that value.
  if (from.isInteger(1) && et.getIntOrFloatBitWidth() == 8 &&
      isa<IntegerType>(et)) {
    out.push_back(nc.castTo(nc.input(0), et));
    return success(bool(out.back()));
  }
  if (from.isInteger(1) || et.isInteger(1) ||
      from.getIntOrFloatBitWidth() != et.getIntOrFloatBitWidth() ||
      from.getIntOrFloatBitWidth() < 8)
    return nc.error() << "BitCast needs types of one width of 8 bits or "
                         "more, got "
                      << from << " to " << et;
  out.push_back(from == et ? nc.input(0)
                           : nc.create<BitcastOp>(t.clone(et), nc.input(0)));
  return success(bool(out.back()));
}

} // namespace

void registerBitwiseImporters(ImporterRegistry &r) {
  r["BitwiseAnd"] = bitwise<BitAndOp>();
  r["BitwiseOr"] = bitwise<BitOrOp>();
  r["BitwiseXor"] = bitwise<BitXorOp>();
  r["BitwiseNot"] = importBitwiseNot;
  r["BitShift"] = importBitShift;
  r["BitCast"] = importBitCast;
}

} // namespace kiln::onnx_frontend
