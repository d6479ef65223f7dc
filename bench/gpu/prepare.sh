#!/bin/bash
# prepare.sh - compiles the suite's models into CUDA libraries for gpu_run.py.
#
# A GPU machine may lack Kiln's toolchain, so the libraries are made here:
# for each model exported by test/models/export_models.py (under MODELS,
# default build/test/pytorch-models) it writes OUT/NAME/libNAME.so (kiln
# compile --target=cuda:ARCH; a fatbin when CUDA's toolkit is installed)
# and copies the model's data sets (the .npy files only; --sets 0,1 picks
# some). NAME matmulN is one MatMul of two N x N inputs (matmul_model.py),
# with no data sets: gpu_run.py --gemm checks it against cuBLAS. Copy OUT to
# the GPU machine with this checkout and run
#   python3 bench/gpu/gpu_run.py --libs OUT [--batches 1,32] [--gemm]
#
# Usage: bench/gpu/prepare.sh [--kiln PATH] [--models DIR] [--out DIR]
#            [--arch sm_90] [--target cuda|cpu] [--sets 0,1]
#            [--precision fp32|tf32|fp16] [NAME...]
# (--target cpu makes CPU libraries: gpu_run.py's checks then run anywhere.)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KILN=$ROOT/build/bin/kiln
MODELS=$ROOT/build/test/pytorch-models
OUT=$ROOT/bench/gpu/libs
ARCH=sm_90
TARGET=cuda
SETS=
PRECISION=fp32
NAMES=()
while [ $# -gt 0 ]; do
  case "$1" in
    --kiln) KILN=$(realpath "$2"); shift 2 ;;
    --models) MODELS=$(realpath "$2"); shift 2 ;;
    --out) OUT=$(realpath -m "$2"); shift 2 ;;
    --arch) ARCH=$2; shift 2 ;;
    --target) TARGET=$2; shift 2 ;;
    --sets) SETS=,$2,; shift 2 ;;
    --precision) PRECISION=$2; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    -*) echo "prepare.sh: unknown option $1" >&2; exit 2 ;;
    *) NAMES+=("$1"); shift ;;
  esac
done
[ -x "$KILN" ] || { echo "prepare.sh: no kiln at $KILN" >&2; exit 2; }
if [ ${#NAMES[@]} -eq 0 ]; then
  NAMES=(mlp small_cnn bert_block bert_block_dyn resnet18 small_cnn_dyn
         matmul1024 matmul4096)
fi
case "$TARGET" in
  # The GPU machine's processor is not this one: its host code is built for
  # a generic x86-64 (the kernels do the work).
  cuda) TARGET_FLAG="--target=cuda:$ARCH --cpu=x86-64-v3 --gpu-precision=$PRECISION" ;;
  cpu) TARGET_FLAG=--target=cpu ;;
  *) echo "prepare.sh: --target takes cuda or cpu" >&2; exit 2 ;;
esac

for name in "${NAMES[@]}"; do
  src=$MODELS/$name
  dst=$OUT/$name
  mkdir -p "$dst"
  if [[ $name =~ ^matmul([0-9]+)$ ]]; then
    "${PYTHON:-/usr/bin/python3}" "$ROOT/bench/gpu/matmul_model.py" "${BASH_REMATCH[1]}" "$dst/model.onnx"
    "$KILN" compile "$dst/model.onnx" $TARGET_FLAG -o "$dst/lib$name.so"
    rm "$dst/model.onnx"
    echo "prepared $name ($(du -sh "$dst" | cut -f1))"
    continue
  fi
  [ -f "$src/model.onnx" ] || { echo "prepare.sh: no $src/model.onnx" >&2; exit 2; }
  "$KILN" compile "$src/model.onnx" $TARGET_FLAG -o "$dst/lib$name.so"
  for set in "$src"/test_data_set_*; do
    [ -z "$SETS" ] || [[ $SETS == *,${set##*_},* ]] || continue
    mkdir -p "$dst/$(basename "$set")"
    cp "$set"/*.npy "$dst/$(basename "$set")/"
  done
  echo "prepared $name ($(du -sh "$dst" | cut -f1))"
done
