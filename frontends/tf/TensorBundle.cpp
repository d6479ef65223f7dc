//===- TensorBundle.cpp - TensorFlow checkpoint bundles -------------------===//
//
// The table format, from LevelDB's published description: a 48-byte footer
// (two block handles, padding, magic) locates the index block, whose
// entries map a separator key to the handle (offset, size) of a data
// block. A block is a run of prefix-compressed entries (shared key bytes,
// new key bytes, value length, key suffix, value) followed by the restart
// offsets and their count, then a 5-byte trailer: compression type and the
// masked CRC-32C of contents + type.
//
//===----------------------------------------------------------------------===//

#include "frontends/tf/TensorBundle.h"

#include "llvm/Support/MemoryBuffer.h"

#include <snappy.h>

#include <cstring>

namespace kiln::tf_frontend {

uint32_t crc32c(const char *data, size_t n, uint32_t crc) {
  static const auto table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k)
        c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  crc = ~crc;
  for (size_t i = 0; i < n; ++i)
    crc = table[(crc ^ uint8_t(data[i])) & 0xff] ^ (crc >> 8);
  return ~crc;
}

uint32_t maskCrc(uint32_t crc) {
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

namespace {

constexpr uint64_t kTableMagic = 0xdb4775248b80fb57ull;

/// A bounded reader of varints and bytes.
struct Cursor {
  const char *p, *end;
  bool varint(uint64_t &v) {
    v = 0;
    for (int shift = 0; shift < 64 && p < end; shift += 7) {
      uint8_t b = uint8_t(*p++);
      v |= uint64_t(b & 0x7f) << shift;
      if (!(b & 0x80))
        return true;
    }
    return false;
  }
};

struct Handle {
  uint64_t offset = 0, size = 0;
};

/// The contents of the block at `h`, checked and decompressed.
bool readBlock(llvm::StringRef file, Handle h, std::string &out,
               std::string &error) {
  if (h.offset > file.size() || h.size + 5 > file.size() - h.offset) {
    error = "a table block lies outside the file";
    return false;
  }
  const char *data = file.data() + h.offset;
  uint32_t stored;
  std::memcpy(&stored, data + h.size + 1, 4);
  if (maskCrc(crc32c(data, h.size + 1)) != stored) {
    error = "a table block fails its checksum";
    return false;
  }
  switch (data[h.size]) {
  case 0:
    out.assign(data, h.size);
    return true;
  case 1: {
    size_t n;
    if (!snappy::GetUncompressedLength(data, h.size, &n) ||
        n > (size_t(1) << 30) || !snappy::Uncompress(data, h.size, &out)) {
      error = "a table block does not decompress";
      return false;
    }
    return true;
  }
  default:
    error = "a table block uses unknown compression " +
            std::to_string(int(data[h.size]));
    return false;
  }
}

/// Calls `fn(key, value)` for every entry of a block.
template <typename Fn>
bool forEachEntry(const std::string &block, Fn fn, std::string &error) {
  if (block.size() < 4) {
    error = "a table block is too short";
    return false;
  }
  uint32_t restarts;
  std::memcpy(&restarts, block.data() + block.size() - 4, 4);
  if (uint64_t(restarts) * 4 + 4 > block.size()) {
    error = "a table block has a bad restart count";
    return false;
  }
  Cursor c{block.data(), block.data() + block.size() - 4 - 4 * restarts};
  std::string key;
  while (c.p < c.end) {
    uint64_t shared, fresh, length;
    if (!c.varint(shared) || !c.varint(fresh) || !c.varint(length) ||
        shared > key.size() || fresh > uint64_t(c.end - c.p) ||
        length > uint64_t(c.end - c.p) - fresh) {
      error = "a table entry is malformed";
      return false;
    }
    key.resize(shared);
    key.append(c.p, fresh);
    c.p += fresh;
    if (!fn(key, llvm::StringRef(c.p, length)))
      return false;
    c.p += length;
  }
  return true;
}

/// The checksum TensorFlow records for a string tensor: over each length
/// (stored as varints) as a little-endian uint32, or uint64 above 2^32-1,
/// then the stored checksum of the lengths, then the string bytes. 0 (a
/// mismatch) when malformed.
uint32_t stringTensorCrc(const char *bytes, size_t size,
                         const tensorflow::TensorShapeProto &shape) {
  uint64_t count = 1;
  for (const auto &d : shape.dim())
    count *= uint64_t(std::max<int64_t>(d.size(), 0));
  Cursor c{bytes, bytes + size};
  uint32_t crc = 0;
  uint64_t total = 0;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t len;
    if (!c.varint(len))
      return 0;
    uint32_t len32 = uint32_t(len);
    crc = len <= UINT32_MAX
              ? crc32c(reinterpret_cast<const char *>(&len32), 4, crc)
              : crc32c(reinterpret_cast<const char *>(&len), 8, crc);
    total += len;
  }
  if (size_t(c.end - c.p) < 4 + total)
    return 0;
  crc = crc32c(c.p, 4, crc);
  return crc32c(c.p + 4, total, crc);
}

} // namespace

bool TensorBundle::open(const std::string &prefix, std::string &error) {
  prefix_ = prefix;
  std::string path = prefix + ".index";
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) {
    error = "cannot read '" + path + "': " + buffer.getError().message();
    return false;
  }
  llvm::StringRef file = (*buffer)->getBuffer();
  auto fail = [&](const std::string &why) {
    error = "'" + path + "': " + why;
    return false;
  };
  uint64_t magic;
  if (file.size() < 48)
    return fail("too short for a checkpoint index");
  std::memcpy(&magic, file.data() + file.size() - 8, 8);
  if (magic != kTableMagic)
    return fail("not a checkpoint index (bad table magic)");
  Cursor footer{file.data() + file.size() - 48, file.data() + file.size() - 8};
  Handle meta, index;
  if (!footer.varint(meta.offset) || !footer.varint(meta.size) ||
      !footer.varint(index.offset) || !footer.varint(index.size))
    return fail("bad table footer");
  std::string indexBlock, why;
  if (!readBlock(file, index, indexBlock, why))
    return fail(why);
  bool ok = forEachEntry(
      indexBlock,
      [&](const std::string &, llvm::StringRef value) {
        Cursor hc{value.data(), value.data() + value.size()};
        Handle h;
        std::string block;
        if (!hc.varint(h.offset) || !hc.varint(h.size) ||
            !readBlock(file, h, block, why))
          return why.empty() ? (why = "bad block handle", false) : false;
        return forEachEntry(
            block,
            [&](const std::string &key, llvm::StringRef v) {
              if (key.empty()) {
                tensorflow::BundleHeaderProto header;
                if (!header.ParseFromArray(v.data(), int(v.size()))) {
                  why = "bad bundle header";
                  return false;
                }
                numShards_ = header.num_shards();
                if (header.endianness() != tensorflow::BundleHeaderProto::LITTLE) {
                  why = "big-endian bundles are not supported";
                  return false;
                }
                return true;
              }
              if (!entries_[key].ParseFromArray(v.data(), int(v.size()))) {
                why = "bad entry for tensor '" + key + "'";
                return false;
              }
              return true;
            },
            why);
      },
      why);
  if (!ok)
    return fail(why);
  if (numShards_ < 1 || numShards_ > 100000)
    return fail("bad shard count");
  return true;
}

bool TensorBundle::read(const std::string &key, tensorflow::TensorProto &tensor,
                        std::string &error) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    error = "the checkpoint has no tensor '" + key + "'";
    return false;
  }
  const auto &e = it->second;
  if (e.slices_size() > 0 || e.shard_id() < 0 || e.shard_id() >= numShards_) {
    error = "checkpoint tensor '" + key + "' is sliced or in a bad shard";
    return false;
  }
  char shard[64];
  std::snprintf(shard, sizeof shard, ".data-%05d-of-%05d", e.shard_id(),
                numShards_);
  std::string path = prefix_ + shard;
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) {
    error = "cannot read '" + path + "': " + buffer.getError().message();
    return false;
  }
  llvm::StringRef data = (*buffer)->getBuffer();
  if (e.offset() < 0 || e.size() < 0 || uint64_t(e.offset()) > data.size() ||
      uint64_t(e.size()) > data.size() - uint64_t(e.offset())) {
    error = "checkpoint tensor '" + key + "' lies beyond the end of '" + path +
            "' (truncated?)";
    return false;
  }
  const char *bytes = data.data() + e.offset();
  uint32_t crc = e.dtype() == tensorflow::DT_STRING
                     ? stringTensorCrc(bytes, size_t(e.size()), e.shape())
                     : crc32c(bytes, e.size());
  if (maskCrc(crc) != e.crc32c()) {
    error = "checkpoint tensor '" + key + "' fails its checksum in '" + path +
            "'";
    return false;
  }
  tensor.set_dtype(e.dtype());
  *tensor.mutable_tensor_shape() = e.shape();
  tensor.set_tensor_content(std::string(bytes, e.size()));
  return true;
}

} // namespace kiln::tf_frontend
