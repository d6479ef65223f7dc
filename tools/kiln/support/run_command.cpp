//===- run_command.cpp - `kiln run`: execute a model and check it ---------===//
//
// The run is split into stages that each either succeed or produce one error
// line: gather inputs, gather references, allocate outputs from the
// descriptor, run, write outputs, compare. Tensors are kept in vectors
// indexed like the descriptor's inputs and outputs.
//
//===----------------------------------------------------------------------===//

#include "run_command.h"

#include "compare.h"
#include "npy.h"
#include "tensor_proto_io.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <optional>

using namespace kiln;
namespace fs = std::filesystem;

namespace {

using TensorSlots = std::vector<std::optional<HostTensor>>;

/// Names of `count` tensor infos, quoted and comma-separated.
std::string listNames(const kiln_tensor_info *infos, int32_t count) {
  std::string names;
  for (int32_t i = 0; i < count; ++i)
    names += (i ? ", '" : "'") + std::string(infos[i].name) + "'";
  return names.empty() ? "(none)" : names;
}

/// Index of the tensor called `name`, or -1.
int32_t findByName(const kiln_tensor_info *infos, int32_t count,
                   const std::string &name) {
  for (int32_t i = 0; i < count; ++i)
    if (name == infos[i].name)
      return i;
  return -1;
}

/// Loads DIR/STEM_0.pb, DIR/STEM_1.pb, ... into `slots` if any exist; their
/// number must then equal the model's count.
bool loadDataDir(const std::string &dir, const std::string &stem,
                 const kiln_tensor_info *infos, int32_t count,
                 const std::vector<std::string> &skip, TensorSlots &slots,
                 std::string &err) {
  std::vector<HostTensor> files;
  std::error_code ec;
  for (int32_t k = 0;; ++k) {
    // ONNX's TensorProto files, else NumPy's (PyTorch test sets): the
    // K-th file feeds the K-th tensor.
    fs::path file = fs::path(dir) / (stem + "_" + std::to_string(k) + ".pb");
    fs::path npy = fs::path(dir) / (stem + "_" + std::to_string(k) + ".npy");
    HostTensor t;
    if (fs::exists(file, ec)) {
      if (!readTensorProto(file.string(), t, err))
        return false;
    } else if (fs::exists(npy, ec)) {
      if (!readNpy(npy.string(), t, err))
        return false;
    } else {
      break;
    }
    // Frozen inputs were compiled in: their files are not fed at run time.
    if (std::find(skip.begin(), skip.end(), t.name) != skip.end())
      continue;
    files.push_back(std::move(t));
  }
  if (files.empty())
    return true;
  int32_t found = int32_t(files.size());
  if (found != count) {
    err = dir + " has " + std::to_string(found) + " " + stem +
          " file(s) but the model has " + std::to_string(count) + " " + stem +
          "(s): " + listNames(infos, count);
    return false;
  }
  for (int32_t i = 0; i < count; ++i) {
    files[i].name = infos[i].name;
    slots[i] = std::move(files[i]);
  }
  return true;
}

/// Loads NAME=FILE pairs into `slots`, by name; `what` is "input"/"output".
bool loadNamed(const std::vector<std::pair<std::string, std::string>> &pairs,
               const char *what, const kiln_tensor_info *infos, int32_t count,
               TensorSlots &slots, std::string &err) {
  for (const auto &[name, file] : pairs) {
    int32_t index = findByName(infos, count, name);
    if (index < 0) {
      err = std::string("model has no ") + what + " named '" + name +
            "'; its " + what + "s are " + listNames(infos, count);
      return false;
    }
    HostTensor t;
    if (!loadTensorFile(file, t, err))
      return false;
    t.name = name;
    slots[index] = std::move(t);
  }
  return true;
}

/// Collects every input; fails naming the first one nobody provided.
bool gatherInputs(const kiln_model_desc &desc, const RunOptions &opts,
                  TensorSlots &inputs, std::string &err) {
  inputs.assign(desc.num_inputs, std::nullopt);
  if (!opts.dataDir.empty() && !loadDataDir(opts.dataDir, "input", desc.inputs,
                                            desc.num_inputs, opts.frozenInputs,
                                            inputs, err))
    return false;
  if (!loadNamed(opts.inputs, "input", desc.inputs, desc.num_inputs, inputs,
                 err))
    return false;
  for (int32_t i = 0; i < desc.num_inputs; ++i)
    if (!inputs[i]) {
      err = "missing input '" + std::string(desc.inputs[i].name) +
            "' (give --input " + desc.inputs[i].name +
            "=FILE or a data folder)";
      return false;
    }
  return true;
}

/// Collects the references that were given (any subset of the outputs).
bool gatherExpects(const kiln_model_desc &desc, const RunOptions &opts,
                   TensorSlots &expects, std::string &err) {
  expects.assign(desc.num_outputs, std::nullopt);
  if (!opts.dataDir.empty() &&
      !loadDataDir(opts.dataDir, "output", desc.outputs, desc.num_outputs,
                   {}, expects, err))
    return false;
  return loadNamed(opts.expects, "output", desc.outputs, desc.num_outputs,
                   expects, err);
}

/// Creates a context, sizes the outputs for the inputs, runs the model once
/// and destroys the context.
bool runOnce(ModelLibrary &lib, int threads, TensorSlots &inputs,
             std::vector<HostTensor> &outputs, std::string &err) {
  std::vector<kiln_tensor> in, out;
  for (auto &t : inputs)
    in.push_back(asKilnTensor(*t));
  kiln_context *ctx = lib.create(threads);
  if (!ctx) {
    err = lib.error();
    return false;
  }
  if (!lib.makeOutputs(ctx, in, outputs)) {
    err = lib.error();
    lib.destroy(ctx);
    return false;
  }
  for (auto &t : outputs)
    out.push_back(asKilnTensor(t));
  kiln_status status = lib.run(ctx, in, out);
  lib.destroy(ctx);
  if (status != KILN_OK) {
    err = lib.error();
    return false;
  }
  return true;
}

/// True when `file` is one of the tensor files the run reads.
bool readByRun(const fs::path &file, const RunOptions &opts) {
  std::error_code ec;
  for (const auto *list : {&opts.inputs, &opts.expects})
    for (const auto &[name, path] : *list)
      if (fs::equivalent(file, path, ec))
        return true;
  return false;
}

/// Writes DIR/output_K.npy for every output, never over a file the run
/// reads.
bool writeOutputs(const std::string &dir,
                  const std::vector<HostTensor> &outputs, const RunOptions &opts,
                  std::string &err) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    err = "cannot create directory " + dir + ": " + ec.message();
    return false;
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    fs::path file = fs::path(dir) / ("output_" + std::to_string(i) + ".npy");
    if (readByRun(file, opts)) {
      err = "refusing to write " + file.string() +
            ": it is one of this run's --input/--expect files";
      return false;
    }
    if (!writeNpy(file.string(), outputs[i], err))
      return false;
  }
  return true;
}

/// Prints one line per referenced output; returns 1 if any value failed,
/// else 0. An --expect file of another dtype or shape than its output is a
/// usage error (a wrong file given), reported on stderr: exit code 2. (A
/// data folder's reference that does not fit is a FAIL line, exit 1: the
/// folder comes with the model, so the model's output is what is wrong.)
int compareOutputs(const std::vector<HostTensor> &outputs,
                   const TensorSlots &expects, const RunOptions &opts) {
  Tolerance tol{opts.rtol, opts.atol};
  int result = 0;
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (!expects[i])
      continue;
    CompareResult r = compareTensors(outputs[i], *expects[i], tol);
    bool givenByFlag =
        std::any_of(opts.expects.begin(), opts.expects.end(),
                    [&](const auto &e) { return e.first == outputs[i].name; });
    if (!r.problem.empty() && givenByFlag) {
      std::cout.flush();
      std::cerr << "kiln: error: the reference for output '"
                << outputs[i].name << "' does not fit it: " << r.problem
                << "\n";
      result = 2;
      continue;
    }
    std::cout << formatCompareLine(outputs[i].name, r) << "\n";
    if (!r.pass && result == 0)
      result = 1;
  }
  std::cout.flush();
  return result;
}

/// Prints the error line and returns exit code 2.
int fail(const std::string &err) {
  std::cerr << "kiln: error: " << err << "\n";
  return 2;
}

} // namespace

bool kiln::loadTensorFile(const std::string &path, HostTensor &out,
                          std::string &err) {
  std::string ext = fs::path(path).extension().string();
  if (ext == ".npy")
    return readNpy(path, out, err);
  if (ext == ".pb")
    return readTensorProto(path, out, err);
  err = path + ": unknown tensor file extension '" + ext +
        "' (expected .npy or .pb)";
  return false;
}

int kiln::runModel(ModelLibrary &lib, const RunOptions &opts) {
  if (!lib.isOpen())
    return fail("no model library is open");
  const kiln_model_desc &desc = lib.desc();
  std::string err;
  std::error_code ec;
  if (!opts.dataDir.empty() && !fs::is_directory(opts.dataDir, ec))
    return fail("data folder " + opts.dataDir + " does not exist");
  TensorSlots inputs, expects;
  std::vector<HostTensor> outputs;
  if (!gatherInputs(desc, opts, inputs, err) ||
      !gatherExpects(desc, opts, expects, err) ||
      !runOnce(lib, opts.threads, inputs, outputs, err))
    return fail(err);
  if (!opts.outputDir.empty() && !writeOutputs(opts.outputDir, outputs, opts, err))
    return fail(err);
  return compareOutputs(outputs, expects, opts);
}
