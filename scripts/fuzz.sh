#!/usr/bin/env bash
# Coverage-guided fuzzing of stmzoo's untrusted-input readers with Jazzer's command-line driver, each target for a
# bounded time: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]   (default 60 s, every target).
# New interesting inputs go to .cifuzz-corpus/CLASS/ (git-ignored); a finding (an exception other than the
# reader's declared error type) stops that target, is saved as .cifuzz-findings/CLASS/crash-*, and makes the
# script exit non-zero. `mvn test` only replays the committed seeds (src/test/resources/.../*FuzzTestInputs/).
# Reproduce a finding: copy it into the seed folder and run mvn test -Dtest=CLASS.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
seconds="${1:-60}"
shift || true
# module:fuzz test class[#@FuzzTest method]; without a method the class's static fuzzerTestOneInput runs and its
# seeds are the class's Inputs/parse folder, with one the seeds are Inputs/METHOD (Jazzer's JUnit layout)
all_targets=(
  layers:org.stmzoo.layers.core.CheckpointMetadataFuzzTest
  datasets:org.stmzoo.datasets.IdxFileFuzzTest
  datasets:org.stmzoo.datasets.ImageHeaderFuzzTest
  zoo:org.stmzoo.zoo.weights.NpyFileFuzzTest
  zoo:org.stmzoo.zoo.weights.CheckpointReadersFuzzTest#fuzzSafetensors
  zoo:org.stmzoo.zoo.weights.CheckpointReadersFuzzTest#fuzzTorchPickle
  zoo:org.stmzoo.zoo.weights.CheckpointReadersFuzzTest#fuzzCheckpointFile
)
targets=("${all_targets[@]}")
if [[ $# -gt 0 ]]; then
  targets=()
  for name in "$@"; do
    for t in "${all_targets[@]}"; do [[ $t == *"$name"* ]] && targets+=("$t"); done
  done
fi
build="$root/.build/fuzz"
mkdir -p "$build"
lock=(flock /tmp/stmzoo-mvn.lock)
command -v flock >/dev/null || lock=()
"${lock[@]}" mvn -B -ntp -q -pl zoo -am -DskipTests test-compile dependency:build-classpath \
  -Dmdep.outputFile="$build/classpath.txt" -Dmdep.includeScope=test >&2
failed=0
for target in "${targets[@]}"; do
  module="${target%%:*}"
  class="${target#*:}"
  method=""
  if [[ $class == *"#"* ]]; then
    method="${class#*#}"
    class="${class%%#*}"
  fi
  cp="$module/target/test-classes:$module/target/classes"
  for m in layers datasets recipes export zoo; do cp="$cp:$m/target/classes"; done
  cp="$cp:$(cat "$build/classpath.txt")"
  seeds="$module/src/test/resources/$(dirname "${class//.//}")/$(basename "${class//.//}")Inputs/${method:-parse}"
  name="$class${method:+.$method}"
  corpus=".cifuzz-corpus/$name"
  findings=".cifuzz-findings/$name"
  mkdir -p "$corpus" "$findings"
  echo "fuzzing $name for ${seconds}s (seeds: $seeds)" >&2
  start=$(date +%s)
  if java -Xmx2g -cp "$cp" com.code_intelligence.jazzer.Jazzer --target_class="$class" ${method:+--target_method="$method"} \
      --instrumentation_includes='org.stmzoo.**' --disabled_hooks='' \
      -max_total_time="$seconds" -rss_limit_mb=3072 -timeout=60 -artifact_prefix="$findings/" \
      "$corpus" "$seeds" 2> "$build/$name.log"; then
    result=ok
  else
    result=FINDING
    failed=1
  fi
  runs=$(grep -o 'Done [0-9]* runs' "$build/$name.log" | tail -1 || true)
  cov=$(grep -o 'cov: [0-9]*' "$build/$name.log" | tail -1 || true)
  echo "$name: $result after $(( $(date +%s) - start ))s; ${runs:-no summary}; ${cov:-}; log $build/$name.log" >&2
done
exit $failed
