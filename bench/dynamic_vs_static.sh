#!/bin/bash
# dynamic_vs_static.sh - what a dynamic batch costs: one library compiled
# with a dynamic batch against libraries compiled for one fixed batch.
#
# For each model it exports the dynamic-batch version with
# test/models/export_models.py (NAME_dyn), compiles it once as is (the
# dynamic library) and once per batch size with --input-shape pinning the
# batch (the static libraries), then times the dynamic library at each batch
# (`kiln bench --input-shape`) beside the static library of that batch, in
# one run on one machine. Every measurement is a JSON line in
# WORK/dynamic.jsonl; the markdown table (dynamic/static per model, batch and
# thread count) is printed at the end. Each pair is timed --rounds times,
# static and dynamic alternating, and the table keeps each library's lowest
# median: on a shared machine other work only ever adds time, so the least
# disturbed round is the closest to what the code costs.
#
# Usage: bench/dynamic_vs_static.sh [--kiln PATH] [--work DIR] [--runs N]
#            [--threads "1 2"] [--batches "1 8"] [--rounds N]
#            [--models "mlp small_cnn resnet18 mobilenetv2 bert_block"]
# The BERT-style block runs at sequence 128 (its third data set's length).
# A name ending in _dynimg (resnet18_dynimg) is the model with a dynamic
# batch, height and width, run at its third data set's image size (odd
# sizes: 329x231 for the 224x224 models).
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
KILN=$ROOT/build/bin/kiln
WORK=$BENCH/work
RUNS=30
ROUNDS=3
THREADS="1 2"
BATCHES="1 8"
MODELS="mlp small_cnn resnet18 mobilenetv2 bert_block"
PYTHON=/usr/bin/python3

while [ $# -gt 0 ]; do
  case "$1" in
    --kiln) KILN=$(realpath "$2"); shift 2 ;;
    --work) WORK=$(realpath -m "$2"); shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --batches) BATCHES=$2; shift 2 ;;
    --models) MODELS=$2; shift 2 ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "dynamic_vs_static.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -x "$KILN" ] || { echo "dynamic_vs_static.sh: no kiln at $KILN" >&2; exit 2; }

mkdir -p "$WORK/models" "$WORK/libs"
RESULTS=$WORK/dynamic.jsonl
: > "$RESULTS"

# The input's dims of a model at batch B: the batch, then the dims of its
# last data set after the batch (for the sequence models: sequence 128).
dims() {
  "$PYTHON" -c "import numpy as n,sys; s=n.load(sys.argv[1]).shape; \
print('x'.join(str(d) for d in (int(sys.argv[2]),) + s[1:]))" "$1" "$2"
}

# The export name of a model: NAME_dyn, or NAME_dynimg as given.
export_name() {
  case "$1" in *_dynimg) echo "$1" ;; *) echo "${1}_dyn" ;; esac
}

names=""
for m in $MODELS; do names="$names $(export_name "$m")"; done
echo "== exporting$names"
# shellcheck disable=SC2086
"$PYTHON" "$ROOT/test/models/export_models.py" "$WORK/models" $names

for m in $MODELS; do
  onnx=$WORK/models/$(export_name "$m")/model.onnx
  sample=$WORK/models/$(export_name "$m")/test_data_set_2/input_0.npy
  dyn=$WORK/libs/lib${m}_dyn.so
  echo "== $m"
  "$KILN" compile "$onnx" -o "$dyn"
  for b in $BATCHES; do
    shape="input=$(dims "$sample" "$b")"
    static=$WORK/libs/lib${m}_b$b.so
    "$KILN" compile "$onnx" -o "$static" --input-shape "$shape"
    for t in $THREADS; do
      for kind in $(for _ in $(seq "$ROUNDS"); do echo static dynamic; done); do
        lib=$static
        [ "$kind" = dynamic ] && lib=$dyn
        "$KILN" bench "$lib" --threads "$t" --runs "$RUNS" --json \
            --input-shape "$shape" |
          sed -n "s/^{/{\"kind\":\"$kind\",\"name\":\"$m\",\"batch\":$b,/p" \
            >> "$RESULTS"
        tail -n 1 "$RESULTS"
      done
    done
  done
done

echo
"$PYTHON" - "$RESULTS" <<'PY'
import json, sys
rows = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    kinds = rows.setdefault((r["name"], r["batch"], r["threads"]), {})
    kinds[r["kind"]] = min(kinds.get(r["kind"], r["median_ms"]), r["median_ms"])
print("| model | batch | threads | static ms | dynamic ms | dynamic/static |")
print("|---|---|---|---|---|---|")
for (name, batch, threads), v in rows.items():
    s, d = v.get("static"), v.get("dynamic")
    ratio = "%.2f" % (d / s) if s and d else "-"
    print("| %s | %d | %d | %s | %s | %s |" % (name, batch, threads,
          "%.3f" % s if s else "-", "%.3f" % d if d else "-", ratio))
PY
