#!/usr/bin/env bash
# Main job: install what is missing, build in release mode, run `batch-run` over the bundled task suite with the
# four demo agents (oracle, coarse, lazy, cheater) at all four prompt levels, one instance each, in the task
# sandbox; then write the report (terminal + self-contained HTML) and say where the HTML is.
#
# Expected pattern: oracle ≈ 100, coarse partial credit, lazy 0 (hard gates fail), cheater 0 with every run
# enforced by the sandbox (it tries to read references, secrets and the network, and finds nothing).
#
# Environment (for quick runs and tests): DEMO_OUTPUT (default results/demo), DEMO_TASKS (comma-separated ids,
# default all), DEMO_LEVELS (default b1,b2,b3,b4), DEMO_SEED (default 42), DEMO_JOBS (default 2),
# DEMO_BIN (an already built ai4sci-bench: skips set-up and the release build).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
if [ -z "${DEMO_BIN:-}" ]; then
  AI4SCI_NO_CHROMIUM=1 bash Scripts/setup.sh   # chromium is only for the HTML rendering test
  swift build -c release --product ai4sci-bench
  swift build -c release --product ai4sci-sandbox-exec
  BIN=.build/release/ai4sci-bench
else
  BIN=$DEMO_BIN
fi
OUT=${DEMO_OUTPUT:-results/demo}
LEVELS=${DEMO_LEVELS:-b1,b2,b3,b4}
SEED=${DEMO_SEED:-42}
JOBS=${DEMO_JOBS:-2}
TASK_ARGS=()
[ -n "${DEMO_TASKS:-}" ] && TASK_ARGS=(--tasks "$DEMO_TASKS")
rm -rf "$OUT"
mkdir -p "$OUT"

# The oracle and coarse agents run each task's reference solution, so they see Tasks/ read-only; the cheater and
# the lazy agent do not (the cheater has to find a reference on its own, and cannot).
AGENTS="$OUT.agents.yaml"
cat > "$AGENTS" <<YAML
agents:
  - {name: oracle,  cmd: "python3 $REPO/Agents/oracle.py --task-id {task_id} --tasks-dir $REPO/Tasks", bind_ro: ["$REPO/Tasks"], sandbox: task, timeout: 300}
  - {name: coarse,  cmd: "python3 $REPO/Agents/coarse.py --task-id {task_id} --tasks-dir $REPO/Tasks", bind_ro: ["$REPO/Tasks"], sandbox: task, timeout: 300}
  - {name: lazy,    cmd: "python3 $REPO/Agents/lazy.py", sandbox: task, timeout: 300}
  - {name: cheater, cmd: "python3 $REPO/Agents/cheater.py --task-id {task_id}", sandbox: task, timeout: 300}
YAML

"$BIN" tasks list
echo
start=$(date +%s)
status=0
"$BIN" batch-run --agents "$AGENTS" --tasks-dir Tasks "${TASK_ARGS[@]}" --prompt-levels "$LEVELS" --instances-per-task 1 \
  --seed "$SEED" --jobs "$JOBS" --output-dir "$OUT" || status=$?
if [ "$status" -ne 0 ]; then echo "demo: batch-run exited $status" >&2; exit "$status"; fi
echo
"$BIN" report --output-dir "$OUT" --timestamp "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo
echo "demo finished in $(( $(date +%s) - start )) s (batch-run and report)"
echo "HTML report: $OUT/report/report.html   (also summary.md and summary.json beside it)"
echo "Check it: $BIN validate $OUT"
