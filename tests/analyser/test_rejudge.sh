#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_rejudge.sh: kept measurements and `rfnoise rejudge` on the sample batch (issue 14):
# validate --limits X and rejudge --limits X give byte-identical devices.csv and
# noncompliance.csv, lab results included (every limit +30 dB leaves nothing non-compliant); a
# rejudge with nothing changed reproduces the results and flips nothing; flips.csv lists exactly
# the changed verdicts; every device names the limit set and derogation list applied;
# measurements.csv holds every kept band measurement, the lab's too; a limit whose band
# geometry changed is "measured-otherwise", never a pass; a changed register, a second --limits
# and a shard are refused.
set -u
rf=${RFNOISE:?RFNOISE must name the rfnoise binary}
py=/usr/bin/python3
fail=0
limits=$(cd "$(dirname "$0")/../.." && pwd)/data/limits/ichis-annex-f-illustrative.json
[ -f "$limits" ] || { echo "FAIL: cannot find the bundled limit set $limits"; exit 1; }
t=$(mktemp -d /tmp/rfn_rejudge.XXXXXX)
trap 'rm -rf "$t"' EXIT
cd "$t" || exit 1

"$rf" synth --batch batch --seed 20221 || { echo "FAIL: synth --batch"; exit 1; }
common=(--register batch/register.csv --derogations batch/derogations.csv
        --manifest batch/manifest.csv --lab-results batch/lab --cal-db -40 --quiet
        --notice-date 2024-03-01)
"$rf" validate "${common[@]}" --out ship 2>/dev/null
[ $? -eq 1 ] || { echo "FAIL: validate on the shipped limits should find non-compliant devices"; fail=1; }

# A what-if copy: every limit, mask level and derogation limit 30 dB higher.
$py - "$limits" relaxed.json <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
def bump(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k in ("limit", "derogation_limit", "level") and isinstance(v, (int, float)):
                o[k] = v + 30
            else:
                bump(v)
    elif isinstance(o, list):
        for x in o:
            bump(x)
bump(s)
s["version"] += "-relaxed30"
json.dump(s, open(sys.argv[2], "w"), indent=1)
PY
"$rf" validate "${common[@]}" --limits relaxed.json --out rel-validate 2>/dev/null
rc_v=$?
"$rf" rejudge --results ship --limits relaxed.json --out rel-rejudge --quiet 2>/dev/null
rc_r=$?
[ $rc_v -eq 0 ] && [ $rc_r -eq 0 ] || { echo "FAIL: relaxed exit status validate $rc_v rejudge $rc_r, want 0 0"; fail=1; }
for f in devices.csv noncompliance.csv measurements.csv; do
    cmp -s rel-validate/$f rel-rejudge/$f || { echo "FAIL: validate --limits and rejudge --limits differ in $f"; fail=1; }
done
$py - ship rel-rejudge <<'PY' || fail=1
import collections, csv, json, sys
old = list(csv.DictReader(open(sys.argv[1] + "/devices.csv", newline="")))
new = list(csv.DictReader(open(sys.argv[2] + "/devices.csv", newline="")))
bad = 0
cn = collections.Counter(r["verdict"] for r in new)
if cn["non-compliant"] or cn["derogation-compliant"]:
    print("FAIL: +30 dB leaves", dict(cn)); bad = 1
co = collections.Counter(r["verdict"] for r in old)
if co["non-compliant"] < 50 or co["derogation-compliant"] < 50:
    print("FAIL: the shipped limits should condemn and derogate many devices:", dict(co)); bad = 1
want = "ichis-annex-f-illustrative@0.1-illustrative-relaxed30"
other = [r["DeviceID"] for r in new if r["limit_set"] != want]
if other:
    print("FAIL:", len(other), "devices name another limit set than", want, other[:3]); bad = 1
if any(not r["derogations"].startswith("sha256:") for r in new):
    print("FAIL: a device does not name the derogation list by its sha256"); bad = 1
# flips.csv: exactly the devices whose verdict changed, with both margins.
ov = {r["DeviceID"]: r for r in old}
changed = [r["DeviceID"] for r in new if ov[r["DeviceID"]]["verdict"] != r["verdict"]]
flips = list(csv.DictReader(open(sys.argv[2] + "/flips.csv", newline="")))
if [f["DeviceID"] for f in flips] != changed or not changed:
    print("FAIL: flips.csv lists", len(flips), "devices, want", len(changed)); bad = 1
for f in flips[:50]:
    o = ov[f["DeviceID"]]
    if (f["old_verdict"], f["old_margin_db"]) != (o["verdict"], o["margin_db"]):
        print("FAIL: flip of", f["DeviceID"], f, "old row", o["verdict"], o["margin_db"]); bad = 1
    if o["verdict"] == "non-compliant" and "derogation" not in o["reasons"] and abs(float(f["new_margin_db"]) - float(o["margin_db"]) - 30) > 0.011:
        print("FAIL: the margin of", f["DeviceID"], "did not move by 30 dB:", f); bad = 1
s = json.load(open(sys.argv[2] + "/summary.json"))
if s["applied"]["limit_set"] != want or s.get("rejudged_from") != sys.argv[1]:
    print("FAIL: summary.json applied/rejudged_from", s.get("applied"), s.get("rejudged_from")); bad = 1
sys.exit(bad)
PY

# Nothing changed: the same files, and no flip.
"$rf" rejudge --results ship --out same --quiet 2>/dev/null
for f in devices.csv noncompliance.csv skipped.csv measurements.csv register-errors.csv; do
    cmp -s ship/$f same/$f || { echo "FAIL: a rejudge with nothing changed differs in $f"; fail=1; }
done
[ "$(wc -l < same/flips.csv)" -eq 1 ] || { echo "FAIL: flips with nothing changed: $(wc -l < same/flips.csv) lines"; fail=1; }

# measurements.csv: one row per kept band measurement (not-applicable bands measured nothing),
# captures and lab results, with the numbers captures.jsonl keeps.
$py - ship <<'PY' || fail=1
import csv, json, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(d + "/measurements.csv", newline="")))
bad = 0
want_cols = ["source", "source_id", "DeviceID", "model", "firmware", "measured_at", "band",
             "quantity", "detector", "trace", "rbw_hz", "ref_bw_hz", "value", "unit", "floor",
             "coverage", "calibration_id", "flags"]
missing = [c for c in want_cols if c not in rows[0]]
if missing:
    print("FAIL: measurements.csv lacks", missing); bad = 1
caps = [json.loads(l) for l in open(d + "/captures.jsonl")]
kept = [(c["sha256"], b) for c in caps if c["analysis"] for b in c["analysis"]["bands"]
        if b["verdict"] != "not-applicable"]
got = [r for r in rows if r["source"] == "capture"]
if len(got) != len(kept):
    print("FAIL:", len(got), "capture rows, captures.jsonl keeps", len(kept)); bad = 1
for r, (sha, b) in zip(got, kept):
    if r["source_id"] != sha or r["band"] != b["id"]:
        print("FAIL: row order", r["source_id"], r["band"], "want", sha, b["id"]); bad = 1; break
    m = b["measured"]
    if (m is None) != (r["value"] == "") or (m is not None and abs(float(r["value"]) - m) > 5e-4):
        print("FAIL: value", r["value"], "kept", m); bad = 1; break
lab = [r for r in rows if r["source"] == "lab"]
if len(lab) < 10 or any(not r["model"] or "#captures[" not in r["source_id"] for r in lab):
    print("FAIL: lab rows", len(lab), lab[:1]); bad = 1
if not any("band-not-covered" in r["flags"] for r in got):
    print("FAIL: no capture row flags a band it did not cover"); bad = 1
sys.exit(bad)
PY

# Another band geometry (the WAN band's reference bandwidth): its kept numbers measured
# something else, so no device passes on them.
$py - "$limits" other.json <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
for b in s["bands"]:
    if b["id"] == "wan-north-423":
        b["ref_bw_hz"] = b.get("ref_bw_hz", 12500) * 2
s["version"] += "-wider"
json.dump(s, open(sys.argv[2], "w"), indent=1)
PY
"$rf" rejudge --results ship --limits other.json --out other --quiet 2>/dev/null
$py - other <<'PY' || fail=1
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1] + "/devices.csv", newline="")))
mo = [r for r in rows if "measured-otherwise" in r["reasons"]]
if not mo or any(r["verdict"] in ("compliant", "derogation-compliant") for r in mo):
    print("FAIL: measured-otherwise devices:", len(mo), {r["verdict"] for r in mo}); sys.exit(1)
PY

# Evidence counts only for the model and firmware it measured: against a newer extract where
# three devices with own captures have a firmware no evidence measured, those devices are
# retest-required (not judged on another firmware's numbers); the rest keep their verdicts.
$py - batch/register.csv ship/devices.csv newer.csv changed.txt <<'PY'
import csv, sys
src, devs, out, listing = sys.argv[1:5]
own = [r["DeviceID"] for r in csv.DictReader(open(devs, newline=""))
       if r["evidence"] == "capture+lab-model"][:3]
rows = list(csv.reader(open(src, newline="")))
h = rows[0]
di, fi = h.index("DeviceID"), h.index("DeviceFirmwareVersion")
for r in rows[1:]:
    if len(r) == len(h) and r[di] in own:
        r[fi] = "9.9.9"
csv.writer(open(out, "w", newline=""), lineterminator="\n").writerows(rows)
open(listing, "w").write("\n".join(own) + "\n")
PY
"$rf" rejudge --results ship --register newer.csv --out newer --quiet 2>/dev/null
$py - newer changed.txt ship <<'PY' || fail=1
import csv, sys
new = {r["DeviceID"]: r for r in csv.DictReader(open(sys.argv[1] + "/devices.csv", newline=""))}
old = {r["DeviceID"]: r for r in csv.DictReader(open(sys.argv[3] + "/devices.csv", newline=""))}
changed = open(sys.argv[2]).read().split()
bad = 0
for d in changed:
    r = new[d]
    if r["verdict"] != "retest-required" or "model-or-firmware-changed" not in r["reasons"]:
        print("FAIL: device", d, "with a new firmware:", r["verdict"], r["reasons"]); bad = 1
others = [d for d in new if d not in changed and d in old and
          (new[d]["verdict"], new[d]["reasons"]) != (old[d]["verdict"], old[d]["reasons"])]
if others:
    print("FAIL: devices without a change changed verdict:", others[:5]); bad = 1
if sum(r["verdict"] == "retest-required" for r in new.values()) != len(changed):
    print("FAIL: retest-required count"); bad = 1
sys.exit(bad)
PY
# The same through validate: a manifest that says which model and firmware each capture
# measured (the original extract's), judged against the newer extract.
$py - batch/manifest.csv batch/register.csv mf.csv <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
reg = {r["DeviceID"]: r for r in csv.DictReader(open(sys.argv[2], newline=""))}
w = csv.writer(open(sys.argv[3], "w", newline=""), lineterminator="\n")
w.writerow(["capture", "DeviceID", "captured_at", "DeviceModel", "DeviceFirmwareVersion"])
for r in rows:
    g = reg.get(r["DeviceID"], {})
    w.writerow(["batch/" + r["capture"], r["DeviceID"], r.get("captured_at", ""),
                g.get("DeviceModel") or "unknown", g.get("DeviceFirmwareVersion") or "x"])
PY
"$rf" validate --register newer.csv --derogations batch/derogations.csv \
    --manifest mf.csv --lab-results batch/lab --cal-db -40 --quiet --out mfout 2>/dev/null
$py - mfout changed.txt <<'PY' || fail=1
import csv, json, sys
rows = {r["DeviceID"]: r for r in csv.DictReader(open(sys.argv[1] + "/devices.csv", newline=""))}
changed = open(sys.argv[2]).read().split()
got = sorted(d for d, r in rows.items() if r["verdict"] == "retest-required")
if got != sorted(changed):
    print("FAIL: validate with a manifest's firmware: retest-required", got, "want", changed)
    sys.exit(1)
m = [r for r in csv.DictReader(open(sys.argv[1] + "/measurements.csv", newline=""))
     if r["DeviceID"] in changed]
if not m or any(r["firmware"] == "9.9.9" for r in m):
    print("FAIL: measurements.csv does not keep the firmware measured"); sys.exit(1)
if json.load(open(sys.argv[1] + "/summary.json"))["devices"]["by_verdict"]["retest-required"] != 3:
    print("FAIL: summary.json does not count retest-required"); sys.exit(1)
PY
sed '2s/,[^,]*$/,/' mf.csv > mf-empty.csv
"$rf" validate --register batch/register.csv --manifest mf-empty.csv --quiet --out mfempty 2>err.txt
rc=$?
[ $rc -eq 2 ] && grep -q "DeviceFirmwareVersion is empty" err.txt ||
    { echo "FAIL: an empty DeviceFirmwareVersion in a manifest: exit $rc $(cat err.txt)"; fail=1; }

# The workspace keeps the measurements beside the verdicts, and takes retest-required.
"$rf" workspace init ws >/dev/null
"$rf" workspace import-register batch/register.csv --as-of 2024-03-01 --workspace ws --quiet >/dev/null 2>&1
"$rf" workspace add-results ship --workspace ws --quiet >ws.txt 2>&1
n=$(($(wc -l < ship/measurements.csv) - 1))
grep -q "measurements=$n\$" ws.txt || { echo "FAIL: workspace add-results kept not $n measurements: $(cat ws.txt)"; fail=1; }
"$rf" workspace import-register newer.csv --as-of 2024-04-01 --workspace ws --quiet >/dev/null 2>&1
"$rf" workspace add-results newer --workspace ws --quiet >ws2.txt 2>&1
grep -q "retest_required=3 " ws2.txt || { echo "FAIL: workspace add-results of retest-required: $(cat ws2.txt)"; fail=1; }
# rejudge --workspace takes the latest result set's folder, unchanged since it was added.
"$rf" rejudge --workspace ws --out fromws --quiet 2>/dev/null
cmp -s fromws/devices.csv newer/devices.csv || { echo "FAIL: rejudge --workspace differs from rejudge --results of the same folder"; fail=1; }
"$rf" rejudge --workspace ws --results newer --out both 2>err.txt
[ $? -eq 2 ] || { echo "FAIL: --workspace with --results accepted"; fail=1; }
# The Supplier's plan lists its retest-required devices apart from its cases.
sup=$($py -c 'import csv,sys; d=open("changed.txt").read().split()[0]; print(next(r["Supplier"] for r in csv.DictReader(open("newer/devices.csv", newline="")) if r["DeviceID"] == d))')
"$rf" remediation plan --supplier "$sup" --workspace ws >plan.csv 2>/dev/null
want=$($py -c 'import csv,sys; print(sum(1 for r in csv.DictReader(open("newer/devices.csv", newline="")) if r["verdict"] == "retest-required" and r["Supplier"] == sys.argv[1]))' "$sup")
got=$(grep -c ',retest-required,,,,,,,$' plan.csv) # no dates, no agreed_due, no SupplierID
[ "$got" = "$want" ] && [ "$want" -ge 1 ] || { echo "FAIL: the plan of $sup lists $got retest-required devices, want $want"; fail=1; }

# Whitelisted meters are installed and judged by default; --installed-statuses sets the list,
# and summary.json records it (issue 15).
$py - batch/register.csv ship/devices.csv wl.csv wl.txt <<'PY'
import csv, sys
d = next(r["DeviceID"] for r in csv.DictReader(open(sys.argv[2], newline=""))
         if r["verdict"] == "non-compliant")
rows = list(csv.reader(open(sys.argv[1], newline="")))
h = rows[0]
for r in rows[1:]:
    if len(r) == len(h) and r[h.index("DeviceID")] == d:
        r[h.index("DeviceStatus")] = "Whitelisted"
csv.writer(open(sys.argv[3], "w", newline=""), lineterminator="\n").writerows(rows)
open(sys.argv[4], "w").write(d)
PY
wl=$(cat wl.txt)
nore=(--derogations batch/derogations.csv --manifest batch/manifest.csv --lab-results batch/lab
      --cal-db -40 --quiet --notice-date 2024-03-01)
"$rf" validate "${nore[@]}" --register wl.csv --out wl-default 2>/dev/null
grep -q "^[^,]*,[^,]*,$wl,.*,Whitelisted,non-compliant," wl-default/devices.csv ||
    { echo "FAIL: a Whitelisted non-compliant meter is not judged by default"; fail=1; }
"$rf" validate "${nore[@]}" --register wl.csv --installed-statuses Commissioned,InstalledNotCommissioned --out wl-narrow 2>/dev/null
grep -q ",$wl,.*,Whitelisted$" wl-narrow/skipped.csv ||
    { echo "FAIL: --installed-statuses without Whitelisted still judges $wl"; fail=1; }
$py -c 'import json,sys; sys.exit(json.load(open("wl-narrow/summary.json"))["installed_statuses"] != "InstalledNotCommissioned,Commissioned")' ||
    { echo "FAIL: summary.json installed_statuses"; fail=1; }
"$rf" rejudge --results wl-narrow --out wl-rejudged --quiet 2>/dev/null
cmp -s wl-narrow/devices.csv wl-rejudged/devices.csv || { echo "FAIL: rejudge does not keep the results' installed statuses"; fail=1; }
"$rf" validate "${nore[@]}" --register wl.csv --installed-statuses Commissioned,Fitted --out wl-bad 2>err.txt
[ $? -eq 2 ] && grep -q "'Fitted' is not a DUIS DeviceStatus" err.txt || { echo "FAIL: an unknown status: $(cat err.txt)"; fail=1; }

# Refusals: a register changed since the results, twice --limits, a shard.
cp batch/register.csv register.orig
printf '\n' >> batch/register.csv
"$rf" rejudge --results ship --out changed --quiet 2>err.txt
rc=$?
[ $rc -eq 2 ] && grep -q "register.csv changed since" err.txt ||
    { echo "FAIL: a changed register: exit $rc, $(cat err.txt)"; fail=1; }
"$rf" rejudge --results ship --register batch/register.csv --out changed --quiet 2>/dev/null
[ $? -eq 1 ] || { echo "FAIL: --register should accept the new extract"; fail=1; }
cp register.orig batch/register.csv
"$rf" rejudge --results ship --limits relaxed.json --limits "$limits" --out twice 2>err.txt
[ $? -eq 2 ] && grep -q "given twice" err.txt || { echo "FAIL: a second --limits: $(cat err.txt)"; fail=1; }
"$rf" validate "${common[@]}" --shard 0/2 --out shard0 2>/dev/null
"$rf" rejudge --results shard0 --out fromshard 2>err.txt
[ $? -eq 2 ] && grep -q "one shard" err.txt || { echo "FAIL: a shard: $(cat err.txt)"; fail=1; }
[ -e fromshard ] && { echo "FAIL: a refused rejudge made its output folder"; fail=1; }

[ $fail -eq 0 ] && echo "test_rejudge: ok"
exit $fail
