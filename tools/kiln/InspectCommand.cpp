//===- InspectCommand.cpp - `kiln inspect` --------------------------------===//
//
// Prints the frontend's ModelSummary: read without building MLIR, so it
// also works on models that Kiln cannot import.
//
//===----------------------------------------------------------------------===//

#include "InspectCommand.h"

#include "frontends/Registry.h"

#include <cstdio>

namespace kiln {

static void printTensors(const char *title,
                         const std::vector<TensorSummary> &tensors) {
  std::printf("%s:\n", title);
  for (const auto &t : tensors) {
    std::string rest = t.dtype + (t.dims.empty() ? "" : " " + t.dims);
    std::printf("  %s%s%s\n", t.name.c_str(), rest.empty() ? "" : ": ",
                rest.c_str());
  }
}

int inspectCommand(const std::string &modelPath, const std::string &format,
                   const std::vector<std::string> &outputs) {
  std::string error;
  const Frontend *frontend = findFrontend(modelPath, format, error);
  ModelSummary summary;
  ImportRequest request;
  request.path = modelPath;
  request.outputs = outputs;
  if (!frontend || !frontend->summarize(request, summary, error)) {
    std::fprintf(stderr, "kiln: error: %s\n", error.c_str());
    return 2;
  }
  std::printf("model: %s (%s)\n", modelPath.c_str(),
              summary.description.c_str());
  printTensors("inputs", summary.inputs);
  printTensors("outputs", summary.outputs);
  int nodes = 0;
  for (const auto &[op, count] : summary.histogram)
    nodes += count;
  std::printf("ops (%d nodes):\n", nodes);
  for (const auto &[op, count] : summary.histogram)
    std::printf("  %-24s %d\n", op.c_str(), count);
  std::printf("parameters: %lld\n", (long long)summary.parameters);
  if (summary.unsupported.empty()) {
    std::printf("unsupported ops: none\n");
  } else {
    std::printf("unsupported ops (%zu nodes):\n", summary.unsupported.size());
    for (const auto &u : summary.unsupported)
      std::printf("  %s (node '%s')\n", u.opType.c_str(), u.name.c_str());
  }
  return 0;
}

} // namespace kiln
