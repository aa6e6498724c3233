#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_validate.sh: `rfnoise validate` / `merge` end to end on the sample batch (`rfnoise synth
# --batch`): every device's verdict, reasons and evidence equal the generator's ground truth; a
# register formula is inert in every CSV; register errors carry the right line and column; a
# run killed mid-way leaves the previous results untouched and a rerun gives the uninterrupted
# result; --shard 0/2 + 1/2 + merge equals the single run byte for byte (summary apart from
# generated_at); merge refuses a missing shard; --strict and --planned.
set -u
rf=${RFNOISE:?RFNOISE must name the rfnoise binary}
py=/usr/bin/python3
fail=0
t=$(mktemp -d /tmp/rfn_validate.XXXXXX)
trap 'rm -rf "$t"' EXIT
cd "$t" || exit 1

"$rf" synth --batch batch --seed 20221 || { echo "FAIL: synth --batch"; exit 1; }
common=(--register batch/register.csv --derogations batch/derogations.csv
        --manifest batch/manifest.csv --lab-results batch/lab --cal-db -40 --quiet)

# ---- single run: exit 1 (non-compliant devices exist), verdicts equal the ground truth --------
"$rf" validate "${common[@]}" --jobs 2 --notice-date 2024-03-01 --out single
rc=$?
[ $rc -eq 1 ] || { echo "FAIL: validate exited $rc, want 1"; fail=1; }
# The limit set every verdict used is named, and its being illustrative is said, on the terminal
# and in summary.json.
"$rf" validate --register batch/register.csv --derogations batch/derogations.csv \
    --manifest batch/manifest.csv --lab-results batch/lab --cal-db -40 --out named \
    >named.txt 2>/dev/null
grep -qx "limits: ichis-annex-f-illustrative version 0.1-illustrative (ILLUSTRATIVE VALUES, not the limits in force)" named.txt ||
    { echo "FAIL: the summary does not name the illustrative limit set: $(grep '^limits' named.txt)"; fail=1; }
$py -c 'import json,sys; s=json.load(open("named/summary.json"))["limit_set"]; sys.exit(s != {"id": "ichis-annex-f-illustrative", "version": "0.1-illustrative", "illustrative": True})' ||
    { echo "FAIL: summary.json limit_set"; fail=1; }
# Every line of captures.jsonl is versioned like every other JSON output.
$py -c 'import json,sys; sys.exit(any(json.loads(l).get("format_version") != 1 for l in open("named/captures.jsonl")))' ||
    { echo "FAIL: a captures.jsonl line without format_version 1"; fail=1; }
$py - batch/expected.csv single/devices.csv <<'EOF' || fail=1
import csv, sys
exp = {r["DeviceID"]: r for r in csv.DictReader(open(sys.argv[1], newline=""))}
got = {r["DeviceID"]: r for r in csv.DictReader(open(sys.argv[2], newline=""))}
bad = [k for k in exp if k not in got or
       (exp[k]["verdict"], exp[k]["reasons"], exp[k]["evidence"]) !=
       (got[k]["verdict"], got[k]["reasons"], got[k]["evidence"])]
bad += [k for k in got if k not in exp]
for k in bad[:10]:
    print("FAIL: device", k, "expected", exp.get(k), "got", got.get(k))
kinds = {r["verdict"] for r in exp.values()}
if kinds != {"compliant", "derogation-compliant", "non-compliant", "inconclusive", "unassessed"}:
    print("FAIL: the batch does not exercise every verdict:", kinds); bad.append(1)
# Field captures cover the WAN band only: the lab stands in for the HAN bands (per-band rule).
ev = {r["evidence"] for r in exp.values()}
if ev != {"capture+lab-model", "lab-model", "none"}:
    print("FAIL: evidence kinds", ev); bad.append(1)
if len(exp) < 1500:
    print("FAIL: only", len(exp), "devices judged"); bad.append(1)
sys.exit(1 if bad else 0)
EOF

# noncompliance.csv: one row per non-compliant device, notice +10 / +90 days.
$py - single/devices.csv single/noncompliance.csv <<'EOF' || fail=1
import csv, sys
dev = [r for r in csv.DictReader(open(sys.argv[1], newline="")) if r["verdict"] == "non-compliant"]
nc = list(csv.DictReader(open(sys.argv[2], newline="")))
ok = len(dev) == len(nc) and all(r["notice_date"] == "2024-03-01" and r["plan_due"] == "2024-03-11"
                                 and r["remediation_due"] == "2024-05-30" for r in nc)
ok or print("FAIL: noncompliance.csv rows/dates wrong (%d vs %d)" % (len(dev), len(nc)))
sys.exit(0 if ok else 1)
EOF

# ---- formula neutralisation: no CSV cell rfnoise wrote starts with = + @ -------------------------
$py - single <<'EOF' || fail=1
import csv, glob, sys
bad, seen = 0, 0
for f in glob.glob(sys.argv[1] + "/*.csv"):
    for row in csv.reader(open(f, newline="")):
        for cell in row:
            if cell[:1] in ("=", "+", "@"):
                print("FAIL: live formula in", f, cell); bad = 1
            if cell.startswith("'=HYPERLINK("):
                seen += 1
if not seen:
    print("FAIL: the =HYPERLINK register value is not in the outputs"); bad = 1
sys.exit(bad)
EOF

# ---- register errors: file, line and column point at the bad value ---------------------------
$py - batch/register.csv single/register-errors.csv single/summary.json <<'EOF' || fail=1
import csv, json, sys
lines = open(sys.argv[1], newline="").read().split("\r\n" if "\r\n" in open(sys.argv[1], newline="").read() else "\n")
errs = list(csv.DictReader(open(sys.argv[2], newline="")))
bad = 0
want = {"CSPRegion": "Midlands", "DeviceStatus": "Installed", "InstallDate": "2021-02-30"}
checked = 0
for e in errs:
    if e["column"] in want and want[e["column"]] in e["message"]:
        if want[e["column"]] not in lines[int(e["line"]) - 1]:
            print("FAIL: error line", e["line"], "does not hold", want[e["column"]]); bad = 1
        checked += 1
codes = {e["code"] for e in errs}
for c in ("bad-check-digit", "bad-date", "unknown-value", "duplicate-device-id", "ragged-row",
          "missing-value", "bad-character", "bad-length"):
    if c not in codes:
        print("FAIL: no", c, "error reported"); bad = 1
s = json.load(open(sys.argv[3]))["register"]
if (s["rows_read"], s["rows_rejected"]) != (1990, 40) or checked < 10:
    print("FAIL: register counts", s, checked); bad = 1
sys.exit(bad)
EOF

# ---- interrupted run: the previous results stay whole; the rerun finishes the rest ------------
"$rf" validate "${common[@]}" --jobs 1 --out int >/dev/null   # previous results (cached)
rm -rf int/cache
sha() { (cd "$1" && sha256sum devices.csv noncompliance.csv summary.json captures.jsonl \
                             register-errors.csv skipped.csv); }
sha int >before.sha
"$rf" validate "${common[@]}" --jobs 1 --notice-date 2024-03-01 --out int >/dev/null &
pid=$!
for _ in $(seq 1 400); do
    n=$(ls int/cache 2>/dev/null | grep -c '\.json$')
    [ "$n" -ge 5 ] && break
    sleep 0.02
done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
n_cached=$(ls int/cache | grep -c '\.json$')
[ "$n_cached" -lt 58 ] || echo "note: the run finished before it could be killed"
sha int >after.sha
cmp -s before.sha after.sha || { echo "FAIL: a killed run changed the previous results"; fail=1; }
"$rf" validate "${common[@]}" --jobs 1 --notice-date 2024-03-01 --out int
same_as_single() { # DIR: equal to single/ (summary apart from generated_at)
    for f in devices.csv noncompliance.csv skipped.csv captures.jsonl register-errors.csv; do
        cmp -s "single/$f" "$1/$f" || { echo "FAIL: $1/$f differs from the single run"; fail=1; }
    done
    for d in single "$1"; do grep -v '"generated_at"' "$d/summary.json" >"$d.sum"; done
    cmp -s single.sum "$1.sum" || { echo "FAIL: $1/summary.json differs"; diff single.sum "$1.sum" | head; fail=1; }
}
same_as_single int

# Killed at any moment, also while the outputs are written: every file is the old or the new one.
"$rf" validate "${common[@]}" --jobs 1 --out int >/dev/null   # old: no notice date
sha int >old.sha
"$rf" validate "${common[@]}" --jobs 1 --notice-date 2024-03-01 --out int >/dev/null
sha int >new.sha
for delay in 0.03 0.06 0.09 0.12 0.15 0.2; do
    "$rf" validate "${common[@]}" --jobs 1 --out int >/dev/null &   # writes the old again
    pid=$!
    sleep $delay
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    sha int | grep -v summary.json | while read -r h f; do
        grep -q "^$h  $f\$" old.sha new.sha || echo "FAIL: $f half-written after a kill at ${delay}s"
    done | grep . && fail=1
    $py -c 'import json, sys; json.load(open(sys.argv[1]))' int/summary.json ||
        { echo "FAIL: summary.json unreadable after a kill at ${delay}s"; fail=1; }
    "$rf" validate "${common[@]}" --jobs 1 --notice-date 2024-03-01 --out int >/dev/null
done

# ---- shards + merge ---------------------------------------------------------------------------
"$rf" validate "${common[@]}" --notice-date 2024-03-01 --shard 0/2 --out s0 || fail=1
"$rf" validate "${common[@]}" --notice-date 2024-03-01 --shard 1/2 --out s1 || fail=1
"$rf" merge s1 s0 --out merged --quiet
[ $? -eq 1 ] || { echo "FAIL: merge exit status"; fail=1; }
same_as_single merged
"$rf" merge s0 --out m2 >out 2>err
[ $? -eq 2 ] && [ "$(cat err)" = "rfnoise: merge: missing shard 1/2" ] ||
    { echo "FAIL: merge of one shard: $(cat err)"; fail=1; }
"$rf" validate "${common[@]}" --shard 1/2 --out s1b >/dev/null
"$rf" merge s0 s1b --out m3 2>err >/dev/null
grep -q "differ in settings_sha256\|differ in options" err || { echo "FAIL: merge of different runs: $(cat err)"; fail=1; }

# ---- FFTW wisdom with measured plans (from analyse) does not change validate's bits --------------
RFNOISE_WISDOM=$t/wisdom "$rf" analyse batch/captures/cap-004.sigmf-meta --cal-db -40 --quiet \
    >/dev/null
RFNOISE_WISDOM=$t/wisdom "$rf" validate "${common[@]}" --notice-date 2024-03-01 --out wis
cmp -s single/captures.jsonl wis/captures.jsonl ||
    { echo "FAIL: FFTW wisdom changed validate's results"; fail=1; }

# ---- --captures DIR (DeviceID from rfnoise:device_id, also of the truncated captures) ---------
"$rf" validate --register batch/register.csv --derogations batch/derogations.csv \
    --captures batch/captures --lab-results batch/lab --cal-db -40 --quiet --out bydir
cmp -s single/devices.csv bydir/devices.csv ||
    { echo "FAIL: --captures gives other verdicts than --manifest"; fail=1; }

# ---- --strict, --planned, usage -----------------------------------------------------------------
"$rf" validate "${common[@]}" --strict --out strict >out 2>err
[ $? -eq 2 ] && grep -q "^rfnoise: validate: batch/register.csv:[0-9]*: " err ||
    { echo "FAIL: --strict: $(cat err)"; fail=1; }
"$rf" validate --register batch/register.csv --derogations batch/derogations.csv \
    --lab-results batch/lab --planned --quiet --out planned
[ $? -eq 1 ] || { echo "FAIL: --planned exit status"; fail=1; }
$py - planned/devices.csv <<'EOF' || fail=1
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
late = [r for r in rows if r["DeviceModel"] == "AM-100" and r["DeviceFirmwareVersion"] == "1.3.0"
        and r["CSPRegion"] == "North" and r["InstallDate"] > "2022-03-31"]
ok = len(rows) == 1950 and late and all(r["evidence"] in ("lab-model", "none") for r in rows) and \
     all(r["reasons"] == "exceeds-limit;installed-after-cutoff" or
         r["reasons"] == "exceeds-limit;location-not-acceptable" for r in late)
ok or print("FAIL: --planned verdicts (%d rows)" % len(rows))
sys.exit(0 if ok else 1)
EOF
"$rf" validate --register batch/register.csv >out 2>err
[ $? -eq 2 ] && [ "$(cat err)" = "rfnoise: validate: --register and --out are required (see rfnoise validate --help)" ] ||
    { echo "FAIL: usage error: $(cat err)"; fail=1; }

[ $fail -eq 0 ] && echo "test_validate: all checks passed"
exit $fail
