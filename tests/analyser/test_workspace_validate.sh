#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_workspace_validate.sh: end to end with the real `rfnoise validate` on the sample batch
# (`rfnoise synth --batch`): snapshot 1 -> validate -> add-results -> cases opened for exactly the
# non-compliant devices on the wall -> snapshot 2 in which 5 of them are decommissioned, 5
# replaced by a new ESME on the same MPAN (the old one Withdrawn), 3 have a new ESME beside them
# while they stay on the wall, 2 are absent from the extract, and one is upgraded to a firmware
# whose lab result is compliant -> validate again -> add-results: exactly those 10 are
# remediated, the 3 stay open with "replacement-seen" in their history, the 2 are
# missing-from-extract (neither overdue nor remediated), the upgraded one resolved, the rest stay
# open, then turn overdue on a snapshot after the due date -> report: each Supplier's plan holds
# exactly that Supplier's open cases.
set -u
rf=${RFNOISE:?RFNOISE must name the rfnoise binary}
py=/usr/bin/python3
T=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
cd "$T" || exit 1
fail=0
bad() { echo "FAIL: $*"; fail=1; }
"$rf" synth --batch batch --seed 20221 >/dev/null || { echo "FAIL: synth --batch"; exit 1; }
common=(--derogations batch/derogations.csv --manifest batch/manifest.csv --lab-results batch/lab
        --cal-db -40 --quiet --jobs 2)
"$rf" validate --register batch/register.csv "${common[@]}" --out v1
[ $? = 1 ] || bad "validate 1 exit status"
export RFNOISE_WORKSPACE=$T/ws
"$rf" workspace init ws >/dev/null
"$rf" workspace import-register batch/register.csv --as-of 2024-02-20 >/dev/null || bad "import 1"
"$rf" workspace add-results v1 >out 2>err || bad "add-results 1"
[ -s err ] && bad "add-results 1 warned: $(cat err)"
nc=$($py -c "import csv,sys; print(sum(r['verdict']=='non-compliant' for r in csv.DictReader(open('v1/devices.csv'))))")
grep -q " non_compliant=$nc " out || bad "add-results counted $(cat out), validate says $nc non-compliant"
"$rf" remediation open --notice-date 2024-03-01 >out
[ "$(cat out)" = "opened=$nc skipped=0" ] || bad "open: $(cat out), wanted opened=$nc"

# snapshot 2: 5 non-compliant ESMEs decommissioned, 5 replaced (row removed, new ESME on its MPAN)
$py - v1/devices.csv batch/register.csv register2.csv <<'PY'
import csv, sys
dev = list(csv.DictReader(open(sys.argv[1], newline='')))
nc = sorted(r['DeviceID'] for r in dev
            if r['verdict'] == 'non-compliant' and r['DeviceType'] == 'ESME')
decom, repl, beside, gone = set(nc[:5]), set(nc[5:10]), set(nc[10:13]), set(nc[13:15])
# one AM-100 judged on the lab result of firmware 1.3.0 gets firmware 1.5.0 (lab: compliant)
upg = sorted(r['DeviceID'] for r in dev if r['verdict'] == 'non-compliant' and
             r['DeviceModel'] == 'AM-100' and r['DeviceFirmwareVersion'] == '1.3.0' and
             r['evidence'] == 'lab-model' and
             r['DeviceID'] not in decom | repl | beside | gone)[0]
rows = list(csv.reader(open(sys.argv[2], newline='')))
h = rows[0]
ci = {n: h.index(n) for n in ('DeviceID', 'DeviceStatus', 'DeviceManufacturer', 'DeviceModel',
                              'DeviceFirmwareVersion', 'InstallDate')}
out = [h]
for k, r in enumerate(rows[1:]):
    if len(r) == len(h) and r[ci['DeviceID']] in decom:
        r[ci['DeviceStatus']] = 'Decommissioned'
    if len(r) == len(h) and r[ci['DeviceID']] == upg:
        r[ci['DeviceFirmwareVersion']] = '1.5.0'
    if len(r) == len(h) and r[ci['DeviceID']] in gone:
        continue
    if len(r) == len(h) and r[ci['DeviceID']] in repl | beside:
        new = list(r)
        new[ci['DeviceID']] = '00-AA-BB-FF-FE-00-%02X-%02X' % (k >> 8, k & 255)
        new[ci['DeviceManufacturer']], new[ci['DeviceModel']] = 'Acme Meters', 'AM-100'
        new[ci['DeviceFirmwareVersion']], new[ci['InstallDate']] = '1.5.0', '2024-03-20'
        out.append(new)
        if r[ci['DeviceID']] in repl:
            r[ci['DeviceStatus']] = 'Withdrawn'
    out.append(r)
csv.writer(open(sys.argv[3], 'w', newline=''), lineterminator='\n').writerows(out)
PY
"$rf" workspace import-register register2.csv --as-of 2024-04-01 >out || bad "import 2"
grep -q "^cases_to_open=0 cases_to_overdue=0 cases_to_remediated=10 cases_to_resolved=0 cases_to_missing=2$" out || bad "snapshot 2: $(cat out)"
"$rf" validate --register register2.csv "${common[@]}" --out v2
"$rf" workspace add-results v2 >out 2>err || bad "add-results 2"
[ -s err ] && bad "add-results 2 warned: $(cat err)"
grep -q "cases_to_resolved=1 cases_to_missing=0$" out || bad "results 2 (the upgraded meter resolves): $(cat out)"
"$rf" workspace status >out
grep -q "^cases_remediated: 10$" out || bad "remediated: $(cat out)"
grep -q "^cases_resolved: 1$" out || bad "resolved: $(cat out)"
grep -q "^cases_open: $((nc - 13))$" out || bad "open: $(cat out)"
grep -q "^cases_missing_from_extract: 2$" out || bad "missing: $(cat out)"
"$rf" remediation history >hist.csv
[ "$(grep -c ',state,open,remediated,DeviceStatus Decommissioned,' hist.csv)" = 5 ] || bad "5 decommissioned in history"
[ "$(grep -c ',state,open,remediated,DeviceStatus Withdrawn,' hist.csv)" = 5 ] || bad "5 replaced (old meter withdrawn) in history"
[ "$(grep -c ',replacement-seen,,,ESME 00-AA-BB-FF-FE-00-' hist.csv)" = 3 ] || bad "3 replacements seen beside the old meter"
[ "$(grep -c ',state,open,missing-from-extract,absent from the extract of 2024-04-01' hist.csv)" = 2 ] || bad "2 missing from the extract"
[ "$(grep -c ',2,2,state,open,resolved,re-assessed compliant (result set 2),' hist.csv)" = 1 ] || bad "1 resolved in history"
# results made from a register that is not the latest snapshot: a warning names both
mkdir v1copy && cp v1/summary.json v1copy/ && head -3 v1/devices.csv >v1copy/devices.csv
"$rf" workspace add-results v1copy >out 2>err || bad "add-results of an older run"
grep -q "^rfnoise: workspace: warning: v1copy was made from the register with SHA-256 [0-9a-f]\{16\}..., not the latest snapshot's ([0-9a-f]\{16\}...)$" err || bad "no warning for results of an older register: $(cat err)"
# a snapshot after the due date (2024-05-30): the rest are overdue
"$rf" workspace import-register register2.csv --as-of 2024-06-03 >out || bad "import 3"
grep -q "cases_to_overdue=$((nc - 13)) " out || bad "snapshot 3: $(cat out)"
"$rf" report --as-of 2024-06-30 --out rep >out || bad "report: $(cat out)"
# The sample is judged under the bundled illustrative limits: the report says so first (issue 14).
grep -q '<p class="note"><strong>Illustrative limits.</strong>' rep/report.html || bad "report.html does not say the limits are illustrative"
grep -q 'ichis-annex-f-illustrative <strong>(ILLUSTRATIVE VALUES)</strong>' rep/report.html || bad "provenance does not mark the illustrative limit set"
$py - rep <<'PY' || fail=1
import csv, glob, os, sys
d = sys.argv[1]
cases = list(csv.DictReader(open(os.path.join(d, 'cases.csv'), newline='')))
seen, bad = 0, 0
for f in sorted(glob.glob(os.path.join(d, 'remediation-plan-*.csv'))):
    rows = list(csv.DictReader(open(f, newline='')))
    sups = {r['Supplier'] for r in rows}
    if len(sups) > 1:
        print('FAIL: %s holds %s' % (f, sups)); bad = 1
    if rows:
        sup = rows[0]['Supplier']
        want = sorted(c['case_id'] for c in cases if c['Supplier'] == sup and c['state'] == 'overdue')
        if sorted(r['case_id'] for r in rows) != want:
            print('FAIL: %s is not exactly its Supplier\'s overdue cases' % f); bad = 1
        seen += len(rows)
if seen != sum(c['state'] == 'overdue' for c in cases):
    print('FAIL: plans hold %d cases' % seen); bad = 1
sys.exit(bad)
PY
[ $fail = 0 ] && echo "workspace + validate end to end: $nc cases, 10 remediated, 1 resolved, 2 missing, $((nc - 13)) overdue"
exit $fail
