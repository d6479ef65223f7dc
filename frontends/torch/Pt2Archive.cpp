//===- Pt2Archive.cpp - torch.export's .pt2 archive, read ------------------===//

#include "frontends/torch/Pt2Archive.h"

#include "frontends/torch/ZipReader.h"

#include "mlir/IR/BuiltinTypes.h"

#include "llvm/ADT/StringRef.h"


namespace kiln::torch_frontend {
namespace {

bool readJson(const ZipReader &zip, const std::string &name, llvm::json::Value &out,
              std::string &error) {
  std::string text;
  if (!zip.read(name, kMaxTextBytes, text, error))
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
bool readTensor(const ZipReader &zip, const std::string &dir, const std::string &name,
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
  if (!zip.read(dir + path->str(), kMaxTensorBytes, bytes, error))
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

bool readTensors(const ZipReader &zip, const std::string &folder,
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

mlir::Type elementTypeOf(mlir::Builder &builder, kiln_dtype dtype) {
  switch (dtype) {
  case KILN_DTYPE_FLOAT32: return builder.getF32Type();
  case KILN_DTYPE_FLOAT64: return builder.getF64Type();
  case KILN_DTYPE_INT32: return builder.getI32Type();
  case KILN_DTYPE_INT64: return builder.getI64Type();
  case KILN_DTYPE_BOOL: return builder.getI1Type();
  default: return {};
  }
}

/// readPt2Archive's work; its errors do not name the file.
static bool readArchive(const std::string &path, Pt2Archive &archive,
                        std::string &error) {
  ZipReader zip;
  if (!zip.open(path, error))
    return false;
  std::string folder = zip.folder();
  std::string format;
  if (!zip.read(folder + "archive_format", 64, format, error) ||
      llvm::StringRef(format).trim() != "pt2") {
    error = "not a torch.export archive (no " + folder +
            "archive_format saying pt2)";
    return false;
  }
  if (!readJson(zip, folder + "models/model.json", archive.program,
                error))
    return false;
  if (!readTensors(zip, folder,
                   "data/weights/model_weights_config.json", archive, error))
    return false;
  std::string constants = folder + "data/constants/model_constants_config.json";
  if (zip.has(constants) &&
      !readTensors(zip, folder,
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
