#!/usr/bin/env bash
# run-example.sh - README's first command: sets up and builds Kiln, then
# compiles the bundled example model (examples/small_cnn, exported from
# PyTorch) to a native library and runs it on its reference data.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
out=build/example
mkdir -p "$out"
set -x
build/bin/kiln inspect examples/small_cnn/model.onnx
build/bin/kiln compile examples/small_cnn/model.onnx -o "$out/libsmall_cnn.so"
build/bin/kiln run "$out/libsmall_cnn.so" --data examples/small_cnn/test_data_set_0
build/bin/kiln bench "$out/libsmall_cnn.so" --threads 1 --runs 50
