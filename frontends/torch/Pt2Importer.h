//===- Pt2Importer.h - torch.export archives into kiln -----------*- C++ -*-===//

#ifndef KILN_FRONTENDS_TORCH_PT2IMPORTER_H
#define KILN_FRONTENDS_TORCH_PT2IMPORTER_H

#include "frontends/common/Frontend.h"

namespace kiln::torch_frontend {

/// Imports the .pt2 archive `request.path` into a module with @main; null
/// after reporting why (every unsupported ATen op at once, with its module
/// path).
mlir::OwningOpRef<mlir::ModuleOp> importPt2(mlir::MLIRContext &ctx,
                                            const ImportRequest &request);

} // namespace kiln::torch_frontend

#endif // KILN_FRONTENDS_TORCH_PT2IMPORTER_H
