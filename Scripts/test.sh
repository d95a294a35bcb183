#!/usr/bin/env bash
# The full test suite: installs what is missing, builds (the tests launch the built sandbox launcher), starts a
# single-node Slurm cluster on localhost for the Slurm executor tests (they skip, saying why, when it cannot start;
# AI4SCI_NO_SLURM=1 skips starting it), tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Scripts/setup.sh
swift build --build-tests
if [ "${AI4SCI_NO_SLURM:-0}" != 1 ]; then
  if out=$(bash Scripts/slurm-local.sh start 2>&1); then
    eval "$(printf '%s\n' "$out" | grep '^export SLURM_CONF=' | tail -1)"
  else
    printf 'note: no local Slurm cluster, the Slurm executor tests will skip: %s\n' "$(printf '%s\n' "$out" | tail -1)" >&2
  fi
fi
swift test --skip-build --no-parallel
