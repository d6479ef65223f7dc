//===- Registry.h - the frontends Kiln knows, chosen per model ---*- C++ -*-===//
//
// The one list of frontends (Registry.cpp). The driver asks it for the
// frontend of a model file: by `--format` when given, else by file type.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_REGISTRY_H
#define KILN_FRONTENDS_REGISTRY_H

#include "frontends/common/Frontend.h"

#include <string>
#include <vector>

namespace kiln {

/// Every frontend, in the order file types are tried.
const std::vector<const Frontend *> &allFrontends();

/// The frontend for `path`: the one named `format` when it is not empty,
/// else the first that claims the file. Null with `error` set otherwise.
const Frontend *findFrontend(const std::string &path, const std::string &format,
                             std::string &error);

} // namespace kiln

#endif // KILN_FRONTENDS_REGISTRY_H
