#!/usr/bin/env bash
# bootstrap.sh - installs Kiln's dependencies (Debian 12) and builds it into
# build/. Safe to run again: installed packages are skipped, ccache (in
# $HOME) and Ninja make rebuilds incremental.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  cmake ninja-build ccache g++ libgtest-dev
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools
  libprotobuf-dev protobuf-compiler libonnx-dev libonnx-testdata libsnappy-dev libzip-dev
  python3-onnx python3-protobuf python3-numpy python3-torch python3-torchvision
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  echo "bootstrap: installing ${missing[*]}"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y "${missing[@]}"
fi

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
# Paths below the checkout are hashed relative to it: clones elsewhere hit.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"
cmake -G Ninja -S . -B build -DCMAKE_BUILD_TYPE=Release
ninja -C build
