//===- run_command.h - `kiln run`: execute a model and check it -*- C++ -*-===//
//
// runModel feeds a loaded model library its inputs, runs it once and, for
// every output that has a reference, prints one line
//   output 'NAME': max_abs_err=... max_rel_err=... (max|ref|=...) PASS|FAIL
// Inputs come from an ONNX test-data folder (input_0.pb, input_1.pb, ...
// matched to the model's inputs in order; output_K.pb likewise become the
// references) and/or from NAME=FILE pairs (.npy or .pb by extension) that
// override the folder. Nothing is cast: a dtype or shape mismatch is the
// library's run error.
//
// Pass criterion (see compare.h): for float outputs
//   max_abs_err <= atol + rtol * max|ref|
// where max_rel_err = max_i |a_i - b_i| / max(|b_i|, 1e-12) is reported for
// information only; a NaN where the reference has a number fails; integer
// and bool outputs must match exactly.
//
// Exit codes: 0 every compared output passes (or nothing was compared),
// 1 some output fails, 2 an error (printed as one "kiln: error: ..." line on
// stderr).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLS_KILN_SUPPORT_RUN_COMMAND_H
#define KILN_TOOLS_KILN_SUPPORT_RUN_COMMAND_H

#include "frontends/common/HostTensor.h"
#include "model_library.h"

#include <string>
#include <utility>
#include <vector>

namespace kiln {

/// Options of `kiln run`.
struct RunOptions {
  /// ONNX test-data folder holding input_K.pb / output_K.pb; may be empty.
  std::string dataDir;
  /// NAME=FILE pairs (.npy or .pb): inputs, and references for outputs.
  std::vector<std::pair<std::string, std::string>> inputs, expects;
  /// When set, each output K is written to DIR/output_K.npy.
  std::string outputDir;
  double rtol = 1e-4, atol = 1e-5;
  /// Worker threads; <= 0 means all online cores.
  int threads = 0;
  /// Inputs compiled into the library as constants (`kiln compile
  /// --freeze`); their files in dataDir are skipped.
  std::vector<std::string> frozenInputs;
};

/// Loads a .npy or .pb tensor file, chosen by extension.
bool loadTensorFile(const std::string &path, HostTensor &out, std::string &err);

/// Runs `lib` once as described by `opts`; returns 0, 1 or 2 (see above).
int runModel(ModelLibrary &lib, const RunOptions &opts);

} // namespace kiln

#endif // KILN_TOOLS_KILN_SUPPORT_RUN_COMMAND_H
