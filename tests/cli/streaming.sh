#!/usr/bin/env bash
# `clv predict` and `clv value` as filters (issue 8): standard input in, standard output out, chunk by
# chunk; partitions without a header scored apart and concatenated; each output must be byte for
# byte the one-chunk run over the whole file (the non-streaming computation: one table, one call).
# And --threads: fit, predict and value give the same bytes on 1 and 2 threads.
# Usage: streaming.sh <clv> <shared-data-dir>
set -u
clv=$1; data=$2/cdnow
if [ ! -f "$data/cdnow_btyd_cbs.csv" ]; then
  echo "SKIPPED: reference data not found at $data"
  [ "${CI:-}" = true ] && exit 1 || exit 0
fi
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
cd "$w" || exit 1
fail=0
bad() { echo "FAIL: $*"; fail=1; }
same() { cmp -s "$1" "$2" || bad "$3: $1 and $2 differ ($(diff "$1" "$2" | head -3 | tr '\n' ' '))"; }

# CDNOW's calibration summary with spend (BTYD's cbs), rows in a scrambled order so that ids are
# hashed, not found ascending.
python3 - "$data/cdnow_btyd_cbs.csv" <<'PY'
import csv, random, sys
rows = list(csv.DictReader(open(sys.argv[1])))
random.Random(8).shuffle(rows)
with open("cbs.csv", "w") as f:
    f.write("customer_id,frequency,recency,T,monetary_value\n")
    for r in rows: f.write(f"{r['cust']},{r['x']},{r['t.x']},{r['T.cal']},{r['m.x']}\n")
PY
for m in bgnbd pnbd gg; do
  "$clv" fit --model $m --input cbs.csv --time-unit week --output $m.json >/dev/null 2>err || bad "fit $m: $(cat err)"
done
n=$(($(wc -l < cbs.csv) - 1))

# 1. predict: the whole file in one chunk (--output) against standard input in chunks of 1, 100, 2356.
for m in bgnbd pnbd; do
  args=(predict --model-file $m.json --horizon 39 --discount-rate 0.0027 --alive-at-horizon --pmf 3)
  "$clv" "${args[@]}" --input cbs.csv --output whole_$m.csv 2>err || bad "predict $m: $(cat err)"
  [ "$(wc -l < whole_$m.csv)" -eq $((n + 1)) ] || bad "predict $m wrote $(wc -l < whole_$m.csv) lines for $n customers"
  for rows in 1 100 $((n - 1)); do
    "$clv" "${args[@]}" --input - --chunk-rows $rows < cbs.csv > stream_$m.csv 2>err || bad "predict $m --input -: $(cat err)"
    same whole_$m.csv stream_$m.csv "predict $m in chunks of $rows"
  done
done

# Gamma-Gamma's expected spend per customer streams the same way.
"$clv" predict --model-file gg.json --input cbs.csv --output whole_gg.csv 2>err || bad "predict gg: $(cat err)"
[ "$(wc -l < whole_gg.csv)" -eq $((n + 1)) ] || bad "predict gg wrote $(wc -l < whole_gg.csv) lines for $n customers"
for rows in 1 100; do
  "$clv" predict --model-file gg.json --input - --chunk-rows $rows < cbs.csv > stream_gg.csv 2>err || bad "predict gg --input -: $(cat err)"
  same whole_gg.csv stream_gg.csv "predict gg in chunks of $rows"
done

# 2. Partitions without a header (as RDD.pipe, Hadoop streaming or GNU parallel --pipe hand them
#    over), scored in parallel and concatenated under one header line.
tail -n +2 cbs.csv > body.csv && split -n l/3 body.csv part_
part_args=(--no-header --customer-col 1 --frequency-col 2 --recency-col 3 --T-col 4 --no-output-header)
ls part_* | xargs -P 3 -I{} sh -c "\"$clv\" predict --model-file bgnbd.json --horizon 39 --discount-rate 0.0027 \
  --alive-at-horizon --pmf 3 ${part_args[*]} --input - < {} > {}.out 2>{}.err" || bad "partitions: $(cat part_*.err)"
{ head -n 1 whole_bgnbd.csv; cat part_aa.out part_ab.out part_ac.out; } > joined.csv
same whole_bgnbd.csv joined.csv "three partitions scored apart and concatenated"
: | "$clv" predict --model-file bgnbd.json --horizon 39 "${part_args[@]}" --input - > empty.csv 2>err \
  || bad "an empty partition is an error: $(cat err)"
[ -s empty.csv ] && bad "an empty partition gave output: $(head -c 100 empty.csv)"
if command -v parallel >/dev/null; then
  tail -n +2 cbs.csv | parallel --pipe -k --block 20k "\"$clv\" predict --model-file bgnbd.json --horizon 39 \
    --discount-rate 0.0027 --alive-at-horizon --pmf 3 ${part_args[*]} --input -" > parallel.out 2>err || bad "GNU parallel: $(cat err)"
  { head -n 1 whole_bgnbd.csv; cat parallel.out; } > joined.csv
  same whole_bgnbd.csv joined.csv "GNU parallel --pipe"
fi

# 3. value: Gamma-Gamma spend and the input's columns carried, per-customer intervals from draws
#    (the same seeded draws in every chunk); the repeat buyers' mean spend needs the file.
for spend in "--spend-model gg.json" "--order-value 30" "--own-spend"; do
  args=(value --transaction-model bgnbd.json $spend --annual-discount-rate 0.1 --margin 0.3 --keep-input-columns)
  "$clv" "${args[@]}" --input cbs.csv --output whole.csv 2>err || bad "value $spend: $(cat err)"
  "$clv" "${args[@]}" --input cbs.csv --chunk-rows 7 > chunked.csv 2>err || bad "value $spend in chunks: $(cat err)"
  same whole.csv chunked.csv "value $spend in chunks of 7"
done
"$clv" value --transaction-model bgnbd.json --spend-model gg.json --horizon 52 --input - < cbs.csv > stream.csv 2>err \
  || bad "value --input -: $(cat err)"
"$clv" value --transaction-model bgnbd.json --spend-model gg.json --horizon 52 --input cbs.csv > whole.csv 2>/dev/null
same whole.csv stream.csv "value with a horizon from standard input"
"$clv" value --transaction-model bgnbd.json --order-value 30 --horizon 52 --intervals 0.9 --draws 20 --input cbs.csv \
  > whole.csv 2>err || bad "value --intervals: $(cat err)"
grep -q "90 % interval" err || bad "one chunk: no interval of the total: $(cat err)"
"$clv" value --transaction-model bgnbd.json --order-value 30 --horizon 52 --intervals 0.9 --draws 20 --input - \
  --chunk-rows 500 < cbs.csv > stream.csv 2>err || bad "value --intervals in chunks: $(cat err)"
same whole.csv stream.csv "per-customer intervals in chunks of 500"
grep -q "needs the whole summary in one chunk" err || bad "chunks: the total's interval is not said to be missing: $(cat err)"
"$clv" value --transaction-model bgnbd.json --own-spend --input - < cbs.csv >/dev/null 2>err && bad "--own-spend from standard input accepted"
grep -q "^clv: error: .*--own-spend.*not standard input" err || bad "--own-spend from standard input: $(cat err)"

# 4. Errors name standard input with line and column; a repeated id within a chunk is refused.
{ head -n 3 cbs.csv; echo "x,1,9,2,5"; } | "$clv" predict --model-file bgnbd.json --horizon 39 --input - >/dev/null 2>err \
  && bad "recency > T on standard input accepted"
grep -q "^clv: error: standard input:4:3: field 'recency'" err || bad "error on standard input: $(cat err)"
{ head -n 3 cbs.csv; sed -n 2p cbs.csv; } | "$clv" predict --model-file bgnbd.json --horizon 39 --input - >/dev/null 2>err \
  && bad "a repeated id accepted"
grep -q "^clv: error: standard input:4:1: field 'customer_id'.*duplicate customer id" err || bad "repeated id: $(cat err)"
printf 'customer_id,frequency,recency,T\n' | "$clv" predict --model-file bgnbd.json --horizon 39 --input - >/dev/null 2>err \
  && bad "a summary without rows accepted"
grep -q "standard input: no data rows" err || bad "a summary without rows: $(cat err)"

# 5. --threads: the same bytes for 1 and 2 threads (fixed blocks, fixed order of the sums).
for m in bgnbd pnbd gg; do
  for t in 1 2; do "$clv" fit --model $m --input cbs.csv --time-unit week --threads $t > fit_$t.json 2>err || bad "fit $m --threads $t: $(cat err)"; done
  same fit_1.json fit_2.json "fit $m with 1 and 2 threads"
done
for t in 1 2; do
  "$clv" predict --model-file pnbd.json --horizon 39 --discount-rate 0.0027 --pmf 2 --threads $t --input cbs.csv > p_$t.csv 2>err \
    || bad "predict --threads $t: $(cat err)"
  "$clv" value --transaction-model bgnbd.json --spend-model gg.json --annual-discount-rate 0.1 --threads $t --input cbs.csv \
    > v_$t.csv 2>err || bad "value --threads $t: $(cat err)"
done
same p_1.csv p_2.csv "predict with 1 and 2 threads"
same v_1.csv v_2.csv "value with 1 and 2 threads"
"$clv" fit --model bgnbd --input cbs.csv --threads 0 >/dev/null 2>err && bad "--threads 0 accepted"

[ $fail -eq 0 ] && echo "clv predict/value streaming: all cases passed"
exit $fail
