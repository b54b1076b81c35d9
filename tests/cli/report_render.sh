#!/usr/bin/env bash
# The report on the demo data rendered by headless Chromium (scripts/render-report.sh) is a real
# picture, not a blank page: many distinct colours (charts, text, tiles) and a good share of
# pixels that are not background. Skips loudly when Chromium is missing and cannot be installed;
# fails then under CI=true.
# Usage: report_render.sh <clv> <shared-data-dir>
set -u
clv=$1
here=$(cd "$(dirname "$0")/../.." && pwd); demo=$here/examples/data
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
"$clv" report --transactions "$demo/demo_transactions.csv" --customer-col customer_id --date-col date --amount-col amount \
  --time-unit week --calibration-end 2024-09-29 --product-col category --attributes "$demo/demo_attributes.csv" \
  --survey "$demo/demo_survey.csv" --margin 0.3 --contractual "$demo/demo_subscriptions.csv" --contract-period month \
  --margin-per-period 9.5 --output "$w/report.html" 2>"$w/err" \
  || { echo "FAIL: clv report: $(head -c 300 "$w/err")"; exit 1; }
"$here/scripts/render-report.sh" "$w/report.html" "$w/report.png" 1024 1400 >/dev/null 2>"$w/render.err"; rc=$?
if [ $rc -eq 3 ]; then
  echo "SKIPPED: $(cat "$w/render.err")"
  [ "${CI:-}" = true ] && exit 1 || exit 0
fi
[ $rc -eq 0 ] || { echo "FAIL: render-report.sh exited $rc: $(cat "$w/render.err")"; exit 1; }
/usr/bin/python3 - "$w/report.png" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
if data[:8] != b"\x89PNG\r\n\x1a\n": sys.exit("FAIL: not a PNG")
pos, idat = 8, b""
while pos < len(data):
    n, = struct.unpack(">I", data[pos:pos + 4]); kind = data[pos + 4:pos + 8]; body = data[pos + 8:pos + 8 + n]; pos += 12 + n
    if kind == b"IHDR": width, height, depth, colour = struct.unpack(">IIBB", body[:10])
    elif kind == b"IDAT": idat += body
if depth != 8 or colour not in (2, 6): sys.exit(f"FAIL: unexpected PNG format depth {depth} colour type {colour}")
bpp = 3 if colour == 2 else 4; stride = width * bpp; raw = zlib.decompress(idat)
previous = bytearray(stride); colours = {}; i = 0
for y in range(height):
    kind = raw[i]; line = bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
    if kind == 2: line = bytearray((a + b) & 255 for a, b in zip(line, previous))
    elif kind != 0:
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0; b = previous[x]; c = previous[x - bpp] if x >= bpp else 0
            if kind == 1: line[x] = (line[x] + a) & 255
            elif kind == 3: line[x] = (line[x] + ((a + b) >> 1)) & 255
            else:
                p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    previous = line
    if y % 2 == 0:
        for x in range(0, stride, bpp * 2):
            key = bytes(line[x:x + 3]); colours[key] = colours.get(key, 0) + 1
total = sum(colours.values()); background = max(colours.values())
print(f"render: {width}x{height} px, {len(colours)} distinct colours, {100 * (1 - background / total):.0f} % not background")
bad = []
if len(colours) < 50: bad.append(f"only {len(colours)} distinct colours: blank or broken page")
if background / total > 0.9: bad.append("over 90 % of the page is one colour")
if bad: sys.exit("FAIL: " + "; ".join(bad))
PY
