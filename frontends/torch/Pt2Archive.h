//===- Pt2Archive.h - torch.export's .pt2 archive, read -----------*- C++ -*-===//
//
// `torch.export.save` writes a zip archive, all entries under one folder
// (the archive's name):
//   archive_format            "pt2"
//   models/model.json         the ExportedProgram (graph, signature, ranges)
//   data/weights/model_weights_config.json
//                             parameter/buffer name -> file and tensor meta
//   data/weights/weight_N     the raw bytes of each tensor
//   data/constants/model_constants_config.json, data/constants/...
// The reader checks sizes before it reads anything (zip bombs, entries
// larger than the archive says) and never executes anything.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_TORCH_PT2ARCHIVE_H
#define KILN_FRONTENDS_TORCH_PT2ARCHIVE_H

#include "frontends/common/HostTensor.h"

#include "mlir/IR/Builders.h"

#include "llvm/Support/JSON.h"

#include <map>
#include <string>

namespace kiln::torch_frontend {

struct Pt2Archive {
  /// models/model.json, parsed.
  llvm::json::Value program = nullptr;
  /// Parameters, buffers and constants by their fully qualified name
  /// ("fc1.weight"), row-major.
  std::map<std::string, HostTensor> tensors;
};

/// Reads the archive at `path`; false with `error` set when it is not a
/// readable .pt2 archive of a kind Kiln knows.
bool readPt2Archive(const std::string &path, Pt2Archive &archive,
                    std::string &error);

/// The kiln dtype of torch.export's ScalarType number (schema.py), or
/// false.
bool dtypeFromScalarType(int64_t scalarType, kiln_dtype &dtype);

/// The MLIR element type of a tensor of `dtype` an archive holds (float32,
/// float64, int32, int64, bool as i1), or null.
mlir::Type elementTypeOf(mlir::Builder &builder, kiln_dtype dtype);

} // namespace kiln::torch_frontend

#endif // KILN_FRONTENDS_TORCH_PT2ARCHIVE_H
