//===- Pt2Archive.cpp - torch.export's .pt2 archive, read ------------------===//

#include "frontends/torch/Pt2Archive.h"

#include "llvm/ADT/StringRef.h"

#include <zip.h>

#include <memory>

namespace kiln::torch_frontend {
namespace {

/// Limits on what an archive may make Kiln read: a model's weights may be
/// large, a JSON file may not, and no archive needs millions of entries.
constexpr uint64_t kMaxEntryBytes = uint64_t(16) << 30;
constexpr uint64_t kMaxJsonBytes = uint64_t(256) << 20;
constexpr int64_t kMaxEntries = 1 << 20;

struct ZipCloser {
  void operator()(zip_t *z) const { zip_discard(z); }
};
using Zip = std::unique_ptr<zip_t, ZipCloser>;

/// The bytes of entry `name`, at most `limit` of them; false with `error`.
bool readEntry(zip_t *zip, const std::string &name, uint64_t limit,
               std::string &bytes, std::string &error) {
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat(zip, name.c_str(), 0, &st) != 0) {
    error = "the archive has no " + name;
    return false;
  }
  if (!(st.valid & ZIP_STAT_SIZE) || st.size > limit) {
    error = name + " is larger than Kiln reads (" +
            std::to_string(st.size) + " bytes, limit " +
            std::to_string(limit) + ")";
    return false;
  }
  std::unique_ptr<zip_file_t, int (*)(zip_file_t *)> file(
      zip_fopen(zip, name.c_str(), 0), zip_fclose);
  if (!file) {
    error = name + " cannot be opened: " + zip_strerror(zip);
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

bool readJson(zip_t *zip, const std::string &name, llvm::json::Value &out,
              std::string &error) {
  std::string text;
  if (!readEntry(zip, name, kMaxJsonBytes, text, error))
    return false;
  auto parsed = llvm::json::parse(text);
  if (!parsed) {
    error = name + " is not valid JSON: " + llvm::toString(parsed.takeError());
    return false;
  }
  out = std::move(*parsed);
  return true;
}

/// An integer of a size or stride entry ({"as_int": N}).
bool asInt(const llvm::json::Value &v, int64_t &out) {
  const auto *obj = v.getAsObject();
  if (!obj)
    return false;
  auto n = obj->getInteger("as_int");
  if (!n)
    return false;
  out = *n;
  return true;
}

/// Reads one tensor of a weights or constants config into `tensor`.
bool readTensor(zip_t *zip, const std::string &dir, const std::string &name,
                const llvm::json::Object &entry, HostTensor &tensor,
                std::string &error) {
  auto fail = [&](const std::string &why) {
    error = "tensor '" + name + "': " + why;
    return false;
  };
  if (entry.getBoolean("use_pickle").value_or(false))
    return fail("stored as a pickle, which Kiln does not read");
  auto path = entry.getString("path_name");
  const auto *meta = entry.getObject("tensor_meta");
  if (!path || !meta || path->contains('/') || path->contains(".."))
    return fail("no file name or tensor_meta");
  auto scalarType = meta->getInteger("dtype");
  if (!scalarType || !dtypeFromScalarType(*scalarType, tensor.dtype))
    return fail("dtype " + std::to_string(scalarType.value_or(-1)) +
                " is not supported");
  const auto *sizes = meta->getArray("sizes");
  const auto *strides = meta->getArray("strides");
  if (!sizes || !strides || sizes->size() != strides->size())
    return fail("sizes and strides do not match");
  int64_t expected = 1, offset = 0;
  for (size_t i = sizes->size(); i-- > 0;) {
    int64_t size, stride;
    if (!asInt((*sizes)[i], size) || !asInt((*strides)[i], stride) || size < 0)
      return fail("a size or stride is not a non-negative integer");
    if (size > 1 && stride != expected)
      return fail("is not contiguous (strides), which Kiln does not read yet");
    if (size != 0 && expected > (int64_t(1) << 40) / std::max<int64_t>(size, 1))
      return fail("has too many elements");
    expected *= size;
  }
  if (const auto *off = meta->get("storage_offset"))
    if (!asInt(*off, offset) || offset != 0)
      return fail("starts at a storage offset, which Kiln does not read yet");
  for (const auto &s : *sizes) {
    int64_t size;
    asInt(s, size);
    tensor.shape.push_back(size);
  }
  std::string bytes;
  if (!readEntry(zip, dir + path->str(), kMaxEntryBytes, bytes, error))
    return false;
  uint64_t want = uint64_t(expected) * dtypeSize(tensor.dtype);
  // The file is the whole storage; a view of its start is allowed.
  if (bytes.size() < want)
    return fail("its file holds " + std::to_string(bytes.size()) +
                " bytes, fewer than its " + std::to_string(want));
  tensor.name = name;
  tensor.bytes.assign(bytes.begin(), bytes.begin() + want);
  return true;
}

bool readTensors(zip_t *zip, const std::string &folder,
                 const std::string &config, Pt2Archive &archive,
                 std::string &error) {
  llvm::json::Value json = nullptr;
  if (!readJson(zip, folder + config, json, error))
    return false;
  const auto *root = json.getAsObject();
  const auto *entries = root ? root->getObject("config") : nullptr;
  if (!entries) {
    error = config + " has no \"config\" object";
    return false;
  }
  for (const auto &[name, entry] : *entries) {
    const auto *obj = entry.getAsObject();
    if (!obj) {
      error = config + ": entry '" + name.str() + "' is not an object";
      return false;
    }
    HostTensor tensor;
    std::string dir = folder + llvm::StringRef(config).rsplit('/').first.str() + "/";
    if (!readTensor(zip, dir, name.str(), *obj, tensor, error))
      return false;
    archive.tensors[name.str()] = std::move(tensor);
  }
  return true;
}

} // namespace

bool dtypeFromScalarType(int64_t scalarType, kiln_dtype &dtype) {
  switch (scalarType) {
  case 1: dtype = KILN_DTYPE_UINT8; return true;
  case 2: dtype = KILN_DTYPE_INT8; return true;
  case 4: dtype = KILN_DTYPE_INT32; return true;
  case 5: dtype = KILN_DTYPE_INT64; return true;
  case 6: dtype = KILN_DTYPE_FLOAT16; return true;
  case 7: dtype = KILN_DTYPE_FLOAT32; return true;
  case 8: dtype = KILN_DTYPE_FLOAT64; return true;
  case 12: dtype = KILN_DTYPE_BOOL; return true;
  default: return false;
  }
}

/// readPt2Archive's work; its errors do not name the file.
static bool readArchive(const std::string &path, Pt2Archive &archive,
                        std::string &error) {
  int code = 0;
  Zip zip(zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code));
  if (!zip) {
    zip_error_t e;
    zip_error_init_with_code(&e, code);
    error = std::string("not a readable zip archive (") +
            zip_error_strerror(&e) + ")";
    zip_error_fini(&e);
    return false;
  }
  zip_int64_t count = zip_get_num_entries(zip.get(), 0);
  if (count <= 0 || count > kMaxEntries) {
    error = "it has " + std::to_string(count) +
            " entries; a .pt2 archive has a few";
    return false;
  }
  // Every entry lives under the archive's one folder.
  llvm::StringRef first = zip_get_name(zip.get(), 0, 0);
  std::string folder = first.split('/').first.str() + "/";
  std::string format;
  if (!readEntry(zip.get(), folder + "archive_format", 64, format, error) ||
      llvm::StringRef(format).trim() != "pt2") {
    error = "not a torch.export archive (no " + folder +
            "archive_format saying pt2)";
    return false;
  }
  if (!readJson(zip.get(), folder + "models/model.json", archive.program,
                error))
    return false;
  if (!readTensors(zip.get(), folder,
                   "data/weights/model_weights_config.json", archive, error))
    return false;
  std::string constants = folder + "data/constants/model_constants_config.json";
  zip_stat_t st;
  if (zip_stat(zip.get(), constants.c_str(), 0, &st) == 0 &&
      !readTensors(zip.get(), folder,
                   "data/constants/model_constants_config.json", archive,
                   error))
    return false;
  return true;
}

bool readPt2Archive(const std::string &path, Pt2Archive &archive,
                    std::string &error) {
  if (readArchive(path, archive, error))
    return true;
  error = "'" + path + "': " + error;
  return false;
}

} // namespace kiln::torch_frontend
