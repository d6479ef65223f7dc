//===- OutputFiles.h - writing outputs without losing a user's file -*- C++ -*-===//
//
// Every file `kiln` writes goes through an OutputFiles set: each output is
// checked against every input (the same file by device and inode, so
// symlinks and hard links count), side files that exist and were not
// written by kiln are kept unless --force, and contents go to a temporary
// file in the target folder that is renamed into place only once every
// output is complete. An interrupted or failed command leaves the user's
// files as they were.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLS_KILN_OUTPUTFILES_H
#define KILN_TOOLS_KILN_OUTPUTFILES_H

#include <string>
#include <vector>

namespace kiln {

class OutputFiles {
public:
  /// `inputs` are the files the command reads (model, frozen tensors);
  /// `force` allows replacing side files kiln did not write.
  OutputFiles(std::vector<std::string> inputs, bool force)
      : inputs_(std::move(inputs)), force_(force) {}
  OutputFiles(const OutputFiles &) = delete;
  OutputFiles &operator=(const OutputFiles &) = delete;
  /// Removes the temporary files of an uncommitted set.
  ~OutputFiles();

  /// Plans an output at `path` and returns the temporary path to write it
  /// to (same folder, same extension), or "" with `error` set. A side file
  /// (a header written beside the library) that exists must carry kiln's
  /// marker unless `force`.
  std::string add(const std::string &path, bool sideFile, std::string &error);

  /// Renames every temporary file into place. False with `error` set when a
  /// rename fails (outputs renamed before it stay in place).
  bool commit(std::string &error);

  /// True when `a` and `b` name the same existing file.
  static bool sameFile(const std::string &a, const std::string &b);

  /// True when the file at `path` starts like a file kiln writes (a header
  /// naming a Kiln-compiled model).
  static bool writtenByKiln(const std::string &path);

private:
  struct Planned {
    std::string path, temp;
  };
  std::vector<std::string> inputs_;
  bool force_;
  std::vector<Planned> planned_;
};

/// Writes `text` to `path`; false with `error` (naming the path and the
/// I/O error, e.g. a full disk) when the write fails.
bool writeTextFile(const std::string &path, const std::string &text,
                   std::string &error);

} // namespace kiln

#endif // KILN_TOOLS_KILN_OUTPUTFILES_H
