#!/usr/bin/env bash
# End-to-end test of `clv sql`: the SQL it prints, run by SQLite and by a PostgreSQL server this
# script starts (and stops) in a temporary folder, gives `clv summarize`'s summary of the same log,
# customer by customer (the demo log and a small log of awkward cases, several option sets), and
# with --compressed the weighted unique rows of that summary. DuckDB, Spark and BigQuery are not
# run here: their SQL is compared with golden files in tests/golden/sql/ (CLV_UPDATE_GOLDEN=1
# rewrites them). Names that cannot be quoted safely and bad options are refused.
# Skips an engine loudly when it is not installed; fails then under CI=true.
# Usage (CTest): bash sql.sh <path-to-clv> [<shared-data-dir>]
set -u
clv=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
demo=$here/examples/data/demo_transactions.csv
golden=$here/tests/golden/sql
w=$(mktemp -d)
chmod 755 "$w"  # the PostgreSQL server may run as another user and must reach its folder
pg_started=
pg_run() { "$@"; }
cleanup() {
  [ -n "$pg_started" ] && pg_run "$pg_bin/pg_ctl" -D "$w/pg/data" -m immediate stop >/dev/null 2>&1
  rm -rf "$w"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
skipped=0
skip() {
  echo "SKIPPED: $*"
  skipped=$((skipped + 1))
  [ "${CI:-}" = true ] && fail "$* (required under CI=true)"
}

# expect_error NAME PATTERN ARGS...: clv must fail with a message matching PATTERN (grep -E).
expect_error() {
  local name=$1 pattern=$2
  shift 2
  if "$clv" "$@" >"$w/out" 2>"$w/err"; then fail "$name: accepted"; return; fi
  grep -qE -- "$pattern" "$w/err" || fail "$name: message lacks /$pattern/: $(head -c 300 "$w/err")"
}

# --- Options and names that cannot be used -------------------------------------------------------
base=(sql --table t --customer-col c --date-col d)
expect_error "unknown dialect" "dialect.*mysql" "${base[@]}" --dialect mysql
expect_error "missing table" "--table is required" sql --dialect sqlite --customer-col c --date-col d
expect_error "empty column name" "customer column.*empty name" sql --dialect sqlite --table t --customer-col '' --date-col d
expect_error "control character" "date column.*control character" sql --dialect postgres --table t --customer-col c --date-col $'d\nx'
expect_error "BigQuery backtick" "amount column.*backtick" "${base[@]}" --dialect bigquery --amount-col 'a`b'
expect_error "invalid UTF-8" "customer column.*UTF-8" sql --dialect duckdb --table t --customer-col $'c\xff' --date-col d
expect_error "empty part of a table name" "table.*empty part" sql --dialect spark --table 'a..b' --customer-col c --date-col d
expect_error "bad time unit" "time unit.*fortnight" "${base[@]}" --dialect sqlite --time-unit fortnight
expect_error "bad date" "--observation-end.*2024-02-30" "${base[@]}" --dialect sqlite --observation-end 2024-02-30
expect_error "calibration after observation" "calibration end.*after the observation end 2024-02-01.*2024-03-01" \
  "${base[@]}" --dialect sqlite --calibration-end 2024-03-01 --observation-end 2024-02-01
expect_error "bad negative-amounts" "negative-amounts" "${base[@]}" --dialect sqlite --negative-amounts keep

# --- Golden files: the SQL of the dialects that are not run here ----------------------------------
# golden NAME ARGS...: `clv sql ARGS` must print tests/golden/sql/NAME.sql exactly.
golden() {
  local name=$1
  shift
  if ! "$clv" sql "$@" >"$w/golden.sql" 2>"$w/err"; then fail "golden $name: $(head -c 300 "$w/err")"; return; fi
  if [ "${CLV_UPDATE_GOLDEN:-}" = 1 ]; then mkdir -p "$golden" && cp "$w/golden.sql" "$golden/$name.sql"; return; fi
  diff -u "$golden/$name.sql" "$w/golden.sql" >"$w/diff" || fail "golden $name differs: $(head -c 1500 "$w/diff")"
}
for dialect in duckdb spark bigquery; do
  golden "${dialect}_summary" --dialect "$dialect" --table sales.transactions --customer-col customer_id \
    --date-col date --amount-col amount
  golden "${dialect}_holdout" --dialect "$dialect" --table transactions --customer-col 'customer id' \
    --date-col 'ordered "on"' --amount-col Total --time-unit week --calibration-end 2024-09-29 --observation-end 2024-12-31
  golden "${dialect}_compressed" --dialect "$dialect" --table transactions --customer-col customer_id \
    --date-col date --time-unit month --calibration-end 2024-09-29 --compressed
done
golden "bigquery_refunds" --dialect bigquery --table my-project.shop.orders --customer-col customer_id \
  --date-col ordered_at --amount-col total --negative-amounts net

# --- The logs --------------------------------------------------------------------------------------
# Awkward cases: two purchases on one day (also in the holdout), ids with a comma, a quote and an
# apostrophe, a customer whose first purchase is the calibration end (T = 0), customers first
# seen after the calibration end, rows after the observation end, timestamps within a day. Column
# names that need quoting. Times of day are dropped.
cat >"$w/odd.csv" <<'CSV'
customer id,"ordered ""on""",Total
anna,2024-01-05 10:31:00,49.90
ben,2024-01-09 18:02:11,15.00
anna,2024-01-05 16:00:00,10.10
anna,2024-03-01 09:00:00,30.00
"o'brien",2024-02-10 12:00:00,7.25
"x,y",2024-01-20 08:00:00,100
"x,y",2024-02-20 08:00:00,0.1
"x,y",2024-03-20 08:00:00,0.2
"say ""hi""",2024-03-01 00:00:00,12.5
"say ""hi""",2024-03-01 23:59:59,12.5
edge,2024-03-31 17:00:00,5
late,2024-05-01 11:00:00,20
late,2024-05-03 11:00:00,25
anna,2024-07-01 10:00:00,11
anna,2024-07-01 19:00:00,13
ben,2024-08-15 09:30:00,8.5
anna,2024-09-30 23:00:00,1
carl,2024-12-31 23:59:59,99
ben,2025-01-02 10:00:00,3
CSV
# Refunds: a day that nets to zero, a customer whose only day is refunded, a refund that leaves
# some spend (all before the observation end).
cat >"$w/refunds.csv" <<'CSV'
customer_id,date,amount
a,2020-01-01,10
a,2020-01-03,20
a,2020-01-03,-20
a,2020-01-05,30
b,2020-01-02,-5
a,2020-01-09,4
c,2020-01-02,10
c,2020-01-04,8
c,2020-01-04,-3
c,2020-01-06,1
CSV

cat >"$w/compare.py" <<'PY'
# compare.py EXPECTED ACTUAL [compressed]: the engine's CSV against clv summarize's (or, when
# compressed, against summarize's rows grouped by (frequency, recency, T) and counted).
import collections, csv, math, sys
def rows(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))
expected, actual = rows(sys.argv[1]), rows(sys.argv[2])
compressed = len(sys.argv) > 3
if compressed:
    header = expected[0]
    f, r, t = (header.index(c) for c in ("frequency", "recency", "T"))
    counts = collections.Counter((float(row[f]), float(row[r]), float(row[t])) for row in expected[1:])
    expected = [["frequency", "recency", "T", "weight"]] + [[*map(repr, key), str(n)] for key, n in counts.items()]
if actual[0] != expected[0]:
    sys.exit(f"header {actual[0]} != {expected[0]}")
if compressed:
    # Rows in order of (frequency, recency, T); distinct keys are far apart, so printing with 15
    # digits (SQLite) cannot change the order.
    def ordered(rows): return sorted(([float(x) for x in row] for row in rows[1:]), key=lambda row: row[:3])
    pairs = list(zip(ordered(expected), ordered(actual)))
    if len(expected) != len(actual):
        sys.exit(f"{len(actual) - 1} rows, summarize has {len(expected) - 1}")
    names = expected[0]
else:
    def table(rows, name):
        out = {}
        for row in rows[1:]:
            if row[0] in out: sys.exit(f"{name}: customer {row[0]} twice")
            out[row[0]] = row[1:]
        return out
    e, a = table(expected, "summarize"), table(actual, "sql")
    if e.keys() != a.keys():
        sys.exit(f"customers differ: only in summarize {sorted(e.keys() - a.keys())[:5]}, only in sql {sorted(a.keys() - e.keys())[:5]}")
    pairs = [(e[k], a[k]) for k in e]
    names = expected[0][1:]
for want, got in pairs:
    for column, x, y in zip(names, want, got):
        # Monetary values are sums of doubles taken in another order; SQLite prints doubles with
        # 15 significant digits, so the other columns agree to 1e-12.
        tolerance = 1e-9 if column.startswith("monetary") else 1e-12
        if not math.isclose(float(x), float(y), rel_tol=tolerance, abs_tol=0):
            sys.exit(f"row {want}, {column}: summarize {x}, sql {y}")
print(len(pairs))
PY

# The option sets compared: NAME|LOG|AMOUNT (yes or no)|further options of summarize and sql.
cases=(
  "demo_day|demo|yes|"
  "demo_week_holdout|demo|yes|--time-unit week --calibration-end 2024-09-29 --observation-end 2025-03-31"
  "demo_month_default_end|demo|yes|--time-unit month --calibration-end 2024-12-31"
  "demo_no_amount|demo|no|--time-unit 14 --observation-end 2024-10-15"
  "odd_holdout|odd|yes|--calibration-end 2024-03-31 --observation-end 2024-09-30 --time-unit 0.5"
  "odd_default_end|odd|yes|--time-unit week --calibration-end 2024-03-31"
  "odd_observation_end|odd|yes|--observation-end 2024-09-30"
  "odd_no_amount|odd|no|--calibration-end 2024-02-29"
  "refunds_drop|refunds|yes|--negative-amounts drop"
  "refunds_net|refunds|yes|--negative-amounts net --observation-end 2020-01-06"
)
# case_options CASE: sets name, log, table (the engine's table) and opts (options for both commands).
case_options() {
  local amount rest
  IFS='|' read -r name log amount rest <<<"$1"
  read -r -a opts <<<"$rest"
  case $log in
    odd) table="odd log"; opts+=(--customer-col "customer id" --date-col 'ordered "on"')
         [ "$amount" = yes ] && opts+=(--amount-col Total) ;;
    *) table=$log; opts+=(--customer-col customer_id --date-col date)
       [ "$amount" = yes ] && opts+=(--amount-col amount) ;;
  esac
}
log_file() { case $1 in demo) echo "$demo" ;; *) echo "$w/$1.csv" ;; esac; }
summarize_format() { [ "$1" = odd ] && echo '%Y-%m-%d %H:%M:%S' || echo '%Y-%m-%d'; }

# Expected summaries from clv summarize, once per case.
for case in "${cases[@]}"; do
  case_options "$case"
  "$clv" summarize --input "$(log_file "$log")" --date-format "$(summarize_format "$log")" "${opts[@]}" \
    >"$w/$name.expected" 2>"$w/err" || fail "summarize $name: $(head -c 300 "$w/err")"
done

# check_engine ENGINE RUN: RUN FILE.sql prints the query's result as CSV with a header.
check_engine() {
  local engine=$1 run=$2 case n compressed
  for case in "${cases[@]}"; do
    case_options "$case"
    for compressed in "" --compressed; do
      "$clv" sql --dialect "$engine" --table "$table" "${opts[@]}" $compressed >"$w/q.sql" 2>"$w/err" \
        || { fail "$engine $name: clv sql: $(head -c 300 "$w/err")"; continue; }
      "$run" "$w/q.sql" >"$w/actual.csv" 2>"$w/err" \
        || { fail "$engine $name$compressed: the engine refused the SQL: $(head -c 500 "$w/err")"; continue; }
      if n=$(/usr/bin/python3 "$w/compare.py" "$w/$name.expected" "$w/actual.csv" $compressed 2>&1); then
        echo "ok: $engine $name$compressed ($n rows)"
      else
        fail "$engine $name$compressed: $n"
      fi
    done
  done
  # The compressed table is what clv fit reads: the same fit as from summarize's summary.
  case_options "${cases[1]}"
  "$clv" sql --dialect "$engine" --table "$table" "${opts[@]}" --compressed >"$w/q.sql" &&
    "$run" "$w/q.sql" >"$w/compressed.csv" 2>"$w/err" &&
    "$clv" fit --model bgnbd --input "$w/compressed.csv" --weight-col weight --time-unit week >"$w/fit_sql.json" 2>"$w/err" &&
    "$clv" fit --model bgnbd --input "$w/$name.expected" --time-unit week >"$w/fit_summarize.json" 2>>"$w/err" &&
    /usr/bin/python3 - "$w/fit_sql.json" "$w/fit_summarize.json" <<'PY' || fail "$engine: fit on the compressed table: $(head -c 300 "$w/err")"
import json, math, sys
a, b = (json.load(open(path)) for path in sys.argv[1:])
assert a["n_customers"] == b["n_customers"], (a["n_customers"], b["n_customers"])
assert math.isclose(a["log_likelihood"], b["log_likelihood"], rel_tol=1e-9), (a["log_likelihood"], b["log_likelihood"])
for k, v in b["params"].items(): assert math.isclose(a["params"][k], v, rel_tol=1e-6), (k, a["params"][k], v)
PY
  # A calibration end after the last date in the table: summarize refuses, the SQL gives no rows.
  "$clv" sql --dialect "$engine" --table demo --customer-col customer_id --date-col date --calibration-end 2030-01-01 \
    >"$w/q.sql" && "$run" "$w/q.sql" >"$w/actual.csv" 2>"$w/err" || fail "$engine late calibration end: $(head -c 300 "$w/err")"
  [ "$(wc -l <"$w/actual.csv")" -le 1 ] || fail "$engine late calibration end: rows $(head -c 300 "$w/actual.csv")"
  # A column that does not exist is the engine's error, never a constant.
  "$clv" sql --dialect "$engine" --table demo --customer-col customer --date-col date >"$w/q.sql"
  if "$run" "$w/q.sql" >"$w/actual.csv" 2>"$w/err"; then fail "$engine: unknown column accepted: $(head -c 300 "$w/actual.csv")"; fi
}

# --- SQLite ----------------------------------------------------------------------------------------
if command -v sqlite3 >/dev/null; then
  sqlite3 -bail "$w/logs.db" <<SQL || fail "sqlite: cannot load the logs"
.mode csv
.import $demo demo
.import $w/odd.csv "odd log"
.import $w/refunds.csv refunds
SQL
  run_sqlite() { sqlite3 -bail -csv -header "$w/logs.db" <"$1"; }
  check_engine sqlite run_sqlite
else
  skip "sqlite3 is not installed (Debian package sqlite3): the SQLite equivalence is not checked"
fi

# --- PostgreSQL ------------------------------------------------------------------------------------
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ] && command -v psql >/dev/null; then
  mkdir -p "$w/pg"
  # PostgreSQL refuses to run as root: then the server runs as nobody, in a folder it owns.
  if [ "$(id -u)" = 0 ]; then
    chown nobody "$w/pg"
    pg_run() { setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"; }
  fi
  pg_started=1  # from here on the exit stops the server, also after a start that timed out
  if pg_run "$pg_bin/initdb" -D "$w/pg/data" -U clv --auth=trust --no-locale -E UTF8 >"$w/pg/initdb.log" 2>&1 &&
     pg_run "$pg_bin/pg_ctl" -D "$w/pg/data" -w -t 60 -l "$w/pg/server.log" \
       -o "-c listen_addresses='' -c unix_socket_directories='$w/pg' -c fsync=off" start >/dev/null 2>&1; then
    psql_run() { psql -X -q -v ON_ERROR_STOP=1 -h "$w/pg" -U clv -d postgres "$@"; }
    # Dates as text (demo), as timestamps (odd) and as the date type (refunds).
    psql_run <<SQL >/dev/null || fail "postgres: cannot load the logs"
CREATE TABLE demo (customer_id text, date text, amount double precision, category text);
\copy demo FROM '$demo' CSV HEADER
CREATE TABLE "odd log" ("customer id" text, "ordered ""on""" timestamp, "Total" numeric);
\copy "odd log" FROM '$w/odd.csv' CSV HEADER
CREATE TABLE refunds (customer_id text, date date, amount numeric(10, 2));
\copy refunds FROM '$w/refunds.csv' CSV HEADER
SQL
    run_postgres() { psql_run --csv -f "$1"; }
    check_engine postgres run_postgres
  else
    fail "postgres: the server did not start: $(tail -c 500 "$w/pg/initdb.log" "$w/pg/server.log" 2>/dev/null)"
  fi
else
  skip "PostgreSQL is not installed (Debian package postgresql): the PostgreSQL equivalence is not checked"
fi

if [ "$failures" -ne 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
[ "$skipped" -eq 0 ] && echo "all sql checks passed" || echo "the sql checks that ran passed; $skipped engine(s) SKIPPED"
