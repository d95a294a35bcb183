#!/usr/bin/env bash
# Installs what ai4sci-bench needs on a Debian/Ubuntu machine when it is missing:
# libseccomp headers (apt: libseccomp-dev), python3 with numpy (task generators, fixtures).
set -euo pipefail

need_apt=()
if ! pkg-config --exists libseccomp 2>/dev/null; then need_apt+=(libseccomp-dev pkg-config); fi
if ! command -v python3 >/dev/null 2>&1; then need_apt+=(python3 python3-pip); fi
if [ ${#need_apt[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: missing ${need_apt[*]} and no apt-get here; install them with your package manager" >&2
    exit 2
  fi
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "setup: installing ${need_apt[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
if ! python3 -c 'import numpy' >/dev/null 2>&1; then
  echo "setup: installing numpy" >&2
  python3 -m pip install -q numpy || { SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"; $SUDO apt-get install -y -qq python3-numpy >/dev/null; }
fi
if ! command -v swift >/dev/null 2>&1; then
  echo "setup: the Swift toolchain (6.2 or newer) is not on PATH; install it from swift.org" >&2
  exit 2
fi
# Optional: headless Chromium, for the test that renders the HTML report (skipped when absent).
# AI4SCI_NO_CHROMIUM=1 skips the attempt; a failed install is not an error.
if [ -z "${AI4SCI_NO_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
  echo "setup: installing chromium (optional: HTML report rendering test)" >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null 2>&1 \
    || echo "setup: chromium could not be installed; the HTML rendering test will be skipped" >&2
fi
