//===- ZipReader.cpp - PyTorch's zip archives, read with limits ------------===//

#include "frontends/torch/ZipReader.h"

#include "llvm/ADT/StringRef.h"

#include <zip.h>

namespace kiln::torch_frontend {

/// No PyTorch archive needs millions of entries.
constexpr int64_t kMaxEntries = 1 << 20;

void ZipReader::Closer::operator()(struct zip *z) const { zip_discard(z); }

ZipReader::ZipReader() = default;
ZipReader::~ZipReader() = default;

bool ZipReader::open(const std::string &path, std::string &error) {
  int code = 0;
  archive.reset(zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code));
  if (!archive) {
    zip_error_t e;
    zip_error_init_with_code(&e, code);
    error = std::string("not a readable zip archive (") +
            zip_error_strerror(&e) + ")";
    zip_error_fini(&e);
    return false;
  }
  zip_int64_t count = zip_get_num_entries(archive.get(), 0);
  if (count <= 0 || count > kMaxEntries) {
    error = "it has " + std::to_string(count) +
            " entries; a PyTorch archive has a few";
    return false;
  }
  const char *first = zip_get_name(archive.get(), 0, 0);
  root = llvm::StringRef(first ? first : "").split('/').first.str() + "/";
  return true;
}

bool ZipReader::has(const std::string &name) const {
  zip_stat_t st;
  zip_stat_init(&st);
  return zip_stat(archive.get(), name.c_str(), 0, &st) == 0;
}

std::vector<std::string> ZipReader::names() const {
  std::vector<std::string> out;
  zip_int64_t count = zip_get_num_entries(archive.get(), 0);
  for (zip_int64_t i = 0; i < count; ++i)
    if (const char *name = zip_get_name(archive.get(), i, 0))
      out.push_back(name);
  return out;
}

bool ZipReader::read(const std::string &name, uint64_t limit,
                     std::string &bytes, std::string &error) const {
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat(archive.get(), name.c_str(), 0, &st) != 0) {
    error = "the archive has no " + name;
    return false;
  }
  if (!(st.valid & ZIP_STAT_SIZE) || st.size > limit) {
    error = name + " is larger than Kiln reads (" + std::to_string(st.size) +
            " bytes, limit " + std::to_string(limit) + ")";
    return false;
  }
  std::unique_ptr<zip_file_t, int (*)(zip_file_t *)> file(
      zip_fopen(archive.get(), name.c_str(), 0), zip_fclose);
  if (!file) {
    error = name + " cannot be opened: " + zip_strerror(archive.get());
    return false;
  }
  bytes.resize(st.size);
  zip_int64_t got = zip_fread(file.get(), bytes.data(), st.size);
  // One byte more must not come: the header's size was honest.
  char extra;
  if (got < 0 || uint64_t(got) != st.size ||
      zip_fread(file.get(), &extra, 1) != 0) {
    error = name + " is truncated or corrupt (" +
            zip_file_strerror(file.get()) + ")";
    return false;
  }
  return true;
}

} // namespace kiln::torch_frontend
