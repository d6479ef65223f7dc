//===- RegisterTile.h - the packed matmul kernel's register tiles -*- C++ -*-===//
//
// The innermost part of PackedMatmul.cpp's kernel: one register tile of R
// rows x W columns walking K (a broadcast of A[m, k] and an FMA into each
// row's W-wide accumulator per step, the panel rows from PanelSource.h, the
// rows of A from the matrix or a convolution's image, RowSource.h), and a
// loop of such tiles down a chunk of rows.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_REGISTERTILE_H
#define KILN_CODEGEN_CPU_REGISTERTILE_H

#include "codegen/cpu/RowSource.h"

#include "mlir/IR/Builders.h"

#include <optional>

namespace kiln {
class MatmulEpilogue;
struct PanelSource;
} // namespace kiln

namespace kiln::packed {

/// The left-hand side: the matrix `a`, whose elements the tiles read
/// from `rows`' image when set.
struct Lhs {
  mlir::Value a;
  std::optional<RowSource> rows;
  /// `rows`' image as one run of floats.
  mlir::Value flatImage;
};

/// The K steps one pass of the register tiles makes: [begin, end),
/// whether the tiles add to what earlier passes wrote (else start at 0),
/// and whether it is the last pass (which applies the epilogue).
struct KRange {
  mlir::Value begin, end;
  bool accumulate, last;
};

/// One register tile: rows [row0, row0 + rows) of `a` times the first
/// `width` columns (a multiple of 16, at most P) of panel `panel` of `src`
/// over the K steps of `kr`, `rows` accumulators of `width` floats,
/// written as rows [at, at + rows) of the tile `dst` (returned).
mlir::Value emitTile(mlir::OpBuilder &b, mlir::Location loc, const Lhs &lhs,
                     const PanelSource &src, const MatmulEpilogue *epilogue,
                     mlir::Value panel, mlir::Value row0, int64_t rows,
                     int64_t width, const KRange &kr, mlir::Value dst,
                     mlir::Value at);

/// `count` (an index value) full register tiles of `tileRows` rows, rows
/// [row0, ...) of `a`, written from row 0 of `dst` on (an scf.for over the
/// tiles).
mlir::Value emitTileLoop(mlir::OpBuilder &b, mlir::Location loc,
                         const Lhs &lhs, const PanelSource &src,
                         const MatmulEpilogue *epilogue, mlir::Value panel,
                         mlir::Value row0, mlir::Value count,
                         int64_t tileRows, int64_t width, const KRange &kr,
                         mlir::Value dst);

} // namespace kiln::packed

#endif // KILN_CODEGEN_CPU_REGISTERTILE_H
