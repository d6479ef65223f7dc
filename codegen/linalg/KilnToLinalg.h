//===- KilnToLinalg.h - lowering kiln ops to linalg/tensor/arith -*- C++ -*-===//
//
// Pattern populators for the kiln-to-linalg conversion, one per op family,
// and the pass that applies them (declared in codegen/Passes.td). Lowering is
// target-neutral: the CPU and GPU pipelines both start from its output.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_LINALG_KILNTOLINALG_H
#define KILN_CODEGEN_LINALG_KILNTOLINALG_H

#include "mlir/IR/PatternMatch.h"

namespace kiln {

void populateElementwiseToLinalgPatterns(mlir::RewritePatternSet &patterns);
/// `batchedConvolutions`: a convolution of several images is one op rather
/// than one per image in an scf.for (see kiln-convert-to-linalg).
void populateContractionToLinalgPatterns(mlir::RewritePatternSet &patterns,
                                         bool batchedConvolutions);
void populateReduceToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateShapeToTensorPatterns(mlir::RewritePatternSet &patterns);
void populateRunTimeShapeToTensorPatterns(mlir::RewritePatternSet &patterns);
void populateResizeToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateLogicToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateBitwiseToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateIndexToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateNhwcToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateLoopToScfPatterns(mlir::RewritePatternSet &patterns);
void populateSuppressionToScfPatterns(mlir::RewritePatternSet &patterns);
void populateScatterToScfPatterns(mlir::RewritePatternSet &patterns);

} // namespace kiln

#endif // KILN_CODEGEN_LINALG_KILNTOLINALG_H
