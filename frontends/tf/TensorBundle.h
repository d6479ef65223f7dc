//===- TensorBundle.h - TensorFlow checkpoint bundles ------------*- C++ -*-===//
//
// A SavedModel's variables live in a tensor bundle: PREFIX.index, a sorted
// string table (LevelDB's table format, blocks optionally Snappy-compressed)
// mapping each tensor's key to a BundleEntryProto, and PREFIX.data-K-of-N
// shards holding the raw little-endian bytes. Every block and tensor is
// checked against its CRC-32C before use.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_TF_TENSORBUNDLE_H
#define KILN_FRONTENDS_TF_TENSORBUNDLE_H

#include "frontends/tf/proto/saved_model.pb.h"

#include <map>
#include <string>

namespace kiln::tf_frontend {

class TensorBundle {
public:
  /// Reads PREFIX.index; false with a one-line `error` naming the file.
  bool open(const std::string &prefix, std::string &error);

  /// Every tensor key in the bundle.
  const std::map<std::string, tensorflow::BundleEntryProto> &entries() const {
    return entries_;
  }

  /// The tensor stored under `key` as a TensorProto with tensor_content;
  /// false with `error` set when it is missing, truncated or corrupt.
  bool read(const std::string &key, tensorflow::TensorProto &tensor,
            std::string &error) const;

private:
  std::string prefix_;
  int numShards_ = 1;
  std::map<std::string, tensorflow::BundleEntryProto> entries_;
};

/// CRC-32C (Castagnoli) of `n` bytes, and TensorFlow's masked form of it.
uint32_t crc32c(const char *data, size_t n, uint32_t crc = 0);
uint32_t maskCrc(uint32_t crc);

} // namespace kiln::tf_frontend

#endif // KILN_FRONTENDS_TF_TENSORBUNDLE_H
