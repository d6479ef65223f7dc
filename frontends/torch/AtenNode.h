//===- AtenNode.h - one ATen call of an exported program, to kiln -*- C++ -*-===//
//
// A node of torch.export's graph calls an ATen overload
// ("torch.ops.aten.conv2d.default") with named arguments, each a tensor,
// a list of tensors, an int, ints, a float, a bool or None. Arguments left
// at their schema default are not written: each importer states the
// defaults it relies on.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_TORCH_ATENNODE_H
#define KILN_FRONTENDS_TORCH_ATENNODE_H

#include "frontends/common/NodeBuilder.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/JSON.h"

#include <functional>
#include <map>
#include <optional>
#include <string>

namespace kiln::torch_frontend {

class AtenNode : public NodeBuilder {
public:
  AtenNode(mlir::Location loc, mlir::OpBuilder &builder,
           const llvm::json::Object &node,
           const std::map<std::string, mlir::Value> &values)
      : NodeBuilder(loc, builder, {}), node(node), values(values) {}

  const llvm::json::Object &node;
  const std::map<std::string, mlir::Value> &values;

  /// The argument named `name` (schema name: "input", "weight", ...), or
  /// null when the call left it at its default.
  const llvm::json::Object *arg(llvm::StringRef name) const;

  /// Tensor argument `name`; null Value when absent or None. `required`
  /// tensors that are missing are reported.
  mlir::Value tensor(llvm::StringRef name, bool required = true);
  /// List-of-tensors argument `name` (cat's inputs).
  std::optional<std::vector<mlir::Value>> tensors(llvm::StringRef name);
  /// Int, ints (an int is taken as a list of one, as ATen's int[2] does
  /// for a single value repeated), float and bool arguments, or `dflt`.
  int64_t intArg(llvm::StringRef name, int64_t dflt) const;
  std::vector<int64_t> intsArg(llvm::StringRef name,
                               std::vector<int64_t> dflt) const;
  double floatArg(llvm::StringRef name, double dflt) const;
  /// A list of ints some of which may be symbolic (as_sym_ints, a dynamic
  /// batch's size): those are ShapedType::kDynamic. Falls back to intsArg.
  std::vector<int64_t> symIntsArg(llvm::StringRef name) const;
  bool boolArg(llvm::StringRef name, bool dflt) const;

  mlir::RankedTensorType inputTypeOf(mlir::Value v) const {
    return mlir::cast<mlir::RankedTensorType>(v.getType());
  }

  /// The ATen overload without the "torch.ops." prefix ("aten.relu.default").
  std::string target() const;
};

/// Elements [start, end) by `step` of static dim `dim` of `x`: a kiln.slice,
/// or a kiln.dynamic_slice when other dims of `x` are dynamic (a batch).
mlir::Value sliceDim(AtenNode &n, mlir::Value x, int64_t dim, int64_t start,
                     int64_t end, int64_t step);

/// The [start, end) of a step-1 slice node (slice.Tensor, slice_scatter)
/// along static dim `dim` of size `size`: its start/end arguments with
/// Python's negative indices and clamping.
std::pair<int64_t, int64_t> sliceBounds(const AtenNode &n, int64_t size);

/// `base` with `value` written over [start, end) of its static dim `dim`:
/// a concat of the kept parts and `value` (slice_scatter, and fill_ into a
/// slice written back).
mlir::Value scatterSlice(AtenNode &n, mlir::Value base, mlir::Value value,
                         int64_t dim, int64_t start, int64_t end);

/// A step-1 slice of static dim `dim` of the tensor named `base`: where a
/// fill_ into the slice writes back (Swin's window mask).
struct SliceView {
  std::string base;
  int64_t dim, start, end;
};
/// The view slice.Tensor node `n` makes of `x` (named `base`), or nullopt
/// when its step is not 1 or the dim is dynamic.
std::optional<SliceView> sliceViewOf(AtenNode &n, mlir::Value x,
                                     std::string base);

/// An overload's name without the "torch.ops." prefix.
std::string atenName(llvm::StringRef target);

using AtenImporter = std::function<mlir::LogicalResult(
    AtenNode &, llvm::SmallVectorImpl<mlir::Value> &)>;

/// ATen overload -> importer; docs/frontends/pytorch.md lists them.
const llvm::StringMap<AtenImporter> &atenImporters();

/// Adds the importers of transformer ops (AtenTransformerImporters.cpp).
void addTransformerImporters(llvm::StringMap<AtenImporter> &table);
/// Adds comparisons, logical ops, fills, where, masked_fill and triu
/// (AtenMaskImporters.cpp).
void addMaskImporters(llvm::StringMap<AtenImporter> &table);
/// Adds aten.lstm.input (unrolled) and log_softmax
/// (AtenRecurrentImporters.cpp).
void addRecurrentImporters(llvm::StringMap<AtenImporter> &table);
/// Adds group_norm, upsampling, leaky_relu and sum/amax/amin
/// (AtenImageImporters.cpp).
void addImageImporters(llvm::StringMap<AtenImporter> &table);
/// Adds flip, roll, swapaxes, constant padding, slice_scatter, index and
/// as_strided (AtenLayoutImporters.cpp).
void addLayoutImporters(llvm::StringMap<AtenImporter> &table);
/// Adds the core ATen overloads of run_decompositions()
/// (AtenCoreImporters.cpp); call after the others.
void addCoreImporters(llvm::StringMap<AtenImporter> &table);

} // namespace kiln::torch_frontend

#endif // KILN_FRONTENDS_TORCH_ATENNODE_H
