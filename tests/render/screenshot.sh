#!/usr/bin/env bash
# screenshot.sh: render a `fetcher bench --report` HTML file in headless Chromium and save a PNG,
# to check by eye that every chart draws. tests/e2e/html_report_test.cpp checks the same page
# automatically (no console message, no empty chart panel); .ci/install-deps installs chromium.
#
#   tests/render/screenshot.sh REPORT.html [OUT.png] [WIDTHxHEIGHT]
#   (Debian: apt-get install chromium)
set -euo pipefail

report=${1:?usage: $0 REPORT.html [OUT.png] [WIDTHxHEIGHT]}
out=${2:-${report%.html}.png}
size=${3:-1200x2000}

browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [[ -z $browser ]]; then
  echo "screenshot.sh: no chromium found (apt-get install chromium)" >&2
  exit 2
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
# No network, no sync, a throwaway profile: the report must draw from the file alone.
"$browser" --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$profile" --hide-scrollbars \
  --window-size="${size/x/,}" --screenshot="$(realpath -m "$out")" "file://$(realpath "$report")" 2>/dev/null
echo "$out"
