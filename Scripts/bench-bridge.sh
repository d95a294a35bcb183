#!/usr/bin/env bash
# Benchmark (not a test): what a custom scorer costs per item. Runs N items (default 20: 5 instances x 4 levels) of the
# custom-scorer fixture task (Tests/AI4SciBenchTests/Fixtures/custom: 4 custom scorer calls + 2 built-ins per item)
# in the seccomp and the task sandbox, and prints the median bridge start (launch to hello: sandbox set-up, Python
# start, numpy and custom_scorer.py import) and the median scoring time per item (bridge included).
set -euo pipefail
cd "$(dirname "$0")/.."
bash Scripts/setup.sh
swift build -c release --product ai4sci-bench >/dev/null
swift build -c release --product ai4sci-sandbox-exec >/dev/null
BIN=$PWD/.build/release/ai4sci-bench
FIX=$PWD/Tests/AI4SciBenchTests/Fixtures/custom
N=${1:-20}
INSTANCES=$(( (N + 3) / 4 ))
WORK=$(mktemp -d /tmp/ai4sci-bridge-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
echo "machine: $(nproc) cores, $(python3 --version 2>&1), $(uname -r)"
for MODE in ${BENCH_MODES:-seccomp task}; do
  "$BIN" run --tasks-dir "$FIX" --instances-per-task "$INSTANCES" --prompt-levels b1,b2,b3,b4 \
    --agent-cmd "python3 $FIX/agent.py --field-error 0.0325" --bind-ro "$FIX" \
    --sandbox "$MODE" --timeout 60 --output-dir "$WORK/$MODE" --quiet >/dev/null
  python3 - "$WORK/$MODE" "$MODE" <<'PY'
import glob, json, statistics, sys
rs = [json.load(open(p)) for p in glob.glob(f"{sys.argv[1]}/*/*__b*.json")]
start = [r["scorer_bridge"]["start_seconds"] for r in rs]
scoring = [r["timing"]["scoring_seconds"] for r in rs]
assert all(r["outcome"] == "scored" for r in rs), [r["message"] for r in rs]
print(f"--sandbox {sys.argv[2]}: {len(rs)} items; bridge start median {statistics.median(start)*1000:.0f} ms "
      f"(min {min(start)*1000:.0f}, max {max(start)*1000:.0f}); scoring per item median {statistics.median(scoring)*1000:.0f} ms "
      f"(min {min(scoring)*1000:.0f}, max {max(scoring)*1000:.0f}); effective mode {rs[0]['scorer_bridge']['effective_mode']}")
PY
done
