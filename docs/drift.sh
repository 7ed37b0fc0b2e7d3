#!/usr/bin/env bash
# Regenerates docs/drift/*.md: evaluate-drift with TENT on the reference bundle, batch 64
# (about 35 minutes on two busy cores). BUNDLE names a prepared bundle to reuse.
set -euo pipefail
cd "$(dirname "$0")/.."
bundle=${BUNDLE:-/tmp/attune-drift-bundle}
[ -f "$bundle/manifest.json" ] || ./attune prepare models/fmnist-resnet/model.onnx --out "$bundle" \
    --source-memory models/fmnist-resnet/source-memory/features.npy \
                    models/fmnist-resnet/source-memory/labels.npy \
    --source-images models/fmnist-resnet/source-memory/images.npy
warmup='clean+samples:1280+shuffle'
shifts=""
for c in gaussian_noise shot_noise impulse_noise speckle_noise defocus_blur motion_blur \
    gaussian_blur contrast brightness fog pixelate jpeg_compression elastic_transform rotate \
    translate scale shear; do
  for s in 3 4 5; do shifts="$shifts$c:$s,clean,"; done
done
run() { local name=$1; shift; nice -n 10 ./attune evaluate-drift --bundle "$bundle" --batch 64 \
    --report "docs/drift/$name.md" "$@" > /dev/null; }
run continual --schedule "$warmup" --schedule "continual:${shifts%,}+samples:384+shuffle"
run clean --schedule clean
ramps=()
for c in gaussian_noise motion_blur fog contrast jpeg_compression rotate; do
  ramps+=(--schedule "gradual:$c+samples:320+shuffle" --schedule 'clean+samples:640+shuffle')
done
run gradual --schedule "$warmup" "${ramps[@]}"
all5=""
for c in gaussian_noise shot_noise impulse_noise speckle_noise defocus_blur motion_blur \
    gaussian_blur contrast brightness fog pixelate jpeg_compression elastic_transform rotate \
    translate scale shear; do all5="$all5$c:5,"; done
run severity5 --schedule "$warmup" --schedule "continual:${all5%,}+samples:512+shuffle"
run sorted --schedule "$warmup" --schedule 'continual:gaussian_noise:5,contrast:5+sorted+samples:2000'
run sorted-clean --schedule 'clean+sorted'
run iid --schedule "$warmup" --schedule 'continual:gaussian_noise:5,contrast:5+shuffle+samples:2000'
