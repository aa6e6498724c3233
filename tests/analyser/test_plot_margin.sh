#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_plot_margin.sh: `rfnoise analyse --plot` draws each band as it was judged (issue 14 §5).
# In the plot's data file (DIR/<capture>.spectrum.dat, layout in analyser/out/plot.h) the limit
# minus the reading at the worst point drawn equals the margin analyse reports, within 0.1 dB,
# for each quantity: a channel power, a mean density and a peak in a reference bandwidth under a
# stepped mask (dBm, --cal-db), the quasi-peak and CISPR-average detectors at their RBW (dBuV/m
# through a calibration file with an antenna factor) and the quasi-peak bound read from the
# spectrum above 1 GHz, where the standard defines no quasi-peak. An uncalibrated band is drawn in
# its dBFS unit without its dBm limit. The layout rules hold in the SVG: the legend lies below the
# frequency axis label, the worst-point label inside the frame, the RBW in Hz or kHz (never
# 2.93e+04 Hz), and the title names the capture time and the calibration.
set -u
rf=${RFNOISE:?RFNOISE must name the rfnoise binary}
src=$(cd "$(dirname "$0")/../.." && pwd)
fail=0
bad() { echo "FAIL: $*"; fail=1; }
if ! command -v gnuplot >/dev/null && [ -z "${RFN_GNUPLOT:-}" ]; then
    echo "gnuplot not installed: nothing to check"
    exit 77
fi
t=$(mktemp -d /tmp/rfn_plot_margin.XXXXXX)
trap 'rm -rf "$t"' EXIT
cal=$src/data/calibration/example-lab-sdr.json

# 423 MHz: a -60 dBFS tone, a comb over the quasi-peak limit and a 200 kHz wide rise; 0.6 s, so that the detectors' meters
# settle (5 x 100 ms). 1.2 GHz: a tone in CISPR band E.
"$rf" synth "$t/m423.sigmf-meta" --rate 2.4e6 --center 423e6 --duration 0.6 --noise -130 \
    --add tone:423.3e6:-60 --add comb:422.5e6:50e3:4:-45 --add broadband:423.6e6:200e3:-50 \
    --datetime 2025-06-01T09:30:00Z --device-id BC-33-AC-FF-FE-FA-55-3D --quiet ||
    { echo "FAIL: synth"; exit 1; }
"$rf" synth "$t/m1200.sigmf-meta" --rate 4e6 --center 1.2e9 --duration 0.05 --noise -130 \
    --add tone:1.2006e9:-55 --datetime 2025-06-02T10:00:00Z --quiet || { echo "FAIL: synth"; exit 1; }

limits() { # ID BANDS_JSON: a limit set file $t/ID.json
    printf '{"format":"rfnoise-limits-1","id":"%s","version":"1","source":"test",' "$1" >"$t/$1.json"
    printf '"valid_from":"2020-01-01","bands":[%s]}\n' "$2" >>"$t/$1.json"
}
limits power '
 {"id":"chan-423","label":"c","f_lo_hz":423.5e6,"f_hi_hz":423.7e6,"quantity":"channel_power",
  "unit":"dBm","limit":-120},
 {"id":"peak-422","label":"p","f_lo_hz":422.2e6,"f_hi_hz":423.4e6,"quantity":"peak_density",
  "unit":"dBm/ref_bw","ref_bw_hz":12500,
  "mask":[[422.2e6,-110],[422.8e6,-110],[422.8e6,-104],[423.4e6,-100]]},
 {"id":"mean-421","label":"m","f_lo_hz":421.9e6,"f_hi_hz":422.15e6,"quantity":"mean_density",
  "unit":"dBm/ref_bw","ref_bw_hz":25000,"limit":-120}'
limits cispr '
 {"id":"qp-423","label":"q","f_lo_hz":422.1e6,"f_hi_hz":423.0e6,"quantity":"quasi_peak",
  "rbw_hz":120000,"unit":"dBuV/m","interpolation":"log-frequency",
  "mask":[[422.1e6,40],[422.5e6,40],[422.5e6,47],[423.0e6,47]]},
 {"id":"av-423","label":"a","f_lo_hz":423.0e6,"f_hi_hz":423.9e6,"quantity":"cispr_average",
  "rbw_hz":120000,"unit":"dBuV/m","limit":45}'
limits bound '
 {"id":"qp-1g2","label":"b","f_lo_hz":1.1985e9,"f_hi_hz":1.2015e9,"quantity":"quasi_peak",
  "rbw_hz":1e6,"unit":"dBuV/m","limit":60}'

analyse() { # NAME CAPTURE LIMITS FORMAT [options]: JSON in $t/NAME.res, plots in $t/NAME/
    local name=$1 cap=$2 lim=$3 fmt=$4
    shift 4
    "$rf" analyse "$t/$cap.sigmf-meta" --limits "$t/$lim.json" --format json --quiet \
        --plot "$t/$name" --plot-format "$fmt" "$@" >"$t/$name.res" 2>"$t/$name.err"
    local rc=$?
    [ $rc -le 3 ] && [ ! -s "$t/$name.err" ] || bad "analyse $name exited $rc: $(cat "$t/$name.err")"
    [ -s "$t/$name/$cap.spectrum.$fmt" ] || bad "analyse $name drew no $cap.spectrum.$fmt"
}
analyse power m423 power svg --cal-db -40
analyse cispr m423 cispr svg --cal "$cal" --rx-gain 40
analyse bound m1200 bound png --cal "$cal" --rx-gain 40
analyse uncal m423 power svg

# check.py RESULT DATA_FILE SVG|- TITLE EXPECT...: TITLE is what the title must hold (texts
# separated by "|"); EXPECT is band:method:unit, or band:-:unit for a band drawn without its limit
# (its reading is in another unit than the limit's).
cat >"$t/check.py" <<'PY'
import json, math, re, sys

res, dat, svg, title = sys.argv[1:5]
expect = [e.split(":", 2) for e in sys.argv[5:]]
bands = {b["id"]: b for b in json.load(open(res))["captures"][0]["bands"]}
blocks, cur = {}, None
for line in open(dat):
    m = re.match(r"# index (\d+): band (\S+) unit (\S+): (.*)", line)
    if m:
        cur = blocks[m.group(2)] = {"unit": m.group(3), "label": m.group(4), "rows": []}
    elif line.strip() and not line.startswith("#") and cur is not None:
        cur["rows"].append([float(x) for x in line.split()])
ok = True
def bad(msg):
    global ok
    ok = False
    print("FAIL:", msg)
for band, method, unit in expect:
    v, blk = bands[band], blocks.get(band)
    if blk is None:
        bad(f"{band}: no block in {dat}")
        continue
    if blk["unit"] != unit or v["measured_unit_text"] != unit:
        bad(f"{band}: drawn in {blk['unit']}, measured in {v['measured_unit_text']}, want {unit}")
    rows = [r for r in blk["rows"] if math.isfinite(r[1])]
    if method == "-":
        if any(math.isfinite(r[2]) for r in rows):
            bad(f"{band}: a limit in {v['unit_text']} drawn against a reading in {unit}")
        continue
    if v["method"] != method:
        bad(f"{band}: measured by {v['method']}, want {method}")
    worst = min(rows, key=lambda r: r[2] - r[1])
    drawn = worst[2] - worst[1]
    print(f"{band:9} {v['quantity']:14} {v['method']:13} plotted limit - trace {drawn:8.3f} dB, "
          f"reported margin {v['margin_db']:8.3f} dB, differ by {drawn - v['margin_db']:+.1e} dB "
          f"({unit})")
    if not abs(drawn - v["margin_db"]) <= 0.1:
        bad(f"{band}: plotted limit - trace {drawn:.3f} dB != reported margin "
            f"{v['margin_db']:.3f} dB")
    if v["worst_freq_hz"] is not None:
        at = min(rows, key=lambda r: abs(r[0] - v["worst_freq_hz"]))
        if not (abs(at[0] - v["worst_freq_hz"]) <= 1 and abs(at[1] - v["measured"]) <= 0.1):
            bad(f"{band}: drawn {at[1]:.3f} at {at[0]:.1f} Hz, reported {v['measured']:.3f} at "
                f"{v['worst_freq_hz']:.1f} Hz")
if svg != "-":
    text = open(svg).read()
    # every text element: (x, y, anchor, string)
    items = [(float(x), float(y), a, s) for x, y, a, s in re.findall(
        r'<g transform="translate\(([\d.]+),([\d.]+)\)[^>]*text-anchor="(\w+)">\s*<text>([^<]*)</text>',
        text)]
    frame = re.search(r"M([\d.]+),([\d.]+) L\1,([\d.]+) L([\d.]+),\3 L\4,\2 L\1,\2 Z", text)
    left, top, bottom, right = (float(frame.group(i)) for i in (1, 2, 3, 4))
    xlabel = [i for i in items if i[3].startswith("Frequency (")]
    legend = [i for i in items if i[3] in [b["label"] for b in blocks.values()]]
    if not xlabel or len(legend) != len(blocks):
        bad(f"SVG: axis label {xlabel} or legend entries {len(legend)} of {len(blocks)} not found")
    # 10 px text: a legend line's top is 10 px above its baseline, the axis label's baseline y
    if xlabel and any(y - 10 <= xlabel[0][1] + 2 for x, y, a, s in legend):
        bad("SVG: the legend overlaps the frequency axis label")
    label = [i for i in items if i[3].startswith("worst margin ")]
    if not label and any(method != "-" for band, method, unit in expect):
        bad("SVG: no worst-point label")
    for x, y, anchor, s in label:
        width = 6.0 * len(s)  # sans 10 px: under 6 px a character on average
        x0, x1 = (x - width, x) if anchor == "end" else (x, x + width)
        if not (left <= x0 and x1 <= right and top <= y - 10 and y <= bottom):
            bad(f"SVG: worst-point label [{x0:.0f}, {x1:.0f}] x {y:.0f} leaves the frame "
                f"[{left}, {right}] x [{top}, {bottom}]")
    titles = [i[3] for i in items if i[1] < top]
    head = " | ".join(titles)
    print("SVG title:", head)
    if not re.search(r"RBW \d+(\.\d+)? (Hz|kHz|MHz) ", head) or "e+" in head:
        bad(f"SVG: the RBW is not written in Hz or kHz: {head}")
    for want in title.split("|"):
        if want not in head:
            bad(f"SVG: the title does not say '{want}': {head}")
sys.exit(0 if ok else 1)
PY
check() { /usr/bin/python3 "$t/check.py" "$@" || bad "check $*"; }
at="captured 2025-06-01T09:30:00Z"
check "$t/power.res" "$t/power/m423.spectrum.dat" "$t/power/m423.spectrum.svg" \
    "$at|calibration cal-db:-40" \
    chan-423:welch:dBm peak-422:welch:dBm/12.5kHz mean-421:welch:dBm/25kHz
check "$t/cispr.res" "$t/cispr/m423.spectrum.dat" "$t/cispr/m423.spectrum.svg" \
    "$at|calibration example-lab-sdr" qp-423:emi-detector:dBuV/m av-423:emi-detector:dBuV/m
check "$t/bound.res" "$t/bound/m1200.spectrum.dat" - - qp-1g2:welch-bound:dBuV/m
check "$t/uncal.res" "$t/uncal/m423.spectrum.dat" "$t/uncal/m423.spectrum.svg" \
    "$at|calibration none" chan-423:-:dBFS peak-422:-:dBFS/12.5kHz mean-421:-:dBFS/25kHz
[ $fail -eq 0 ] && echo "test_plot_margin: ok"
exit $fail
