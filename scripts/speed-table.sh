#!/usr/bin/env bash
# Issue 12's side-by-side table in one run: stmzoo's `benchmark` beside the reference models in PyTorch (eager) and
# ONNX Runtime, model by model (stmzoo, then PyTorch, then ONNX Runtime), so that drift hits every engine alike.
# The peers are ../shared/peers (peer_speed.py) run in the environment its setup.sh built; nothing of them is here.
#
# Usage (project root, nothing else running): scripts/speed-table.sh [MODEL...] > table.tsv
# Env: PEERS (the folder setup.sh filled: venv/, ref/, onnx/; default /tmp/peers), HARNESS (../shared/peers),
#      T (threads for every engine, 2), SIZE (224), B32_ROUNDS (3), B1_ROUNDS (3), B1_STEPS (50).
# Columns: batch-32 inference img/s (--fused-layer-norm; stmzoo under its throughput thread plan, then under its
# batches plan: one intra-op thread, T inter-op threads, the batch cut into T parts; then the throughput plan
# without --fused-layer-norm, once, as a plain export runs it; the peers have one setting, so their figures
# repeat), batch-1 latency ms (--fused-layer-norm; stmzoo under its throughput plan, then its latency plan: one
# intra-op thread, T inter-op threads, each image in T row streams and bands). Batch-32 inference is the median
# of B32_ROUNDS rounds (3) of stmzoo's two plans and ONNX Runtime (PyTorch once: it takes minutes), batch 1 the
# median of B1_ROUNDS rounds (3) of B1_STEPS steps (50) of all four; the runs alternate within a round, so that a
# burst of load on the shared host hits one round of every engine rather than one engine.
# Then batch-32 training img/s (stmzoo: the full DeiT step with augmentation, AdamW and EMA, under its throughput
# plan and, since the tenth round, its batches plan: the step as one chain per thread, each on its part of the
# batch; PyTorch: forward, cross-entropy, backward, AdamW), the median of TRAIN_ROUNDS rounds (2) of the three,
# and the peak RSS MiB of the training process (its last round). Each engine times 3 steps after its warm-up:
# PyTorch's harness runs one untimed step, stmzoo's `benchmark --mode train` two (since the twentieth round: its
# second step still faults in memory the first did not touch, 1.7 s against 0.9 for u-swin-micro).
set -uo pipefail
T=${T:-2}; SIZE=${SIZE:-224}; P=${PEERS:-/tmp/peers}; B1_ROUNDS=${B1_ROUNDS:-3}; B1_STEPS=${B1_STEPS:-50}
B32_ROUNDS=${B32_ROUNDS:-3}; TRAIN_ROUNDS=${TRAIN_ROUNDS:-2}
HARNESS=${HARNESS:-$(cd "$(dirname "$0")/../../shared/peers" 2>/dev/null && pwd)}
[[ -f $HARNESS/peer_speed.py && -x $P/venv/bin/python ]] || {
  echo "error: need the peers harness (HARNESS=$HARNESS) and its environment (PEERS=$P); see ../shared/peers/README.md" >&2
  exit 2
}
declare -A REF=([u-convnext-micro]=unified_convnext_micro [u-swin-micro]=unified_swin_micro
  [u-pvt-micro]=unified_pvt_micro [u-halo-micro]=unified_halo_micro [u-dcnv3-micro]=unified_dcn_v3_micro
  [pit-ti]=pit_ti_224 [deit-tiny]=deit_tiny_patch16_224 [shiftvit-light-tiny]=shiftvit_light_tiny)
models=${*:-u-convnext-micro u-pvt-micro u-swin-micro u-halo-micro u-dcnv3-micro pit-ti deit-tiny shiftvit-light-tiny}

# U-DCNv3's reference calls its compiled sampler through a torch.autograd.Function whose backward the peers'
# stand-in for the op (stubs_msda.py) does not have. For its training step the Function is bypassed, so that
# PyTorch's autograd differentiates the stand-in's grid_sample form itself (what the reference's pure-PyTorch
# core does on a CPU); the harness itself runs unchanged after that.
DIFFERENTIABLE_DCN='import sys, runpy; r = sys.argv[1]; sys.path[:0] = [r, r + "/classification", r + "/stubs", r + "/spach"]
import MultiScaleDeformableAttention as msda, models.blocks.dcn_v3 as dcn
class Differentiable:
    apply = staticmethod(lambda *a: msda.ms_deform_attn_forward(*a))
dcn.MSDeformAttnFunction = Differentiable
sys.argv = sys.argv[2:]; runpy.run_path(sys.argv[0], run_name="__main__")'
peer() { # MODE BATCH MODEL -> "rate<TAB>peakMiB" (rate, or the peer's failure message)
  local f r run=("$HARNESS/peer_speed.py")
  [[ $1 == train && $3 == u-dcnv3-micro ]] && run=(-c "$DIFFERENTIABLE_DCN" "$P/ref" "$HARNESS/peer_speed.py")
  f=$(mktemp)
  r=$(cd "$P/ref" && PYTHONWARNINGS=ignore REF="$P/ref" ONNX_DIR="$P/onnx" THREADS=$T STEPS=${STEPS:-3} \
    /usr/bin/time -f %M -o "$f" "$P/venv/bin/python" "${run[@]}" "$1" "$SIZE" "$2" "${REF[$3]}" \
    2>/dev/null | awk -F'\t' 'NF==6 {print $6}' | tail -1)
  printf '%s\t%d\n' "$(cut -c1-60 <<<"${r:-failed}")" "$(( $(tail -1 "$f" 2>/dev/null || echo 0) / 1024 ))"
  rm -f "$f"
}
zoo() { # MODE BATCH STEPS MODEL [PLAN [FLAG]] -> "rate<TAB>ms/step<TAB>peakMiB"
  ./stmzoo benchmark --model "$4" --mode "$1" --batch "$2" --image-size "$SIZE" --steps "$3" --threads "$T" \
    --thread-plan "${5:-throughput}" ${6:-} 2>/dev/null \
    | grep 'images/s' | sed -E 's/.*: ([0-9.]+) images\/s, ([0-9.]+) ms\/step, peak memory ([0-9]+) MiB/\1\t\2\t\3/'
}
ms() { [[ $1 =~ ^[0-9.]+$ ]] && awk -v r="$1" 'BEGIN {printf "%.1f", 1000 / r}' || echo "$1"; }
median() { # VALUE... -> the median of the numeric ones, else the first value (a failure message)
  local nums
  nums=$(printf '%s\n' "$@" | grep -E '^[0-9.]+$' | sort -g)
  if [[ -z $nums ]]; then echo "${1:-failed}"; return; fi
  awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}' <<<"$nums"
}

F=--fused-layer-norm
printf 'model\tengine\tinfer32_img_s\tinfer32_img_s_batches_plan\tinfer32_img_s_plain_ln\tinfer1_ms\tinfer1_ms_latency_plan\ttrain32_img_s\ttrain32_img_s_batches_plan\ttrain_peak_MiB\ttrain_peak_MiB_batches_plan\n'
for m in $models; do
  zis=(); zbs=(); ois=()
  for ((r = 0; r < B32_ROUNDS; r++)); do
    zbs+=("$(zoo infer 32 3 "$m" batches $F | cut -f1)"); ois+=("$(peer ort 32 "$m" | cut -f1)")
    zis+=("$(zoo infer 32 3 "$m" throughput $F | cut -f1)")
  done
  zi=$(median "${zis[@]}"); zb=$(median "${zbs[@]}"); oi=$(median "${ois[@]}")
  echo "# $m batch-32 img/s by round: stmzoo batches plan ${zbs[*]}; ort ${ois[*]}; stmzoo throughput plan ${zis[*]}" >&2
  zp=$(zoo infer 32 3 "$m" | cut -f1)
  z1s=(); zls=(); t1s=(); o1s=()
  for ((r = 0; r < B1_ROUNDS; r++)); do
    zls+=("$(zoo infer 1 "$B1_STEPS" "$m" latency $F | cut -f2)"); o1s+=("$(ms "$(STEPS=$B1_STEPS peer ort 1 "$m" | cut -f1)")")
    z1s+=("$(zoo infer 1 "$B1_STEPS" "$m" throughput $F | cut -f2)"); t1s+=("$(ms "$(STEPS=$B1_STEPS peer infer 1 "$m" | cut -f1)")")
  done
  z1=$(median "${z1s[@]}"); zl=$(median "${zls[@]}"); t1=$(median "${t1s[@]}"); o1=$(median "${o1s[@]}")
  echo "# $m batch-1 ms by round: stmzoo latency plan ${zls[*]}; ort ${o1s[*]};" \
    "stmzoo throughput plan ${z1s[*]}; torch ${t1s[*]}" >&2
  zts=(); ztbs=(); tts=()
  for ((r = 0; r < TRAIN_ROUNDS; r++)); do
    ztb=$(zoo train 32 3 "$m" batches); ztbs+=("$(cut -f1 <<<"$ztb")")
    tt=$(peer train 32 "$m"); tts+=("$(cut -f1 <<<"$tt")")
    zt=$(zoo train 32 3 "$m"); zts+=("$(cut -f1 <<<"$zt")")
  done
  echo "# $m training img/s by round: stmzoo batches plan ${ztbs[*]}; torch ${tts[*]}; stmzoo throughput plan ${zts[*]}" >&2
  printf '%s\tstmzoo\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$m" "$zi" "$zb" "$zp" "$z1" "$zl" \
    "$(median "${zts[@]}")" "$(median "${ztbs[@]}")" "$(cut -f3 <<<"$zt")" "$(cut -f3 <<<"$ztb")"
  ti=$(peer infer 32 "$m" | cut -f1)
  printf '%s\ttorch\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$m" "$ti" "$ti" "$ti" "$t1" "$t1" \
    "$(median "${tts[@]}")" "$(median "${tts[@]}")" "$(cut -f2 <<<"$tt")" "$(cut -f2 <<<"$tt")"
  printf '%s\tort\t%s\t%s\t%s\t%s\t%s\t-\t-\t-\t-\n' "$m" "$oi" "$oi" "$oi" "$o1" "$o1"
done
