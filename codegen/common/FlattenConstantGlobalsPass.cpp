//===- FlattenConstantGlobalsPass.cpp - kiln-flatten-constant-globals -----===//
//
// Gives every constant memref.global of rank 2 or more a 1-D type (the same
// elements, row-major) and reads it back through a memref.reinterpret_cast
// to its shape (see Passes.td for why).
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

namespace kiln {
#define GEN_PASS_DEF_KILNFLATTENCONSTANTGLOBALS
#include "codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// `value` (the initial value of a static global) as a 1-D attribute of
/// `type`'s element count; null when its kind cannot be reshaped.
Attribute flattened(Attribute value, RankedTensorType type) {
  if (auto dense = dyn_cast<DenseElementsAttr>(value))
    return dense.reshape(type);
  // The blob is shared, not copied.
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value))
    return DenseResourceElementsAttr::get(type, resource.getRawHandle());
  return {};
}

struct FlattenConstantGlobals
    : impl::KilnFlattenConstantGlobalsBase<FlattenConstantGlobals> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::StringMap<MemRefType> shapeOf;
    for (auto global : module.getOps<memref::GlobalOp>()) {
      MemRefType type = global.getType();
      auto value = global.getInitialValue();
      if (!global.getConstant() || !value || type.getRank() < 2 ||
          !type.hasStaticShape() || !type.getLayout().isIdentity())
        continue;
      auto flatTensor =
          RankedTensorType::get({type.getNumElements()}, type.getElementType());
      Attribute flat = flattened(*value, flatTensor);
      if (!flat)
        continue;
      global.setType(MemRefType::get({type.getNumElements()},
                                     type.getElementType(), AffineMap(),
                                     type.getMemorySpace()));
      global.setInitialValueAttr(flat);
      shapeOf[global.getSymName()] = type;
    }
    if (shapeOf.empty())
      return;
    module.walk([&](memref::GetGlobalOp get) {
      auto it = shapeOf.find(get.getName());
      if (it == shapeOf.end())
        return;
      MemRefType shaped = it->second;
      OpBuilder b(get);
      auto flatGet = memref::GetGlobalOp::create(
          b, get.getLoc(),
          MemRefType::get({shaped.getNumElements()}, shaped.getElementType(),
                          AffineMap(), shaped.getMemorySpace()),
          get.getName());
      SmallVector<int64_t> strides = computeSuffixProduct(shaped.getShape());
      Value cast = memref::ReinterpretCastOp::create(
          b, get.getLoc(), shaped, flatGet, /*offset=*/0, shaped.getShape(),
          strides);
      get.replaceAllUsesWith(cast);
      get.erase();
    });
  }
};

} // namespace
} // namespace kiln
