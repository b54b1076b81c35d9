#!/usr/bin/env bash
# End-to-end reliability cases of issue 9 for fit, predict and simple: no output ever replaces an input,
# a failed write leaves the old file and no temporary, a non-converged fit is never used silently,
# every argument error is one `clv: error:` line with exit 1, and time units are compared as days.
# Usage: hardening.sh <clv> <shared-data-dir>
set -u
clv=$1; data=$2/cdnow
if [ ! -f "$data/cdnow_customers_summary.csv" ]; then
  echo "SKIPPED: reference data not found at $data"
  [ "${CI:-}" = true ] && exit 1 || exit 0
fi
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
cd "$w" || exit 1
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# expect_error NAME STATUS PATTERN -- ARGS: exits STATUS, stderr's first line is `clv: error:` matching PATTERN.
expect_error() {
  local name=$1 want=$2 pattern=$3; shift 4
  "$clv" "$@" >out 2>err; local rc=$?
  [ $rc -eq "$want" ] || { bad "$name: exit $rc, want $want ($(head -c 200 err))"; return; }
  head -n 1 err | grep -q '^clv: error: ' || { bad "$name: first stderr line is not 'clv: error:' ($(head -c 200 err))"; return; }
  [ "$(grep -c . err)" -eq 1 ] || bad "$name: more than one line on stderr: $(cat err)"
  grep -qE -- "$pattern" err || bad "$name: message lacks /$pattern/: $(cat err)"
}
# only FILE...: the folder holds exactly these files (no temporary left behind).
only() { local got; got=$(ls -A | sort | tr '\n' ' '); [ "$got" = "$(printf '%s\n' "$@" | sort | tr '\n' ' ')" ] || bad "folder holds: $got"; }

sed '1s/^ID,/customer_id,/' "$data/cdnow_customers_summary.csv" > data.csv  # CDNOW, in weeks
cp data.csv data.bak
"$clv" fit --model bgnbd --input data.csv --time-unit week --output model.json >fit.json 2>err || bad "fit of the sample: $(cat err)"
cp model.json model.bak

# 1. Outputs never replace inputs, whatever path names them.
ln -s data.csv link.csv; ln data.csv hard.csv; mkdir sub
expect_error "fit --output = --input" 1 "same file as the input" -- fit --model bgnbd --input data.csv --output data.csv
expect_error "fit --output = symlink to --input" 1 "same file as the input" -- fit --model bgnbd --input data.csv --output link.csv
expect_error "fit --output = hard link to --input" 1 "same file as the input" -- fit --model bgnbd --input data.csv --output hard.csv
expect_error "fit --output = --input by another path" 1 "same file as the input" -- fit --model bgnbd --input data.csv --output sub/../data.csv
expect_error "predict --output = --input" 1 "same file as the input" -- predict --model-file model.json --input data.csv --horizon 1 --output ./data.csv
expect_error "predict --output = --model-file" 1 "same file as the input" -- predict --model-file model.json --input data.csv --horizon 1 --output model.json
cmp -s data.csv data.bak || bad "an input was changed"
cmp -s model.json model.bak || bad "the model file was changed"
rm link.csv hard.csv; rmdir sub

# 2. A write that fails says why, leaves nothing behind and no old file changed.
expect_error "predict to a full device" 1 "/dev/full: cannot write the file: No space left on device" -- \
  predict --model-file model.json --input data.csv --horizon 1 --output /dev/full
expect_error "fit to a full device" 1 "No space left on device" -- fit --model bgnbd --input data.csv --output /dev/full
expect_error "output into a missing folder" 1 "No such file or directory" -- \
  predict --model-file model.json --input data.csv --horizon 1 --output nowhere/p.csv
# A result lost on a full standard output is an error, not exit 0.
for args in "simple --aov 50 --purchases-per-year 4 --lifetime-years 3" "fit --model bgnbd --input data.csv" \
            "predict --model-file model.json --input data.csv --horizon 1"; do
  "$clv" $args >/dev/full 2>err && bad "clv $args > /dev/full exited 0"
  grep -q "^clv: error: standard output: cannot write" err || bad "clv $args > /dev/full: $(cat err)"
done
mkdir folder
expect_error "output is a folder" 1 "is a folder" -- predict --model-file model.json --input data.csv --horizon 1 --output folder
expect_error "input is a folder" 1 "folder" -- predict --model-file folder --input data.csv --horizon 1
rmdir folder
"$clv" predict --model-file model.json --input data.csv --horizon 1 --output pred.csv 2>/dev/null || bad "predict --output"
[ "$(wc -l < pred.csv)" -eq 2358 ] || bad "predict --output wrote $(wc -l < pred.csv) lines"
cp pred.csv pred.bak
printf 'customer_id,frequency,recency,T\nx,1,30,10\n' > late.csv
expect_error "predict failing after the output was named" 1 "late.csv:2" -- \
  predict --model-file model.json --input late.csv --horizon 1 --output pred.csv
cmp -s pred.csv pred.bak || bad "a failed predict changed the old output"
rm pred.bak late.csv
only data.csv data.bak fit.json model.json model.bak pred.csv out err

# 3. A non-converged fit: JSON printed, exit 2, no model file unless --allow-unconverged (then marked).
printf 'customer_id,frequency,recency,T\na,0,0,4\nb,0,0,5\n' > zero.csv
expect_error "non-converged fit" 2 "did not converge.*no model file written" -- fit --model bgnbd --input zero.csv --output model.json
python3 -c "import json,sys; j=json.load(open('out')); sys.exit(0 if j['converged'] is False else 1)" || bad "non-converged fit printed no JSON"
cmp -s model.json model.bak || bad "a non-converged fit replaced the good model file"
expect_error "non-converged fit, allowed" 2 "written marked" -- fit --model bgnbd --input zero.csv --output nc.json --allow-unconverged
python3 - <<'PY' || bad "nc.json is not marked, or has standard errors"
import json, sys
m = json.load(open("nc.json"))
sys.exit(0 if m["converged"] is False and m["std_errors"] is None and m["covariance"] is None else 1)
PY
expect_error "predict with a non-converged model" 1 "did not converge.*--allow-unconverged" -- \
  predict --model-file nc.json --input zero.csv --horizon 1
"$clv" predict --model-file nc.json --input zero.csv --horizon 1 --allow-unconverged >/dev/null 2>err || bad "predict --allow-unconverged: $(cat err)"
python3 -c "import json; m = json.load(open('fit.json')); import sys; sys.exit(0 if m['converged'] and m['std_errors_of'] == 'log-likelihood' and all(v > 0 for v in m['std_errors'].values()) else 1)" \
  || bad "a converged fit lacks its standard errors"
"$clv" fit --model bgnbd --input data.csv --penalty 0.1 > pen.json 2>/dev/null
python3 -c "import json, sys; sys.exit(0 if json.load(open('pen.json')).get('std_errors_of') == 'penalised log-likelihood' else 1)" \
  || bad "a penalised fit does not say its standard errors are of the penalised objective"

# 4. The command line: one `clv: error:` line, exit 1, the closest valid name.
expect_error "misspelt command" 1 "did you mean predict\?" -- predcit --model-file model.json
expect_error "no command" 1 "no command given" --
expect_error "unknown option" 1 "did you mean --lifetime-years\?" -- simple --aov 50 --purchases-per-year 4 --lifetime-yeras 3
expect_error "unknown option with =" 1 "did you mean --horizon\?" -- predict --model-file model.json --input data.csv --horizn=3
expect_error "not a number" 1 "--aov: 'abc' is not a number" -- simple --aov abc --purchases-per-year 4 --lifetime-years 3
expect_error "missing required option" 1 "--model is required" -- fit --input data.csv
expect_error "extra positional" 1 "unexpected argument" -- fit --model bgnbd --input data.csv extra
expect_error "unknown model" 1 "bgnbdd" -- fit --model bgnbdd --input data.csv
expect_error "negative count" 1 "--horizon: '-2' is not a whole number" -- \
  simple --retention 0.8 --discount-rate 0.1 --margin-per-period 100 --horizon -2
expect_error "fractional count" 1 "whole number" -- simple --retention 0.8 --discount-rate 0.1 --margin-per-period 100 --horizon 2.5
expect_error "negative pmf" 1 "--pmf" -- predict --model-file model.json --input data.csv --horizon 1 --pmf -1
expect_error "pmf above its bound" 1 "from 0 to 1000" -- predict --model-file model.json --input data.csv --horizon 1 --pmf 4294967295
expect_error "negative horizon" 1 "--horizon" -- predict --model-file model.json --input data.csv --horizon -1
"$clv" --help >out 2>&1 && grep -q predict out || bad "clv --help"
"$clv" fit --help >out 2>&1 && grep -q -- --allow-unconverged out || bad "clv fit --help"
"$clv" --version >out 2>&1 && [ -s out ] || bad "clv --version"
# --discount-rate 0 means no discounting wherever the value is then finite, and is refused with the
# library's message where it is not.
[ "$("$clv" simple --aov 50 --purchases-per-year 4 --lifetime-years 3 --discount-rate 0)" = 600 ] || bad "simple at rate 0"
v=$("$clv" simple --retention 0.8 --discount-rate 0 --margin-per-period 100 2>&1)
python3 -c "import sys; sys.exit(0 if abs(float('$v') - 400) < 1e-9 else 1)" 2>/dev/null || bad "retention form at rate 0: $v (want 400)"
expect_error "retention 1 at rate 0" 1 "discount|horizon|converge" -- simple --retention 1 --discount-rate 0 --margin-per-period 100
# DERT at rate 0: the expected number of all future purchases, (a + b + x - 1)/(a - 1) for a BG/NBD
# customer without repeat purchases (alive for sure) when a > 1; the CDNOW fit has a < 1: refused.
printf 'customer_id,frequency,recency,T\nnew,0,0,10\n' > fresh.csv
"$clv" predict --model bgnbd --params '{"r":2.5,"alpha":6,"a":3.2,"b":4}' --input fresh.csv --horizon 1 --discount-rate 0 >out 2>err \
  || bad "DERT at rate 0 with a > 1: $(cat err)"
python3 - out <<'PY' || bad "DERT at rate 0: $(cat out)"
import csv, sys
row = next(csv.DictReader(open(sys.argv[1])))
sys.exit(0 if abs(float(row["dert"]) - (3.2 + 4 - 1) / (3.2 - 1)) < 1e-12 else 1)
PY
expect_error "DERT at rate 0 with a <= 1" 1 "infinite when a <= 1" -- predict --model-file model.json --input data.csv --horizon 1 --discount-rate 0
v=$("$clv" simple --aov 50 --purchases-per-year 4 --lifetime-years 1e12 --discount-rate 0.1 2>&1)
python3 -c "import sys; sys.exit(0 if abs(float('$v') - 2000) < 1e-6 else 1)" 2>/dev/null || bad "simple, 1e12 years at 10 %: $v (want 2000)"

# No impossible number with exit 0: an overflowing value and non-finite inputs are errors.
expect_error "overflowing simple value" 1 "not a finite number" -- simple --aov 1e308 --purchases-per-year 1e308 --lifetime-years 3
expect_error "NaN input" 1 "finite" -- simple --aov nan --purchases-per-year 4 --lifetime-years 3
expect_error "infinite input" 1 "finite" -- simple --aov inf --purchases-per-year 4 --lifetime-years 3
expect_error "infinite horizon" 1 "--horizon" -- predict --model-file model.json --input data.csv --horizon inf

# 5. Time units are numbers of days.
"$clv" predict --model-file model.json --input data.csv --horizon 1 --time-unit 7 >/dev/null 2>err || bad "--time-unit 7 refused for a week model: $(cat err)"
expect_error "unit mismatch" 1 "week \(7 days\)" -- predict --model-file model.json --input data.csv --horizon 1 --time-unit day
expect_error "unknown unit at fit" 1 "unknown time unit" -- fit --model bgnbd --input data.csv --time-unit fortnight
expect_error "unknown unit at predict" 1 "unknown time unit" -- predict --model-file model.json --input data.csv --horizon 1 --time-unit fortnight
python3 -c "
import csv, json, sys
m = json.load(open('model.json')); T = [float(r['T']) for r in csv.DictReader(open('data.csv'))]
sys.exit(0 if m['time_unit_days'] == 7 and m['T_range'] == {'min': min(T), 'max': max(T)} else 1)" \
  || bad "the model file does not record the unit in days and the T range"
awk -F, 'NR == 1 { print; next } { printf "%s,%s,%s,%s\n", $1, $2, $3 * 7, $4 * 7 }' data.csv > days.csv
"$clv" predict --model-file model.json --input days.csv --horizon 1 >/dev/null 2>err
grep -q "warning: the summary's T" err || bad "no warning for a summary in days against a model in weeks: $(cat err)"
"$clv" predict --model-file model.json --input data.csv --horizon 1 >/dev/null 2>err
grep -q "warning" err && bad "a warning for a summary in the model's unit: $(cat err)"

[ $fail -eq 0 ] && echo "clv hardening: all cases passed"
exit $fail
