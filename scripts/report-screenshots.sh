#!/usr/bin/env bash
# Screenshots of the sections of a `clv report` page, one PNG per section, for docs/analyses.md:
# each section is cut out of the page into a page of its own (same styles) and rendered with
# headless Chromium (scripts/render-report.sh).
# Usage: scripts/report-screenshots.sh REPORT.html OUT_DIR [SECTION:HEIGHT ...]
#   default sections: value churn cohorts retention growth potential satisfaction, 1100 px wide.
set -eu
[ $# -ge 2 ] || { echo "usage: $0 REPORT.html OUT_DIR [SECTION:HEIGHT ...]" >&2; exit 2; }
html=$1; out=$2; shift 2
sections=("$@")
[ ${#sections[@]} -gt 0 ] || sections=(value:1900 churn:1950 cohorts:850 retention:1250 growth:800 potential:1900 satisfaction:1700)
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"; w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
for entry in "${sections[@]}"; do
  id=${entry%%:*}; height=${entry#*:}
  /usr/bin/python3 - "$html" "$id" "$w/$id.html" <<'PY'
import re, sys
page, wanted, target = open(sys.argv[1], encoding="utf-8").read(), sys.argv[2], sys.argv[3]
head = page[:page.index("<body")]
match = re.search(r'<section id="%s">.*?</section>' % re.escape(wanted), page, re.S)
if not match: sys.exit(f"report-screenshots: the page has no section '{wanted}'")
open(target, "w", encoding="utf-8").write(head + "<body><main>" + match.group(0) + "</main></body></html>")
PY
  "$here/render-report.sh" "$w/$id.html" "$out/analysis-$id.png" 1100 "$height" > /dev/null
  echo "$out/analysis-$id.png"
done
