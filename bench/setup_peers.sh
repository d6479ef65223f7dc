#!/bin/bash
# setup_peers.sh - makes the virtual environment bench/run_bench.sh runs its
# peers in: ONNX Runtime, OpenVINO and IREE (compiler and runtime) from
# PyPI, with onnx and numpy. Kept out of the repository and out of CI
# (the wheels are large), under ~/.cache/kiln/venv-bench or $KILN_BENCH_VENV.
#
# Usage: bench/setup_peers.sh
set -euo pipefail
VENV=${KILN_BENCH_VENV:-$HOME/.cache/kiln/venv-bench}
python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --upgrade pip
"$VENV/bin/pip" install -q onnx numpy onnxruntime openvino \
  iree-base-compiler iree-base-runtime
"$VENV/bin/python" -c "import onnxruntime, openvino, iree.runtime; print('peers ready in $VENV')"
