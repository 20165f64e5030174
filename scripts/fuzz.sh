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
# module:fuzz test class; the seeds are the class's Inputs/parse folder under the module's test resources
all_targets=(
  layers:org.stmzoo.layers.core.CheckpointMetadataFuzzTest
  datasets:org.stmzoo.datasets.IdxFileFuzzTest
  datasets:org.stmzoo.datasets.ImageHeaderFuzzTest
  zoo:org.stmzoo.zoo.weights.NpyFileFuzzTest
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
  cp="$module/target/test-classes:$module/target/classes"
  for m in layers datasets recipes export zoo; do cp="$cp:$m/target/classes"; done
  cp="$cp:$(cat "$build/classpath.txt")"
  seeds="$module/src/test/resources/$(dirname "${class//.//}")/$(basename "${class//.//}")Inputs/parse"
  corpus=".cifuzz-corpus/$class"
  findings=".cifuzz-findings/$class"
  mkdir -p "$corpus" "$findings"
  echo "fuzzing $class for ${seconds}s (seeds: $seeds)" >&2
  start=$(date +%s)
  if java -Xmx2g -cp "$cp" com.code_intelligence.jazzer.Jazzer --target_class="$class" \
      --instrumentation_includes='org.stmzoo.**' --disabled_hooks='' \
      -max_total_time="$seconds" -rss_limit_mb=3072 -timeout=60 -artifact_prefix="$findings/" \
      "$corpus" "$seeds" 2> "$build/$class.log"; then
    result=ok
  else
    result=FINDING
    failed=1
  fi
  runs=$(grep -o 'Done [0-9]* runs' "$build/$class.log" | tail -1 || true)
  cov=$(grep -o 'cov: [0-9]*' "$build/$class.log" | tail -1 || true)
  echo "$class: $result after $(( $(date +%s) - start ))s; ${runs:-no summary}; ${cov:-}; log $build/$class.log" >&2
done
exit $failed
