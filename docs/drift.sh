#!/usr/bin/env bash
# Regenerates issue 10's numbers: docs/drift/*.md (a report per schedule) and the drift section
# of docs/results.md, with `attune results --drift` (TENT on the reference bundle, batch 64; about
# half an hour on two busy cores), then copies that section into docs/drift.md. BUNDLE names a
# prepared bundle to reuse.
set -euo pipefail
cd "$(dirname "$0")/.."
bundle=${BUNDLE:-/tmp/attune-drift-bundle}
[ -f "$bundle/manifest.json" ] || ./attune prepare models/fmnist-resnet/model.onnx --out "$bundle" \
    --source-memory models/fmnist-resnet/source-memory/features.npy \
                    models/fmnist-resnet/source-memory/labels.npy \
    --source-images models/fmnist-resnet/source-memory/images.npy
nice -n 10 ./attune results --drift --bundle "$bundle"
# the same section, verbatim, in docs/drift.md between its markers (both pages are in docs/, so
# the links to the reports hold)
grep -q '^<!-- section:drift -->$' docs/drift.md || { echo "docs/drift.md has no drift section markers" >&2; exit 1; }
SECTION=$(sed -n '/^<!-- section:drift -->$/,/^<!-- \/section:drift -->$/p' docs/results.md) \
  awk '/^<!-- section:drift -->$/ { print ENVIRON["SECTION"]; skip = 1; next }
       /^<!-- \/section:drift -->$/ { skip = 0; next }
       !skip { print }' docs/drift.md > docs/drift.md.part
mv docs/drift.md.part docs/drift.md
