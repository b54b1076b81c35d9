#!/usr/bin/env bash
# The scaling table of docs/performance.md: for each number of customers, a transaction log simulated
# by clv's own simulator (bench_scaling_data: BG/NBD purchases with CDNOW's parameters, Gamma-Gamma
# order values, a year of acquisitions, 78 weeks observed), then `clv summarize`, `clv fit` of each
# model, `clv predict` and `clv value`, each timed by /usr/bin/time (wall time, peak RSS) with
# --threads 1 and 2. Prints Markdown table rows.
#
# Usage: bench/scaling.sh BUILD_DIR [CUSTOMERS...]         (default: 10000 100000 1000000)
#        bench/scaling.sh BUILD_DIR --stream CUSTOMERS     streaming predict: stdin -> stdout, peak RSS
# BUILD_DIR is a Release build with -DCLV_BUILD_BENCHMARKS=ON (bin/clv, bin/bench_scaling_data).
# Files go to $CLV_SCALING_DIR (default /tmp/clv_scaling); logs are kept between runs.
# $CLV_SCALING_MODELS picks the models fitted (default "bgnbd mbgnbd pnbd gg"; value needs bgnbd and gg).
set -u
build=$1; shift
clv=$build/bin/clv
generate=$build/bin/bench_scaling_data
work=${CLV_SCALING_DIR:-/tmp/clv_scaling}
mkdir -p "$work"

# run LABEL THREADS COMMAND...: one table row "| customers | label | threads | wall | CPU | peak RSS |".
run() {
  local label=$1 threads=$2; shift 2
  if ! /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" > "$work/out" 2> "$work/err"; then
    echo "| $n | $label | $threads | failed: $(head -c 200 "$work/err") | | |"
    return
  fi
  read -r wall user system kib < <(tail -n 1 "$work/time")
  printf '| %s | %s | %s | %s s | %s s | %d MiB |\n' "$n" "$label" "$threads" "$wall" \
    "$(python3 -c "print(round($user + $system, 2))")" $((kib / 1024))
}

# data N: the log and its weekly summary with spend for N customers.
data() {
  n=$1
  log=$work/log_$n.csv summary=$work/summary_$n.csv
  [ -f "$log" ] || "$generate" "$n" "$log" || exit 1
  run "summarize ($(($(wc -l < "$log") - 1)) rows)" - "$clv" summarize --input "$log" --customer-col customer_id \
    --date-col date --amount-col amount --time-unit week --output "$summary"
}

if [ "${1:-}" = --stream ]; then
  data "$2"
  "$clv" fit --model bgnbd --input "$summary" --time-unit week --output "$work/bgnbd_$n.json" > /dev/null 2>&1 || exit 1
  for threads in 1 2; do
    run "predict --input - (stdin -> stdout), 52 weeks" $threads sh -c "\"$clv\" predict --model-file \
      \"$work/bgnbd_$n.json\" --horizon 52 --threads $threads --input - < \"$summary\" > /dev/null"
  done
  exit 0
fi

echo "| customers | step | threads | wall time | CPU time | peak memory |"
echo "|---|---|---|---|---|---|"
sizes=("$@"); [ ${#sizes[@]} -eq 0 ] && sizes=(10000 100000 1000000)
for size in "${sizes[@]}"; do
  data "$size"
  for threads in 1 2; do
    for model in ${CLV_SCALING_MODELS:-bgnbd mbgnbd pnbd gg}; do
      run "fit $model" $threads "$clv" fit --model $model --input "$summary" --time-unit week --threads $threads \
        --output "$work/${model}_$n.json"
    done
    run "predict bgnbd, 52 weeks" $threads "$clv" predict --model-file "$work/bgnbd_$n.json" --horizon 52 \
      --threads $threads --input "$summary" --output "$work/predictions_$n.csv"
    run "value bgnbd x gg, 52 weeks, 10 %/year" $threads "$clv" value --transaction-model "$work/bgnbd_$n.json" \
      --spend-model "$work/gg_$n.json" --horizon 52 --annual-discount-rate 0.1 --threads $threads \
      --input "$summary" --output "$work/values_$n.csv"
  done
done
