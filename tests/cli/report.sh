#!/usr/bin/env bash
# End-to-end: `clv report` on the demo data (log with a category column, attributes, survey,
# subscriptions) and on
# the CDNOW sample when ../shared/data is there: the page parses as HTML, holds every section its
# inputs allow with inline SVG charts and no external reference; missing optional inputs leave a
# note; bad inputs get one clear error line.
# Usage: report.sh <clv> <shared-data-dir>
set -u
clv=$1; shared=$2
here=$(cd "$(dirname "$0")/../.." && pwd); demo=$here/examples/data
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
fail=0
log_options=(--transactions "$demo/demo_transactions.csv" --customer-col customer_id --date-col date --amount-col amount
             --time-unit week --calibration-end 2024-09-29 --observation-end 2025-06-29)
run() {  # run NAME COMMAND...: fails the test on a non-zero exit
  local name=$1; shift
  "$@" > "$w/$name.out" 2> "$w/$name.err" || { echo "FAIL: $name exited $?: $(head -c 300 "$w/$name.err")"; fail=1; }
}
refuses() {  # refuses NAME PATTERN COMMAND...: must exit 1 with PATTERN in its one-line error
  local name=$1 pattern=$2; shift 2
  "$@" > /dev/null 2> "$w/$name.err"; local rc=$?
  if [ $rc -ne 1 ] || ! grep -q -- "$pattern" "$w/$name.err"; then
    echo "FAIL: $name: exit $rc, stderr: $(head -c 300 "$w/$name.err") (wanted '$pattern')"; fail=1
  fi
}
check() {  # check PAGE SECTIONS MIN_SVG [PHRASE...]: structure of a written report
  /usr/bin/python3 - "$@" <<'PY' || fail=1
import re, sys
from html.parser import HTMLParser
path, sections, min_svg, phrases = sys.argv[1], sys.argv[2].split(","), int(sys.argv[3]), sys.argv[4:]
html = open(path, encoding="utf-8").read(); bad = []
class Nesting(HTMLParser):
    void = {"meta", "br", "img", "hr", "input", "link"}
    def __init__(self):
        super().__init__(); self.stack = []; self.errors = []
    def handle_starttag(self, tag, attrs):
        if tag not in self.void: self.stack.append(tag)
    def handle_startendtag(self, tag, attrs): pass
    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag: self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
        else: self.stack.pop()
p = Nesting(); p.feed(html); p.close()
if p.errors or p.stack: bad.append(f"{path}: unbalanced tags: {(p.errors + p.stack)[:3]}")
ids = re.findall(r'<section id="([^"]+)"', html)
missing = [s for s in sections if s and s not in ids]
if missing: bad.append(f"{path}: sections missing: {missing} (have {ids})")
svgs = len(re.findall(r"<svg\b", html))
if svgs < min_svg: bad.append(f"{path}: {svgs} svg charts, want >= {min_svg}")
if re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:|//)""", html, re.I) or "<script" in html or "url(" in html:
    bad.append(f"{path}: external reference or script")
for phrase in phrases:
    if phrase not in html: bad.append(f"{path}: no '{phrase}'")
if re.search(r">(?:nan|-?inf)<", html): bad.append(f"{path}: a raw nan/inf is shown")
for b in bad: print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
}

# Everything: the demo log with its categories, attributes, survey and subscriptions.
run full "$clv" report "${log_options[@]}" --product-col category --attributes "$demo/demo_attributes.csv" \
  --survey "$demo/demo_survey.csv" --margin 0.3 --annual-discount-rate 0.1 --contractual "$demo/demo_subscriptions.csv" \
  --contract-period month --margin-per-period 9.5 --output "$w/full.html"
check "$w/full.html" models,holdout,histogram,tracking,matrices,value,churn,cohorts,retention,growth,potential,satisfaction 16 \
  "Churn drivers" "Cross-sell candidates" "Spearman rank correlations" "Products bought together" "channel" \
  "games" "electronics" "satisfaction" "Renewal rate" "sBG projection" "Observed 2024-10" "value of a new customer" \
  "Active customers by renewals made" "months" "2,600 customers in demo_subscriptions.csv"
grep -q "wrote $w/full.html" "$w/full.err" || { echo "FAIL: no summary line on stderr: $(cat "$w/full.err")"; fail=1; }
grep -q "clv report \[" "$w/full.err" && { echo "FAIL: progress lines although stderr is not a terminal"; fail=1; }

# Only the log, no calibration: the optional sections are left out with a note, nothing fails.
run minimal "$clv" report --transactions "$demo/demo_transactions.csv" --customer-col customer_id --date-col date \
  --time-unit week --model bgnbd --output "$w/minimal.html"
check "$w/minimal.html" models,histogram,value,churn,cohorts 8 "no --survey file was given" "no --attributes file was given" \
  "no --product-col was given" "no --calibration-end was given" "discounted purchases" "no --contractual file was given"

# Subscriptions one row per customer (tenure,churned), no margin: the curves and lifetimes, no money.
# Half the members leave within two years, the other half stay for six to eight.
printf 'customer_id,tenure,churned\n' > "$w/members.csv"
for i in $(seq 1 30); do printf 'Q%d,%d,%d\n' "$i" $((i % 2 + 1)) $((i % 5 != 0)); done >> "$w/members.csv"
for i in $(seq 1 30); do printf 'L%d,%d,%d\n' "$i" $((i % 3 + 6)) $((i % 4 == 0)); done >> "$w/members.csv"
run members "$clv" report "${log_options[@]}" --contractual "$w/members.csv" --output "$w/members.html"
check "$w/members.html" retention 10 "60 customers in members.csv" "give --margin-per-period for values" "years" "sBG model"
# Everyone leaves at the same rate (no heterogeneity): the sBG's beta runs off, the observed curves stay.
printf 'tenure,churned\n' > "$w/same.csv"
for i in $(seq 1 60); do printf '%d,%d\n' $((i % 7 + 1)) $((i % 3 == 0)); done >> "$w/same.csv"
run same "$clv" report "${log_options[@]}" --contractual "$w/same.csv" --output "$w/same.html"
check "$w/same.html" retention 10 "The sBG fit of same.csv failed" "the retention section shows the observed curves only" "Observed"

# Progress on a terminal (script gives the program one): stages, rows read, fit iterations.
if command -v script > /dev/null; then
  script -qec "$clv report ${log_options[*]} --contractual $demo/demo_subscriptions.csv --output $w/tty.html" /dev/null \
    > "$w/tty.out" 2>&1 || { echo "FAIL: report on a terminal: $(tail -c 300 "$w/tty.out")"; fail=1; }
  for pattern in "clv report \[" "read [0-9]* rows: 5000 customers" "fitting MBG/NBD (3 of 3)" "on the whole period: [0-9]* iterations, converged" \
                 "Gamma-Gamma: [0-9]* iterations" "sBG: [0-9]* iterations, converged" "writing"; do
    grep -q -- "$pattern" "$w/tty.out" || { echo "FAIL: no progress line '$pattern' on a terminal: $(head -c 600 "$w/tty.out")"; fail=1; }
  done
else
  echo "SKIPPED: no 'script' program to run the report on a terminal"
fi

# Bad inputs: one clear line each, no file written.
printf 'customer_id,channel\nX1,web\nX2,store\n' > "$w/foreign.csv"
refuses foreign_ids "none of the 2 ids matches a customer" "$clv" report "${log_options[@]}" --attributes "$w/foreign.csv" --output "$w/bad.html"
refuses no_product_column "category2" "$clv" report "${log_options[@]}" --product-col category2 --output "$w/bad.html"
refuses missing_survey "nosuch.csv" "$clv" report "${log_options[@]}" --survey "$w/nosuch.csv" --output "$w/bad.html"
refuses output_is_input "same file" "$clv" report "${log_options[@]}" --output "$demo/demo_transactions.csv"
printf 'period,churned\n1,0\n' > "$w/not_contractual.csv"
refuses bad_contractual "no such column" "$clv" report "${log_options[@]}" --contractual "$w/not_contractual.csv" --output "$w/bad.html"
printf 'period,active\n0,100\n1,120\n' > "$w/growing.csv"
refuses growing_cohort "growing.csv:3" "$clv" report "${log_options[@]}" --contractual "$w/growing.csv" --output "$w/bad.html"
refuses margin_without_file "give the contractual file" "$clv" report "${log_options[@]}" --margin-per-period 5 --output "$w/bad.html"
refuses bad_period "fortnight" "$clv" report "${log_options[@]}" --contractual "$demo/demo_subscriptions.csv" --contract-period fortnight --output "$w/bad.html"
refuses contractual_is_output "same file" "$clv" report "${log_options[@]}" --contractual "$w/growing.csv" --output "$w/growing.csv"
refuses bad_model "model" "$clv" report "${log_options[@]}" --model weibull --output "$w/bad.html"
refuses both_rates "excludes" "$clv" report "${log_options[@]}" --discount-rate 0.01 --annual-discount-rate 0.1 --output "$w/bad.html"
[ -e "$w/bad.html" ] && { echo "FAIL: a refused report left a file"; fail=1; }

# CDNOW (the acceptance check's command): at least 6 charts.
cdnow=$shared/cdnow/CDNOW_sample.txt
if [ -f "$cdnow" ]; then
  run cdnow "$clv" report --transactions "$cdnow" --whitespace --no-header --customer-col 2 --date-col 3 --amount-col 5 \
    --date-format %Y%m%d --time-unit week --calibration-end 1997-09-30 --observation-end 1998-06-30 --margin 0.3 \
    --output "$w/cdnow.html"
  check "$w/cdnow.html" models,holdout,histogram,tracking,matrices,value,churn,cohorts,growth 6 "2,357" "1997-09-30"
else
  echo "SKIPPED: reference data not found at $cdnow"
  [ "${CI:-}" = true ] && fail=1
fi
[ $fail -eq 0 ] && echo "report: all checks passed"
exit $fail
