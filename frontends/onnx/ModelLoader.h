//===- ModelLoader.h - reading and normalising ONNX models -------*- C++ -*-===//
//
// Reads an ONNX ModelProto from disk and brings it into a form the importer
// handles. Models up to opset 17 (what Debian's libonnx 1.12 knows) are
// checked by ONNX's checker, converted to opset 17 and shape-inferred;
// newer ones (up to kNewestOpset) are read as written, since libonnx 1.12
// would judge them by older schemas, with Kiln's own node checks. All of
// ONNX's own exceptions are caught here and turned into one error message.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_ONNX_MODELLOADER_H
#define KILN_FRONTENDS_ONNX_MODELLOADER_H

#include <onnx/onnx_pb.h>

#include <map>
#include <string>
#include <vector>

namespace kiln::onnx_frontend {

/// The default-domain opset the importer implements; older models are
/// converted up to it with ONNX's version converter.
constexpr int kTargetOpset = 17;

/// The newest default-domain opset Kiln imports (ONNX 1.23's); models above
/// kTargetOpset are imported in their own opset, the importers handling the
/// forms opsets 18 and later introduced.
constexpr int kNewestOpset = 28;

/// Dims given for graph inputs whose shape the model leaves open.
using InputShapes = std::map<std::string, std::vector<int64_t>>;

/// Loads `path` into `model`; on failure returns false with `error` set to a
/// one-line message naming the file. `shapes` fixes the dynamic dims of the
/// named inputs (a static dim must match) before shape inference runs.
bool loadOnnxModel(const std::string &path, onnx::ModelProto &model,
                   std::string &error, const InputShapes &shapes = {});

/// The metadata key under which a converted model keeps the opset it was
/// written for.
constexpr const char *kSourceOpsetKey = "kiln.source_opset";

/// The opset the model was written for, before any conversion.
int sourceOpset(const onnx::ModelProto &model);

/// The model's default-domain opset version (1 if it declares none).
int defaultOpset(const onnx::ModelProto &model);

} // namespace kiln::onnx_frontend

#endif // KILN_FRONTENDS_ONNX_MODELLOADER_H
