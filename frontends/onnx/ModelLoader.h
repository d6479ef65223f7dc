//===- ModelLoader.h - reading and normalising ONNX models -------*- C++ -*-===//
//
// Reads an ONNX ModelProto from disk and brings it into the one form the
// importer handles: checked by ONNX's checker, converted to the opset Kiln
// implements, and shape-inferred. All of ONNX's own exceptions are caught
// here and turned into one error message.
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
