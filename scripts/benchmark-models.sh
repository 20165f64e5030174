#!/usr/bin/env bash
# Measures images/s of the smallest variant of every family (and every micro U-model) at 224x224 on this
# machine, inference and one full training step (forward, backward, update). Results go to stdout as
# markdown rows; docs/benchmarks.md records the figures measured on the 2-core reference machine.
# Usage: scripts/benchmark-models.sh [BATCH] [STEPS] [THREADS]   (THREADS 0 = all cores)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
batch="${1:-8}"
steps="${2:-3}"
threads="${3:-0}"
extra=()
[[ "$threads" != 0 ]] && extra=(--threads "$threads")
models=(u-convnext-micro u-halo-micro u-swin-micro u-pvt-micro u-dcnv3-micro pit-ti deit-tiny shiftvit-light-tiny)
echo "| model | infer img/s | train img/s | train ms/step | peak MiB (train) |"
echo "| --- | ---: | ---: | ---: | ---: |"
for m in "${models[@]}"; do
  infer=$("$root/stmzoo" benchmark --model "$m" --mode infer --batch "$batch" --steps "$steps" "${extra[@]}" 2>/dev/null | grep "images/s" | tail -1)
  train=$("$root/stmzoo" benchmark --model "$m" --mode train --batch "$batch" --steps "$steps" "${extra[@]}" 2>/dev/null | grep "images/s" | tail -1)
  ips() { sed -E 's/.*: ([0-9.]+) images\/s.*/\1/' <<<"$1"; }
  ms=$(sed -E 's/.*, ([0-9.]+) ms\/step.*/\1/' <<<"$train")
  mem=$(sed -E 's/.*peak memory ([0-9]+) MiB.*/\1/' <<<"$train")
  echo "| \`$m\` | $(ips "$infer") | $(ips "$train") | $ms | $mem |"
done
