#!/usr/bin/env bash
# Packs what a machine without Java or Maven (the device machines lent to some sessions: 16
# cores, an H100, nothing reachable) needs to run `attune prepare` and `attune bench` there:
# a jlink'd Java runtime (xz), the command-line jar and the jars bench loads, ONNX Runtime
# stripped to its linux-x64 natives, and the provider check script; 45 MB, under the 64 MiB a
# device call carries. Output: devcheck/ (ignored by git). On the device, from the repo root:
#   mkdir -p /tmp/j && tar -C /tmp/j -xJf devcheck/jre.tar.xz && J=/tmp/j/jre/bin/java
#   $J -Dattune.home=$PWD -jar devcheck/java/attune.jar prepare models/fmnist-resnet/model.onnx \
#       --out /tmp/b --source-memory models/fmnist-resnet/source-memory/{features,labels}.npy \
#       --source-images models/fmnist-resnet/source-memory/images.npy
#   for t in 2 4 8 16; do $J -Dattune.home=$PWD -jar devcheck/java/attune.jar bench \
#       --bundle /tmp/b --batch 64 --threads $t; done
#   python3 devcheck/ort_providers_check.py /tmp/b     # the same graphs on Python's ONNX Runtime
set -euo pipefail
cd "$(dirname "$0")/../.."
./attune --version > /dev/null
out=devcheck
rm -rf "$out" && mkdir -p "$out/java/lib" .git/info
grep -qx '/devcheck/' .git/info/exclude 2>/dev/null || echo '/devcheck/' >> .git/info/exclude
tmp=$(mktemp -d)
jlink --add-modules java.base,java.logging,java.management,java.xml,jdk.unsupported,java.sql \
    --strip-debug --no-header-files --no-man-pages --compress=0 --output "$tmp/jre"
tar -C "$tmp" -cJf "$out/jre.tar.xz" jre
cp cli/target/attune.jar "$out/java/"
for jar in cli/target/lib/*.jar; do
  case "$(basename "$jar")" in
    attune-*|picocli-*|jackson-*|tribuo-*|protobuf-*|slf4j-*|avro-*|commons-*|micrometer-*|\
    HdrHistogram-*|jspecify-*|kafka-clients-*) cp "$jar" "$out/java/lib/" ;;
  esac
done
ort=$(ls cli/target/lib/onnxruntime-[0-9]*.jar | sort -V | tail -1)
(mkdir "$tmp/ort" && cd "$tmp/ort" && unzip -q "$OLDPWD/$ort" \
    && find ai/onnxruntime/native -mindepth 1 -maxdepth 1 ! -name linux-x64 -exec rm -rf {} + \
    && zip -q -r -9 "$OLDPWD/$out/java/lib/$(basename "$ort")" .)
cp docs/device/ort_providers_check.py "$out/"
rm -rf "$tmp"
du -sh "$out"
