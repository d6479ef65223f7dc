#!/bin/bash
# layout_twins.sh - what a TensorFlow graph's NHWC layout costs: one CNN
# (two 3x3 convolutions with bias and activation, max pooling, a mean)
# written as an NHWC and as an NCHW TensorFlow graph, compiled by kiln and
# timed side by side in one run with `kiln bench`. Prints NHWC/NCHW.
#
# Usage: bench/layout_twins.sh [--kiln PATH] [--size 112] [--channels 64]
#            [--runs 30] [--threads "1 2"]
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
KILN=$ROOT/build/bin/kiln
SIZE=112
CHANNELS=64
RUNS=30
THREADS="1 2"
while [ $# -gt 0 ]; do
  case "$1" in
    --kiln) KILN=$(realpath "$2"); shift 2 ;;
    --size) SIZE=$2; shift 2 ;;
    --channels) CHANNELS=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "layout_twins.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
/usr/bin/python3 "$ROOT/test/frontends/tf/Inputs/layout_twins.py" "$WORK" "$SIZE" "$CHANNELS"
for f in nhwc nchw; do
  "$KILN" compile "$WORK/$f.pbtxt" -o "$WORK/lib$f.so"
done
"$KILN" run "$WORK/libnhwc.so" --input "x=$WORK/x_nhwc.npy" --expect "y=$WORK/y.npy" >/dev/null
"$KILN" run "$WORK/libnchw.so" --input "x=$WORK/x_nchw.npy" --expect "y=$WORK/y.npy" >/dev/null
echo "| threads | NHWC ms | NCHW ms | NHWC/NCHW |"
echo "|---|---|---|---|"
for t in $THREADS; do
  # Alternate the two so that drifts in the machine's speed hit both.
  ms() { "$KILN" bench "$WORK/lib$1.so" --threads "$t" --runs "$RUNS" --json |
         /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["median_ms"])'; }
  a=$(ms nhwc); b=$(ms nchw); a2=$(ms nhwc); b2=$(ms nchw)
  /usr/bin/python3 -c "
a = min($a, $a2); b = min($b, $b2)
print('| $t | %.3f | %.3f | %.2f |' % (a, b, a / b))"
done
