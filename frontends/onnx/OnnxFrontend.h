//===- OnnxFrontend.h - ONNX behind the frontend interface ------*- C++ -*-===//

#ifndef KILN_FRONTENDS_ONNX_ONNXFRONTEND_H
#define KILN_FRONTENDS_ONNX_ONNXFRONTEND_H

#include "frontends/common/Frontend.h"

namespace kiln {

/// Reads `.onnx` ModelProto files (see ModelLoader.h and Importer.h).
const Frontend &onnxFrontend();

} // namespace kiln

#endif // KILN_FRONTENDS_ONNX_ONNXFRONTEND_H
