//===- ConfigLoader.h - tfcompile's tf2xla.Config as feeds/fetches -*- C++ -*-===//

#ifndef KILN_FRONTENDS_TF_CONFIGLOADER_H
#define KILN_FRONTENDS_TF_CONFIGLOADER_H

#include "frontends/tf/SavedModelLoader.h"

#include <map>
#include <string>
#include <vector>

namespace kiln::tf_frontend {

/// Reads a tf2xla.Config text file (`--config`): its feeds and fetches as
/// a signature (public name: the entry's `name`, else its node's name) and
/// the feeds' shapes by public name. False with a one-line `error`.
bool loadTf2XlaConfig(const std::string &path, GraphSignature &signature,
                      std::map<std::string, std::vector<int64_t>> &shapes,
                      std::string &error);

} // namespace kiln::tf_frontend

#endif // KILN_FRONTENDS_TF_CONFIGLOADER_H
