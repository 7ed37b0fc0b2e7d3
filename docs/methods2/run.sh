#!/usr/bin/env bash
# Regenerates the numbers of docs/methods2.md: every method of the comparison on a schedule,
# one JSON report per method under docs/methods2/<tag>/, then the Markdown table
# docs/methods2/<tag>.md (docs/methods2/table.py alone remakes it from the reports).
# Usage: docs/methods2/run.sh TAG SCHEDULE [RESET] [BATCH] [METHODS...]
#   docs/methods2/run.sh sev5 'continual:gaussian_noise:5,shot_noise:5,defocus_blur:5,fog:5,contrast:5,jpeg:5+samples:1000'
set -euo pipefail
cd "$(dirname "$0")/../.."
tag=$1; schedule=$2; reset=${3:-per-domain}; batch=${4:-64}
shift $(( $# < 4 ? $# : 4 ))
methods=("$@")
[ ${#methods[@]} -eq 0 ] && methods=(source norm tent eata sar roid cafa)
bundle=${ATTUNE_BUNDLE:-/tmp/attune-methods2-bundle}
attune=${ATTUNE:-./attune}  # e.g. a copied jar, so that edits elsewhere do not rebuild mid-run
if [ ! -f "$bundle/manifest.json" ]; then
  $attune prepare models/fmnist-resnet/model.onnx --out "$bundle" \
    --source-memory models/fmnist-resnet/source-memory/features.npy \
                    models/fmnist-resnet/source-memory/labels.npy \
    --source-images models/fmnist-resnet/source-memory/images.npy >/dev/null
fi
out=docs/methods2/$tag
mkdir -p "$out"
for m in "${methods[@]}"; do
  $attune evaluate --bundle "$bundle" --method "$m" --schedule "$schedule" --reset "$reset" \
    --batch "$batch" --threads 2 --report "$out/$m.json" >/dev/null
done
python3 docs/methods2/table.py "$out" "$schedule" "$reset" "$batch" "${methods[@]}" \
  > "docs/methods2/$tag.md"
