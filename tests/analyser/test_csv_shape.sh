#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_csv_shape.sh: every CSV rfnoise writes has as many cells in each row as in its header,
# and no empty header name or repeated one (docs/style.md §APIs: header and cells from one
# table). It runs the commands that write CSV: validate on the sample batch (devices,
# noncompliance, skipped, register-errors), the remediation report of a workspace, and psd,
# detect, apd and analyse --format csv on a synthetic capture; then reads every *.csv made.
set -u
rf=${RFNOISE:?RFNOISE must name the rfnoise binary}
src=${RFN_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
t=$(mktemp -d /tmp/rfn_csv_shape.XXXXXX)
trap 'rm -rf "$t"' EXIT
cd "$t" || exit 1
fail=0
run() { "$@" >/dev/null 2>"$t/err"; local rc=$?; [ $rc -le 1 ] ||
        { echo "FAIL: $* exited $rc: $(head -c 300 "$t/err")"; fail=1; }; }

run "$rf" synth --batch batch --seed 20221 --quiet
run "$rf" validate --register batch/register.csv --derogations batch/derogations.csv \
    --manifest batch/manifest.csv --lab-results batch/lab --cal-db -40 --quiet \
    --notice-date 2024-03-01 --out v
D=$src/tests/data/workspace
export RFNOISE_WORKSPACE=$t/ws
run "$rf" workspace init ws
run "$rf" workspace import-register "$D/register1.csv" --as-of 2026-01-05
run "$rf" workspace add-results "$D/results1"
run "$rf" remediation open --notice-date 2026-01-10
run "$rf" report --as-of 2026-04-30 --out rep
run "$rf" synth cap.sigmf-meta --rate 2.4e6 --center 868e6 --duration 0.1 --noise -120 \
    --add tone:868.1e6:-50 --seed 3 --quiet
mkdir -p cmd
"$rf" psd cap.sigmf-meta --traces max,min --cal-db -40 --format csv --quiet >cmd/psd.csv ||
    { echo "FAIL: psd"; fail=1; }
run "$rf" detect cap.sigmf-meta --band CD --format csv --quiet --output cmd/detect.csv
run "$rf" apd cap.sigmf-meta --band 868.05e6:868.15e6 --format csv --quiet --output cmd/apd.csv
"$rf" analyse cap.sigmf-meta --cal-db -40 --format csv --quiet >cmd/analyse.csv 2>/dev/null

/usr/bin/python3 - "$t" <<'PY' || fail=1
import csv, glob, os, sys
root = sys.argv[1]
files = sorted(glob.glob(os.path.join(root, "**", "*.csv"), recursive=True))
files = [f for f in files if "/batch/" not in f]  # the generator's inputs, not outputs
want = {"v/devices.csv", "v/noncompliance.csv", "v/skipped.csv", "v/register-errors.csv",
        "cmd/psd.csv", "cmd/detect.csv", "cmd/apd.csv", "cmd/analyse.csv"}
have = {os.path.relpath(f, root) for f in files}
bad = [f"missing output {w}" for w in sorted(want - have)]
if not any(h.startswith("rep/") for h in have):
    bad.append("the report wrote no CSV")
for f in files:
    rows = list(csv.reader(open(f, newline="", encoding="utf-8")))
    rel = os.path.relpath(f, root)
    if not rows:
        bad.append(f"{rel}: empty (no header)")
        continue
    head = rows[0]
    if any(not h.strip() for h in head) or len(set(head)) != len(head):
        bad.append(f"{rel}: header has an empty or repeated name: {head}")
    for i, r in enumerate(rows[1:], 2):
        if len(r) != len(head):
            bad.append(f"{rel}:{i}: {len(r)} cells, header has {len(head)}")
            break
print(f"{len(files)} CSV files checked")
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
[ $fail -eq 0 ] && echo "csv shapes ok"
exit $fail
