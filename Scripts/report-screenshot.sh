#!/usr/bin/env bash
# Renders an HTML report in headless Chromium: a screenshot, and a check that the page logs no console error.
#
#   Scripts/report-screenshot.sh HTML_FILE PNG_FILE
#
# Installs Debian's chromium when it is missing (skips, exit 0, when it cannot be installed).
# Exit 1 when the page logged a console error (uncaught exception, CSP violation, failed load, console.error …).
# Chromium's stderr log does not carry the console level, so every console line is printed, and the lines that
# mention an error fail the check; the report itself never writes to the console.
set -uo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 HTML_FILE PNG_FILE" >&2
    exit 2
fi
html=$1
png=$2
if [ ! -f "$html" ]; then
    echo "error: no such file: $html" >&2
    exit 2
fi

find_chromium() { command -v chromium || command -v chromium-browser || true; }

browser=$(find_chromium)
if [ -z "$browser" ]; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing chromium (apt-get)…" >&2
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null 2>&1 || true
    fi
    browser=$(find_chromium)
fi
if [ -z "$browser" ]; then
    echo "skipped: chromium cannot be installed"
    exit 0
fi

abs_html=$(cd "$(dirname "$html")" && pwd)/$(basename "$html")
mkdir -p "$(dirname "$png")"
abs_png=$(cd "$(dirname "$png")" && pwd)/$(basename "$png")
url="file://$abs_html"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
flags=(--headless=new --no-sandbox --disable-gpu --no-first-run --no-default-browser-check --hide-scrollbars
       --user-data-dir="$work/profile")

# Pass 1: screenshot.
rm -f "$abs_png"
timeout 120 "$browser" "${flags[@]}" --screenshot="$abs_png" --window-size=1400,3000 "$url" >"$work/shot.out" 2>"$work/shot.err"
if [ ! -s "$abs_png" ]; then
    echo "error: chromium wrote no screenshot" >&2
    tail -n 20 "$work/shot.err" >&2
    exit 1
fi
echo "screenshot: $abs_png"

# Pass 2: the DOM after scripts ran, with the console logged to stderr.
timeout 120 "$browser" "${flags[@]}" --enable-logging=stderr --log-level=0 --dump-dom "$url" >"$work/dom.html" 2>"$work/dom.err"
if [ ! -s "$work/dom.html" ]; then
    echo "error: chromium dumped no DOM" >&2
    tail -n 20 "$work/dom.err" >&2
    exit 1
fi
console=$(grep -E ':CONSOLE[:(]|Uncaught' "$work/dom.err" || true)
errors=$(printf '%s\n' "$console" | grep -Ei 'Uncaught|error|exception|violates|refused|failed|not allowed|blocked' || true)
if [ -n "$console" ]; then
    echo "console output:"
    printf '%s\n' "$console" | sed 's/^/  /'
fi
if [ -n "$errors" ]; then
    echo "FAIL: console errors in $html"
    exit 1
fi
echo "ok: no console error"
