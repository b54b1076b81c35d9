#!/usr/bin/env bash
# End-to-end: `clv simple` prints MISSION.md's industry values and the Gupta-Lehmann closed forms,
# and rejects bad input with the field named. Usage: simple.sh <clv> <shared-data-dir>
set -u
clv=$1
fail=0
expect() {  # expected value, args...
  local want=$1; shift
  local got; got=$("$clv" simple "$@") || { echo "FAIL: clv simple $* exited non-zero"; fail=1; return; }
  python3 -c "import sys; g, w = float(sys.argv[1]), float(sys.argv[2]); sys.exit(abs(g - w) > 1e-9 * max(1, abs(w)))" "$got" "$want" \
    || { echo "FAIL: clv simple $* -> $got, expected $want"; fail=1; }
}
expect_error() {  # pattern, args...
  local pat=$1; shift
  if "$clv" simple "$@" >/dev/null 2>/tmp/clv_simple_err.$$; then echo "FAIL: clv simple $* accepted"; fail=1; return; fi
  grep -qi -- "$pat" /tmp/clv_simple_err.$$ || { echo "FAIL: clv simple $*: message lacks '$pat': $(cat /tmp/clv_simple_err.$$)"; fail=1; }
}
while read -r aov f y v; do expect "$v" --aov "$aov" --purchases-per-year "$f" --lifetime-years "$y"; done <<'ROWS'
40 8 2 640
300 2 5 3000
25 12 1.5 450
60 6 3 1080
20 4 4 320
1000 1 7 7000
80 5 2 800
500 1.5 6 4500
200 1 3 600
150 2 4 1200
ROWS
expect 180 --aov 50 --purchases-per-year 4 --lifetime-years 3 --margin 0.3
# Gupta & Lehmann: m r / (1 + d - r) and m (1 + d) / (1 + d - r)
expect "$(python3 -c 'print(100*0.8/(1.1-0.8))')" --retention 0.8 --discount-rate 0.1 --margin-per-period 100
expect "$(python3 -c 'print(100*1.1/(1.1-0.8))')" --retention 0.8 --discount-rate 0.1 --margin-per-period 100 --margin-timing start
json=$("$clv" simple --aov 50 --purchases-per-year 4 --lifetime-years 3 --json)
python3 -c "import json, sys; j = json.loads(sys.argv[1]); sys.exit(0 if j['value'] == 600 else 1)" "$json" \
  || { echo "FAIL: --json gave $json"; fail=1; }
expect_error lifetime --aov 50 --purchases-per-year 4 --lifetime-years -3
expect_error retention --retention 1.5 --discount-rate 0.1 --margin-per-period 100
expect_error margin --aov 50 --purchases-per-year 4 --lifetime-years 3 --margin 2
expect_error "needs" --aov 50
rm -f /tmp/clv_simple_err.$$
[ $fail -eq 0 ] && echo "clv simple: all cases passed"
exit $fail
