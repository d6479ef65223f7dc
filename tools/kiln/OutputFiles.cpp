//===- OutputFiles.cpp - writing outputs without losing a user's file -----===//
//
// See OutputFiles.h.
//
//===----------------------------------------------------------------------===//

#include "OutputFiles.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/raw_ostream.h"

#include <fstream>

namespace fs = llvm::sys::fs;
namespace path = llvm::sys::path;

namespace kiln {

/// The phrase every header kiln writes carries in its first lines.
static const char kMarker[] = "Kiln-compiled model";

OutputFiles::~OutputFiles() {
  for (const Planned &p : planned_) {
    fs::remove(p.temp);
    llvm::sys::DontRemoveFileOnSignal(p.temp);
  }
}

bool OutputFiles::sameFile(const std::string &a, const std::string &b) {
  fs::UniqueID ia, ib;
  return !fs::getUniqueID(a, ia) && !fs::getUniqueID(b, ib) && ia == ib;
}

bool OutputFiles::writtenByKiln(const std::string &file) {
  std::ifstream in(file, std::ios::binary);
  std::string head(512, '\0');
  in.read(head.data(), head.size());
  head.resize(in.gcount());
  return head.find(kMarker) != std::string::npos;
}

std::string OutputFiles::add(const std::string &file, bool sideFile,
                             std::string &error) {
  for (const std::string &in : inputs_)
    if (sameFile(file, in)) {
      error = "refusing to write '" + file + "': it is the input file '" + in +
              "'";
      return "";
    }
  for (const Planned &p : planned_)
    if (p.path == file || sameFile(file, p.path)) {
      error = "two outputs would be written to '" + file + "'";
      return "";
    }
  if (fs::is_directory(file)) {
    error = "cannot write '" + file + "': it is a directory";
    return "";
  }
  if (sideFile && fs::exists(file) && !force_ && !writtenByKiln(file)) {
    error = "refusing to replace '" + file +
            "': it exists and was not written by kiln (use --force to "
            "replace it, or choose another path)";
    return "";
  }
  llvm::StringRef dir = path::parent_path(file);
  if (!dir.empty() && !fs::is_directory(dir)) {
    error = "cannot write '" + file + "': directory '" + dir.str() +
            "' does not exist";
    return "";
  }
  llvm::SmallString<256> model(dir);
  path::append(model, "." + path::filename(file).str() + ".kiln-%%%%%%" +
                          path::extension(file).str());
  llvm::SmallString<256> temp;
  if (std::error_code ec = fs::createUniqueFile(model, temp)) {
    error = "cannot write '" + file + "': " + ec.message();
    return "";
  }
  llvm::sys::RemoveFileOnSignal(temp); // an interrupted command leaves none
  planned_.push_back({file, temp.str().str()});
  return planned_.back().temp;
}

bool OutputFiles::commit(std::string &error) {
  for (size_t i = 0; i < planned_.size(); ++i) {
    const Planned &p = planned_[i];
    if (std::error_code ec = fs::rename(p.temp, p.path)) {
      error = "cannot write '" + p.path + "': " + ec.message();
      planned_.erase(planned_.begin(), planned_.begin() + i);
      return false;
    }
    llvm::sys::DontRemoveFileOnSignal(p.temp);
  }
  planned_.clear();
  return true;
}

bool writeTextFile(const std::string &file, const std::string &text,
                   std::string &error) {
  std::error_code ec;
  llvm::raw_fd_ostream os(file, ec);
  if (!ec) {
    os << text;
    os.close();
    ec = os.error();
    os.clear_error(); // reported here, not by raw_fd_ostream's destructor
  }
  if (ec)
    error = "cannot write '" + file + "': " + ec.message();
  return !ec;
}

} // namespace kiln
