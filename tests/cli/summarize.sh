#!/usr/bin/env bash
# End-to-end test of `clv summarize`: the CDNOW sample against BTYD's summary, bad input rejected
# with messages naming the place, awkward but valid CSV read right.
# Usage (CTest): bash summarize.sh <path-to-clv> <shared-data-dir>
set -u
clv=$1
data=${2:-}
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect_error NAME PATTERN ARGS...: the command must fail and stderr must match PATTERN (grep -E).
expect_error() {
  local name=$1 pattern=$2
  shift 2
  if "$clv" "$@" >"$w/out" 2>"$w/err"; then fail "$name: accepted"; return; fi
  grep -qE -- "$pattern" "$w/err" || fail "$name: message lacks /$pattern/: $(head -c 200 "$w/err")"
}

"$clv" summarize --help >"$w/help" || fail "--help exits non-zero"
grep -q -- "--calibration-end" "$w/help" || fail "--help does not list --calibration-end"

# Bad input: each message names the file and line:column and the offending value.
printf 'id,date,amount\na,2020-01-01,10\na,2020-02-01,5\nb,2020-13-45,7\n' >"$w/baddate.csv"
expect_error "unparsable date" "baddate.csv:4:2: .*'2020-13-45'" summarize --input "$w/baddate.csv" --customer-col id --date-col date
expect_error "missing column" "no such column.*'id', 'date', 'amount'.*'when'" summarize --input "$w/baddate.csv" --customer-col id --date-col when
: >"$w/empty.csv"
expect_error "empty file" "empty.csv: empty file" summarize --input "$w/empty.csv" --customer-col id --date-col date
printf 'id,date,amount\na,2020-01-01,10\na,2020-02-01,abc\n' >"$w/badnum.csv"
expect_error "bad amount" "badnum.csv:3:3: .*'abc'" summarize --input "$w/badnum.csv" --customer-col id --date-col date --amount-col amount
printf 'id,date,amount\na,2020-01-01,10\na,2020-02-01,-5\n' >"$w/negative.csv"
expect_error "negative amount" "negative.csv:3:3: .*'-5'" summarize --input "$w/negative.csv" --customer-col id --date-col date --amount-col amount
printf 'id,date,amount\na,2020-01-01,10\nb,2020-02-01\n' >"$w/ragged.csv"
expect_error "ragged row" "ragged.csv:3: record has 2 fields" summarize --input "$w/ragged.csv" --customer-col id --date-col date
printf 'id,date,amount\na,2020-01-01,10\n"b,2020-02-01,5\n' >"$w/quote.csv"
expect_error "unterminated quote" "quote.csv:3:1: unterminated" summarize --input "$w/quote.csv" --customer-col id --date-col date
expect_error "missing file" "nosuch.csv" summarize --input "$w/nosuch.csv" --customer-col id --date-col date
expect_error "bad time unit" "fortnight" summarize --input "$w/badnum.csv" --customer-col id --date-col date --time-unit fortnight
expect_error "bad end date" "2020-02-30" summarize --input "$w/badnum.csv" --customer-col id --date-col date --observation-end 2020-02-30
expect_error "delimiter and whitespace" "excludes" summarize --input "$w/badnum.csv" --customer-col id --date-col date --delimiter ';' --whitespace

# Issue 9: sums that overflow, refunds, rows left out, messages that say the fix, outputs that never
# destroy an input.
printf 'id,date,amount\na,2020-01-01,1\na,2020-01-02,1e308\na,2020-01-02,1.5e308\n' >"$w/overflow.csv"
expect_error "overflowing same-day sum" "overflow.csv:4:3: .*sum to more than a double can hold" summarize --input "$w/overflow.csv" --customer-col id --date-col date --amount-col amount
expect_error "negative amount names the option" "negative.csv:3:3: .*--negative-amounts drop or net" summarize --input "$w/negative.csv" --customer-col id --date-col date --amount-col amount
printf 'id,date,amount\na,2020-01-01,10\na,2020-01-03,20\na,2020-01-03,-20\na,2020-01-05,30\nb,2020-01-02,-5\na,2020-01-09,4\n' >"$w/refunds.csv"
if "$clv" summarize --input "$w/refunds.csv" --customer-col id --date-col date --amount-col amount --negative-amounts net \
    --observation-end 2020-01-06 >"$w/net.csv" 2>"$w/err"; then
  grep -q '^a,1,4,5,30$' "$w/net.csv" || fail "net: wrong summary: $(cat "$w/net.csv")"
  grep -q '^clv: ignored 1 row after the observation end 2020-01-06$' "$w/err" || fail "net: no count of late rows: $(cat "$w/err")"
  grep -q '^clv: did not count 2 purchase days' "$w/err" || fail "net: no count of netted days: $(cat "$w/err")"
  grep -q '^clv: left out 1 customer whose every purchase day was refunded' "$w/err" || fail "net: no count of refunded customers: $(cat "$w/err")"
else
  fail "--negative-amounts net rejected: $(head -c 200 "$w/err")"
fi
if "$clv" summarize --input "$w/refunds.csv" --customer-col id --date-col date --amount-col amount --negative-amounts drop \
    >"$w/drop.csv" 2>"$w/err"; then
  grep -q '^a,3,8,8,18$' "$w/drop.csv" || fail "drop: wrong summary: $(cat "$w/drop.csv")"
  grep -q '^clv: dropped 2 rows with a negative amount' "$w/err" || fail "drop: no count: $(cat "$w/err")"
else
  fail "--negative-amounts drop rejected: $(head -c 200 "$w/err")"
fi
expect_error "bad --negative-amounts" "negative-amounts" summarize --input "$w/refunds.csv" --customer-col id --date-col date --negative-amounts ignore
printf 'id,date\nc,2020-01-01\nd,2020-03-01\nc,2020-02-01\n' >"$w/late.csv"
"$clv" summarize --input "$w/late.csv" --customer-col id --date-col date --calibration-end 2020-02-15 >"$w/out" 2>"$w/err" || fail "late customers: $(cat "$w/err")"
grep -q '^clv: ignored 1 row of 1 customer whose first purchase is after the calibration end 2020-02-15$' "$w/err" || fail "late customers not counted: $(cat "$w/err")"
cp "$w/badnum.csv" "$w/keep.csv"
expect_error "output over the input" "same file as the input" summarize --input "$w/keep.csv" --customer-col id --date-col date --output "$w/keep.csv"
expect_error "output over the input through another path" "same file as the input" summarize --input "$w/keep.csv" --customer-col id --date-col date --output "$w/./keep.csv"
cmp -s "$w/badnum.csv" "$w/keep.csv" || fail "the input was changed by a refused --output"
expect_error "folder as input" "is a folder, not a file" summarize --input "$w" --customer-col id --date-col date
expect_error "output in a missing folder" "No such file or directory" summarize --input "$w/late.csv" --customer-col id --date-col date --output "$w/nosuch/out.csv"
printf 'id date amount\na 2020-01-01 1\n' >"$w/blanks.txt"
expect_error "blank-separated file suggests --whitespace" "use --whitespace" summarize --input "$w/blanks.txt" --customer-col id --date-col date
expect_error "column number with a header suggests --no-header" "use --no-header" summarize --input "$w/late.csv" --customer-col 1 --date-col 2
expect_error "misspelt column" "did you mean 'date'" summarize --input "$w/late.csv" --customer-col id --date-col dat

# Awkward but valid: BOM, CRLF, quoted id with comma, doubled quote and line break; --output file.
printf '\xef\xbb\xbfid;date;amount\r\n"Smith; ""J""\nLtd";01/01/2020;10\r\n"Smith; ""J""\nLtd";03/01/2020;30\r\nb;02/01/2020;7\r\n' >"$w/quoted.csv"
if "$clv" summarize --input "$w/quoted.csv" --delimiter ';' --customer-col id --date-col date --amount-col amount \
    --date-format %d/%m/%Y --observation-end 2020-01-05 --output "$w/quoted_summary.csv" 2>"$w/err"; then
  python3 - "$w/quoted_summary.csv" <<'PY' || fail "quoted CSV: wrong summary: $(head -c 300 "$w/quoted_summary.csv")"
import csv, sys
rows = {r["customer_id"]: r for r in csv.DictReader(open(sys.argv[1], newline=""))}
s, b = rows['Smith; "J"\nLtd'], rows["b"]
assert [float(s[k]) for k in ("frequency", "recency", "T", "monetary_value")] == [1, 2, 4, 30], s
assert [float(b[k]) for k in ("frequency", "recency", "T", "monetary_value")] == [0, 0, 3, 0], b
PY
else
  fail "quoted CSV rejected: $(head -c 200 "$w/err")"
fi

# CDNOW: the raw sample log reproduces BTYD's cdnowSummary$cbs for every customer.
if [ -z "$data" ] || [ ! -f "$data/cdnow/CDNOW_sample.txt" ]; then
  echo "SKIPPED: CDNOW comparison, reference data not found at '$data'"
  [ "${CI:-}" = "true" ] && fail "reference data missing under CI"
else
  if "$clv" summarize --input "$data/cdnow/CDNOW_sample.txt" --whitespace --no-header --customer-col 2 --date-col 3 \
      --amount-col 5 --date-format %Y%m%d --time-unit week --calibration-end 1997-09-30 \
      --observation-end 1998-06-30 >"$w/cdnow.csv" 2>"$w/err"; then
    python3 - "$w/cdnow.csv" "$data/cdnow/cdnow_btyd_cbs.csv" <<'PY' || fail "CDNOW summary differs from BTYD"
import csv, sys
got = list(csv.DictReader(open(sys.argv[1])))
ref = list(csv.DictReader(open(sys.argv[2])))
assert len(got) == len(ref) == 2357, (len(got), len(ref))
bad = 0
for g, r in zip(got, ref):
    assert int(g["customer_id"]) == int(r["cust"])
    for gc, rc in [("frequency", "x"), ("recency", "t.x"), ("T", "T.cal"), ("frequency_holdout", "x.star"), ("monetary_value", "m.x")]:
        if abs(float(g[gc]) - float(r[rc])) > 1e-9 * max(1, abs(float(r[rc]))):
            bad += 1
            if bad <= 5: print("customer", r["cust"], gc, g[gc], "!=", r[rc])
    assert float(g["duration_holdout"]) == 39
print(f"CDNOW: {len(ref) - bad}/{len(ref)} customers match BTYD")
sys.exit(1 if bad else 0)
PY
  else
    fail "clv summarize failed on CDNOW: $(head -c 200 "$w/err")"
  fi
fi

[ "$failures" -eq 0 ] && echo "summarize: all checks passed"
[ "$failures" -eq 0 ]
