//===- npy.h - Reading and writing NumPy .npy files -------------*- C++ -*-===//
//
// A small, dependency-free reader and writer for the NumPy .npy format
// (versions 1.0, 2.0 and 3.0 on read; 1.0, or 2.0 for huge headers, on
// write). Only little-endian, C-ordered arrays of the dtypes Kiln knows are
// accepted: <f4 <f8 <i4 <i8 |u1 |i1 |b1. Anything else - Fortran order,
// big-endian data, unknown dtypes, a truncated or garbled file - is rejected
// with a one-line reason. No exception escapes these functions.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLS_KILN_SUPPORT_NPY_H
#define KILN_TOOLS_KILN_SUPPORT_NPY_H

#include "frontends/common/HostTensor.h"

#include <string>

namespace kiln {

/// Parses .npy bytes held in memory. On failure returns false and sets `err`
/// to a sentence (without the file name). `out.name` is left unchanged.
bool parseNpy(const std::string &data, HostTensor &out, std::string &err);

/// Reads the .npy file at `path` into `out` (its name is left unchanged).
/// On failure returns false and sets `err` to "PATH: reason".
bool readNpy(const std::string &path, HostTensor &out, std::string &err);

/// Serialises `t` into .npy bytes. Returns false (and sets `err`) when the
/// dtype is unknown or the byte count does not match the shape.
bool serializeNpy(const HostTensor &t, std::string &out, std::string &err);

/// Writes `t` to `path` as a .npy file; false with "PATH: reason" on failure.
bool writeNpy(const std::string &path, const HostTensor &t, std::string &err);

} // namespace kiln

#endif // KILN_TOOLS_KILN_SUPPORT_NPY_H
