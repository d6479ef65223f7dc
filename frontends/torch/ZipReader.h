//===- ZipReader.h - PyTorch's zip archives, read with limits ----*- C++ -*-===//
//
// Both of PyTorch's archive kinds (torch.export's .pt2, TorchScript's .pt)
// are zip files whose entries all live under one folder, the archive's
// name. ZipReader opens one with libzip, checking its consistency, and
// reads entries whole, refusing any larger than a caller's limit (zip
// bombs, headers that lie about sizes).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_TORCH_ZIPREADER_H
#define KILN_FRONTENDS_TORCH_ZIPREADER_H

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

struct zip;

namespace kiln::torch_frontend {

/// Limits on what an archive may make Kiln read: a model's weights may be
/// large, its text (JSON, pickles, code) may not.
constexpr uint64_t kMaxTensorBytes = uint64_t(16) << 30;
constexpr uint64_t kMaxTextBytes = uint64_t(256) << 20;

class ZipReader {
public:
  ZipReader();
  ~ZipReader();

  /// Opens the archive at `path`; false with `error` (not naming the file).
  bool open(const std::string &path, std::string &error);

  /// The folder every entry lives under, with its slash ("model/").
  const std::string &folder() const { return root; }
  /// Whether entry `name` (a full path in the archive) exists.
  bool has(const std::string &name) const;
  /// All entry names, in the archive's order.
  std::vector<std::string> names() const;
  /// The bytes of entry `name`, at most `limit` of them; false with `error`.
  bool read(const std::string &name, uint64_t limit, std::string &bytes,
            std::string &error) const;

private:
  struct Closer {
    void operator()(struct zip *z) const;
  };
  std::unique_ptr<struct zip, Closer> archive;
  std::string root;
};

} // namespace kiln::torch_frontend

#endif // KILN_FRONTENDS_TORCH_ZIPREADER_H
