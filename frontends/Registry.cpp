//===- Registry.cpp - the frontends Kiln knows ----------------------------===//

#include "frontends/Registry.h"
#include "frontends/onnx/OnnxFrontend.h"
#include "frontends/tf/TfFrontend.h"
#include "frontends/torch/TorchFrontend.h"

namespace kiln {

const std::vector<const Frontend *> &allFrontends() {
  static const std::vector<const Frontend *> list = {
      &onnxFrontend(), &tfFrontend(), &torchFrontend()};
  return list;
}

const Frontend *findFrontend(const std::string &path, const std::string &format,
                             std::string &error) {
  std::string names;
  for (const Frontend *f : allFrontends()) {
    if (!format.empty() && f->name() == format)
      return f;
    if (format.empty() && f->claims(path))
      return f;
    names += (names.empty() ? "" : ", ") + f->name().str();
  }
  if (!format.empty())
    error = "unknown --format '" + format + "' (known: " + names + ")";
  else
    error = "cannot tell the format of '" + path + "' from its name: "
            "expected .onnx, a TensorFlow GraphDef (.pb, .pbtxt), a "
            "torch.export archive (.pt2); or give "
            "--format=" + names;
  return nullptr;
}

} // namespace kiln
