#!/usr/bin/env bash
# Throughput of Attune's norm, tent, eata and sar against the official PyTorch code, measured
# back to back (one run at a time, nothing else of ours running) on a short stream. Run from the
# repository root:
#
#   models/fidelity/speed.sh OFFICIAL_DIR [PER_CLASS] [THREADS]
#
# Streams gaussian_noise:5 then fog:5 over the class-stratified subset (PER_CLASS images per
# class, default 50: 1,000 samples), batch 64, reset per domain; THREADS (default 2) for both
# ONNX Runtime and torch. Writes into ${SPEED_WORK:-/tmp/attune-fidelity-speed}: attune-M.json
# (evaluate --report) and official.json (run_official.py --json), which
# `table.py --speed DIR` puts in the samples/s columns of docs/fidelity.md.
set -euo pipefail

OFFICIAL=${1:?usage: models/fidelity/speed.sh OFFICIAL_DIR [PER_CLASS] [THREADS]}
PER_CLASS=${2:-50}
THREADS=${3:-2}
WORK=${SPEED_WORK:-/tmp/attune-fidelity-speed}
PY=${PYTHON:-/usr/bin/python3}
METHODS="norm tent eata sar"

mkdir -p "$WORK"
cut -d' ' -f1 /proc/loadavg > "$WORK/load-start"
"$PY" models/fidelity/stratify.py --per-class "$PER_CLASS" --out "$WORK"
./attune simulate export --schedule continual:gaussian_noise:5,fog:5 \
    --images "$WORK/subset-images.npy" --labels "$WORK/subset-labels.npy" --format npy \
    --out "$WORK/stream"
./attune prepare models/fmnist-resnet/model.onnx --out "$WORK/bundle" \
    --source-memory models/fmnist-resnet/source-memory/features.npy \
    models/fmnist-resnet/source-memory/labels.npy \
    --source-images models/fmnist-resnet/source-memory/images.npy
for m in $METHODS; do
  ./attune evaluate --bundle "$WORK/bundle" --method "$m" --images "$WORK/stream/images.npy" \
      --labels "$WORK/stream/labels.npy" --domains "$WORK/stream/domains.npy" --batch 64 \
      --reset per-domain --threads "$THREADS" --report "$WORK/attune-$m.json"
done
"$PY" models/fidelity/run_official.py --official-dir "$OFFICIAL" --stream "$WORK/stream" \
    --methods "${METHODS// /,}" --batch 64 --threads "$THREADS" --json "$WORK/official.json"
cut -d' ' -f1 /proc/loadavg > "$WORK/load-end"
echo "speed runs in $WORK"
