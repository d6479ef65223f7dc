//===- ShareKernelsPass.cpp - kiln-share-kernels --------------------------===//
//
// Outlines the top-level loop nests of each function into private functions
// of the values they capture, and lets nests that give the same function
// call one copy of it (see Passes.td for why).
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"

namespace kiln {
#define GEN_PASS_DEF_KILNSHAREKERNELS
#include "codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// A loop nest and the function it would become.
struct Candidate {
  Operation *loop;
  /// The values the nest reads from outside it, in the order of the
  /// function's arguments.
  SmallVector<Value> captured;
  /// Detached until it is kept.
  func::FuncOp kernel;
};

bool isKernelLoop(Operation &op) {
  return op.getNumResults() == 0 &&
         isa<scf::ForallOp, scf::ForOp, scf::ParallelOp>(op);
}

/// `loop` as a detached private function of what it captures; constants are
/// cloned in rather than passed, so that bounds and tile sizes stay known.
Candidate outline(Operation *loop) {
  SetVector<Value> used;
  for (Value operand : loop->getOperands())
    used.insert(operand);
  getUsedValuesDefinedAbove(loop->getRegions(), used);

  Candidate candidate{loop, {}, {}};
  SmallVector<Operation *> constants;
  SmallVector<Type> types;
  for (Value value : used) {
    if (matchPattern(value, m_Constant())) {
      constants.push_back(value.getDefiningOp());
      continue;
    }
    candidate.captured.push_back(value);
    types.push_back(value.getType());
  }
  MLIRContext *context = loop->getContext();
  candidate.kernel = func::FuncOp::create(
      loop->getLoc(), "kernel", FunctionType::get(context, types, {}));
  candidate.kernel.setPrivate();
  Block *body = candidate.kernel.addEntryBlock();
  IRMapping mapping;
  for (auto [value, argument] :
       llvm::zip_equal(candidate.captured, body->getArguments()))
    mapping.map(value, argument);
  OpBuilder builder = OpBuilder::atBlockEnd(body);
  for (Operation *constant : constants)
    builder.clone(*constant, mapping);
  builder.clone(*loop, mapping);
  func::ReturnOp::create(builder, loop->getLoc());
  return candidate;
}

struct ShareKernels : impl::KilnShareKernelsBase<ShareKernels> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> functions(module.getOps<func::FuncOp>());
    // Nests that gave equal functions (same argument types, same body up
    // to locations): the first member's function is the one kept.
    std::vector<SmallVector<Candidate>> groups;
    // Candidates are compared only with groups of the same signature.
    DenseMap<Type, SmallVector<size_t>> groupsOfType;
    for (func::FuncOp function : functions) {
      if (function.isExternal())
        continue;
      for (Block &block : function.getBody())
        for (Operation &op : block) {
          if (!isKernelLoop(op))
            continue;
          Candidate candidate = outline(&op);
          SmallVector<size_t> &sameType =
              groupsOfType[candidate.kernel.getFunctionType()];
          auto match = llvm::find_if(sameType, [&](size_t group) {
            return OperationEquivalence::isEquivalentTo(
                groups[group].front().kernel, candidate.kernel,
                OperationEquivalence::IgnoreLocations);
          });
          if (match != sameType.end()) {
            groups[*match].push_back(std::move(candidate));
            continue;
          }
          sameType.push_back(groups.size());
          groups.emplace_back().push_back(std::move(candidate));
        }
    }

    SymbolTable symbols(module);
    for (SmallVector<Candidate> &members : groups) {
      if (members.size() < 2) {
        members.front().kernel->erase();
        continue;
      }
      func::FuncOp shared = members.front().kernel;
      auto parent = members.front().loop->getParentOfType<func::FuncOp>();
      shared.setSymName((parent.getSymName() + "_kernel").str());
      // Renames on a clash, so the name is unique.
      symbols.insert(shared);
      for (Candidate &member : members) {
        OpBuilder builder(member.loop);
        func::CallOp::create(builder, member.loop->getLoc(), shared,
                             member.captured);
        member.loop->erase();
        if (member.kernel != shared)
          member.kernel->erase();
      }
    }
  }
};

} // namespace
} // namespace kiln
