#!/bin/bash
# run_bench.sh - benchmarks Kiln against its peers on the model suite.
#
# Exports the models with test/models/export_models.py into a work folder
# (by default the suite: gemm1024, mlp, resnet18, mobilenetv2 and bert2;
# --models also takes the sets "transformers" (bert_base, a BERT-base-sized
# encoder at sequence 128, and gpt2_step, one decoding step of a
# GPT-2-small-sized decoder) and "torchvision" (every torchvision image
# classifier, 80 of them: hours with every peer), and any model name),
# measures the core's FMA peak (fma_peak.c), compiles each model with `kiln compile` (timed), then
# runs `kiln bench` and each peer (bench/peer_bench.py) at 1 and 2 threads on
# the same model and thread count, one after the other. Peers: ONNX Runtime,
# OpenVINO and IREE from a virtual environment (bench/setup_peers.sh makes
# it under ~/.cache/kiln/venv-bench from PyPI), PyTorch from the system
# interpreter (Debian's python3-torch, on the TorchScript export). A peer
# that is missing or fails on a model is reported as "fail". Every
# measurement is one JSON line in WORK/results.jsonl, tagged with "engine"
# and "name"; report.py turns that file into the markdown tables printed at
# the end.
#
# Usage: bench/run_bench.sh [--kiln PATH] [--work DIR] [--runs N]
#                           [--threads "1 2"] [--models "gemm1024 mlp ..."]
#                           [--peers "ort openvino iree torch"]
#                           [--no-kiln]   (peers and FMA peak only)
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
KILN=$ROOT/build/bin/kiln
WORK=$BENCH/work
RUNS=50
THREADS="1 2"
MODELS="gemm1024 mlp resnet18 mobilenetv2 bert2"
USE_KILN=1
PYTHON=/usr/bin/python3
PEERS="ort openvino iree torch"
VENV=${KILN_BENCH_VENV:-$HOME/.cache/kiln/venv-bench}

while [ $# -gt 0 ]; do
  case "$1" in
    --kiln) KILN=$(realpath "$2"); shift 2 ;;
    --work) WORK=$(realpath -m "$2"); shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --models) MODELS=$2; shift 2 ;;
    --peers) PEERS=$2; shift 2 ;;
    --no-kiln) USE_KILN=0; shift ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "run_bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

if [ "$USE_KILN" = 1 ] && [ ! -x "$KILN" ]; then
  echo "run_bench.sh: no kiln binary at $KILN (build it, or pass --no-kiln)" >&2
  exit 2
fi

# Sets of models by name.
expanded=""
for m in $MODELS; do
  case "$m" in
    suite) expanded="$expanded gemm1024 mlp resnet18 mobilenetv2 bert2" ;;
    transformers) expanded="$expanded bert_base gpt2_step" ;;
    torchvision) expanded="$expanded $("$PYTHON" \
        "$ROOT/test/models/export_models.py" --list torchvision | tr '\n' ' ')" ;;
    *) expanded="$expanded $m" ;;
  esac
done
MODELS=$expanded

mkdir -p "$WORK/models" "$WORK/libs"
RESULTS=$WORK/results.jsonl
: > "$RESULTS"

# Prefixes a tool's JSON line with the engine and model name.
tag() { sed -n "s/^{/{\"engine\":\"$1\",\"name\":\"$2\",/p"; }

echo "== exporting models"
# shellcheck disable=SC2086
"$PYTHON" "$ROOT/test/models/export_models.py" "$WORK/models" $MODELS

if [ ! -x "$VENV/bin/python" ]; then
  echo "== no peer environment at $VENV: bench/setup_peers.sh makes it" >&2
fi
# The interpreter each peer runs under.
peer_python() {
  if [ "$1" = torch ]; then echo "$PYTHON"; else echo "$VENV/bin/python"; fi
}

echo "== FMA peak"
gcc -O2 -march=native -o "$WORK/fma_peak" "$BENCH/fma_peak.c"
"$WORK/fma_peak" --json | tag fma cpu >> "$RESULTS"
tail -n 1 "$RESULTS"

for m in $MODELS; do
  onnx=$WORK/models/$m/model.onnx
  if [ "$USE_KILN" = 1 ]; then
    echo "== kiln compile $m"
    lib=$WORK/libs/lib$m.so
    t0=$(date +%s.%N)
    if "$KILN" compile "$onnx" -o "$lib"; then
      t1=$(date +%s.%N)
      secs=$(awk "BEGIN { printf \"%.3f\", $t1 - $t0 }")
      echo "{\"seconds\":$secs}" | tag compile "$m" >> "$RESULTS"
      for t in $THREADS; do
        "$KILN" bench "$lib" --threads "$t" --runs "$RUNS" --json \
          | tag kiln "$m" >> "$RESULTS" || echo "kiln bench $m failed" >&2
        tail -n 1 "$RESULTS"
      done
    else
      echo "{\"error\":\"compile failed\"}" | tag compile "$m" >> "$RESULTS"
    fi
  fi
  for peer in $PEERS; do
    py=$(peer_python "$peer")
    for t in $THREADS; do
      if [ -x "$py" ]; then
        "$py" "$BENCH/peer_bench.py" "$peer" "$onnx" --threads "$t" \
          --runs "$RUNS" --work "$WORK/peers/$m-$peer" | tag "$peer" "$m" \
          >> "$RESULTS"
      else
        echo "{\"threads\":$t,\"error\":\"no interpreter $py\"}" \
          | tag "$peer" "$m" >> "$RESULTS"
      fi
      tail -n 1 "$RESULTS"
    done
  done
done

echo
"$PYTHON" "$BENCH/report.py" "$RESULTS"
