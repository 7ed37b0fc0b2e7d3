#!/usr/bin/env bash
# Fidelity of Attune's norm, tent, eata and sar to the authors' official code: regenerates
# docs/fidelity.md. Run from the repository root:
#
#   models/fidelity/fidelity.sh OFFICIAL_DIR [PER_CLASS] [THREADS]
#
# OFFICIAL_DIR holds your checkouts tent/ (DequanWang/tent), EATA/ (mr-eggplant/EATA) and SAR/
# (mr-eggplant/SAR); nothing is downloaded. PER_CLASS (default 50) test images per class make
# the clean subset every corruption is applied to (500 images per corruption by default);
# THREADS (default 2) is both ONNX Runtime's and torch's thread count. Needs /usr/bin/python3
# with torch and numpy (see models/fidelity/README.md). Work files go to
# ${FIDELITY_WORK:-/tmp/attune-fidelity}, the page to ${FIDELITY_PAGE:-docs/fidelity.md}.
set -euo pipefail

OFFICIAL=${1:?usage: models/fidelity/fidelity.sh OFFICIAL_DIR [PER_CLASS] [THREADS]}
PER_CLASS=${2:-50}
THREADS=${3:-2}
WORK=${FIDELITY_WORK:-/tmp/attune-fidelity}
PY=${PYTHON:-/usr/bin/python3}
PAGE=${FIDELITY_PAGE:-docs/fidelity.md}
METHODS="norm tent eata sar"
CORRUPTIONS="gaussian_noise shot_noise impulse_noise speckle_noise defocus_blur motion_blur
gaussian_blur contrast brightness fog pixelate jpeg_compression elastic_transform rotate
translate scale shear"

mkdir -p "$WORK"
load() { cut -d' ' -f1 /proc/loadavg; }
echo "$(load)" > "$WORK/load-start"

# 1. A class-stratified clean subset: the first PER_CLASS test images of each class, in
#    test-split order.
"$PY" models/fidelity/stratify.py --per-class "$PER_CLASS" --out "$WORK"

# 2. Every corruption at severity 5 over it, one domain each, exported as .npy.
SCHEDULE="continual:$(for c in $CORRUPTIONS; do printf '%s:5,' "$c"; done)"
SCHEDULE=${SCHEDULE%,}
./attune simulate export --schedule "$SCHEDULE" --images "$WORK/subset-images.npy" \
    --labels "$WORK/subset-labels.npy" --format npy --out "$WORK/stream"

# 3. The reference bundle, with the source images EATA's Fisher information needs.
./attune prepare models/fmnist-resnet/model.onnx --out "$WORK/bundle" \
    --source-memory models/fmnist-resnet/source-memory/features.npy \
    models/fmnist-resnet/source-memory/labels.npy \
    --source-images models/fmnist-resnet/source-memory/images.npy

# 4. Attune: batch 64, online, reset per domain.
for m in $METHODS; do
  ./attune evaluate --bundle "$WORK/bundle" --method "$m" --images "$WORK/stream/images.npy" \
      --labels "$WORK/stream/labels.npy" --domains "$WORK/stream/domains.npy" --batch 64 \
      --reset per-domain --threads "$THREADS" --report "$WORK/attune-$m.json" \
      --predictions "$WORK/attune-$m.npy"
done

# 5. The official code on the same files.
"$PY" models/fidelity/run_official.py --official-dir "$OFFICIAL" --stream "$WORK/stream" \
    --methods "source,${METHODS// /,}" --batch 64 --threads "$THREADS" \
    --json "$WORK/official.json" --predictions "$WORK/official.npz"

echo "$(load)" > "$WORK/load-end"
# 6. The page.
"$PY" models/fidelity/table.py --work "$WORK" --methods "${METHODS// /,}" \
    --command "models/fidelity/fidelity.sh OFFICIAL_DIR $PER_CLASS $THREADS" > "$PAGE"
echo "wrote $PAGE"
