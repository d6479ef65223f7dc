//===- CliOptions.h - which options each kiln command takes ---------------===//
//
// The command line is checked before anything runs: an option a command
// does not take (a typo such as --no-tiles) and a malformed or out-of-range
// number (--runs 0, --threads abc, --atol inf) are usage errors that name
// the option, not silently ignored or read as 0.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLS_KILN_CLIOPTIONS_H
#define KILN_TOOLS_KILN_CLIOPTIONS_H

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace kiln {

/// Flags (options without a value) of any command: --json, --force, ...
const std::vector<std::string> &commandFlags();

/// Empty when every option in `options` is one `command` takes; else an
/// error naming the first that is not (with the nearest it does take).
std::string checkOptions(
    const std::string &command,
    const std::vector<std::pair<std::string, std::string>> &options);

/// Reads `text` as a whole number in [min, max] for `option`; false with
/// `error` set when it is not one.
bool parseWholeNumber(const std::string &option, const std::string &text,
                      int64_t min, int64_t max, int64_t &out,
                      std::string &error);

/// Reads `text` as a finite number >= 0 (a tolerance) for `option`.
bool parseTolerance(const std::string &option, const std::string &text,
                    double &out, std::string &error);

/// Parses `--target` / `--device` values: cpu, cuda or cuda:ARCH (`chip`
/// keeps its value for plain cuda). False with `error` set for anything
/// else, an unknown architecture too.
bool parseDevice(const std::string &option, const std::string &value,
                 bool &cuda, std::string &chip, std::string &error);

/// Checks `--gpu-precision`: fp32, tf32 or fp16, for a CUDA target, and
/// tf32/fp16 (tensor cores) only for sm_80 or newer.
bool checkGpuPrecision(const std::string &precision, bool cuda,
                       const std::string &chip, std::string &error);

/// "kiln X.Y.Z (LLVM/MLIR A.B.C, ONNX D.E.F)".
std::string versionText();

} // namespace kiln

#endif // KILN_TOOLS_KILN_CLIOPTIONS_H
