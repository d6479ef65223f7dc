//===- EntryPoint.cpp - the compiled model's callable functions -----------===//
//
// See EntryPoint.h.
//
//===----------------------------------------------------------------------===//

#include "codegen/common/EntryPoint.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Patterns.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace kiln {

LogicalResult addShapeFunction(func::FuncOp entry, StringRef symbol) {
  OpBuilder b(entry);
  b.setInsertionPointAfter(entry);
  auto shapes = cast<func::FuncOp>(b.clone(*entry));
  shapes.setSymName(symbol);
  shapes.removeResAttrsAttr();
  Block &body = shapes.front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  int64_t count = 0;
  for (Value v : ret.getOperands())
    count += cast<RankedTensorType>(v.getType()).getNumDynamicDims();
  Location loc = entry.getLoc();
  auto outType = MemRefType::get({count}, b.getI64Type());
  unsigned index = shapes.getNumArguments();
  if (failed(shapes.insertArgument(index, outType, {}, loc)))
    return failure();
  BlockArgument out = body.getArgument(index);
  b.setInsertionPoint(ret);
  int64_t k = 0;
  for (Value v : ret.getOperands()) {
    auto t = cast<RankedTensorType>(v.getType());
    for (int64_t d = 0; d < t.getRank(); ++d) {
      if (!t.isDynamicDim(d))
        continue;
      Value dim = tensor::DimOp::create(b, loc, v, d);
      Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), dim);
      Value at = arith::ConstantIndexOp::create(b, loc, k++);
      memref::StoreOp::create(b, loc, i64, out, ValueRange{at});
    }
  }
  func::ReturnOp::create(b, loc);
  ret.erase();
  shapes.setFunctionType(
      b.getFunctionType(SmallVector<Type>(body.getArgumentTypes()), {}));
  // tensor.dim of each result becomes tensor.dim of the inputs (through
  // linalg inits, reshapes and loop results); the model computation is
  // then dead.
  MLIRContext *ctx = entry.getContext();
  RewritePatternSet patterns(ctx);
  memref::populateResolveRankedShapedTypeResultDimsPatterns(patterns);
  memref::populateResolveShapedTypeResultDimsPatterns(patterns);
  scf::populateSCFForLoopCanonicalizationPatterns(patterns);
  for (Dialect *dialect : ctx->getLoadedDialects())
    dialect->getCanonicalizationPatterns(patterns);
  for (RegisteredOperationName op : ctx->getRegisteredOperations())
    op.getCanonicalizationPatterns(patterns, ctx);
  if (failed(applyPatternsGreedily(shapes, std::move(patterns))))
    return shapes.emitError("internal error: the shape function does not "
                            "simplify to a fixed point");
  // Anything left beyond index arithmetic means the output shapes depend on
  // values the model computes: correct, but a run then costs two.
  bool onlyShapes = true;
  shapes.walk([&](Operation *op) {
    // Run-time dim checks (scf.if + a call to the runtime) are cheap.
    if (!isa<func::FuncOp, func::ReturnOp, func::CallOp, tensor::DimOp,
             memref::StoreOp, scf::IfOp, scf::YieldOp, affine::AffineApplyOp,
             affine::AffineMinOp, affine::AffineMaxOp>(op) &&
        op->getDialect()->getNamespace() != "arith")
      onlyShapes = false;
  });
  if (!onlyShapes)
    shapes.emitWarning("the output shapes of this model are computed by "
                       "running the model itself");
  return success();
}

void copyRepeatedResults(func::FuncOp entry) {
  auto ret = cast<func::ReturnOp>(entry.front().getTerminator());
  OpBuilder b(ret);
  llvm::SmallPtrSet<Value, 8> seen;
  for (OpOperand &operand : ret->getOpOperands()) {
    Value v = operand.get();
    if (seen.insert(v).second && !isa<BlockArgument>(v))
      continue;
    auto t = cast<RankedTensorType>(v.getType());
    SmallVector<Value> dynamicSizes;
    for (int64_t d = 0; d < t.getRank(); ++d)
      if (t.isDynamicDim(d))
        dynamicSizes.push_back(tensor::DimOp::create(b, v.getLoc(), v, d));
    // An allocation, not tensor.empty: CSE would merge two copies of one
    // value into one result again.
    Value init = bufferization::AllocTensorOp::create(b, v.getLoc(), t,
                                                      dynamicSizes);
    operand.set(
        linalg::CopyOp::create(b, v.getLoc(), v, init).getResult(0));
  }
}

void passResultsAsDestinations(func::FuncOp entry) {
  Block &body = entry.front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  OpBuilder b(ret);
  Location loc = entry.getLoc();
  for (Value v : ret.getOperands()) {
    auto t = cast<RankedTensorType>(v.getType());
    unsigned index = entry.getNumArguments();
    (void)entry.insertArgument(
        index, MemRefType::get(t.getShape(), t.getElementType()), {}, loc);
    BlockArgument dest = body.getArgument(index);
    auto store = bufferization::MaterializeInDestinationOp::create(b, loc, v,
                                                                   dest);
    store.setRestrict(true);
    store.setWritable(true);
  }
  func::ReturnOp::create(b, loc);
  ret.erase();
  entry.removeResAttrsAttr();
  entry.setFunctionType(
      b.getFunctionType(SmallVector<Type>(body.getArgumentTypes()), {}));
}

} // namespace kiln
