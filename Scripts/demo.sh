#!/usr/bin/env bash
# Main job: install what is missing, build in release mode, run the demo agents over every bundled task
# at all four prompt levels in the task sandbox (namespaces, read-only system view, Landlock, limits, seccomp),
# and print each run's results. The demo agents read the reference solutions, so Tasks/ is bound read-only.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Scripts/setup.sh
swift build -c release --product ai4sci-bench
swift build -c release --product ai4sci-sandbox-exec
BIN=.build/release/ai4sci-bench
OUT=${DEMO_OUTPUT:-results/demo}
SEED=${DEMO_SEED:-42}
rm -rf "$OUT"

"$BIN" tasks list
status=0
for agent in oracle degraded lazy; do
  echo
  echo "=== agent: $agent ==="
  "$BIN" run --tasks-dir Tasks --prompt-levels b1,b2,b3,b4 --seed "$SEED" --sandbox task --timeout 120 \
    --bind-ro "$PWD/Tasks" \
    --agent-name "$agent" --agent-cmd "python3 $PWD/Agents/$agent.py --task-id {task_id}" \
    --output-dir "$OUT/$agent" --quiet || status=$?
  if [ "$status" -ne 0 ]; then echo "demo: run of $agent exited $status" >&2; exit "$status"; fi
done
echo
echo "Results are in $OUT/<agent>/ (one JSON per task instance and level, with stdout, stderr and outputs)."
