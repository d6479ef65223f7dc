# lit.cfg.py - lit configuration of Kiln's FileCheck tests.
#
# Test files are .mlir (IR through kiln-opt) and .test (the kiln CLI); the
# folders mirror the source tree. Paths come from lit.site.cfg.py, which
# CMake writes into ${CMAKE_BINARY_DIR}/test (see lit.cmake).

import os

import lit.formats

config.name = "Kiln"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "lit.cfg.py", "lit.site.cfg.py", "CMakeLists.txt",
                   "lit.cmake", "unit", "models", "onnx_backend"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.kiln_obj_root, "test")

# Tools: the built binaries first, then LLVM's test utilities.
config.environment["PATH"] = os.pathsep.join(
    [config.kiln_tools_dir, config.llvm_tools_dir,
     config.environment.get("PATH", os.environ.get("PATH", ""))])
# Keep the host's temp dir and locale; lit clears most of the environment.
for var in ["TMPDIR", "HOME", "LANG", "LC_ALL"]:
    if var in os.environ:
        config.environment[var] = os.environ[var]


def tool(name, directory):
    return os.path.join(directory, name)


# Substitution keys are regular expressions. Longest names first, so that
# %kiln-opt is not read as %kiln followed by "-opt".
config.substitutions.append(("%kiln-opt", tool("kiln-opt", config.kiln_tools_dir)))
config.substitutions.append(("%kiln", tool("kiln", config.kiln_tools_dir)))
config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(("%cc", config.c_compiler))
config.substitutions.append(("%kiln_include", config.kiln_include_dir))
config.substitutions.append(("%kiln_lib", config.kiln_lib_dir))
# Bare tool names as words of a RUN line (not inside paths or flags).
for name in ["FileCheck", "not", "count"]:
    config.substitutions.append(
        (r"(?<![-./\w])%s(?![-.\w])" % name, tool(name, config.llvm_tools_dir)))

# External models (TensorFlow graphs and SavedModels written by other
# projects) live outside the repository: $KILN_SHARED_DATA, else
# ../shared/data beside the checkout. Tests that read them say
# `REQUIRES: shared-data` and are reported as unsupported without it.
shared_data = os.environ.get("KILN_SHARED_DATA") or os.path.join(
    os.path.dirname(os.path.dirname(config.test_source_root)), "shared", "data")
if os.path.isdir(shared_data):
    config.available_features.add("shared-data")
    config.substitutions.append(("%shared_data", shared_data))
else:
    lit_config.note("no external test data at %s (set KILN_SHARED_DATA): "
                    "tests that need it are skipped" % shared_data)

# CUDA's PTX assembler checks the PTX of `--target=cuda` (no GPU needed):
# $KILN_PTXAS, else ptxas on PATH, else the CUDA toolkit's default place.
# Tests that run it say `REQUIRES: ptxas`.
import shutil
ptxas = (os.environ.get("KILN_PTXAS") or shutil.which("ptxas") or
         "/usr/local/cuda/bin/ptxas")
if os.access(ptxas, os.X_OK):
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))
else:
    lit_config.note("no ptxas (set KILN_PTXAS): PTX checks are skipped")

# The stand-in CUDA driver of the unit tests: device memory is host memory
# and kernels do nothing, so a CUDA library's host side (module load,
# launches, copies, frees) runs on a machine without a GPU.
if os.path.exists(getattr(config, "kiln_fake_cuda", "")):
    config.available_features.add("fake-cuda")
    config.substitutions.append(("%fake_cuda_driver", config.kiln_fake_cuda))
