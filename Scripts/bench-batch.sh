#!/usr/bin/env bash
# Benchmark of `ai4sci-bench batch-run` on trivial scored items (agent `true`, pre-generated instances).
#
# Usage: Scripts/bench-batch.sh [ITEMS ...]        (default: 1000 10000)
#   BIN=path/to/ai4sci-bench (default: a release build, made first)
#   JOBS=2 SANDBOX=seccomp KEEP=1 (keep the work folder)
# Prints, per size: items/s, runner CPU per item (total CPU of the process tree minus the agents' own CPU),
# total CPU per item, and peak RSS of the runner (/usr/bin/time -f %M).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-}
if [[ -z "$BIN" ]]; then
  swift build -c release --product ai4sci-bench >/dev/null
  swift build -c release --product ai4sci-sandbox-exec >/dev/null
  BIN=.build/release/ai4sci-bench
fi
JOBS=${JOBS:-2}
SANDBOX=${SANDBOX:-seccomp}
TASK=physics.sod_shock_tube
LEVELS=b1,b2,b3,b4
SIZES=("$@")
[[ ${#SIZES[@]} -eq 0 ]] && SIZES=(1000 10000)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-batch-XXXXXX")
[[ -n "${KEEP:-}" ]] || trap 'rm -rf "$WORK"' EXIT

echo "binary: $BIN  jobs: $JOBS  sandbox: $SANDBOX  cores: $(nproc)"
"$BIN" tasks generate "$TASK" --output-dir "$WORK/seed" --sandbox "$SANDBOX" >/dev/null
SRC="$WORK/seed/${TASK}__seed42"

for N in "${SIZES[@]}"; do
  INSTANCES=$(( (N + 3) / 4 ))
  DIR="$WORK/inst$N"
  mkdir -p "$DIR"
  for ((i = 1; i <= INSTANCES; i++)); do cp -r "$SRC" "$DIR/${TASK}__c$(printf %06d "$i")"; done
  OUT="$WORK/out$N"
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/time$N" "$BIN" batch-run --tasks "$TASK" --prompt-levels "$LEVELS" \
    --instances-dir "$DIR" --instances-per-task "$INSTANCES" --agent-cmd true --agent-name trivial \
    --sandbox "$SANDBOX" --jobs "$JOBS" --output-dir "$OUT" -q >/dev/null
  read -r WALL USER SYS RSS < "$WORK/time$N"
  python3 - "$OUT" "$N" "$WALL" "$USER" "$SYS" "$RSS" "$INSTANCES" <<'PY'
import json, os, sys
out, n, wall, user, sys_, rss, inst = sys.argv[1], int(sys.argv[2]), *map(float, sys.argv[3:7]), int(sys.argv[7])
items = inst * 4
agent_cpu, scored = 0.0, 0
for root, _, files in os.walk(os.path.join(out, "trivial")):
    if root.endswith("attempts"): continue
    for f in files:
        if f.endswith(".json") and f != "run_metadata.json":
            r = json.load(open(os.path.join(root, f)))
            res = r.get("resources") or {}
            agent_cpu += res.get("cpu_user_seconds", 0) + res.get("cpu_system_seconds", 0)
            scored += r["outcome"] == "scored"
total = user + sys_
print(f"{items} items: {wall:.1f} s wall, {items / wall:.1f} items/s; CPU total {1000 * total / items:.2f} ms/item, "
      f"runner (total - agents) {1000 * (total - agent_cpu) / items:.2f} ms/item; peak RSS {rss / 1024:.1f} MiB; scored {scored}/{items}")
PY
  rm -rf "$DIR" "$OUT"
done
