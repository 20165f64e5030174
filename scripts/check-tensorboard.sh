#!/usr/bin/env bash
# Serves a training run's event files with the real TensorBoard and reads every scalar back through its HTTP API,
# so "TensorBoard reads our event files" is checked by TensorBoard itself, not by our own reader.
#
#   scripts/check-tensorboard.sh RUN_DIR [PORT]
#
# TensorBoard comes from a throw-away virtualenv (TB_VENV, default /tmp/stmzoo-tensorboard). pip installs it from
# PyPI, or with PIP_WHEELS=DIR from a folder of wheels without any network (pip --no-index --find-links DIR).
set -euo pipefail
run_dir="${1:?usage: scripts/check-tensorboard.sh RUN_DIR [PORT]}"
port="${2:-6123}"
[[ -d "$run_dir/tensorboard" ]] || { echo "no event files: $run_dir/tensorboard is missing" >&2; exit 2; }
venv="${TB_VENV:-/tmp/stmzoo-tensorboard}"
if [[ ! -x "$venv/bin/tensorboard" ]]; then
  python3 -m venv "$venv"
  if [[ -n "${PIP_WHEELS:-}" ]]; then
    "$venv/bin/pip" install -q --no-index --find-links "$PIP_WHEELS" tensorboard
  else
    "$venv/bin/pip" install -q tensorboard
  fi
fi
log="$(mktemp)"
"$venv/bin/tensorboard" --logdir "$run_dir" --port "$port" --load_fast=false >"$log" 2>&1 &
tb_pid=$!
trap 'kill $tb_pid 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 60); do
  curl -sf "http://localhost:$port/data/runs" >/dev/null && break
  sleep 1
done
"$venv/bin/python" - "$port" <<'EOF'
import json, sys, time, urllib.parse, urllib.request
base = f"http://localhost:{sys.argv[1]}"
def get(path):
    with urllib.request.urlopen(base + path) as r:
        return json.load(r)
# TensorBoard loads event files in the background: wait until the scalar tags show up.
for _ in range(60):
    tags = get("/data/plugin/scalars/tags")
    if any(tags.values()):
        break
    time.sleep(1)
else:
    sys.exit("TensorBoard found no scalars")
print(f"TensorBoard {get('/data/environment').get('version', '?')}: runs {sorted(tags)}")
for run, run_tags in sorted(tags.items()):
    for tag in sorted(run_tags):
        q = urllib.parse.urlencode({"run": run, "tag": tag})
        points = get(f"/data/plugin/scalars/scalars?{q}")
        steps = [p[1] for p in points]
        print(f"  {run}/{tag}: {len(points)} points, steps {steps[0]}..{steps[-1]}, last {points[-1][2]:.6g}")
EOF
