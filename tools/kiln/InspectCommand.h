//===- InspectCommand.h - `kiln inspect` ------------------------*- C++ -*-===//

#ifndef KILN_TOOLS_KILN_INSPECTCOMMAND_H
#define KILN_TOOLS_KILN_INSPECTCOMMAND_H

#include <string>
#include <vector>

namespace kiln {

/// Prints inputs/outputs, an op histogram, the parameter count and the ops
/// Kiln cannot compile, for any format the frontend registry reads. Exit
/// code 0, or 2 if the file cannot be loaded.
int inspectCommand(const std::string &modelPath, const std::string &format,
                   const std::vector<std::string> &outputs);

} // namespace kiln

#endif // KILN_TOOLS_KILN_INSPECTCOMMAND_H
