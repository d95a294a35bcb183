#!/usr/bin/env bash
# Benchmark (not a test): 100 trivial scored runs of one bundled task, in the seccomp and the task sandbox
# (BENCH_MODES to choose).
# Repeats the batch BENCH_REPEATS times (default 5). Prints the median total wall time, per-run wall, the agent's own wall, the runner's per-run overhead and peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Scripts/setup.sh
swift build -c release --product ai4sci-bench >/dev/null
swift build -c release --product ai4sci-sandbox-exec >/dev/null
BIN=$PWD/.build/release/ai4sci-bench
TASK=${BENCH_TASK:-physics.sod_shock_tube}
RUNS=100
WORK=$(mktemp -d /tmp/ai4sci-bench-XXXXXX)
trap 'rm -rf "$WORK"' EXIT

"$BIN" tasks generate "$TASK" --seed 1 --output-dir "$WORK/gen" >/dev/null
src=$(ls -d "$WORK/gen/${TASK}__seed1")
mkdir -p "$WORK/instances"
for i in $(seq -w 1 25); do cp -r "$src" "$WORK/instances/${TASK}__copy$i"; done

REPEATS=${BENCH_REPEATS:-5}
for MODE in ${BENCH_MODES:-seccomp task}; do
: > "$WORK/walls"
for rep in $(seq 1 "$REPEATS"); do
  rm -rf "$WORK/results"
  start=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$WORK/rss.$rep" "$BIN" run --tasks "$TASK" --instances-dir "$WORK/instances" \
    --instances-per-task 25 --prompt-levels b1,b2,b3,b4 --agent-cmd true --agent-name trivial \
    --sandbox "$MODE" --timeout 30 --output-dir "$WORK/results" --quiet >/dev/null
  end=$(date +%s.%N)
  echo "$start $end" >> "$WORK/walls"
done

echo "== --sandbox $MODE"
python3 - "$WORK" "$RUNS" "$REPEATS" <<'PY'
import glob, json, statistics, subprocess, sys, time
work, runs, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
walls = [float(b) - float(a) for a, b in (l.split() for l in open(f"{work}/walls"))]
results = [json.load(open(p)) for p in glob.glob(f"{work}/results/*/*.json")]
assert len(results) == runs, f"expected {runs} results, found {len(results)}"
agent = [r["resources"]["wall_seconds"] for r in results]
modes = {(r["effective_mode"], r["enforcement_status"], r["verification_status"]) for r in results}
t0 = time.perf_counter()
for _ in range(runs):
    subprocess.run(["true"], check=True)
plain = (time.perf_counter() - t0) / runs
total = statistics.median(walls)
rss_kb = max(int(open(f"{work}/rss.{i}").read().split()[-1]) for i in range(1, repeats + 1))
print(f"runs                      {runs} per batch, {repeats} batches (sandbox: {', '.join('/'.join(m) for m in sorted(modes))})")
print(f"total wall, median        {total:.2f} s  (min {min(walls):.2f}, max {max(walls):.2f})")
print(f"per run (wall/runs)       {1000 * total / runs:.1f} ms")
print(f"agent wall, median        {1000 * statistics.median(agent):.1f} ms  (launch + sandbox setup + exec + teardown, from results)")
print(f"runner overhead per run   {1000 * (total / runs - statistics.median(agent)):.1f} ms  (workspace, scoring, result files)")
print(f"plain spawn of 'true'     {1000 * plain:.2f} ms  (python subprocess, for scale)")
print(f"peak RSS of the runner    {rss_kb / 1024:.1f} MiB")
PY
done
