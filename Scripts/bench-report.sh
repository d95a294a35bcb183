#!/usr/bin/env bash
# Benchmark of `ai4sci-bench report` on synthetic single-run directories made by Scripts/gen-results.py.
#
# Usage: Scripts/bench-report.sh [RESULTS ...]      (default: 10000 100000)
#   BIN=path/to/ai4sci-bench (default: a release build, made first)
#   REPS=5 (repetitions of each command)  KEEP=1 (keep the work folder)
# Prints the machine, then per size: the fixture's generation time, file count and bytes, and for
# `report --format text --no-write` (validation + report on stdout) and the same writing the HTML report
# (`--html FILE`): the median wall seconds over REPS runs and the peak RSS (largest of the runs, /usr/bin/time %M).
# Every run validates the directory first (all files hashed against the manifest), as `report` always does.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-}
if [[ -z "$BIN" ]]; then
  swift build -c release --product ai4sci-bench >/dev/null
  BIN=.build/release/ai4sci-bench
fi
REPS=${REPS:-5}
SIZES=("$@")
[[ ${#SIZES[@]} -eq 0 ]] && SIZES=(10000 100000)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-report-XXXXXX")
if [[ -n "${KEEP:-}" ]]; then echo "work folder (kept): $WORK"; else trap 'rm -rf "$WORK"' EXIT; fi

echo "binary: $BIN  cores: $(nproc)  cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"

# measure LABEL CMD...: runs CMD REPS times; prints the median wall time and the peak RSS.
measure() {
  local label=$1
  shift
  : > "$WORK/times"
  for ((r = 1; r <= REPS; r++)); do
    /usr/bin/time -f "%e %M" -a -o "$WORK/times" "$@" > /dev/null
  done
  sort -n "$WORK/times" | awk -v label="$label" '{ w[NR] = $1; if ($2 > m) m = $2 }
    END { printf "  %-10s median %7.2f s   peak RSS %7.1f MiB   (%d runs)\n", label, w[int((NR + 1) / 2)], m / 1024, NR }'
}

for N in "${SIZES[@]}"; do
  DIR="$WORK/run$N"
  /usr/bin/time -f "%e %M" -o "$WORK/gen" python3 Scripts/gen-results.py --count "$N" --output-dir "$DIR" 2>/dev/null
  read -r GEN_WALL GEN_RSS < "$WORK/gen"
  read -r FILES BYTES < <(find "$DIR" -type f -printf '%s\n' | awk '{ n++; b += $1 } END { print n, b }')
  printf '%s results: %s files, %s bytes (%.1f MiB); generated in %s s (peak RSS %d MiB)\n' \
    "$N" "$FILES" "$BYTES" "$(awk -v b="$BYTES" 'BEGIN { print b / 1048576 }')" "$GEN_WALL" $((GEN_RSS / 1024))
  REPORT=("$BIN" report --output-dir "$DIR" --format text --timestamp 2026-01-01T00:00:00Z)
  measure text "${REPORT[@]}" --no-write
  measure text+html "${REPORT[@]}" --html "$WORK/r.html"
  [[ -n "${KEEP:-}" ]] || rm -rf "$DIR"
done
