//===- TfFrontend.h - TensorFlow behind the frontend interface --*- C++ -*-===//

#ifndef KILN_FRONTENDS_TF_TFFRONTEND_H
#define KILN_FRONTENDS_TF_TFFRONTEND_H

#include "frontends/common/Frontend.h"

namespace kiln {

/// Reads frozen TensorFlow GraphDefs (`.pb` binary, `.pbtxt` text) and
/// TensorFlow.js graph models (`model.json` + weight shards).
const Frontend &tfFrontend();

} // namespace kiln

#endif // KILN_FRONTENDS_TF_TFFRONTEND_H
