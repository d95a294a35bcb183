#!/usr/bin/env bash
# The full test suite: installs what is missing, builds (the tests launch the built sandbox launcher), tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Scripts/setup.sh
swift build --build-tests
swift test --skip-build --no-parallel
