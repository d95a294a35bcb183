#!/usr/bin/env bash
# Benchmark (not a test): launch overhead per sandbox mode vs a plain spawn of /bin/true (release build).
set -euo pipefail
cd "$(dirname "$0")/.."
bash Scripts/setup.sh
swift build -c release --product ai4sci-bench >/dev/null
swift build -c release --product ai4sci-sandbox-exec >/dev/null
.build/release/ai4sci-bench sandbox bench --runs "${BENCH_RUNS:-200}"
