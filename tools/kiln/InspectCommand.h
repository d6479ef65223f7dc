//===- InspectCommand.h - `kiln inspect` --------------------------*- C++ -*-===//
//
// Summarises an ONNX model without compiling it.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLS_KILN_INSPECTCOMMAND_H
#define KILN_TOOLS_KILN_INSPECTCOMMAND_H

#include <string>

namespace kiln {

/// Prints inputs/outputs, an op histogram, the parameter count and the ops
/// Kiln cannot compile. Exit code 0, or 2 if the file cannot be loaded.
int inspectCommand(const std::string &modelPath);

} // namespace kiln

#endif // KILN_TOOLS_KILN_INSPECTCOMMAND_H
