#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_bursts_cli.sh: --exclude-bursts end to end (issue 19 §1). analyse on a synthetic capture
# with 10 bursts of 5 ms, 15 dB over the han-868 floor: the text lists them and the capture used,
# the JSON gives each span (start, length, level), the used fraction and both floors per band,
# and the band reads its noise again; validate --exclude-bursts keys its cache on it, records it
# in summary.json and captures.jsonl, and measurements.csv has the floor columns; rejudge
# --exclude-bursts of results made without it judges their captures measured-otherwise; the
# real HomeMatic capture (../shared, skipped when absent) is a 29 dB fail with its two telegrams
# in and not a fail once they are left out.
set -u
rf=${RFNOISE:?RFNOISE must name the rfnoise binary}
py=/usr/bin/python3
fail=0
src=$(cd "$(dirname "$0")/../.." && pwd)
t=$(mktemp -d /tmp/rfn_bursts_cli.XXXXXX)
trap 'rm -rf "$t"' EXIT
cd "$t" || exit 1

"$rf" synth bt.sigmf-meta --rate 1e6 --center 868.3e6 --duration 1 --noise -100 \
    --add bursts:868.3e6:200e3:-25:0.1:0.05:0.02 --quiet || { echo "FAIL: synth"; exit 1; }
"$rf" analyse bt.sigmf-meta --quiet --format json >plain.json
"$rf" analyse bt.sigmf-meta --quiet --exclude-bursts --format json >excl.json
"$rf" analyse bt.sigmf-meta --quiet --exclude-bursts >excl.txt
grep -q "^bursts     10 found against each band's floor (6 dB over it for 1 ms or more" excl.txt ||
    { echo "FAIL: text has no bursts line:"; cat excl.txt; fail=1; }
[ "$(grep -c '^  burst    start ' excl.txt)" = 10 ] || { echo "FAIL: text lists not 10 bursts"; fail=1; }
grep -qE '^used       9[0-9]\.[0-9]+ % of the capture' excl.txt || { echo "FAIL: no used line"; fail=1; }
grep -qE '^floor      han-868 +-[0-9.]+ +-[0-9.]+  dBFS/100kHz' excl.txt ||
    { echo "FAIL: no floor line for han-868"; fail=1; }
$py - plain.json excl.json <<'PY' || fail=1
import json, sys
plain = json.load(open(sys.argv[1]))["captures"][0]
excl = json.load(open(sys.argv[2]))["captures"][0]
bad = []
if plain["settings"]["bursts"] is not None or plain["settings"]["used_fraction"] != 1.0:
    bad.append("without --exclude-bursts: bursts %r, used %r" % (plain["settings"]["bursts"],
               plain["settings"]["used_fraction"]))
b = excl["settings"]["bursts"]
fs = excl["capture"]["sample_rate_hz"]
if b["count"] != 10 or len(b["spans"]) != 10 or b["threshold_db"] != 6:
    bad.append("bursts %r" % {k: b[k] for k in ("count", "threshold_db")})
for k, s in enumerate(b["spans"]):
    start = 0.02 + 0.1 * k  # planted: 5 ms from 20 ms, every 100 ms
    if not (start - 0.001 <= s["start_s"] <= start and 0.005 <= s["length_s"] <= 0.007
            and 13 <= s["level_db"] <= 18 and s["band"] == "han-868"
            and s["start_sample"] == round(s["start_s"] * fs)):
        bad.append("span %d: %r" % (k, s))
used = excl["settings"]["used_fraction"]
if abs(used - (1 - b["samples"] / excl["capture"]["sample_count"])) > 1e-9 or not 0.93 < used < 0.95:
    bad.append("used fraction %r" % used)
def band(c):
    return next(x for x in c["bands"] if x["id"] == "han-868")
p, e = band(plain), band(excl)
for x in (p, e):
    if x["capture_floor_median"] is None or not x["capture_floor"] <= x["capture_floor_median"]:
        bad.append("floors %r %r" % (x["capture_floor"], x["capture_floor_median"]))
# Noise -100 dBFS/Hz is -50 dBFS in 100 kHz: the bursts (-25 dBFS in 200 kHz) are gone.
if not (p["measured"] > -45 and abs(e["measured"] - -50) < 1.5):
    bad.append("han-868 reads %.2f with bursts, %.2f without" % (p["measured"], e["measured"]))
for m in bad:
    print("FAIL:", m)
sys.exit(1 if bad else 0)
PY

# validate and rejudge on the sample batch
"$rf" synth --batch batch --seed 20221 || { echo "FAIL: synth --batch"; exit 1; }
common=(--register batch/register.csv --derogations batch/derogations.csv
        --manifest batch/manifest.csv --lab-results batch/lab --cal-db -40 --quiet
        --notice-date 2024-03-01)
"$rf" validate "${common[@]}" --out plain 2>/dev/null
"$rf" validate "${common[@]}" --exclude-bursts --out excl 2>/dev/null
[ $? -le 1 ] || { echo "FAIL: validate --exclude-bursts"; fail=1; }
"$rf" rejudge --results plain --exclude-bursts --out rj --quiet 2>/dev/null
[ $? -le 1 ] || { echo "FAIL: rejudge --exclude-bursts"; fail=1; }
$py - plain excl rj <<'PY' || fail=1
import csv, json, sys
plain, excl, rj = sys.argv[1:4]
bad = []
sp, se = (json.load(open(d + "/summary.json")) for d in (plain, excl))
if se["options"].get("exclude_bursts") is not True or "exclude_bursts" in sp["options"]:
    bad.append("summary options: %r / %r" % (sp["options"].get("exclude_bursts"),
                                              se["options"].get("exclude_bursts")))
if se["settings_sha256"] == sp["settings_sha256"]:
    bad.append("the cache key does not change with --exclude-bursts")
recs = [json.loads(l) for l in open(excl + "/captures.jsonl")]
if not all(r["analysis"]["settings"]["bursts"]["threshold_db"] == 6 for r in recs if r["analysis"]):
    bad.append("captures.jsonl: a record without settings.bursts")
head = next(csv.reader(open(excl + "/measurements.csv")))
i = head.index("floor")
if head[i + 1:i + 3] != ["capture_floor_median", "capture_floor_20pct"]:
    bad.append("measurements.csv header %r" % head)
rows = [r for r in csv.DictReader(open(excl + "/measurements.csv")) if r["source"] == "capture"]
if not rows or not all(r["capture_floor_median"] and r["capture_floor_20pct"] for r in rows
                       if r["value"]):
    bad.append("measurements.csv: capture rows without floors")
# rejudge: the kept records were measured with the bursts in, so none proves anything
devs = list(csv.DictReader(open(rj + "/devices.csv")))
cap = [d for d in devs if d["evidence"].startswith("capture")]
if len(cap) < 10 or any(d["verdict"] != "inconclusive" or not (
        "measured-otherwise" in d["reasons"] or "capture-unreadable" in d["reasons"]) for d in cap):
    bad.append("rejudge --exclude-bursts: %r" % [(d["verdict"], d["reasons"]) for d in cap][:5])
# validate --exclude-bursts itself judges its own records (the sample batch plants no bursts)
ex = [d for d in csv.DictReader(open(excl + "/devices.csv")) if d["evidence"].startswith("capture")]
if any("measured-otherwise" in d["reasons"] for d in ex):
    bad.append("validate --exclude-bursts: its own records measured-otherwise")
for m in bad:
    print("FAIL:", m)
sys.exit(1 if bad else 0)
PY

# The real HomeMatic capture: its two telegrams are the hub's kind of transmission.
hm=$src/../shared/real-captures/urh_homematic.cs16
if [ -f "$hm" ]; then
    opts=(--rate 1e6 --datatype cs16 --center 868.3e6 --cal-db -40 --quiet --format json)
    "$rf" analyse "$hm" "${opts[@]}" >hm-plain.json
    "$rf" analyse "$hm" "${opts[@]}" --exclude-bursts >hm-excl.json
    $py - hm-plain.json hm-excl.json <<'PY' || fail=1
import json, sys
p, e = (json.load(open(f))["captures"][0] for f in sys.argv[1:3])
bp, be = (next(b for b in c["bands"] if b["id"] == "han-868") for c in (p, e))
bad = []
if not (bp["verdict"] == "fail" and -30 < bp["margin_db"] < -28):
    bad.append("with the telegrams: %s %.2f dB" % (bp["verdict"], bp["margin_db"]))
if be["verdict"] == "fail" or not be["margin_db"] > 0 or e["settings"]["bursts"]["count"] != 2:
    bad.append("without: %s %.2f dB, %d bursts" % (be["verdict"], be["margin_db"],
               e["settings"]["bursts"]["count"]))
for m in bad:
    print("FAIL: homematic:", m)
sys.exit(1 if bad else 0)
PY
else
    echo "SKIP: $hm absent (a fresh clone has no ../shared): HomeMatic check not run"
fi
[ $fail -eq 0 ] && echo "PASS: test_bursts_cli"
exit $fail
