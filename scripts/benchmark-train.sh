#!/usr/bin/env bash
# Training images/s of every micro U-model, with and without XLA JIT: the full DeiT training step of the recipes
# module (one session.run) on random data. Prints markdown rows; docs/benchmarks.md records the measured figures.
# Usage: scripts/benchmark-train.sh [IMAGE_SIZE] [BATCH] [STEPS] [THREADS]   (THREADS 0 = all cores)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
size="${1:-32}"
batch="${2:-64}"
steps="${3:-5}"
threads="${4:-0}"
extra=()
[[ "$threads" != 0 ]] && extra=(--threads "$threads")
models=(u-convnext-micro u-halo-micro u-swin-micro u-pvt-micro u-dcnv3-micro)
echo "| model | train img/s | ms/step | peak MiB | with \`--xla\` img/s | ms/step | peak MiB |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
for m in "${models[@]}"; do
  row="| \`$m\`"
  for xla in "" --xla; do
    line=$("$root/stmzoo" benchmark --model "$m" --mode train --image-size "$size" --batch "$batch" \
      --steps "$steps" "${extra[@]}" $xla 2>/dev/null | grep "images/s" | tail -1)
    ips=$(sed -E 's/.*: ([0-9.]+) images\/s.*/\1/' <<<"$line")
    ms=$(sed -E 's/.*, ([0-9.]+) ms\/step.*/\1/' <<<"$line")
    mem=$(sed -E 's/.*peak memory ([0-9]+) MiB.*/\1/' <<<"$line")
    row="$row | $ips | $ms | $mem"
  done
  echo "$row |"
done
