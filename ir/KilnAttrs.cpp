//===- KilnAttrs.cpp - #kiln.layout ---------------------------------------===//
//
// The layout attribute's verifier, its two common values and the
// permutation between two letter orders.
//
//===----------------------------------------------------------------------===//

#include "ir/KilnDialect.h"

#include "mlir/IR/DialectImplementation.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace kiln;

#define GET_ATTRDEF_CLASSES
#include "ir/KilnAttrs.cpp.inc"

void KilnDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "ir/KilnAttrs.cpp.inc"
      >();
}

/// Whether `s` holds each letter of `letters` exactly once and nothing else.
static bool isPermutationOf(StringRef s, StringRef letters) {
  if (s.size() != letters.size())
    return false;
  for (char c : letters)
    if (s.count(c) != 1)
      return false;
  return true;
}

LogicalResult LayoutAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 StringRef input, StringRef filter,
                                 StringRef output) {
  if (!isPermutationOf(input, "NCHW"))
    return emitError() << "layout input '" << input
                       << "' must name N, C, H and W once each";
  if (!output.empty() && !isPermutationOf(output, "NCHW"))
    return emitError() << "layout output '" << output
                       << "' must name N, C, H and W once each";
  if (!filter.empty() && !isPermutationOf(filter, "OIHW"))
    return emitError() << "layout filter '" << filter
                       << "' must name O, I, H and W once each";
  return success();
}

LayoutAttr LayoutAttr::nchw(MLIRContext *ctx) {
  return LayoutAttr::get(ctx, "NCHW", "OIHW", "");
}

LayoutAttr LayoutAttr::nhwc(MLIRContext *ctx) {
  return LayoutAttr::get(ctx, "NHWC", "HWIO", "");
}

LayoutAttr LayoutAttr::named(MLIRContext *ctx, StringRef name) {
  return name == "nhwc" ? nhwc(ctx) : nchw(ctx);
}

SmallVector<int64_t> LayoutAttr::permutation(StringRef from, StringRef to) {
  SmallVector<int64_t> perm;
  for (char c : to)
    perm.push_back(int64_t(from.find(c)));
  return perm;
}
