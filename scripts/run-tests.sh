#!/usr/bin/env bash
# run-tests.sh - README's second command: sets up and builds Kiln, then runs
# the whole test suite (unit, lit, ONNX backend tests, PyTorch models).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
ctest --test-dir build --output-on-failure
