#!/usr/bin/env bash
# End-to-end: the diagnostics commands (show, evaluate, track, matrix, compare) on the CDNOW sample
# with a 39-week calibration. Numbers are checked against computations done here in Python from
# the papers' formulas (FHL 2005 eq. 9 and 10, FHL 2008 P(alive)) and against BTYD's tracking data.
# Usage: diagnostics.sh <clv> <shared-data-dir>
set -u
clv=$1; data=$2/cdnow
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
fail=0
if [ ! -f "$data/CDNOW_sample.txt" ]; then
  echo "SKIPPED: reference data not found at $data"
  [ "${CI:-}" = true ] && exit 1 || exit 0
fi
log_options=(--whitespace --no-header --customer-col 2 --date-col 3 --date-format %Y%m%d)
run() {  # run NAME COMMAND...: stdout to $w/NAME.out, stderr to $w/NAME.err; fails the test on a non-zero exit
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
run summarize "$clv" summarize --input "$data/CDNOW_sample.txt" "${log_options[@]}" --time-unit week \
  --calibration-end 1997-09-30 --observation-end 1998-06-30 --output "$w/cal.csv"
cut -d, -f1-5 "$w/cal.csv" > "$w/no_holdout.csv"
run fit "$clv" fit --model bgnbd --input "$w/cal.csv" --time-unit week --output "$w/bg.json"
run show "$clv" show --model-file "$w/bg.json"
run evaluate "$clv" evaluate --model-file "$w/bg.json" --input "$w/cal.csv" --json
run evaluate_text "$clv" evaluate --model-file "$w/bg.json" --input "$w/cal.csv" --max-frequency 5
run evaluate_no_holdout "$clv" evaluate --model-file "$w/bg.json" --input "$w/no_holdout.csv" --json
run compare "$clv" compare --models bgnbd,pnbd,mbgnbd --input "$w/cal.csv" --json
run compare_text "$clv" compare --models pnbd,bgnbd --input "$w/no_holdout.csv"
run track "$clv" track --model-file "$w/bg.json" --transactions "$data/CDNOW_sample.txt" "${log_options[@]}" \
  --calibration-end 1997-09-30 --observation-end 1998-06-30
run matrix "$clv" matrix --model-file "$w/bg.json" --quantity probability_alive --T 38 --max-frequency 10
run matrix_ce "$clv" matrix --model-file "$w/bg.json" --quantity expected_transactions --T 38 --horizon 39 --recency-step 2

python3 - "$w" <<'PY' || fail=1
import csv, json, math, sys
w = sys.argv[1]; bad = []
p = json.load(open(f"{w}/bg.json"))["params"]; r, al, a, b = p["r"], p["alpha"], p["a"], p["b"]
def f21(A, B, C, z):
    s = t = 1.0; k = 0
    while abs(t) > 1e-17 * abs(s) and k < 100000:
        t *= (A + k) * (B + k) / ((C + k) * (k + 1)) * z; s += t; k += 1
    return s
def alive(x, tx, T):  # FHL 2008 note eq. 2
    return 1.0 if x == 0 else 1 / (1 + a / (b + x - 1) * ((al + T) / (al + tx)) ** (r + x))
def ce(t, x, tx, T):  # FHL 2005 eq. 10
    lead = (a + b + x - 1) / (a - 1) * (1 - ((al + T) / (al + T + t)) ** (r + x) * f21(r + x, b + x, a + b + x - 1, t / (al + T + t)))
    return lead * alive(x, tx, T)
def ex(t):  # FHL 2005 eq. 9
    return (a + b - 1) / (a - 1) * (1 - (al / (al + t)) ** r * f21(r, b, a + b - 1, t / (al + t)))
cal = list(csv.DictReader(open(f"{w}/cal.csv")))
ev = json.load(open(f"{w}/evaluate.out"))
for key in ("customers", "total_actual", "total_predicted", "mae", "rmse", "bias", "correlation", "by_frequency", "histogram"):
    if key not in ev: bad.append(f"evaluate --json lacks {key}")
pred = [ce(float(c["duration_holdout"]), float(c["frequency"]), float(c["recency"]), float(c["T"])) for c in cal]
act = [float(c["frequency_holdout"]) for c in cal]
if ev.get("total_actual") != 1882: bad.append(f"total_actual {ev.get('total_actual')}")
if abs(ev.get("total_predicted", 0) - sum(pred)) > 1e-6 * sum(pred): bad.append(f"total_predicted {ev.get('total_predicted')} vs {sum(pred)}")
mae = sum(abs(q - y) for q, y in zip(pred, act)) / len(cal)
if abs(ev.get("mae", 0) - mae) > 1e-9 * mae: bad.append(f"mae {ev.get('mae')} vs {mae}")
h = ev.get("histogram", [])
if len(h) != 8 or sum(x["observed"] for x in h) != 2357 or abs(sum(x["expected"] for x in h) - 2357) > 1e-6:
    bad.append("histogram does not add up to 2357 customers")
if not {"statistic", "degrees_of_freedom", "p_value"} <= set(ev.get("chi_square", {})): bad.append("no chi-square")
nh = json.load(open(f"{w}/evaluate_no_holdout.out"))
if "by_frequency" in nh or "histogram" not in nh or "calibration-end" not in nh.get("note", ""):
    bad.append("a summary without holdout columns should give the histogram and a note")
if "calibration-end" not in open(f"{w}/evaluate_no_holdout.err").read(): bad.append("no note on stderr without holdout")
cmp = json.load(open(f"{w}/compare.out"))
names = [m["model"] for m in cmp]
if sorted(names) != ["bgnbd", "mbgnbd", "pnbd"] or names.index("bgnbd") > names.index("pnbd"): bad.append(f"compare order {names}")
if [m["aic"] for m in cmp] != sorted(m["aic"] for m in cmp): bad.append("compare not ranked by AIC")
for m in cmp:
    for key in ("converged", "log_likelihood", "aic", "bic", "params", "holdout_mae", "holdout_rmse", "holdout_total_predicted"):
        if key not in m: bad.append(f"compare {m['model']} lacks {key}")
show = open(f"{w}/show.out").read()
for word in ("alpha", "std. error", "95 % interval", "log-likelihood", "AIC", "BIC", "customers", "iterations", "converged"):
    if word not in show: bad.append(f"show lacks '{word}'")
tr = list(csv.DictReader(open(f"{w}/track.out")))
if len(tr) != 78: bad.append(f"track has {len(tr)} periods, want 78")
else:
    if float(tr[-1]["actual_cumulative"]) != 4339: bad.append(f"actual at week 78 {tr[-1]['actual_cumulative']}")
    if not 4100 < float(tr[-1]["expected_cumulative"]) < 4250: bad.append(f"expected at week 78 {tr[-1]['expected_cumulative']}")
    if [x["holdout"] for x in tr].count("true") != 39: bad.append("track: 39 holdout weeks expected")
m = list(csv.reader(open(f"{w}/matrix.out")))
if len(m) != 12 or m[0][0] != "frequency" or len(m[0]) != 40: bad.append(f"matrix shape {len(m)} x {len(m[0])}")
else:
    for row in m[1:]:
        x = float(row[0])
        for head, cell in zip(m[0][1:], row[1:]):
            tx = float(head.removeprefix("recency_"))
            if x == 0 and tx > 0:
                if cell != "": bad.append("matrix: a frequency-0 cell with recency > 0 is not empty")
            elif abs(float(cell) - alive(x, tx, 38)) > 1e-12: bad.append(f"matrix P(alive) at {x},{tx}: {cell}")
mc = list(csv.reader(open(f"{w}/matrix_ce.out")))
if abs(float(mc[3][5]) - ce(39, 2, 8, 38)) > 1e-9: bad.append(f"matrix expected at x=2, t_x=8: {mc[3][5]} vs {ce(39, 2, 8, 38)}")
print("; ".join(bad)) if bad else None
sys.exit(1 if bad else 0)
PY
python3 - "$w/track.out" "$data/cdnow_btyd_cu_tracking.csv" <<'PY' || fail=1
import csv, sys
ours = [float(x["actual_cumulative"]) for x in csv.DictReader(open(sys.argv[1]))]
btyd = [float(x["cum_repeat_transactions"]) for x in csv.DictReader(open(sys.argv[2]))]
if ours != btyd: print("FAIL: track's actual cumulative transactions differ from BTYD's cu.tracking"); sys.exit(1)
PY

# Bad input: a clear one-line error, exit 1.
printf '{"model": "gammagamma", "params": {"p": 6.25, "q": 3.74, "gamma": 15.44}}\n' > "$w/gg.json"
refuses wrong_kind "needs a transaction model" "$clv" evaluate --model-file "$w/gg.json" --input "$w/cal.csv"
sed 's/"converged": true/"converged": false/' "$w/bg.json" > "$w/unconverged.json"
refuses unconverged "did not converge" "$clv" matrix --model-file "$w/unconverged.json" --quantity probability_alive --T 10
run allowed "$clv" matrix --model-file "$w/unconverged.json" --allow-unconverged --quantity probability_alive --T 10
: > "$w/empty.txt"
refuses empty_log "empty" "$clv" track --model-file "$w/bg.json" --transactions "$w/empty.txt" "${log_options[@]}" \
  --calibration-end 1997-09-30
refuses unknown_model "unknown model" "$clv" compare --models bgnbd,nbd --input "$w/cal.csv"
refuses no_horizon "horizon" "$clv" matrix --model-file "$w/bg.json" --quantity expected_transactions --T 10
for command in show evaluate track matrix compare; do
  "$clv" $command --help > "$w/help" 2>&1 && grep -q -- "--" "$w/help" || { echo "FAIL: clv $command --help"; fail=1; }
done
[ $fail -eq 0 ] && echo "diagnostics: show, evaluate, track, matrix, compare agree with the independent computations"
exit $fail
