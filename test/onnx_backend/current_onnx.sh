#!/usr/bin/env bash
# current_onnx.sh - regenerates docs/conformance.md: Debian's ONNX backend
# suites (libonnx-testdata) and the node suite of current ONNX from PyPI,
# run through build/bin/kiln. Needs network access to PyPI once; the virtual
# environment and the generated cases are kept under ~/.cache/kiln.
#
#   test/onnx_backend/current_onnx.sh [ONNX_VERSION]   (default 1.23.2)
#
# Also rewrites test/onnx_backend/baseline.txt (the cases CI keeps passing;
# CI runs only Debian's suites, so their lines are the ones it checks).
set -euo pipefail
cd "$(dirname "$0")/../.."
version="${1:-1.23.2}"
cache="$HOME/.cache/kiln"
venv="$cache/venv-onnx-$version"
cases="$cache/onnx-$version-cases"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "onnx==$version" numpy
fi
if [ ! -d "$cases/node" ]; then
  "$venv/bin/python" test/onnx_backend/generate_node_suite.py "$cases"
fi
debian=/usr/share/libonnx-testdata/data
"$venv/bin/python" test/onnx_backend/conformance.py --kiln build/bin/kiln \
  --jobs "$(nproc)" \
  --suite "$debian/node" --suite "$debian/simple" \
  --suite "$debian/pytorch-converted" --suite "$debian/pytorch-operator" \
  --suite "onnx-$version-node=$cases/node" \
  --markdown docs/conformance.md \
  --write-baseline test/onnx_backend/baseline.txt
