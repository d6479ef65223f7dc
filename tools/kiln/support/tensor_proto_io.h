//===- tensor_proto_io.h - Reading ONNX TensorProto files -------*- C++ -*-===//
//
// Reads the serialized onnx::TensorProto files of the ONNX test-data layout
// (test_data_set_N/input_K.pb, output_K.pb) into a HostTensor. Data may come
// from raw_data or from the typed repeated fields (float_data, double_data,
// int64_data, int32_data - the last also carrying int8/uint8/bool). Files
// that do not parse, use external data, or whose element count disagrees
// with their dims are rejected with a one-line reason.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLS_KILN_SUPPORT_TENSOR_PROTO_IO_H
#define KILN_TOOLS_KILN_SUPPORT_TENSOR_PROTO_IO_H

#include "frontends/common/HostTensor.h"

#include <string>

namespace kiln {

/// Decodes serialized TensorProto bytes into `out` (name taken from the
/// proto). On failure returns false and sets `err` (without a file name).
bool parseTensorProto(const std::string &data, HostTensor &out,
                      std::string &err);

/// Reads the TensorProto file at `path` into `out`; on failure returns false
/// and sets `err` to "PATH: reason".
bool readTensorProto(const std::string &path, HostTensor &out,
                     std::string &err);

} // namespace kiln

#endif // KILN_TOOLS_KILN_SUPPORT_TENSOR_PROTO_IO_H
