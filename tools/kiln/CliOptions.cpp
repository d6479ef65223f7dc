//===- CliOptions.cpp - which options each kiln command takes -------------===//

#include "CliOptions.h"
#include "codegen/gpu/MmaTiles.h"
#include "codegen/gpu/Pipeline.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Config/llvm-config.h"

#include "onnx/common/version.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>

namespace kiln {
namespace {

/// Options of each command (values and flags alike).
const std::map<std::string, std::vector<std::string>> &commandOptions() {
  // Every command takes these; the model-reading options each command
  // actually passes on are listed with it (an option accepted but never
  // read would be ignored silently, which this check exists to prevent).
  auto with = [](std::vector<std::string> own) {
    own.insert(own.end(), {"--help", "-h", "--version"});
    return own;
  };
  static const std::map<std::string, std::vector<std::string>> table = {
      {"import",
       with({"-o", "--elide-weights", "--locations", "--freeze", "--format",
             "--outputs", "--signature", "--config", "--input-shape"})},
      {"compile",
       with({"-o", "--emit", "--target", "--cpu", "--no-tile",
             "--no-parallel-loops", "--elide-weights", "--locations",
             "--time-passes", "--compute-layout", "--freeze", "--header", "--runtime-header",
             "--force", "--gpu-binary", "--gpu-precision", "--format", "--outputs",
             "--signature", "--config", "--input-shape"})},
      {"run", with({"--data", "--input", "--expect", "--output-dir", "--rtol",
                    "--atol", "--threads", "--device", "--format",
                    "--outputs", "--signature", "--input-shape"})},
      {"bench", with({"--threads", "--runs", "--warmup", "--json",
                      "--device", "--format", "--outputs", "--signature",
                      "--input-shape"})},
      {"inspect", with({"--format", "--outputs"})},
  };
  return table;
}

} // namespace

const std::vector<std::string> &commandFlags() {
  static const std::vector<std::string> flags = {
      "--elide-weights", "--locations", "--json",    "--no-tile",
      "--no-parallel-loops", "--force", "--help",    "-h",
      "--version", "--time-passes"};
  return flags;
}

std::string checkOptions(
    const std::string &command,
    const std::vector<std::pair<std::string, std::string>> &options) {
  auto it = commandOptions().find(command);
  if (it == commandOptions().end())
    return "";
  const std::vector<std::string> &known = it->second;
  for (const auto &[name, value] : options) {
    if (std::find(known.begin(), known.end(), name) != known.end())
      continue;
    std::string error =
        "kiln " + command + " has no option " + name;
    // The nearest option it has, when the name looks like a typo of it.
    std::string best;
    unsigned bestDistance = 3;
    for (const std::string &k : known) {
      unsigned d = llvm::StringRef(name).edit_distance(k);
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    if (!best.empty())
      error += " (did you mean " + best + "?)";
    return error;
  }
  return "";
}

bool parseWholeNumber(const std::string &option, const std::string &text,
                      int64_t min, int64_t max, int64_t &out,
                      std::string &error) {
  long long v;
  if (llvm::StringRef(text).getAsInteger(10, v) || v < min || v > max) {
    error = option + " takes a whole number from " + std::to_string(min) +
            " to " + std::to_string(max) + ", not '" + text + "'";
    return false;
  }
  out = v;
  return true;
}

bool parseTolerance(const std::string &option, const std::string &text,
                    double &out, std::string &error) {
  char *end = nullptr;
  double v = text.empty() ? NAN : std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(v) || v < 0) {
    error = option + " takes a finite number >= 0, not '" + text + "'";
    return false;
  }
  out = v;
  return true;
}

std::string versionText() {
  return std::string("kiln ") + KILN_VERSION + " (LLVM/MLIR " +
         LLVM_VERSION_STRING + ", ONNX " + onnx::LAST_RELEASE_VERSION + ")";
}

bool parseDevice(const std::string &option, const std::string &value,
                        bool &cuda, std::string &chip, std::string &error) {
  llvm::StringRef v(value);
  if (v == "cpu") {
    cuda = false;
    return true;
  }
  if (v == "cuda" || v.starts_with("cuda:")) {
    cuda = true;
    if (v.consume_front("cuda:"))
      chip = v.str();
    if (isKnownCudaArch(chip))
      return true;
    error = "unknown CUDA architecture '" + chip + "' in " + option +
            " (use cuda:sm_80, cuda:sm_90, ...)";
    return false;
  }
  error = option + " takes cpu or cuda[:sm_NN], not '" + value + "'";
  return false;
}


bool checkGpuPrecision(const std::string &precision, bool cuda,
                       const std::string &chip, std::string &error) {
  std::optional<GpuPrecision> p = parseGpuPrecision(precision);
  if (!p) {
    error = "--gpu-precision takes fp32, tf32 or fp16, not '" + precision + "'";
    return false;
  }
  if (!cuda) {
    error = "--gpu-precision needs --target=cuda";
    return false;
  }
  // mma.sync with TF32 or fp16 operands and f32 sums: Ampere (sm_80) on.
  unsigned arch = 0;
  llvm::StringRef(chip).drop_front(3).consumeInteger(10, arch);
  if (*p != GpuPrecision::F32 && arch < 80) {
    error = "--gpu-precision=" + precision +
            " needs tensor cores of sm_80 or newer, not " + chip;
    return false;
  }
  return true;
}

} // namespace kiln
