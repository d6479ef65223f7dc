//===- TorchFrontend.h - PyTorch's own archives -------------------*- C++ -*-===//

#ifndef KILN_FRONTENDS_TORCH_TORCHFRONTEND_H
#define KILN_FRONTENDS_TORCH_TORCHFRONTEND_H

#include "frontends/common/Frontend.h"

namespace kiln {

/// torch.export archives (.pt2), read without Python.
const Frontend &torchFrontend();

} // namespace kiln

#endif // KILN_FRONTENDS_TORCH_TORCHFRONTEND_H
