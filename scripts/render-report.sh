#!/usr/bin/env bash
# Renders an HTML file (e.g. the page of `clv report`) to a PNG with headless Chromium (Debian's
# `chromium`), installing it with apt-get when it is missing and we may.
# Usage: scripts/render-report.sh REPORT.html OUT.png [WIDTH HEIGHT]   (default 1280 x 4000 pixels)
# Exits 3 when Chromium is not there and cannot be installed, 1 when rendering fails.
set -u
[ $# -ge 2 ] || { echo "usage: $0 REPORT.html OUT.png [WIDTH HEIGHT]" >&2; exit 2; }
html=$1; png=$2; width=${3:-1280}; height=${4:-4000}
[ -f "$html" ] || { echo "render-report: no such file: $html" >&2; exit 2; }
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "render-report: installing chromium with apt-get" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1
  fi
  command -v chromium >/dev/null 2>&1 || { echo "render-report: chromium is not installed and could not be installed" >&2; exit 3; }
fi
profile=$(mktemp -d); trap 'rm -rf "$profile"' EXIT
abs=$(cd "$(dirname "$html")" && pwd)/$(basename "$html")
out=$(cd "$(dirname "$png")" && pwd)/$(basename "$png")
rm -f "$out"
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$profile" \
  --screenshot="$out" --window-size="$width,$height" "file://$abs" >"$profile/log" 2>&1
[ -s "$out" ] || { echo "render-report: chromium wrote no picture: $(grep -v '^$' "$profile/log" | tail -n 3)" >&2; exit 1; }
echo "$out"
