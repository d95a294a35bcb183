#!/usr/bin/env bash
# Benchmark (not a test): submit-to-finish time of 100 trivial items (agent `true`, 25 pre-generated instances of a
# bundled task x 4 levels, seccomp sandbox) with `batch-run --executor slurm` on the local single-node cluster
# (Scripts/slurm-local.sh) against `--executor local --jobs 2`. Repeats BENCH_REPEATS times (default 3); prints medians.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Scripts/setup.sh
swift build -c release --product ai4sci-bench >/dev/null
swift build -c release --product ai4sci-sandbox-exec >/dev/null
eval "$(bash Scripts/slurm-local.sh start)"
BIN=$PWD/.build/release/ai4sci-bench
TASK=${BENCH_TASK:-physics.sod_shock_tube}
WORK=$(mktemp -d /tmp/ai4sci-bench-slurm-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
"$BIN" tasks generate "$TASK" --seed 1 --output-dir "$WORK/gen" >/dev/null
mkdir -p "$WORK/instances"
for i in $(seq -w 1 25); do cp -r "$WORK/gen/${TASK}__seed1" "$WORK/instances/${TASK}__copy$i"; done
REPEATS=${BENCH_REPEATS:-3}
echo "machine: $(nproc) cores; local cluster: $(sinfo -h -o '%c CPUs on %N')"
for EXEC in local slurm; do
  : > "$WORK/walls.$EXEC"
  for rep in $(seq 1 "$REPEATS"); do
    rm -rf "$WORK/out"
    start=$(date +%s.%N)
    "$BIN" batch-run --tasks "$TASK" --instances-dir "$WORK/instances" --instances-per-task 25 --prompt-levels b1,b2,b3,b4 \
      --agent-cmd true --agent-name trivial --sandbox seccomp --timeout 60 --jobs 2 --executor "$EXEC" \
      --output-dir "$WORK/out" --quiet >/dev/null
    end=$(date +%s.%N)
    n=$(ls "$WORK/out/trivial/$TASK"/*.json | wc -l)
    [ "$n" = 100 ] || { echo "expected 100 results, found $n" >&2; exit 1; }
    echo "$start $end" >> "$WORK/walls.$EXEC"
  done
done
python3 - "$WORK" <<'PY'
import statistics, sys
w = {e: sorted(float(b) - float(a) for a, b in (l.split() for l in open(f"{sys.argv[1]}/walls.{e}"))) for e in ("local", "slurm")}
for e, v in w.items():
    print(f"--executor {e}: 100 items, submit-to-finish median {statistics.median(v):.1f} s (runs: {', '.join(f'{x:.1f}' for x in v)}), "
          f"{100 / statistics.median(v):.1f} items/s")
print(f"slurm / local: {statistics.median(w['slurm']) / statistics.median(w['local']):.1f}x")
PY
