//===- TorchScriptArchive.cpp - a TorchScript .pt archive, read ------------===//

#include "frontends/torch/TorchScriptArchive.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringRef.h"

#include <algorithm>
#include <cstring>

namespace kiln::torch_frontend {

const TsClass *TorchScriptArchive::findClass(const std::string &qualified,
                                             const TsSource **source) const {
  auto [module, name] = llvm::StringRef(qualified).rsplit('.');
  auto it = sources.find(module.str());
  if (it == sources.end())
    return nullptr;
  auto cls = it->second.classes.find(name.str());
  if (cls == it->second.classes.end())
    return nullptr;
  *source = &it->second;
  return &cls->second;
}

bool TorchScriptArchive::tensorData(const PickledTensor &t, bool constant,
                                    HostTensor &out, std::string &error) const {
  std::string path =
      zip.folder() + (constant ? "constants/" : "data/") + t.storageKey;
  size_t elem = dtypeSize(t.dtype);
  // The tensor must lie inside its storage: check before reading.
  int64_t count = 1, last = t.offset;
  for (auto [size, stride] : llvm::zip(t.sizes, t.strides)) {
    if (size < 0 || stride < 0 || t.offset < 0) {
      error = "a tensor of storage " + t.storageKey +
              " has a negative size, stride or offset";
      return false;
    }
    if (size == 0)
      count = 0;
    else if (count > (int64_t(1) << 40) / size) {
      error = "a tensor of storage " + t.storageKey + " is too large";
      return false;
    } else {
      count *= size;
      last += (size - 1) * stride;
    }
  }
  if (count > 0 && last >= t.storageElements) {
    error = "a tensor reaches past the end of storage " + t.storageKey;
    return false;
  }
  std::string bytes;
  if (!zip.read(path, kMaxTensorBytes, bytes, error))
    return false;
  if (uint64_t(bytes.size()) < uint64_t(t.storageElements) * elem) {
    error = path + " holds " + std::to_string(bytes.size()) +
            " bytes, fewer than its " + std::to_string(t.storageElements) +
            " elements";
    return false;
  }
  out.dtype = t.dtype;
  out.shape = t.sizes;
  out.bytes.resize(size_t(count) * elem);
  // Gather in row-major order (a view may be strided or permuted).
  std::vector<int64_t> index(t.sizes.size(), 0);
  for (int64_t i = 0; i < count; ++i) {
    int64_t at = t.offset;
    for (size_t d = 0; d < index.size(); ++d)
      at += index[d] * t.strides[d];
    std::memcpy(out.bytes.data() + i * elem, bytes.data() + at * elem, elem);
    for (size_t d = index.size(); d-- > 0;) {
      if (++index[d] < t.sizes[d])
        break;
      index[d] = 0;
    }
  }
  return true;
}

/// The innermost frame of a traced Python stack ("FILE(LINE): FUNC\n" per
/// line, innermost first) that is not PyTorch's own code: the model's line.
static std::pair<std::string, unsigned> userFrame(llvm::StringRef stack) {
  while (!stack.empty()) {
    auto [frame, rest] = stack.split('\n');
    stack = rest;
    size_t close = frame.rfind("): ");
    size_t open = close == llvm::StringRef::npos ? close : frame.rfind('(', close);
    unsigned line = 0;
    if (open == llvm::StringRef::npos ||
        frame.slice(open + 1, close).getAsInteger(10, line))
      continue;
    llvm::StringRef file = frame.take_front(open);
    if (file.contains("-packages/torch/") || file.starts_with("<"))
      continue;
    return {file.str(), line};
  }
  return {"", 0};
}

/// Reads NAME.py.debug_pkl ("FORMAT_WITH_STRING_TABLE", strings, records
/// of (code offset, ((string indices, file, line), start, end), handle))
/// into `source`'s offset -> Python line table. Debug data is optional:
/// anything unexpected leaves the table empty.
static void readSourceLines(const PickleRef &root, TsSource &source) {
  using K = PickleValue::Kind;
  auto isTuple = [](const PickleRef &v, size_t n) {
    return v && v->kind == K::Tuple && v->items.size() >= n;
  };
  if (!isTuple(root, 3) || root->items[0]->text != "FORMAT_WITH_STRING_TABLE" ||
      root->items[1]->kind != K::Tuple || root->items[2]->kind != K::Tuple)
    return;
  const auto &strings = root->items[1]->items;
  for (const PickleRef &record : root->items[2]->items) {
    if (!isTuple(record, 2) || record->items[0]->kind != K::Int ||
        !isTuple(record->items[1], 1) || !isTuple(record->items[1]->items[0], 1))
      return;
    std::string stack;
    for (const PickleRef &i : record->items[1]->items[0]->items[0]->items)
      if (i->kind == K::Int && i->integer >= 0 &&
          size_t(i->integer) < strings.size())
        stack += strings[i->integer]->text;
    source.sourceLines.push_back(
        {size_t(record->items[0]->integer), userFrame(stack)});
  }
  llvm::stable_sort(source.sourceLines, [](const auto &a, const auto &b) {
    return a.first < b.first;
  });
}

/// readTorchScriptArchive's work; its errors do not name the file.
static bool readArchive(const std::string &path, TorchScriptArchive &archive,
                        std::string &error) {
  ZipReader &zip = archive.zip;
  if (!zip.open(path, error))
    return false;
  const std::string &folder = zip.folder();
  std::string text;
  std::string versionFile =
      zip.has(folder + "version") ? folder + "version" : folder + ".data/version";
  if (!zip.read(versionFile, 64, text, error) ||
      llvm::StringRef(text).trim().getAsInteger(10, archive.version)) {
    error = "not a TorchScript archive (no " + folder + "version)";
    return false;
  }
  if (archive.version > kTorchScriptMaxVersion) {
    error = "the archive's file format is version " +
            std::to_string(archive.version) + ", newer than Kiln knows (" +
            std::to_string(kTorchScriptMaxVersion) + ")";
    return false;
  }
  if (zip.has(folder + "byteorder")) {
    if (!zip.read(folder + "byteorder", 64, text, error))
      return false;
    if (llvm::StringRef(text).trim() != "little") {
      error = "the archive's tensors are " + llvm::StringRef(text).trim().str() +
              "-endian; Kiln reads little-endian archives";
      return false;
    }
  }
  for (const std::string &name : zip.names()) {
    llvm::StringRef rel = llvm::StringRef(name).drop_front(
        llvm::StringRef(name).starts_with(folder) ? folder.size() : 0);
    if (!rel.consume_front("code/") || !rel.consume_back(".py"))
      continue;
    std::string module = rel.str();
    std::replace(module.begin(), module.end(), '/', '.');
    if (!zip.read(name, kMaxTextBytes, text, error))
      return false;
    TsSource &source = archive.sources[module];
    if (!parseTorchScript(name, text, source, error))
      return false;
    std::string debugError;
    if (zip.has(name + ".debug_pkl") &&
        zip.read(name + ".debug_pkl", kMaxTextBytes, text, debugError))
      if (PickleRef debug = readPickle(text, debugError))
        readSourceLines(debug, source);
  }
  if (archive.sources.empty()) {
    error = "not a TorchScript archive (no code/ folder): a torch.save file "
            "of weights holds no graph; save the model with "
            "torch.jit.trace(model, example).save(path) or torch.export";
    return false;
  }
  auto pickle = [&](const std::string &file, PickleRef &out) {
    if (!zip.read(folder + file, kMaxTextBytes, text, error))
      return false;
    out = readPickle(text, error);
    if (!out)
      error = folder + file + ": " + error;
    return bool(out);
  };
  if (!pickle("data.pkl", archive.root))
    return false;
  if (archive.root->kind != PickleValue::Kind::Object) {
    error = folder + "data.pkl does not hold a module object";
    return false;
  }
  if (zip.has(folder + "constants.pkl") &&
      !pickle("constants.pkl", archive.constants))
    return false;
  if (zip.has(folder + "traced_inputs.pkl") &&
      !pickle("traced_inputs.pkl", archive.tracedInputs))
    return false;
  return true;
}

bool readTorchScriptArchive(const std::string &path,
                            TorchScriptArchive &archive, std::string &error) {
  if (readArchive(path, archive, error))
    return true;
  error = "'" + path + "': " + error;
  return false;
}

} // namespace kiln::torch_frontend
